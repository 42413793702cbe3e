"""Network interfaces and routes in the kernel state (``ifaces``, ``routes``).

``state["ifaces"][IF]["inet"]``  = [{"addr": "192.0.2.10", "prefix": 24}, ...]   (first = primary)
``state["ifaces"][IF]["inet6"]`` = [{"addr": "fe80::1", "prefix": 64, "scope": "lo0"}, ...]
``state["routes"]`` = {"inet": {"gateway": ADDR, "interface": IF}, "inet6": {...}}  (default routes)

Other parts (the jails helper) call, with the state already locked:
  add_alias(state, ifname, addr, prefix, family)     family "inet" or "inet6"
  remove_alias(state, ifname, addr, family)
both raise NetifError(message) with ifconfig(8)'s text (without the ``ifconfig: `` prefix).
"""

import ipaddress


class NetifError(Exception):
    pass


def _norm(addr, family):
    try:
        return str(ipaddress.ip_address(addr.split("%")[0]))
    except ValueError:
        raise NetifError(f"{addr}: bad value") from None


def ordered(state):
    """Interfaces in the order the stack's list has them: vtnet0, lo0, then each interface in the
    order it was attached to this vnet (``seq``: created or moved in).

    src: sys/net/if.c if_link_ifnet() appends to V_ifnet (CK_STAILQ_INSERT_TAIL), both at
    if_attach() and when if_vmove() attaches an interface to another vnet; ifconfig lists V_ifnet.
    """

    def key(item):
        name, ifc = item
        return (ifc.get("seq") or {"vtnet0": 1, "lo0": 2}.get(name, 100), name)

    return sorted(state["ifaces"].items(), key=key)


def iface(state, ifname):
    ifc = state["ifaces"].get(ifname)
    if ifc is None:
        raise NetifError(f"interface {ifname} does not exist")
    return ifc


def find(state, addr, family):
    """(ifname, entry) holding ``addr``, or (None, None)."""
    a = _norm(addr, family)
    for name, ifc in state["ifaces"].items():
        for e in ifc.get(family, []):
            if e["addr"] == a:
                return name, e
    return None, None


def add_alias(state, ifname, addr, prefix, family="inet"):
    """ifconfig IF inet ADDR/prefix alias (SIOCAIFADDR / SIOCAIFADDR_IN6)."""
    ifc = iface(state, ifname)
    a = _norm(addr, family)
    prefix = int(prefix if prefix is not None else (32 if family == "inet" else 64))
    for e in ifc.setdefault(family, []):
        if e["addr"] == a:
            if e["prefix"] == prefix:
                return e
            e["prefix"] = prefix
            return e
    other, _where = find(state, a, family)
    if other is not None:
        raise NetifError(f"ioctl ({'SIOCAIFADDR' if family == 'inet' else 'SIOCAIFADDR_IN6'}): File exists")
    e = {"addr": a, "prefix": prefix}
    if family == "inet6" and ipaddress.ip_address(a).is_link_local:
        e["scope"] = ifname
    ifc[family].append(e)
    return e


def remove_alias(state, ifname, addr, family="inet"):
    """ifconfig IF inet ADDR -alias (SIOCDIFADDR)."""
    ifc = iface(state, ifname)
    a = _norm(addr, family)
    before = len(ifc.get(family, []))
    ifc[family] = [e for e in ifc.get(family, []) if e["addr"] != a]
    if len(ifc[family]) == before:
        raise NetifError(
            f"ioctl ({'SIOCDIFADDR' if family == 'inet' else 'SIOCDIFADDR_IN6'}): Can't assign requested address"
        )


def set_primary(state, ifname, addr, prefix, family="inet"):
    """ifconfig IF inet ADDR/prefix (no alias): replaces the first address of the family."""
    ifc = iface(state, ifname)
    lst = ifc.setdefault(family, [])
    a = _norm(addr, family)
    lst[:] = [e for e in lst if e["addr"] != a]
    if lst and family == "inet":
        lst.pop(0)
    lst.insert(0, {"addr": a, "prefix": int(prefix)})


