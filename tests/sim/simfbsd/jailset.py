"""kern_jail_set() and jail_remove(2) of the simulated kernel: the checks a jail_set makes,
in sys/kern/kern_jail.c's order, creating a record, updating one, removing a jail and its
descendants.  Split from jails.py (records, the parameter catalogue, lookups), which
re-exports every name here, so callers keep writing ``jails.check_set()`` and the rest.
"""

import ipaddress

from . import kernel, netif
from .jails import (
    ALLOW,
    ALLOW_DIFFERENCES,
    MODULE_DEFAULTS,
    MODULE_OF,
    PARAMS,
    JailError,
    _alloc_jid,
    find,
    osreldate,
    relname,
)

# ------------------------------------------------------------ kern_jail_set()
# Errors the kernel returns with an errno only: libjail's jailparam_set() then makes jail_errmsg
# "jail_set: " + strerror(errno) (src: lib/libjail/jail.c jailparam_set()); strerror texts are
# FreeBSD's (lib/libc/gen/errlst.c).
EINVAL = "jail_set: Invalid argument"
EPERM = "jail_set: Operation not permitted"
ENAMETOOLONG = "jail_set: File name too long"
JAIL_MAX = 999999  # sys/sys/jail.h
JAIL_MAX_AF_IPS = 255  # kern_jail.c jail_max_af_ips (security.jail.jail_max_af_ips)


def _prison0(state):
    """prison0 as a parent: the host's securelevel, enforce_statfs 0, JAIL_MAX children, every allow.

    src: sys/kern/kern_jail.c struct prison prison0 (pr_securelevel follows kern.securelevel:
    kern_mib.c sysctl_kern_securelvl()), .pr_allow = PR_ALLOW_ALL_STATIC.
    """
    rec = {
        "jid": 0,
        "name": "0",
        "path": "/",
        "securelevel": int(state.get("sysctl", {}).get("kern.securelevel", -1)),
        "enforce_statfs": 0,
        "devfs_ruleset": 0,
        "children.max": JAIL_MAX,
        "ip4": "inherit",
        "ip6": "inherit",
        "ip4.addr": [],
        "ip6.addr": [],
        "vnet": "new",
    }
    rec.update({k: True for k in ALLOW})
    return rec


def _prison(state, jid):
    return state["jails"].get(str(jid)) if jid else _prison0(state)


def _descendants(state, jid):
    """Every live or dying descendant of jail ``jid`` (0: every jail), parents before children."""
    out = []
    todo = [jid]
    while todo:
        j = todo.pop(0)
        kids = sorted((state["jails"][k] for k in state["jails"].children(j)), key=lambda r: r["jid"])
        out += kids
        todo += [r["jid"] for r in kids]
    return out


def _ip_user(rec, fam):
    """PR_IP4_USER / PR_IP6_USER: the jail has its own address list (ip4=new or disable)."""
    return rec.get(fam, "disable") != "inherit"


def _ip_restricted(rec, fam):
    """PR_IP4 / PR_IP6 on a parent: its children's addresses must be a subset of its own."""
    if not rec.get("jid"):
        return False  # prison0 has no PR_IP4
    return _ip_user(rec, fam) or bool(rec.get(f"{fam}.addr"))


def _check_addrs(kparams):
    """The address-list checks kern_jail_set() makes before it looks at any jail."""
    for fam, addr_t, zero in (
        ("ip4", ipaddress.IPv4Address, ("0.0.0.0", "255.255.255.255")),
        ("ip6", ipaddress.IPv6Address, ("::",)),
    ):
        addrs = kparams.get(f"{fam}.addr")
        if not addrs:
            continue
        if len(addrs) > JAIL_MAX_AF_IPS:
            # src: kern_jail.c kern_jail_set(): vfs_opterror(opts, "too many IPv4 addresses")
            raise JailError(f"too many {'IPv4' if fam == 'ip4' else 'IPv6'} addresses")
        # src: kern_jail.c kern_jail_set(): "Check for duplicate addresses and do some simple
        # zero and broadcast checks" (INADDR_ANY, INADDR_BROADCAST; IN6_IS_ADDR_UNSPECIFIED):
        # EINVAL without a message.
        parsed = [addr_t(a) for a in addrs]
        if any(str(a) in zero for a in parsed) or len(set(parsed)) != len(parsed):
            raise JailError(EINVAL)


