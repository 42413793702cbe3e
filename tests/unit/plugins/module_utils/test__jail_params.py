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
    desired_jails,
    inherited_warnings,
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
