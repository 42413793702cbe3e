"""Into the jails, measured side by side (issue 17): bsd.jails.jexec vs ansible-jailexec vs SSH to the host.

One simulated FreeBSD host, reached over real SSH (its transport sshd, tests/sim/README.md), runs the
largest N of --sizes (default 1, 10, 50) jails, made by the collection itself (the bsd.jails.jails role
with jails_bootstrap_python: pkg -j JAIL install python3) before anything is timed.  Then, for every N
and every repetition, in one run, two things are timed as the wall time of the ansible process:

  ping  ``ansible -m ansible.builtin.ping`` to N targets
  copy  bench/connection/copy.yml: ansible.builtin.copy of a small file (new content every run, so it is
        transferred every time) and ansible.builtin.command reading it back, to N targets

through three connections (pipelining on, ansible's default ControlPersist, default forks 5):

  jexec     bsd.jails.jexec to the N jails
  jailexec  ansible-jailexec from PyPI (installed only into .cache/bench-jailexec) to the same jails,
            ansible_jail_privilege_escalation: none (the simulated host is reached as root)
  host      ansible.builtin.ssh to the host itself, N inventory aliases of it: the same task count

Per method and measure: the median of --runs repetitions at each N and the per-target cost, the
slope of a least-squares line through (N, median).  One untimed -vvv run per method at N=1 counts the
SSH sessions (``SSH: EXEC``) each measure opens.  The targets: jexec's per-jail cost within 1.2x of the
host's, and the copy play's per-jail cost at least 1.5x lower than ansible-jailexec's.

Outputs: bench/results/jexec.json, jexec.md, jexec.png (``--smoke``: N=1, one run, without the
calibration and the -vvv counts, into .cache/bench/jexec-smoke-PID: checks that it runs, no figures).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import yaml

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import plotting  # noqa: E402  (bench/plotting.py: the benchmarks' line charts)
import run as bench  # noqa: E402  (bench/run.py: simulated hosts, worlds, timed ansible runs)

REPO = bench.REPO
log = bench.log
COPY_PLAY = os.path.join(BENCH, "connection", "copy.yml")
JAILEXEC = "ansible-jailexec==2.0.3"
JAILEXEC_DIR = os.path.join(REPO, ".cache", "bench-jailexec")
DEST = "/tmp/jxbench"  # the copy's destination, in each jail (or on the host): DEST-INVENTORY_HOSTNAME
JAIL_PYTHON = "/usr/local/bin/python3"  # what pkg's python3 installs in a jail
METHODS = {
    "jexec": "bsd.jails.jexec",
    "jailexec": "ansible-jailexec 2.0.3",
    "host": "SSH to the host (yardstick)",
}
MEASURES = {"ping": "ansible -m ping", "copy": "copy + command play"}


def ensure_jailexec():
    """ansible-jailexec into a bench-private directory (never into the project's venv)."""
    if not os.path.isfile(os.path.join(JAILEXEC_DIR, "jailexec.py")):
        log(f"installing {JAILEXEC} into {os.path.relpath(JAILEXEC_DIR, REPO)}")
        cp = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
             "--target", JAILEXEC_DIR, JAILEXEC],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if cp.returncode != 0:
            raise bench.BenchError(f"pip install {JAILEXEC} failed:\n{cp.stdout}{cp.stderr}")
    return JAILEXEC_DIR


# --------------------------------------------------------------------------- the host and its jails


def make_host(box, n, workdir):
    """One simulated host with n running jails that have python3, made by the jails role (not timed)."""
    local_inv = bench.make_box(box, "192.0.2.10", workdir)
    jails = [
        {k: j[k] for k in ("name", "path", "hostname", "interface", "ip4_addr", "persist")} for j in bench.jail_list(n)
    ]
    bench.prepare_worlds(box, [j["name"] for j in jails])
    vars_file = os.path.join(workdir, "setup-vars.json")
    with open(vars_file, "w", encoding="utf-8") as f:
        json.dump({"bench_jails": jails, "jails_bootstrap_python": True}, f)
    r = bench.run_playbook("collection", box, local_inv, vars_file, os.path.join(workdir, "setup.log"))
    if r["rc"] != 0:
        raise bench.BenchError(f"the jails role failed to set up {n} jails, see {r['log']}")
    # Every jail runs and has the package's interpreter; the host has none at that path, so a ping that
    # succeeds with it ran inside a jail.
    out = bench.box_sh(
        box,
        f"jls name | sort | tr '\\n' ' '; echo; test ! -e {JAIL_PYTHON} && echo host-has-no-python3; "
        f"for j in $(jls name); do jexec -l $j {JAIL_PYTHON} -c 'print(1)'; done | grep -c 1",
    ).split("\n")
    names = " ".join(j["name"] for j in jails)
    if out[0].strip() != names or out[1] != "host-has-no-python3" or out[2].strip() != str(n):
        raise bench.BenchError(f"setup of {n} jails with python3 on {box} is not as expected: {out}")
    ssh = yaml.safe_load(bench.simhost("inventory", box, "--ssh").stdout)["all"]["hosts"][box]
    return jails, ssh


