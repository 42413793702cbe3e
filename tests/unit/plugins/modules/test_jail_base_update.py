# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.modules import jail_base_update
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

KERNEL = Call(["/testbin/freebsd-version", "-k"], out="14.2-RELEASE-p2\n")
MOUNT_ARGV = ["/testbin/mount", "-p", "-t", "nullfs"]
NO_NULLFS = Call(MOUNT_ARGV)


def jls(*jails):
    """``jls -n -q`` answering the given (jid, name, path) jails."""
    out = "".join("jid=%s name=%s path=%s persist\n" % j for j in jails)
    return Call(["/testbin/jls", "-n", "-q"], out=out)


NO_JAILS = jls()


def script(version):
    return '#!/bin/sh\nset -ef\n\nUSERLAND_VERSION="%s"\n' % version


@pytest.fixture
def base(tmp_path):
    b = tmp_path / "base"
    (b / "bin").mkdir(parents=True)
    (b / "bin" / "freebsd-version").write_text(script("14.2-RELEASE-p1"))
    w = tmp_path / "work"
    w.mkdir()
    return str(b), str(w)


def fu(base, cmd, version="14.2-RELEASE-p1"):
    b, w = base
    return [
        "/testbin/freebsd-update", "-b", b, "-d", w, "--currently-running", version, "--not-running-from-cron", cmd,
    ]  # fmt: skip


def test_patches_and_reports_versions(base):
    fetch = Call(fu(base, "fetch"), out_file="freebsd-update/fetch_updates.txt")
    install = Call(fu(base, "install"), out="src component not installed, skipped\nInstalling updates... done.\n")

    def after_install(*_a, **_k):
        with open(os.path.join(base[0], "bin", "freebsd-version"), "w") as f:
            f.write(script("14.2-RELEASE-p3"))

    install.on_call = after_install
    res = run_module(
        jail_base_update.main,
        {"basedir": base[0], "workdir": base[1]},
        calls=[KERNEL, NO_JAILS, NO_NULLFS, fetch, install],
    )
    # version_after is read again from the base once install has run
    assert res.changed and res["version_before"] == "14.2-RELEASE-p1" and res["version_after"] == "14.2-RELEASE-p3"
    assert res["target_version"] == "14.2-RELEASE-p3" and res["kernel_version"] == "14.2-RELEASE-p2"
    assert res["files"]["updated"] == ["/bin/freebsd-version", "/usr/lib/libcrypto.so.30"]
    assert res["modified_locally"] == ["/etc/newsyslog.conf"]


def test_check_mode_fetches_only_and_predicts(base):
    fetch = Call(fu(base, "fetch"), out_file="freebsd-update/fetch_updates.txt")
    res = run_module(
        jail_base_update.main,
        {"basedir": base[0], "workdir": base[1]},
        calls=[KERNEL, NO_JAILS, NO_NULLFS, fetch],
        check=True,
        diff=True,
    )
    assert res.changed and res["version_after"] == "14.2-RELEASE-p3" and res.writes == 0
    assert res["diff"]["before"] == "14.2-RELEASE-p1\n" and res["diff"]["after"] == "14.2-RELEASE-p3\n"


def test_up_to_date_is_no_change(base):
    fetch = Call(fu(base, "fetch"), out_file="freebsd-update/fetch_up_to_date.txt")
    res = run_module(
        jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=[KERNEL, NO_JAILS, NO_NULLFS, fetch]
    )
    assert not res.changed and res["version_after"] == "14.2-RELEASE-p1"
    assert res.calls_made == [KERNEL.argv, NO_JAILS.argv, MOUNT_ARGV, fetch.argv]


def test_failed_fetch_fails_without_install(base):
    fetch = Call(fu(base, "fetch"), rc=1, out_file="freebsd-update/fetch_no_mirror.txt")
    calls = [KERNEL, NO_JAILS, NO_NULLFS, fetch]
    res = run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=calls)
    assert res.failed and res["rc"] == 1 and "the base is unchanged" in res["msg"]
    assert "No mirrors remaining" in res["stdout"]


def test_base_newer_than_kernel_is_refused_before_fetch(base):
    with open(os.path.join(base[0], "bin", "freebsd-version"), "w") as f:
        f.write(script("14.3-RELEASE"))
    res = run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=[KERNEL])
    assert res.failed and res["msg"].startswith("basedir: %s holds FreeBSD 14.3-RELEASE, newer" % base[0])


