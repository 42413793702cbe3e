"""sysctl(8): read and set kernel MIBs of the simulated kernel (catalogue: simfbsd/sysctls.py).

Formats, errors and exit status per tests/fixtures/freebsd/BEHAVIOUR.md §6 (from sbin/sysctl/sysctl.c):
``name: value`` (-n value, -e name=value, -N name), ``name: old -> new`` on set,
exit status = number of failed arguments.
# src: sbin/sysctl/sysctl.c main(), parse(), parse_numeric(), parsefile(), show_var(), S_timeval()
  * an argument or a file line is split at its first ``=`` or ``:``; blanks at the end of the name
    and at the start of the value are dropped, then an opening ``"``/``'`` (and the same quote
    closing the value); no separator: a read.
  * numeric values are a list: strsep(" ,") tokens (empty ones skipped), each read by strtol(3)/
    strtoul(3) with base 0 (``0x1f`` hex, ``010`` octal); ``invalid <type> '<token>'``.
  * ``-f file`` (the last one given) is read before the arguments; a file that cannot be opened is
    ``err(EX_NOINPUT)``: ``sysctl: FILE: <strerror>``, exit 66 at once.  Lines: the first ``#``
    ends the line (quotes and a backslash before it as parsefile() says), blanks at both ends trimmed, empty lines
    skipped, errors get `` at line N``.
  * ``-a`` lists everything only when no name is given (it is then the only thing done).
"""

import re
import socket
import struct
import sys
import time

from .. import bsdgetopt, kernel, kstate, sysctls