def jexec_call_seconds(box, jail, calls=11):
    """The simulated jexec(8)'s own time per call: ``jexec -l JAIL /bin/sh -c :`` minus ``/bin/sh -c :``.

    The simulator's jexec(8) is a Python program (tens of ms); FreeBSD's is a small C program
    (usr.sbin/jexec/jexec.c: jail_getid(), jail_attach(), execvp()).  Both commands are run the same way
    (``simhost run``), so the difference of their medians is jexec(8)'s own cost in the simulator.
    """

    def med(argv):
        ts = []
        for _call in range(calls):
            t0 = time.perf_counter()
            bench.simhost("run", box, "--", *argv)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts)

    return round(med(["/usr/sbin/jexec", "-l", jail, "/bin/sh", "-c", ":"]) - med(["/bin/sh", "-c", ":"]), 4)


def ssh_session_seconds(ssh, workdir, calls=11):
    """One SSH session to the host (``true``) through a ControlPersist master: what every round trip costs
    before jexec(8) or a module runs.  The transport sshd runs the session through the root user's login
    shell of the machine running the simulator (tests/sim/README.md), so that shell's start-up files count."""
    argv = ["ssh", "-o", "ControlMaster=auto", "-o", "ControlPersist=60s", "-o", f"ControlPath={workdir}/cp-%C",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=error",
            "-i", ssh["ansible_ssh_private_key_file"], "-p", str(ssh["ansible_port"]),
            f"{ssh['ansible_user']}@{ssh['ansible_host']}", "true"]  # fmt: skip
    subprocess.run(argv, capture_output=True, check=False)  # starts the master
    ts = []
    for _call in range(calls):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        ts.append(time.perf_counter() - t0)
    subprocess.run([*argv[:-2], "-O", "exit", argv[-2]], capture_output=True, check=False)
    return round(statistics.median(ts), 4)


def inventory(workdir, method, n, ssh):
    """N targets for one method: the first n jails, or n aliases of the host."""
    common = {k: ssh[k] for k in ("ansible_port", "ansible_user", "ansible_ssh_private_key_file",
                                  "ansible_ssh_common_args")}  # fmt: skip
    common["ansible_pipelining"] = True
    hosts = {}
    for i in range(1, n + 1):
        jail = f"j{i:03d}"
        if method == "jexec":
            hosts[f"jx-{jail}"] = {"ansible_jexec_jail": jail}
            common.update(ansible_connection="bsd.jails.jexec", ansible_host=ssh["ansible_host"],
                          ansible_python_interpreter=JAIL_PYTHON)  # fmt: skip
        elif method == "jailexec":
            # jailexec.py: jail_host is where SSH goes (it overrides ansible_host), jail_name the jail
            # (default: the inventory name), privilege_escalation doas by default: none, as we log in as root.
            hosts[f"je-{jail}"] = {"ansible_jail_name": jail}
            common.update(ansible_connection="jailexec", ansible_jail_host=ssh["ansible_host"],
                          ansible_host=ssh["ansible_host"], ansible_jail_privilege_escalation="none",
                          ansible_python_interpreter=JAIL_PYTHON)  # fmt: skip
        else:
            hosts[f"h-{i:03d}"] = {}
            common.update(ansible_connection="ssh", ansible_host=ssh["ansible_host"],
                          ansible_python_interpreter=ssh["ansible_python_interpreter"])  # fmt: skip
    path = os.path.join(workdir, f"inv-{method}-{n}.yml")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"all": {"hosts": hosts, "vars": common}}, f, indent=1)
    return path, sorted(hosts)


# --------------------------------------------------------------------------- timed runs


def env(counts_file, forks):
    e = bench.ansible_env(counts_file)  # pipelining on, the counting callback, no colour
    e.update(ANSIBLE_CONNECTION_PLUGINS=JAILEXEC_DIR, ANSIBLE_FORKS=str(forks), ANSIBLE_HOST_KEY_CHECKING="False")
    return e