@pytest.mark.parametrize(
    ("params", "msg"),
    [
        ({"basedir": "/"}, "basedir: / is the host's own system"),
        ({"basedir": "relative/base"}, "basedir: 'relative/base' is not an absolute path"),
        ({"basedir": "/nonexistent/base"}, "basedir: /nonexistent/base is not a directory"),
        ({"workdir": "/nonexistent/work"}, "workdir: /nonexistent/work is not a directory"),
    ],
)
def test_inputs_checked_before_any_command(base, params, msg):
    args = {"basedir": base[0], "workdir": base[1], **params}
    res = run_module(jail_base_update.main, args, calls=[])
    assert res.failed and res["msg"].startswith(msg) and res.calls_made == []


def test_missing_freebsd_version_names_basedir(base, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run_module(jail_base_update.main, {"basedir": str(empty), "workdir": base[1]}, calls=[])
    assert res.failed and res["msg"] == "basedir: %s has no bin/freebsd-version: not a FreeBSD base" % empty


def test_link_in_base_is_not_followed(base, tmp_path):
    os.remove(os.path.join(base[0], "bin", "freebsd-version"))
    os.symlink("/etc/passwd", os.path.join(base[0], "bin", "freebsd-version"))
    res = run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=[])
    assert res.failed and "is a symbolic link" in res["msg"]


def test_reports_jails_using_the_base_in_check_mode(base, tmp_path):
    """A thick jail on the base and a thin jail with the base's /bin mounted in its root; another jail is not."""
    b = base[0]
    fetch = Call(fu(base, "fetch"), out_file="freebsd-update/fetch_updates.txt")
    running = jls(("1", "thick", b), ("2", "thin", "/j/thin"), ("3", "other", "/j/other"))
    mounts = Call(
        MOUNT_ARGV, out="%s/bin\t/j/thin/bin\tnullfs\tro\t0 0\n/elsewhere/bin\t/j/other/bin\tnullfs\tro\t0 0\n" % b
    )
    res = run_module(
        jail_base_update.main, {"basedir": b, "workdir": base[1]}, calls=[KERNEL, running, mounts, fetch], check=True
    )
    assert res.changed and res["jails_using"] == ["thick", "thin"] and res.writes == 0


def fu_jail(base, jail, cmd):
    return ["/testbin/freebsd-update", "-j", jail, "-d", base[1], "--not-running-from-cron", cmd]


@pytest.mark.parametrize("jail", ["www", "7"])
def test_patches_a_running_jail_by_name_or_jid(base, jail):
    fetch = Call(fu_jail(base, jail, "fetch"), out_file="freebsd-update/fetch_updates.txt")
    install = Call(fu_jail(base, jail, "install"), out="Installing updates... done.\n")

    def after_install(*_a, **_k):
        with open(os.path.join(base[0], "bin", "freebsd-version"), "w") as f:
            f.write(script("14.2-RELEASE-p3"))

    install.on_call = after_install
    calls = [jls(("7", "www", base[0])), NO_NULLFS, KERNEL, fetch, install]
    res = run_module(jail_base_update.main, {"jail": jail, "workdir": base[1]}, calls=calls)
    assert res.changed and res["basedir"] == base[0] and res["jails_using"] == ["www"]
    assert res["version_before"] == "14.2-RELEASE-p1" and res["version_after"] == "14.2-RELEASE-p3"


@pytest.mark.parametrize(
    ("jail", "msg"),
    [
        ("-b", "jail: '-b' starts with '-'"),
        ("a b", "jail: 'a b' is not a valid jail name"),
        ("db", "jail: no running jail db"),
        ("thin", "jail: thin is a thin jail (/j/thin is mounted from /base/bin)"),
    ],
)
def test_jail_checked_before_freebsd_update(base, jail, msg):
    running = jls(("7", "www", base[0]), ("8", "thin", "/j/thin"))
    mounts = Call(MOUNT_ARGV, out="/base/bin\t\t/j/thin/bin\t\tnullfs\tro\t\t0 0\n")
    res = run_module(jail_base_update.main, {"jail": jail, "workdir": base[1]}, calls=[running, mounts])
    assert res.failed and res["msg"].startswith(msg) and res.calls_made == [running.argv, MOUNT_ARGV]


def test_basedir_and_jail_are_exclusive(base):
    res = run_module(jail_base_update.main, {"jail": "www", "basedir": base[0], "workdir": base[1]}, calls=[])
    assert res.failed and "mutually exclusive" in res["msg"] and res.calls_made == []
