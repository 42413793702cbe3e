# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._devfs_rules import (
    DevfsRules,
    DevfsRulesError,
    clashes,
    describe_exposed,
    expand_includes,
    exposed_devices,
    format_rule,
    normalize_command,
    parse_rule,
    parse_show,
    parse_showsets,
    rules_by_number,
    ruleset_rules,
    tokenize,
    variables,
)
from conftest import REFERENCE

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "devfs")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8", newline="") as f:
        return f.read()


def defaults():
    return DevfsRules(fixture("defaults-devfs.rules"), "/etc/defaults/devfs.rules")


def test_fixture_is_the_reference_file():
    path = os.path.join(REFERENCE, "defaults-devfs.rules")
    with open(path, encoding="utf-8", newline="") as f:
        assert f.read() == fixture("defaults-devfs.rules")


@pytest.mark.parametrize("name", ["defaults-devfs.rules", "local-devfs.rules"])
def test_roundtrip_byte_for_byte(name):
    text = fixture(name)
    assert DevfsRules(text).render() == text


def test_default_rulesets_read():
    d = defaults()
    assert [(rs.name, rs.number) for rs in d.rulesets] == [
        ("devfsrules_hide_all", 1),
        ("devfsrules_unhide_basic", 2),
        ("devfsrules_unhide_login", 3),
        ("devfsrules_jail", 4),
        ("devfsrules_jail_vnet", 5),
    ]
    assert d.commands(d.get("devfsrules_jail")) == [
        "add include $devfsrules_hide_all",
        "add include $devfsrules_unhide_basic",
        "add include $devfsrules_unhide_login",
        "add path fuse unhide",
        "add path zfs unhide",
    ]


def test_ruleset_5_expands_through_devfsrules_jail():
    files = [defaults()]
    number, rules = ruleset_rules(files, "devfsrules_jail_vnet")
    assert number == 5
    assert [format_rule(r) for r in rules] == ["include 1", "include 2", "include 3", "include 4", "path pf unhide"]
    flat = [format_rule(r) for r in expand_includes(rules, rules_by_number(files), {5})]
    assert flat[0] == "hide"
    assert flat[1:6] == ["path null unhide", "path zero unhide", "path crypto unhide", "path random unhide",
                         "path urandom unhide"]  # fmt: skip
    assert flat[-3:] == ["path fuse unhide", "path zfs unhide", "path pf unhide"]
    assert "path ptyp* unhide" in flat and len(flat) == len(set(flat))
    assert exposed_devices(expand_includes(rules, rules_by_number(files))) == []


def test_local_file_comments_and_variables_across_files():
    d = defaults()
    local = DevfsRules(fixture("local-devfs.rules"), "/etc/devfs.rules")
    assert variables(d, local)["devfsrules_jail_dhcp"] == 20
    assert local.commands(local.get("localrules")) == ["add path 'tun*' mode 0660 group network"]
    number, rules = ruleset_rules([d, local], "devfsrules_jail_dhcp")
    assert (number, [format_rule(r) for r in rules]) == (20, ["include 4", "path bpf* unhide"])
    assert format_rule(ruleset_rules([d, local], "localrules")[1][0]) == "path tun* group network mode 660"


def test_unknown_variable_fails_with_the_ruleset():
    text = "[mine=30]\nadd include $nosuch\n"
    with pytest.raises(DevfsRulesError, match=r"\[mine=30\].*\$nosuch"):
        ruleset_rules([DevfsRules(text, "/etc/devfs.rules")], "mine")


def test_set_ruleset_replaces_only_its_block_and_appends_new_ones():
    text = fixture("local-devfs.rules")
    local = DevfsRules(text)
    local.set_ruleset("devfsrules_jail_dhcp", 20, ["add include $devfsrules_jail", "add path 'bpf*' unhide"])
    assert local.render() == text
    local.set_ruleset("localrules", 10, ["add path 'tun*' unhide"])
    assert local.render() == text.replace(
        "add path 'tun*' mode 0660 group network   # tunnels for the network group\n", "add path 'tun*' unhide\n"
    )
    local.set_ruleset("newset", 40, ["add include $devfsrules_jail"])
    assert local.render().endswith("add path 'bpf*' unhide\n\n[newset=40]\nadd include $devfsrules_jail\n")
    local.remove_ruleset("newset")
    assert local.render() == text.replace(
        "add path 'tun*' mode 0660 group network   # tunnels for the network group\n", "add path 'tun*' unhide\n"
    )
    empty = DevfsRules(None)
    empty.set_ruleset("a", 50, ["add hide"])
    assert empty.render() == "[a=50]\nadd hide\n"


def test_bad_header_names_the_line():
    with pytest.raises(DevfsRulesError, match="line 2"):
        DevfsRules("# x\n[noequals]\n")


def test_show_and_showsets_parsers():
    assert parse_showsets(fixture("showsets_1_5.txt")) == [1, 2, 3, 4, 5]
    assert parse_show(fixture("show_4.txt")) == [
        (100, "include 1"),
        (200, "include 2"),
        (300, "include 3"),
        (400, "path fuse unhide"),
        (500, "path zfs unhide"),
    ]
    assert parse_show("100 type disk path ada* unhide user root group operator mode 640\n") == [
        (100, "type disk path ada* unhide user root group operator mode 640")
    ]


