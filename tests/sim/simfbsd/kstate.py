"""Named access to the kernel state, for the tools: what they read and write, without its keys.

``kernel.Kernel().state`` and ``kernel.read_state()`` are a dict (kernel.py lists every key, its
type and the module that owns it).  The owners work on their keys directly: jails.py and
jailset.py (``jails``, ``last_jid``, ``kld``), netif/ (``ifaces``, ``vnets``, ``routes``,
``vnet_routes``, ``if_seq``), mounts.py (``mounts``), devfsrules.py (``devfs_rulesets``),
kernel.py (``procs``, ``next_pid``).  Everything else (tools/, rc.py, rcd/, daemons/, boot.py) goes
through the functions here.  Nothing here locks: pass a state the caller read or holds.

A jail record is a dict of jail(8) parameter names (``jid``, ``name``, ``path``,
``host.hostname``, ``ip4.addr``, ``vnet``, ``securelevel``, ``allow.*``, ...; see jails.py); a
process is ``{pid, ppid, jid, user, command, args, sockets}``.
"""


# ------------------------------------------------------------------ jails


def jails(state):
    """The running jails, ``{str(jid): record}`` (a jailstore.JailTable: records read on use)."""
    return state["jails"]


def jail(state, jid):
    """The record of jail ``jid`` (int or str), None when there is no such jail."""
    return state["jails"].get(str(jid))


def find_jail(state, spec):
    """``(jid, record)`` of the jail whose jid or name is the command-line word ``spec``, else
    ``(None, None)`` (the lookup of ``service -j``, ``sysrc -j``, ``ps -J``, ``pgrep -j``)."""
    for jid, rec in state["jails"].items():
        if spec in (jid, rec.get("name")):
            return int(jid), rec
    return None, None


# ------------------------------------------------------------------ processes


def procs(state):
    """The processes, in pid order (a new list)."""
    return sorted(state.get("procs", []), key=lambda p: p["pid"])


# ------------------------------------------------------------------ host


def hostname(state):
    """The host's kern.hostname as the kernel holds it ("" or None before the first sethostname)."""
    return state.get("hostname")


def set_hostname(state, name):
    state["hostname"] = name


def boottime(state):
    """kern.boottime (seconds since the epoch) once the box has booted, else None."""
    return state.get("boottime")


def set_boottime(state, when):
    state["boottime"] = when


def sysctl_value(state, oid, default=None):
    """A writable sysctl's value as set on the host (sysctl(8), rc.d/sysctl), else ``default``."""
    return state.get("sysctl", {}).get(oid, default)


def set_sysctl(state, oid, value):
    state.setdefault("sysctl", {})[oid] = value


def host_ifaces(state):
    """The host's network stack, ``{ifname: iface}`` (a vnet jail's: netif.stack())."""
    return state["ifaces"]


# ------------------------------------------------------------------ sockets


def listener(state, addr, port, proto="tcp"):
    """``(process, laddr)`` of the socket a connection to ``addr:port`` reaches, else None: a socket
    bound to ``addr`` first, then a wildcard one -- a jail's only for an address of that jail (its
    wildcard bind is bound to its addresses, daemons/_common.py bind_addr()), the host's for any.
    # src: sys/netinet/in_pcb.c in_pcblookup_hash_locked(): exact match before wildcard."""
    wild = None
    for p in procs(state):
        for s in p.get("sockets", []):
            if not s.get("proto", "").startswith(proto) or int(s.get("lport", 0)) != int(port):
                continue
            if s["laddr"] == addr:
                return p, addr
            if s["laddr"] == "*" and wild is None:
                rec = jail(state, p["jid"]) if p["jid"] else None
                owned = rec is None or addr in _jail_ip4(rec) or not _jail_ip4(rec)
                if owned:
                    wild = (p, "*")
    return wild


def _jail_ip4(rec):
    addrs = rec.get("ip4.addr") or []
    return [str(a).rsplit("|", maxsplit=1)[-1].split("/")[0] for a in (addrs if isinstance(addrs, list) else [addrs])]
