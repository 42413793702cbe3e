"""service(8): run rc.d scripts of the host or of a jail (``-j``); -e -l -r -R lists.

# src: usr.sbin/service/service.sh (options j:ehlrRv, usage text, the "does not exist"
# message on stdout with exit 1, ``-v``: ``SCRIPT is located in DIR``); the script itself
# is rc.subr's run_rc_command (simfbsd/rc.py).
"""

import os

from .. import bsdgetopt, kernel, kstate, rc, rcconf, rcd
from ..tool import Ctx


def usage(ctx, local):
    ctx.print("")
    ctx.print("Usage:")
    ctx.print("service [-j <jail name or id>] -e")
    ctx.print("service [-j <jail name or id>] -R")
    ctx.print("service [-j <jail name or id>] [-v] -l | -r")
    ctx.print("service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.")
    ctx.print("service -h")
    ctx.print("")
    ctx.print("-j\tPerform actions within the named jail")
    ctx.print("-e\tShow services that are enabled")
    ctx.print(f"-R\tStop and start enabled {local} services")
    ctx.print(f"-l\tList all scripts in /etc/rc.d and {local}")
    ctx.print("-r\tShow the results of boot time rcorder")
    ctx.print("-v\tVerbose")
    ctx.print("")


def _jail(spec):
    jid, rec = kstate.find_jail(kernel.read_state(), spec)
    return (jid, rec.get("path", "/")) if rec is not None else (None, None)


def main(ctx, argv):
    conf = rcconf.load(ctx.root)
    local = conf.get("local_startup", "/usr/local/etc/rc.d")
    parsed = bsdgetopt.parse(ctx, argv, "j:ehlrRv", sh=True)  # service.sh: getopts
    if parsed is None:
        usage(ctx, local)
        return 1
    opts, args = parsed
    o = {f"-{c}": a for c, a in opts}
    if "-h" in o:
        usage(ctx, local)
        return 0
    if "-j" in o:
        jid, root = _jail(o["-j"])
        if jid is None:
            ctx.err.write(f'jexec: jail "{o["-j"]}" not found\n')
            return 1
        ctx = Ctx(ctx.prog, jid=jid, root=root, stdout=ctx.out, stderr=ctx.err, env=ctx.env)
        conf = rcconf.load(root)
    verbose = "-v" in o
    jailed = bool(ctx.jid)
    if "-R" in o:
        mods = [m for m in rc.modules(jailed) if rc.script_path(m).startswith(local.rstrip("/") + "/")]
        for m in reversed(mods):
            if m.RCVAR and rcconf.yes(conf.get(m.RCVAR)):
                rc.run_rc_command(ctx, m, "stop", rc=conf)
        for m in mods:
            if m.RCVAR and rcconf.yes(conf.get(m.RCVAR)):
                rc.run_rc_command(ctx, m, "start", rc=conf)
        return 0
    if "-e" in o:
        for m in rc.modules(jailed):
            if rc.exists(ctx, m) and getattr(m, "RCVAR", None) and rcconf.yes(conf.get(m.RCVAR)):
                ctx.print(rc.script_path(m))
        return 0
    if "-l" in o:
        for d in ["/etc/rc.d", *local.split()]:
            if verbose:
                ctx.print(f"From {d}:")
            names = set()
            if os.path.isdir(ctx.path(d)):
                names |= set(os.listdir(ctx.path(d)))
            if d == "/etc/rc.d":
                names |= {m.NAME for m in rc.modules() if rc.script_path(m).startswith("/etc/rc.d/")}
            for n in sorted(names):
                ctx.print(n)
        return 0
    if "-r" in o:
        for m in rc.modules(jailed):
            if rc.exists(ctx, m):
                ctx.print(rc.script_path(m))
        return 0
    if len(args) < 2:
        usage(ctx, local)
        return 1
    script, command, rest = args[0], args[1], args[2:]
    mod = rcd.load(script)
    if mod is None or not rc.exists(ctx, mod) or (getattr(mod, "NAME", script) != script and "/" in script):
        ctx.print(f"{script} does not exist in /etc/rc.d or the local startup")
        ctx.print(f"directories ({local}), or is not executable")
        return 1
    if verbose:
        ctx.print(f"{script} is located in {os.path.dirname(rc.script_path(mod))}")
    return rc.run_rc_command(ctx, mod, command, rest, rc=conf)