USAGE = (
    "usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
    "       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n"
)
TYPENAMES = {
    "CU": "uint8_t",
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
    bt = kstate.boottime(state)
    if bt is None:
        bt = int(kernel.box_config().get("created", time.time()))
    return int(bt)


def _truthy(v):
    return 1 if v in (True, 1, "1", "true") else 0


def value(ctx, state, name):
    """The value of leaf ``name`` as seen from ctx (host or jail)."""
    _typ, _acc, default, _d = sysctls.MIB[name]
    jail = kstate.jail(state, ctx.jid) if ctx.jid else None
    if name == "kern.hostname":
        if jail is not None:
            return jail.get("host.hostname", "")
        return kstate.hostname(state) or socket.gethostname()
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
    if name in ("security.jail.children.cur", "security.jail.children.max") and jail is not None:
        # src: sys/kern/kern_jail.c: security.jail.children.max/.cur report the calling process's
        # prison (td_ucred->cr_prison: its pr_childmax / pr_childcount), prison0's on the host;
        # tests/sys/kern/sysctl_security_jail_children.sh max_cur checks both from inside jails
        return int(jail.get(name[len("security.jail.") :], 0))
    if name == "security.jail.children.cur":
        return len(kstate.jails(state))
    if name == "security.jail.vnet" and jail is not None:
        return 1 if jail.get("vnet") in (1, True, "new") else 0
    host = kstate.sysctl_value(state, name, default)
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
    if typ == "CU":
        return struct.pack("=B", int(v))
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


CSPACE = " \t\n\v\f\r"  # isspace(3) in the C locale
# strtol(3)/strtoul(3) with base 0: optional blanks and sign, then 0x<hex>, 0<octal> or decimal;
# the whole token must be read (parse_numeric(): endptr at the end, errno 0)
STRTOL_RE = re.compile(r"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
BITS = {"CU": 8, "I": 32, "IU": 32, "L": 64, "LU": 64, "Q": 64, "QU": 64}


def parse_number(typ, token):
    """parse_numeric() for one token: the value as the kernel stores it, or ValueError."""
    m = STRTOL_RE.fullmatch(token)
    if not m:
        raise ValueError("invalid")
    digits = m.group(2)
    base = 16 if digits[:2] in ("0x", "0X") else 8 if len(digits) > 1 and digits[0] == "0" else 10
    n = int(digits, base)
    unsigned = typ.endswith("U")
    if n > (2**64 - 1 if unsigned else 2**63 - (m.group(1) != "-")):
        raise ValueError("invalid")  # ERANGE from strtol/strtoul (64-bit long)
    if m.group(1) == "-":
        n = -n
    bits = BITS[typ]
    if unsigned:
        return n % 2**bits  # strtoul() negates in unsigned arithmetic; (int) cast for CTLTYPE_UINT
    n %= 2**bits
    return n - 2**bits if n >= 2 ** (bits - 1) else n  # (int) strtol() for CTLTYPE_INT


def split_arg(string):
    """parse(): (name, value) of one argument or file line; value None when it is a read."""
    # strsep(&cp, "=:"); value: leading blanks skipped, a pair of " or ' stripped (the opening
    # quote always); name: trailing blanks trimmed ("Trim spaces")
    i = next((k for k, c in enumerate(string) if c in "=:"), None)
    name, value = (string, None) if i is None else (string[:i], string[i + 1 :].lstrip(CSPACE))
    if value and value[0] in "\"'":
        value = value[1:-1] if value[-1] == value[0] else value[1:]
    return name.rstrip(CSPACE), value


def file_lines(text):
    """parsefile(): (lineno, text) of the lines that are parsed."""
    lines = text.split("\n")  # fgets(3): lines end at newline only
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        line = _strip_comment(line).strip(CSPACE)
        if line:
            yield n, line


def _strip_comment(line):
    """parsefile() "Replace the first # with \\0": a # after the first ' (or ") cuts the line after
    the next ' (or ") instead, or not at all when there is none; a # preceded by \\ is kept."""
    pq, pdq = line.find("'"), line.find('"')
    p = line.find("#")
    while p >= 0:
        if pq >= 0 and p > pq:
            q = line.find("'", pq + 1)
            return line[: q + 1] if q >= 0 else line
        if pdq >= 0 and p > pdq:
            q = line.find('"', pdq + 1)
            return line[: q + 1] if q >= 0 else line
        if p == 0 or line[p - 1] != "\\":
            return line[:p]
        p = line.find("#", p + 1)
    return line


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

    def set(self, state, string, name, newtext, where=""):
        """parse() with a value; ``string`` is the argument (or file line) as given."""
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
        old = value(ctx, state, name)
        if typ in NUMERIC:
            if newtext == "":
                ctx.warnx("empty numeric value")  # parse(): no " at line N" on this one
                return 1
            values = []
            for token in re.split(r"[ ,]", newtext):  # strsep(&newvalstr, " ,"), empty tokens skipped
                if not token:
                    continue
                try:
                    values.append(parse_number(typ, token))
                except ValueError:
                    ctx.warnx(f"invalid {TYPENAMES[typ]} '{token}'{where}")
                    return 1
            if not values:
                new = old  # nothing to write: sysctl(2) with no new value is a read
            else:
                # every numeric OID of the simulated kernel is one value: sysctl_handle_int() and its
                # siblings take the first (src: sys/kern/kern_sysctl.c sysctl_handle_int(): SYSCTL_IN
                # of sizeof(int))
                new = values[0]
        else:
            new = newtext
        try:
            self._store(state, name, access, old, new)
        except EPERM:
            # parse(): the old value is shown first, then warn("%s%s", string, line) with errno
            if "n" in self.f:
                ctx.out.write(f"{fmt(typ, old)}\n")
            else:
                ctx.out.write(f"{name}: {fmt(typ, old)}\n")
            ctx.out.flush()
            ctx.warnx(f"{string}{where}: Operation not permitted")
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
            jail = kstate.jail(state, ctx.jid) or {}
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
            kstate.set_hostname(state, new)
            try:
                socket.sethostname(new)
            except OSError:
                pass
            return
        kstate.set_sysctl(state, name, new)


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "AabB:def:hiNnoqtTwWxX")
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, args = parsed
    flags = set()
    conffile = None
    for o, a in opts:
        if o == "f":
            conffile = a  # main(): conffile = optarg (the last -f counts)
        elif o == "h":
            flags.add("H")
        elif o in ("A", "X"):
            flags |= {"a", "o"} if o == "A" else {"a", "x"}
        else:
            flags.add(o)
    if "N" in flags and "n" in flags:
        ctx.err.write(USAGE)
        return 1
    if "a" not in flags or args:
        flags.discard("a")  # main(): -a only when no name is given
        if not args and conffile is None:
            ctx.err.write(USAGE)
            return 1
    text = None
    if conffile is not None and "a" not in flags:
        try:
            with open(ctx.path(conffile) if conffile.startswith("/") else conffile, encoding="utf-8",
                      errors="replace") as f:  # fmt: skip
                text = f.read()
        except IsADirectoryError:
            text = ""  # fopen(3) of a directory succeeds; fgets(3) then reads nothing
        except OSError as exc:
            ctx.errx(66, f"{conffile}: {exc.strerror}")  # parsefile(): err(EX_NOINPUT, "%s", filename)
    run = Run(ctx, flags)
    failed = 0
    writes = text is not None or any(split_arg(a)[1] is not None for a in args)
    with kernel.Kernel(shared=not writes) as k:
        state = k.state
        if "a" in flags:
            for leaf in sysctls.MIB:
                if sysctls.MIB[leaf][0] == "S,opaque" and "o" not in flags:
                    continue
                run.show(state, leaf)
            return 0
        items = [(line, f" at line {n}") for n, line in file_lines(text)] if text is not None else []
        items += [(arg, "") for arg in args]
        for string, where in items:
            name, val = split_arg(string)
            if val is None:
                failed += run.query(state, name, where)
            else:
                failed += run.set(state, string, name, val, where)
    sys.stdout.flush()
    return failed
