# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
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
BOOT = 1764979200
BOOTTIME = Call(
    ["/testbin/sysctl", "-n", "kern.boottime"], out="{ sec = %d, usec = 52000 } Sat Dec  6 00:00:00 2025\n" % BOOT
)


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
    calls = [jls(("7", "www", base[0])), NO_NULLFS, KERNEL, fetch, BOOTTIME, install]
    res = run_module(jail_base_update.main, {"jail": jail, "workdir": base[1]}, calls=calls)
    assert res.changed and res["basedir"] == base[0] and res["jails_using"] == ["www"]
    assert res["version_before"] == "14.2-RELEASE-p1" and res["version_after"] == "14.2-RELEASE-p3"
    assert res["jails_not_restarted"] == []


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


# --- release: minor/major upgrades (freebsd-update upgrade + install, etcupdate for /etc) ---------------

KERNEL_143 = Call(["/testbin/freebsd-version", "-k"], out="14.3-RELEASE\n")
HOST_CONF = (
    "KeyPrint 80\nServerName update.FreeBSD.org\nUpdateIfUnmodified /etc/\nMergeChanges /etc/ /boot/device.hints\n"
)


@pytest.fixture
def up(base, tmp_path):
    """A 14.2-RELEASE-p1 base, a host freebsd-update.conf and the two releases' tarballs."""
    conf = tmp_path / "freebsd-update.conf"
    conf.write_text(HOST_CONF)
    for rel in ("14.2", "14.3"):
        (tmp_path / ("base-%s.txz" % rel)).write_bytes(b"txz")
    return {
        "basedir": base[0],
        "workdir": base[1],
        "release": "14.3-RELEASE",
        "conffile": str(conf),
        "etc_tarball": str(tmp_path / "base-14.3.txz"),
        "etc_previous_tarball": str(tmp_path / "base-14.2.txz"),
    }


def fu_up(up, *cmd):
    b, w = up["basedir"], up["workdir"]
    return [
        "/testbin/freebsd-update", "-b", b, "-d", w, "--currently-running", "14.2-RELEASE-p1",
        "--not-running-from-cron", "-f", os.path.join(w, "bsd_jails-upgrade.conf"), *cmd,
    ]  # fmt: skip


def etc_workdir(up):
    return os.path.join(up["workdir"], "etcupdate", up["basedir"].lstrip("/"))


def etcupdate_merge(up):
    """etcupdate update of the base's /etc, answering one merge and one conflict."""
    argv = ["/testbin/etcupdate", "-d", etc_workdir(up), "-t", up["etc_tarball"], "-D", up["basedir"], "-I"]
    argv.append("/bin/* /boot/* /lib/* /libexec/* /rescue/* /sbin/* /usr/*")
    return Call(argv, out_file="freebsd-update/etcupdate_conflict.txt")


def test_upgrade_installs_until_done_then_merges_etc(up):
    upgrade = Call(fu_up(up, "-r", "14.3-RELEASE", "upgrade"), out_file="freebsd-update/upgrade_14.3.txt", data="y\n")
    extract = Call(
        ["/testbin/etcupdate", "extract", "-d", etc_workdir(up), "-t", up["etc_previous_tarball"], "-D", up["basedir"]]
    )
    install = Call(fu_up(up, "install"), out="Installing updates... done.\n")

    def after_install(*_a, **_k):
        with open(os.path.join(up["basedir"], "bin", "freebsd-version"), "w") as f:
            f.write(script("14.3-RELEASE-p2"))

    install.on_call = after_install
    ready = Call(fu_up(up, "updatesready"), out="There are updates available to install.\n")
    install2 = Call(fu_up(up, "install"), out="Installing updates... done.\n")
    none = Call(fu_up(up, "updatesready"), rc=2, out="No updates are available to install.\n")
    etc = etcupdate_merge(up)
    res = run_module(
        jail_base_update.main,
        up,
        calls=[KERNEL_143, NO_JAILS, NO_NULLFS, upgrade, extract, install, ready, install2, none, etc],
    )
    assert res.changed and res["action"] == "upgrade"
    assert res["version_before"] == "14.2-RELEASE-p1" and res["version_after"] == "14.3-RELEASE-p2"
    assert res["modified_locally"] == ["/etc/newsyslog.conf", "/etc/ssh/sshd_config"]
    assert res["etc"]["merged"] == ["/etc/newsyslog.conf"] and res["etc"]["conflicts"] == ["/etc/ssh/sshd_config"]
    assert res["warnings"] and "could not merge /etc/ssh/sshd_config" in res["warnings"][0]
    # freebsd-update gets the host's configuration without MergeChanges (its merge would need an editor)
    with open(os.path.join(up["workdir"], "bsd_jails-upgrade.conf")) as f:
        assert f.read() == "KeyPrint 80\nServerName update.FreeBSD.org\nUpdateIfUnmodified /etc/\n"
    assert res.writes == 1