def _clash(state, fam, addrs, top, rec):
    """Whether ``addrs`` clash with a jail that prison_check_ip4/6_locked() visits below ``top``.

    The walk over FOREACH_PRISON_DESCENDANT_LOCKED (kern_jail.c kern_jail_set()) visits every
    descendant of ``top`` but skips the subtree of the jail being set, of a vnet jail, of a dying
    jail, and below a jail with its own list (its children's lists are subsets of it); each jail
    with its own list is compared.  Only jails holding one of ``addrs`` can clash, so those are
    found from the index (jailstore.JailTable.holding()) and each is checked against the same skip
    rules on its way up to ``top``: the cost follows the jails that share an address, not all jails.
    """
    jails = state["jails"]
    mine = jails.key_of(rec) if rec is not None else None
    for k in jails.holding(fam, addrs):
        _name, parent, dying, vnet, own4, own6 = jails.summary(k)
        theirs = own4 if fam == "ip4" else own6
        if k == mine or vnet or dying or (len(addrs) == 1 and len(theirs) == 1):
            continue
        reached = False
        p = parent
        while True:
            if p == top:
                reached = True
                break
            if not p or str(p) not in jails:
                break
            pk = str(p)
            _pn, pparent, pdying, pvnet, p4, p6 = jails.summary(pk)
            if pk == mine or pvnet or pdying or (p4 if fam == "ip4" else p6) is not None:
                break
            p = pparent
        if reached:
            return True
    return False


def _numeric(s):
    return s != "" and all(c in "0123456789" for c in s)


