# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module docs (top level and jails[]) and the jails role's spec agree with the table of jail options."""

from __future__ import annotations

import os

import yaml
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import (
    EXEC_HOOKS,
    JAIL_OPTIONS,
    LIST_PARAMS,
    MANAGED_KEYS,
    OPTION_OF_KEY,
    OTHER_PSEUDO,
    PSEUDO_PARAMS,
    START_PSEUDO,
    argument_spec,
)
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import STATES, KnownParams, jail_block
from ansible_collections.bsd.jails.plugins.modules import jail

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
# keys of the role's jails_list items that the role handles itself, not passed to the module
ROLE_ONLY = {"world", "sysctls", "limits", "forwards", "bootstrap_python"}


def _shape(doc):
    return (doc.get("type", "str"), doc.get("elements"))


def _check(where, docs, top):
    for o in JAIL_OPTIONS:
        assert o.name in docs, f"{where}: {o.name} is in the table but not documented"
        assert _shape(docs[o.name]) == (o.type, o.elements), f"{where}: {o.name} type differs from the table"
        if top:
            assert docs[o.name].get("default") == o.default, f"{where}: {o.name} default differs from the table"


def test_module_docs_agree_with_the_table():
    doc = yaml.safe_load(jail.DOCUMENTATION)["options"]
    _check("jail.py options", doc, True)
    _check("jail.py jails.suboptions", doc["jails"]["suboptions"], False)
    assert set(doc["jails"]["suboptions"]) == {o.name for o in JAIL_OPTIONS}


def test_suboptions_agree_with_the_docs_and_role():
    from ansible_collections.bsd.jails.plugins.module_utils._jail_options import SUBOPTIONS

    doc = yaml.safe_load(jail.DOCUMENTATION)["options"]
    with open(os.path.join(ROOT, "roles", "jails", "meta", "argument_specs.yml"), encoding="utf-8") as f:
        role = yaml.safe_load(f)["argument_specs"]["main"]["options"]["jails_list"]["options"]
    for name, subs in SUBOPTIONS.items():
        for where, d in (("top", doc[name]), ("jails[]", doc["jails"]["suboptions"][name]), ("role", role[name])):
            got = d.get("suboptions") or d.get("options")
            assert set(got) == set(subs), (where, name)
            for k, v in subs.items():
                assert _shape(got[k]) == (v["type"], v.get("elements")), (where, name, k)
                assert got[k].get("required", False) == v.get("required", False), (where, name, k)
                assert got[k].get("default") == v.get("default"), (where, name, k)
        assert argument_spec(True, STATES)[name]["options"] == subs


def test_argument_spec_is_the_table():
    spec = argument_spec(True, STATES)
    assert list(spec) == [o.name for o in JAIL_OPTIONS]
    assert spec["state"]["choices"] == list(STATES) and spec["devfs_ruleset"]["default"] == 4
    assert argument_spec(False, STATES)["name"]["required"] is True
    assert "default" not in argument_spec(False, STATES)["exec_start"]


def test_role_argument_spec_agrees_with_the_table():
    with open(os.path.join(ROOT, "roles", "jails", "meta", "argument_specs.yml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    items = spec["argument_specs"]["main"]["options"]["jails_list"]["options"]
    _check("roles/jails jails_list", items, False)
    assert set(items) - {o.name for o in JAIL_OPTIONS} == ROLE_ONLY
    # ... and they are the keys the role takes out before the bsd.jails.jail call
    with open(os.path.join(ROOT, "roles", "jails", "vars", "main.yml"), encoding="utf-8") as f:
        assert set(yaml.safe_load(f)["__jails_role_keys"]) == ROLE_ONLY


def test_derived_key_sets():
    assert EXEC_HOOKS[0] == ("exec_prepare", "exec.prepare") and EXEC_HOOKS[-1] == ("exec_release", "exec.release")
    assert len(EXEC_HOOKS) == 9
    assert OPTION_OF_KEY["host.hostname"] == "hostname" and "name" not in OPTION_OF_KEY
    assert {"name", "jid", "exec.stop", "vnet.interface"} <= MANAGED_KEYS


def test_jail8_parameter_sets():
    """The list parameters and pseudo-parameters derived from the tables are jail(8)'s
    (usr.sbin/jail/config.c intparams[]: PARAM_ARRAY, and what jail.c create_jail()/run_command() read)."""
    hooks = {k for _o, k in EXEC_HOOKS}
    lists = {"ip4.addr", "ip6.addr", "mount", "depend", "command", "vnet.interface", *hooks}
    assert set(LIST_PARAMS) == lists
    starting = ("exec.prepare", "exec.prestart", "exec.created", "exec.start", "exec.poststart")
    start = {
        *starting, "command", "exec.clean", "exec.jail_user", "exec.system_jail_user", "exec.system_user",
        "exec.fib", "exec.timeout", "exec.consolelog", "mount", "mount.fstab", "mount.devfs", "mount.fdescfs",
        "mount.procfs", "interface", "vnet.interface", "ip_hostname",
    }  # fmt: skip
    assert set(START_PSEUDO) == start
    assert set(OTHER_PSEUDO) == hooks - set(starting) | {"stop.timeout", "depend", "allow.dying"}
    assert set(PSEUDO_PARAMS) == START_PSEUDO | OTHER_PSEUDO
    assert PSEUDO_PARAMS["exec.start"] == "str" and PSEUDO_PARAMS["mount.devfs"] == "bool"
    assert PSEUDO_PARAMS["exec.timeout"] == "int"


def test_every_row_has_a_value_rule():
    from ansible_collections.bsd.jails.plugins.module_utils import _jail_params

    for o in JAIL_OPTIONS:
        if o.key is not None and o.scope != "name" and o.check not in ("allow", "params"):
            assert o.check in _jail_params._RULES or (o.check is None and o.type in _jail_params._BY_TYPE), o


def test_block_follows_the_table_order():
    o = {"name": "www", "path": "/j/www", "exec_start": ["/bin/sh /etc/rc"], "persist": True, "mount_devfs": True,
         "devfs_ruleset": 4, "allow": {"raw_sockets": False}, "params": {"children.max": 2}, "exec_clean": True,
         "hostname": "www.example", "ip4_addr": ["192.0.2.1"], "vnet": False}  # fmt: skip
    block = jail_block("", o, [], KnownParams())
    assert list(block) == [
        "path", "host.hostname", "ip4.addr", "mount.devfs", "devfs_ruleset", "allow.raw_sockets", "persist",
        "exec.clean", "exec.start", "children.max",
    ]  # fmt: skip
    assert block["devfs_ruleset"] == "4" and block["allow.raw_sockets"] is False and block["children.max"] == "2"
