# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils import _etcupdate
from ansible_collections.bsd.jails.plugins.modules import jail_etc_update
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

IGNORE = "/bin/* /boot/* /lib/* /libexec/* /rescue/* /sbin/* /usr/*"


def stock(tree, version):
    """A stock tree as etcupdate extract leaves it: the tarball's bin/freebsd-version and etc/."""
    os.makedirs(os.path.join(tree, "bin"), exist_ok=True)
    os.makedirs(os.path.join(tree, "etc", "ssh"), exist_ok=True)
    with open(os.path.join(tree, "bin", "freebsd-version"), "w") as f:
        f.write('#!/bin/sh\nUSERLAND_VERSION="%s"\n' % version)


@pytest.fixture
def thin(tmp_path):
    """A thin jail's root with its own /etc, the two releases' tarballs, a working directory."""
    root = tmp_path / "jails" / "www"
    (root / "etc" / "ssh").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    for rel in ("14.2", "14.3"):
        (tmp_path / ("base-%s.txz" % rel)).write_bytes(b"txz")
    params = {
        "root": str(root),
        "release": "14.3-RELEASE",
        "workdir": str(tmp_path / "work"),
        "etc_tarball": str(tmp_path / "base-14.3.txz"),
        "etc_previous_tarball": str(tmp_path / "base-14.2.txz"),
    }
    params["etc_workdir_default"] = os.path.join(params["workdir"], "etcupdate", params["root"].lstrip("/"))
    return params


def args(thin):
    return {k: v for k, v in thin.items() if k != "etc_workdir_default"}


def update(thin, workdir, dry=False):
    argv = ["/testbin/etcupdate", *(["-n"] if dry else []), "-d", workdir, "-t", thin["etc_tarball"]]
    return Call([*argv, "-D", thin["root"], "-I", IGNORE], out_file="freebsd-update/etcupdate_conflict.txt")


def scratch_at(monkeypatch, scratch):
    """etcupdate's scratch directory at ``scratch`` (tempfile.mkdtemp(prefix="etcupdate-")); others as they are."""
    real = _etcupdate.tempfile.mkdtemp

    def mkdtemp(prefix=None, **kw):
        return scratch if prefix == "etcupdate-" else real(prefix=prefix, **kw)

    monkeypatch.setattr(_etcupdate.tempfile, "mkdtemp", mkdtemp)


def test_merges_against_the_stock_tree_and_reports_the_conflict(thin):
    ew = thin["etc_workdir_default"]
    stock(os.path.join(ew, "current"), "14.2-RELEASE")
    res = run_module(jail_etc_update.main, args(thin), calls=[update(thin, ew)])
    assert res.changed and res["action"] == "merge" and res["stock_release"] == "14.2-RELEASE"
    assert res["etc"]["merged"] == ["/etc/newsyslog.conf"] and res["etc"]["conflicts"] == ["/etc/ssh/sshd_config"]
    assert any("etcupdate could not merge /etc/ssh/sshd_config" in w for w in res["warnings"])


def test_first_merge_extracts_the_previous_release_first(thin):
    ew = thin["etc_workdir_default"]
    extract = Call(["/testbin/etcupdate", "extract", "-d", ew, "-t", thin["etc_previous_tarball"], "-D", thin["root"]])
    extract.on_call = lambda *_a, **_k: stock(os.path.join(ew, "current"), "14.2-RELEASE")
    res = run_module(jail_etc_update.main, args(thin), calls=[extract, update(thin, ew)])
    assert res.changed and res["action"] == "merge" and res["etc_workdir"] == ew


@pytest.mark.parametrize(
    ("have", "action"),
    [("14.3-RELEASE", "none"), ("14.3-RELEASE-p2", "none"), ("15.0-RELEASE", "keep")],
    ids=["second run", "patched tree", "rollback"],
)
def test_no_merge_when_the_stock_tree_is_of_that_release_or_newer(thin, have, action):
    stock(os.path.join(thin["etc_workdir_default"], "current"), have)
    res = run_module(jail_etc_update.main, args(thin), calls=[])
    assert not res.changed and res["action"] == action and res.writes == 0
    assert res["etc"]["merged"] == [] and res.calls_made == []
    assert any("left as they are" in w for w in res.get("warnings", [])) == (action == "keep")


