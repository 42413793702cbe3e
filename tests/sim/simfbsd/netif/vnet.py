"""Interfaces moved between vnets (ifconfig ``vnet``/``-vnet``).

src: sys/net/if.c if_vmove*(), sys/net/vnet.c vnet_destroy().
"""

from .clone import _destroy, _detach_member
from .errors import EEXIST_TEXT, ENXIO_TEXT, NetifError
from .stack import _attach, set_up, stack


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
    from .. import jails

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
    from .. import jails

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
