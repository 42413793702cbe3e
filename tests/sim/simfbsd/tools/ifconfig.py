"""ifconfig(8): FreeBSD 14 output of the simulated interfaces (simfbsd/netif/).

# src: sbin/ifconfig/ifconfig.c status(), af_inet.c in_status(), af_inet6.c in6_status()
Format (FreeBSD 14): ``NAME: flags=HEX<FLAGS> metric 0 mtu N``, tab-indented ``options=``,
``ether``, ``inet A netmask 0xMASK broadcast B``, ``inet6 A[%IF] prefixlen N[ scopeid 0xI]``,
``media:``, ``status:``, ``nd6 options=``.  Order inet before inet6 is UNVERIFIED.
Inside a jail only the jail's addresses are shown; a jail with its own vnet sees its own stack
(netif.stack()): its lo0 and the interfaces moved in.  Cloned interfaces (``create``/``destroy``),
bridge members (``addm``/``deletem``) and vnet moves (``vnet``/``-vnet``) are kept in
simfbsd/netif/.
"""

import ipaddress

from .. import bsdgetopt, kernel, kstate, netif

FLAG_BITS = {"UP": 0x1, "BROADCAST": 0x2, "LOOPBACK": 0x8, "POINTOPOINT": 0x10, "RUNNING": 0x40,
             "PROMISC": 0x100, "SIMPLEX": 0x800, "MULTICAST": 0x8000, "LOWER_UP": 0x1000000}  # fmt: skip
