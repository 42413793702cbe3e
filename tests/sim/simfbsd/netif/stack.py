"""The network stacks (sys/net/if.c, sys/net/vnet.c): the host's interface list and one per vnet jail.

The stacks: the host's is state["ifaces"]; a jail created with ``vnet`` has its own,
state["vnets"][str(jid)], made with its own lo0 (sys/net/if_loop.c vnet_loif_init(): every vnet
gets a down, address-less lo0).  A jail without ``vnet`` uses its nearest vnet ancestor's.
"""

from .errors import NetifError


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


def routes(state, jid=0):
    """The default routes of the stack jail ``jid`` uses: state["routes"] on the host,
    state["vnet_routes"][owner] for a vnet jail (each vnet has its own routing tables)."""
    owner = vnet_owner(state, jid)
    if not owner:
        return state.setdefault("routes", {})
    return state.setdefault("vnet_routes", {}).setdefault(str(owner), {})


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


def iface_in(ifs, ifname):
    ifc = ifs.get(ifname)
    if ifc is None:
        raise NetifError(f"interface {ifname} does not exist")
    return ifc
