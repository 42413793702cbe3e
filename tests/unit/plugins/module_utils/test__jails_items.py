# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The jails role's merge of jails_list (module_utils/_jails_items.py), and the filter that runs it."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.bsd.jails.plugins.filter.jails_items import FilterModule
from ansible_collections.bsd.jails.plugins.module_utils._jails_items import jails_items, merge_recursive


def test_merge_recursive_merges_mappings_at_every_depth_and_replaces_the_rest():
    base = {"a": {"b": {"c": 1, "d": 2}, "l": [1, 2]}, "s": "x"}
    over = {"a": {"b": {"d": 3}, "l": [9]}, "s": None, "n": 1}
    assert merge_recursive(base, over) == {"a": {"b": {"c": 1, "d": 3}, "l": [9]}, "s": None, "n": 1}
    assert base == {"a": {"b": {"c": 1, "d": 2}, "l": [1, 2]}, "s": "x"}  # the inputs are not changed


def test_items_over_defaults_and_a_path_under_root():
    out = jails_items(
        [{"name": "www"}, {"name": "db", "path": "/data/db", "params": {"b": 2}}],
        {"persist": True, "params": {"a": 1}},
        "/usr/jails",
    )
    assert out["merged"] == [
        {"persist": True, "params": {"a": 1}, "path": "/usr/jails/www", "name": "www"},
        {"persist": True, "params": {"a": 1, "b": 2}, "path": "/data/db", "name": "db"},
    ]
    assert out["state"] == {"www": "started", "db": "started"}
    assert out["under_root"] is True and out["world"] is False and out["limits"] is False


def test_state_present_and_what_the_tasks_ask_of_the_list():
    jails = [
        {"name": "a", "path": "/elsewhere/a", "world": {"release": "14.3-RELEASE"}},
        {"name": "b", "state": "absent", "sysctls": {}},
        {"name": "c", "path": "/elsewhere/c", "state": "stopped", "limits": {"memoryuse": "1G"}},
        {"name": "d", "path": "/elsewhere/d", "sysctls": {"kern.securelevel": 1}, "bootstrap_python": True},
        {"name": "b", "path": "/usr/jails/b", "state": "absent"},  # the last item of a name decides
    ]
    out = jails_items(jails, {}, "/usr/jails/")
    assert out["state"] == {"a": "started", "b": "absent", "c": "stopped", "d": "started"}
    assert [m["name"] for m in out["present"]] == ["a", "c", "d"]
    assert out["under_root"] is False  # only the absent b lies under /usr/jails
    assert out["world"] and out["limits"] and out["sysctls"]
    assert [m["name"] for m in out["with_sysctls"]] == ["b", "d"]
    assert [m["name"] for m in out["with_bootstrap"]] == ["d"]


def test_only_empty_sysctls_are_not_sysctls():
    out = jails_items([{"name": "a", "sysctls": {}}], {}, "/usr/jails")
    assert out["sysctls"] is False and len(out["with_sysctls"]) == 1


def test_a_sibling_directory_is_not_under_root():
    assert jails_items([{"name": "a", "path": "/usr/jails2/a"}], {}, "/usr/jails")["under_root"] is False


@pytest.mark.parametrize(
    "args, message",
    [
        (("x", {}, "/j"), "jails_list: 'x' is not a list"),
        (([{"name": "a"}], [], "/j"), "jails_defaults: [] is not a dict"),
        (([{"name": "a"}, "b"], {}, "/j"), "jails_list[1]: 'b' is not a dict"),
    ],
)
def test_the_filter_names_the_bad_input(args, message):
    with pytest.raises(AnsibleFilterError, match=r"^bsd\.jails\.jails_items: " + message.replace("[", r"\[")):
        FilterModule().filters()["jails_items"](*args)


def problems(jails, root="/usr/jails", config="/etc/jail.conf"):
    return jails_items(jails, {}, root, config)["problems"]


def test_no_problem_with_good_items():
    assert problems([{"name": "a"}, {"name": "b", "path": "/data/b/", "sysctls": {"kern.securelevel": 2}}]) == []


