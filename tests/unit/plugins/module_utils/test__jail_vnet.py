# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""vnet_bridges / vnet_defaultrouter: the jail.conf statements and every refusal, naming the field."""

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import desired_jails
from ansible_collections.bsd.jails.plugins.module_utils._jail_vnet import derived_mac, epair_units
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

BASE = {"name": "web", "path": "/j/web", "vnet": True, "persist": True, "exec_start": ["/bin/sh /etc/rc"],
        "exec_poststop": ["/bin/echo bye"],
        "vnet_bridges": [{"bridge": "bridge0", "epair": 5, "addresses": ["192.0.2.50/24", "192.0.2.51/24"],
                          "mac": "auto"}],
        "vnet_defaultrouter": "192.0.2.1"}  # fmt: skip


def _block(**over):
    return desired_jails({"jails": [dict(BASE, **over)]})[0][0].block


def _refused(match, *items):
    with pytest.raises(JailsError, match=match):
        desired_jails({"jails": [dict(BASE, **i) for i in items]})


def test_statements_the_handbook_way():
    b = _block()
    mac = derived_mac("web", 0)
    assert b["vnet"] == "new" and b["vnet.interface"] == ["epair5b"]
    assert b["exec.prestart"] == [
        "/sbin/ifconfig epair5 create up", f"/sbin/ifconfig epair5b ether {mac}",
        "/sbin/ifconfig bridge0 addm epair5a up",
    ]  # fmt: skip
    # the address and route before the user's /etc/rc, the epair removed after the user's poststop
    assert b["exec.start"] == [
        "/sbin/ifconfig epair5b inet 192.0.2.50/24 up", "/sbin/ifconfig epair5b inet 192.0.2.51/24 alias",
        "/sbin/route add default 192.0.2.1", "/bin/sh /etc/rc",
    ]  # fmt: skip
    assert b["exec.poststop"] == [
        "/bin/echo bye", "/sbin/ifconfig bridge0 deletem epair5a", "/sbin/ifconfig epair5a destroy",
    ]  # fmt: skip


def test_mac_is_stable_locally_administered_unicast():
    mac = derived_mac("web", 0)
    assert mac == derived_mac("web", 0) and mac != derived_mac("web", 1) and mac != derived_mac("db", 0)
    first = int(mac[:2], 16)
    assert first & 0x0F == 0x06  # locally administered, unicast (jib's jail-side layout)
    none = _block(vnet_bridges=[{"bridge": "bridge0", "epair": 5, "mac": "none"}], vnet_defaultrouter=None)
    assert "ether" not in " ".join(none["exec.prestart"])
    explicit = _block(**_br(epair=5, mac="06:AA:00:00:00:01"), vnet_defaultrouter=None)
    assert "/sbin/ifconfig epair5b ether 06:aa:00:00:00:01" in explicit["exec.prestart"]


def test_user_vnet_interface_and_empty_exec_start():
    b = _block(vnet_interface=["em1"], exec_start=[])
    assert b["vnet.interface"] == ["em1", "epair5b"]
    assert b["exec.start"][-1] == "/sbin/route add default 192.0.2.1"


def _br(**kw):
    return {"vnet_bridges": [dict({"bridge": "bridge0", "epair": 1}, **kw)]}


@pytest.mark.parametrize(
    "over, match",
    [
        ({"vnet": False}, r"^jails\[0\]\.vnet_bridges: needs vnet: true"),
        ({"vnet": None, "vnet_bridges": None}, r"^jails\[0\]\.vnet_defaultrouter: needs vnet: true"),
        (_br(bridge="bridge0;x"), r"vnet_bridges\[0\]\.bridge: 'bridge0;x' is not an interface name"),
        (_br(bridge="averyveryverylongbridge"), r"vnet_bridges\[0\]\.bridge:"),
        (_br(epair=40000), r"vnet_bridges\[0\]\.epair: 40000 is not an epair unit"),
        (_br(epair=None), r"vnet_bridges\[0\]\.epair: required"),
        (_br(addresses=["192.0.2.300/24"]), r"vnet_bridges\[0\]\.addresses\[0\]: '192.0.2.300/24' is not an IPv4"),
        (_br(addresses=["192.0.2.5"]), r"addresses\[0\]: .* prefix length"),
        (_br(addresses=["192.0.2.0/24"]), r"network address"),
        (_br(mac="02:00:00:00:00"), r"vnet_bridges\[0\]\.mac: .* not auto, none"),
        (_br(mac="03:00:00:00:00:01"), r"\.mac: .* multicast"),
        ({"vnet_bridges": [{"bridge": "b0", "epair": 1}, {"bridge": "b1", "epair": 1}]},
         r"vnet_bridges\[1\]\.epair: epair1 is already used"),
        ({"vnet_defaultrouter": "198.51.100.1"}, r"^jails\[0\]\.vnet_defaultrouter: 198.51.100.1 is on none"),
        ({"vnet_defaultrouter": "gw"}, r"vnet_defaultrouter: 'gw' is not an IPv4 address"),
    ],
)  # fmt: skip
def test_refused_naming_the_field(over, match):
    _refused(match, over)