@pytest.mark.parametrize(
    "rule, bad",
    [
        ("add path 'ada*' unhide", True),
        ("add path 'da*' unhide", True),
        ("add path 'nvd*' unhide", True),
        ("add path 'nda*' unhide", True),
        ("add path 'vtbd*' unhide", True),
        ("add path 'md*' unhide", True),
        ("add path 'zvol/*/*' unhide", True),
        ("add path 'zvol/*' unhide", False),  # FNM_PATHNAME: only the pool directories, no volume
        ("add path mem unhide", True),
        ("add path kmem unhide", True),
        ("add path io unhide", True),
        ("add type disk unhide", True),
        ("add path '*' unhide", True),
        ("add unhide", True),
        ("add path 'gpt/*' unhide", True),
        ("add path 'pass*' unhide", True),
        ("add path 'vtbd[0-9]*' unhide", True),
        ("add path 'diskid/*' unhide", True),
        ("add path 'zvol/*/*' unhide", True),
        ("add type mem unhide", True),
        ("add path '[ik]*' unhide", True),
        ("add path 'bpf*' unhide", False),
        ("add path 'ada*' hide", False),
        ("add path pf unhide", False),
        ("add path 'tun*' mode 0660", False),
        ("add type tty unhide", False),
        ("add type disk path 'pass*' unhide", False),  # pass is no GEOM disk: both conditions must match
    ],
)
def test_exposed_after_hide_all(rule, bad):
    """One rule after FreeBSD's hide-all (ruleset 1): does the jail see a disk or memory device?"""
    assert bool(exposed_devices([parse_rule(["hide"]), parse_rule(tokenize(rule))])) is bad


def test_exposed_follows_rule_order_and_fnmatch_pathname():
    hide_all = parse_rule(["hide"])

    def r(text):
        return parse_rule(tokenize(text))

    # '*' does not cross '/' (FNM_PATHNAME): it shows ada0 but not gpt/rootfs
    names = [d for d, _k, _r in exposed_devices([hide_all, r("path '*' unhide")])]
    assert "ada0" in names and "gpt/rootfs" not in names
    # a later hide wins
    assert exposed_devices([hide_all, r("path 'ada*' unhide"), r("path 'ada*' hide")]) == []
    # nothing hidden at all: every device is visible, and the message says why
    bad = exposed_devices([r("path 'bpf*' unhide")])
    assert ("mem", "memory", None) in bad
    assert describe_exposed(bad).startswith("not hidden by any rule: ada0, ada0p1, ")
    assert describe_exposed(exposed_devices([hide_all, r("path 'gpt/*' unhide")])) == "path gpt/* unhide: gpt/rootfs"


@pytest.mark.parametrize(
    "spec",
    [
        "path '$(reboot)' unhide",  # single quotes: literal for eval too
        "path ${devfsrules_jail} unhide",
        "path 'bpf*' unhide",
        "include $devfsrules_hide_all",
    ],
)
def test_shell_words_accepted(spec):
    assert normalize_command(spec).startswith("add ")


@pytest.mark.parametrize(
    "spec, char",
    [
        ("path $(reboot) unhide", "'$'"),
        ("path `reboot` unhide", "'`'"),
        ("path bpf unhide; reboot", "';'"),
        ("path bpf unhide | sh", "'|'"),
        ("path bpf unhide && reboot", "'&'"),
        ('path "$(reboot)" unhide', "'\"'"),
        ("path bpf unhide > /etc/rc.conf", "'>'"),
        ("path b\\pf unhide", "'\\\\'"),
    ],
)
def test_shell_metacharacters_refused(spec, char):
    with pytest.raises(DevfsRulesError) as exc:
        normalize_command(spec, "rules[0]")
    msg = str(exc.value)
    assert msg.startswith("rules[0]: ") and ("%s cannot be part of a devfs rule" % char) in msg, msg


def test_parse_rule_errors_like_devfs():
    with pytest.raises(DevfsRulesError, match="unknown type: floppy"):
        parse_rule(tokenize("add type floppy unhide"))
    with pytest.raises(DevfsRulesError, match="invalid mode: 9z"):
        parse_rule(tokenize("add path x mode 9z"))
    with pytest.raises(DevfsRulesError, match="expecting argument for path"):
        parse_rule(tokenize("add path"))
    with pytest.raises(DevfsRulesError, match="unknown argument: shown"):
        parse_rule(tokenize("add path x shown"))
    assert parse_rule(tokenize("add 300 path x unhide"))["number"] == 300
    with pytest.raises(DevfsRulesError, match="invalid user: a/b"):
        parse_rule(tokenize("add path x user a/b"))


def test_normalize_command():
    assert normalize_command("path 'bpf*' unhide") == "add path 'bpf*' unhide"
    assert normalize_command("  add path pf unhide ") == "add path pf unhide"
    with pytest.raises(DevfsRulesError, match=r"rules\[2\]"):
        normalize_command("path x unhide # c", "rules[2]")


def test_clashes():
    d = defaults()
    local = DevfsRules("[mine=4]\nadd hide\n[devfsrules_jail=60]\nadd hide\n", "/etc/devfs.rules")
    assert clashes([d, local], "other", 4) == [
        "ruleset number 4 is already used by [devfsrules_jail=4] in /etc/defaults/devfs.rules",
        "ruleset number 4 is already used by [mine=4] in /etc/devfs.rules",
    ]
    assert clashes([d, local], "devfsrules_jail", 60) == [
        "ruleset name devfsrules_jail is defined in both /etc/defaults/devfs.rules and /etc/devfs.rules",
    ]
    assert clashes([d], "fresh", 100) == []
