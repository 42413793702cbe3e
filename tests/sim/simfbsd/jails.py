"""Jails in the simulated kernel: records, the parameter catalogue, create/update/remove.

Kernel state: ``state["jails"][str(jid)]`` is a flat dict keyed by jail(8)
parameter names, read by jls, jexec, sysctl, sockstat, ps and the rc helpers:

  jid             int
  name            str   (defaults to str(jid); children are "parent.child")
  path            str   (absolute path inside the box; "/" by default)
  parent          int   (0 for a jail created on the host)
  host.hostname   str   (defaults to the creator's hostname)
  host.domainname, host.hostuuid str, host.hostid int
  ip4.addr        [str] plain addresses (no interface, no mask)
  ip6.addr        [str]
  ip4 / ip6 / vnet / host / sysvmsg / sysvsem / sysvshm   str jailsys value
                  ("new", "inherit", "disable")
  securelevel, enforce_statfs, devfs_ruleset, children.max, children.cur,
  cpuset.id, osreldate     int
  osrelease       str
  persist, dying, ip4.saddrsel, ip6.saddrsel, allow.*     bool
  _conf           {param: [values]} every parameter jail(8) was given, in
                  order, including pseudo-parameters (exec.*, mount.*,
                  interface, ...) as needed again by ``jail -r``
  _mounts         [target] what jail(8) mounted for the jail (unmounted at -r)
  _aliases        [[ifname, addr, prefix, family]] addresses added on the host

``state["last_jid"]`` is the last jid handed out (kern_jail.c lastprid).
"""

import ipaddress

# ------------------------------------------------------------ parameter catalogue
# name: (type, flag, default).  Types: int, str, bool, ip4, ip6 (address lists),
# jailsys, ulong.  Flags: RW, RDTUN (create-only), RD (read-only).
# src: sys/kern/kern_jail.c SYSCTL_JAIL_PARAM list; tests/fixtures/freebsd/BEHAVIOUR.md §3.
ALLOW = {
    "allow.set_hostname": True,
    "allow.sysvipc": False,
    "allow.raw_sockets": False,
    "allow.chflags": False,
    "allow.mount": False,
    "allow.quotas": False,
    "allow.socket_af": False,
    "allow.mlock": False,
    "allow.reserved_ports": True,
    "allow.read_msgbuf": False,
    "allow.unprivileged_proc_debug": False,
    "allow.suser": True,
    # 14.x additions (kern_jail.c pr_flag_allow; defaults off): UNVERIFIED list
    "allow.extattr": False,
    "allow.adjtime": False,
    "allow.settime": False,
    "allow.nfsd": False,
    # allow.mount.<fs> exist for the file systems loaded in the kernel
    "allow.mount.devfs": False,
    "allow.mount.fdescfs": False,
    "allow.mount.nullfs": False,
    "allow.mount.procfs": False,
    "allow.mount.tmpfs": False,
    "allow.mount.zfs": False,
}

PARAMS = {
    "jid": ("int", "RDTUN"),
    "parent": ("int", "RD"),
    "name": ("str", "RW"),
    "path": ("str", "RDTUN"),
    "securelevel": ("int", "RW"),
    "osreldate": ("int", "RDTUN"),
    "osrelease": ("str", "RDTUN"),
    "enforce_statfs": ("int", "RW"),
    "devfs_ruleset": ("int", "RW"),
    "persist": ("bool", "RW"),
    "vnet": ("jailsys", "RDTUN"),
    "dying": ("bool", "RD"),
    "children.cur": ("int", "RD"),
    "children.max": ("int", "RW"),
    "cpuset.id": ("int", "RD"),
    "host": ("jailsys", "RW"),
    "host.hostname": ("str", "RW"),
    "host.domainname": ("str", "RW"),
    "host.hostuuid": ("str", "RW"),
    "host.hostid": ("ulong", "RW"),
    "ip4": ("jailsys", "RDTUN"),
    "ip4.addr": ("ip4", "RW"),
    "ip4.saddrsel": ("bool", "RW"),
    "ip6": ("jailsys", "RDTUN"),
    "ip6.addr": ("ip6", "RW"),
    "ip6.saddrsel": ("bool", "RW"),
    "sysvmsg": ("jailsys", "RW"),
    "sysvsem": ("jailsys", "RW"),
    "sysvshm": ("jailsys", "RW"),
}
PARAMS.update({k: ("bool", "RW") for k in ALLOW})

