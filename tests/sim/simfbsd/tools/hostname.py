"""hostname(1): print or set the host name (bin/hostname/hostname.c: -f, -s, -d)."""

import socket

from .. import bsdgetopt, kernel, kstate


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "fsd")
    if parsed is None:
        ctx.err.write("usage: hostname [-f] [-s | -d] [name-of-host]\n")
        return 1
    opts, args = parsed
    flags = {o for o, _arg in opts}
    if len(args) > 1 or ("s" in flags and "d" in flags):
        ctx.err.write("usage: hostname [-f] [-s | -d] [name-of-host]\n")
        return 1
    if args:
        with kernel.Kernel() as k:
            if ctx.jid:
                jail = kstate.jail(k.state, ctx.jid)
                if not jail.get("allow.set_hostname", True):
                    ctx.warnx("sethostname: Operation not permitted")
                    return 1
                jail["host.hostname"] = args[0]
            else:
                kstate.set_hostname(k.state, args[0])
                socket.sethostname(args[0])
        return 0
    if ctx.jid:
        name = kstate.jail(kernel.read_state(), ctx.jid).get("host.hostname", "")
    else:
        name = socket.gethostname()
    if "s" in flags:
        name = name.split(".")[0]
    elif "d" in flags:
        name = name.split(".", 1)[1] if "." in name else ""
    ctx.print(name)
    return 0
