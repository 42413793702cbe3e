"""sysctl(8): read and set kernel MIBs of the simulated kernel (catalogue: simfbsd/sysctls.py).

Formats, errors and exit status per BEHAVIOUR.md §6 (from sbin/sysctl/sysctl.c):
``name: value`` (-n value, -e name=value, -N name), ``name: old -> new`` on set,
exit status = number of failed arguments.
# src: sbin/sysctl/sysctl.c parse(), show_var(), S_timeval(), parsefile()
"""

import getopt
import re
import socket
import struct
import sys
import time

from .. import kernel, sysctls

USAGE = (
    "usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
    "       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n"
)
TYPENAMES = {
    "I": "integer",
    "IU": "unsigned integer",
    "L": "long integer",
    "LU": "unsigned long",
    "Q": "int64_t",
    "QU": "uint64_t",
}
NUMERIC = tuple(TYPENAMES)


# src: sbin/sysctl/sysctl.c ctl_typename[] (what -t prints): the catalogue's format letters by CTLTYPE.
def ctl_typename(typ):
    if typ in TYPENAMES:
        return TYPENAMES[typ]
    return "string" if typ == "A" else "opaque"  # "S,..." formats are CTLTYPE_OPAQUE


# security.jail.* compat sysctls inside a jail report the jail's own parameters (kern_jail.c).
JAIL_VIEW = {
    "security.jail.set_hostname_allowed": ("allow.set_hostname", 1),
    "security.jail.allow_raw_sockets": ("allow.raw_sockets", 0),
    "security.jail.sysvipc_allowed": ("allow.sysvipc", 0),
    "security.jail.mount_allowed": ("allow.mount", 0),
    "security.jail.enforce_statfs": ("enforce_statfs", 2),
    "security.jail.devfs_ruleset": ("devfs_ruleset", 0),
}


class EPERM(Exception):
    pass


def _release():
    return kernel.box_config()["release"]


def _boottime(state):
    bt = state.get("boottime")
    if bt is None:
        bt = int(kernel.box_config().get("created", time.time()))
    return int(bt)


def _truthy(v):
    return 1 if v in (True, 1, "1", "true") else 0


def value(ctx, state, name):
    """The value of leaf ``name`` as seen from ctx (host or jail)."""
    _typ, _acc, default, _d = sysctls.MIB[name]
    jail = state["jails"].get(str(ctx.jid)) if ctx.jid else None
    if name == "kern.hostname":
        if jail is not None:
            return jail.get("host.hostname", "")
        return state.get("hostname") or socket.gethostname()
    if name == "kern.osrelease":
        return _release()
    if name in ("kern.osreldate", "kern.version"):
        from . import uname

        v = uname.values(_release())
        return int(v["K"]) if name == "kern.osreldate" else v["v"] + "\n"
    if name == "kern.boottime":
        return _boottime(state)
    if name == "security.jail.jailed":
        return 1 if jail is not None else 0
    if name == "security.jail.children.cur":
        return 0 if jail is not None else len(state.get("jails", {}))
    if name == "security.jail.vnet" and jail is not None:
        return 1 if jail.get("vnet") in (1, True, "new") else 0
    host = state.get("sysctl", {}).get(name, default)
    if name == "kern.securelevel":
        host = int(host)
        if jail is not None:
            # src: sys/kern/kern_mib.c sysctl_kern_securelvl(): a prison reports its own level,
            # never below its parent's.
            return max(host, int(jail.get("securelevel", -1)))
        return host
    if jail is not None and name in JAIL_VIEW:
        key, dflt = JAIL_VIEW[name]
        v = jail.get(key, dflt)
        return _truthy(v) if key.startswith("allow.") else int(v)
    return host


def fmt(typ, v):
    if typ == "S,timeval":
        # S_timeval(): "{ sec = N, usec = N } " + ctime() without its newline
        return f"{{ sec = {v}, usec = 0 }} " + time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(v))
    return str(v)