def run_ansible(argv, logfile, forks):
    counts = logfile + ".counts.json"
    if os.path.exists(counts):
        os.unlink(counts)
    with open(logfile, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env(counts, forks), cwd=BENCH)
        _pid, status, _rusage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
    with open(logfile, encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        with open(counts, encoding="utf-8") as f:
            recap = json.load(f)
    except (OSError, ValueError):
        recap = {}
    return round(elapsed, 3), os.waitstatus_to_exitcode(status), text, recap


def ansible_bin(name):
    return os.path.join(os.path.dirname(bench.ansible_playbook_bin()), name)


def measure(what, inv, hosts, src, logfile, forks, verbose=False):
    """One timed run of ping or the copy play; fails unless every target succeeded (and the copy changed)."""
    v = ["-vvv"] if verbose else []
    if what == "ping":
        argv = [ansible_bin("ansible"), "-i", inv, "all", "-m", "ansible.builtin.ping", "-o", *v]
    else:
        argv = [ansible_bin("ansible-playbook"), "-i", inv, COPY_PLAY, "-e", f"bench_src={src}",
                "-e", f"bench_dest={DEST}", *v]  # fmt: skip
    t, rc, text, recap = run_ansible(argv, logfile, forks)
    if what == "ping":
        ok = sorted(set(re.findall(r"^(\S+) \| SUCCESS => .*\"ping\": \"pong\"", text, re.M)))
        good = rc == 0 and ok == hosts
    else:
        good = rc == 0 and sorted(recap) == hosts
        good = good and all(r["ok"] == 2 and r["changed"] == 1 and not r["failures"] for r in recap.values())
    if not good:
        raise bench.BenchError(f"{what} to {len(hosts)} targets failed (rc {rc}), see {logfile}")
    sessions = len(re.findall(r"SSH: EXEC ", text)) if verbose else None
    return t, sessions


def check_copies(box, method, hosts, content):
    """The last copy play left the file with its content where it belongs: in each jail, or on the host."""
    paths = []
    for h in hosts:
        root = f"{bench.JAILS_ROOT}/{h.split('-', 1)[1]}" if method != "host" else ""
        paths.append(f"{root}{DEST}-{h}")
    out = bench.box_sh(box, "for f in " + " ".join(paths) + '; do cat "$f"; done')
    if out != content * len(hosts):
        raise bench.BenchError(f"{method}: the copied files on {box} do not hold what was copied")


def linfit(points):
    a, b = bench.linfit(points)
    return round(a, 4), round(b, 3)


def run(args, workdir):
    ensure_jailexec()
    box = f"jxb{os.getpid()}"
    nmax = max(args.sizes)
    res = {"when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "commit": bench.git_commit(), "ansible": bench.ansible_version(), "cores": os.cpu_count(),
           "sizes": args.sizes, "runs": args.runs, "forks": args.forks, "methods": METHODS,
           "measures": MEASURES, "jailexec": JAILEXEC, "times": {}, "sessions": {}}  # fmt: skip
    t0 = time.perf_counter()
    try:
        jails, ssh = make_host(box, nmax, workdir)
        log(f"{box}: {len(jails)} jails with python3, reached over SSH at {ssh['ansible_host']} "
            f"({time.perf_counter() - t0:.1f}s)")  # fmt: skip
        if not args.smoke:  # calibration: the simulated jexec(8) and one SSH session
            res["sim_jexec_s"] = jexec_call_seconds(box, jails[0]["name"])
            res["ssh_session_s"] = ssh_session_seconds(ssh, workdir)
            log(f"the simulated jexec(8): {res['sim_jexec_s'] * 1000:.0f} ms per call; one SSH session "
                f"{res['ssh_session_s'] * 1000:.0f} ms")  # fmt: skip
        invs = {(m, n): inventory(workdir, m, n, ssh) for m in METHODS for n in args.sizes}
        src = os.path.join(workdir, "small-file.txt")
        seq = 0

        def new_src(tag):
            nonlocal seq
            seq += 1
            content = f"bsd.jails bench/jexec.py run {seq} {tag} {time.time():.6f}\n" * 8  # ~0.5 KiB
            with open(src, "w", encoding="utf-8") as f:
                f.write(content)
            return content

        # Untimed: one -vvv run of each measure per method at N=1 (SSH sessions per target), which also
        # starts the ControlPersist master every method then shares, as a user's second run would.
        for m in METHODS if not args.smoke else ():
            inv, hosts = invs[(m, min(args.sizes))]
            for what in MEASURES:
                new_src(m)
                _t, sessions = measure(what, inv, hosts, src, os.path.join(workdir, f"vvv-{m}-{what}.log"),
                                       args.forks, verbose=True)  # fmt: skip
                res["sessions"].setdefault(m, {})[what] = sessions / len(hosts)
            log(f"{m}: SSH sessions per target: {res['sessions'][m]}")
        # Timed: repetitions outermost and methods innermost, so load on the shared machine hits all alike.
        for rep in range(args.runs):
            for n in args.sizes:
                for m in METHODS:
                    inv, hosts = invs[(m, n)]
                    for what in MEASURES:
                        content = new_src(f"{m} N={n}")
                        logfile = os.path.join(workdir, f"{m}-{what}-{n}-{rep}.log")
                        t, _sessions = measure(what, inv, hosts, src, logfile, args.forks)
                        res["times"].setdefault(m, {}).setdefault(what, {}).setdefault(str(n), []).append(t)
                        if what == "copy" and n == nmax and rep == args.runs - 1:
                            check_copies(box, m, hosts, content)
                    log(f"run {rep + 1}/{args.runs} N={n} {m}: ping {res['times'][m]['ping'][str(n)][-1]}s, "
                        f"copy {res['times'][m]['copy'][str(n)][-1]}s")  # fmt: skip
    finally:
        if not args.keep_box:
            bench.simhost("destroy", box, check=False)
    res["seconds"] = round(time.perf_counter() - t0, 1)
    summarise(res)
    return res


# --------------------------------------------------------------------------- results


STATS = {"best": min, "median": statistics.median}


def summarise(res):
    """Per method, measure and statistic (best and median of the runs): the value at each N, and the
    slope (per target) and intercept (fixed cost) of a least-squares line through them."""
    res["at_n"], res["per_target_s"], res["fixed_s"] = {}, {}, {}
    for stat, fn in STATS.items():
        for m, by in res["times"].items():
            for what, cells in by.items():
                val = {n: round(fn(ts), 3) for n, ts in cells.items()}
                slope, icpt = linfit([(int(n), t) for n, t in val.items()])
                res["at_n"].setdefault(stat, {}).setdefault(m, {})[what] = val
                res["per_target_s"].setdefault(stat, {}).setdefault(m, {})[what] = slope
                res["fixed_s"].setdefault(stat, {}).setdefault(m, {})[what] = icpt
    res["targets"] = targets(res) if len(res["sizes"]) > 1 else []


def targets(res):
    """The issue's targets on the best of the runs (the least disturbed by other work on the machine)."""
    best, med = res["per_target_s"]["best"], res["per_target_s"]["median"]
    out = []
    for what in MEASURES:
        ratio = best["jexec"][what] / best["host"][what]
        out.append({"target": f"{MEASURES[what]}: per-jail cost through jexec within 1.2x of the host over SSH",
                    "met": ratio <= 1.2, "ratio": round(ratio, 2),
                    "detail": f"{best['jexec'][what] * 1000:.0f} ms per jail vs {best['host'][what] * 1000:.0f} ms "
                              f"per host alias: {ratio:.2f}x (medians: "
                              f"{med['jexec'][what] / med['host'][what]:.2f}x)"})  # fmt: skip
    ratio = best["jailexec"]["copy"] / best["jexec"]["copy"]
    out.append({"target": "copy + command play: jexec at least 1.5x faster per jail than ansible-jailexec",
                "met": ratio >= 1.5, "ratio": round(ratio, 2),
                "detail": f"{best['jailexec']['copy'] * 1000:.0f} ms vs {best['jexec']['copy'] * 1000:.0f} ms "
                          f"per jail: {ratio:.2f}x (medians: "
                          f"{med['jailexec']['copy'] / med['jexec']['copy']:.2f}x)"})  # fmt: skip
    return out


def markdown(res):
    sizes = [str(n) for n in res["sizes"]]
    lines = [f"# Into the jails: {res['when']}, commit {res['commit']}, ansible-core {res['ansible']}", "",
             f"One simulated host over SSH, N jails with python3; pipelining on, ControlPersist on, forks "
             f"{res['forks']}; wall time of the ansible process, best of {res['runs']} runs (median in brackets).",
             "", "| method | measure | " + " | ".join(f"N={n}" for n in sizes)
             + " | per target (slope) | fixed (intercept) | SSH sessions per target |",
             "|---|---|" + "---|" * len(sizes) + "---|---|---|"]  # fmt: skip
    best, med = res["at_n"]["best"], res["at_n"]["median"]
    for m, label in res["methods"].items():
        for what in res["measures"]:
            cells = [f"{best[m][what][n]:.2f} s ({med[m][what][n]:.2f})" for n in sizes]
            per = res["per_target_s"]
            slope = f"{per['best'][m][what] * 1000:.0f} ms ({per['median'][m][what] * 1000:.0f})"
            lines.append(f"| {label} | {res['measures'][what]} | " + " | ".join(cells)
                         + f" | {slope} | {res['fixed_s']['best'][m][what]:.2f} s"
                         f" | {res['sessions'].get(m, {}).get(what, 'n/a')} |")  # fmt: skip
    if res["targets"]:
        lines += ["", "| target | met | detail |", "|---|---|---|"]
        lines += [f"| {t['target']} | {'yes' if t['met'] else '**no**'} | {t['detail']} |" for t in res["targets"]]
    if res.get("sim_jexec_s") is not None:
        lines += ["", f"One SSH session to the simulated host (`ssh HOST true` through the ControlPersist master) "
                  f"costs {res['ssh_session_s'] * 1000:.0f} ms; the simulated jexec(8) "
                  f"{res['sim_jexec_s'] * 1000:.0f} ms "
                  "per call (a Python program; FreeBSD's is a small C program), paid once per SSH session by both "
                  "jail connections."]  # fmt: skip
    lines += ["", f"The whole run: {res['seconds']} s on {res['cores']} cores (shared with other work)."]
    return "\n".join(lines) + "\n"


def plot(res, path):
    styles = {"jexec": {"color": "tab:blue"}, "jailexec": {"color": "tab:red"}, "host": {"color": "tab:gray"}}
    series = []
    for m, label in res["methods"].items():
        for what, ls in (("ping", "--"), ("copy", "-")):
            best = res["at_n"]["best"][m][what]
            xs = [int(n) for n in best]
            series.append((f"{label}: {res['measures'][what]}", xs, list(best.values()),
                           dict(styles[m], linestyle=ls, marker="o" if what == "copy" else "s")))  # fmt: skip
    plotting.line_chart(path, series, "Into the jails: N targets on one simulated host over SSH (best of runs)",
                        "targets (N jails, or N aliases of the host)", "wall time of ansible (s)",
                        annotate_last=True)  # fmt: skip


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--sizes", default="1,10,50", help="numbers of jails (default 1,10,50)")
    p.add_argument("--runs", type=int, default=3, help="repetitions, the median is reported (default 3)")
    p.add_argument("--forks", type=int, default=5, help="ansible forks (default 5, ansible's default)")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="N=1, one run, no calibration or -vvv count, into .cache/bench: checks that it runs",
    )
    p.add_argument("--keep-box", action="store_true", help="leave the simulated host behind")
    p.add_argument("--render", action="store_true", help="only rebuild jexec.md and jexec.png from jexec.json")
    p.add_argument("--out", help="output directory (default bench/results; --smoke: .cache/bench/jexec-smoke-PID)")
    args = p.parse_args(argv)
    if args.render:
        out = args.out or bench.RESULTS
        with open(os.path.join(out, "jexec.json"), encoding="utf-8") as f:
            res = json.load(f)
        summarise(res)
        return write(res, out, "jexec")
    if os.geteuid() != 0:
        print("bench: needs root (the simulated hosts are Linux namespaces)", file=sys.stderr)
        return 2
    if args.smoke:
        args.sizes, args.runs = "1", 1
    args.sizes = sorted(int(x) for x in args.sizes.split(","))
    out = args.out or (os.path.join(REPO, ".cache", "bench", f"jexec-smoke-{os.getpid()}") if args.smoke
                       else bench.RESULTS)  # fmt: skip
    workdir = os.path.join(REPO, ".cache", "bench", f"jexec-runs-{os.getpid()}")
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    os.makedirs(out, exist_ok=True)
    try:
        res = run(args, workdir)
    except bench.BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    status = write(res, out, "jexec-smoke" if args.smoke else "jexec")
    log(f"done in {res['seconds']}s: {out}")
    return status


def write(res, out, name):
    with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
    md = markdown(res)
    with open(os.path.join(out, f"{name}.md"), "w", encoding="utf-8") as f:
        f.write(md)
    if len(res["sizes"]) > 1:
        plot(res, os.path.join(out, "jexec.png"))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