def check_set(state, ctx_jid, kparams, rec=None):
    """kern_jail_set()'s checks, in its order, before anything is set.  Raises JailError.

    ``rec`` is the jail being updated (None for a create).  Returns (parent record, the new
    jail's full name or None, its jid or 0) for a create.
    src: sys/kern/kern_jail.c kern_jail_set(); address clashes: prison_check_ip4_locked() /
    prison_check_ip6_locked() (netinet/in_jail.c, netinet6/in6_jail.c) as called there.
    """
    create = rec is None
    mypr = _prison(state, ctx_jid)
    if create and mypr.get("children.max", 0) == 0:
        raise JailError(EPERM)
    enforce = kparams.get("enforce_statfs")
    if enforce is not None and not 0 <= enforce <= 2:
        raise JailError(EINVAL)
    # pr_flag_jailsys[]: "host" and "vnet" have no disable flag: JAIL_SYS_DISABLE is EINVAL
    if any(kparams.get(p) == "disable" for p in ("host", "vnet")):
        raise JailError(EINVAL)
    if create and not kparams.get("persist"):
        # jail(8) never attaches at creation (JAIL_CREATE only; it sets persist while commands run)
        raise JailError("new jail must persist or attach")
    for p, size in (("name", 256), ("host.hostname", 256), ("host.domainname", 256), ("host.hostuuid", 64)):
        v = kparams.get(p)
        if v is not None and len(v.encode()) + 1 > size:  # len counts the NUL: len > MAXHOSTNAMELEN
            raise JailError(ENAMETOOLONG)
    _check_addrs(kparams)
    # ch_flags: PR_VNET when vnet is given at all (any value), PR_IP4_USER/PR_IP6_USER when ip4/ip6 or
    # an address list is; an existing vnet jail counts too.
    ip_given = any(k in kparams for k in ("ip4", "ip4.addr", "ip6", "ip6.addr"))
    if ip_given and ("vnet" in kparams or (rec is not None and rec.get("vnet") == "new")):
        raise JailError("vnet jails cannot have IP address restrictions")
    osrel = kparams.get("osrelease")
    if create and osrel is not None and len(osrel.encode()) >= 32:
        raise JailError("osrelease string must be 1-31 bytes long")
    if create and kparams.get("osreldate") == 0:
        raise JailError("osreldate cannot be 0")

    # Find the jail's parent.  A create keyed by a numeric name takes the number as the jid.
    jid = kparams.get("jid") or 0
    name = kparams.get("name")
    if create and jid == 0 and name is not None:
        last = name.rpartition(".")[2]
        if _numeric(last):  # strtoul(..., &p, 10) with nothing left over
            jid = int(last) if int(last) <= 0x7FFFFFFF else 0
    if jid < 0:
        raise JailError("negative jid")
    if create and jid and str(jid) in state["jails"]:
        raise JailError(f"jail {jid} already exists")
    ppr = mypr if create else _prison(state, rec.get("parent", 0))
    full = None
    if name is not None:
        head, dot, last = name.rpartition(".")
        if dot:
            if create:
                ppr = find(state, head, ctx_jid, dying=True)
                if ppr is None:
                    raise JailError(f'jail "{head}" not found')
                if ppr.get("dying"):
                    raise JailError(f'jail "{head}" is dying')
            elif head != relname(state, ctx_jid, ppr):
                raise JailError("cannot change jail's parent")
        if last:
            prefix = "" if not ppr.get("jid") else ppr["name"] + "."
            mine = state["jails"].key_of(rec)
            for k in state["jails"].named(prefix + last):  # the siblings of that name, from the index
                _tname, tparent, tdying = state["jails"].brief(k)
                if k != mine and tparent == ppr.get("jid", 0) and not tdying:
                    raise JailError(f'jail "{name}" already exists')
            full = prefix + last

    if create:
        # src: kern_jail.c: "for (tpr = mypr; tpr != NULL; tpr = tpr->pr_parent)" childcount check
        tpr = mypr
        while tpr is not None:
            if tpr.get("jid") and tpr.get("children.cur", 0) >= tpr.get("children.max", 0):
                raise JailError("prison limit exceeded")
            tpr = state["jails"].get(str(tpr.get("parent", 0))) if tpr.get("jid") else None
    else:
        for fam in ("ip4", "ip6"):
            # PR_IP4_USER & ch_flags & (pr_flags ^ pr->pr_flags)
            if f"{fam}.addr" in kparams and not _ip_user(rec, fam):
                raise JailError(f"{fam} cannot be changed after creation")

    # "Do final error checking before setting anything."
    slevel = kparams.get("securelevel")
    if slevel is not None and slevel < ppr.get("securelevel", -1):
        raise JailError(EPERM)
    childmax = kparams.get("children.max")
    if childmax is not None and childmax >= ppr.get("children.max", 0):
        raise JailError(EPERM)
    if enforce is not None and enforce < ppr.get("enforce_statfs", 0):
        raise JailError(EPERM)
    rsnum = kparams.get("devfs_ruleset")
    if rsnum is not None:
        if not 0 <= rsnum <= 65535:  # "devfs_rsnum is a uint16_t"
            raise JailError(EINVAL)
        if ctx_jid and rsnum > 0 and rsnum != ppr.get("devfs_ruleset", 0):
            raise JailError(EPERM)  # "Nested jails always inherit parent's devfs ruleset"
    for fam, what in (("ip4", "IPv4"), ("ip6", "IPv6")):
        addrs = kparams.get(f"{fam}.addr") or []
        if not addrs:
            continue
        # "Make sure the new set of IP addresses is a subset of the parent's list."
        if _ip_restricted(ppr, fam) and any(a not in ppr.get(f"{fam}.addr", []) for a in addrs):
            raise JailError(EPERM)
        # "Check for conflicting IP addresses.  We permit them if there is no more than one IP on
        # each jail.  If there is a duplicate on a jail with more than one IP stop checking and
        # return error."  Walk from the nearest vnet ancestor (or prison0); a jail with its own
        # list ends the descent (its children's lists are subsets of it).
        top = ppr
        while top.get("jid") and top.get("vnet") != "new":
            top = _prison(state, top.get("parent", 0))
        if _clash(state, fam, addrs, top.get("jid", 0), rec):
            raise JailError(f"{what} addresses clash")
    if full is not None:
        last = full.rpartition(".")[2]
        final_jid = jid if create else rec["jid"]
        # "Allow the name to be explicitly the jid - but not any other number, and only in
        # normal form (no leading zero/etc)."
        # (a create's jid is allocated before this check, so a numeric name that gave no jid fails)
        if _numeric(last) and (not final_jid or int(last) != final_jid or last[0] == "0"):
            raise JailError("name cannot be numeric (unless it is the jid)")
        if len(full.encode()) + 1 > 256:
            raise JailError(ENAMETOOLONG)
    if ppr.get("jid"):
        # pr_allow_diff = pr_allow & ~ppr->pr_allow; only PR_ALLOW_DIFFERENCES may differ
        for k, v in kparams.items():
            if k.startswith("allow.") and v is True and k not in ALLOW_DIFFERENCES and not ppr.get(k, False):
                raise JailError(EPERM)
    for k in kparams:
        if PARAMS[k][1] == "RD":
            # "At this point, all valid parameters should have been noted."
            raise JailError(f"unknown parameter: {k}")
    return ppr, full, jid