# jail(8)'s own parameters (src: usr.sbin/jail/config.c intparams[]); never passed to the kernel.
PSEUDO = {
    "allow.dying": "bool",
    "command": "str",
    "depend": "str",
    "exec.clean": "bool",
    "exec.consolelog": "str",
    "exec.fib": "int",
    "exec.jail_user": "str",
    "exec.poststart": "str",
    "exec.poststop": "str",
    "exec.prepare": "str",
    "exec.prestart": "str",
    "exec.prestop": "str",
    "exec.release": "str",
    "exec.created": "str",
    "exec.start": "str",
    "exec.stop": "str",
    "exec.system_jail_user": "bool",
    "exec.system_user": "str",
    "exec.timeout": "int",
    "interface": "str",
    "ip_hostname": "bool",
    "mount": "str",
    "mount.devfs": "bool",
    "mount.fdescfs": "bool",
    "mount.procfs": "bool",
    "mount.fstab": "str",
    "stop.timeout": "int",
    "vnet.interface": "str",
}

JAILSYS = ("disable", "new", "inherit")  # src: lib/libjail/jail.c jailsys_values[]


class JailError(Exception):
    """A libjail/kernel error: ``str(exc)`` is jail_errmsg."""


def split_no(name):
    """``allow.nomount`` -> (``allow.mount``, True); ``persist`` -> (``persist``, False)."""
    head, dot, last = name.rpartition(".")
    if last.startswith("no") and (head + dot + last[2:]) in PARAMS:
        return head + dot + last[2:], True
    return name, False


def canonical(name):
    """The catalogue name of a kernel parameter (without a ``no`` prefix), or None if unknown."""
    if name in PARAMS:
        return name
    base, neg = split_no(name)
    if neg and PARAMS[base][0] == "bool":
        return base
    return None


def import_value(name, values):
    """libjail jailparam_import(): text values -> the record's value.  Raises JailError."""
    base = canonical(name)
    if base is None:
        # src: lib/libjail/jail.c jailparam_type(): "unknown parameter: %s"
        raise JailError(f"unknown parameter: {name}")
    typ = PARAMS[base][0]
    neg = base != name
    if typ == "bool":
        if not values:
            return base, not neg
        v = values[-1]
        if v.lower() in ("true", "false"):
            b = v.lower() == "true"
        else:
            try:
                b = int(v) != 0
            except ValueError:
                # src: lib/libjail/jail.c jailparam_import()
                raise JailError(f'{name}: unknown boolean value "{v}"') from None
        return base, (not b) if neg else b
    if typ in ("ip4", "ip6"):
        out = []
        joined = ",".join(values)
        if joined in ("", "-"):  # src: libjail jailparam_import(): "" or "-" is an empty array
            return base, out
        for v in joined.split(","):
            if v == "":
                continue
            try:
                addr = ipaddress.IPv4Address(v) if typ == "ip4" else ipaddress.IPv6Address(v)
            except ValueError:
                # src: lib/libjail/jail.c jailparam_import()
                fam = "IPv4" if typ == "ip4" else "IPv6"
                raise JailError(f"{name}: not an {fam} address: {v}") from None
            out.append(str(addr))
        return base, out
    v = values[-1] if values else ""
    if typ in ("int", "ulong"):
        try:
            return base, int(v, 10)
        except ValueError:
            raise JailError(f'{name}: non-integer value "{v}"') from None
    if typ == "jailsys":
        if v == "":
            return base, "new"
        if v.lower() in JAILSYS:
            return base, v.lower()
        try:
            return base, JAILSYS[int(v)]
        except (ValueError, IndexError):
            raise JailError(f'{name}: unknown jailsys value "{v}"') from None
    return base, v


def osreldate(release):
    """14.3-RELEASE -> 1403000 (sys/param.h __FreeBSD_version layout)."""
    try:
        major, minor = release.split("-")[0].split(".")
        return int(major) * 100000 + int(minor) * 1000
    except ValueError:
        return 1400000


def visible(state, jid):
    """Jails visible from a context: all on the host; descendants inside a jail."""
    jails = state["jails"]
    if not jid:
        return dict(jails)
    out = {}
    for k, j in jails.items():
        p = j.get("parent", 0)
        while p:
            if p == jid:
                out[k] = j
                break
            p = jails.get(str(p), {}).get("parent", 0)
    return out


def relname(state, ctx_jid, rec):
    """The jail's name as seen from ctx_jid (the kernel strips the viewer's own prefix)."""
    if not ctx_jid:
        return rec["name"]
    me = state["jails"].get(str(ctx_jid))
    if me and rec["name"].startswith(me["name"] + "."):
        return rec["name"][len(me["name"]) + 1 :]
    return rec["name"]


