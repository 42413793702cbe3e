"""Scale benchmark: 1000 jails on one host, and a fleet of hosts in one run (issue 20).

Part 1, one host (the collection only; the baseline comparison is bench/run.py's, at N = 1, 10, 100):
for N in --sizes (default 1, 100, 1000) one simulated host with N worlds in place (bench/run.py's
prepare_worlds: not timed), and the scenarios of bench/run.py timed as the wall time of
ansible-playbook with the jails role (bench/collection/playbook.yml):

  a  first converge (once: the collection's own share is the time minus jail(8)'s own time, read
     from the simulator's call log, per jail)
  b  idempotent re-run, c  one jail changed, d  check mode (--runs each, median)
  limit  a play of one no-op task against the same host (ansible.builtin.ping, facts off): what an
     idempotent run cannot go below

plus the jail module's own main() on the converged batch, in this process, with the host's tool
output replayed (the time per jail the module itself spends, apart from Ansible and the host).

Part 2, a fleet: H simulated hosts (--fleet, default 1, 5, 20) with --fleet-jails (default 50) thin
jails each, converged from nothing by playbooks/site.yml (world, host_harden, jails) and then run
again (idempotent), with --forks (default 5, 20): wall time, per-host cost.

Outputs: bench/results/scale.json, scale.md, scale_host.png, scale_fleet.png.
``--smoke`` runs tiny sizes into .cache/bench/scale-smoke-PID (correctness only, not figures).
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import yaml

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import plotting  # noqa: E402  (bench/plotting.py: the benchmarks' line charts)
import run as bench  # noqa: E402  (bench/run.py: simulated hosts, worlds, timed ansible-playbook runs)

REPO = bench.REPO
SITE = os.path.join(REPO, "playbooks", "site.yml")
PING = os.path.join(BENCH, "scale", "ping.yml")
bench.PLAYBOOKS["ping"] = PING
log = bench.log


def median(xs):
    return round(statistics.median(xs), 3) if xs else None


# --------------------------------------------------------------------------- part 1: one host


MODULE_COST = r"""
import json, os, subprocess, sys, time
args = json.load(open(sys.argv[1]))
sys.path[:0] = args["paths"]
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.bsd.jails.plugins.modules import jail as jail_module

cache, captured, times, cpu = {}, {}, [], []
real = basic.AnsibleModule.run_command

def run_command(self, argv, **kwargs):
    key = tuple(str(a) for a in argv)
    if key not in cache:
        cache[key] = real(self, argv, **kwargs)
    return cache[key]

basic.AnsibleModule.run_command = run_command
basic.AnsibleModule._record_module_result = lambda self, o: captured.update(o)
for i in range(args["repeat"] + 1):  # the first run fills the cache of tool outputs: not counted
    captured.clear()
    with patch_module_args(args["module_args"]):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            jail_module.main()
        except SystemExit:
            pass
        if i:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    if captured.get("failed") or captured.get("changed"):
        print(json.dumps({"error": captured.get("msg") or "changed"}))
        sys.exit(1)
