# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jls import JlsParseError, addresses_by_jail, parse_jls_n
from conftest import FIXTURES


def read(name):
    with open(os.path.join(FIXTURES, "jail", name), encoding="utf-8") as f:
        return f.read()


def test_parse_jls_n_two_jails():
    www, db = parse_jls_n(read("jls-n-q_two_jails.txt"))
    assert www["jid"] == "1" and www["name"] == "www"
    assert www["persist"] is True
    assert www["dying"] is False
    assert www["allow.mount"] is False and www["allow.mount.devfs"] is False
    assert www["allow.set_hostname"] is True
    assert www["ip4.addr"] == ["192.0.2.23", "192.0.2.24"]
    assert www["ip6.addr"] == []
    assert www["host.domainname"] == ""
    assert www["host"] == "new"
    assert db["path"] == "/usr/jails/data base"
    assert db["persist"] is False
    assert db["host.domainname"] == 'say "db"'
    assert db["ip6.addr"] == ["2001:db8::31"]
    assert db["securelevel"] == "3"


def test_parse_jls_n_empty_and_blank_lines():
    assert parse_jls_n("") == []
    assert parse_jls_n("\n\n") == []


def test_parse_jls_n_quote_with_apostrophe():
    (j,) = parse_jls_n('jid=3 name=x host.hostname="it\'s here" persist\n')
    assert j["host.hostname"] == "it's here" and j["persist"] is True


def test_parse_jls_n_unbalanced():
    with pytest.raises(JlsParseError):
        parse_jls_n('jid=1 name="broken\n')


def test_addresses_by_jail():
    text = "jid=3 name=www ip4.addr=192.0.2.1,192.0.2.2 ip6.addr=2001:db8::1\njid=4 name=db ip4.addr= ip6.addr=\n"
    assert addresses_by_jail(parse_jls_n(text)) == [
        ("3", "www", ["192.0.2.1", "192.0.2.2", "2001:db8::1"]),
        ("4", "db", []),
    ]
