# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import shutil

import pytest
from ansible_collections.bsd.jails.plugins.modules import jail_devfs
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "devfs")
D = "/testbin/devfs"
SHOWSETS = Call([D, "rule", "showsets"], out_file="devfs/showsets_1_5.txt")
BPF_RULES = ["include 4", "path bpf* unhide"]


def slurp(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def files(tmp_path):
    defaults = tmp_path / "defaults-devfs.rules"
    shutil.copy(os.path.join(FIXTURES, "defaults-devfs.rules"), defaults)
    local = tmp_path / "devfs.rules"
    local.write_text("# my rules\n")
    return {"defaults_file": str(defaults), "rules_file": str(local)}


def params(files, **kw):
    p = {"name": "devfsrules_jail_bpf", "number": 100, "rules": ["path 'bpf*' unhide"]}
    p.update(files)
    p.update(kw)
    return p


LOAD = [
    Call([D, "rule", "-s", "100", "delset"]),
    Call([D, "rule", "-s", "100", "add", "include", "4"]),
    Call([D, "rule", "-s", "100", "add", "path", "bpf*", "unhide"]),
]


def test_create_check_apply_again(files):
    res = run_module(jail_devfs.main, params(files), calls=[SHOWSETS], check=True, diff=True)
    assert res.changed and res.writes == 0 and slurp(files["rules_file"]) == "# my rules\n"
    assert res["actions"] == ["write %s" % files["rules_file"], "load ruleset 100"]
    assert res["diff"][0]["after"] == "# my rules\n\n[devfsrules_jail_bpf=100]\nadd include $devfsrules_jail\n" + (
        "add path 'bpf*' unhide\n"
    )
    assert res["diff"][1]["after"] == "include 4\npath bpf* unhide\n"

    res = run_module(jail_devfs.main, params(files), calls=[SHOWSETS, *LOAD])
    assert res.changed and res.writes == 1 and res["rules"] == BPF_RULES

    loaded = Call([D, "rule", "showsets"], out="1\n2\n3\n4\n5\n100\n")
    show = Call([D, "rule", "-s", "100", "show"], out="100 include 4\n200 path bpf* unhide\n")
    res = run_module(jail_devfs.main, params(files), calls=[loaded, show], check=True)
    assert not res.changed and res.writes == 0 and res["actions"] == []
    res = run_module(jail_devfs.main, params(files), calls=[loaded, show])
    assert not res.changed and res.writes == 0


def test_file_matches_but_kernel_lost_it_reloads_only(files):
    run_module(jail_devfs.main, params(files), calls=[SHOWSETS, *LOAD])
    res = run_module(jail_devfs.main, params(files), calls=[SHOWSETS, *LOAD])
    assert res.changed and res.writes == 0 and res["actions"] == ["load ruleset 100"]


def test_disk_rule_refused_then_allowed_with_warning(files, capsys):
    p = params(files, rules=["path 'ada*' unhide"])
    res = run_module(jail_devfs.main, p, calls=[])
    assert res.failed and "unhides disk or memory devices (path ada* unhide: ada0, ada0p1, " in res["msg"]
    assert "exposing disks to a jail breaks it" in res["msg"]
    assert res.writes == 0 and slurp(files["rules_file"]) == "# my rules\n"
    load = [
        Call([D, "rule", "-s", "100", "delset"]),
        Call([D, "rule", "-s", "100", "add", "include", "4"]),
        Call([D, "rule", "-s", "100", "add", "path", "ada*", "unhide"]),
    ]
    res = run_module(jail_devfs.main, dict(p, allow_disks=True), calls=[SHOWSETS, *load])
    assert res.changed and not res.failed
    warnings = res.get("warnings") or [capsys.readouterr().err]
    assert any("unhides disk or memory devices" in w for w in warnings)


def test_type_disk_through_an_included_ruleset_is_refused(files):
    with open(files["rules_file"], "a", encoding="utf-8") as f:
        f.write("[alldisks=50]\nadd type disk unhide\n")
    res = run_module(jail_devfs.main, params(files, include=["alldisks"]), calls=[])
    assert res.failed and "type disk unhide" in res["msg"]


def test_defaults_and_clashes_refused_without_changes(files):
    for p, expected in [
        (params(files, number=4), "default rulesets 1-5"),
        (params(files, name="devfsrules_jail", number=60), "default rulesets 1-5"),
        (params(files, number=0), "number: 0 is not a ruleset number"),
        (params(files, name="9bad"), "name: '9bad' is not a ruleset name"),
        (params(files, rules=["path x frobnicate"]), "rules[0]: unknown argument: frobnicate"),
        (params(files, include=["nosuch"]), "include[0]: no ruleset named nosuch"),
        (params(files, number=None), "number: required"),
    ]:
        res = run_module(jail_devfs.main, p, calls=[])
        assert res.failed and expected in res["msg"], (expected, res)
        assert res.writes == 0 and slurp(files["rules_file"]) == "# my rules\n"
    with open(files["rules_file"], "a", encoding="utf-8") as f:
        f.write("[other=100]\nadd hide\n")
    res = run_module(jail_devfs.main, params(files), calls=[])
    assert res.failed and "ruleset number 100 is already used by [other=100]" in res["msg"]


def test_force_redefines_a_default(files):
    p = params(
        files, name="devfsrules_jail_vnet", number=5, base="", include=["devfsrules_jail"], rules=["path pf unhide"]
    )
    show5 = Call([D, "rule", "-s", "5", "show"], out="100 include 4\n200 path pf unhide\n")
    res = run_module(jail_devfs.main, dict(p, force=True), calls=[SHOWSETS, show5])
    # the kernel already has these rules: only the local file gets the block
    assert res.changed and res["actions"] == ["write %s" % files["rules_file"]]
    res = run_module(jail_devfs.main, dict(p, force=True), calls=[SHOWSETS, show5])
    assert not res.changed


def test_apply_to_a_jail_mounts_and_sets_the_ruleset(files, tmp_path):
    run_module(jail_devfs.main, params(files), calls=[SHOWSETS, *LOAD])
    root = tmp_path / "web"
    (root / "dev").mkdir(parents=True)
    dev = str(root / "dev")
    loaded = Call([D, "rule", "showsets"], out="1\n2\n3\n4\n5\n100\n")
    show = Call([D, "rule", "-s", "100", "show"], out="100 include 4\n200 path bpf* unhide\n")
    jls = Call(["/testbin/jls", "-j", "web", "path"], out="%s\n" % root)
    not_mounted = Call(["/testbin/mount", "-t", "devfs"], out="devfs on /dev (devfs)\n")
    calls = [
        loaded,
        show,
        jls,
        not_mounted,
        Call(["/testbin/mount", "-t", "devfs", "devfs", dev]),
        Call([D, "-m", dev, "ruleset", "100"]),
        Call([D, "-m", dev, "rule", "applyset"]),
    ]
    res = run_module(jail_devfs.main, params(files, jail="web"), calls=calls)
    assert res.changed and res["actions"] == ["apply ruleset 100 to %s" % dev]
    mounted = Call(["/testbin/mount", "-t", "devfs"], out="devfs on /dev (devfs)\ndevfs on %s (devfs)\n" % dev)
    current = Call([D, "-m", dev, "rule", "show"], out="100 include 4\n200 path bpf* unhide\n")
    res = run_module(jail_devfs.main, params(files, jail="web"), calls=[loaded, show, jls, mounted, current])
    assert not res.changed and res.writes == 0


def test_a_jail_dev_that_is_a_link_is_refused_before_any_change(files, tmp_path):
    run_module(jail_devfs.main, params(files), calls=[SHOWSETS, *LOAD])
    before = slurp(files["rules_file"])
    root = tmp_path / "web"
    root.mkdir()
    (root / "dev").symlink_to("/dev")
    loaded = Call([D, "rule", "showsets"], out="1\n2\n3\n4\n5\n100\n")
    show = Call([D, "rule", "-s", "100", "show"], out="100 include 4\n200 path bpf* unhide\n")
    jls = Call(["/testbin/jls", "-j", "web", "path"], out="%s\n" % root)
    p = params(files, jail="web", rules=["path 'bpf*' unhide", "path pf unhide"])
    res = run_module(jail_devfs.main, p, calls=[loaded, show, jls])
    assert res.failed and res["msg"].startswith("jail web: dev is a symbolic link (to /dev)"), res
    assert slurp(files["rules_file"]) == before and res.writes == 0


def test_absent_removes_block_and_kernel_set(files):
    run_module(jail_devfs.main, params(files), calls=[SHOWSETS, *LOAD])
    loaded = Call([D, "rule", "showsets"], out="1\n2\n3\n4\n5\n100\n")
    show = Call([D, "rule", "-s", "100", "show"], out="100 include 4\n200 path bpf* unhide\n")
    p = {"name": "devfsrules_jail_bpf", "state": "absent", **files}
    res = run_module(jail_devfs.main, p, calls=[loaded, show, Call([D, "rule", "-s", "100", "delset"])])
    assert res.changed and slurp(files["rules_file"]) == "# my rules\n"
    res = run_module(jail_devfs.main, p, calls=[])
    assert not res.changed
