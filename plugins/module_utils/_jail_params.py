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

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name, split_no
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import render_param
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import (
    IDENTITY_OPTIONS,
    INHERITED_OPTIONS,
    JAIL_OPTION_NAMES,
    JAIL_OPTIONS,
    MANAGED_KEYS,
    OPTION_OF_KEY,
    PSEUDO_PARAMS,
)
from ansible_collections.bsd.jails.plugins.module_utils._jail_vnet import epair_units, vnet_statements
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

STATES = ("present", "started", "stopped", "restarted", "absent")

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

# Limits of FreeBSD's kernel (sys/sys/param.h, sys/net/if.h, sys/kern/kern_jail.c kern_jail_set()):
# a jail's full name and its host.hostname are refused (ENAMETOOLONG) at MAXHOSTNAMELEN bytes or more
# with their NUL, a devfs ruleset number is a uint16_t, an interface name fits in IFNAMSIZ with its NUL.
MAXHOSTNAMELEN = 256
IFNAMSIZ = 16
DEVFS_RULESET_MAX = 65535
TOO_LONG = f"the kernel takes {MAXHOSTNAMELEN - 1} bytes at most (MAXHOSTNAMELEN)"

# Kernel parameters of FreeBSD 14 (sys/kern/kern_jail.c SYSCTL_JAIL_PARAM*, the sysv* and linux modules):
# the catalogue used when the running kernel's list (sysctl -N security.jail.param) cannot be read.
# name: type (bool, int, str, jailsys, ip4, ip6, ro = read-only).
KERNEL_PARAMS = {
    "jid": "int",
    "parent": "ro",
    "name": "str",
    "path": "str",
    "securelevel": "int",
    "osreldate": "int",
    "osrelease": "str",
    "enforce_statfs": "int",
    "devfs_ruleset": "int",
    "persist": "bool",
    "vnet": "jailsys",
    "dying": "ro",
    "children.cur": "ro",
    "children.max": "int",
    "host": "jailsys",
    "host.hostname": "str",
    "host.domainname": "str",
    "host.hostuuid": "str",
    "host.hostid": "int",
    "cpuset.id": "ro",
    "ip4": "jailsys",
    "ip4.addr": "ip4",
    "ip4.saddrsel": "bool",
    "ip6": "jailsys",
    "ip6.addr": "ip6",
    "ip6.saddrsel": "bool",
    "sysvmsg": "jailsys",
    "sysvsem": "jailsys",
    "sysvshm": "jailsys",
    "linux": "jailsys",
    "linux.osname": "str",
    "linux.osrelease": "str",
    "linux.oss_version": "int",
    **{"allow." + k: "bool" for k in ALLOW_KEYS},
}
# Parameters libjail loads a kernel module for when the kernel does not know them yet
# (lib/libjail/jail.c jailparam_type() / kldload_param()): present even when not listed.
_LOADABLE = re.compile(r"(linux|linux\.[A-Za-z0-9_]+|sysvmsg|sysvsem|sysvshm|allow\.mount\.[A-Za-z0-9_]+)")
JAILSYS = ("new", "inherit", "disable")  # lib/libjail/jail.c jailsys_values[]
SYSCTL_PARAM_PREFIX = "security.jail.param."

_NAME_PART = re.compile(r"[A-Za-z0-9_-]+")
_PARAM_KEY = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_IFACE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_MASKLEN = re.compile(r"[0-9]{1,3}")
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
    """A string that is safe to write into jail.conf: one line, no statement separators, printable."""
    if not isinstance(value, str):
        value = str(value)
    for bad, what in (("\n", "a newline"), ("\r", "a carriage return"), (";", "';'"), ("{", "'{'"), ("}", "'}'")):
        if bad in value:
            _fail(field, f"{value!r} contains {what}, which would break jail.conf")
    if "\0" in value:
        _fail(field, f"{value!r} contains a NUL byte")
    m = _CONTROL.search(value)
    if m:
        _fail(field, f"{value!r} contains the control character {m.group()!r}")
    if not _shell_balanced(value):
        _fail(field, f"{value!r} has an unbalanced quote")
    return value


def check_bool(field, value):
    """The one boolean rule of the module: true/false or one of Ansible's boolean strings."""
    if isinstance(value, bool):
        return value
    try:
        return boolean(value, strict=True)
    except TypeError:
        _fail(field, f"{value!r} is not a boolean (true/false, yes/no, on/off, 1/0)")


