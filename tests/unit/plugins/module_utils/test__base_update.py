# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils import _base_update
from ansible_collections.bsd.jails.plugins.module_utils._base_update import (
    FREEBSD_UPDATE,
    check_not_newer,
    jails_using,
    parse_fetch,
    parse_version,
    thin_source,
    userland_version,
    version_after,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError
from conftest import FIXTURES


def read(name):
    with open(os.path.join(FIXTURES, "freebsd-update", name), encoding="utf-8") as f:
        return f.read()


def test_parse_fetch_lists_what_changes_and_what_is_left():
    got = parse_fetch(read("fetch_updates.txt"))
    assert got == {
        "target": "14.2-RELEASE-p3",
        "up_to_date": False,
        "updated": ["/bin/freebsd-version", "/usr/lib/libcrypto.so.30"],
        "added": ["/usr/lib/libnew.so.1"],
        "removed": [],
        "modified": ["/etc/newsyslog.conf"],
    }
    assert version_after("14.2-RELEASE-p1", got) == "14.2-RELEASE-p3"


def test_parse_fetch_up_to_date():
    got = parse_fetch(read("fetch_up_to_date.txt"))
    assert got["up_to_date"] and got["target"] == "14.2-RELEASE-p3" and got["updated"] == []
    assert version_after("14.2-RELEASE-p3", got) == "14.2-RELEASE-p3"


def test_parse_fetch_unknown_output_is_an_error():
    with pytest.raises(JailsError, match="found neither updates nor"):
        parse_fetch(read("fetch_no_mirror.txt"))


def test_version_unchanged_when_freebsd_version_is_not_patched():
    fetched = {"up_to_date": False, "target": "14.2-RELEASE-p3", "updated": ["/usr/lib/libsim.so.1"], "added": []}
    assert version_after("14.2-RELEASE-p2", fetched) == "14.2-RELEASE-p2"


def test_userland_version_from_the_script():
    script = '#!/bin/sh\nset -ef\n\nUSERLAND_VERSION="14.2-RELEASE-p1"\n\n: ${ROOT:=}\n'
    assert userland_version(script, "/j/base") == "14.2-RELEASE-p1"
    with pytest.raises(JailsError, match=r"^basedir: /j/base has no bin/freebsd-version"):
        userland_version(None, "/j/base")
    with pytest.raises(JailsError, match=r"^basedir: /j/base/bin/freebsd-version has no USERLAND_VERSION"):
        userland_version("#!/bin/sh\n", "/j/base/")
    with pytest.raises(JailsError, match="is not a FreeBSD version"):
        userland_version('USERLAND_VERSION="-rf /"\n', "/j/base")


def test_parse_version():
    assert parse_version("14.2-RELEASE-p3") == (14, 2, 3)
    assert parse_version("14.3-RELEASE") == (14, 3, 0)
    with pytest.raises(JailsError, match=r"^x: '14' is not"):
        parse_version("14", "x")


def test_base_newer_than_kernel_is_refused():
    check_not_newer("14.2-RELEASE-p3", "14.2-RELEASE-p1", "/b")  # patch levels may differ
    check_not_newer("14.2-RELEASE", "14.3-RELEASE", "/b")
    with pytest.raises(JailsError, match=r"^basedir: /b holds FreeBSD 14.3-RELEASE, newer than the host's kernel"):
        check_not_newer("14.3-RELEASE", "14.2-RELEASE-p2", "/b")


def test_command_line_keeps_values_after_their_options():
    argv = FREEBSD_UPDATE.args(
        "basedir workdir running nocron fetch", basedir="/j/b", workdir="/w", running="14.2-RELEASE", nocron=True
    )
    assert argv == ["-b", "/j/b", "-d", "/w", "--currently-running", "14.2-RELEASE", "--not-running-from-cron", "fetch"]


def test_jails_using_root_and_nullfs_mounts():
    running = {
        "thick": {"path": "/b"},
        "thin": {"path": "/j/thin"},
        "whole": {"path": "/j/whole"},
        "other": {"path": "/j/other"},
        "near": {"path": "/j/near"},
    }
    nullfs = [
        ("/b/usr/bin", "/j/thin/usr/bin"),  # a directory of the base, in the jail's root
        ("/b", "/j/whole"),  # the whole base on the root
        ("/bx/bin", "/j/near/bin"),  # another base whose name starts like this one
        ("/b/bin", "/mnt/b"),  # mounted outside every jail
    ]
    assert jails_using({"/b"}, running, nullfs) == ["thick", "thin", "whole"]
    assert jails_using({"/nothing"}, running, nullfs) == []


def test_thin_source():
    nullfs = [("/b/lib", "/j/t/lib"), ("/b/bin", "/j/t/bin")]
    assert thin_source("/j/t", nullfs) == "/b/bin"
    assert thin_source("/j/thick", nullfs) is None


@pytest.mark.parametrize(
    ("base", "target", "kernel", "want"),
    [
        ("14.2-RELEASE-p1", "14.3-RELEASE", "14.3-RELEASE", "upgrade"),
        ("14.3-RELEASE-p1", "14.3-RELEASE", "14.3-RELEASE-p2", "patch"),
        ("13.5-RELEASE", "14.3-RELEASE", "15.0-RELEASE", "upgrade"),
    ],
)
def test_upgrade_kind(base, target, kernel, want):
    assert _base_update.upgrade_kind(base, target, kernel) == want


@pytest.mark.parametrize(
    ("base", "target", "kernel", "msg"),
    [
        ("14.2-RELEASE", "15.0-RELEASE", "14.3-RELEASE", "release: 15.0-RELEASE is newer than the host's kernel"),
        ("14.3-RELEASE", "14.2-RELEASE", "14.3-RELEASE", "release: 14.2-RELEASE is older than the base's"),
        ("14.2-RELEASE", "14.3-RELEASE-p1", "14.3-RELEASE", "release: '14.3-RELEASE-p1' is not a FreeBSD release"),
        ("14.2-RELEASE", "-r", "14.3-RELEASE", "release: '-r' is not a FreeBSD release"),
    ],
)
def test_upgrade_kind_refusals(base, target, kernel, msg):
    with pytest.raises(JailsError) as e:
        _base_update.upgrade_kind(base, target, kernel)
    assert e.value.msg.startswith(msg)


def test_conf_without_merges_keeps_every_other_line():
    text = "# MergeChanges in a comment stays\nKeyPrint ab\nMergeChanges /etc/ /boot/device.hints\n  MergeChanges /x\n"
    assert _base_update.conf_without_merges(text) == "# MergeChanges in a comment stays\nKeyPrint ab\n"


def test_parse_etcupdate():
    out = "  D /etc/old\n  U /etc/motd\n  M /etc/newsyslog.conf\n  C /etc/ssh/sshd_config\n  A /etc/new\nWarnings:\n" \
          "  Modified regular file remains: /etc/gone\n"  # fmt: skip
    got = _base_update.parse_etcupdate(out)
    assert got == {
        "removed": ["/etc/old"],
        "updated": ["/etc/motd"],
        "merged": ["/etc/newsyslog.conf"],
        "conflicts": ["/etc/ssh/sshd_config"],
        "added": ["/etc/new"],
        "warnings": ["Modified regular file remains: /etc/gone"],
    }


# --- jails not restarted since an install -------------------------------------------------------------------


def test_parse_boottime_reads_sysctl_s_timeval():
    out = "{ sec = 1764979200, usec = 52000 } Sat Dec  6 00:00:00 2025\n"
    assert _base_update.parse_boottime(out) == 1764979200
    with pytest.raises(_base_update.JailsError, match=r"kern\.boottime"):
        _base_update.parse_boottime("1764979200\n")


RUNNING = {"www": {"jid": "7"}, "db": {"jid": "9"}}
RECORD = {"boottime": 1000, "jails": {"www": "7", "db": "8"}}


@pytest.mark.parametrize(
    ("record", "boottime", "users", "want"),
    [
        (RECORD, 1000, ["www", "db"], ["www"]),  # db was restarted (jid 8 -> 9)
        (RECORD, 1030, ["www", "db"], ["www"]),  # the clock was stepped a little
        (RECORD, 5000, ["www", "db"], []),  # another boot
        (RECORD, 1000, ["db"], []),  # www no longer uses the base
        (None, 1000, ["www"], []),
        ({"boottime": "x", "jails": {"www": "7"}}, 1000, ["www"], []),
    ],
)
def test_jails_not_restarted(record, boottime, users, want):
    assert _base_update.jails_not_restarted(record, boottime, RUNNING, users) == want