print(json.dumps({"seconds": min(times), "cpu_seconds": min(cpu), "tool_calls": len(cache)}))
"""


def module_cost(box, workdir, jails, repeat=3):
    """(wall, CPU) seconds the jail module's main() takes on a converged batch, tool output replayed.

    Runs in the simulated host's own Python (its files, its tools): each tool call the module makes
    runs once for real, and every later identical call gets that output back, so the time is the
    module's own (reading jail.conf, parsing, planning), without Ansible and without the host's tools.
    The CPU time (the process's user + system time) is the module's own work even when other work
    shares the machine; the wall time is not.
    """
    import sysconfig

    script = os.path.join(workdir, "module_cost.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(MODULE_COST)
    spec = os.path.join(workdir, f"module_cost-{len(jails)}.json")
    with open(spec, "w", encoding="utf-8") as f:
        json.dump({"paths": [sysconfig.get_paths()["purelib"], os.path.join(REPO, ".collections")], "repeat": repeat,
                   "module_args": {"jails": jails, "rc_enable": False, "_ansible_check_mode": True}}, f)  # fmt: skip
    python = os.path.join(os.environ.get("SIMHOST_DIR") or os.path.join(REPO, ".simhosts"), box, "python")
    cp = subprocess.run([python, script, spec], capture_output=True, text=True, check=False)
    try:
        out = json.loads(cp.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise bench.BenchError(f"module cost on {box} failed:\n{cp.stdout}{cp.stderr}") from None
    if "error" in out:
        raise bench.BenchError(f"jail module on the converged batch of {len(jails)}: {out['error']}")
    return out["seconds"], out["cpu_seconds"]


def timed_run(impl, box, inv, n, vars_file, logfile, tag, check_mode=False):
    """One timed ansible-playbook run with the host's tool calls and writes (bench/run.py's run_playbook)."""
    bench.simhost("stats", box, "--reset")
    r = bench.run_playbook(impl, box, inv, vars_file, logfile, check_mode)
    st = bench.box_stats(box)
    r.update(jls=st["calls"].get("jls", 0), jail=st["calls"].get("jail", 0), writes=st["writes"])
    r["jail_call_s"], r["jail_total_s"] = bench.jail_call_seconds(box)
    if r["rc"] != 0:
        raise bench.BenchError(f"N={n} {tag}: ansible-playbook failed, see {r['log']}")
    log(f"N={n} {tag}: {r['time']:.2f}s changed={r['changed']} jls={r['jls']} writes={r['writes']}")
    return r


def host_part(args, workdir, res):
    for n in args.sizes:
        box = f"{args.prefix}-h{n}"
        names = [j["name"] for j in bench.jail_list(n)]
        t0 = time.perf_counter()
        inv = bench.make_box(box, "192.0.2.10", workdir)
        bench.prepare_worlds(box, names)
        bench.reset_box(box)
        log(f"N={n}: host ready in {time.perf_counter() - t0:.1f}s")
        converged = bench.write_vars(workdir, f"h{n}-r0", bench.jail_list(n))
        row = {"n": n}

        def timed(impl, vars_file, tag, check_mode=False, box=box, inv=inv, n=n):
            return timed_run(impl, box, inv, n, vars_file, os.path.join(workdir, f"h{n}-{tag}.log"), tag, check_mode)

        try:
            a = timed("collection", converged, "a")
            share = a["time"] - (a["jail_total_s"] or 0.0)
            row["a"] = {"time": a["time"], "jail_total_s": a["jail_total_s"], "collection_s": round(share, 3),
                        "changed": a["changed"], "maxrss_mb": a["maxrss_mb"]}  # fmt: skip
            for sc in ("b", "d", "c", "limit"):
                rs = []
                for k in range(args.runs, 0, -1):  # (c): the last run writes revision 1, as bench/run.py's
                    if sc == "c":
                        rs.append(timed("collection", bench.write_vars(workdir, f"h{n}-r{k}", bench.jail_list(n, k)),
                                        f"c{k}"))  # fmt: skip
                    elif sc == "limit":
                        rs.append(timed("ping", converged, f"limit{k}"))
                    else:
                        rs.append(timed("collection", converged, f"{sc}{k}", check_mode=sc == "d"))
                row[sc] = {
                    "time": median([r["time"] for r in rs]),
                    "times": [r["time"] for r in rs],
                    "changed": [r["changed"] for r in rs],
                    "jls": [r["jls"] for r in rs],
                    "writes": [r["writes"] for r in rs],
                    "maxrss_mb": max(r["maxrss_mb"] for r in rs),
                }
            wall, cpu = module_cost(box, workdir, bench.jail_list(n, 1))
            row["module_s"], row["module_cpu_s"] = round(wall, 4), round(cpu, 4)
            row["module_per_jail_ms"] = round(1000 * row["module_s"] / n, 3)
            row["module_cpu_per_jail_ms"] = round(1000 * row["module_cpu_s"] / n, 3)
            log(f"N={n}: jail module main() {row['module_s']:.3f}s wall, {row['module_cpu_s']:.3f}s CPU "
                f"({row['module_cpu_per_jail_ms']} ms CPU per jail)")  # fmt: skip
        finally:
            if not args.keep_boxes:
                bench.simhost("destroy", box, check=False)
        res["host"].append(row)


def host_targets(rows):
    by = {r["n"]: r for r in rows}
    lo, hi = min(by), max(by)
    out = []

    def ratio(sc):
        return by[hi][sc]["time"] / by[lo][sc]["time"]

    for sc, what in (("b", "idempotent re-run (b)"), ("d", "check mode (d)"), ("c", "one jail changed (c)")):
        out.append({"target": f"{what} at N={hi} within 2x of N={lo}", "met": ratio(sc) <= 2.0,
                    "detail": f"{by[hi][sc]['time']:.2f}s vs {by[lo][sc]['time']:.2f}s: {ratio(sc):.2f}x"})  # fmt: skip
    for sc in ("b", "d"):
        ok = all(j == 1 for j in by[hi][sc]["jls"]) and not any(by[hi][sc]["writes"])
        out.append({"target": f"({sc}) at N={hi}: exactly one jls, no write", "met": ok,
                    "detail": f"jls={by[hi][sc]['jls']} writes={by[hi][sc]['writes']}"})  # fmt: skip
    out.append({"target": "the jail module's own cost per jail under 0.3 ms (CPU time)",
                "met": by[hi]["module_cpu_per_jail_ms"] < 0.3,
                "detail": f"{by[hi]['module_cpu_per_jail_ms']} ms CPU ({by[hi]['module_per_jail_ms']} ms wall) "
                          f"per jail at N={hi}"})  # fmt: skip
    # (a) minus jail(8)'s own time, against N: the slope is what one more jail costs the collection.
    slope, fixed = bench.linfit([(n, by[n]["a"]["collection_s"]) for n in sorted(by)])
    out.append({"target": "first converge (a): the collection's share per additional jail under 10 ms",
                "met": 1000 * slope < 10, "detail": f"{1000 * slope:.2f} ms per jail (+ {fixed:.1f} s fixed), "
                + ", ".join(f"N={n}: {by[n]['a']['collection_s']} s" for n in sorted(by))})  # fmt: skip
    lim = by[hi]["b"]["time"] / by[hi]["limit"]["time"]
    out.append(
        {
            "target": f"(b)/limit at N={hi} at most 1.5 (aim)",
            "met": lim <= 1.5,
            "detail": ", ".join(f"N={n}: {by[n]['b']['time'] / by[n]['limit']['time']:.2f}" for n in sorted(by)),
        }
    )
    out.append({"target": f"controller peak RSS at N={hi} stated", "met": True,
                "detail": f"{max(by[hi][sc]['maxrss_mb'] for sc in ('b', 'c', 'd'))} MB"})  # fmt: skip
    return out


# --------------------------------------------------------------------------- part 2: a fleet


def fleet_inventory(workdir, boxes, jails, worlds, ssh=False):
    hosts = {}
    for box in boxes:
        out = bench.simhost("inventory", box, *(["--ssh"] if ssh else [])).stdout
        hosts[box] = yaml.safe_load(out)["all"]["hosts"][box]
        hosts[box].pop("ansible_pipelining", None)  # set per run (ANSIBLE_PIPELINING) by the SSH comparison
    fleet_vars = {
        "world_source": "dist",
        "world_async_poll": 1,
        "world_dest": "{{ world_base_dir }}",
        "jails_rc_enable": True,
        "jails_list": jails,
    }
    if worlds == "thin":  # the jails role gives every jail a thin world from the base
        fleet_vars.update(jails_root="/usr/local/jails", jails_create_worlds=True, jails_world={"layout": "thin"})
    else:  # the worlds are in place (bench/run.py's prepare_worlds), as in part 1
        fleet_vars.update(jails_create_worlds=False)
    path = os.path.join(workdir, f"fleet-{len(boxes)}{'-ssh' if ssh else ''}.yml")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"freebsd_hosts": {"hosts": hosts, "vars": fleet_vars}}, f)
    return path


def fleet_run(inv, forks, logfile, env_extra=None):
    env = bench.ansible_env(logfile + ".counts.json")
    env["ANSIBLE_FORKS"] = str(forks)
    env.update(env_extra or {})
    with open(logfile, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([bench.ansible_playbook_bin(), "-i", inv, SITE], stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=REPO)  # fmt: skip
        _pid, status, rusage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
    with open(logfile + ".counts.json", encoding="utf-8") as f:
        counts = json.load(f)
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        raise bench.BenchError(f"site.yml failed (rc {rc}), see {logfile}")
    return {"time": round(elapsed, 2), "changed": sum(c.get("changed") or 0 for c in counts.values()),
            "maxrss_mb": round(rusage.ru_maxrss / 1024, 1)}  # fmt: skip


def fleet_part(args, workdir, res):
    keys = ("name", "hostname", "ip4_addr", "interface") + (("path",) if args.fleet_worlds == "prepared" else ())
    jails = [{k: j[k] for k in keys} for j in bench.jail_list(args.fleet_jails)]
    for h in args.fleet:
        for forks in args.forks:
            if h < forks and forks != min(args.forks):
                continue  # more forks than hosts changes nothing
            boxes = [f"{args.prefix}-f{h}x{forks}-{i:02d}" for i in range(1, h + 1)]
            try:
                for i, box in enumerate(boxes):
                    bench.make_box(box, f"192.0.2.{20 + i}", workdir)
                    if args.fleet_worlds == "prepared":
                        bench.prepare_worlds(box, [j["name"] for j in jails])
                        bench.reset_box(box)
                inv = fleet_inventory(workdir, boxes, jails, args.fleet_worlds)
                first = fleet_run(inv, forks, os.path.join(workdir, f"fleet-{h}-{forks}-a.log"))
                again = fleet_run(inv, forks, os.path.join(workdir, f"fleet-{h}-{forks}-b.log"))
                if again["changed"]:
                    raise bench.BenchError(f"fleet {h}x{args.fleet_jails}: the second site.yml run changed something")
            finally:
                if not args.keep_boxes:
                    bench.simhost("destroy", *boxes, check=False)
            row = {
                "hosts": h,
                "jails_per_host": args.fleet_jails,
                "forks": forks,
                "first": first,
                "again": again,
                "first_per_host_s": round(first["time"] / h, 2),
                "again_per_host_s": round(again["time"] / h, 2),
            }
            log(f"fleet {h} hosts x {args.fleet_jails} jails, forks {forks}: first {first['time']}s, "
                f"again {again['time']}s")  # fmt: skip
            res["fleet"].append(row)


# Idempotent runs of the same fleet: the local connection into the simulated hosts, and SSH to their
# transport sshd with pipelining and ControlPersist on and off (ansible's ssh defaults keep ControlPersist on).
SSH_VARIANTS = (
    ("local connection", False, {}),
    ("ssh, pipelining, ControlPersist", True, {"ANSIBLE_PIPELINING": "True"}),
    ("ssh, no pipelining, ControlPersist", True, {"ANSIBLE_PIPELINING": "False"}),
    (
        "ssh, pipelining, no ControlPersist",
        True,
        {"ANSIBLE_PIPELINING": "True", "ANSIBLE_SSH_ARGS": "-o ControlMaster=no"},
    ),
)


def ssh_part(args, workdir, res):
    h, forks = args.fleet_ssh, min(args.forks)
    keys = ("name", "hostname", "ip4_addr", "interface", "path")
    jails = [{k: j[k] for k in keys} for j in bench.jail_list(args.fleet_jails)]
    boxes = [f"{args.prefix}-s{h}-{i:02d}" for i in range(1, h + 1)]
    try:
        for i, box in enumerate(boxes):
            bench.make_box(box, f"192.0.2.{20 + i}", workdir)
            bench.prepare_worlds(box, [j["name"] for j in jails])
            bench.reset_box(box)
        invs = {ssh: fleet_inventory(workdir, boxes, jails, "prepared", ssh=ssh) for ssh in (False, True)}
        fleet_run(invs[True], forks, os.path.join(workdir, f"ssh-{h}-a.log"), SSH_VARIANTS[1][2])
        for label, ssh, extra in SSH_VARIANTS:
            times = []
            for k in range(args.runs):
                r = fleet_run(invs[ssh], forks, os.path.join(workdir, f"ssh-{h}-{len(res['ssh'])}-{k}.log"), extra)
                if r["changed"]:
                    raise bench.BenchError(f"{label}: the idempotent site.yml run changed something")
                times.append(r["time"])
            res["ssh"].append({"variant": label, "hosts": h, "forks": forks, "jails_per_host": args.fleet_jails,
                               "time": median(times), "times": times})  # fmt: skip
            log(f"ssh comparison, {label}: {median(times)}s")
    finally:
        if not args.keep_boxes:
            bench.simhost("destroy", *boxes, check=False)


# --------------------------------------------------------------------------- outputs


def markdown(res):
    lines = [f"# Scale: {res['when']}, commit {res['commit']}, ansible-core {res['ansible']}", ""]
    if res.get("note"):
        lines += [res["note"], ""]
    if res["host"]:
        lines += ["## One host, N jails (the jails role; medians of the runs)", "",
                  "| N | (a) first converge | (a) minus jail(8)'s own time | (b) idempotent | (c) one changed | "
                  "(d) check | limit (ping) | (b)/limit | module per jail, CPU (wall) | peak RSS |",
                  "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in res["host"]:
            lines.append(
                f"| {r['n']} | {r['a']['time']:.1f} s | {r['a']['collection_s']} s | {r['b']['time']:.2f} s "
                f"| {r['c']['time']:.2f} s | {r['d']['time']:.2f} s | {r['limit']['time']:.2f} s "
                f"| {r['b']['time'] / r['limit']['time']:.2f} "
                f"| {r.get('module_cpu_per_jail_ms', '-')} ms ({r['module_per_jail_ms']} ms) "
                f"| {max(r[s]['maxrss_mb'] for s in ('b', 'c', 'd'))} MB |"
            )
        lines += ["", "| target | met | detail |", "|---|---|---|"]
        lines += [f"| {t['target']} | {'yes' if t['met'] else '**no**'} | {t['detail']} |" for t in res["targets"]]
    if res["fleet"]:
        lines += ["", f"## A fleet: site.yml on H hosts (jails' worlds: {res['fleet_worlds']})", "",
                  "| hosts | jails per host | forks | first converge | per host | idempotent re-run | per host |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in res["fleet"]:
            lines.append(
                f"| {r['hosts']} | {r['jails_per_host']} | {r['forks']} | {r['first']['time']} s "
                f"| {r['first_per_host_s']} s | {r['again']['time']} s | {r['again_per_host_s']} s |"
            )
    if res.get("ssh"):
        r0 = res["ssh"][0]
        lines += [
            "",
            f"## The idempotent site.yml over SSH ({r0['hosts']} hosts x {r0['jails_per_host']} jails, "
            f"forks {r0['forks']}, median of runs)",
            "",
            "| connection | time | vs local |",
            "|---|---|---|",
        ]
        lines += [f"| {r['variant']} | {r['time']} s | {r['time'] / r0['time']:.2f}x |" for r in res["ssh"]]
    return "\n".join(lines) + "\n"


def plots(res, out):
    if res["host"]:
        ns = [r["n"] for r in res["host"]]
        series = [(label, ns, [r[sc]["time"] for r in res["host"]], {})
                  for sc, label in (("b", "(b) idempotent"), ("c", "(c) one changed"), ("d", "(d) check"),
                                    ("limit", "limit"))]  # fmt: skip
        title = "bsd.jails: one simulated host, N jails"
        xlabel, ylabel = "jails on the host (N, log scale)", "wall time of ansible-playbook (s)"
        plotting.line_chart(os.path.join(out, "scale_host.png"), series, title, xlabel, ylabel, xscale="log")
    if res["fleet"]:
        series = []
        for forks in sorted({r["forks"] for r in res["fleet"]}):
            rows = [r for r in res["fleet"] if r["forks"] == forks]
            x = [r["hosts"] * r["jails_per_host"] for r in rows]
            series.append((f"first converge, forks {forks}", x, [r["first"]["time"] for r in rows], {}))
            series.append((f"idempotent, forks {forks}", x, [r["again"]["time"] for r in rows],
                           {"marker": "s", "linestyle": "--"}))  # fmt: skip
        plotting.line_chart(
            os.path.join(out, "scale_fleet.png"),
            series,
            "bsd.jails: a fleet of simulated hosts in one run",
            "hosts x jails",
            "wall time of site.yml (s)",
        )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--sizes", default="1,100,1000", help="jails on the one host (default 1,100,1000)")
    p.add_argument("--runs", type=int, default=3, help="runs of (b), (c), (d) and the limit (default 3)")
    p.add_argument("--fleet", default="1,5,20", help="host counts of the fleet (default 1,5,20)")
    p.add_argument("--fleet-jails", type=int, default=50, help="jails per fleet host (default 50)")
    p.add_argument("--forks", default="5,20", help="ansible forks for the fleet (default 5,20)")
    p.add_argument(
        "--fleet-worlds",
        choices=["prepared", "thin"],
        default="prepared",
        help="fleet jails' worlds: put in place before the timing (default), or built by the jails role (thin)",
    )
    p.add_argument("--no-host", action="store_true", help="skip part 1")
    p.add_argument("--no-fleet", action="store_true", help="skip part 2")
    p.add_argument("--fleet-ssh", type=int, default=5, help="hosts of the SSH comparison (0: skip; default 5)")
    p.add_argument("--smoke", action="store_true", help="sizes 1,5; fleet 1,2 x 3 jails; one run (not figures)")
    p.add_argument("--keep-boxes", action="store_true")
    p.add_argument("--fleet-from", metavar="SCALE_JSON",
                   help="with --no-fleet and --fleet-ssh 0: keep the fleet and SSH tables of an earlier scale.json "
                        "(their dates and commit stated) and write the one-host part of this run")  # fmt: skip
    p.add_argument("--host-from", metavar="SCALE_JSON",
                   help="with --no-host: keep the one-host table, its targets and reading of an earlier scale.json "
                        "(its date and commit stated) and write the fleet and SSH parts of this run")  # fmt: skip
    p.add_argument("--out", help="output directory (default bench/results; --smoke: .cache/bench/scale-smoke-PID)")
    p.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: write scale.md and the plots again from the output directory's scale.json",
    )
    p.add_argument(
        "--note-file",
        metavar="FILE",
        help="with --render: the reading of the run (why a target is met or not), printed under the title",
    )
    args = p.parse_args(argv)
    if args.render:
        out = args.out or bench.RESULTS
        with open(os.path.join(out, "scale.json"), encoding="utf-8") as f:
            res = json.load(f)
        if args.note_file:
            with open(args.note_file, encoding="utf-8") as f:
                res["note"] = f.read().strip()
            with open(os.path.join(out, "scale.json"), "w", encoding="utf-8") as f:
                json.dump(res, f, indent=1)
        with open(os.path.join(out, "scale.md"), "w", encoding="utf-8") as f:
            f.write(markdown(res))
        plots(res, out)
        return 0
    if args.smoke:
        args.sizes, args.runs, args.fleet, args.fleet_jails, args.forks = "1,5", 1, "1,2", 3, "2"
        args.fleet_ssh = min(args.fleet_ssh, 2)
    args.sizes = [int(x) for x in args.sizes.split(",")]
    args.fleet = [int(x) for x in args.fleet.split(",")]
    args.forks = [int(x) for x in args.forks.split(",")]
    args.prefix = f"scale{os.getpid()}"
    out = args.out or (os.path.join(REPO, ".cache", "bench", f"scale-smoke-{os.getpid()}") if args.smoke
                       else bench.RESULTS)  # fmt: skip
    workdir = os.path.join(REPO, ".cache", "bench", f"scale-runs-{os.getpid()}")
    os.makedirs(out, exist_ok=True)
    os.makedirs(workdir, exist_ok=True)
    res = {"when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "commit": bench.git_commit(), "ansible": bench.ansible_version(), "cores": os.cpu_count(),
           "host": [], "targets": [], "fleet": [], "fleet_worlds": args.fleet_worlds, "ssh": []}  # fmt: skip
    t0 = time.perf_counter()
    if not args.no_host:
        host_part(args, workdir, res)
        res["targets"] = host_targets(res["host"])
    if not args.no_fleet:
        fleet_part(args, workdir, res)
    if args.fleet_ssh:
        ssh_part(args, workdir, res)
    if args.fleet_from:
        with open(args.fleet_from, encoding="utf-8") as f:
            old = json.load(f)
        if not res["fleet"] and not res["ssh"]:
            res.update(fleet=old.get("fleet", []), ssh=old.get("ssh", []), fleet_worlds=old.get("fleet_worlds"))
            res["when"] += f" (one host); the fleet and SSH tables are those of {old['when']}, commit {old['commit']}"
    if args.host_from and not res["host"]:
        with open(args.host_from, encoding="utf-8") as f:
            old = json.load(f)
        res.update(host=old.get("host", []), targets=old.get("targets", []), note=old.get("note"))
        res["when"] += f" (the fleet and SSH parts); the one-host part is that of {old['when']}, commit {old['commit']}"
    res["seconds"] = round(time.perf_counter() - t0, 1)
    res["bench_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    with open(os.path.join(out, "scale.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(out, "scale.md"), "w", encoding="utf-8") as f:
        f.write(markdown(res))
    plots(res, out)
    print(markdown(res))
    log(f"done in {res['seconds']}s: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