def find(state, key, ctx_jid=0, dying=False):
    """A jail by jid (numeric) or name, as jail_getid()/jail_get() look it up."""
    jails = visible(state, ctx_jid)
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        rec = jails.get(str(int(key)))
        if rec is not None and (dying or not rec.get("dying")):
            return rec
        if not isinstance(key, str) or key.isdigit():
            return None
    for rec in jails.values():
        if relname(state, ctx_jid, rec) == key and (dying or not rec.get("dying")):
            return rec
    return None


def _alloc_jid(state):
    # src: sys/kern/kern_jail.c kern_jail_set(): "Find the first free jid after the last one
    # used", counting from lastprid and wrapping at JAIL_MAX (999999) back to 1.
    last = state.get("last_jid", 0)
    jid = last
    for _unused in range(999999):
        jid = jid + 1 if jid < 999999 else 1
        if str(jid) not in state["jails"]:
            state["last_jid"] = jid
            return jid
    raise JailError("jail_set: Resource temporarily unavailable")


def new_record(state, box, ctx_jid, kparams):
    """Create the kernel record from imported params {name: value}; returns it.  Raises JailError."""
    jails = state["jails"]
    parent = jails.get(str(ctx_jid)) if ctx_jid else None
    if ctx_jid:
        # src: kern_jail.c: a jail can create children only below children.max
        if parent.get("children.max", 0) == 0:
            raise JailError("jail_set: Operation not permitted")
        if parent.get("children.cur", 0) >= parent.get("children.max", 0):
            raise JailError("prison limit exceeded")
    if kparams.get("jid"):
        jid = kparams["jid"]
        if str(jid) in jails:
            raise JailError(f"jail {jid} already exists")  # src: sys/kern/kern_jail.c kern_jail_set()
    else:
        jid = _alloc_jid(state)
    release = box.get("release", "14.3-RELEASE")
    hostname = parent.get("host.hostname", "") if parent else state.get("hostname", "")
    rec = {
        "jid": jid,
        "name": str(jid),
        "path": parent["path"] if parent else "/",
        "parent": ctx_jid or 0,
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
        "securelevel": parent.get("securelevel", -1) if parent else -1,
        "enforce_statfs": 2,
        "devfs_ruleset": 0,
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
    rec.update(ALLOW)
    apply(rec, kparams, create=True)
    if "name" in kparams and parent:
        rec["name"] = f"{parent['name']}.{kparams['name']}"
    rec["jid"] = jid
    if parent:
        parent["children.cur"] = parent.get("children.cur", 0) + 1
    jails[str(jid)] = rec
    return rec


def apply(rec, kparams, create=False):
    """Set imported values on a record (jail_set); RD params and, on update, RDTUN ones are refused."""
    for name, value in kparams.items():
        flag = PARAMS[name][1]
        if flag == "RD":
            raise JailError(f"{name}: jail_set: Operation not permitted")  # UNVERIFIED text
        if not create and flag == "RDTUN" and rec.get(name) != value:
            raise JailError(f"{name} cannot be changed after creation")
    for name, value in kparams.items():
        if name == "jid":
            continue
        rec[name] = value
        if name == "ip4.addr" and value:
            rec["ip4"] = "new"
        if name == "ip6.addr" and value:
            rec["ip6"] = "new"


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
        todo.extend(int(k) for k, r in jails.items() if r.get("parent") == j)
        state["procs"] = [p for p in state["procs"] if p.get("jid") != j]
        parent = jails.get(str(rec.get("parent", 0)))
        if parent:
            parent["children.cur"] = max(0, parent.get("children.cur", 0) - 1)
    return removed


def jail_procs(state, jid):
    return [p for p in state["procs"] if p.get("jid") == jid]


def caller_environ(environ):
    """The caller's environment, minus what the box's Python added by itself.

    Python's C-locale coercion (PEP 538) puts ``LC_CTYPE=C.UTF-8`` into the environment of a
    tool started with no locale set; a FreeBSD jexec/jail would pass no such variable on.
    (A caller who set exactly LC_CTYPE=C.UTF-8 without LANG/LC_ALL loses it too.)
    """
    env = dict(environ)
    if env.get("LC_CTYPE") == "C.UTF-8" and not env.get("LC_ALL") and env.get("LANG", "C") in ("C", "POSIX"):
        del env["LC_CTYPE"]
    return env