def _short(text):
    return repr(text) if len(text) <= 40 else repr(text[:32]) + f"... ({len(text)} characters)"


def check_name(field, name, known=()):
    """A jail name as jail(8) and the kernel take it (kern_jail_set()), and that no argv can misread."""
    if name is None or name == "":
        _fail(field, "a jail name must not be empty")
    if not isinstance(name, str):
        name = str(name)
    if name.startswith("-"):
        _fail(field, f"{_short(name)} starts with '-', which jail(8) would read as an option")
    if len(name.encode("utf-8")) >= MAXHOSTNAMELEN:
        _fail(field, f"{_short(name)} is too long: {TOO_LONG}")
    if re.fullmatch(r"[0-9]+", name):
        _fail(field, f"{name!r} is numeric: jail(8) would take it for a jid")
    parts = name.split(".")
    for part in parts:
        if not _NAME_PART.fullmatch(part):
            _fail(field, f"{_short(name)} is not a valid jail name (letters, digits, '_' and '-' only)")
    if re.fullmatch(r"[0-9]+", parts[-1]):
        _fail(field, f"{name!r} ends in a number: the kernel would take {parts[-1]!r} for a jid")
    if len(parts) > 1:
        parent = ".".join(parts[:-1])
        if parent not in known:
            _fail(
                field,
                f"{name!r} contains '.', which jail(8) reads as a child of jail {parent!r}; "
                f"that jail is not configured, running or listed",
            )
    return name


def check_absolute(field, path):
    """An absolute path that is safe in jail.conf and in an argv (the module's O(config))."""
    if not isinstance(path, str) or not path.startswith("/"):
        _fail(field, f"{path!r} is not an absolute path")
    check_value(field, path)
    return path


def check_path(field, path):
    check_absolute(field, path)
    norm = posixpath.normpath(path)
    if norm in ("/", "//"):
        _fail(field, "'/' cannot be a jail's root: give the jail its own directory")
    return norm


def check_hostname(field, host):
    check_value(field, host)
    if len(host.encode("utf-8")) >= MAXHOSTNAMELEN:
        _fail(field, f"{_short(host)} is too long: {TOO_LONG}")
    return host


def check_iface(field, name, item=None):
    """A network interface name (IFNAMSIZ), as in ``em0`` or ``lo0``."""
    where = f"{item!r}: " if item is not None else ""
    if not isinstance(name, str) or not _IFACE.fullmatch(name) or len(name) >= IFNAMSIZ:
        _fail(field, f"{where}{name!r} is not an interface name")
    return name


def check_ip(field, item, version):
    if not isinstance(item, str) or not item:
        _fail(field, f"{item!r} is not an IPv{version} address")
    if _CONTROL.search(item) or "\0" in item:
        _fail(field, f"{item!r} contains a control character")
    rest = item
    iface = None
    if "|" in rest:
        iface, rest = rest.split("|", 1)
        check_iface(field, iface, item)
    addr, slash, mask = rest.partition("/")
    scope = ""
    if version == 6 and "%" in addr:
        addr, _pct, scope = addr.partition("%")
        check_iface(field, scope, item)  # an IPv6 scope id is an interface name (fe80::1%lo0)
    try:
        ip = ipaddress.IPv4Address(addr) if version == 4 else ipaddress.IPv6Address(addr)
    except ValueError:
        _fail(field, f"{item!r} is not IPv{version}")
    if slash:
        ok = bool(_MASKLEN.fullmatch(mask)) and int(mask) <= (32 if version == 4 else 128)
        if not ok and version == 4:
            try:
                ipaddress.IPv4Address(mask)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            _fail(field, f"{item!r}: {mask!r} is not a netmask")
    return (iface + "|" if iface else "") + str(ip) + ("%" + scope if scope else "") + (slash + mask)


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


def parse_kernel_params(text):
    """Parameter names from ``sysctl -N security.jail.param`` (a node's own entry ends in '.')."""
    names = set()
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith(SYSCTL_PARAM_PREFIX):
            names.add(line[len(SYSCTL_PARAM_PREFIX) :].rstrip("."))
    return names


