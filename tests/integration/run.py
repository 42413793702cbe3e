#!/usr/bin/env python
"""Run integration targets against simulated FreeBSD hosts.

Each target (a role in targets/, ansible-test layout) gets a fresh simulated
host (with /usr/src or BIND when its aliases say `simhost/with-src` or
`simhost/with-named`), is run with ansible-playbook, and the host is destroyed afterwards.
Targets run in parallel (-j, default: the number of cores).

The roles' targets (role_*, or any target with the alias `simhost/ssh`) reach their host over
real SSH (ansible_connection ssh, the host's transport sshd, as on a real fleet); the fast
module targets keep ansible_connection local.  --ssh runs every target over SSH, --local none.

usage: run.py [-j N] [-v] [--ssh | --local] [TARGET...]    (default: every target not marked disabled)
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARGETS = os.path.join(HERE, "targets")
SIMHOST = os.path.join(REPO, "tests", "sim", "simhost")


def aliases(target):
    try:
        with open(os.path.join(TARGETS, target, "aliases"), encoding="utf-8") as f:
            return {line.split("#")[0].strip() for line in f if line.split("#")[0].strip()}
    except FileNotFoundError:
        return set()


def all_targets():
    out = []
    for name in sorted(os.listdir(TARGETS)):
        if name.startswith("setup_") or not os.path.exists(os.path.join(TARGETS, name, "tasks", "main.yml")):
            continue
        if aliases(name) & {"disabled", "unsupported"}:
            continue
        out.append(name)
    return out


def over_ssh(target, mode=None):
    """True when the target reaches its host over SSH (mode: "ssh"/"local" from the command line)."""
    if mode:
        return mode == "ssh"
    return target.startswith("role_") or "simhost/ssh" in aliases(target)


def run_target(target, index, verbose, mode=None):
    box = "it-" + target.replace("_", "-")[:24]
    ip = f"192.0.2.{100 + index % 150}"
    log = []
    t0 = time.time()
    subprocess.run([sys.executable, SIMHOST, "destroy", box], capture_output=True, check=False)
    # aliases `simhost/with-src` and `simhost/with-named` ask for a host with /usr/src or BIND.
    wanted = ("simhost/with-src", "simhost/with-named")
    extra = [f"--{a.split('/', 1)[1]}" for a in sorted(aliases(target)) if a in wanted]
    # alias `simhost/dist/R`: the host also has release R's base.txz in /usr/freebsd-dist/R/
    extra += [f"--dist={a.split('/', 2)[2]}" for a in sorted(aliases(target)) if a.startswith("simhost/dist/")]
    ssh = over_ssh(target, mode)
    if not ssh:
        extra.append("--no-ssh")
    cp = subprocess.run(
        [sys.executable, SIMHOST, "create", box, "--ip", ip, *extra], capture_output=True, text=True, check=False
    )
    if cp.returncode != 0:
        return target, False, time.time() - t0, f"simhost create failed:\n{cp.stdout}{cp.stderr}"
    try:
        inv = subprocess.run(
            [sys.executable, SIMHOST, "inventory", box, *(["--ssh"] if ssh else [])],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write(inv.stdout)
            inventory = f.name
        env = dict(os.environ)
        env.update(
            ANSIBLE_ROLES_PATH=TARGETS,
            ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_HOST_KEY_CHECKING="0",
        )
        argv = [
            os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
            "-i", inventory, os.path.join(HERE, "target.yml"),
            "-e", f"bsd_target={target}", "-e", f"simhost={SIMHOST}",
        ]  # fmt: skip
        if verbose:
            argv.append("-v")
        cp = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, check=False)
        log.append(cp.stdout + cp.stderr)
        os.unlink(inventory)
        return target, cp.returncode == 0, time.time() - t0, "".join(log)
    finally:
        subprocess.run([sys.executable, SIMHOST, "destroy", box], capture_output=True, check=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("-v", "--verbose", action="store_true")
    m = p.add_mutually_exclusive_group()
    m.add_argument("--ssh", dest="mode", action="store_const", const="ssh", help="every target over SSH")
    m.add_argument("--local", dest="mode", action="store_const", const="local", help="no target over SSH")
    p.add_argument("targets", nargs="*")
    a = p.parse_args()
    targets = a.targets or all_targets()
    unknown = [t for t in targets if not os.path.isdir(os.path.join(TARGETS, t))]
    if unknown:
        print(f"unknown targets: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not targets:
        print("no integration targets")
        return 0
    # Targets marked `slow` start first, so the parallel workers finish together.
    targets.sort(key=lambda t: "slow" not in aliases(t))
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(run_target, t, i, a.verbose, a.mode) for i, t in enumerate(targets)]
        for fut in concurrent.futures.as_completed(futures):
            target, ok, secs, log = fut.result()
            how = "ssh" if over_ssh(target, a.mode) else "local"
            print(f"{'PASS' if ok else 'FAIL'} {target} [{how}] ({secs:.1f}s)", flush=True)
            if not ok or a.verbose:
                print(log, flush=True)
            if not ok:
                failed.append(target)
    passed = len(targets) - len(failed)
    print(f"integration: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
