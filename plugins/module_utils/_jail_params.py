# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Validation of the jail module's options and their mapping to jail.conf parameters (pure).

``desired_jails(params)`` checks every option of every jail (messages name
the field: ``jails[3].ip4_addr: '10.0.0.300' is not IPv4``) and returns one
``Wanted`` per jail, whose ``block`` is the ordered set of jail.conf
parameters its block must say.  Nothing here touches the host.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re

from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

STATES = ("present", "started", "stopped", "restarted", "absent")

# Options that belong to one jail: in batch mode they are only valid inside jails[].
IDENTITY_OPTIONS = ("path", "hostname", "ip4_addr", "ip6_addr", "interface", "vnet_interface", "jid_file")
# Options that the top level passes on to every jail of jails[] that does not set them.
INHERITED_OPTIONS = (
    "state",
    "vnet",
    "devfs_ruleset",
    "mount_devfs",
    "enforce_statfs",
    "securelevel",
    "allow",
    "persist",
    "depend",
    "exec_prepare",
    "exec_prestart",
    "exec_created",
    "exec_start",
    "exec_poststart",
    "exec_prestop",
    "exec_stop",
    "exec_poststop",
    "exec_release",
    "exec_clean",
    "exec_jail_user",
    "exec_system_jail_user",
    "exec_system_user",
    "params",
)
JAIL_OPTION_NAMES = ("name", *IDENTITY_OPTIONS, *INHERITED_OPTIONS)

EXEC_HOOKS = (
    ("exec_prepare", "exec.prepare"),
    ("exec_prestart", "exec.prestart"),
    ("exec_created", "exec.created"),
    ("exec_start", "exec.start"),
    ("exec_poststart", "exec.poststart"),
    ("exec_prestop", "exec.prestop"),
    ("exec_stop", "exec.stop"),
    ("exec_poststop", "exec.poststop"),
    ("exec_release", "exec.release"),
)

# allow.* flags of FreeBSD 14 (jail(8); module-dependent ones included).
ALLOW_KEYS = frozenset(
    (
        "set_hostname",
        "sysvipc",
        "raw_sockets",
        "chflags",
        "mount",
        "mount.devfs",
        "mount.fdescfs",
        "mount.fusefs",
        "mount.linprocfs",
        "mount.linsysfs",
        "mount.nullfs",
        "mount.procfs",
        "mount.tmpfs",
        "mount.zfs",
        "quotas",
        "read_msgbuf",
        "socket_af",
        "mlock",
        "nfsd",
        "reserved_ports",
        "unprivileged_proc_debug",
        "suser",
        "vmm",
        "extattr",
        "adjtime",
        "settime",
        "routing",
        "dying",
    )
)

# jail.conf parameters the module's own options write; params: may not set them.
MANAGED_KEYS = frozenset(
    (
        "name",
        "jid",
        "path",
        "host.hostname",
        "ip4.addr",
        "ip6.addr",
        "interface",
        "vnet",
        "vnet.interface",
        "devfs_ruleset",
        "mount.devfs",
        "enforce_statfs",
        "securelevel",
        "persist",
        "depend",
        "exec.clean",
        "exec.jail_user",
        "exec.system_jail_user",
        "exec.system_user",
        *(k for _o, k in EXEC_HOOKS),
    )
)
OPTION_OF_KEY = {
    "path": "path",
    "host.hostname": "hostname",
    "ip4.addr": "ip4_addr",
    "ip6.addr": "ip6_addr",
    "interface": "interface",
    "vnet": "vnet",
    "vnet.interface": "vnet_interface",
    "devfs_ruleset": "devfs_ruleset",
    "mount.devfs": "mount_devfs",
    "enforce_statfs": "enforce_statfs",
    "securelevel": "securelevel",
    "persist": "persist",
    "depend": "depend",
    "exec.clean": "exec_clean",
    "exec.jail_user": "exec_jail_user",
    "exec.system_jail_user": "exec_system_jail_user",
    "exec.system_user": "exec_system_user",
}
OPTION_OF_KEY.update({k: o for o, k in EXEC_HOOKS})

