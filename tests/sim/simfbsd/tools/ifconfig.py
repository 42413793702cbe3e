"""ifconfig(8): FreeBSD 14 output of the simulated interfaces (simfbsd/netif.py).

# src: sbin/ifconfig/ifconfig.c status(), af_inet.c in_status(), af_inet6.c in6_status()
Format (FreeBSD 14): ``NAME: flags=HEX<FLAGS> metric 0 mtu N``, tab-indented ``options=``,
``ether``, ``inet A netmask 0xMASK broadcast B``, ``inet6 A[%IF] prefixlen N[ scopeid 0xI]``,
``media:``, ``status:``, ``nd6 options=``.  Order inet before inet6 is UNVERIFIED.
Inside a jail only the jail's addresses are shown.
"""

import ipaddress

from .. import kernel, netif

FLAG_BITS = {"UP": 0x1, "BROADCAST": 0x2, "LOOPBACK": 0x8, "POINTOPOINT": 0x10, "RUNNING": 0x40,
             "PROMISC": 0x100, "SIMPLEX": 0x800, "MULTICAST": 0x8000, "LOWER_UP": 0x1000000}  # fmt: skip
FLAG_ORDER = ["UP", "BROADCAST", "LOOPBACK", "POINTOPOINT", "RUNNING", "PROMISC", "SIMPLEX", "MULTICAST", "LOWER_UP"]
OPTIONS = {
    "vtnet": "options=4c07bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,TSO6,LRO,"
    "VLAN_HWTSO,LINKSTATE,TXCSUM_IPV6>",
    "lo": "options=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>",
}
USAGE = (
    "usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface address_family\n"
    "                [address [dest_address]] [parameters]\n"
    "       ifconfig [-j jail] interface create\n"
    "       ifconfig [-j jail] -a [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v] [address_family]\n"
    "       ifconfig [-j jail] -l [-d] [-u] [address_family]\n"
    "       ifconfig [-j jail] [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v]\n"
)


def _flags(ifc):
    names = list(ifc.get("flags", []))
    if "RUNNING" in names and "LOWER_UP" not in names:
        names.append("LOWER_UP")
    names = [n for n in FLAG_ORDER if n in names]
    bits = sum(FLAG_BITS[n] for n in names)
    return f"flags={bits:x}<{','.join(names)}>"


def _visible(ctx, state):
    """Addresses this context may see: all on the host, the jail's own inside a jail."""
    if not ctx.jid:
        return None
    jail = state["jails"].get(str(ctx.jid), {})
    allowed = set()
    for key in ("ip4.addr", "ip6.addr"):
        v = jail.get(key) or []
        if isinstance(v, str):
            v = v.split(",")
        for a in v:
            a = a.strip().split("|")[-1].split("/")[0].split("%")[0]
            if a:
                allowed.add(str(ipaddress.ip_address(a)))
    return allowed


def status(ctx, state, name, ifc, index):
    allowed = _visible(ctx, state)
    lines = [f"{name}: {_flags(ifc)} metric 0 mtu {ifc.get('mtu', 1500)}"]
    kind = "lo" if name.startswith("lo") else "vtnet"
    lines.append("\t" + OPTIONS[kind])
    if ifc.get("ether"):
        lines.append(f"\tether {ifc['ether']}")
    for e in ifc.get("inet", []):
        if allowed is not None and e["addr"] not in allowed:
            continue
        net = ipaddress.IPv4Network(f"{e['addr']}/{e['prefix']}", strict=False)
        line = f"\tinet {e['addr']} netmask 0x{int(net.netmask):08x}"
        if "BROADCAST" in ifc.get("flags", []):
            bcast = net.broadcast_address if e["prefix"] < 31 else ipaddress.IPv4Address(e["addr"])
            line += f" broadcast {bcast}"
        lines.append(line)
    for e in ifc.get("inet6", []):
        if allowed is not None and e["addr"] not in allowed:
            continue
        if e.get("scope"):
            lines.append(f"\tinet6 {e['addr']}%{name} prefixlen {e['prefix']} scopeid 0x{index:x}")
        else:
            lines.append(f"\tinet6 {e['addr']} prefixlen {e['prefix']}")
    if kind == "lo":
        lines.append("\tgroups: lo")
        lines.append("\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>")
    else:
        lines.append("\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)")
        lines.append("\tstatus: active")
        if ifc.get("ipv6"):
            lines.append("\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>")
        else:
            lines.append("\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>")
    return "\n".join(lines)


def main(ctx, argv):
    args = list(argv)
    opts = set()
    while args and args[0].startswith("-") and len(args[0]) > 1 and args[0][1:].isalpha() and len(args) >= 1:
        if args[0] in ("-alias",):
            break
        for c in args[0][1:]:
            if c not in "adlmuvLC":
                ctx.err.write(f"ifconfig: illegal option -- {c}\n{USAGE}")
                return 1
            opts.add(c)
        args.pop(0)
    if "l" in opts:
        state = kernel.read_state()
        ctx.print(" ".join(n for n, _i in netif.ordered(state)))
        return 0
    if not args or "a" in opts:
        state = kernel.read_state()
        family = args[0] if args else None
        out = []
        for i, (name, ifc) in enumerate(netif.ordered(state), 1):
            if "u" in opts and "UP" not in ifc.get("flags", []):
                continue
            text = status(ctx, state, name, ifc, i)
            if family in ("inet", "inet6"):
                keep = [ln for ln in text.split("\n") if not ln.startswith("\tinet") or ln.startswith(f"\t{family} ")]
                text = "\n".join(keep)
            out.append(text)
        if out:
            ctx.print("\n".join(out))
        return 0
    name = args.pop(0)
    if not args:
        state = kernel.read_state()
        if name not in state["ifaces"]:
            ctx.warnx(f"interface {name} does not exist")
            return 1
        index = [n for n, _i in netif.ordered(state)].index(name) + 1
        ctx.print(status(ctx, state, name, state["ifaces"][name], index))
        return 0
    if ctx.jid:
        ctx.warnx("ioctl (SIOCAIFADDR): Operation not permitted")
        return 1
    with kernel.Kernel() as k:
        try:
            return _change(ctx, k.state, name, args)
        except netif.NetifError as exc:
            ctx.warnx(str(exc))
            return 1


def _change(ctx, state, name, args):
    ifc = netif.iface(state, name)
    if args[0] in ("up", "down"):
        flags = ifc.setdefault("flags", [])
        if args[0] == "up" and "UP" not in flags:
            flags.insert(0, "UP")
        if args[0] == "down" and "UP" in flags:
            flags.remove("UP")
        return 0
    if args[0] == "mtu" and len(args) > 1:
        ifc["mtu"] = int(args[1])
        return 0
    try:
        family, addr, prefix, rest = netif.parse_spec(args)
    except ValueError:
        ctx.warnx(f"{args[-1]}: bad value")
        return 1
    if addr is None:
        return 0
    try:
        ipaddress.ip_address(addr.split("%")[0])
    except ValueError:
        ctx.warnx("error in parsing address string: hostname nor servname provided, or not known")
        return 1
    if "-alias" in rest or "delete" in rest:
        netif.remove_alias(state, name, addr, family)
    elif "alias" in rest or "add" in rest or family == "inet6":
        netif.add_alias(state, name, addr, prefix, family)
    else:
        netif.set_primary(state, name, addr, prefix, family)
    return 0
