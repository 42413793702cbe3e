"""route(8): ``route [-n] get [-inet|-inet6] default|ADDR`` from the simulated routing table, and
``route [-nq] add|delete [-inet|-inet6] default [GATEWAY]`` on the default route of the caller's stack
(the host's, or a vnet jail's own: netif.routes()).

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
    quiet = "-q" in args
    args = [a for a in args if a not in ("-n", "-q", "-v")]
    if quiet:
        opts = [*opts, ("q", None)]
    family = "inet"
    if "-inet6" in args or "-6" in args or ("6", None) in opts:
        family = "inet6"
    args = [a for a in args if a not in ("-inet", "-inet6", "-4", "-6")]
    if args and args[0] in ("add", "delete"):
        return _change(ctx, args, family, ("q", None) in opts)
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


def _result(ctx, cmd, dest, gateway, errmsg=None):
    """src: sbin/route/route.c newroute(): ``add net default: gateway GW`` on success; on a failure
    the same words, `` fib 0`` and ``: <why>`` (ESRCH "not in table", EEXIST "route already in
    table", else strerror()); on stdout in both cases, unless -q."""
    line = f"{cmd} net {dest}" + (f": gateway {gateway}" if gateway else "")
    if errmsg is not None:
        line += f" fib 0: {errmsg}"
    ctx.print(line)


def _change(ctx, args, family, quiet):
    """``route add default GW`` / ``route delete default`` (only the default route is modelled).

    src: sbin/route/route.c newroute() and rtmsg(): a write refused with EPERM is fatal
    (err(1, "writing to routing socket")); ESRCH warns ``route has not been found``; EEXIST is
    reported by newroute() only; any other errno warns ``writing to routing socket: <strerror>``.
    The kernel (sys/net/route/route_ctl.c rib_add_route(), nhop_ctl.c) refuses a gateway that no
    connected network of the stack reaches with ENETUNREACH; a jail without its own vnet has no
    PRIV_NET_ROUTE (sys/kern/kern_jail.c prison_priv_check()).
    """
    cmd = args[0]
    rest = args[1:]
    if not rest:
        ctx.warnx("destination parameter required")  # route.c newroute()
        ctx.err.write("usage: route [-46dnqtv] command [[modifiers] args]\n")
        return 64
    dest = rest[0]
    gateway = rest[1] if len(rest) > 1 else ""
    if dest != "default" or (cmd == "add" and not gateway):
        ctx.warnx(f"only the default route is simulated: {' '.join(args)} (UNVERIFIED)")
        return 1
    with kernel.Kernel() as k:
        state = k.state
        if ctx.jid and not netif.vnet_owner(state, ctx.jid):
            ctx.warnx("writing to routing socket: Operation not permitted")
            return 1
        table = netif.routes(state, ctx.jid)
        if cmd == "delete":
            if not table.get(family):
                ctx.warnx("route has not been found")
                if not quiet:
                    _result(ctx, cmd, dest, gateway, "not in table")
                return 1
            del table[family]
            if not quiet:
                _result(ctx, cmd, dest, gateway)
            return 0
        try:
            gw = ipaddress.ip_address(gateway)
        except ValueError:
            ctx.warnx(f"bad address: {gateway}")  # route.c getaddr(): errx(EX_NOHOST, ...)
            return 68
        if table.get(family):
            if not quiet:
                _result(ctx, cmd, dest, gateway, "route already in table")
            return 1
        ifs = netif.stack(state, ctx.jid)
        via = next(
            (
                name
                for name, ifc in netif.ordered({"ifaces": ifs})
                if "UP" in ifc.get("flags", [])
                for e in ifc.get(family, [])
                if gw in ipaddress.ip_network(f"{e['addr']}/{e['prefix']}", strict=False)
            ),
            None,
        )
        if via is None:
            ctx.warnx("writing to routing socket: Network is unreachable")
            if not quiet:
                _result(ctx, cmd, dest, gateway, "Network is unreachable")
            return 1
        table[family] = {"gateway": str(gw), "interface": via}
        if not quiet:
            _result(ctx, cmd, dest, gateway)
        return 0
