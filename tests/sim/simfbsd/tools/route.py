"""route(8): ``route [-n] get [-inet|-inet6] default|ADDR`` from the simulated routing table.

# src: sbin/route/route.c print_getmsg(): right-aligned labels, ``fib:`` line, then the
# metrics header ``%9s %9s %9s %9s %9s %10s %9s`` and one ``%8lu%c `` per metric.
"""

import ipaddress

from .. import bsdgetopt, kernel, netif

FLAGS_GW = "<UP,GATEWAY,DONE,STATIC>"


def _print(ctx, to, dest, mask, gateway, iface, flags, mtu):
    ctx.print(f"   route to: {to}")
    ctx.print(f"destination: {dest}")
    if mask:
        ctx.print(f"       mask: {mask}")
    if gateway:
        ctx.print(f"    gateway: {gateway}")
    ctx.print("        fib: 0")
    ctx.print(f"  interface: {iface}")
    ctx.print(f"      flags: {flags}")
    ctx.print(
        "%9s %9s %9s %9s %9s %10s %9s" % ("recvpipe", "sendpipe", "ssthresh", "rtt,msec", "mtu   ", "weight", "expire")
    )
    ctx.print("".join(f"{v:8d}  " for v in (0, 0, 0, 0, mtu, 1)) + f"{0:8d} ")


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "46dnqtv")  # src: sbin/route/route.c main()
    if parsed is None:
        ctx.err.write("usage: route [-46dnqtv] command [[modifiers] args]\n")
        return 1
    opts, args = parsed
    # the command's modifiers (route.c newroute(): ``-inet6``, ``-6``, ...), after the command
    args = [a for a in args if a not in ("-n", "-q", "-v")]
    family = "inet"
    if "-inet6" in args or "-6" in args or ("6", None) in opts:
        family = "inet6"
    args = [a for a in args if a not in ("-inet", "-inet6", "-4", "-6")]
    if not args or args[0] not in ("get", "show"):
        ctx.err.write("usage: route [-46dnqtv] command [[modifiers] args]\n")
        return 1
    if len(args) < 2:
        ctx.err.write("usage: route [-46dnqtv] command [[modifiers] args]\n")
        return 1
    target = args[1]
    state = kernel.read_state()
    ifs = netif.stack(state, ctx.jid)  # a vnet jail has its own interfaces and routes
    if ":" in target:
        family = "inet6"
    if target != "default":
        try:
            a = ipaddress.ip_address(target)
        except ValueError:
            ctx.err.write(f"route: bad address: {target}\n")
            return 1
        for name, ifc in ifs.items():
            for e in ifc.get(family, []):
                if a in ipaddress.ip_network(f"{e['addr']}/{e['prefix']}", strict=False):
                    _print(ctx, target, target, None, None, name, "<UP,DONE,PINNED>", ifc.get("mtu", 1500))
                    return 0
    route = netif.routes(state, ctx.jid).get(family)
    if not route:
        ctx.err.write("route: route has not been found\n")
        return 1
    mtu = ifs.get(route["interface"], {}).get("mtu", 1500)
    if target == "default":
        _print(ctx, "default", "default", "default", route["gateway"], route["interface"], FLAGS_GW, mtu)
    else:
        _print(ctx, target, "default", "default", route["gateway"], route["interface"], FLAGS_GW, mtu)
    return 0
