# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The options of bsd.jails.jail, and jail(8)'s own parameters, declared once.

Each row of ``JAIL_OPTIONS``: option name, Ansible type, list element type
(None for a scalar), the jail.conf parameter it writes (None: none, or
several: ``vnet_bridges`` and ``vnet_defaultrouter`` add commands to exec.* and
vnet.interface, _jail_vnet.py), its scope, its top-level default, when jail(8) reads the
parameter and the rule that checks its value.

Scopes: ``name`` (the jail's name), ``identity`` (belongs to one jail: only
inside jails[] in batch mode), ``inherited`` (the top level passes it on to
every jail of jails[] that does not set it).

When jail(8) reads it (``applies``): ``kernel`` (a kernel parameter, which
``jail -m`` changes on a running jail unless the kernel refuses), ``start``
(a jail(8) pseudo-parameter used when the jail starts: a change needs a
restart), ``stop`` (used when the jail stops, or by jail(8) itself: a new
value applies next time).

``check`` names the value rule of _jail_params.jail_block (None: the rule of
the type: a boolean, an integer, a one-line string, a list of them).  The
row order is the order of the statements of a new jail.conf block.

``JAIL8_PARAMS`` lists jail(8)'s other pseudo-parameters (usr.sbin/jail/config.c
intparams[]), which no option writes and a task sets through ``params``: key,
type, list or scalar (PARAM_ARRAY), when jail(8) reads it.