def raw(typ, v):
    if typ == "S,timeval":
        return struct.pack("=qq", v, 0)
    if typ in ("I",):
        return struct.pack("=i", int(v))
    if typ == "IU":
        return struct.pack("=I", int(v))
    if typ in ("L", "Q"):
        return struct.pack("=q", int(v))
    if typ in ("LU", "QU"):
        return struct.pack("=Q", int(v))
    return str(v).encode() + b"\0"


def children(name):
    """Leaves at or below ``name`` (catalogue order); None if no such oid."""
    if name in sysctls.MIB:
        return [name]
    pre = name + "."
    found = [n for n in sysctls.MIB if n.startswith(pre)]
    return found or None


def parse_number(typ, text):
    if text.strip() == "":
        raise ValueError("empty")
    t = text.strip()
    base = 16 if t.lower().startswith(("0x", "-0x")) else 10
    try:
        n = int(t, base)
    except ValueError:
        raise ValueError("invalid") from None
    if typ in ("IU", "LU", "QU") and n < 0:
        raise ValueError("invalid")
    return n


class Run:
    def __init__(self, ctx, flags):
        self.ctx = ctx
        self.f = flags
        self.out = []

    def show(self, state, name, nl=True):
        typ = sysctls.MIB[name][0]
        v = value(self.ctx, state, name)
        if "b" in self.f:
            self.ctx.out.flush()
            buf = getattr(self.ctx.out, "buffer", None)
            data = raw(typ, v)
            if buf is not None:
                buf.write(data)
                buf.flush()
            else:
                self.ctx.out.write(data.decode("latin-1"))
            return
        if "N" in self.f:
            self.ctx.print(name)
            return
        text = fmt(typ, v)
        # src: sbin/sysctl/sysctl.c show_var(): with -t (and/or -d) "name" + sep unless -n, then the type
        # name; -t alone stops there, -t -d adds sep and the description.
        if "t" in self.f:
            sep = "=" if "e" in self.f else ": "
            head = "" if "n" in self.f else name + sep
            if "d" in self.f:
                self.ctx.print(f"{head}{ctl_typename(typ)}{sep}{sysctls.MIB[name][3]}")
            else:
                self.ctx.print(f"{head}{ctl_typename(typ)}")
            return
        if "d" in self.f:
            self.ctx.print(f"{name}: {sysctls.MIB[name][3]}")
            return
        if "n" in self.f:
            line = text
        elif "e" in self.f:
            line = f"{name}={text}"
        else:
            line = f"{name}: {text}"
        self.ctx.out.write(line + ("\n" if nl else ""))

    def query(self, state, name, where=""):
        leaves = children(name)
        if leaves is None:
            if "i" in self.f:
                return 0
            if "q" not in self.f:
                self.ctx.warnx(f"unknown oid '{name}'{where}")
            return 1
        for leaf in leaves:
            if sysctls.MIB[leaf][0] == "S,opaque" and "o" not in self.f and "x" not in self.f:
                continue
            self.show(state, leaf)
        return 0

    def set(self, state, name, newtext, where=""):
        ctx = self.ctx
        leaves = children(name)
        if leaves is None:
            if "i" in self.f:
                return 0
            if "q" not in self.f:
                ctx.warnx(f"unknown oid '{name}'{where}")
            return 1
        if leaves != [name]:
            ctx.warnx(f"oid '{name}' isn't a leaf node{where}")
            return 1
        typ, acc, _default, _d = sysctls.MIB[name]
        access = acc.split()
        if access[0] not in ("RW", "RWTUN"):
            if access[0] == "RDTUN":
                ctx.warnx(f"oid '{name}' is a read only tunable{where}")
                ctx.warnx("Tunable values are set in /boot/loader.conf")
            else:
                ctx.warnx(f"oid '{name}' is read only{where}")
            return 1
        if len(newtext) >= 2 and newtext[0] == newtext[-1] and newtext[0] in "\"'":
            newtext = newtext[1:-1]
        if typ in NUMERIC:
            try:
                new = parse_number(typ, newtext)
            except ValueError as exc:
                if str(exc) == "empty":
                    ctx.warnx(f"empty numeric value{where}")
                else:
                    ctx.warnx(f"invalid {TYPENAMES[typ]} '{newtext}'{where}")
                return 1
        else:
            new = newtext
        old = value(ctx, state, name)
        try:
            self._store(state, name, access, old, new)
        except EPERM:
            # parse(): the old value is shown first, then warn(3) with errno
            if "n" in self.f:
                ctx.out.write(f"{fmt(typ, old)}\n")
            else:
                ctx.out.write(f"{name}: {fmt(typ, old)}\n")
            ctx.out.flush()
            ctx.warnx(f"{name}={newtext}: Operation not permitted")
            return 1
        cur = value(ctx, state, name)
        if "n" in self.f:
            ctx.print(f"{fmt(typ, old)} -> {fmt(typ, cur)}")
        else:
            ctx.print(f"{name}: {fmt(typ, old)} -> {fmt(typ, cur)}")
        return 0

    def _store(self, state, name, access, old, new):
        ctx = self.ctx
        if ctx.jid:
            jail = state["jails"].get(str(ctx.jid), {})
            if "PRISON" not in access:
                raise EPERM()
            if name == "kern.securelevel":
                # src: sys/kern/kern_mib.c sysctl_kern_securelvl(): may only be raised
                if new < old:
                    raise EPERM()
                jail["securelevel"] = new
                return
            if name == "kern.hostname":
                if jail.get("allow.set_hostname", True) not in (True, 1, "1", "true"):
                    raise EPERM()
                jail["host.hostname"] = new
                return
            raise EPERM()
        if name == "kern.securelevel" and new < old:
            raise EPERM()
        if name == "kern.hostname":
            state["hostname"] = new
            try:
                socket.sethostname(new)
            except OSError:
                pass
            return
        state.setdefault("sysctl", {})[name] = new


