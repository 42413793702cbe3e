# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import (
    KnownParams,
    Wanted,
    check_bool,
    check_ip,
    check_name,
    check_value,
    desired_jails,
    inherited_warnings,
    merge_options,
    parse_kernel_params,
    widening,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")


def kernel_list():
    with open(os.path.join(FIXTURES, "sysctl", "security_jail_param_N.txt"), encoding="utf-8") as f:
        return parse_kernel_params(f.read())


def test_parse_kernel_params_drops_the_node_dot():
    names = kernel_list()
    assert {"allow.mount", "ip4", "host", "sysvshm", "allow.mount.nullfs", "children.max"} <= names
    assert not any(n.endswith(".") for n in names)
    assert parse_kernel_params("") == set()


@pytest.mark.parametrize(
    "name,ok",
    [("www", True), ("-r", False), ("a\x01", False), ("n" * 255, True), ("n" * 256, False), ("42", False),
     ("a.42", False), ("a.b", True), ("a b", False)],
)  # fmt: skip
def test_check_name(name, ok):
    if ok:
        assert check_name("name", name, known=("a",)) == name
    else:
        with pytest.raises(JailsError) as e:
            check_name("name", name, known=("a",))
        assert e.value.msg.startswith("name: ")


def test_check_ip_scope_is_an_interface():
    assert check_ip("ip6_addr", "fe80::1%lo0", 6) == "fe80::1%lo0"
    assert check_ip("ip6_addr", "em0|2001:db8::1/64", 6) == "em0|2001:db8::1/64"
    for bad in ("fe80::1%lo0\nexec.poststart = x", "fe80::1%", "fe80::1%a/b", "fe80::1%" + "x" * 16):
        with pytest.raises(JailsError):
            check_ip("ip6_addr", bad, 6)
    with pytest.raises(JailsError):
        check_ip("ip4_addr", "192.0.2.1%lo0", 4)


def test_one_boolean_rule():
    assert check_bool("f", "yes") is True and check_bool("f", "off") is False and check_bool("f", 1) is True
    with pytest.raises(JailsError) as e:
        check_bool("allow.sysvipc", "maybe")
    assert e.value.msg == "allow.sysvipc: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"


def test_known_params_read_once_and_only_when_needed():
    calls = []

    def read():
        calls.append(1)
        return kernel_list()

    known = KnownParams(read)
    assert known.type_of("exec.consolelog") == ("exec.consolelog", "str") and calls == []
    assert known.type_of("children.max") == ("children.max", "int")
    assert known.type_of("ip4.nosaddrsel") == ("ip4.saddrsel", "bool")
    assert known.type_of("allow.vmm") is None  # not loaded in that kernel
    assert known.type_of("sysvsem") == ("sysvsem", "jailsys")
    assert known.type_of("allow.mount.fusefs") == ("allow.mount.fusefs", "bool")  # libjail loads the module
    assert known.type_of("no.such.param") is None
    assert known.type_of("nochildren.max") is None  # 'no' only for booleans
    assert calls == [1]
    fallback = KnownParams(lambda: None)
    assert fallback.kernel is None and fallback.type_of("allow.vmm") == ("allow.vmm", "bool")


def test_params_value_types_and_no_forms():
    base = {"name": "www", "path": "/j/www", "persist": True, "params": {"ip4.nosaddrsel": True, "children.max": 0}}
    wanted, _w = desired_jails(base, kernel_params=kernel_list)
    assert wanted[0].block["ip4.saddrsel"] is False and wanted[0].block["children.max"] == "0"


def test_persist_or_command():
    base = {"name": "www", "path": "/j/www", "persist": False, "exec_start": []}
    with pytest.raises(JailsError) as e:
        desired_jails(base)
    assert e.value.msg.startswith("persist: false")
    for ok in ({"exec_start": ["/bin/sh /etc/rc"]}, {"exec_poststart": ["x"]}, {"params": {"command": "/bin/x"}}):
        desired_jails(dict(base, **ok))


def test_widening_and_inherited_settings():
    found = dict(widening({"children.max": "2", "ip4": "inherit", "mount.devfs": False, "allow.sysvipc": True}))
    assert set(found) == {"children.max", "ip4", "mount.devfs"}
    w = Wanted("www", "present", {"path": "/j/www", "allow.raw_sockets": False}, "/j/www", None, "name")
    eff = {"name": "www", "path": "/j/www", "allow.raw_sockets": False, "children.max": "50", "exec.clean": True}
    (msg,) = inherited_warnings([w], {"www": eff}.get, "/etc/jail.conf")
    assert "children.max=50" in msg and "allow.raw_sockets" not in msg and "/etc/jail.conf" in msg