def test_check_mode_predicts_in_a_scratch_directory(thin, tmp_path, monkeypatch):
    ew = thin["etc_workdir_default"]
    stock(os.path.join(ew, "current"), "14.2-RELEASE")
    scratch = str(tmp_path / "scratch")
    os.mkdir(scratch)
    scratch_at(monkeypatch, scratch)
    dry = update(thin, scratch, dry=True)
    dry.on_call = lambda *_a, **_k: os.rename(os.path.join(scratch, "current"), os.path.join(scratch, "old"))
    res = run_module(jail_etc_update.main, args(thin), calls=[dry], check=True)
    assert res.changed and res["action"] == "merge" and res["etc"]["conflicts"] == ["/etc/ssh/sshd_config"]
    assert res.writes == 0 and not os.path.exists(scratch)
    assert os.path.isfile(os.path.join(ew, "current", "bin", "freebsd-version"))  # the real tree was not rotated


def test_check_mode_without_a_tree_extracts_into_the_scratch_directory(thin, tmp_path, monkeypatch):
    scratch = str(tmp_path / "scratch")
    os.mkdir(scratch)
    scratch_at(monkeypatch, scratch)
    extract = Call(
        ["/testbin/etcupdate", "extract", "-d", scratch, "-t", thin["etc_previous_tarball"], "-D", thin["root"]]
    )
    extract.on_call = lambda *_a, **_k: stock(os.path.join(scratch, "current"), "14.2-RELEASE")
    res = run_module(jail_etc_update.main, args(thin), calls=[extract, update(thin, scratch, dry=True)], check=True)
    assert res.changed and res["action"] == "merge" and not os.path.exists(thin["etc_workdir_default"])


@pytest.mark.parametrize("check", [False, True])
def test_a_linked_directory_in_the_root_is_refused_before_etcupdate(thin, tmp_path, check):
    ew = thin["etc_workdir_default"]
    stock(os.path.join(ew, "current"), "14.2-RELEASE")
    os.rmdir(os.path.join(thin["root"], "etc", "ssh"))
    os.symlink(str(tmp_path / "host-etc-ssh"), os.path.join(thin["root"], "etc", "ssh"))
    res = run_module(jail_etc_update.main, args(thin), calls=[], check=check)
    assert res.failed and res["msg"].startswith("root: %s/etc/ssh is a symbolic link" % thin["root"])


def test_conflicts_left_are_refused(thin):
    ew = thin["etc_workdir_default"]
    stock(os.path.join(ew, "current"), "14.2-RELEASE")
    os.makedirs(os.path.join(ew, "conflicts", "etc"))
    with open(os.path.join(ew, "conflicts", "etc", "motd"), "w") as f:
        f.write("<<<<<<< yours\n")
    res = run_module(jail_etc_update.main, args(thin), calls=[])
    assert res.failed and res["msg"].startswith("etc_workdir: conflicts remain")


def test_conflict_fails_when_asked(thin):
    ew = thin["etc_workdir_default"]
    stock(os.path.join(ew, "current"), "14.2-RELEASE")
    res = run_module(jail_etc_update.main, {**args(thin), "etc_conflicts": "fail"}, calls=[update(thin, ew)])
    assert res.failed and res["msg"].startswith("etc_conflicts: etcupdate could not merge /etc/ssh/sshd_config")


@pytest.mark.parametrize(
    ("change", "msg"),
    [
        ({"root": "jails/www"}, "root: 'jails/www' is not an absolute path"),
        ({"root": "/"}, "root: / is the host's own system"),
        ({"root": "/nonexistent/jail"}, "root: /nonexistent/jail is not a directory"),
        ({"workdir": "var/db/freebsd-update"}, "workdir: 'var/db/freebsd-update' is not an absolute path"),
        ({"etc_workdir": "etcupdate"}, "etc_workdir: 'etcupdate' is not an absolute path"),
        ({"release": "14.3"}, "release: '14.3' is not a FreeBSD release"),
        ({"etc_tarball": "/nonexistent/base.txz"}, "etc_tarball: '/nonexistent/base.txz' is not an absolute path"),
        ({"etc_previous_tarball": None}, "etc_previous_tarball: required to merge the files of"),
    ],
)
def test_inputs_checked_before_anything_runs(thin, change, msg):
    res = run_module(jail_etc_update.main, {**args(thin), **change}, calls=[])
    assert res.failed and res["msg"].startswith(msg) and res.calls_made == []