_NAME_PART = re.compile(r"[A-Za-z0-9_-]+")
_PARAM_KEY = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_IFACE = re.compile(r"[A-Za-z0-9_.-]+")
_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\$?")


class Wanted:
    """One jail as the task wants it."""

    def __init__(self, name, state, block, path, jid_file, field):
        self.name = name
        self.state = state
        self.block = block  # ordered dict of jail.conf parameters
        self.path = path
        self.jid_file = jid_file
        self.field = field  # "name" or "jails[3]": prefix for messages

    def __repr__(self):
        return f"Wanted({self.name!r}, {self.state!r})"


def _fail(field, msg):
    raise JailsError(f"{field}: {msg}")


def _shell_balanced(s):
    """True if ``s`` has no unterminated sh quote."""
    q = None
    i = 0
    while i < len(s):
        c = s[i]
        if q is None:
            if c == "\\":
                i += 1
            elif c in "'\"":
                q = c
        elif q == '"' and c == "\\":
            i += 1
        elif c == q:
            q = None
        i += 1
    return q is None


def check_value(field, value):
    """A string that is safe to write into jail.conf."""
    if not isinstance(value, str):
        value = str(value)
    for bad, what in (("\n", "a newline"), ("\r", "a carriage return"), (";", "';'"), ("{", "'{'"), ("}", "'}'")):
        if bad in value:
            _fail(field, f"{value!r} contains {what}, which would break jail.conf")
    if not _shell_balanced(value):
        _fail(field, f"{value!r} has an unbalanced quote")
    if "\0" in value:
        _fail(field, f"{value!r} contains a NUL byte")
    return value


def check_name(field, name, known=()):
    if name is None or name == "":
        _fail(field, "a jail name must not be empty")
    if not isinstance(name, str):
        name = str(name)
    if name.isdigit():
        _fail(field, f"{name!r} is numeric: jail(8) would take it for a jid")
    parts = name.split(".")
    for part in parts:
        if not _NAME_PART.fullmatch(part):
            _fail(field, f"{name!r} is not a valid jail name (letters, digits, '_' and '-' only)")
    if len(parts) > 1:
        parent = ".".join(parts[:-1])
        if parent not in known:
            _fail(
                field,
                f"{name!r} contains '.', which jail(8) reads as a child of jail {parent!r}; "
                f"that jail is not configured, running or listed",
            )
    return name


def check_path(field, path):
    if not isinstance(path, str) or not path.startswith("/"):
        _fail(field, f"{path!r} is not an absolute path")
    norm = posixpath.normpath(path)
    if norm in ("/", "//"):
        _fail(field, "'/' cannot be a jail's root: give the jail its own directory")
    check_value(field, path)
    return norm


def check_ip(field, item, version):
    if not isinstance(item, str) or not item:
        _fail(field, f"{item!r} is not an IPv{version} address")
    rest = item
    iface = None
    if "|" in rest:
        iface, rest = rest.split("|", 1)
        if not _IFACE.fullmatch(iface):
            _fail(field, f"{item!r}: {iface!r} is not an interface name")
    addr, slash, mask = rest.partition("/")
    try:
        ip = ipaddress.IPv4Address(addr) if version == 4 else ipaddress.IPv6Address(addr)
    except ValueError:
        _fail(field, f"{item!r} is not IPv{version}")
    if slash:
        ok = mask.isdigit() and int(mask) <= (32 if version == 4 else 128)
        if not ok and version == 4:
            try:
                ipaddress.IPv4Address(mask)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            _fail(field, f"{item!r}: {mask!r} is not a netmask")
    return (iface + "|" if iface else "") + str(ip) + (slash + mask)


def _check_list(field, values):
    if values is None:
        return None
    return [check_value(f"{field}[{i}]", v) for i, v in enumerate(values)]


def _check_user(field, user):
    if user is None:
        return None
    if not _USER.fullmatch(user):
        _fail(field, f"{user!r} is not a user name")
    return user