def kldload(state, names):
    """Note the kernel modules libjail loaded for these parameters (kldload_param())."""
    loaded = state.setdefault("kld", [])
    for n in names:
        mod = MODULE_OF.get(n)
        if mod and mod not in loaded:
            loaded.append(mod)


def listed(state):
    """The parameter names the kernel has now (security.jail.param.*): modules only once loaded."""
    loaded = state.get("kld", [])
    return [n for n in PARAMS if n not in MODULE_OF or MODULE_OF[n] in loaded]


def get_param(rec, key):
    """A parameter's value as kern_jail_get() reports it.

    jailsys parameters: f = pr_flags & (disable | new); DISABLE when f != 0 and f == disable,
    NEW when f == new, else INHERIT.  ip4/ip6 have disable == new == PR_IP4_USER/PR_IP6_USER, so a
    jail with its own list (ip4=new, ip4.addr given, or ip4=disable) reports "disable" and an
    ip4=inherit jail "inherit"; host (disable 0, new PR_HOST) reports "new" unless host=inherit.
    src: sys/kern/kern_jail.c kern_jail_get() pr_flag_jailsys loop, pr_flag_jailsys[].
    """
    if key in ("ip4", "ip6"):
        return "disable" if _ip_user(rec, key) else "inherit"
    if key in MODULE_DEFAULTS and key not in rec:
        return MODULE_DEFAULTS[key]
    return rec.get(key)


def new_record(state, box, ctx_jid, kparams):
    """jail_set(JAIL_CREATE): check, then create the record from imported params; returns it."""
    jails = state["jails"]
    ppr, full, jid = check_set(state, ctx_jid, kparams)
    kldload(state, kparams)
    if not jid:
        jid = _alloc_jid(state)
    release = box.get("release", "14.3-RELEASE")
    parent = ppr if ppr.get("jid") else None
    hostname = parent.get("host.hostname", "") if parent else state.get("hostname", "")
    rec = {
        "jid": jid,
        "name": str(jid),
        "path": parent["path"] if parent else "/",
        "parent": ppr.get("jid", 0),
        "host": "new",
        "host.hostname": hostname,
        "host.domainname": "",
        "host.hostuuid": "00000000-0000-0000-0000-000000000000",
        "host.hostid": 0,
        "ip4": "disable",
        "ip4.addr": [],
        "ip4.saddrsel": True,
        "ip6": "disable",
        "ip6.addr": [],
        "ip6.saddrsel": True,
        "vnet": "inherit",
        "sysvmsg": "disable",
        "sysvsem": "disable",
        "sysvshm": "disable",
        # src: kern_jail.c kern_jail_set(): pr_securelevel = ppr's, pr_devfs_rsnum = ppr's,
        # pr_enforce_statfs = jail_default_enforce_statfs, pr_allow = JAIL_DEFAULT_ALLOW & ppr's
        "securelevel": ppr.get("securelevel", -1),
        "enforce_statfs": 2,
        "devfs_ruleset": ppr.get("devfs_ruleset", 0),
        "children.max": 0,
        "children.cur": 0,
        "cpuset.id": jid + 2,
        "osreldate": osreldate(release),
        "osrelease": release,
        "persist": False,
        "dying": False,
        "_conf": {},
        "_mounts": [],
        "_aliases": [],
    }
    rec.update({k: v and bool(ppr.get(k, False)) for k, v in ALLOW.items()})
    for fam in ("ip4", "ip6"):
        # ip4=inherit without addresses: the parent's flags and list (kern_jail_set() create)
        if kparams.get(fam) == "inherit" and f"{fam}.addr" not in kparams and parent:
            rec[f"{fam}.addr"] = list(parent.get(f"{fam}.addr", []))
    apply(rec, kparams, create=True)
    rec["name"] = full if full is not None else str(jid)
    rec["jid"] = jid
    tpr = parent
    while tpr is not None:  # every ancestor counts the new jail (pr_childcount)
        tpr["children.cur"] = tpr.get("children.cur", 0) + 1
        tpr = jails.get(str(tpr.get("parent", 0)))
    jails[str(jid)] = rec
    if rec.get("vnet") == "new":
        # kern_jail_set(): a jail with ``vnet`` gets its own stack (vnet_alloc(), sys/net/vnet.c),
        # with its lo0 (sys/net/if_loop.c vnet_loif_init())
        netif.stack(state, jid)
    return rec


