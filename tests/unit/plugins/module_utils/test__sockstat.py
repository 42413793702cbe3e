# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._sockstat import (
    family,
    parse_sockstat,
    parse_sockstat_jail,
    split_address,
)
from conftest import REFERENCE

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "sockstat")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def brief(socks):
    return [
        (s["command"], s["pid"], s["fd"], s["proto"], s["local_addr"], s["local_port"], s["wildcard"]) for s in socks
    ]


def test_behaviour_sample_fields_exactly():
    socks = parse_sockstat(fixture("freebsd14_behaviour_sample.txt"))
    assert socks[0] == {
        "user": "root",
        "command": "sshd",
        "pid": 812,
        "fd": 4,
        "proto": "tcp6",
        "local_addr": "*",
        "local_port": 22,
        "foreign_addr": "*",
        "foreign_port": "*",
        "wildcard": True,
    }
    assert brief(socks) == [
        ("sshd", 812, 4, "tcp6", "*", 22, True),
        ("sshd", 812, 5, "tcp4", "*", 22, True),
        ("sendmail", 790, 4, "tcp4", "127.0.0.1", 25, False),
        ("syslogd", 650, 6, "udp6", "*", 514, True),
    ]


def test_behaviour_md_sample_is_the_fixture():
    """The fixture is the §8 sample of the reference fact sheet, byte for byte."""
    path = os.path.join(REFERENCE, "BEHAVIOUR.md")
    with open(path, encoding="utf-8") as f:
        assert fixture("freebsd14_behaviour_sample.txt") in f.read()


def test_header_with_trailing_spaces_and_blank_lines_are_skipped():
    text = "USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n\n   \n"
    assert parse_sockstat(text) == []
    assert parse_sockstat("") == []
    assert parse_sockstat(None) == []


def test_freebsd13_layout_ipv6_scoped_truncated_command_and_unknown_pid():
    socks = parse_sockstat(fixture("freebsd13_layout.txt"))
    assert brief(socks) == [
        ("sshd", 812, 4, "tcp6", "*", 22, True),
        ("sshd", 812, 5, "tcp4", "*", 22, True),
        ("inetd", 700, 5, "tcp46", "*", 21, True),
        ("ntpd", 901, 20, "udp6", "fe80::1%lo0", 123, False),
        ("ntpd", 901, 21, "udp6", "::1", 123, False),
        ("ntpd", 901, 22, "udp4", "192.0.2.23", 123, False),
        ("ntpd", 901, 23, "udp6", "2001:db8:1234:5678:9abc::17", 123, False),
        ("named", 1020, 21, "udp4", "127.0.0.1", 53, False),
        ("rpc.statd", 1102, 4, "udp4", "*", 702, True),
        ("sendmail-m", 790, 4, "tcp4", "127.0.0.1", 25, False),
        ("?", None, None, "udp4", "*", 5353, True),
    ]
    assert socks[-1]["user"] == "?"
    assert not any(s.get("truncated") for s in socks)


def test_freebsd9_dual_stack_with_a_space():
    socks = parse_sockstat(fixture("freebsd9_tcp4_6.txt"))
    assert brief(socks) == [
        ("inetd", 700, 5, "tcp46", "*", 21, True),
        ("sshd", 812, 4, "tcp4", "*", 22, True),
        ("syslogd", 650, 6, "udp6", "*", 514, True),
        ("rpcbind", 599, 10, "udp46", "*", 111, True),
    ]
    assert socks[0]["foreign_addr"] == "*"


def test_freebsd15_layout_command_with_space_and_truncated_address():
    socks = parse_sockstat(fixture("freebsd15_layout.txt"))
    assert [s["command"] for s in socks] == [
        "sshd",
        "sshd",
        "syslogd",
        "syslogd",
        "sendmail",
        "ntpd",
        "sshd",
        "nginx: mas",
    ]
    assert socks[5]["user"] == "_ntp"
    assert socks[5]["pid"] == 1203 and socks[5]["fd"] == 21
    assert socks[7]["local_addr"] == "192.0.2.23" and socks[7]["local_port"] == 80
    # "2001:db8:1234:5678:9a" is what %-21.21s leaves of the address: flagged, not guessed.
    assert socks[6]["truncated"] is True
    assert "truncated" not in socks[0]


def test_unix_sockets_skipped_and_brackets_read():
    socks = parse_sockstat(fixture("freebsd14_unix_and_brackets.txt"))
    assert brief(socks) == [
        ("sshd", 812, 4, "tcp6", "::", 22, True),
        ("named", 1020, 22, "tcp6", "2001:db8::5", 53, False),
        ("sshd", 812, 5, "tcp4", "0.0.0.0", 22, True),
    ]
    assert socks[1]["foreign_addr"] == "::" and socks[1]["foreign_port"] == "*"


def test_jail_output_marks_the_jail():
    socks = parse_sockstat_jail(fixture("freebsd14_jail_web.txt"), "web")
    assert [(s["jail"], s["command"], s["local_addr"], s["local_port"]) for s in socks] == [
        ("web", "sshd", "192.0.2.23", 22),
        ("web", "syslogd", "192.0.2.23", 514),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("*:22", ("*", "22")),
        ("*:*", ("*", "*")),
        ("::1:53", ("::1", "53")),
        ("fe80::1%lo0:123", ("fe80::1%lo0", "123")),
        ("[::1]:53", ("::1", "53")),
        ("[fe80::1%lo0]:123", ("fe80::1%lo0", "123")),
        ("192.0.2.10:514", ("192.0.2.10", "514")),
        ("/var/run/log", ("/var/run/log", None)),
    ],
)
def test_split_address(text, expected):
    assert split_address(text) == expected


def test_family():
    assert family("tcp4") == {"4"}
    assert family("udp6") == {"6"}
    assert family("tcp46") == {"4", "6"}
