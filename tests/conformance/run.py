#!/usr/bin/env python
"""Run FreeBSD's own tests (tests/conformance/freebsd/, unmodified) against simulated FreeBSD hosts.

The test programs are ATF shell test programs.  They run under ATF's own shell library, atf-sh(1)
and atf-check(1) (Debian package atf-sh, ATF 0.21: the library FreeBSD's test programs are written
for), the way kyua(1) runs them on FreeBSD (kyua's engine/atf.cpp and utils/process/isolation.cpp):

- each test case runs in a fresh simulated host (``tests/sim/simhost create``), in a fresh empty
  work directory that is its cwd, HOME and TMPDIR, with TZ=UTC and
  ``__RUNNING_INSIDE_ATF_RUN=internal-yes-value``, as ``PROG -r RESULTS -s SRCDIR CASE``;
- a case with ``has.cleanup`` then runs ``PROG -s SRCDIR CASE:cleanup`` in the same directory,
  whatever the body's result;
- ``require.progs`` are looked up in the host's PATH first (kyua: a missing one skips the case);
  ``require.user: root`` always holds (the boxes run as root);
- the result is the first line of the results file (``passed``, ``failed: ...``,
  ``skipped: ...``, ``expected_failure: ...``, ``broken: ...``); no results file is ``broken``.

Kyua's ``execenv jail`` (run the case inside a jail made for it) is not reproduced: such cases run
on the simulated host itself, which is where their jails then live.

A case counts as passed (``passed`` or ``expected_failure``), not applicable (only when listed in
NOT_APPLICABLE below, with the reason; it is not run), or failed: any other result, including a skip
the test decides on its own, is a failure, so every divergence shows.

Usage: run.py [-j JOBS] [-v] [PROGRAM[:CASE] ...]    (paths relative to tests/conformance/freebsd)
Exit status 1 when any case failed.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
FREEBSD = os.path.join(HERE, "freebsd")
REPO = os.path.dirname(os.path.dirname(HERE))
SIMHOST = os.path.join(REPO, "tests", "sim", "simhost")
ATF_SH = "/usr/bin/atf-sh"
DEFAULT_TIMEOUT = 60  # kyua's default is 300 s; every case here is meant to take seconds

# The test programs, by freebsd-src path.  Every *.sh and *.c under freebsd/ must be listed.
PROGRAMS = [
    "usr.sbin/jail/tests/jail_basic_test.sh",
    "usr.sbin/sysrc/tests/sysrc_test.sh",
    "sbin/sysctl/tests/sysctl_test.sh",
    "usr.bin/sockstat/tests/sockstat_test.c",
    "tests/sys/kern/jailmeta.sh",
    "tests/sys/kern/sysctl_security_jail_children.sh",
]

_SOCKSTAT_C = (
    "an ATF C program linked with sockstat's own source (usr.bin/sockstat/tests/Makefile: "
    "SRCS = sockstat_test.c sockstat.c); it tests sockstat's internal parse_ports()/CHK_PORT, "
    "not the command, so there is nothing of the simulator to run it against"
)
_JAILMETA = (
    "tests the meta/env jail parameters and security.jail.meta_maxbufsize, added to FreeBSD's main branch "
    "in 2025 (commit 30e6e008, sys/kern/kern_jailmeta.c; FreeBSD status report 2025Q1), which the "
    "simulated FreeBSD 14.x does not have (not verified whether 14.3 got them: if it did, this belongs "
    "in the failed column)"
)
_FLUA = "needs /usr/libexec/flua with its jail module (libexec/flua/libjail), a Lua interpreter the simulator has not"

# (program, case) -> why it cannot run against a simulated host.  "*" = every case of the program.
NOT_APPLICABLE = {
    ("usr.bin/sockstat/tests/sockstat_test.c", "*"): _SOCKSTAT_C,
    ("usr.sbin/jail/tests/jail_basic_test.sh", "setaudit"): (
        "needs setaudit(8) and the audit subsystem (security/audit), which the simulator does not model"
    ),
    ("tests/sys/kern/jailmeta.sh", "jail_create"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "jail_modify"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "jail_add"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "jail_reset"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "jls_libxo_json"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "flua_create"): _FLUA + "; and " + _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "flua_modify"): _FLUA + "; and " + _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "env_readable_by_jail"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "not_inheritable"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "maxbufsize"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "keyvalue"): _JAILMETA,
    ("tests/sys/kern/jailmeta.sh", "keyvalue_contention"): _JAILMETA,
}


def not_applicable(prog, case):
    return NOT_APPLICABLE.get((prog, case)) or NOT_APPLICABLE.get((prog, "*"))


def list_cases(prog):
    """[(case, {property: value})] of a test program, in its atf_init_test_cases order."""
    path = os.path.join(FREEBSD, prog)
    if prog.endswith(".c"):
        with open(path, encoding="utf-8") as f:
            return [(name, {}) for name in re.findall(r"^\s*ATF_TP_ADD_TC\(tp,\s*(\w+)\);", f.read(), re.M)]
    # atf-sh's -l prints the test-program header, then one block of "key: value" lines per case
    # (atf-test-program(1); libatf-sh.subr _atf_list_tcs()).
    out = subprocess.run(
        [ATF_SH, path, "-l", "-s", os.path.dirname(path)], capture_output=True, text=True, check=True
    ).stdout
    cases = []
    for block in out.split("\n\n")[1:]:
        props = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "ident" in props:
            cases.append((props.pop("ident"), props))
    return cases


class Runner:
    def __init__(self, verbose=False):
        self.verbose = verbose
        self.lock = threading.Lock()
        self.serial = 0
        self.tag = f"conf{os.getpid()}"

    def simhost(self, *args, timeout=120, **kw):
        return subprocess.run([SIMHOST, *args], capture_output=True, text=True, timeout=timeout, check=False, **kw)

    def in_box(self, box, timeout, part, script, *args):
        """(part, exit status or None on timeout, stdout, stderr) of ``sh -c script sh args...`` in the box."""
        cmd = [SIMHOST, "run", box, "--", "sh", "-c", script, "sh", *args]
        with subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        ) as p:
            try:
                out, err = p.communicate(timeout=timeout)
                return part, p.returncode, out, err
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                out, err = p.communicate()
                return part, None, out, err + f"\n(timed out after {timeout} s)"

    def new_box(self):
        with self.lock:
            self.serial += 1
            n = self.serial
        name = f"{self.tag}-{n}"
        r = self.simhost("create", name, "--ip", f"192.0.2.{100 + n % 100}")
        if r.returncode != 0:
            raise RuntimeError(f"simhost create {name}: {r.stderr.strip()}")
        return name

    def run_case(self, prog, case, props):
        """(outcome, reason, log): outcome is passed / failed."""
        srcdir = os.path.dirname(os.path.join(FREEBSD, prog))
        path = os.path.join(FREEBSD, prog)
        timeout = int(props.get("timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
        timeout = min(timeout, DEFAULT_TIMEOUT)
        box = self.new_box()
        # /tmp is the same directory in the box (tests/sim/README.md), so the work directory and
        # the results file are visible from both sides.
        work = tempfile.mkdtemp(prefix="atf-", dir="/tmp")
        log = []
        try:
            progs = props.get("require.progs", "").split()
            if progs:
                lookup = 'for p; do command -v "$p" >/dev/null || echo "$p"; done'
                r = self.simhost("run", box, "--", "sh", "-c", lookup, "sh", *progs)
                missing = r.stdout.split()
                if missing:
                    return "failed", f"skipped: Required program '{missing[0]}' not found in the PATH", ""
            results = os.path.join(work, ".atf-results")
            # kyua's isolation: an empty environment but PATH, the work directory as cwd, HOME and TMPDIR.
            isolate = (
                'cd "$1" && shift && exec env -i PATH="$PATH" HOME="$PWD" TMPDIR="$PWD" TZ=UTC '
                '__RUNNING_INSIDE_ATF_RUN=internal-yes-value "$@"'
            )
            log.append(
                self.in_box(box, timeout, "body", isolate, work, ATF_SH, path, "-r", results, "-s", srcdir, case)
            )
            if props.get("has.cleanup") == "true":
                log.append(
                    self.in_box(box, timeout, "cleanup", isolate, work, ATF_SH, path, "-s", srcdir, case + ":cleanup")
                )
            try:
                with open(results, encoding="utf-8", errors="replace") as f:
                    result = f.read().strip() or "broken: empty results file"
            except FileNotFoundError:
                result = "broken: no results file (the body did not finish: " + (log[0][3].strip()[-200:] or "?") + ")"
            outcome = "passed" if result == "passed" or result.startswith("expected_failure") else "failed"
            text = ""
            if outcome == "failed" or self.verbose:
                for part, rc, out, err in log:
                    text += f"    --- {part} (exit {rc}) stdout:\n{indent(out)}    --- {part} stderr:\n{indent(err)}"
            return outcome, result, text
        finally:
            self.simhost("destroy", box)
            shutil.rmtree(work, ignore_errors=True)


def indent(text, prefix="      "):
    return "".join(prefix + line + "\n" for line in text.splitlines())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true", help="show the output of passing cases too")
    ap.add_argument("only", nargs="*", help="PROGRAM or PROGRAM:CASE (freebsd-src path)")
    a = ap.parse_args(argv)

    on_disk = sorted(
        os.path.relpath(os.path.join(d, f), FREEBSD)
        for d, _dirs, files in os.walk(FREEBSD)
        for f in files
        if f.endswith((".sh", ".c"))
    )
    unlisted = [p for p in on_disk if p not in PROGRAMS]
    if unlisted:
        print(f"conformance: test programs not listed in run.py PROGRAMS: {', '.join(unlisted)}", file=sys.stderr)
        return 2
    if not os.access(ATF_SH, os.X_OK):
        print(f"conformance: {ATF_SH} not found (Debian package atf-sh; `make deps` installs it)", file=sys.stderr)
        return 2

    jobs = []  # (prog, case, props)
    na = []  # (prog, case, reason)
    for prog in PROGRAMS:
        for case, props in list_cases(prog):
            if a.only and prog not in a.only and f"{prog}:{case}" not in a.only:
                continue
            reason = not_applicable(prog, case)
            if reason:
                na.append((prog, case, reason))
            else:
                jobs.append((prog, case, props))

    runner = Runner(a.verbose)
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [(prog, case, pool.submit(runner.run_case, prog, case, props)) for prog, case, props in jobs]
        results = []
        for prog, case, fut in futures:
            try:
                results.append((prog, case, *fut.result()))
            except Exception as e:  # a box that cannot be made is a failure of the run, reported per case
                results.append((prog, case, "failed", f"broken: {e}", ""))

    passed = failed = 0
    for prog in PROGRAMS:
        mine = [r for r in results if r[0] == prog]
        skipped = [r for r in na if r[0] == prog]
        if not mine and not skipped:
            continue
        p = sum(1 for r in mine if r[2] == "passed")
        f = len(mine) - p
        passed += p
        failed += f
        print(f"{prog}: {p} passed, {f} failed, {len(skipped)} not applicable")
        for _prog, case, outcome, result, text in mine:
            if outcome == "failed" or a.verbose:
                print(f"  {case}: {result}")
                if text:
                    print(text, end="")
        by_reason = {}
        for _prog, case, reason in skipped:
            by_reason.setdefault(reason, []).append(case)
        for reason, cases in by_reason.items():
            print(f"  not applicable ({', '.join(cases)}): {reason}")
    print(f"conformance: {passed} passed, {failed} failed, {len(na)} not applicable ({time.time() - t0:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
