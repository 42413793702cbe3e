"""pgrep(1) over the simulated process table.

``pgrep [-j jid|any|none] [-x] [-f] [-l] [-d delim] pattern``: pids (one per line) of
processes whose command (-f: full argument list) matches the extended regex; -x
exact match.  Exit 0 if something matched, 1 if not, 2 on a usage error.
Inside a jail only the jail's processes are seen.
"""

import re

from .. import bsdgetopt, kernel, kstate

USAGE = (
    "usage: pgrep [-LSfilnoqvx] [-d delim] [-F pidfile] [-G gid]\n"
    "             [-M core] [-N system] [-P ppid] [-U uid] [-c class] [-g pgrp]\n"
    "             [-j jail] [-s sid] [-t tty] [-u euid] pattern ...\n"
)


def main(ctx, argv):
    flags = set()
    jails = None
    delim = "\n"
    parsed = bsdgetopt.parse(ctx, argv, "LSfilnoqvxj:d:")
    if parsed is None:
        ctx.err.write(USAGE)
        return 2
    opts, args = parsed
    for c, optarg in opts:
        if c == "j":
            jails = optarg.split(",")
        elif c == "d":
            delim = optarg
        else:
            flags.add(c)
    if not args:
        ctx.err.write(USAGE)
        return 2
    state = kernel.read_state()
    procs = kstate.procs(state)
    if ctx.jid:
        procs = [p for p in procs if p.get("jid") == ctx.jid]
    if jails is not None:
        if "any" in jails:
            procs = [p for p in procs if p.get("jid")]
        elif "none" in jails:
            procs = [p for p in procs if not p.get("jid")]
        else:
            want = set()
            for spec in jails:
                jid, _rec = kstate.find_jail(state, spec)
                if jid is not None:
                    want.add(jid)
                if spec.isdigit():
                    want.add(int(spec))
            procs = [p for p in procs if p.get("jid") in want]
    try:
        pats = [re.compile(p, re.I if "i" in flags else 0) for p in args]
    except re.error as exc:
        ctx.err.write(f"pgrep: Cannot compile regular expression `{args[0]}' ({exc})\n")
        return 2
    hits = []
    for p in procs:
        text = (p.get("args") or p["command"]) if "f" in flags else p["command"]
        for pat in pats:
            m = pat.fullmatch(text) if "x" in flags else pat.search(text)
            if bool(m) != ("v" in flags):
                hits.append(p)
                break
    if "n" in flags:
        hits = hits[-1:]
    if "o" in flags:
        hits = hits[:1]
    if "q" not in flags and hits:
        out = []
        for p in hits:
            if "l" in flags:
                out.append(f"{p['pid']} {(p.get('args') or p['command']) if 'f' in flags else p['command']}")
            else:
                out.append(str(p["pid"]))
        ctx.out.write(delim.join(out) + "\n")
    return 0 if hits else 1