def apply(rec, kparams, create=False, state=None, ctx_jid=0):
    """Set imported values on a record (jail_set); on update, RDTUN ones must be unchanged.

    With ``state`` an update is checked as kern_jail_set() checks it (check_set()); without, only
    the checks that need no other jail are made.  Settings pass down to the descendants as
    kern_jail_set() does: securelevel and enforce_statfs raise theirs, devfs_ruleset replaces
    theirs, children.max caps theirs.
    """
    if state is None and not create:
        held = kernel.held_state()
        if held is not None and held["jails"].holds(rec):
            state = held  # the caller (jail(8) -m) holds the kernel lock over this record
    if not create:
        for name, value in kparams.items():
            flag = PARAMS[name][1]
            if flag == "RD":
                raise JailError(f"unknown parameter: {name}")
            if flag == "RDTUN" and rec.get(name) != value:
                raise JailError(f"{name} cannot be changed after creation")
        enforce = kparams.get("enforce_statfs")
        rsnum = kparams.get("devfs_ruleset")
        if (enforce is not None and not 0 <= enforce <= 2) or (rsnum is not None and not 0 <= rsnum <= 65535):
            raise JailError(EINVAL)
        _check_addrs(kparams)
        if state is not None:
            check_set(state, ctx_jid, {k: v for k, v in kparams.items() if k != "jid"}, rec)
            kldload(state, kparams)
    for name, value in kparams.items():
        if name in ("jid", "name"):
            continue
        rec[name] = value
    for fam in ("ip4", "ip6"):
        # a jail given addresses has its own list (PR_IP4_USER); recorded as ip4=new unless
        # ip4=disable was given with them
        if kparams.get(f"{fam}.addr") and kparams.get(fam) != "disable":
            rec[fam] = "new"
    old = rec["name"]
    if not create and "name" in kparams:
        # only the last component changes (kern_jail_set(): "Change this component of child names")
        head = old.rpartition(".")[0]
        new = kparams["name"].rpartition(".")[2]
        rec["name"] = f"{head}.{new}" if head else new
    if state is not None and not create:
        for t in _descendants(state, rec["jid"]):
            t["name"] = rec["name"] + t["name"][len(old) :]
            if "securelevel" in kparams and t.get("securelevel", -1) < kparams["securelevel"]:
                t["securelevel"] = kparams["securelevel"]
            if "enforce_statfs" in kparams and t.get("enforce_statfs", 2) < kparams["enforce_statfs"]:
                t["enforce_statfs"] = kparams["enforce_statfs"]
            if "devfs_ruleset" in kparams:
                t["devfs_ruleset"] = kparams["devfs_ruleset"]
            if "children.max" in kparams:
                # FOREACH_PRISON_DESCENDANT_LOCKED_LEVEL: a child at depth ``level`` keeps at most
                # childmax - level (0 when that is not positive)
                level, p = 1, t.get("parent", 0)
                while p != rec["jid"]:
                    level, p = level + 1, state["jails"][str(p)].get("parent", 0)
                cap = kparams["children.max"] - level if kparams["children.max"] > level else 0
                if t.get("children.max", 0) > cap:
                    t["children.max"] = cap


def remove_record(state, jid):
    """jail_remove(2): the jail, its descendants and their processes go away; returns removed records."""
    jails = state["jails"]
    removed = []
    todo = [jid]
    while todo:
        j = todo.pop()
        rec = jails.pop(str(j), None)
        if rec is None:
            continue
        removed.append(rec)
        todo.extend(int(k) for k in jails.children(j))
        state["procs"] = [p for p in state["procs"] if p.get("jid") != j]
        parent = jails.get(str(rec.get("parent", 0)))
        if parent:
            parent["children.cur"] = max(0, parent.get("children.cur", 0) - 1)
    for rec in reversed(removed):
        # The last reference to a prison with its own vnet goes: kern_jail.c prison_deref() ->
        # vnet_destroy() (sys/net/vnet.c), whose sys/net/if.c vnet_if_return() gives every
        # interface moved in back to the vnet it came from -- jail(8) runs no ``-vnet`` for
        # vnet.interface (usr.sbin/jail/jail.c stopcommands[] has no IP_VNET_INTERFACE; jail(8):
        # "The interface will automatically be released when the jail is removed").  Children
        # first, so an interface passed down to a grandchild goes back home through its vnet.
        if rec.get("vnet") == "new":
            netif.vnet_return_all(state, rec["jid"])
    return removed
