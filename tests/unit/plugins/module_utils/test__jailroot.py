# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot, components
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    host = tmp_path / "host"
    host.mkdir()
    (host / "secret").write_text("host\n")
    return root, host


def test_components():
    assert components("/etc//./sysctl.conf") == ["etc", "sysctl.conf"]
    with pytest.raises(JailsError, match=r"f: '/etc/../x' has a '..' component"):
        components("/etc/../x", "f")
    with pytest.raises(JailsError, match="names no file"):
        components("/", "f")


def test_read_write_keep_mode_and_backup(tree):
    root, _host = tree
    jr = JailRoot(str(root), "web")
    assert jr.read_text("/etc/sysctl.conf") is None
    assert jr.read_text("/nodir/sysctl.conf") is None
    assert jr.write_text("/etc/sysctl.conf", "a=1\n") is None
    assert (root / "etc" / "sysctl.conf").read_text() == "a=1\n"
    assert oct(os.stat(root / "etc" / "sysctl.conf").st_mode & 0o7777) == "0o644"
    os.chmod(root / "etc" / "sysctl.conf", 0o600)
    backup = jr.write_text("/etc/sysctl.conf", "a=2\n", backup=True)
    assert jr.read_text("etc/sysctl.conf") == "a=2\n"
    assert oct(os.stat(root / "etc" / "sysctl.conf").st_mode & 0o7777) == "0o600"
    assert backup.startswith(str(root / "etc" / "sysctl.conf."))
    with open(backup, encoding="utf-8") as f:
        assert f.read() == "a=1\n"
    assert sorted(n for n in os.listdir(root / "etc") if n.startswith(".")) == []  # no temp file left
    assert jr.path("/etc/sysctl.conf") == str(root / "etc" / "sysctl.conf")
    with pytest.raises(JailsError, match="jail web: cannot write nodir/x: its directory does not exist"):
        jr.write_text("/nodir/x", "")


def test_links_refused_anywhere(tree):
    root, host = tree
    jr = JailRoot(str(root), "web")
    (root / "etc" / "link").symlink_to(host / "secret")
    (root / "hostdir").symlink_to(host)
    (root / "inside").symlink_to("etc")  # relative, inside the root: refused as well
    for rel, shown in (
        ("/etc/link", "etc/link"),
        ("/hostdir/secret", "hostdir"),
        ("/inside/x", "inside"),
    ):
        with pytest.raises(JailsError, match="jail web: %s is a symbolic link" % shown):
            jr.read_text(rel)
        with pytest.raises(JailsError, match="jail web: %s is a symbolic link" % shown):
            jr.write_text(rel, "pwned\n")
    with pytest.raises(JailsError, match="jail web: hostdir is a symbolic link"):
        jr.check_dir("/hostdir")
    assert (host / "secret").read_text() == "host\n"
    assert jr.check_dir("/etc") and not jr.check_dir("/dev")


def test_special_files_refused(tree):
    root, _host = tree
    os.mkfifo(root / "etc" / "fifo")
    jr = JailRoot(str(root), "web")
    with pytest.raises(JailsError, match="jail web: etc/fifo is not a regular file"):
        jr.read_text("/etc/fifo")  # O_NONBLOCK: no hang on a FIFO
    with pytest.raises(JailsError, match="jail web: etc/fifo is not a regular file"):
        jr.write_text("/etc/fifo", "")
    (root / "file").write_text("")
    with pytest.raises(JailsError, match="jail web: file is not a directory"):
        jr.read_text("/file/x")
