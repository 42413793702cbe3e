"""The simulator's own per-call cost of jail(8) and jls(8) with N jails running.

Runs the simulated tools in this process (no box, no interpreter start-up) against a
scratch kernel state directory, so what is timed is the simulator's work per call:
reading and writing the kernel state and the tool's own logic.  Two cases: plain jails
(path=/, persist), and realistic ones, each with ``mount.devfs`` (a devfs mount under the
jail's own root in a scratch directory) and an address alias (``interface=vtnet0``,
``ip4.addr``), which jail(8) adds to the host's interface and removes on stop; each of these
jails has a jail.conf(5) of its own (``jail -f FILE -c|-r NAME``), so that stopping it unmounts
and removes the alias as the collection's jails do.  Prints a
table per case and writes them as JSON when --json is given.

    python bench/simcost.py [--sizes 1,100,1000] [--repeat 20] [--json FILE] [--sim DIR] [--case plain|devfs+alias]
                            [--paired]

As root it runs itself in a private mount namespace (unshare -m), as a box does: the
simulated devfs mounts a tmpfs for real on each jail's dev directory.

Each figure is the fastest of --repeat calls (the machine may be shared: the fastest call
is the one least disturbed).  --sim DIR measures another checkout's simulator (DIR is its
tests/sim), to compare two versions side by side.
"""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(os.path.dirname(HERE), "tests", "sim")


def _setup(kdir, sim=SIM):
    os.environ["SIMFBSD_KERNEL"] = kdir
    if sim not in sys.path:
        sys.path.insert(0, sim)
    from simfbsd import kernel, paths  # after SIMFBSD_KERNEL is set

    paths.BOX_KERNEL = kdir  # a second case in the same process: a new scratch directory

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


PLAIN, REAL = "plain", "devfs+alias"
CASES = (PLAIN, REAL)


def _conf(i, root):
    """A jail.conf(5) of jail j{i} alone: -c and -r read its parameters as the collection's jail.conf
    gives them (jail -r of a jail not in jail.conf would leave its mounts and aliases, jail.8 -R)."""
    path = os.path.join(root, f"j{i}")
    os.makedirs(os.path.join(path, "dev"), exist_ok=True)
    n = i if isinstance(i, int) else 0xFFFFFE  # the probe: 10.255.255.254
    addr = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"  # an address for any N below 2^24
    conf = os.path.join(root, f"j{i}.conf")
    if not os.path.exists(conf):
        with open(conf, "w", encoding="utf-8") as f:
            f.write(
                f"j{i} {{\n  path = {path};\n  host.hostname = j{i}.example.org;\n  persist;\n"
                f"  mount.devfs;\n  interface = vtnet0;\n  ip4.addr = {addr};\n}}\n"
            )
    return conf


def _create(i, case=PLAIN, root=None):
    if case == REAL:
        _run("jail", ["-f", _conf(i, root), "-c", f"j{i}"])
    else:
        _run("jail", ["-c", f"name=j{i}", "path=/", f"host.hostname=j{i}.example.org", "persist"])


def _remove(i, case=PLAIN, root=None):
    _run("jail", ["-f", _conf(i, root), "-r", f"j{i}"] if case == REAL else ["-r", f"j{i}"])


def _time(fn, repeat, cpu=False):
    """The fastest of ``repeat`` calls in ms: wall time, or with ``cpu`` the process's CPU time
    (user + system: the simulator's own work, not the time spent waiting for a shared CPU)."""
    clock = time.process_time if cpu else time.perf_counter
    samples = []
    for _run_no in range(repeat):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return min(samples) * 1000  # the least disturbed call: the machine is shared


