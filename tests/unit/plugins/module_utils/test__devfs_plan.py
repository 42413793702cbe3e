# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The steps of jail_devfs, each on its own: the rules file, the kernel's ruleset, a jail's /dev."""

from __future__ import annotations

import os
import shutil

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._devfs_plan import (
    RulesFile,
    devfs_mounted,
    plan_jail_dev,
    plan_load,
    plan_rules_file,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "devfs")
MOUNT_OUT = "devfs on /dev (devfs)\ndevfs on /j/www/dev (devfs)\nfdescfs on /j/db/dev (fdescfs)\n"


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def p(tmp_path):
    shutil.copy(os.path.join(FIXTURES, "defaults-devfs.rules"), tmp_path / "defaults")
    (tmp_path / "local").write_text("# my rules\n")
    return {"name": "bpf", "number": 100, "rules": ["path 'bpf*' unhide"], "include": [], "base": "devfsrules_jail",
            "state": "present", "rules_file": str(tmp_path / "local"), "defaults_file": str(tmp_path / "defaults"),
            "load": True, "force": False, "allow_disks": False}  # fmt: skip


def result(p):
    return dict(changed=False, actions=[], commands=[], rules=[], number=p["number"])


def test_devfs_mounted_reads_mount_output():
    assert devfs_mounted(MOUNT_OUT, "/j/www/dev") and not devfs_mounted(MOUNT_OUT, "/j/db/dev")
    assert not devfs_mounted("", "/j/www/dev") and not devfs_mounted(None, "/dev/x")


def test_rules_file_step_writes_the_ruleset_and_names_its_rules(p):
    rf, res = RulesFile(p), result(p)
    own = plan_rules_file(p, rf, res, warn=None)
    assert (
        rf.changed
        and "[bpf=100]" in rf.after
        and res["commands"] == ["add include $devfsrules_jail", "add path 'bpf*' unhide"]
    )
    assert res["rules"] == ["include 4", "path bpf* unhide"] and len(own) == 2


def test_rules_file_step_refuses_a_default_ruleset_number(p):
    with pytest.raises(JailsError) as e:
        plan_rules_file(dict(p, number=4), RulesFile(p), result(p), warn=None)
    assert "default rulesets 1-5" in e.value.msg


def test_load_step_loads_only_what_the_kernel_lacks(p):
    rf, res = RulesFile(p), result(p)
    own = plan_rules_file(p, rf, res, warn=None)
    reads = []

    def read(tool, *args):
        reads.append((tool, *args))
        return fixture("showsets_1_5.txt") if args[-1] == "showsets" else ""

    before, load = plan_load(p, rf, own, res, read)
    assert reads == [("devfs", "rule", "showsets")] and before == []
    assert load[0] == ["rule", "-s", "100", "delset"] and load[-1][-3:] == ["path", "bpf*", "unhide"]
    assert res["actions"] == ["load ruleset 100"]
    loaded = {"showsets": "1\n2\n3\n4\n5\n100\n", "show": "100 include 4\n200 path bpf* unhide\n"}
    _before, load = plan_load(p, rf, own, result(p) | {"rules": res["rules"]}, lambda t, *a: loaded[a[-1]])
    assert load == []


def test_jail_dev_step_mounts_then_applies(p, tmp_path):
    (tmp_path / "www" / "dev").mkdir(parents=True)
    root = str(tmp_path / "www")
    res = dict(result(p), rules=["include 4"])
    out = plan_jail_dev("www", root, res, [], lambda tool, *a: "")
    dev = os.path.join(root, "dev")
    assert out == [("mount", ["-t", "devfs", "devfs", dev]), ("devfs", ["-m", dev, "ruleset", "100"]),
                   ("devfs", ["-m", dev, "rule", "applyset"])]  # fmt: skip
    mounted = {"mount": f"devfs on {dev} (devfs)\n", "devfs": "100 include 4\n"}
    assert plan_jail_dev("www", root, dict(res, actions=[]), [], lambda tool, *a: mounted[tool]) == []
    with pytest.raises(JailsError):
        plan_jail_dev("db", str(tmp_path / "db"), res, [], lambda tool, *a: "")