BASE = {"name": "www", "path": "/j/www", "persist": True}


@pytest.mark.parametrize(
    "opts,msg",
    [
        ({"hostname": "h" * 256}, "jails[0].hostname: "),
        ({"ip4_addr": ["192.0.2.300"]}, "jails[0].ip4_addr: '192.0.2.300' is not IPv4"),
        ({"ip6_addr": ["192.0.2.1"]}, "jails[0].ip6_addr: '192.0.2.1' is not IPv6"),
        ({"interface": "em 0"}, "jails[0].interface: 'em 0' is not an interface name"),
        ({"vnet_interface": ["epair0b"]}, "jails[0].vnet_interface: needs vnet: true"),
        ({"vnet": True, "vnet_interface": ["e 0"]}, "jails[0].vnet_interface[0]: 'e 0' is not an interface name"),
        ({"devfs_ruleset": 70000}, "jails[0].devfs_ruleset: 70000 is not a ruleset number (0-65535)"),
        ({"enforce_statfs": 3}, "jails[0].enforce_statfs: 3 is not 0, 1 or 2"),
        ({"securelevel": 4}, "jails[0].securelevel: 4 is out of range (-1..3)"),
        ({"depend": ["db", "-x"]}, "jails[0].depend[1]: '-x' starts with '-'"),
        ({"exec_jail_user": "a b"}, "jails[0].exec_jail_user: 'a b' is not a user name"),
        ({"exec_start": ["echo 'x"]}, "jails[0].exec_start[0]: \"echo 'x\" has an unbalanced quote"),
        ({"exec_poststop": ["a; b"]}, "jails[0].exec_poststop[0]: 'a; b' contains ';'"),
        ({"allow": {"nosuch": True}}, "jails[0].allow: 'nosuch' is not a known allow.* parameter"),
        ({"params": {"host.hostname": "x"}}, "jails[0].params: 'host.hostname' is set by the option 'hostname'"),
        ({"params": {"jid": 3}}, "jails[0].params: 'jid' cannot be set"),
        ({"params": {"dying": True}}, "jails[0].params: 'dying' is read-only"),
    ],
)  # fmt: skip
def test_each_option_rule_names_its_field(opts, msg):
    with pytest.raises(JailsError) as e:
        desired_jails({"jails": [dict(BASE, **opts)]})
    assert e.value.msg.startswith(msg), e.value.msg


def test_block_values_in_jail_conf_form():
    opts = {
        "vnet": True,
        "vnet_interface": ["epair0b"],
        "ip4_addr": ["em0|192.0.2.1/24"],
        "securelevel": -1,
        "exec_system_jail_user": True,
        "depend": ["db"],
        "params": {"ip4.nosaddrsel": True, "exec.timeout": 9},
    }
    wanted, _warnings = desired_jails({"jails": [dict(name="db", path="/j/db", persist=True), dict(BASE, **opts)]})
    w = wanted[1]
    assert w.block["vnet"] == "new" and w.block["vnet.interface"] == ["epair0b"] and w.block["securelevel"] == "-1"
    assert w.block["ip4.addr"] == ["em0|192.0.2.1/24"] and w.block["exec.system_jail_user"] is True
    assert w.block["depend"] == ["db"] and w.block["ip4.saddrsel"] is False and w.block["exec.timeout"] == "9"
    (w,), _warnings = desired_jails({"jails": [dict(BASE, vnet=False)]})
    assert "vnet" not in w.block


def test_merge_options_fills_inherited_options_and_merges_allow_and_params():
    top = {"securelevel": 2, "allow": {"raw_sockets": True}, "params": {"exec.timeout": 5}, "hostname": "top"}
    item = {"name": "www", "allow": {"sysvipc": True}, "params": {"exec.timeout": 9}, "persist": None}
    o = merge_options(dict(top, persist=True), item)
    assert o["securelevel"] == 2 and o["persist"] is True and "hostname" not in o
    assert o["allow"] == {"raw_sockets": True, "sysvipc": True} and o["params"] == {"exec.timeout": 9}
    assert item["allow"] == {"sysvipc": True}  # the item itself is left as it was


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a;b", "a{b", "a}b", "a\0b", "a\x01b", 'say "hi'])
def test_check_value_refuses_what_would_break_jail_conf(value):
    with pytest.raises(JailsError) as e:
        check_value("exec_start[0]", value)
    assert e.value.msg.startswith("exec_start[0]: ")
    assert check_value("f", "/bin/sh -c 'echo $name'") == "/bin/sh -c 'echo $name'"