def mask_to_prefix(mask):
    if mask.lower().startswith("0x"):
        n = int(mask, 16)
        return bin(n).count("1")
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def link_local(ether):
    """The EUI-64 fe80:: address of a MAC (AUTO_LINKLOCAL)."""
    b = [int(x, 16) for x in ether.split(":")]
    b[0] ^= 2
    eui = [*b[:3], 0xFF, 0xFE, *b[3:]]
    groups = [f"{(eui[i] << 8) | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(groups)))


def configure_from_rc(state, rc, jid=0):
    """rc.d/netif + rc.d/routing: lo0, cloned_interfaces, ifconfig_IF, _aliasN, _aliases, _ipv6,
    defaultrouter -- on the host, or in the stack of vnet jail ``jid`` (both scripts are
    ``KEYWORD: nojailvnet``: they run in a jail's /etc/rc when it has its own vnet)."""
    ifs = stack(state, jid)
    view = {"ifaces": ifs}
    lo = ifs["lo0"]
    lo["inet"] = [{"addr": "127.0.0.1", "prefix": 8}]
    lo["inet6"] = [{"addr": "::1", "prefix": 128}, {"addr": "fe80::1", "prefix": 64, "scope": "lo0"}]
    set_up(lo)
    clone_up(state, rc, jid)
    for name, ifc in list(ifs.items()):
        if name == "lo0":
            continue
        cfg = rc.get(f"ifconfig_{name}", "")
        _apply(state, view, name, cfg, True, jid)
        n = 0
        while f"ifconfig_{name}_alias{n}" in rc:
            _apply(state, view, name, rc[f"ifconfig_{name}_alias{n}"], False, jid)
            n += 1
        for spec in _split_aliases(rc.get(f"ifconfig_{name}_aliases", "")):
            _apply(state, view, name, spec, False, jid)
        v6 = rc.get(f"ifconfig_{name}_ipv6", "")
        if v6 or rc.get("ipv6_activate_all_interfaces", "").upper() == "YES":
            ifc["ipv6"] = True
            if ifc.get("ether"):
                ifc["inet6"].insert(0, {"addr": link_local(ifc["ether"]), "prefix": 64, "scope": name})
            _apply(state, view, name, v6, False, jid)
    table = routes(state, jid)
    gw = rc.get("defaultrouter", "")
    if gw and gw.upper() != "NO":
        table["inet"] = {"gateway": gw, "interface": _iface_for(view, gw) or ("vtnet0" if not jid else "lo0")}
    gw6 = rc.get("ipv6_defaultrouter", "")
    if gw6 and gw6.upper() != "NO":
        table["inet6"] = {
            "gateway": gw6,
            "interface": _iface_for(view, gw6, "inet6") or ("vtnet0" if not jid else "lo0"),
        }


def routes(state, jid=0):
    """The default routes of the stack jail ``jid`` uses: state["routes"] on the host,
    state["vnet_routes"][owner] for a vnet jail (each vnet has its own routing tables)."""
    owner = vnet_owner(state, jid)
    if not owner:
        return state.setdefault("routes", {})
    return state.setdefault("vnet_routes", {}).setdefault(str(owner), {})


def _iface_for(state, gw, family="inet"):
    try:
        g = ipaddress.ip_address(gw.split("%")[0])
    except ValueError:
        return None
    for name, ifc in state["ifaces"].items():
        for e in ifc.get(family, []):
            if g in ipaddress.ip_network(f"{e['addr']}/{e['prefix']}", strict=False):
                return name
    return None


def _split_aliases(text):
    """ifconfig_IF_aliases: ``inet A/N inet B/N`` -> one spec per ``inet``/``inet6`` keyword."""
    words = text.split()
    out, cur = [], []
    for w in words:
        if w in ("inet", "inet6") and cur:
            out.append(" ".join(cur))
            cur = []
        cur.append(w)
    if cur:
        out.append(" ".join(cur))
    return out


def parse_spec(words):
    """``[inet|inet6] ADDR[/len] [netmask M|prefixlen N] ...`` -> (family, addr, prefix, rest)."""
    words = list(words)
    family = None
    if words and words[0] in ("inet", "inet6"):
        family = words.pop(0)
    if not words or words[0].upper() in ("DHCP", "SYNCDHCP", "UP", "DOWN"):
        return family, None, None, words
    addr = words.pop(0)
    prefix = None
    if "/" in addr:
        addr, p = addr.split("/", 1)
        prefix = int(p)
    family = family or ("inet6" if ":" in addr else "inet")
    rest = []
    while words:
        w = words.pop(0)
        if w == "netmask" and words:
            prefix = mask_to_prefix(words.pop(0))
        elif w == "prefixlen" and words:
            prefix = int(words.pop(0))
        else:
            rest.append(w)
    if prefix is None:
        prefix = 64 if family == "inet6" else _classful(addr)
    return family, addr, prefix, rest


def _classful(addr):
    first = int(addr.split(".")[0]) if addr.count(".") == 3 and addr.split(".")[0].isdigit() else 0
    return 8 if first < 128 else 16 if first < 192 else 24


# rc.conf words that are network.subr's own, not ifconfig's (ifconfig_getargs() drops them)
RC_WORDS = ("DHCP", "SYNCDHCP", "NOSYNCDHCP", "NOAUTO", "WPA", "HOSTAP", "UP")
# ifconfig(8) keywords apply_words() takes (the rest of a line is an address spec)
WORDS = ("up", "down", "mtu", "addm", "deletem")


def _apply(state, view, name, cfg, primary, jid=0):
    words = cfg.split()
    if primary:
        words = [w for w in words if w.upper() not in RC_WORDS]
    try:
        if words and words[0] in WORDS:
            apply_words(state, name, words, jid)
            addr = None
        else:
            family, addr, prefix, rest = parse_spec(words)
            apply_words(state, name, rest, jid)
        if addr is not None:
            if primary and family == "inet":
                set_primary(view, name, addr, prefix, family)
            else:
                add_alias(view, name, addr, prefix, family)
        if primary and cfg.strip():
            # network.subr ifconfig_up(): an interface with ifconfig_IF set ends ``ifconfig IF up``
            set_up(view["ifaces"][name])
    except (NetifError, ValueError):
        pass


# ------------------------------------------------------------------ cloned interfaces and VNET
# Cloned interfaces carry ``kind`` ("epair", "bridge", "lo"), ``unit``, ``home`` (the jid of the
# vnet that created them, 0 for the host: ifp->if_home_vnet) and ``index`` (if_index, global in
# 14.x: if_vmove() keeps it).  An epair end has ``peer`` (the other end's name); a bridge has
# ``members`` (names, newest first: bridge_ioctl_add() LIST_INSERT_HEAD) and a member ``bridge``.
# The stacks: the host's is state["ifaces"]; a jail created with ``vnet`` has its own,
# state["vnets"][str(jid)], made with its own lo0 (sys/net/if_loop.c vnet_loif_init(): every vnet
# gets a down, address-less lo0).  A jail without ``vnet`` uses its nearest vnet ancestor's.

EPERM_TEXT = "Operation not permitted"
# strerror(3) texts (lib/libc/gen/errlst.c)
EEXIST_TEXT = "File exists"
EINVAL_TEXT = "Invalid argument"
ENXIO_TEXT = "Device not configured"
ENOENT_TEXT = "No such file or directory"
EBUSY_TEXT = "Device busy"

CLONERS = ("epair", "bridge", "lo")


def vnet_owner(state, jid):
    """The jid whose network stack a process of jail ``jid`` uses (0: the host's).

    src: sys/kern/kern_jail.c kern_jail_set(): a jail with ``vnet`` (PR_VNET) gets a new vnet
    (vnet_alloc()), any other shares its parent's pr_vnet.
    """
    jails = state.get("jails", {})
    while jid:
        rec = jails.get(str(jid))
        if rec is None:
            return 0
        if rec.get("vnet") == "new":
            return jid
        jid = rec.get("parent", 0)
    return 0


def stack(state, jid=0):
    """The interfaces of the stack a process of jail ``jid`` sees ({name: ifc}, the live dict)."""
    owner = vnet_owner(state, jid)
    if not owner:
        return state["ifaces"]
    vnets = state.setdefault("vnets", {})
    if str(owner) not in vnets:
        # src: sys/net/if_loop.c vnet_loif_init(): lo0 of a new vnet, LOOPBACK|MULTICAST, down
        vnets[str(owner)] = {
            "lo0": {"flags": ["LOOPBACK", "MULTICAST"], "mtu": 16384, "inet": [], "inet6": [],
                    "kind": "lo", "unit": 0, "home": owner, "groups": ["lo"], "index": _alloc_index(state)},
        }  # fmt: skip
        _attach(state, vnets[str(owner)]["lo0"])
    return vnets[str(owner)]


def _all_stacks(state):
    yield 0, state["ifaces"]
    for k, v in sorted(state.get("vnets", {}).items(), key=lambda kv: int(kv[0])):
        yield int(k), v


def _attach(state, ifc):
    """Number an interface as the newest of its stack's list (if_link_ifnet(): at the tail)."""
    state["if_seq"] = max(state.get("if_seq", 2), 2) + 1
    ifc["seq"] = state["if_seq"]
    return ifc


def _alloc_index(state):
    """if_index: the lowest free slot (sys/net/if.c ifindex_alloc(); the table is global in 14.x)."""
    used = {1, 2}  # vtnet0 and lo0 of the host
    for _o, ifs in _all_stacks(state):
        used.update(i["index"] for i in ifs.values() if i.get("index"))
    n = 1
    while n in used:
        n += 1
    return n


def _units(state, kind, home):
    """Units the cloner ``kind`` of vnet ``home`` holds (its unr(9) set: ifc_alloc_unit())."""
    out = set()
    for _o, ifs in _all_stacks(state):
        for i in ifs.values():
            if i.get("kind") == kind and i.get("home", 0) == home:
                out.add(i["unit"])
    if kind == "lo":
        out.add(0)  # lo0 of every vnet is the lo cloner's unit 0
    return out


def _fake_mac(prefix, *seed):
    """A stable stand-in for a hashed MAC (the real hash mixes the hostid: not reproducible here)."""
    import zlib

    h = zlib.crc32("|".join(str(s) for s in seed).encode())
    return [*prefix, (h >> 24) & 0xFF, (h >> 16) & 0xFF, (h >> 8) & 0xFF, h & 0xFF]


def _mac_text(b):
    return ":".join(f"{x:02x}" for x in b)


def clone_create(state, name, jid=0):
    """SIOCIFCREATE2 in the caller's vnet; returns the name the kernel gave (ifconfig prints it
    when it differs: sbin/ifconfig/ifclone.c ifclonecreate()).  Raises NetifError("SIOCIFCREATE2:
    <strerror>") as ifclone.c err(1, "SIOCIFCREATE2") does.
    """
    ifs = stack(state, jid)
    home = vnet_owner(state, jid)
    kind = next((k for k in CLONERS if name.startswith(k)), None)
    tail = name[len(kind) :] if kind else ""
    # src: sys/net/if_clone.c ifc_name2unit(): digits only, no leading zero
    if kind is None or (tail and (not tail.isdigit() or (tail[0] == "0" and len(tail) > 1))):
        # sys/net/if_epair.c epair_clone_match() refuses epair<n>[ab]; no cloner matches -> EINVAL
        raise NetifError(f"SIOCIFCREATE2: {EINVAL_TEXT}")
    held = _units(state, kind, home)
    if tail:
        unit = int(tail)
        if unit in held:  # ifc_alloc_unit(): alloc_unr_specific() fails -> EEXIST
            raise NetifError(f"SIOCIFCREATE2: {EEXIST_TEXT}")
    else:
        unit = 0
        while unit in held or (kind != "epair" and f"{kind}{unit}" in ifs):
            unit += 1  # if_clone.c ifc_alloc_unit(): a wildcard retries while the name exists
    if kind == "epair":
        # src: sys/net/if_epair.c epair_handle_unit(): EEXIST if epair<n>b or epair<n>a exists;
        # epair_clone_create(): <n>a then <n>b, both BROADCAST|SIMPLEX|MULTICAST (epair_setup_ifp()),
        # IFCAP_VLAN_MTU, running with the link up (epair_set_state()); MACs 02:<hash>:0a and the
        # same with 0b (epair_generate_mac(), epair_clone_add())
        a, b = f"epair{unit}a", f"epair{unit}b"
        if a in ifs or b in ifs:
            raise NetifError(f"SIOCIFCREATE2: {EEXIST_TEXT}")
        mac = _fake_mac([0x02], state.get("hostname", ""), home, unit, _alloc_index(state))
        for end, peer, last in ((a, b, 0x0A), (b, a, 0x0B)):
            ifs[end] = {"flags": ["BROADCAST", "RUNNING", "SIMPLEX", "MULTICAST"], "mtu": 1500,
                        "ether": _mac_text([*mac, last]), "inet": [], "inet6": [],
                        "kind": "epair", "unit": unit, "home": home, "peer": peer, "groups": ["epair"],
                        "index": _alloc_index(state)}  # fmt: skip
            _attach(state, ifs[end])
        return a
    new = f"{kind}{unit}"
    if new in ifs:
        raise NetifError(f"SIOCIFCREATE2: {EEXIST_TEXT}")
    if kind == "lo":
        # src: sys/net/if_loop.c lo_clone_create(): IFF_LOOPBACK|IFF_MULTICAST, LOMTU 16384, down
        ifc = {"flags": ["LOOPBACK", "MULTICAST"], "mtu": 16384, "groups": ["lo"]}
    else:
        # src: sys/net/if_bridge.c bridge_clone_create(): IFF_BROADCAST|IFF_SIMPLEX|IFF_MULTICAST,
        # ETHERMTU, a generated address (ether_gen_addr(): FreeBSD's OUI 58:9c:fc)
        mac = _fake_mac([0x58, 0x9C, 0xFC], state.get("hostname", ""), home, new)
        mac[3] = 0x10 | (mac[3] & 0x0F)
        ifc = {"flags": ["BROADCAST", "SIMPLEX", "MULTICAST"], "mtu": 1500, "ether": _mac_text(mac[:6]),
               "members": [], "groups": ["bridge"]}  # fmt: skip
    ifc.update({"inet": [], "inet6": [], "kind": kind, "unit": unit, "home": home, "index": _alloc_index(state)})
    ifs[new] = _attach(state, ifc)
    return new


def _detach_member(state, ifs, name):
    """bridge_ifdetach() / bridge_delete_member(): out of its bridge, promiscuous mode off."""
    ifc = ifs.get(name)
    if not ifc or not ifc.get("bridge"):
        return
    br = ifs.get(ifc.pop("bridge"))
    if br is not None:
        br["members"] = [m for m in br.get("members", []) if m != name]
    if "PROMISC" in ifc.get("flags", []):
        ifc["flags"].remove("PROMISC")


def clone_destroy(state, name, jid=0):
    """SIOCIFDESTROY (sys/net/if_clone.c if_clone_destroy()): only cloned interfaces, not lo0.

    An epair goes with both ends, wherever the other end is (sys/net/if_epair.c
    epair_clone_destroy() destroys oifp in its own vnet); a bridge lets its members go
    (bridge_clone_destroy() -> bridge_delete_member()); a member leaves its bridge.
    """
    ifs = stack(state, jid)
    ifc = ifs.get(name)
    if ifc is None:
        raise NetifError(f"interface {name} does not exist")
    if not ifc.get("kind") or (ifc["kind"] == "lo" and ifc.get("unit") == 0):
        # if_clone_destroy(): no cloner for vtnet0 -> EINVAL; lo_clone_destroy(): unit 0 -> EINVAL
        raise NetifError(f"SIOCIFDESTROY: {EINVAL_TEXT}")
    _destroy(state, ifs, name)


def _destroy(state, ifs, name):
    ifc = ifs.get(name)
    if ifc is None:
        return
    _detach_member(state, ifs, name)
    for m in list(ifc.get("members", [])):
        _detach_member(state, ifs, m)
    del ifs[name]
    if ifc.get("kind") == "epair":
        for _o, other in _all_stacks(state):
            peer = other.get(ifc["peer"])
            if (
                peer is not None
                and peer.get("peer") == name
                and peer.get("unit") == ifc["unit"]
                and peer.get("home", 0) == ifc.get("home", 0)
            ):
                _detach_member(state, other, ifc["peer"])
                del other[ifc["peer"]]
                break


def bridge_add(state, bridge, member, jid=0):
    """ifconfig BRIDGE addm IF (sbin/ifconfig/ifbridge.c setbridge_add(): err(1, "BRDGADD %s")).

    src: sys/net/if_bridge.c bridge_ioctl_add(): ENOENT for an unknown interface (in the bridge's
    vnet), EEXIST if already a member of this bridge, EBUSY of another, EINVAL unless Ethernet
    (IFT_ETHER/IFT_L2VLAN/IFT_GIF) or when the MTU differs from the first member's; the member is
    put in promiscuous mode, flags LEARNING|DISCOVER (+ bstp_create()'s AUTOEDGE|AUTOPTP).
    """
    ifs = stack(state, jid)
    br = ifs[bridge]
    ifc = ifs.get(member)
    if ifc is None:
        raise NetifError(f"BRDGADD {member}: {ENOENT_TEXT}")
    if ifc.get("bridge") == bridge:
        raise NetifError(f"BRDGADD {member}: {EEXIST_TEXT}")
    if ifc.get("bridge"):
        raise NetifError(f"BRDGADD {member}: {EBUSY_TEXT}")
    if "LOOPBACK" in ifc.get("flags", []) or ifc.get("kind") == "bridge":
        raise NetifError(f"BRDGADD {member}: {EINVAL_TEXT}")
    if br.get("members"):
        if br.get("mtu", 1500) != ifc.get("mtu", 1500):
            raise NetifError(f"BRDGADD {member}: {EINVAL_TEXT}")
    else:
        br["mtu"] = ifc.get("mtu", 1500)  # "Allow the first Ethernet member to define the MTU"
    br.setdefault("members", []).insert(0, member)
    ifc["bridge"] = bridge
    if "PROMISC" not in ifc.setdefault("flags", []):
        ifc["flags"].append("PROMISC")


def bridge_delete(state, bridge, member, jid=0):
    """ifconfig BRIDGE deletem IF: bridge_ioctl_del(): ENOENT unless a member (``BRDGDEL %s``)."""
    ifs = stack(state, jid)
    if member not in ifs.get(bridge, {}).get("members", []):
        raise NetifError(f"BRDGDEL {member}: {ENOENT_TEXT}")
    _detach_member(state, ifs, member)


def set_up(ifc, up=True):
    """ifconfig IF up/down (SIOCSIFFLAGS).  Up starts the driver: loop (if_loop.c loioctl()) and
    bridge (if_bridge.c bridge_init()) become RUNNING; an epair is running from its creation."""
    flags = ifc.setdefault("flags", [])
    if up:
        if "UP" not in flags:
            flags.insert(0, "UP")
        if (ifc.get("kind") in ("lo", "bridge") or "LOOPBACK" in flags) and "RUNNING" not in flags:
            flags.append("RUNNING")
    else:
        if "UP" in flags:
            flags.remove("UP")
        if ifc.get("kind") == "bridge" and "RUNNING" in flags:
            flags.remove("RUNNING")  # bridge_stop()


def _vmove(state, src, name, dst):
    """if_vmove() (sys/net/if.c): if_detach_internal(ifp, vmove) takes the interface down, drops
    its addresses and lets bridge_ifdetach() take it out of its bridge (the
    ifnet_departure_event); if_attach_internal() puts it in the other vnet, same name and index."""
    _detach_member(state, src, name)
    ifc = src.pop(name)
    set_up(ifc, up=False)
    ifc["inet"], ifc["inet6"] = [], []
    ifc.pop("ipv6", None)
    dst[name] = _attach(state, ifc)  # if_attach_internal(ifp, true, ifc) gives a cloned one its cloner's group back


def vnet_move(state, ifname, jail_key, ctx_jid=0):
    """``ifconfig IF vnet JAIL`` (SIOCSIFVNET) from a process of jail ``ctx_jid``.

    src: sbin/ifconfig/ifconfig.c setifvnet(): jail_getid(JAIL) or errx(jail_errmsg), then
    err(1, "SIOCSIFVNET"); sys/net/if.c if_vmove_loan(): the jail must be a child of the caller's
    (prison_find_child(), else ENXIO), in another vnet (EEXIST: a jail without ``vnet`` shares
    its parent's), with no interface of that name (EEXIST).  jail(8) runs exactly this command for
    each ``vnet.interface`` after exec.created (usr.sbin/jail/command.c run_command()
    IP_VNET_INTERFACE; usr.sbin/jail/jail.c startcommands[]).
    """
    from . import jails

    src = stack(state, ctx_jid)
    if ifname not in src:
        raise NetifError(f"interface {ifname} does not exist")
    rec = jails.find(state, jail_key, ctx_jid)
    if rec is None:
        raise NetifError(f'jail "{jail_key}" not found')  # lib/libjail/jail.c jail_getid()
    if rec["jid"] == ctx_jid:
        raise NetifError(f"SIOCSIFVNET: {ENXIO_TEXT}")  # prison_find_child() never finds oneself
    dst = stack(state, rec["jid"])
    if dst is src or ifname in dst:
        raise NetifError(f"SIOCSIFVNET: {EEXIST_TEXT}")
    _vmove(state, src, ifname, dst)


def vnet_reclaim(state, ifname, jail_key, ctx_jid=0):
    """``ifconfig IF -vnet JAIL`` (SIOCSIFRVNET): take an interface back from a child's vnet.

    src: sbin/ifconfig/ifconfig.c setifrvnet() / main() (``-vnet`` is special-cased because the
    interface is not in the caller's vnet); sys/net/if.c if_vmove_reclaim(): ENXIO if the jail is
    not the caller's child or the interface is not in its vnet, EEXIST if that vnet is the caller's.
    """
    from . import jails

    rec = jails.find(state, jail_key, ctx_jid)
    if rec is None:
        raise NetifError(f'jail "{jail_key}" not found')
    if rec["jid"] == ctx_jid:
        raise NetifError(f"SIOCSIFRVNET: {ENXIO_TEXT}")
    src = stack(state, rec["jid"])
    if ifname not in src:
        raise NetifError(f"SIOCSIFRVNET: {ENXIO_TEXT}")
    dst = stack(state, ctx_jid)
    if dst is src:
        raise NetifError(f"SIOCSIFRVNET: {EEXIST_TEXT}")
    if ifname in dst:
        raise NetifError(f"SIOCSIFRVNET: {EEXIST_TEXT}")
    _vmove(state, src, ifname, dst)


def vnet_return_all(state, jid):
    """The vnet of jail ``jid`` goes away (the jail is removed): sys/net/vnet.c vnet_destroy()
    runs the VNET_SYSUNINITs: sys/net/if.c vnet_if_return() moves every interface whose home is
    another vnet back there (if_vmove(ifp, ifp->if_home_vnet)); the vnet's own cloned interfaces
    are destroyed with its cloners (sys/net/if_epair.c vnet_epair_uninit(), if_clone.c
    ifc_detach_cloner()), lo0 with the vnet.  jails.remove_record() calls this for each removed
    jail that had ``vnet``.
    """
    vnets = state.get("vnets", {})
    ifs = vnets.get(str(jid))
    if ifs is None:
        return
    for name in sorted(ifs):
        ifc = ifs.get(name)
        if ifc is None:
            continue
        home = ifc.get("home", 0)
        if home != jid:
            dst = state["ifaces"] if not home else vnets.get(str(home))
            if dst is not None and name not in dst:
                _vmove(state, ifs, name, dst)
                continue
    for name in list(ifs):
        _destroy(state, ifs, name)
    vnets.pop(str(jid), None)
    state.get("vnet_routes", {}).pop(str(jid), None)


def clone_up(state, rc, jid=0):
    """rc.d/netif network_start() -> network.subr clone_up(): ``ifconfig IF create`` for each of
    rc.conf's cloned_interfaces (``epairN`` makes epairNa/epairNb: list_net_interfaces())."""
    for ifn in rc.get("cloned_interfaces", "").split():
        try:
            clone_create(state, ifn, jid)
        except NetifError:
            pass


def apply_words(state, name, words, jid=0):
    """The non-address words of an ifconfig command line that rc.conf may hold (``up``,
    ``down``, ``mtu N``, ``addm IF``, ``deletem IF``); returns the words it did not take."""
    ifs = stack(state, jid)
    ifc = iface_in(ifs, name)
    rest = []
    words = list(words)
    while words:
        w = words.pop(0)
        if w in ("up", "down"):
            set_up(ifc, w == "up")
        elif w == "mtu" and words:
            ifc["mtu"] = int(words.pop(0))
        elif w in ("addm", "deletem") and words and ifc.get("kind") == "bridge":
            (bridge_add if w == "addm" else bridge_delete)(state, name, words.pop(0), jid)
        else:
            rest.append(w)
    return rest


def iface_in(ifs, ifname):
    ifc = ifs.get(ifname)
    if ifc is None:
        raise NetifError(f"interface {ifname} does not exist")
    return ifc
