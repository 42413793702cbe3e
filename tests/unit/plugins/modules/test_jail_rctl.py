# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.modules import jail_rctl
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

M = " # bsd.jails: managed\n"
OWN = "jail:other:maxproc:deny=7 # the admin's own\n"


def racct(value):
    return Call(["/testbin/sysctl", "-n", "kern.racct.enable"], out="%s\n" % value)


def listing(out):
    return Call(["/testbin/rctl", "--", "jail:"], out=out)


JLS = Call(["/testbin/jls", "-n", "-q"], out="jid=1 name=web path=/j/web\n")


def paths(tmp_path, conf=OWN, loader=None):
    (tmp_path / "rctl.conf").write_text(conf)
    if loader is not None:
        (tmp_path / "loader.conf").write_text(loader)
    return {"rctl_conf": str(tmp_path / "rctl.conf"), "loader_conf": str(tmp_path / "loader.conf")}


def test_racct_off_is_said_and_only_persisted(tmp_path):
    params = dict(paths(tmp_path), name="web", limits={"memoryuse": "2G"})
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS], check=True, diff=True)
    assert res.changed and res.writes == 0 and (tmp_path / "rctl.conf").read_text() == OWN
    assert not res["applied"] and not res["racct_enabled"] and not res["reboot_required"] and res["actions"] == []
    assert any("do NOT apply" in w for w in res["warnings"])
    assert res["diff"][0]["after"] == OWN + "jail:web:memoryuse:deny=2147483648" + M
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS])
    assert res.changed and res.writes == 1
    assert (tmp_path / "rctl.conf").read_text() == OWN + "jail:web:memoryuse:deny=2147483648" + M
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS])
    assert not res.changed and res.writes == 0 and res["warnings"]


def test_racct_enable_sets_the_tunable_and_asks_for_a_reboot(tmp_path):
    params = dict(paths(tmp_path, loader='autoboot_delay="2"\n'), name="db", limits={"maxproc": 20}, racct_enable=True)
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS], check=True, diff=True)
    assert res.changed and res.writes == 0 and res["reboot_required"] and res["not_running"] == ["db"]
    assert res["diff"][1]["after"] == 'autoboot_delay="2"\nkern.racct.enable="1"\n'
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS])
    assert res.writes == 2 and res["reboot_required"] and any("reboot" in w for w in res["warnings"])
    assert (tmp_path / "loader.conf").read_text() == 'autoboot_delay="2"\nkern.racct.enable="1"\n'
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS])
    assert not res.changed and res["reboot_required"]


def test_apply_change_remove_precisely(tmp_path):
    conf = OWN + "jail:web:memoryuse:deny=2147483648" + M + "jail:web:maxproc:deny=200" + M
    params = dict(paths(tmp_path, conf), name="web", limits={"memoryuse": "1G", "pcpu": 50})
    live = "jail:other:maxproc:deny=7\njail:web:maxproc:deny=200\njail:web:memoryuse:deny=2147483648\n"
    res = run_module(jail_rctl.main, params, calls=[racct(1), listing(live), JLS], check=True, diff=True)
    assert res.changed and res.writes == 0 and (tmp_path / "rctl.conf").read_text() == conf
    assert res["actions"] == [
        "rctl -r jail:web:maxproc:deny=200",
        "rctl -a jail:web:memoryuse:deny=1073741824",
        "rctl -a jail:web:pcpu:deny=50",
    ]
    assert res["diff"][1]["before"] == {"web": ["jail:web:maxproc:deny=200", "jail:web:memoryuse:deny=2147483648"]}
    assert res["diff"][1]["after"] == {"web": ["jail:web:memoryuse:deny=1073741824", "jail:web:pcpu:deny=50"]}
    calls = [
        racct(1),
        listing(live),
        JLS,
        Call(["/testbin/rctl", "-r", "--", "jail:web:maxproc:deny=200"]),
        Call(["/testbin/rctl", "-a", "--", "jail:web:memoryuse:deny=1073741824", "jail:web:pcpu:deny=50"]),
    ]
    res = run_module(jail_rctl.main, params, calls=calls)
    assert res.changed and res.writes == 1 and res["applied"] and res["not_running"] == []
    assert (tmp_path / "rctl.conf").read_text() == (
        OWN + "jail:web:memoryuse:deny=1073741824" + M + "jail:web:pcpu:deny=50" + M
    )
    live = "jail:other:maxproc:deny=7\njail:web:pcpu:deny=50\njail:web:memoryuse:deny=1073741824\n"
    res = run_module(jail_rctl.main, params, calls=[racct(1), listing(live), JLS])
    assert not res.changed and res.writes == 0 and res["actions"] == []
    params["limits"] = {}
    calls = [
        racct(1),
        listing(live),
        JLS,
        Call(["/testbin/rctl", "-r", "--", "jail:web:memoryuse:deny=1073741824", "jail:web:pcpu:deny=50"]),
    ]
    res = run_module(jail_rctl.main, params, calls=calls)
    assert res.changed and (tmp_path / "rctl.conf").read_text() == OWN and res["rules"] == {"web": []}


def test_bad_input_runs_nothing(tmp_path):
    params = dict(paths(tmp_path), jails=[{"name": "a", "limits": {}}, {"name": "b", "limits": {"memoryuse": "2X"}}])
    res = run_module(jail_rctl.main, params, calls=[])
    assert res.failed and res["msg"].startswith("jails[1].limits.memoryuse: '2X' is not an amount")
    assert (tmp_path / "rctl.conf").read_text() == OWN


def test_rctl_failure_leaves_the_file(tmp_path):
    params = dict(paths(tmp_path), name="web", limits={"maxproc": 3})
    calls = [
        racct(1),
        listing(""),
        JLS,
        Call(
            ["/testbin/rctl", "-a", "--", "jail:web:maxproc:deny=3"],
            rc=1,
            err="rctl: failed to add rule 'jail:web:maxproc:deny=3': Invalid argument\n",
        ),
    ]
    res = run_module(jail_rctl.main, params, calls=calls)
    assert res.failed and "Invalid argument" in res["msg"] and res.writes == 0
    assert (tmp_path / "rctl.conf").read_text() == OWN


def test_tunable_set_by_hand_is_a_pending_reboot(tmp_path):
    params = dict(paths(tmp_path, loader="kern.racct.enable=1\n"), name="web", limits={"maxproc": 20})
    res = run_module(jail_rctl.main, params, calls=[racct(0), JLS])
    assert res.changed and res.writes == 1 and res["reboot_required"] and not res["applied"]
    assert (tmp_path / "loader.conf").read_text() == "kern.racct.enable=1\n"
    assert any("after the reboot" in w for w in res["warnings"])
