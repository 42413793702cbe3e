# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._sysctl import (
    SysctlConf,
    catalogue,
    check_settable,
    deprecation_warning,
    parse_errors,
    parse_sysctl_e,
    values_equal,
)

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "sysctl")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def test_parse_e():
    assert parse_sysctl_e(fixture("sysctl_e.txt")) == {
        "security.jail.jailed": "0",
        "security.jail.allow_raw_sockets": "0",
        "kern.securelevel": "-1",
        "kern.hostname": "web.example.org",
    }


def test_parse_errors_of_behaviour_md():
    err = (
        "sysctl: unknown oid 'foo.bar'\n"
        "sysctl: oid 'security.jail.jailed' is read only\n"
        "sysctl: oid 'kern.maxusers' is a read only tunable\n"
        "sysctl: Tunable values are set in /boot/loader.conf\n"
        "sysctl: oid 'security.jail' isn't a leaf node\n"
        "sysctl: invalid integer 'abc'\n"
        "sysctl: kern.securelevel=-1: Operation not permitted\n"
    )
    assert parse_errors(err) == [
        ("unknown", {"name": "foo.bar"}),
        ("read_only", {"name": "security.jail.jailed"}),
        ("tunable", {"name": "kern.maxusers"}),
        ("not_leaf", {"name": "security.jail"}),
        ("invalid", {"type": "integer", "value": "abc"}),
        ("eperm", {"name": "kern.securelevel", "value": "-1"}),
    ]


@pytest.mark.parametrize(
    "a, b, equal",
    [
        ("1", "1", True),
        (" 1", "1", True),
        ("1.0", "1", True),
        ("1", "2", False),
        ("-1", "-1", True),
        ("1 2 3", "1,2,3", True),
        ("1 2", "1 2 3", False),
        ("web", "web ", True),
        ("web", "Web", False),
        ("", "0", False),
    ],
)
def test_values_equal(a, b, equal):
    assert values_equal(a, b) is equal


def test_catalogue_and_deprecations():
    assert catalogue("security.jail.allow_raw_sockets")["param"] == "allow.raw_sockets"
    assert catalogue("security.jail.mount_nullfs_allowed")["param"] == "allow.mount.nullfs"
    assert catalogue("security.jail.vmm_allowed")["param"] == "allow.vmm"
    assert catalogue("security.jail.devfs_ruleset")["writable"] is False
    assert catalogue("kern.securelevel") is None
    warning = deprecation_warning("security.jail.allow_raw_sockets")
    assert warning.endswith("set the jail parameter allow.raw_sockets per jail instead, with the bsd.jails.jail "
                            "option allow: {raw_sockets: true}")  # fmt: skip
    assert "option allow: {socket_af: false}" in deprecation_warning("security.jail.socket_unixiproute_only")
    assert "option enforce_statfs: N" in deprecation_warning("security.jail.enforce_statfs")
    assert deprecation_warning("security.jail.jail_max_af_ips") is None
    assert deprecation_warning("security.jail.allow_raw_sockets", jail="web") is None


@pytest.mark.parametrize(
    "name, value, current, jail, expected",
    [
        ("kern.securelevel", "3", "-1", "web", None),
        ("kern.securelevel", "1", "3", "web", "securelevel can only be raised inside jail web (now 3, asked 1)"),
        ("kern.securelevel", "1", "3", None, "securelevel can only be raised on the host"),
        ("foo.bar", "1", None, None, "unknown oid 'foo.bar'"),
        ("security.jail.jailed", "1", "0", None, "is read only"),
        ("kern.osrelease", "15.0", "14.3-RELEASE", None, "is read only"),
        ("kern.maxusers", "512", "384", None, "belongs in /boot/loader.conf"),
        ("kern.maxfiles", "abc", "12345", None, "'abc' is not an integer"),
        ("security.jail.jail_max_af_ips", "-1", "255", None, "not an unsigned integer"),
        ("kern.hostname", "db", "web", None, None),
    ],
)
def test_check_settable(name, value, current, jail, expected):
    msg = check_settable(name, value, current, jail)
    if expected is None:
        assert msg is None
    else:
        assert expected in msg and msg.startswith(name)


def test_sysctl_conf_stock_roundtrip_and_append():
    text = fixture("stock_sysctl.conf")
    conf = SysctlConf(text)
    assert conf.render() == text
    assert conf.entries() == {}  # the stock file has only comments
    conf.set("security.bsd.see_other_uids", "0")
    assert conf.render() == text + "security.bsd.see_other_uids=0\n"


