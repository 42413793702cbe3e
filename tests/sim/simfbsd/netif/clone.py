"""Cloned interfaces: sys/net/if_clone.c, if_epair.c, if_loop.c, if_bridge.c; sbin/ifconfig/ifclone.c, ifbridge.c.

Cloned interfaces carry ``kind`` ("epair", "bridge", "lo"), ``unit``, ``home`` (the jid of the
vnet that created them, 0 for the host: ifp->if_home_vnet) and ``index`` (if_index, global in
14.x: if_vmove() keeps it).  An epair end has ``peer`` (the other end's name); a bridge has
``members`` (names, newest first: bridge_ioctl_add() LIST_INSERT_HEAD) and a member ``bridge``.
"""

from .errors import EBUSY_TEXT, EEXIST_TEXT, EINVAL_TEXT, ENOENT_TEXT, NetifError
from .stack import _all_stacks, _alloc_index, _attach, stack, vnet_owner

CLONERS = ("epair", "bridge", "lo")


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