class KnownParams:
    """What jail(8) accepts here: the running kernel's parameters (read once, when first needed) or,
    when they cannot be read, the FreeBSD 14 catalogue; plus jail(8)'s own parameters."""

    def __init__(self, read=None):
        self._read = read
        self._kernel = False  # not read yet

    @property
    def kernel(self):
        """The running kernel's parameter names, or None when unknown (catalogue in use)."""
        if self._kernel is False:
            names = self._read() if self._read is not None else None
            self._kernel = names or None
        return self._kernel

    def type_of(self, name):
        """(canonical name, type) of a jail.conf parameter, or None when jail(8) would not know it."""
        stripped, positive = split_no(name)
        for base, neg in ((name, False), (None if positive else stripped, True)):
            if base is None:
                continue
            typ = PSEUDO_PARAMS.get(base) or KERNEL_PARAMS.get(base)
            if base in PSEUDO_PARAMS:
                known = True
            elif self.kernel is not None:
                known = base in self.kernel or bool(_LOADABLE.fullmatch(base))
                if known and typ is None and base.startswith("allow."):
                    typ = "bool"
            else:
                known = typ is not None or bool(_LOADABLE.fullmatch(base))
            if known and (not neg or typ in ("bool", None)):
                return base, typ or "str"
        return None


def _allow_key(field, key, known):
    k = key[len("allow.") :] if key.startswith("allow.") else key
    if not isinstance(k, str) or not _PARAM_KEY.fullmatch(k):
        _fail(field, f"{key!r} is not a known allow.* parameter")
    stripped, positive = split_no("allow." + k)
    if not positive and known.type_of(stripped) is not None:
        _fail(field, f"{key!r}: write {stripped[len('allow.') :]!r}: false instead of the 'no' form")
    if known.type_of("allow." + k) is None:
        where = "the running kernel" if known.kernel is not None else "FreeBSD 14"
        _fail(field, f"{key!r} is not a known allow.* parameter (not in {where}'s security.jail.param)")
    return "allow." + k


def _param_value(field, value, typ):
    if typ == "bool":
        return check_bool(field, value)
    if value is None:
        _fail(field, "a value is required (use true/false for booleans)")
    if isinstance(value, (list, tuple)):
        return [check_value(f"{field}[{i}]", str(v)) for i, v in enumerate(value)]
    if isinstance(value, bool):
        return value
    if typ == "int" and not re.fullmatch(r"-?[0-9]+", str(value).strip()):
        _fail(field, f"{value!r} is not an integer")
    if typ == "jailsys" and str(value).lower() not in JAILSYS:
        _fail(field, f"{value!r} is not one of {', '.join(JAILSYS)}")
    if isinstance(value, (int, float)):
        return str(value)
    return check_value(field, value)


def _int_of(v):
    try:
        return int(str(v).strip())
    except ValueError:
        return None


WIDENING_ALLOW = {
    "allow.raw_sockets": "widens what root in the jail can do (raw sockets: forged packets)",
    "allow.vmm": "widens what root in the jail can do (vmm(4): it may run virtual machines)",
}


def widening(params):
    """[(parameter, why)] for each setting in ``params`` (jail.conf names, module values) that gives a
    jail more than the collection's defaults: ruleset 4, enforce_statfs 2, devfs mounted, no allow.* that
    reaches the host, no children, no address or IPC namespace shared with the host, no mounts."""
    out = []
    for key, v in params.items():
        why = None
        if key == "devfs_ruleset" and _int_of(v) == 5 and params.get("vnet") == "new":
            why = None  # devfsrules_jail_vnet: ruleset 4 and /dev/pf, whose pf sees only the jail's own stack
        elif key == "devfs_ruleset" and _int_of(v) is not None and _int_of(v) != 4:
            why = (
                "widens the jail's /dev beyond ruleset 4 (devfsrules_jail)"
                if _int_of(v) == 0
                else "replaces the default ruleset 4 (devfsrules_jail): make sure it hides what it should"
            )
        elif key == "enforce_statfs" and _int_of(v) is not None and _int_of(v) < 2:
            why = "lets the jail see mount points outside its root"
        elif key == "mount.devfs" and v is False:
            why = "mounts no devfs on the jail's /dev, so devfs_ruleset filters nothing there"
        elif key.startswith("allow.") and v is True and key in WIDENING_ALLOW:
            why = WIDENING_ALLOW[key]
        elif key.startswith("allow.mount") and v is True:
            why = "widens what root in the jail can do (it may mount file systems)"
        elif key == "children.max" and (_int_of(v) or 0) > 0:
            why = "lets the jail create jails of its own"
        elif key in ("ip4", "ip6") and v == "inherit":
            why = f"shares every IPv{key[-1]} address of the host with the jail"
        elif key in ("sysvmsg", "sysvsem", "sysvshm") and v == "inherit":
            why = "shares the host's System V IPC objects with the jail"
        elif key in ("mount", "mount.fstab") and v not in (None, [], ""):
            why = "mounts file systems into the jail when it starts: check what each mount exposes"
        if why:
            out.append((key, why))
    return out