FLAG_ORDER = ["UP", "BROADCAST", "LOOPBACK", "POINTOPOINT", "RUNNING", "PROMISC", "SIMPLEX", "MULTICAST", "LOWER_UP"]
OPTIONS = {
    "vtnet": "options=4c07bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,TSO6,LRO,"
    "VLAN_HWTSO,LINKSTATE,TXCSUM_IPV6>",
    "lo": "options=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>",
    # src: sys/net/if_epair.c epair_setup_ifp(): if_capenable = IFCAP_VLAN_MTU
    "epair": "options=8<VLAN_MTU>",
    # a bridge has no capabilities of its own (printed as FreeBSD 14 does: UNVERIFIED)
    "bridge": "options=0",
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
    """Addresses this context may see: all on the host and in a vnet jail, the jail's own otherwise."""
    if not ctx.jid or netif.vnet_owner(state, ctx.jid):
        return None
    jail = kstate.jail(state, ctx.jid) or {}
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


def _kind(name, ifc):
    if ifc.get("kind"):
        return ifc["kind"]
    return "lo" if name.startswith("lo") else "vtnet"


def _bridge_lines(ifs, ifc):
    """sbin/ifconfig/ifbridge.c bridge_status(): STP parameters (defaults of if_bridge.c / bstp.c:
    priority 32768, hellotime 2, fwddelay 15, maxage 20, holdcnt 6, rstp, maxaddr 2000, timeout
    1200; the id lines as FreeBSD 14 prints them before STP runs: UNVERIFIED) and each member:
    flags LEARNING|DISCOVER from bridge_ioctl_add() + AUTOEDGE|AUTOPTP (bstp_create()), port =
    the member's if_index, priority 128, path cost 2000 for a 10 Gbit/s member (bstp.c
    bstp_calc_path_cost())."""
    lines = [
        "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15",
        "\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200",
        "\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0",
    ]
    for m in ifc.get("members", []):
        mi = ifs.get(m, {})
        lines.append(f"\tmember: {m} flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>")
        lines.append(f"\t        ifmaxaddr 0 port {mi.get('index', 0)} priority 128 path cost 2000")
    return lines


def status(ctx, state, name, ifc, index, ifs=None):
    allowed = _visible(ctx, state)
    lines = [f"{name}: {_flags(ifc)} metric 0 mtu {ifc.get('mtu', 1500)}"]
    kind = _kind(name, ifc)
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
    if kind == "bridge":
        lines += _bridge_lines(ifs if ifs is not None else kstate.host_ifaces(state), ifc)
    if kind == "lo":
        lines.append("\tgroups: " + " ".join(ifc.get("groups", ["lo"])))
        lines.append("\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>")
    elif kind == "bridge":
        lines.append("\tgroups: " + " ".join(ifc.get("groups", ["bridge"])))
        # a bridge gets no automatic link-local address (sys/netinet6/in6_ifattach.c)
        lines.append("\tnd6 options=9<PERFORMNUD,IFDISABLED>")
    else:
        if ifc.get("groups"):
            lines.append("\tgroups: " + " ".join(ifc["groups"]))
        if kind == "epair":
            # src: sys/net/if_epair.c epair_media_status(): IFM_ETHER | IFM_10G_T | IFM_FDX, active
            lines.append("\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)")
        else:
            lines.append("\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)")
        lines.append("\tstatus: active")
        if ifc.get("ipv6"):
            lines.append("\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>")
        else:
            lines.append("\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>")
    return "\n".join(lines)


def _ordered(ifs):
    return netif.ordered({"ifaces": ifs})


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "adlmuvLC")  # src: sbin/ifconfig/ifconfig.c main() (the options modelled)
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    letters, args = parsed
    opts = {c for c, _v in letters}
    if "l" in opts:
        state = kernel.read_state()
        ctx.print(" ".join(n for n, _i in _ordered(netif.stack(state, ctx.jid))))
        return 0
    if not args or "a" in opts:
        state = kernel.read_state()
        ifs = netif.stack(state, ctx.jid)
        family = args[0] if args else None
        out = []
        for name, ifc in _ordered(ifs):
            if "u" in opts and "UP" not in ifc.get("flags", []):
                continue
            text = status(ctx, state, name, ifc, ifc.get("index") or _index(ifs, name), ifs)
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
        ifs = netif.stack(state, ctx.jid)
        if name not in ifs:
            ctx.warnx(f"interface {name} does not exist")
            return 1
        ctx.print(status(ctx, state, name, ifs[name], ifs[name].get("index") or _index(ifs, name), ifs))
        return 0
    with kernel.Kernel() as k:
        # a jail without its own vnet has no network privileges; one with ``vnet`` has them in its
        # stack (src: sys/kern/kern_jail.c prison_priv_check(): PRIV_NET_IFCREATE, _IFDESTROY,
        # _ADDIFADDR, _SETIFFLAGS, _SETIFVNET, _BRIDGE ... granted to a PR_VNET prison)
        if ctx.jid and not netif.vnet_owner(k.state, ctx.jid):
            what = {"create": "SIOCIFCREATE2", "plumb": "SIOCIFCREATE2", "destroy": "SIOCIFDESTROY",
                    "vnet": "SIOCSIFVNET", "-vnet": "SIOCSIFRVNET"}.get(args[0], "ioctl (SIOCAIFADDR)")  # fmt: skip
            ctx.warnx(f"{what}: Operation not permitted")
            return 1
        try:
            return _change(ctx, k.state, name, args)
        except netif.NetifError as exc:
            ctx.warnx(str(exc))
            return 1


def _index(ifs, name):
    return [n for n, _i in _ordered(ifs)].index(name) + 1


def _change(ctx, state, name, args):
    """One ifconfig command line on interface ``name``, in the caller's stack.

    src: sbin/ifconfig/ifconfig.c main(): ``create``/``plumb`` and ``-vnet`` as the first word are
    taken before the interface is looked up (it does not exist yet / lives in another vnet);
    otherwise an unknown interface is ``interface %s does not exist``.  ifclone.c
    ifclonecreate(): a name the kernel changed (``epair`` -> ``epair0a``) is printed, after the
    rest of the line was applied to it.
    """
    ifs = netif.stack(state, ctx.jid)
    printname = None
    if args[0] in ("create", "plumb"):
        new = netif.clone_create(state, name, ctx.jid)
        args = args[1:]
        if new != name:
            printname = new
        name = new
    elif args[0] == "-vnet":
        if len(args) < 2:
            ctx.warnx("'-vnet' requires argument")
            return 1
        netif.vnet_reclaim(state, name, args[1], ctx.jid)
        return 0
    ifc = netif.iface_in(ifs, name)
    try:
        rc = _words(ctx, state, ifs, name, ifc, args)
    finally:
        if printname:
            ctx.print(printname)
    return rc