def test_upgrade_conflict_fails_when_asked(up):
    os.makedirs(os.path.join(etc_workdir(up), "current"))  # an etcupdate tree already: no extract
    upgrade = Call(fu_up(up, "-r", "14.3-RELEASE", "upgrade"), out_file="freebsd-update/upgrade_14.3.txt")
    install = Call(fu_up(up, "install"))
    none = Call(fu_up(up, "updatesready"), rc=2)
    etc = etcupdate_merge(up)
    res = run_module(
        jail_base_update.main,
        {**up, "etc_conflicts": "fail"},
        calls=[KERNEL_143, NO_JAILS, NO_NULLFS, upgrade, install, none, etc],
    )
    assert res.failed and res["msg"].startswith("etc_conflicts: etcupdate could not merge /etc/ssh/sshd_config")
    assert res["etc"]["conflicts"] == ["/etc/ssh/sshd_config"]


def test_upgrade_check_mode_runs_upgrade_only(up):
    upgrade = Call(fu_up(up, "-r", "14.3-RELEASE", "upgrade"), out_file="freebsd-update/upgrade_14.3.txt")
    res = run_module(jail_base_update.main, up, calls=[KERNEL_143, NO_JAILS, NO_NULLFS, upgrade], check=True)
    assert res.changed and res["version_after"] == "14.3-RELEASE-p2" and res["etc"]["conflicts"] == []
    with open(os.path.join(up["basedir"], "bin", "freebsd-version")) as f:
        assert "14.2-RELEASE-p1" in f.read()


def test_failed_upgrade_fetch_installs_nothing(up):
    upgrade = Call(fu_up(up, "-r", "14.3-RELEASE", "upgrade"), rc=1, out_file="freebsd-update/fetch_no_mirror.txt")
    res = run_module(jail_base_update.main, up, calls=[KERNEL_143, NO_JAILS, NO_NULLFS, upgrade])
    assert res.failed and "the base is unchanged" in res["msg"] and res["rc"] == 1


def test_release_of_the_base_is_a_patch(up):
    fetch = Call(fu((up["basedir"], up["workdir"]), "fetch"), out_file="freebsd-update/fetch_up_to_date.txt")
    res = run_module(
        jail_base_update.main, {**up, "release": "14.2-RELEASE"}, calls=[KERNEL_143, NO_JAILS, NO_NULLFS, fetch]
    )
    assert not res.changed and res["action"] == "patch" and res.writes == 0


@pytest.mark.parametrize(
    ("params", "kernel", "msg"),
    [
        ({"release": "15.0-RELEASE"}, KERNEL_143, "release: 15.0-RELEASE is newer than the host's kernel"),
        ({"release": "14.1-RELEASE"}, KERNEL_143, "release: 14.1-RELEASE is older than the base's"),
        ({"release": "14.3"}, KERNEL_143, "release: '14.3' is not a FreeBSD release"),
    ],
)
def test_release_refused_before_any_change(up, params, kernel, msg):
    res = run_module(jail_base_update.main, {**up, **params}, calls=[kernel])
    assert res.failed and res["msg"].startswith(msg) and res.writes == 0


def test_upgrade_of_a_base_a_running_jail_uses_is_refused(up):
    running = jls(("1", "www", up["basedir"]), ("2", "db", up["basedir"]))
    calls = [KERNEL_143, running, NO_NULLFS]
    res = run_module(jail_base_update.main, {**up, "jails_restarting": ["www"]}, calls=calls)
    assert res.failed and res["msg"].startswith("jails_restarting: db uses %s" % up["basedir"]) and res.writes == 0


@pytest.mark.parametrize(
    ("drop", "msg"),
    [
        ("etc_tarball", "etc_tarball: required to upgrade"),
        ("etc_previous_tarball", "etc_previous_tarball: required to upgrade"),
    ],
)
def test_upgrade_needs_the_tarballs(up, drop, msg):
    params = {k: v for k, v in up.items() if k != drop}
    res = run_module(jail_base_update.main, params, calls=[KERNEL_143, NO_JAILS, NO_NULLFS])
    assert res.failed and res["msg"].startswith(msg) and res.writes == 0


def test_upgrade_with_conflicts_left_is_refused(up):
    conflicts = os.path.join(etc_workdir(up), "conflicts", "etc")
    os.makedirs(conflicts)
    with open(os.path.join(conflicts, "motd"), "w") as f:
        f.write("<<<<<<< yours\n")
    res = run_module(jail_base_update.main, up, calls=[KERNEL_143, NO_JAILS, NO_NULLFS])
    assert res.failed and res["msg"].startswith("etc_workdir: conflicts remain") and res.writes == 0