def _shown(key, v):
    if v is True:
        return key
    if v is False:
        head, dot, last = key.rpartition(".")
        return f"{head}{dot}no{last}"
    if isinstance(v, list):
        return f"{key}={','.join(str(x) for x in v)}"
    return f"{key}={v}"


def inherited_settings(block, effective):
    """{key: value} of the effective parameters a jail gets from jail.conf rather than from its block."""
    return {k: v for k, v in (effective or {}).items() if k not in block and k != "name"}


def inherited_warnings(wanted, effective_of, config):
    """Warnings for the jails that would get widening settings from jail.conf's global settings."""
    out = []
    for w in wanted:
        if w.state == "absent":
            continue
        inherited = inherited_settings(w.block, effective_of(w.name))
        found = widening(inherited)
        if found:
            names = ", ".join(_shown(k, inherited[k]) for k, _why in found)
            out.append(
                f"jail {w.name}: gets {names} from the global settings of {config}, not from the task "
                f"({'; '.join(f'{k} {why}' for k, why in found)}); set them for the jail or remove them there"
            )
    return out


def effective_text(wanted, effective):
    """Diff mode: the effective parameters of each jail, the ones jail.conf adds to its block marked."""
    lines = []
    for w in wanted:
        if w.state == "absent":
            continue
        lines.append(f"# effective parameters of jail {w.name} ('+' from jail.conf's global settings)")
        for key, value in (effective.get(w.name) or {}).items():
            mark = " " if key in w.block or key == "name" else "+"
            lines.append(f"{mark} {render_param(key, value)}")
    return "\n".join(lines) + "\n"


def _in_range(field, value, low, high, msg):
    if not low <= value <= high:
        _fail(field, msg)
    return str(value)


def _vnet_interfaces(field, names, o):
    if not o.get("vnet"):
        _fail(field, "needs vnet: true")
    for i, itf in enumerate(names):
        check_iface(f"{field}[{i}]", itf)
    return list(names)


# The value rules of the option table's ``check`` column: (field, value, the jail's options) -> the
# jail.conf value, or None to write nothing.  A row without a rule takes the rule of its type (_BY_TYPE).
_RULES = {
    "path": lambda f, v, o: v,  # checked (check_path) and normalised by desired_jails
    "hostname": lambda f, v, o: check_hostname(f, v),
    "ip4": lambda f, v, o: [check_ip(f, a, 4) for a in v],
    "ip6": lambda f, v, o: [check_ip(f, a, 6) for a in v],
    "iface": lambda f, v, o: check_iface(f, v),
    "vnet": lambda f, v, o: "new" if v else None,
    "vnet_iface": _vnet_interfaces,
    "ruleset": lambda f, v, o: _in_range(
        f, v, 0, DEVFS_RULESET_MAX, f"{v} is not a ruleset number (0-{DEVFS_RULESET_MAX})"
    ),
    "statfs": lambda f, v, o: _in_range(f, v, 0, 2, f"{v} is not 0, 1 or 2"),
    "securelevel": lambda f, v, o: _in_range(f, v, -1, 3, f"{v} is out of range (-1..3)"),
    "jail_names": lambda f, v, o: [check_name(f"{f}[{i}]", d, known=(d.rpartition(".")[0],)) for i, d in enumerate(v)],
    "user": lambda f, v, o: _check_user(f, v),
}
_BY_TYPE = {
    "bool": lambda f, v, o: bool(v),
    "int": lambda f, v, o: str(v),
    "str": lambda f, v, o: check_value(f, v),
    "path": lambda f, v, o: check_absolute(f, v),
    "list": lambda f, v, o: _check_list(f, v),
}