def test_sysctl_conf_edit_in_place_keeps_comments_and_other_lines():
    text = fixture("edited_sysctl.conf")
    conf = SysctlConf(text)
    # "name = value" sets name, as sysctl -f reads it; the last line of a name wins
    assert conf.entries() == {
        "kern.ipc.somaxconn": "1024",
        "security.bsd.see_other_uids": "0",
        "net.inet.ip.forwarding": "1",
    }
    conf.set("kern.ipc.somaxconn", "4096")
    conf.set("security.bsd.see_other_uids", "0")
    conf.set("net.inet.ip.forwarding", "0")
    assert conf.render() == (
        "# local tuning\n"
        "kern.ipc.somaxconn=4096   # listen queue\n"
        "\n"
        "security.bsd.see_other_uids=0\n"
        "net.inet.ip.forwarding = 0\n"
        "security.bsd.see_other_uids=0\n"
    )
    conf.remove("security.bsd.see_other_uids")
    conf.remove("net.inet.ip.forwarding")
    assert conf.render() == "# local tuning\nkern.ipc.somaxconn=4096   # listen queue\n\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # sbin/sysctl/sysctl.c parse(): split at the first = or :, blanks around it dropped
        ("kern.maxfiles = 100", ("kern.maxfiles", "100")),
        ("  kern.maxfiles\t:\t100 \t", ("kern.maxfiles", "100")),
        ("kern.maxfiles=100:200", ("kern.maxfiles", "100:200")),
        ("kern.maxfiles=1 2,3", ("kern.maxfiles", "1 2,3")),
        ("kern.maxfiles=", ("kern.maxfiles", "")),
        # one pair of quotes stripped (the opening one always)
        ("kern.domainname = 'a b'", ("kern.domainname", "a b")),
        ('kern.domainname="x', ("kern.domainname", "x")),
        # parsefile(): # starts a comment, except after a quote (the line then ends after the
        # closing quote) or after a backslash
        ("kern.maxfiles=100# c", ("kern.maxfiles", "100")),
        ('kern.domainname = "a # b" # c', ("kern.domainname", "a # b")),
        ("kern.domainname=a\\#b", ("kern.domainname", "a\\#b")),
        # no separator: sysctl only reads the value; comments and blank lines set nothing
        ("kern.maxfiles", None),
        ("  # kern.maxfiles=1", None),
        ("", None),
    ],
)
def test_sysctl_conf_lines_as_sysctl_f_reads_them(line, expected):
    assert SysctlConf(line + "\n").entries() == (dict([expected]) if expected else {})


def test_sysctl_conf_set_replaces_a_value_written_with_blanks_and_adds_no_duplicate():
    conf = SysctlConf("kern.maxfiles = 100   # tuned\n\tnet.inet.ip.forwarding :\n")
    conf.set("kern.maxfiles", "200")
    conf.set("net.inet.ip.forwarding", "1")
    assert conf.render() == "kern.maxfiles = 200   # tuned\n\tnet.inet.ip.forwarding :1\n"
    assert conf.entries() == {"kern.maxfiles": "200", "net.inet.ip.forwarding": "1"}
    conf = SysctlConf('kern.domainname = "old" # c\n')
    conf.set("kern.domainname", "new name")
    assert conf.render() == "kern.domainname = new name # c\n"
    assert conf.get("kern.domainname") == "new name"


def test_sysctl_conf_missing_newline_and_empty():
    conf = SysctlConf("kern.a=1")
    conf.set("kern.b", "2")
    assert conf.render() == "kern.a=1\nkern.b=2\n"
    conf = SysctlConf(None)
    conf.set("kern.b", "2")
    assert conf.render() == "kern.b=2\n"
    assert SysctlConf('kern.x="quoted"\n').entries() == {"kern.x": "quoted"}


def test_check_type_ranges():
    from ansible_collections.bsd.jails.plugins.module_utils._sysctl import check_type

    assert check_type("kern.maxfiles", "300000", "integer") is None
    assert check_type("kern.hostname", "a b", "string") is None
    assert check_type("x.y", "2147483648", "integer").startswith("x.y: 2147483648 is out of range")
    assert check_type("x.y", "-2147483648", "integer") is None
    assert "negative" in check_type("x.y", "-5", "unsigned integer")
    assert check_type("x.y", "18446744073709551615", "uint64_t") is None
    assert "out of range" in check_type("x.y", "256", "uint8_t")
    assert check_type("x.y", "1,2 3", "integer") is None
    assert "'a' is not a number" in check_type("x.y", "1,a", "integer")
    assert "which sysctl cannot set" in check_type("x.y", "1", "opaque")
    assert check_type("x.y", "1", None) is None