def _words(ctx, state, ifs, name, ifc, args):
    view = {"ifaces": ifs}  # the address helpers work on one stack
    while args:
        w = args[0]
        if w in ("destroy", "unplumb"):
            netif.clone_destroy(state, name, ctx.jid)
            return 0
        if w == "vnet":
            if len(args) < 2:
                ctx.warnx("'vnet' requires argument")
                return 1
            netif.vnet_move(state, name, args[1], ctx.jid)
            args = args[2:]
            continue
        if w in ("addm", "deletem") and len(args) > 1:
            if ifc.get("kind") != "bridge":
                # SIOCSDRVSPEC on a non-bridge: ether_ioctl() -> EINVAL
                op = "BRDGADD" if w == "addm" else "BRDGDEL"
                raise netif.NetifError(f"{op} {args[1]}: {netif.EINVAL_TEXT}")
            netif.apply_words(state, name, args[:2], ctx.jid)
            args = args[2:]
            continue
        if w in ("up", "down"):
            netif.set_up(ifc, w == "up")
            args = args[1:]
            continue
        if w in ("ether", "lladdr", "link") and len(args) > 1:
            _lladdr(ifc, args[1])
            args = args[2:]
            continue
        if w == "mtu" and len(args) > 1:
            ifc["mtu"] = int(args[1])
            args = args[2:]
            continue
        return _address(ctx, state, view, ifs, name, ifc, args)
    return 0


def _lladdr(ifc, text):
    """``ifconfig IF ether|lladdr|link ADDR``: set the link-level address (SIOCSIFLLADDR).

    src: sbin/ifconfig/af_link.c af_ether/af_lladdr/af_link (af_aifaddr SIOCSIFLLADDR) and
    link_getaddr() -> link_addr(3) (hex digits, ``:`` or ``.`` between the bytes); the kernel's
    sys/net/if.c if_setlladdr() refuses a length other than the interface's (6 for Ethernet,
    none for a loopback) with EINVAL.  The words ``random`` and the error text printed for
    EINVAL (taken as ``ioctl (SIOCAIFADDR)``) are UNVERIFIED; ``random`` is not modelled.
    """
    parts = text.replace(".", ":").split(":")
    ok = len(parts) == 6 and all(1 <= len(p) <= 2 and all(c in "0123456789abcdefABCDEF" for c in p) for p in parts)
    if not ok or not ifc.get("ether"):
        raise netif.NetifError(f"ioctl (SIOCAIFADDR): {netif.EINVAL_TEXT}")
    ifc["ether"] = ":".join(f"{int(p, 16):02x}" for p in parts)


def _address(ctx, state, view, ifs, name, ifc, args):
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
        netif.remove_alias(view, name, addr, family)
    else:
        if "alias" in rest or "add" in rest or family == "inet6":
            netif.add_alias(view, name, addr, prefix, family)
        else:
            netif.set_primary(view, name, addr, prefix, family)
        # SIOCSIFADDR brings the interface up: sys/net/if_ethersubr.c ether_ioctl() /
        # sys/net/if_loop.c loioctl() set IFF_UP (and start the driver)
        netif.set_up(ifc)
    # the words after the address are taken in order as well (sbin/ifconfig/ifconfig.c main()
    # walks every argument): up/down, mtu, addm/deletem on a bridge
    netif.apply_words(state, name, [w for w in rest if w not in ("alias", "-alias", "add", "delete")], ctx.jid)
    return 0