def test_upgrade_of_a_running_jail_with_j(up):
    """jail: freebsd-update -j finds the root and the version itself; etcupdate works on the jail's root."""
    w = up["workdir"]
    conf = os.path.join(w, "bsd_jails-upgrade.conf")
    fuj = ["/testbin/freebsd-update", "-j", "www", "-d", w, "--not-running-from-cron", "-f", conf]
    upgrade = Call([*fuj, "-r", "14.3-RELEASE", "upgrade"], out_file="freebsd-update/upgrade_14.3.txt")
    extract = Call(
        ["/testbin/etcupdate", "extract", "-d", etc_workdir(up), "-t", up["etc_previous_tarball"], "-D", up["basedir"]]
    )
    install = Call([*fuj, "install"])

    def after_install(*_a, **_k):
        with open(os.path.join(up["basedir"], "bin", "freebsd-version"), "w") as f:
            f.write(script("14.3-RELEASE-p2"))

    install.on_call = after_install
    none = Call([*fuj, "updatesready"], rc=2)
    params = {k: v for k, v in up.items() if k != "basedir"}
    calls = [jls(("7", "www", up["basedir"])), NO_NULLFS, KERNEL_143, upgrade, BOOTTIME, extract, install, none]
    calls.append(etcupdate_merge(up))
    res = run_module(jail_base_update.main, {**params, "jail": "www", "jails_restarting": ["www"]}, calls=calls)
    assert res.changed and res["basedir"] == up["basedir"] and res["version_after"] == "14.3-RELEASE-p2"
    assert res["jails_using"] == ["www"] and res["etc"]["merged"] == ["/etc/newsyslog.conf"]


# --- a restart lost: the install recorded the running jails (jid, boot); a later run finds them unrestarted ----


def record_of(base):
    return os.path.join(base[1], "bsd_jails-installed", base[0].lstrip("/") + ".json")


def patch_of_running_www(base):
    """A patch of ``base`` that the running jail www (jid 7) uses."""
    fetch = Call(fu(base, "fetch"), out_file="freebsd-update/fetch_updates.txt")
    install = Call(fu(base, "install"), out="Installing updates... done.\n")

    def after_install(*_a, **_k):
        with open(record_of(base)) as f:  # written before the install
            assert json.load(f) == {"boottime": BOOT, "jails": {"www": "7"}}
        with open(os.path.join(base[0], "bin", "freebsd-version"), "w") as f:
            f.write(script("14.2-RELEASE-p3"))

    install.on_call = after_install
    return [KERNEL, jls(("7", "www", base[0])), NO_NULLFS, fetch, BOOTTIME, install]


def up_to_date(base, version="14.2-RELEASE-p3"):
    return Call(fu(base, "fetch", version), out="No updates needed to update system to 14.2-RELEASE-p3.\n")


@pytest.mark.parametrize("check", [False, True])
def test_a_jail_not_restarted_after_an_install_is_listed_on_the_next_run(base, check):
    res = run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=patch_of_running_www(base))
    assert res.changed and res["jails_using"] == ["www"] and res["jails_not_restarted"] == []
    # The play failed before restarting www: it still runs with jid 7; the base is up to date.
    calls = [KERNEL, jls(("7", "www", base[0])), NO_NULLFS, BOOTTIME, up_to_date(base)]
    res = run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=calls, check=check)
    assert not res.changed and res.writes == 0 and res["jails_not_restarted"] == ["www"]


@pytest.mark.parametrize(
    ("jid", "boot"),
    [("8", BOOT), ("7", BOOT + 3600)],
    ids=["restarted since (new jid)", "host rebooted since"],
)
def test_a_restarted_jail_is_not_listed(base, jid, boot):
    run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=patch_of_running_www(base))
    boottime = Call(BOOTTIME.argv, out="{ sec = %d, usec = 0 } Sat Dec  6 01:00:00 2025\n" % boot)
    calls = [KERNEL, jls((jid, "www", base[0])), NO_NULLFS, boottime, up_to_date(base)]
    res = run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=calls)
    assert not res.changed and res["jails_not_restarted"] == []


def test_a_stopped_jail_is_not_listed_and_asks_no_boot_time(base):
    run_module(jail_base_update.main, {"basedir": base[0], "workdir": base[1]}, calls=patch_of_running_www(base))
    res = run_module(
        jail_base_update.main,
        {"basedir": base[0], "workdir": base[1]},
        calls=[KERNEL, NO_JAILS, NO_NULLFS, up_to_date(base)],
    )
    assert not res.changed and res["jails_not_restarted"] == []