def _allow_key(field, key):
    k = key[len("allow.") :] if key.startswith("allow.") else key
    if k.startswith("no") and k[2:] in ALLOW_KEYS:
        _fail(field, f"{key!r}: write {k[2:]!r}: false instead of the 'no' form")
    if k not in ALLOW_KEYS:
        _fail(field, f"{key!r} is not a known allow.* parameter")
    return "allow." + k


def _param_value(field, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return [check_value(f"{field}[{i}]", str(v)) for i, v in enumerate(value)]
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        _fail(field, "a value is required (use true/false for booleans)")
    return check_value(field, value)


def _bool_of(v):
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in ("true", "1", "yes", "on")


def jail_block(prefix, o, warnings):
    """The ordered jail.conf parameters for one jail's merged options ``o``.

    ``prefix`` starts every field name in messages (``""`` or ``"jails[3]."``).
    """
    who = prefix.rstrip(".") or "jail " + str(o.get("name"))
    b = {}
    b["path"] = o["path"]
    if o.get("hostname") is not None:
        b["host.hostname"] = check_value(f"{prefix}hostname", o["hostname"])
    if o.get("ip4_addr"):
        b["ip4.addr"] = [check_ip(f"{prefix}ip4_addr", a, 4) for a in o["ip4_addr"]]
    if o.get("ip6_addr"):
        b["ip6.addr"] = [check_ip(f"{prefix}ip6_addr", a, 6) for a in o["ip6_addr"]]
    if o.get("interface") is not None:
        if not _IFACE.fullmatch(o["interface"]):
            _fail(f"{prefix}interface", f"{o['interface']!r} is not an interface name")
        b["interface"] = o["interface"]
    if o.get("vnet"):
        b["vnet"] = "new"
    if o.get("vnet_interface"):
        if not o.get("vnet"):
            _fail(f"{prefix}vnet_interface", "needs vnet: true")
        for i, itf in enumerate(o["vnet_interface"]):
            if not _IFACE.fullmatch(itf):
                _fail(f"{prefix}vnet_interface[{i}]", f"{itf!r} is not an interface name")
        b["vnet.interface"] = list(o["vnet_interface"])
    if o.get("mount_devfs") is not None:
        b["mount.devfs"] = bool(o["mount_devfs"])
    rs = o.get("devfs_ruleset")
    if rs is not None:
        if rs < 0:
            _fail(f"{prefix}devfs_ruleset", f"{rs} is not a ruleset number")
        if rs != 4:
            warnings.append(
                f"{prefix}devfs_ruleset={rs} widens the jail's /dev beyond ruleset 4 (devfsrules_jail)"
                if rs == 0
                else f"{prefix}devfs_ruleset={rs} replaces the default ruleset 4 (devfsrules_jail): "
                "make sure it hides what it should"
            )
        b["devfs_ruleset"] = str(rs)
    es = o.get("enforce_statfs")
    if es is not None:
        if es not in (0, 1, 2):
            _fail(f"{prefix}enforce_statfs", f"{es} is not 0, 1 or 2")
        if es < 2:
            warnings.append(f"{prefix}enforce_statfs={es} lets the jail see mount points outside its root")
        b["enforce_statfs"] = str(es)
    sl = o.get("securelevel")
    if sl is not None:
        if not -1 <= sl <= 3:
            _fail(f"{prefix}securelevel", f"{sl} is out of range (-1..3)")
        b["securelevel"] = str(sl)
    allow = {}
    for key, val in (o.get("allow") or {}).items():
        k = _allow_key(f"{prefix}allow", key)
        allow[k] = _bool_of(val)
    extra = {}
    for key, val in (o.get("params") or {}).items():
        f = f"{prefix}params.{key}"
        if not isinstance(key, str) or not _PARAM_KEY.fullmatch(key):
            _fail(f"{prefix}params", f"{key!r} is not a jail parameter name")
        if key.startswith("allow."):
            allow[_allow_key(f"{prefix}params", key)] = _bool_of(val)
            continue
        base = key
        head, dot, last = key.rpartition(".")
        if last.startswith("no") and (head + dot + last[2:]) in MANAGED_KEYS:
            base = head + dot + last[2:]
        if base in MANAGED_KEYS:
            opt = OPTION_OF_KEY.get(base)
            _fail(f"{prefix}params", f"{key!r} is set by the option {opt!r}" if opt else f"{key!r} cannot be set")
        extra[key] = _param_value(f, val)
    for k in sorted(allow):
        if allow[k] and (k == "allow.raw_sockets" or k.startswith("allow.mount")):
            warnings.append(f"{who}: {k} widens what root in the jail can do")
        b[k] = allow[k]
    if o.get("persist") is not None:
        b["persist"] = bool(o["persist"])
    if o.get("depend"):
        deps = []
        for i, d in enumerate(o["depend"]):
            deps.append(check_name(f"{prefix}depend[{i}]", d, known=(d.rpartition(".")[0],)))
        b["depend"] = deps
    if o.get("exec_clean") is not None:
        b["exec.clean"] = bool(o["exec_clean"])
    if o.get("exec_jail_user") is not None:
        b["exec.jail_user"] = _check_user(f"{prefix}exec_jail_user", o["exec_jail_user"])
    if o.get("exec_system_jail_user") is not None:
        b["exec.system_jail_user"] = bool(o["exec_system_jail_user"])
    if o.get("exec_system_user") is not None:
        b["exec.system_user"] = _check_user(f"{prefix}exec_system_user", o["exec_system_user"])
    for opt, key in EXEC_HOOKS:
        cmds = _check_list(f"{prefix}{opt}", o.get(opt))
        if cmds:
            b[key] = cmds
    b.update(extra)
    return b


def merge_options(top, item):
    """Options of one jails[] item, with the top level's inherited options filled in."""
    o = dict(item)
    for key in INHERITED_OPTIONS:
        if o.get(key) is None and top.get(key) is not None:
            o[key] = top[key]
        elif key in ("allow", "params") and top.get(key) and o.get(key) is not None:
            merged = dict(top[key])
            merged.update(o[key])
            o[key] = merged
    return o


def desired_jails(params, known=()):
    """Validate the module's parameters; returns (list of Wanted, warnings).

    ``known`` holds jail names that exist (configured or running) and may be
    parents of hierarchical names.
    """
    warnings = []
    if params.get("jails") is not None:
        for key in IDENTITY_OPTIONS:
            if params.get(key) not in (None, [], ""):
                _fail(key, "set it for each jail inside jails[], not at the top level")
        items = [(f"jails[{i}]", merge_options(params, item)) for i, item in enumerate(params["jails"])]
    else:
        items = [("name", dict((k, params.get(k)) for k in JAIL_OPTION_NAMES))]
    names = set(known)
    for _field, o in items:
        if isinstance(o.get("name"), str):
            names.add(o["name"])
    wanted = []
    seen = {}
    for field, o in items:
        prefix = "" if field == "name" else field + "."
        label = f"{prefix}name"
        name = check_name(label, o.get("name"), known=names)
        if name in seen:
            _fail(label, f"jail {name!r} is listed twice ({seen[name]} and {field})")
        seen[name] = field
        state = o.get("state") or "started"
        if state not in STATES:
            _fail(f"{prefix}state", f"{state!r} is not one of {', '.join(STATES)}")
        path = o.get("path")
        if state != "absent":
            if path is None:
                _fail(f"{prefix}path", f"required for jail {name!r} unless state is absent")
            path = check_path(f"{prefix}path", path)
            o = dict(o, path=path)
        elif path is not None:
            path = check_path(f"{prefix}path", path)
        jid_file = o.get("jid_file")
        if jid_file is not None:
            jid_file = check_path(f"{prefix}jid_file", jid_file)
        block = jail_block(prefix, o, warnings) if state != "absent" else {}
        wanted.append(Wanted(name, state, block, path, jid_file, field))
    return wanted, warnings