@pytest.mark.parametrize(
    "item, message",
    [
        ({"path": "rel/a"}, 'jails_list[0].path: "rel/a" is not an absolute path'),
        ({"path": "/usr/jails/a/../b"}, 'jails_list[0].path: "/usr/jails/a/../b" has a . or .. component: a world'),
        ({"path": "/usr/jails/./a"}, 'jails_list[0].path: "/usr/jails/./a" has a . or .. component'),
        ({"name": "."}, 'jails_list[0].path: "/usr/jails/." has a . or .. component'),
        ({"path": "/usr/jails/a\nb"}, 'jails_list[0].path: "/usr/jails/a\\nb" contains a control character'),
        ({"path": "/usr/jails//"}, 'jails_list[0].path: "/usr/jails//" is / or jails_root itself'),
        ({"path": "/"}, 'jails_list[0].path: "/" is / or jails_root itself'),
        ({"sysctls": {"kern": 1}}, 'jails_list[0].sysctls: "kern" is not a sysctl name (dotted, e.g. kern.'),
        ({"sysctls": {"kern.x\n": 1}}, 'jails_list[0].sysctls: "kern.x\\n" is not a sysctl name'),
        ({"sysctls": {"kern.x": [1]}}, "jails_list[0].sysctls.kern.x: the value must be a string or a number"),
        ({"sysctls": {"kern.x": None}}, "jails_list[0].sysctls.kern.x: the value must be a string or a number"),
        ({"sysctls": {"kern.x": "a b"}}, 'jails_list[0].sysctls.kern.x: value "a b" cannot be written to sysctl.conf'),
        ({"sysctls": {"kern.x": "1#"}}, 'jails_list[0].sysctls.kern.x: value "1#" cannot be written'),
        ({"sysctls": {"kern.x": ""}}, 'jails_list[0].sysctls.kern.x: value "" cannot be written'),
    ],
)
def test_each_item_problem_names_its_field(item, message):
    (got,) = problems([dict({"name": "a"}, **item)])
    assert got.startswith(message)


def test_an_absent_item_path_is_not_checked_but_its_sysctls_are():
    assert problems([{"name": "a", "path": "rel", "state": "absent", "sysctls": {"x": 1}}]) == [
        'jails_list[0].sysctls: "x" is not a sysctl name (dotted, e.g. kern.securelevel)'
    ]


@pytest.mark.parametrize(
    "root, config, expected",
    [
        ("jails", "/etc/jail.conf", ['jails_root: "jails" is not an absolute path']),
        ("/usr/jails", "jail.conf", ['jails_config: "jail.conf" is not an absolute path']),
        (
            "/usr/../jails",
            "/etc/jail.conf",
            ['jails_root: "/usr/../jails" has a . or .. component or a control character'],
        ),
        (
            "/usr/jails",
            "/etc/jail\n.conf",
            ['jails_config: "/etc/jail\\n.conf" has a . or .. component or a control character'],
        ),
        ("//", "/etc/jail.conf", ['jails_root: "//" cannot hold jails: give them their own directory']),
    ],
)
def test_root_and_config_problems_come_first(root, config, expected):
    assert problems([], root, config) == expected


def test_forwards_go_to_the_first_address_of_each_jail_not_absent():
    jails = [
        {
            "name": "a",
            "ip4_addr": ["vtnet0|10.0.0.5/24", "10.0.0.6"],
            "forwards": [{"port": 80}, {"proto": "udp", "port": 53, "to": 5353}],
        },
        {"name": "b", "state": "absent", "ip4_addr": ["10.0.0.7"], "forwards": [{"port": 22}]},
        {"name": "c", "forwards": [{"port": 443, "external_address": "192.0.2.1"}]},
        {"name": "d", "ip4_addr": "10.0.0.8, 10.0.0.9", "forwards": [{"port": 25}]},
    ]
    out = jails_items(jails, {}, "/usr/jails")
    none = {"port": None, "to": None, "external_address": None}
    assert out["forwards"] == [
        dict(none, address="10.0.0.5", proto="tcp", port=80),
        dict(none, address="10.0.0.5", proto="udp", port=53, to=5353),
        dict(none, address=None, proto="tcp", port=443, external_address="192.0.2.1"),
        dict(none, address="10.0.0.8", proto="tcp", port=25),
    ]
    assert out["forward_fields"] == [
        "jails_list[0].forwards[0]",
        "jails_list[0].forwards[1]",
        "jails_list[2].forwards[0]",
        "jails_list[3].forwards[0]",
    ]


def test_rctl_items_name_every_jail_with_no_limits_when_absent():
    jails = [
        {"name": "a", "limits": {"memoryuse": "1G"}},
        {"name": "b"},
        {"name": "c", "state": "absent", "limits": {"maxproc": 9}},
    ]
    assert jails_items(jails, {}, "/j")["rctl_items"] == [
        {"name": "a", "limits": {"memoryuse": "1G"}},
        {"name": "b", "limits": {}},
        {"name": "c", "limits": {}},
    ]


def test_config_is_checked_only_when_given():
    assert jails_items([{"name": "a"}], {}, "/usr/jails")["problems"] == []
    assert problems([{"name": "a"}], config="jail.conf") == ['jails_config: "jail.conf" is not an absolute path']
