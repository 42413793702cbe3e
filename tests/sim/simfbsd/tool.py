"""Entry point of every FreeBSD tool inside a box.

Each tool (e.g. /sbin/sysctl) is a three-line shim that calls ``main()``;
the tool is chosen by the name it was called as.  Every call is counted
(``simhost stats``) and may be failed on purpose (``simhost fault``).
"""

import fcntl
import importlib
import json
import os
import re
import sys
import time

from . import jailstore, kernel

# FreeBSD path of every tool the simulator provides (hier(7) / the base system's
# install locations).  On Debian /bin and /sbin are links into /usr, so a shim
# shadows the Linux tool of the same name inside the box only.
TOOLS = {
    "uname": "/usr/bin/uname",
    "hostname": "/bin/hostname",
    "freebsd-version": "/bin/freebsd-version",
    "sysctl": "/sbin/sysctl",
    "ifconfig": "/sbin/ifconfig",
    "route": "/sbin/route",
    "sysrc": "/usr/sbin/sysrc",
    "service": "/usr/sbin/service",
    "sshd": "/usr/sbin/sshd",
    "ps": "/bin/ps",
    "pgrep": "/bin/pgrep",
    "jail": "/usr/sbin/jail",
    "jls": "/usr/sbin/jls",
    "jexec": "/usr/sbin/jexec",
    "devfs": "/sbin/devfs",
    "mount": "/sbin/mount",
    "umount": "/sbin/umount",
    "mount_nullfs": "/sbin/mount_nullfs",
    "sockstat": "/usr/bin/sockstat",
    "make": "/usr/bin/make",
    "pkg": "/usr/sbin/pkg",
    "fetch": "/usr/bin/fetch",
    "rctl": "/usr/bin/rctl",
    "pfctl": "/sbin/pfctl",
    "freebsd-update": "/usr/sbin/freebsd-update",
    "etcupdate": "/usr/sbin/etcupdate",
}

SHIM = """#!{python} -SE
# simulated FreeBSD {name}(8): see tests/sim/simfbsd/tools/
import sys; sys.path.insert(0, "/.simhost/lib"); from simfbsd.tool import main; main()
"""


def module_name(tool):
    return tool.replace("-", "_")


class Ctx:
    """What a tool needs to know about where it runs.

    ``jid`` is 0 on the host; tools run through jexec(8) or exec.* hooks get
    the jail's jid and ``root`` (the jail's path inside the box).
    """

    def __init__(self, prog, jid=0, root="/", stdout=None, stderr=None, env=None):
        self.prog = prog
        self.jid = jid
        self.root = root
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr
        self.env = os.environ if env is None else env

    def kernel(self, shared=False):
        return kernel.Kernel(shared=shared)

    def box(self):
        return kernel.box_config()

    def path(self, p):
        """A path as seen from this context (inside a jail: under its root)."""
        if self.root in ("/", ""):
            return p
        return os.path.join(self.root, p.lstrip("/"))

    def print(self, *args, **kw):
        print(*args, file=self.out, **kw)

    def warnx(self, msg):
        """warnx(3): ``prog: msg`` on stderr."""
        print(f"{self.prog}: {msg}", file=self.err)

    def errx(self, code, msg):
        """errx(3): warnx then exit."""
        self.warnx(msg)
        raise SystemExit(code)


def _record_call(tool, argv):
    line = json.dumps({"t": time.time(), "tool": tool, "argv": argv}) + "\n"
    fd = os.open(os.path.join(kernel.kdir(), kernel.CALLS), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _injected_fault(tool, argv):
    """The fault for this call, if ``simhost fault`` armed one; consumes one of its ``times``."""
    path = os.path.join(kernel.kdir(), kernel.FAULTS)
    if not os.path.exists(path):
        return None
    lock = os.open(os.path.join(kernel.kdir(), kernel.LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path, encoding="utf-8") as f:
                faults = json.load(f)
        except FileNotFoundError:
            return None
        cmdline = " ".join([tool, *argv])
        for fault in faults:
            if fault["tool"] == tool and fault["times"] > 0 and re.search(fault.get("match") or "", cmdline):
                fault["times"] -= 1
                kernel.write_json_atomic(path, [f for f in faults if f["times"] > 0])
                return fault
        return None
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)


def run(tool, argv, ctx=None, record=True):
    """Run a simulated tool in this process; returns its exit status."""
    ctx = ctx or Ctx(tool)
    if record:
        _record_call(tool, list(argv))
        fault = _injected_fault(tool, argv)
        if fault is not None:
            if fault.get("stderr"):
                ctx.err.write(fault["stderr"] if fault["stderr"].endswith("\n") else fault["stderr"] + "\n")
            return int(fault.get("rc", 1))
    mod = importlib.import_module(f"simfbsd.tools.{module_name(tool)}")
    jailstore.forget()  # a call of its own: nothing read by an earlier call carries over
    try:
        rc = mod.main(ctx, list(argv))
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BrokenPipeError:
        rc = 1
    return 0 if rc is None else rc


def _jail_of_root():
    """The jid of the jail whose root this process is chrooted in (the kernel knows a process's prison): the
    root's device and inode, recorded when the jail got its interpreter (tools/pkg/db.py), then the live jail
    with that path."""
    st = os.stat("/")
    try:
        with open(os.path.join(kernel.kdir(), kernel.JAIL_ROOTS), encoding="utf-8") as f:
            path = json.load(f).get(f"{st.st_dev}:{st.st_ino}")
    except (OSError, ValueError):
        path = None
    if path is None:
        return None
    state = kernel.read_state()
    for jid, rec in state["jails"].items():
        if rec.get("path") == path and not state["jails"].brief(jid)[2]:
            return int(jid)
    return None


def jail_main():
    """A base tool run by its program inside a jail (world.JAIL_TOOLS): ``python -c ... TOOL ARGS``, chrooted
    in the jail, whose files it sees at ``/``."""
    tool = sys.argv[1]
    jid = _jail_of_root()
    if jid is None:
        sys.stderr.write(f"{tool}: simulator: this root is not a running jail's\n")
        os._exit(1)
    rc = run(tool, sys.argv[2:], Ctx(tool, jid=jid, root="/"))
    _exit(rc)


def main():
    tool = os.path.basename(sys.argv[0])
    rc = run(tool, sys.argv[1:])
    _exit(rc)


def _exit(rc):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    os._exit(rc)
