# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._rctl import (
    MARKER,
    desired,
    edit_conf,
    edit_loader,
    live_after,
    loader_enabled,
    owned_rules,
    parse_amount,
    parse_rules,
    plan_live,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

M = " " + MARKER + "\n"


@pytest.mark.parametrize(
    "value, expected",
    [(200, 200), ("200", 200), ("2G", 2 * 1024**3), ("512m", 512 * 1024**2), ("1kb", 1024), ("10b", 10), ("1E", 2**60)],
)
def test_parse_amount_reads_units_as_expand_number(value, expected):
    assert parse_amount(value, "f") == expected


@pytest.mark.parametrize("value", ["2X", "-1", "1.5G", "", "G", True, None, "8E", "1bb"])
def test_parse_amount_refuses_naming_the_field(value):
    with pytest.raises(JailsError, match=r"^limits\.memoryuse: "):
        parse_amount(value, "limits.memoryuse")


def test_desired_rules_as_rctl_lists_them():
    want = desired(
        [
            {"name": "web", "limits": {"memoryuse": "2G", "maxproc": 200}},
            {"name": "db", "limits": {"openfiles": {"amount": 1000, "action": "log", "per": "process"}}},
        ]
    )
    assert want == {
        "web": ["jail:web:memoryuse:deny=2147483648", "jail:web:maxproc:deny=200"],
        "db": ["jail:db:openfiles:log=1000/process"],
    }


@pytest.mark.parametrize(
    "limits, message",
    [
        ({"memoryuze": 1}, "jails[1].limits.memoryuze: unknown resource"),
        ({"maxproc": {"amount": 1, "action": "kill"}}, "jails[1].limits.maxproc.action: 'kill' is not"),
        ({"maxproc": {"amount": 1, "per": "host"}}, "jails[1].limits.maxproc.per: 'host' is not"),
        ({"maxproc": {"action": "log"}}, "jails[1].limits.maxproc.amount: required"),
        ({"maxproc": {"amount": 1, "when": 2}}, "jails[1].limits.maxproc: unknown key when"),
        ({"cputime": 10}, "jails[1].limits.cputime: cputime cannot be denied"),
        ({"maxproc": {"amount": 1, "action": "throttle"}}, "jails[1].limits.maxproc: throttle works only"),
        ({"swapuse": {"amount": 1, "per": "process"}}, "jails[1].limits.swapuse.per: swapuse cannot be limited"),
        ({"memoryuse": "lots"}, "jails[1].limits.memoryuse: 'lots' is not an amount"),
    ],
)
def test_desired_refuses_before_anything_naming_the_field(limits, message):
    with pytest.raises(JailsError) as exc:
        desired([{"name": "ok", "limits": {}}, {"name": "web", "limits": limits}])
    assert exc.value.msg.startswith(message)


@pytest.mark.parametrize("name", ["a:b", "-x", "a b", "", None, "x/y"])
def test_desired_refuses_names_that_break_the_rule(name):
    with pytest.raises(JailsError, match=r"^jails\[0\]\.name: "):
        desired([{"name": name, "limits": {}}])


def test_single_form_names_limits():
    with pytest.raises(JailsError, match=r"^limits\.pcpu: "):
        desired([{"name": "web", "limits": {"pcpu": "x"}}], single=True)


def test_conf_edit_keeps_foreign_lines_and_replaces_in_place():
    text = (
        "# site limits\n"
        "jail:other:maxproc:deny=7   # the admin's own\n"
        "jail:web:memoryuse:deny=2147483648" + M + "jail:web:maxproc:deny=200" + M + "jail:db:nthr:deny=10" + M
    )
    assert owned_rules(text) == [
        "jail:web:memoryuse:deny=2147483648",
        "jail:web:maxproc:deny=200",
        "jail:db:nthr:deny=10",
    ]
    new = edit_conf(text, {"web": ["jail:web:memoryuse:deny=1073741824", "jail:web:pcpu:deny=50"]})
    assert new == (
        "# site limits\n"
        "jail:other:maxproc:deny=7   # the admin's own\n"
        "jail:web:memoryuse:deny=1073741824" + M + "jail:db:nthr:deny=10" + M + "jail:web:pcpu:deny=50" + M
    )
    assert edit_conf(new, {"web": ["jail:web:memoryuse:deny=1073741824", "jail:web:pcpu:deny=50"]}) == new
    assert edit_conf(new, {"web": []}) == (
        "# site limits\njail:other:maxproc:deny=7   # the admin's own\njail:db:nthr:deny=10" + M
    )
    # an unmarked line of a listed jail is the admin's: kept
    assert edit_conf("jail:web:maxproc:deny=1", {"web": []}) == "jail:web:maxproc:deny=1\n"
    assert edit_conf(None, {"web": ["jail:web:maxproc:deny=1"]}) == "jail:web:maxproc:deny=1" + M


def test_plan_live_removes_only_dropped_owned_rules():
    live = parse_rules("jail:web:pcpu:deny=50\njail:web:memoryuse:deny=2147483648\njail:web:nthr:deny=9\n")
    previous = ["jail:web:memoryuse:deny=2147483648", "jail:web:pcpu:deny=50", "jail:web:maxproc:deny=5"]
    want = {"web": ["jail:web:memoryuse:deny=1073741824", "jail:web:openfiles:log=10"]}
    remove, add = plan_live(live, previous, want)
    # memoryuse's deny is replaced by rctl -a itself; nthr is not the collection's; maxproc is gone already
    assert remove == ["jail:web:pcpu:deny=50"]
    assert add == ["jail:web:memoryuse:deny=1073741824", "jail:web:openfiles:log=10"]
    assert live_after(live, remove, add) == [
        "jail:web:nthr:deny=9",
        "jail:web:memoryuse:deny=1073741824",
        "jail:web:openfiles:log=10",
    ]
    assert plan_live(live_after(live, remove, add), previous + add, want) == ([], [])


def test_plan_live_removes_a_changed_log_rule():
    remove, add = plan_live(
        ["jail:web:memoryuse:log=1"], ["jail:web:memoryuse:log=1"], {"web": ["jail:web:memoryuse:log=2"]}
    )
    assert (remove, add) == (["jail:web:memoryuse:log=1"], ["jail:web:memoryuse:log=2"])


def test_loader_edit():
    assert not loader_enabled(None)
    assert edit_loader(None) == 'kern.racct.enable="1"\n'
    text = 'autoboot_delay="3"\nkern.racct.enable=0 # off\n'
    assert edit_loader(text) == 'autoboot_delay="3"\nkern.racct.enable="1"\n'
    assert loader_enabled('kern.racct.enable="1"\n')
    assert edit_loader('kern.racct.enable="1"\nx=1') == 'kern.racct.enable="1"\nx=1'
    assert not loader_enabled('kern.racct.enable="1"\nkern.racct.enable="0"\n')  # the last one counts
