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
                  ("new", "inherit", "disable") as set; ip4/ip6 are "new" once the jail has
                  addresses.  Read parameters through get_param(): it answers as
                  kern_jail_get() does (ip4/ip6 "disable" for any jail with its own list)
  allow.mount.fusefs, linux, linux.* ...  module parameters (MODULES), present once set
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
``state["kld"]`` lists the kernel modules libjail loaded for a jail parameter (MODULES).

kern_jail_set() and jail_remove(2) are in jailset.py (re-exported here).  Every jail_set goes
through check_set() (kern_jail_set()'s checks, in its order) before
anything changes: new_record() for a create, apply() for an update (apply() finds the state
through kernel.held_state() when its caller passes only the record).
"""

import ipaddress

# ------------------------------------------------------------ parameter catalogue
# name: (type, flag, default).  Types: int, str, bool, ip4, ip6 (address lists),
# jailsys, ulong.  Flags: RW, RDTUN (create-only), RD (read-only).
# src: sys/kern/kern_jail.c SYSCTL_JAIL_PARAM list; tests/fixtures/freebsd/BEHAVIOUR.md §3.
ALLOW = {
    # src: sys/kern/kern_jail.c JAIL_DEFAULT_ALLOW = PR_ALLOW_SET_HOSTNAME | PR_ALLOW_RESERVED_PORTS |
    # PR_ALLOW_UNPRIV_DEBUG | PR_ALLOW_SUSER: a new jail gets these (masked by its parent's allow).
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
    "allow.unprivileged_proc_debug": True,
    "allow.suser": True,
    # 14.x additions (kern_jail.c pr_flag_allow; defaults off): UNVERIFIED list
    "allow.extattr": False,
    "allow.adjtime": False,
    "allow.settime": False,
    "allow.nfsd": False,
    # allow.mount.<fs> exist for the jail-friendly file systems loaded in the kernel
    # (src: kern_jail.c prison_add_vfs(), called by vfs_register() for VFCF_JAIL file systems)
    "allow.mount.devfs": False,
    "allow.mount.fdescfs": False,
    "allow.mount.nullfs": False,
    "allow.mount.procfs": False,
    "allow.mount.tmpfs": False,
    "allow.mount.zfs": False,
}

# src: sys/sys/jail.h PR_ALLOW_DIFFERENCES: the only flag a child may have that its parent lacks
ALLOW_DIFFERENCES = ("allow.unprivileged_proc_debug",)

# Parameters added by kernel modules that are not in the box's kernel until loaded.  libjail
# loads the module on demand (src: lib/libjail/jail.c jailparam_type() -> kldload_param():
# "linux"/"linux.*" -> linux, "sysvmsg"/"sysvsem"/"sysvshm" -> the same name,
# "allow.mount.<fs>" (or "allow.mount.no<fs>") -> <fs>), so every libjail consumer accepts them;
# they appear in listings (jls -n, sysctl) once loaded (kernel state "kld").
# allow.mount.<fs>: the VFCF_JAIL file systems of FreeBSD 14 that are modules, as jail(8) lists them
# (fusefs: sys/fs/fuse fuse_vfsconf; linprocfs/linsysfs: PSEUDOFS(..., VFCF_JAIL)).
# linux: sys/compat/linux/linux_mib.c SYSCTL_JAIL_PARAM_SYS_NODE(linux), linux.osname,
# linux.osrelease (strings, LINUX_MAX_UTSNAME), linux.oss_version (int).
# sysvmsg/sysvsem/sysvshm are compiled into GENERIC (options SYSVMSG/SYSVSEM/SYSVSHM): always present.
MODULES = {
    "fusefs": {"allow.mount.fusefs": ("bool", "RW")},
    "linprocfs": {"allow.mount.linprocfs": ("bool", "RW")},
    "linsysfs": {"allow.mount.linsysfs": ("bool", "RW")},
    "linux": {
        "linux": ("jailsys", "RW"),
        "linux.osname": ("str", "RW"),
        "linux.osrelease": ("str", "RW"),
        "linux.oss_version": ("int", "RW"),
    },
}
# What a jail reports for a module parameter it never set: allow.* off (prison_add_allow() grants
# only prison0); linux=inherit and the host's Linux values (linux_mib.c linux_prison_get():
# a prison without its own Linux info inherits).  Host values are linux_mib.c's defaults
# (UNVERIFIED for 14.x: "Linux", LINUX_VERSION_STR "5.15.0", LINUX_OSS_VERSION 0x030600).
MODULE_DEFAULTS = {
    "allow.mount.fusefs": False,
    "allow.mount.linprocfs": False,
    "allow.mount.linsysfs": False,
    "linux": "inherit",
    "linux.osname": "Linux",
    "linux.osrelease": "5.15.0",
    "linux.oss_version": 198144,
}
MODULE_OF = {param: mod for mod, params in MODULES.items() for param in params}

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
for _mod_params in MODULES.values():
    PARAMS.update(_mod_params)

# Maximum lengths of the string parameters, counting the terminating NUL, as the kernel declares
# them (src: sys/kern/kern_jail.c SYSCTL_JAIL_PARAM_STRING(..., MAXHOSTNAMELEN / MAXPATHLEN /
# OSRELEASELEN / HOSTUUIDLEN, ...); linux_mib.c LINUX_MAX_UTSNAME); sysctl_jail_param() reports
# them as the value of security.jail.param.<name>.
STRLEN = {
    "name": 256,  # MAXHOSTNAMELEN (sys/param.h)
    "path": 1024,  # MAXPATHLEN (sys/param.h)
    "osrelease": 32,  # OSRELEASELEN (sys/jail.h)
    "host.hostname": 256,
    "host.domainname": 256,
    "host.hostuuid": 64,  # HOSTUUIDLEN (sys/jail.h)
    "linux.osname": 65,  # LINUX_MAX_UTSNAME (compat/linux/linux_mib.h)
    "linux.osrelease": 65,
}

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
    return {k: jails[k] for k in jails if jails.under(k, jid)}


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
    # From the index (jailstore.py): only the jail found is read, as prison_find()/
    # prison_find_name() walk allprison comparing jids and names (sys/kern/kern_jail.c).
    jails = state["jails"]

    def wanted(k):
        return (dying or not jails.brief(k)[2]) and (not ctx_jid or jails.under(k, ctx_jid))

    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        k = str(int(key))
        if k in jails and wanted(k):
            return jails[k]
        if not isinstance(key, str) or key.isdigit():
            return None
    prefix = ""
    if ctx_jid and str(ctx_jid) in jails:
        prefix = jails.brief(str(ctx_jid))[0] + "."
    for k in jails.named(key, prefix + key):
        name = jails.brief(k)[0]
        rel = name[len(prefix) :] if prefix and name.startswith(prefix) else name
        if rel == key and wanted(k):
            return jails[k]
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


# kern_jail_set() and jail_remove(2) live in jailset.py; callers use them as jails.NAME (re-exported here,
# after the catalogue above, which jailset.py imports).
from .jailset import (  # noqa: E402, F401  # pylint: disable=unused-import
    apply,
    check_set,
    get_param,
    kldload,
    listed,
    new_record,
    remove_record,
)