The argument spec, the identity/inherited option sets, the exec hooks,
the jail.conf keys the options own (MANAGED_KEYS, OPTION_OF_KEY), the list
parameters, the pseudo-parameters and their types are derived from these
tables; tests/unit/plugins/module_utils/test__jail_options.py checks the
module's DOCUMENTATION (top level and jails[]) and the jails role's argument
spec against them.
"""

from __future__ import annotations

from collections import namedtuple

JailOption = namedtuple("JailOption", "name type elements key scope default applies check")
Jail8Param = namedtuple("Jail8Param", "key type is_list applies")

_S = None  # a scalar: no list elements
_HOOK = ("list", "str")  # an exec.* command hook: commands, each run by sh -c (rule: "commands")

# fmt: off
JAIL_OPTIONS = (
    JailOption("name", "str", _S, "name", "name", None, None, None),
    JailOption("state", "str", _S, None, "inherited", "started", None, None),
    JailOption("path", "path", _S, "path", "identity", None, "kernel", "path"),
    JailOption("hostname", "str", _S, "host.hostname", "identity", None, "kernel", "hostname"),
    JailOption("ip4_addr", "list", "str", "ip4.addr", "identity", None, "kernel", "ip4"),
    JailOption("ip6_addr", "list", "str", "ip6.addr", "identity", None, "kernel", "ip6"),
    JailOption("interface", "str", _S, "interface", "identity", None, "start", "iface"),
    JailOption("vnet", "bool", _S, "vnet", "inherited", None, "kernel", "vnet"),
    JailOption("vnet_interface", "list", "str", "vnet.interface", "identity", None, "start", "vnet_iface"),
    JailOption("vnet_bridges", "list", "dict", None, "identity", None, "start", None),
    JailOption("vnet_defaultrouter", "str", _S, None, "identity", None, "start", None),
    JailOption("mount_devfs", "bool", _S, "mount.devfs", "inherited", True, "start", None),
    JailOption("devfs_ruleset", "int", _S, "devfs_ruleset", "inherited", 4, "kernel", "ruleset"),
    JailOption("enforce_statfs", "int", _S, "enforce_statfs", "inherited", 2, "kernel", "statfs"),
    JailOption("securelevel", "int", _S, "securelevel", "inherited", None, "kernel", "securelevel"),
    JailOption("allow", "dict", _S, None, "inherited", None, "kernel", "allow"),
    JailOption("persist", "bool", _S, "persist", "inherited", True, "kernel", None),
    JailOption("depend", "list", "str", "depend", "inherited", None, "stop", "jail_names"),
    JailOption("exec_clean", "bool", _S, "exec.clean", "inherited", None, "start", None),
    JailOption("exec_jail_user", "str", _S, "exec.jail_user", "inherited", None, "start", "user"),
    JailOption("exec_system_jail_user", "bool", _S, "exec.system_jail_user", "inherited", None, "start", None),
    JailOption("exec_system_user", "str", _S, "exec.system_user", "inherited", None, "start", "user"),
    JailOption("exec_prepare", *_HOOK, "exec.prepare", "inherited", None, "start", None),
    JailOption("exec_prestart", *_HOOK, "exec.prestart", "inherited", None, "start", None),
    JailOption("exec_created", *_HOOK, "exec.created", "inherited", None, "start", None),
    JailOption("exec_start", *_HOOK, "exec.start", "inherited", ["/bin/sh /etc/rc"], "start", None),
    JailOption("exec_poststart", *_HOOK, "exec.poststart", "inherited", None, "start", None),
    JailOption("exec_prestop", *_HOOK, "exec.prestop", "inherited", None, "stop", None),
    JailOption("exec_stop", *_HOOK, "exec.stop", "inherited", ["/bin/sh /etc/rc.shutdown jail"], "stop", None),
    JailOption("exec_poststop", *_HOOK, "exec.poststop", "inherited", None, "stop", None),
    JailOption("exec_release", *_HOOK, "exec.release", "inherited", None, "stop", None),
    JailOption("jid_file", "path", _S, None, "identity", None, None, None),
    JailOption("params", "dict", _S, None, "inherited", None, None, "params"),
)

JAIL8_PARAMS = (
    Jail8Param("allow.dying", "bool", False, "stop"),
    Jail8Param("command", "str", True, "start"),
    Jail8Param("exec.consolelog", "str", False, "start"),
    Jail8Param("exec.fib", "int", False, "start"),
    Jail8Param("exec.timeout", "int", False, "start"),
    Jail8Param("ip_hostname", "bool", False, "start"),
    Jail8Param("mount", "str", True, "start"),
    Jail8Param("mount.fdescfs", "bool", False, "start"),
    Jail8Param("mount.procfs", "bool", False, "start"),
    Jail8Param("mount.fstab", "str", False, "start"),
    Jail8Param("stop.timeout", "int", False, "stop"),
)
# fmt: on

# The sub-options of the options whose items are dicts (argument spec and documentation agree with these).
SUBOPTIONS = {
    "vnet_bridges": {
        "bridge": {"type": "str", "required": True},
        "epair": {"type": "int", "required": True},
        "addresses": {"type": "list", "elements": "str"},
        "mac": {"type": "str", "default": "auto"},
    },
}

OPTIONS = {o.name: o for o in JAIL_OPTIONS}
IDENTITY_OPTIONS = tuple(o.name for o in JAIL_OPTIONS if o.scope == "identity")
INHERITED_OPTIONS = tuple(o.name for o in JAIL_OPTIONS if o.scope == "inherited")
JAIL_OPTION_NAMES = ("name", *IDENTITY_OPTIONS, *INHERITED_OPTIONS)
# (option, jail.conf key) of the exec.* command hooks, in jail(8)'s run order.
EXEC_HOOKS = tuple((o.name, o.key) for o in JAIL_OPTIONS if o.key and o.key.startswith("exec.") and o.type == "list")
# jail.conf key -> the option that writes it (params: may not set these).
OPTION_OF_KEY = {o.key: o.name for o in JAIL_OPTIONS if o.key and o.scope != "name"}
MANAGED_KEYS = frozenset(("name", "jid", *OPTION_OF_KEY))

# Every jail.conf parameter of the tables: (key, type, is_list, applies).
_PARAMS = (
    *((o.key, o.type, bool(o.elements), o.applies) for o in JAIL_OPTIONS if o.key and o.scope != "name"),
    *JAIL8_PARAMS,
)
# jail(8)'s own parameters, never passed to the kernel: key -> type (bool, int, str; a list is str).
PSEUDO_PARAMS = {k: "str" if t in ("list", "path") else t for k, t, _l, a in _PARAMS if a in ("start", "stop")}
# jail.conf parameters whose value is a list (``a, b``; ``+=`` appends).
LIST_PARAMS = frozenset(k for k, _t, is_list, _a in _PARAMS if is_list)
# Pseudo-parameters used when a jail starts (a change needs a restart), and the others (apply next time).
START_PSEUDO = frozenset(k for k, _t, _l, a in _PARAMS if a == "start")
OTHER_PSEUDO = frozenset(k for k, _t, _l, a in _PARAMS if a == "stop")


def argument_spec(top, states):
    """The argument spec of the options: ``top`` for the module's top level, else for an item of jails[]."""
    spec = {}
    for o in JAIL_OPTIONS:
        s = {"type": o.type}
        if o.elements:
            s["elements"] = o.elements
        if top and o.default is not None:
            s["default"] = o.default
        if o.name in SUBOPTIONS:
            s["options"] = {k: dict(v) for k, v in SUBOPTIONS[o.name].items()}
        if o.name == "state":
            s["choices"] = list(states)
        if not top and o.name == "name":
            s["required"] = True
        spec[o.name] = s
    return spec
