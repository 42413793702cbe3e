"""uname(1): FreeBSD's flags and output order (usr.bin/uname/uname.c: -a = -mnrsv,
printed in the order sysname, nodename, release, version, machine, processor, ident,
kernel and user osreldate)."""

import socket

from .. import bsdgetopt, kernel, kstate

OSRELDATE = {"13": 1305000, "14": 1403000, "15": 1500068}


def values(release):
    major = release.split(".")[0]
    branch = release.split("-")[0]
    return {
        "s": "FreeBSD",
        "n": socket.gethostname(),
        "r": release,
        "v": f"FreeBSD {release} releng/{branch}-n271432-8c9ce319fef7 GENERIC",
        "m": "amd64",
        "p": "amd64",
        "i": "GENERIC",
        "K": str(OSRELDATE.get(major, 1403000)),
        "U": str(OSRELDATE.get(major, 1403000)),
        "b": "2b1fe4bb1d3f7bfe4e3b5b1a1c2e4a7c0d2b8f11",
    }


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "abiKmnoprsUv")
    if parsed is None:
        ctx.err.write("usage: uname [-abiKmnoprsUv]\n")
        return 1
    opts, args = parsed
    if args:
        ctx.err.write("usage: uname [-abiKmnoprsUv]\n")
        return 1
    flags = set()
    for o, _arg in opts:
        f = o
        if f == "a":
            flags |= set("mnrsv")
        elif f == "o":
            flags.add("s")
        else:
            flags.add(f)
    if not flags:
        flags = {"s"}
    v = values(kernel.box_config()["release"])
    if ctx.jid:
        with kernel.Kernel(shared=True) as k:
            jail = kstate.jail(k.state, ctx.jid) or {}
        v["n"] = jail.get("host.hostname", v["n"])
    # src: usr.bin/uname/uname.c setup_get(): CHECK_ENV("r", release)... an UNAME_x variable replaces the
    # kernel's value (freebsd-update's --currently-running exports UNAME_r)
    for f in "snrvmpi":
        if ctx.env.get("UNAME_" + f) is not None:
            v[f] = ctx.env["UNAME_" + f]
    ctx.print(" ".join(v[f] for f in "snrvmpiKUb" if f in flags))
    return 0