def _allow_and_params(prefix, o, known):
    """(allow.* parameters, other parameters) of the options ``allow`` and ``params``, checked."""
    allow = {}
    for key, val in (o.get("allow") or {}).items():
        k = _allow_key(f"{prefix}allow", key, known)
        allow[k] = check_bool(f"{prefix}allow.{k[len('allow.') :]}", val)
    extra = {}
    for key, val in (o.get("params") or {}).items():
        f = f"{prefix}params.{key}"
        if not isinstance(key, str) or not _PARAM_KEY.fullmatch(key):
            _fail(f"{prefix}params", f"{key!r} is not a jail parameter name")
        if key.startswith("allow."):
            allow[_allow_key(f"{prefix}params", key, known)] = check_bool(f, val)
            continue
        base = key
        if base_name(key) in MANAGED_KEYS:
            base = base_name(key)
        if base in MANAGED_KEYS:
            opt = OPTION_OF_KEY.get(base)
            _fail(f"{prefix}params", f"{key!r} is set by the option {opt!r}" if opt else f"{key!r} cannot be set")
        found = known.type_of(key)
        if found is None:
            where = "the running kernel" if known.kernel is not None else "FreeBSD 14"
            _fail(
                f"{prefix}params",
                f"{key!r} is not a jail parameter: neither jail(8) nor {where} (security.jail.param) knows it",
            )
        if found[1] == "ro":
            _fail(f"{prefix}params", f"{key!r} is read-only: the kernel sets it")
        value = _param_value(f, val, found[1])
        if found[0] != key and isinstance(value, bool):  # "ip4.nosaddrsel: true" is "ip4.saddrsel: false"
            key, value = found[0], not value
        extra[key] = value
    return {k: allow[k] for k in sorted(allow)}, extra


def jail_block(prefix, o, warnings, known=None):
    """The ordered jail.conf parameters for one jail's merged options ``o``, written from the option
    table (JAIL_OPTIONS): each row with a jail.conf key, in the table's order, its value checked by the
    row's rule; ``allow`` and ``params`` add the parameters they name.

    ``prefix`` starts every field name in messages (``""`` or ``"jails[3]."``).
    """
    known = known or KnownParams()
    who = prefix.rstrip(".") or "jail " + str(o.get("name"))
    b = {}
    extra = {}
    # what vnet_bridges/vnet_defaultrouter add to other parameters: {key: (before, after)}
    added = vnet_statements(prefix, o, check_iface)
    for opt in JAIL_OPTIONS:
        if opt.check == "allow":  # allow.* of both allow and params, sorted; params' others come last
            allow, extra = _allow_and_params(prefix, o, known)
            b.update(allow)
        elif opt.check == "params":
            b.update(extra)
        elif opt.key is not None and opt.scope != "name":
            value = o.get(opt.name)
            before, after = added.get(opt.key, ((), ()))
            if value is None or (opt.elements and not value):
                if before or after:
                    b[opt.key] = [*before, *after]
                continue
            value = (_RULES.get(opt.check) or _BY_TYPE[opt.type])(prefix + opt.name, value, o)
            if value is not None and (before or after):
                value = [*before, *value, *after]
            if value is not None:
                b[opt.key] = value
    # usr.sbin/jail/jail.c create_jail() sets persist only while it runs exec.start, command or
    # exec.poststart; without persist and without them kern_jail_set() refuses the new jail
    # ("new jail must persist or attach").
    if b.get("persist") is not True and not any(b.get(k) for k in ("exec.start", "command", "exec.poststart")):
        _fail(
            f"{prefix}persist",
            "false, and the jail has no exec_start, exec_poststart or params.command: FreeBSD refuses "
            "to create a jail that neither persists nor runs a command ('new jail must persist or attach')",
        )
    for key, why in widening(b):
        warnings.append(f"{who}: {_shown(key, b[key])} {why}")
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


def desired_jails(params, known=(), kernel_params=None):
    """Validate the module's parameters; returns (list of Wanted, warnings).

    ``known`` holds jail names that exist (configured or running) and may be
    parents of hierarchical names.  ``kernel_params`` is called at most once,
    when a task names parameters (``allow``, ``params``): it returns the
    running kernel's parameter names, or None to check against the catalogue.
    """
    warnings = []
    if params.get("config") is not None:
        check_absolute("config", params["config"])
    kparams = KnownParams(kernel_params)
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
    epairs = {}  # epair unit -> (jail, field): two jails on one epair would take each other's interface
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
        block = jail_block(prefix, o, warnings, kparams) if state != "absent" else {}
        for unit in sorted(epair_units(block)):
            if unit in epairs:
                _fail(
                    f"{prefix}{'vnet_bridges' if o.get('vnet_bridges') else 'vnet_interface'}",
                    f"epair{unit} is already the epair of jail {epairs[unit][0]!r} ({epairs[unit][1]}): "
                    "each jail needs its own epair unit",
                )
            epairs[unit] = (name, field)
        wanted.append(Wanted(name, state, block, path, jid_file, field))
    return wanted, warnings
