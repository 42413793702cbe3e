"""ps(1) over the simulated process table (kernel state ``procs``).

Enough for rc.subr (``ps -ww -o pid= -o jid= -o command= -ax``), Ansible and
tests: -a -x -p PID[,PID] -o FIELD[=HEADER] (repeatable, comma lists) -J JID|NAME
-w; BSD-style ``ps ax``.  Inside a jail only the jail's processes are listed.
Default columns: ``PID TT STAT TIME COMMAND``.
"""

from .. import bsdgetopt, kernel, kstate

FIELDS = {
    "pid": ("PID", ">", 5),
    "ppid": ("PPID", ">", 5),
    "jid": ("JID", ">", 3),
    "user": ("USER", "<", 8),
    "uid": ("UID", ">", 4),
    "comm": ("COMMAND", "<", 0),
    "ucomm": ("UCOMM", "<", 0),
    "command": ("COMMAND", "<", 0),
    "args": ("COMMAND", "<", 0),
    "stat": ("STAT", "<", 4),
    "state": ("STAT", "<", 4),
    "tt": ("TT", "<", 2),
    "tty": ("TTY", "<", 3),
    "time": ("TIME", ">", 7),
}
ALIASES = {"command": "command", "args": "command", "ucomm": "comm"}


def _val(p, f):
    if f == "pid":
        return str(p["pid"])
    if f == "ppid":
        return str(p.get("ppid", 1))
    if f == "jid":
        return str(p.get("jid", 0))
    if f == "user":
        return p.get("user", "root")
    if f == "uid":
        return "0" if p.get("user", "root") == "root" else "65534"
    if f in ("comm", "ucomm"):
        return p["command"]
    if f in ("command", "args"):
        return p.get("args") or p["command"]
    if f in ("stat", "state"):
        return "Ss" + ("J" if p.get("jid") else "")
    if f in ("tt", "tty"):
        return "-"
    if f == "time":
        return "0:00.01"
    return "-"


def main(ctx, argv):
    args = list(argv)
    if args and not args[0].startswith("-"):
        args[0] = "-" + args[0]  # BSD style: ps ax
    fields = []
    pids = None
    jails = None
    parsed = bsdgetopt.parse(ctx, args, "axwAuhlcdejmrSTvXZCHo:p:J:")  # src: bin/ps/ps.c main() PS_ARGS
    if parsed is None:
        return 1
    opts, operands = parsed
    if operands:
        ctx.err.write("usage: ps [--libxo] [-aCcdefHhjlmrSTuvwXxZ] [-O fmt | -o fmt]\n")
        return 1
    for c, optarg in opts:
        if c == "o":
            fields.extend(_fields(optarg))
        elif c == "p":
            pids = (pids or set()) | {int(x) for x in optarg.replace(",", " ").split()}
        elif c == "J":
            jails = (jails or []) + optarg.replace(",", " ").split()
    for name, _h in fields:
        if name not in FIELDS:
            ctx.err.write(f"ps: {name}: keyword not found\nps: no valid keywords; valid keywords:\n")
            return 1
    state = kernel.read_state()
    procs = kstate.procs(state)
    if ctx.jid:
        procs = [p for p in procs if p.get("jid") == ctx.jid]
    if jails is not None:
        want = set()
        for spec in jails:
            jid, _rec = kstate.find_jail(state, spec)
            if jid is not None:
                want.add(jid)
            if spec.isdigit():
                want.add(int(spec))
        procs = [p for p in procs if p.get("jid") in want]
    if pids is not None:
        procs = [p for p in procs if p["pid"] in pids]
    if not fields:
        fields = [("pid", None), ("tt", None), ("stat", None), ("time", None), ("command", None)]
    rows = [[_val(p, f) for f, _h in fields] for p in procs]
    headers = [FIELDS[f][0] if h is None else h for f, h in fields]
    widths = []
    for k, (f, _h) in enumerate(fields):
        w = max([FIELDS[f][2], len(headers[k])] + [len(r[k]) for r in rows])
        widths.append(w)

    def line(cells):
        out = []
        for k, (f, _h) in enumerate(fields):
            last = k == len(fields) - 1
            if FIELDS[f][1] == ">":
                out.append(cells[k].rjust(widths[k]))
            else:
                out.append(cells[k] if last else cells[k].ljust(widths[k]))
        return " ".join(out).rstrip() if not any(headers) else " ".join(out)

    if any(headers):
        ctx.print(line(headers).rstrip())
    for r in rows:
        ctx.print(line(r))
    return 0 if procs or pids is None else 1


def _fields(spec):
    """-o list: ``pid,comm`` or ``pid=`` (header given: the rest of the string)."""
    out = []
    parts = spec.split(",")
    for idx, part in enumerate(parts):
        if "=" in part:
            name, header = part.split("=", 1)
            header = ",".join([header, *parts[idx + 1 :]])
            out.append((name, header))
            break
        out.append((part, None))
    return out
