# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._pf import (
    anchor_file,
    calls_anchor,
    check_inputs,
    edit_pf_conf,
    is_enabled,
    parse_rdr,
    render_rules,
    resolve_forwards,
    rule_lines,
    without_load,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

PATH = "/etc/pf.anchors/bsd.jails"
LINES = [
    'nat-anchor "bsd.jails"',
    'rdr-anchor "bsd.jails"',
    'anchor "bsd.jails"',
    'load anchor "bsd.jails" from "/etc/pf.anchors/bsd.jails"',
]


def params(**kw):
    p = dict(anchor="bsd.jails", external_interface="vtnet0", nat_networks=[], nat_address=None, forwards=[])
    p.update(kw)
    return p


def test_rules_are_written_as_pfctl_prints_them():
    _a, ext, nat, nat_address, fwd = check_inputs(
        params(
            nat_networks=["10.17.0.5/24", "10.18.0.1"],
            forwards=[{"address": "10.17.0.2", "port": "443"}, {"address": "10.17.0.3", "proto": "udp", "port": 53,
                      "to": 5353, "external_address": "192.0.2.10"}],
        )
    )  # fmt: skip
    assert render_rules(ext, nat, nat_address, fwd) == [
        "nat on vtnet0 inet from 10.17.0.0/24 to any -> (vtnet0) round-robin",
        "nat on vtnet0 inet from 10.18.0.1 to any -> (vtnet0) round-robin",
        "rdr pass on vtnet0 inet proto tcp from any to (vtnet0) port = 443 -> 10.17.0.2 port 443",
        "rdr pass on vtnet0 inet proto udp from any to 192.0.2.10 port = 53 -> 10.17.0.3 port 5353",
    ]
    assert render_rules("em0", ["10.0.0.0/8"], "198.51.100.1", []) == [
        "nat on em0 inet from 10.0.0.0/8 to any -> 198.51.100.1"
    ]


@pytest.mark.parametrize(
    "kw, msg",
    [
        (dict(anchor="_x"), r"^anchor: '_x' is not an anchor name"),
        (dict(anchor='a" pass all'), r"^anchor: "),
        (dict(external_interface="vtnet0 all"), r"^external_interface: 'vtnet0 all' is not an interface name"),
        (dict(external_interface=None, nat_networks=["10.0.0.0/8"]), r"^external_interface: required"),
        (dict(nat_networks=["10.0.0.0/8 to any"]), r"^nat_networks\[0\]: '10.0.0.0/8 to any' is not an IPv4"),
        (dict(nat_networks=["10.0.0.0/33"]), r"^nat_networks\[0\]: "),
        (dict(nat_address="(vtnet0)"), r"^nat_address: "),
        (dict(forwards=[{"address": "10.0.0.2", "port": 0}]), r"^forwards\[0\]\.port: 0 is not a port number"),
        (dict(forwards=[{"address": "10.0.0.2", "port": 65536}]), r"^forwards\[0\]\.port: 65536 is not"),
        (dict(forwards=[{"address": "10.0.0.2", "port": True}]), r"^forwards\[0\]\.port: True is not"),
        (dict(forwards=[{"address": "10.0.0.2", "port": 80, "to": 70000}]), r"^forwards\[0\]\.to: 70000 is not"),
        (dict(forwards=[{"address": "10.0.0.2", "port": 80, "proto": "icmp"}]), r"^forwards\[0\]\.proto: 'icmp'"),
        (dict(forwards=[{"port": 80}]), r"^forwards\[0\]: give exactly one of jail"),
        (dict(forwards=[{"jail": "w", "address": "10.0.0.2", "port": 80}]), r"^forwards\[0\]: give exactly one"),
        (dict(forwards=[{"jail": "-w", "port": 80}]), r"^forwards\[0\]\.jail: "),
        (dict(forwards=[{"address": "10.0.0.2 port 1", "port": 80}]), r"^forwards\[0\]\.address: "),
        (dict(forwards=[{"address": "10.0.0.2", "port": 80, "external_address": "any"}]),
         r"^forwards\[0\]\.external_address: "),
        (dict(forwards=[{"address": "10.0.0.2", "port": 80}, {"address": "10.0.0.3", "port": 80}]),
         r"^forwards\[1\]: tcp port 80 is already forwarded by forwards\[0\]"),
        (dict(forwards=[{"address": "10.0.0.2", "port": 80, "label": "x"}]), r"^forwards\[0\]: unknown key"),
    ],
)  # fmt: skip
def test_every_input_is_checked_naming_the_field(kw, msg):
    with pytest.raises(JailsError, match=msg):
        check_inputs(params(**kw))