def _split(arg):
    m = re.match(r"^([^=:]*)[=:](.*)$", arg, re.S)
    if m and re.match(r"^[A-Za-z0-9_.%-]+$", m.group(1) or "-"):
        return m.group(1), m.group(2)
    return arg, None


def main(ctx, argv):
    try:
        opts, args = getopt.getopt(argv, "AabB:def:hiNnoqtTwWxX")
    except getopt.GetoptError:
        ctx.err.write(USAGE)
        return 1
    flags = set()
    files = []
    for o, a in opts:
        if o == "-f":
            files.append(a)
        elif o == "-h":
            flags.add("H")
        elif o in ("-A", "-X"):
            flags |= {"a", "o"} if o == "-A" else {"a", "x"}
        else:
            flags.add(o[1])
    if "N" in flags and "n" in flags:
        ctx.err.write(USAGE)
        return 1
    if not args and not files and "a" not in flags:
        ctx.err.write(USAGE)
        return 1
    if "a" in flags and args:
        ctx.err.write(USAGE)
        return 1
    run = Run(ctx, flags)
    failed = 0
    writes = bool(files) or any(_split(a)[1] is not None for a in args)
    with kernel.Kernel(shared=not writes) as k:
        state = k.state
        if "a" in flags:
            for leaf in sysctls.MIB:
                if sysctls.MIB[leaf][0] == "S,opaque" and "o" not in flags:
                    continue
                run.show(state, leaf)
            return 0
        for path in files:
            try:
                with open(ctx.path(path) if path.startswith("/") else path, encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except OSError as exc:
                ctx.warnx(f"{path}: {exc.strerror}")
                failed += 1
                continue
            for n, line in enumerate(lines, 1):
                line = _strip_comment(line).strip()
                if not line:
                    continue
                name, val = _split(line)
                where = f" at line {n}"
                if val is None:
                    failed += run.query(state, name, where)
                else:
                    failed += run.set(state, name.strip(), val.strip(), where)
        for arg in args:
            name, val = _split(arg)
            if val is None:
                failed += run.query(state, name)
            else:
                failed += run.set(state, name, val)
    sys.stdout.flush()
    return failed


def _strip_comment(line):
    q = None
    for i, c in enumerate(line):
        if q:
            if c == q:
                q = None
        elif c in "\"'":
            q = c
        elif c == "#":
            return line[:i]
    return line