def measure(sizes, repeat, sim=SIM, case=PLAIN):
    rows = []
    kdir = tempfile.mkdtemp(prefix="simcost-")
    root = os.path.join(kdir, "jails")
    try:
        _setup(kdir, sim)
        have = 0
        for n in sizes:
            while have < n:
                have += 1
                _create(have, case, root)
            os.sync()  # the files just written are written back now, not while the calls are timed
            row = {"jails": n}

            def probe():
                _create("probe", case, root)
                _remove("probe", case, root)

            row["jail -c + jail -r (ms)"] = _time(probe, repeat)
            row["jail -c + jail -r, CPU (ms)"] = _time(probe, repeat, cpu=True)
            row["jail -m (ms)"] = _time(lambda: _run("jail", ["-m", "name=j1", "securelevel=2"]), repeat)
            row["jls -j one (ms)"] = _time(lambda: _run("jls", ["-j", "j1", "-n"]), repeat)
            row["jls -n all (ms)"] = _time(lambda: _run("jls", ["-n"]), max(3, repeat // 4))
            rows.append(row)
        for i in range(have, 0, -1):  # stop them: jail(8) unmounts each devfs and drops each alias
            _remove(i, case, root)
    finally:
        shutil.rmtree(kdir, ignore_errors=True)
    return rows


def _use(kdir):
    """Point the simulated tools at the kernel state directory ``kdir`` (set up by _setup())."""
    from simfbsd import paths

    os.environ["SIMFBSD_KERNEL"] = kdir
    paths.BOX_KERNEL = kdir


def paired(small, large, sim=SIM, case=PLAIN, rounds=15, batch=20):
    """jail -c + jail -r CPU time with ``small`` and with ``large`` jails, measured in turns in the
    same sitting: two kernel state directories, and each round times ``batch`` pairs in the one,
    then in the other.  A shared machine's load comes and goes over seconds; measured one size
    after the other (measure()), the sizes can meet different loads, measured in turns they meet
    the same.  Returns the fastest and the median round (ms per pair) of each and their ratios."""
    dirs = {n: tempfile.mkdtemp(prefix=f"simcost-{n}-") for n in (small, large)}
    per = {small: [], large: []}
    try:
        for n, kdir in dirs.items():
            _setup(kdir, sim)
            for i in range(1, n + 1):
                _create(i, case, os.path.join(kdir, "jails"))
        os.sync()
        for _round in range(rounds):
            for n, kdir in dirs.items():
                _use(kdir)
                root = os.path.join(kdir, "jails")
                t0 = time.process_time()
                for _pair in range(batch):
                    _create("probe", case, root)
                    _remove("probe", case, root)
                per[n].append((time.process_time() - t0) / batch * 1000)
        for n, kdir in dirs.items():
            _use(kdir)
            for i in range(n, 0, -1):
                _remove(i, case, os.path.join(kdir, "jails"))
    finally:
        for kdir in dirs.values():
            shutil.rmtree(kdir, ignore_errors=True)
    lo = {n: min(v) for n, v in per.items()}
    med = {n: sorted(v)[len(v) // 2] for n, v in per.items()}
    return {
        "jails": [small, large],
        "rounds x pairs": [rounds, batch],
        "CPU per pair, fastest round (ms)": [lo[small], lo[large]],
        "CPU per pair, median round (ms)": [med[small], med[large]],
        "ratio, fastest": lo[large] / lo[small],
        "ratio, median": med[large] / med[small],
    }


def _private_mounts():
    """As root, run again in a private mount namespace: the devfs mounts stay in it."""
    if os.geteuid() == 0 and not os.environ.get("SIMCOST_UNSHARED") and shutil.which("unshare"):
        env = dict(os.environ, SIMCOST_UNSHARED="1")
        argv = ["unshare", "--mount", "--propagation", "private", sys.executable, *sys.argv]
        sys.exit(subprocess.call(argv, env=env))


def _ratio_key(rows, cpu=False):
    return f"jail(8) {'CPU ' if cpu else ''}ratio to N={rows[0]['jails']}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,100,1000")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json")
    ap.add_argument("--sim", default=SIM, help="the tests/sim directory to measure (another checkout's, to compare)")
    ap.add_argument("--case", choices=CASES, action="append", help="plain and/or devfs+alias (default: both)")
    ap.add_argument("--paired", action="store_true", help="also time the smallest and largest N in turns (paired())")
    args = ap.parse_args()
    _private_mounts()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    out = {"load": [_load()]}
    for case in args.case or CASES:
        rows = measure(sizes, args.repeat, os.path.abspath(args.sim), case)
        cols = list(rows[0])
        print(f"{case}:")
        print(" | ".join(cols))
        for r in rows:
            print(" | ".join(f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols))
        for cpu, col in ((False, "jail -c + jail -r (ms)"), (True, "jail -c + jail -r, CPU (ms)")):
            base = rows[0][col]
            for r in rows:
                r[_ratio_key(rows, cpu)] = r[col] / base
            what = "CPU time" if cpu else "wall time"
            print(f"jail(8) per-call {what}, largest N / smallest N: {rows[-1][_ratio_key(rows, cpu)]:.2f}")
        out[case] = rows
        if args.paired:
            p = out[f"{case}, paired"] = paired(sizes[0], sizes[-1], os.path.abspath(args.sim), case)
            print(
                f"paired, {p['rounds x pairs'][0]} rounds of {p['rounds x pairs'][1]} pairs: CPU per pair "
                f"{p['CPU per pair, fastest round (ms)'][0]:.2f} / {p['CPU per pair, fastest round (ms)'][1]:.2f} ms, "
                f"largest N / smallest N: {p['ratio, fastest']:.2f} (fastest rounds), {p['ratio, median']:.2f} (median)"
            )
    out["load"].append(_load())
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


def _load():
    """The machine's load average (the figures are taken on a shared machine)."""
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return "load average " + " ".join(f.read().split()[:3])
    except OSError:
        return "load average unknown"


if __name__ == "__main__":
    main()