def test_two_jails_on_one_epair_refused():
    other = {"name": "db", "path": "/j/db", "vnet": True, "persist": True, "vnet_defaultrouter": None}
    _refused(r"^jails\[1\]\.vnet_bridges: epair5 is already the epair of jail 'web' \(jails\[0\]\)", {}, other)
    moved = dict(other, vnet_bridges=None, vnet_interface=["epair5b"])
    _refused(r"^jails\[1\]\.vnet_interface: epair5 is already the epair of jail 'web'", {}, moved)
    fine = dict(other, vnet_bridges=[{"bridge": "bridge0", "epair": 6}])
    assert len(desired_jails({"jails": [BASE, fine]})[0]) == 2


def test_devfs_ruleset_5_for_a_vnet_jail_is_no_widening():
    w = desired_jails({"jails": [dict(BASE, devfs_ruleset=5)]})[1]
    assert not [x for x in w if "devfs_ruleset" in x]
    plain = dict(BASE, vnet=None, vnet_bridges=None, vnet_defaultrouter=None, devfs_ruleset=5)
    w = desired_jails({"jails": [plain]})[1]
    assert [x for x in w if "devfs_ruleset=5" in x]


def test_epair_units_of_a_block():
    assert epair_units({"vnet.interface": "epair3b, em0,epair12b"}) == {3, 12}
    assert epair_units({"vnet.interface": ["epair3a"]}) == set()


def test_host_interfaces_checked_naming_the_field():
    from ansible_collections.bsd.jails.plugins.module_utils._role_inputs import input_errors

    ok = [{"name": "bridge0", "members": ["vtnet0"], "addresses": ["192.0.2.1/24"]}, {"name": "lo1"}]
    assert input_errors(ok, "host_interfaces", "jails_host_interfaces") == []
    cases = [
        ([{"name": "lo0"}], "jails_host_interfaces[0].name: 'lo0' is not a cloned bridge or loopback"),
        ([{"name": "vtnet0"}], "jails_host_interfaces[0].name: 'vtnet0' is not a cloned bridge"),
        ([{"name": "bridge01"}], "jails_host_interfaces[0].name: 'bridge01' is not"),
        ([{"name": "lo1", "members": ["vtnet0"]}], "jails_host_interfaces[0].members: only a bridge has members"),
        ([{"name": "bridge0", "members": ["a b"]}], "jails_host_interfaces[0].members[0]: 'a b' is not an interface"),
        ([{"name": "bridge0", "members": ["bridge0"]}], "jails_host_interfaces[0].members[0]: bridge0 cannot be"),
        ([{"name": "lo1", "addresses": ["10.0.0.300/24"]}], "jails_host_interfaces[0].addresses[0]: '10.0.0.300/24'"),
        ([{"name": "lo1", "addresses": ["10.0.0.1/24", "10.0.0.1/32"]}], "jails_host_interfaces[0].addresses: an"),
        ([{"name": "lo1"}, {"name": "lo1"}], "jails_host_interfaces[1].name: lo1 is already listed"),
    ]
    for value, msg in cases:
        got = input_errors(value, "host_interfaces", "jails_host_interfaces")
        assert len(got) == 1 and got[0].startswith(msg), (value, got)


def test_an_epair_another_jail_of_the_configuration_uses_is_refused():
    from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConf
    from ansible_collections.bsd.jails.plugins.module_utils._jail_vnet import check_epairs_elsewhere

    conf = JailConf.parse('other {\n  vnet;\n  vnet.interface = "epair5b";\n}\nweb { vnet.interface = epair5b; }\n')
    wanted = desired_jails({"jails": [BASE]})[0]
    with pytest.raises(JailsError, match=r"^jails\[0\]\.vnet_bridges: epair5 is already the epair of jail 'other'"):
        check_epairs_elsewhere(wanted, {"/etc/jail.conf": conf})
    # the jail's own block (being rewritten) and an absent jail do not count
    check_epairs_elsewhere(wanted, {"/etc/jail.conf": JailConf.parse("web { vnet.interface = epair5b; }\n")})
    gone = desired_jails({"jails": [dict(BASE, state="absent")]})[0]
    check_epairs_elsewhere(gone, {"/etc/jail.conf": conf})
