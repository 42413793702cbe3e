# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The options of bsd.jails.jail, declared once.

Each row: option name, Ansible type, list element type (None for a scalar),
the jail.conf parameter it writes (None: none, or several), its scope and its
top-level default.  Scopes: ``name`` (the jail's name), ``identity`` (belongs
to one jail: only inside jails[] in batch mode), ``inherited`` (the top level
passes it on to every jail of jails[] that does not set it).

The argument spec, the identity/inherited option sets, the exec hooks and
the jail.conf keys the options own (MANAGED_KEYS, OPTION_OF_KEY) are derived
from this table; tests/unit/plugins/module_utils/test__jail_options.py checks
the module's DOCUMENTATION (top level and jails[]) and the jails role's
argument spec against it.
"""

from __future__ import annotations

from collections import namedtuple

JailOption = namedtuple("JailOption", "name type elements key scope default")

_S = None  # a scalar: no list elements

JAIL_OPTIONS = (
    JailOption("name", "str", _S, "name", "name", None),
    JailOption("state", "str", _S, None, "inherited", "started"),
    JailOption("path", "path", _S, "path", "identity", None),
    JailOption("hostname", "str", _S, "host.hostname", "identity", None),
    JailOption("ip4_addr", "list", "str", "ip4.addr", "identity", None),
    JailOption("ip6_addr", "list", "str", "ip6.addr", "identity", None),
    JailOption("interface", "str", _S, "interface", "identity", None),
    JailOption("vnet", "bool", _S, "vnet", "inherited", None),
    JailOption("vnet_interface", "list", "str", "vnet.interface", "identity", None),
    JailOption("devfs_ruleset", "int", _S, "devfs_ruleset", "inherited", 4),
    JailOption("mount_devfs", "bool", _S, "mount.devfs", "inherited", True),
    JailOption("enforce_statfs", "int", _S, "enforce_statfs", "inherited", 2),
    JailOption("securelevel", "int", _S, "securelevel", "inherited", None),
    JailOption("allow", "dict", _S, None, "inherited", None),
    JailOption("persist", "bool", _S, "persist", "inherited", True),
    JailOption("depend", "list", "str", "depend", "inherited", None),
    JailOption("exec_prepare", "list", "str", "exec.prepare", "inherited", None),
    JailOption("exec_prestart", "list", "str", "exec.prestart", "inherited", None),
    JailOption("exec_created", "list", "str", "exec.created", "inherited", None),
    JailOption("exec_start", "list", "str", "exec.start", "inherited", ["/bin/sh /etc/rc"]),
    JailOption("exec_poststart", "list", "str", "exec.poststart", "inherited", None),
    JailOption("exec_prestop", "list", "str", "exec.prestop", "inherited", None),
    JailOption("exec_stop", "list", "str", "exec.stop", "inherited", ["/bin/sh /etc/rc.shutdown jail"]),
    JailOption("exec_poststop", "list", "str", "exec.poststop", "inherited", None),
    JailOption("exec_release", "list", "str", "exec.release", "inherited", None),
    JailOption("exec_clean", "bool", _S, "exec.clean", "inherited", None),
    JailOption("exec_jail_user", "str", _S, "exec.jail_user", "inherited", None),
    JailOption("exec_system_jail_user", "bool", _S, "exec.system_jail_user", "inherited", None),
    JailOption("exec_system_user", "str", _S, "exec.system_user", "inherited", None),
    JailOption("jid_file", "path", _S, None, "identity", None),
    JailOption("params", "dict", _S, None, "inherited", None),
)

OPTIONS = {o.name: o for o in JAIL_OPTIONS}
IDENTITY_OPTIONS = tuple(o.name for o in JAIL_OPTIONS if o.scope == "identity")
INHERITED_OPTIONS = tuple(o.name for o in JAIL_OPTIONS if o.scope == "inherited")
JAIL_OPTION_NAMES = ("name", *IDENTITY_OPTIONS, *INHERITED_OPTIONS)
# (option, jail.conf key) of the exec.* command hooks, in jail(8)'s run order.
EXEC_HOOKS = tuple((o.name, o.key) for o in JAIL_OPTIONS if o.key and o.key.startswith("exec.") and o.type == "list")
# jail.conf key -> the option that writes it (params: may not set these).
OPTION_OF_KEY = {o.key: o.name for o in JAIL_OPTIONS if o.key and o.scope != "name"}
MANAGED_KEYS = frozenset(("name", "jid", *OPTION_OF_KEY))


def argument_spec(top, states):
    """The argument spec of the options: ``top`` for the module's top level, else for an item of jails[]."""
    spec = {}
    for o in JAIL_OPTIONS:
        s = {"type": o.type}
        if o.elements:
            s["elements"] = o.elements
        if top and o.default is not None:
            s["default"] = o.default
        if o.name == "state":
            s["choices"] = list(states)
        if not top and o.name == "name":
            s["required"] = True
        spec[o.name] = s
    return spec