def test_forward_to_a_jail_takes_its_first_ipv4_address():
    _a, _e, _n, _na, fwd = check_inputs(params(forwards=[{"jail": "www", "port": 443}]))
    assert resolve_forwards(fwd, {"www": ["2001:db8::2", "10.17.0.2", "10.17.0.9"]})[0]["address"] == "10.17.0.2"
    with pytest.raises(JailsError, match=r"^forwards\[0\]\.jail: jail www is not running"):
        resolve_forwards(fwd, {})
    with pytest.raises(JailsError, match=r"^forwards\[0\]\.jail: jail www has no IPv4 address"):
        resolve_forwards(fwd, {"www": ["2001:db8::2"]})


def test_pf_conf_made_when_absent_and_lines_added_once_in_section_order():
    made = edit_pf_conf(None, "bsd.jails", PATH)
    assert rule_lines(made) == LINES
    assert edit_pf_conf(made, "bsd.jails", PATH) == made
    host = (
        'ext_if = "vtnet0"\n'
        "set skip on lo0\n"
        "# the host's nat\n"
        "nat on $ext_if from 192.168.0.0/24 \\\n"
        "  to any -> ($ext_if)\n"
        "pass in on $ext_if proto tcp to port 22\n"
        "block in quick proto udp to port 53"  # no final newline
    )
    edited = edit_pf_conf(host, "bsd.jails", PATH)
    assert edited.splitlines() == [
        'ext_if = "vtnet0"',
        "set skip on lo0",
        "# the host's nat",
        LINES[0],
        LINES[1],
        "nat on $ext_if from 192.168.0.0/24 \\",
        "  to any -> ($ext_if)",
        "pass in on $ext_if proto tcp to port 22",
        "block in quick proto udp to port 53",
        LINES[2],
        LINES[3],
    ]
    assert edit_pf_conf(edited, "bsd.jails", PATH) == edited
    # options only: the translation anchors at the end, before the filter anchor
    assert edit_pf_conf("set skip on lo0\n", "bsd.jails", PATH).splitlines()[1:] == LINES
    assert LINES[3] not in without_load(edited, "bsd.jails", PATH)


def test_reading_pfctl_output():
    assert calls_anchor('nat-anchor "bsd.jails" all\nnat on em0 all -> (em0)\nrdr-anchor "bsd.jails" all\n',
                        "bsd.jails")  # fmt: skip
    assert not calls_anchor('nat-anchor "bsd.jails" all\n', "bsd.jails")
    assert not calls_anchor('nat-anchor "bsd.jails/x" all\nrdr-anchor "bsd.jails/x" all\n', "bsd.jails")
    assert is_enabled("Status: Enabled for 0 days 00:00:03           Debug: Urgent\n\n")
    assert not is_enabled("Status: Disabled                             Debug: Urgent\n")
    assert not is_enabled("")
    nat = (
        "nat on vtnet0 inet from 10.17.0.0/24 to any -> (vtnet0) round-robin\n"
        "rdr pass on vtnet0 inet proto tcp from any to (vtnet0) port = 443 -> 10.17.0.2 port 8443\n"
        "rdr on em0 inet proto udp from any to 192.0.2.10 port = 53 -> 10.17.0.3\n"
    )
    assert parse_rdr(nat) == [
        dict(ifname="vtnet0", proto="tcp", to="(vtnet0)", port=443, target="10.17.0.2", tport=8443),
        dict(ifname="em0", proto="udp", to="192.0.2.10", port=53, target="10.17.0.3", tport=53),
    ]
    assert anchor_file("a/b") == "/etc/pf.anchors/a_b"
