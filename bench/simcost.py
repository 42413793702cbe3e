"""The simulator's own per-call cost of jail(8) and jls(8) with N jails running.

Runs the simulated tools in this process (no box, no interpreter start-up) against a
scratch kernel state directory, so what is timed is the simulator's work per call:
reading and writing the kernel state and the tool's own logic.  Prints a table and
writes it as JSON when --json is given.

    python bench/simcost.py [--sizes 1,100,1000] [--repeat 20] [--json FILE] [--sim DIR]

Each figure is the fastest of --repeat calls (the machine may be shared: the fastest call
is the one least disturbed).  --sim DIR measures another checkout's simulator (DIR is its
tests/sim), to compare two versions side by side.
"""

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(os.path.dirname(HERE), "tests", "sim")


def _setup(kdir, sim=SIM):
    os.environ["SIMFBSD_KERNEL"] = kdir
    sys.path.insert(0, sim)
    from simfbsd import kernel  # after SIMFBSD_KERNEL is set

    box = {"name": "simcost", "ip": "192.0.2.10", "release": "14.3-RELEASE"}
    with open(os.path.join(kdir, kernel.BOX), "w", encoding="utf-8") as f:
        json.dump(box, f)
    kernel.write_json_atomic(os.path.join(kdir, kernel.STATE), kernel.fresh_state(box))


def _run(tool, argv):
    from simfbsd import tool as simtool

    out, err = io.StringIO(), io.StringIO()
    rc = simtool.run(tool, argv, ctx=simtool.Ctx(tool, stdout=out, stderr=err), record=False)
    if rc != 0:
        raise RuntimeError(f"{tool} {argv}: rc {rc}: {err.getvalue()}")
    return out.getvalue()


def _create(i):
    _run("jail", ["-c", f"name=j{i}", "path=/", f"host.hostname=j{i}.example.org", "persist"])


def _time(fn, repeat):
    samples = []
    for _run_no in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return min(samples) * 1000  # the least disturbed call: the machine is shared


def measure(sizes, repeat, sim=SIM):
    rows = []
    kdir = tempfile.mkdtemp(prefix="simcost-")
    try:
        _setup(kdir, sim)
        have = 0
        for n in sizes:
            while have < n:
                have += 1
                _create(have)
            row = {"jails": n}
            row["jail -c + jail -r (ms)"] = _time(lambda: (_create("probe"), _run("jail", ["-r", "jprobe"])), repeat)
            row["jail -m (ms)"] = _time(lambda: _run("jail", ["-m", "name=j1", "securelevel=2"]), repeat)
            row["jls -j one (ms)"] = _time(lambda: _run("jls", ["-j", "j1", "-n"]), repeat)
            row["jls -n all (ms)"] = _time(lambda: _run("jls", ["-n"]), max(3, repeat // 4))
            rows.append(row)
    finally:
        shutil.rmtree(kdir, ignore_errors=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,100,1000")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json")
    ap.add_argument("--sim", default=SIM, help="the tests/sim directory to measure (another checkout's, to compare)")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows = measure(sizes, args.repeat, os.path.abspath(args.sim))
    cols = list(rows[0])
    print(" | ".join(cols))
    for r in rows:
        print(" | ".join(f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    base = rows[0]["jail -c + jail -r (ms)"]
    for r in rows:
        r["jail(8) ratio to N=%d" % rows[0]["jails"]] = r["jail -c + jail -r (ms)"] / base
    print("jail(8) per-call ratio, largest N / smallest N: %.2f" % rows[-1][f"jail(8) ratio to N={rows[0]['jails']}"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
