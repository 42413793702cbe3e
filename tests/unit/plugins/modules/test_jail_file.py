# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError
from ansible_collections.bsd.jails.plugins.modules import jail_file
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import run_module


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    (r / "etc").mkdir(parents=True)
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "rc.conf").write_text("host\n")
    return r


def mode(path):
    return os.stat(path).st_mode & 0o7777


def test_set_assignments_replaces_the_last_line_and_keeps_the_rest():
    text = '# mine\nsendmail_enable="YES"\nfoo=1 # comment\nsendmail_enable=YES\n'
    out = jail_file.set_assignments(text, {"sendmail_enable": "NONE", "foo": "1", "new": "-ss"})
    assert out == '# mine\nsendmail_enable="YES"\nfoo=1 # comment\nsendmail_enable="NONE"\nnew="-ss"\n'
    assert jail_file.set_assignments(out, {"sendmail_enable": "NONE", "new": "-ss"}) == out
    assert jail_file.set_assignments("a=1", {"b": "2"}) == 'a=1\nb="2"\n'
    assert jail_file.set_assignments("a=$(x)\n", {"a": "1"}) == 'a="1"\n'  # unread forms are rewritten


@pytest.mark.parametrize(
    "assignments,expected",
    [
        ({"bad-name": "x"}, "assignments: 'bad-name' is not a shell variable name"),
        ({"a": "x\ny=1"}, "assignments.a: value"),
        ({"a": "$(reboot)"}, "which rc.conf would read as shell syntax"),
        ({"a": 'x"'}, "assignments.a"),
        ({"a": [1]}, "assignments.a: the value must be a string or a number"),
    ],
)
def test_bad_assignments_refused_before_any_write(root, assignments, expected):
    res = run_module(jail_file.main, {"root": str(root), "path": "etc/rc.conf", "assignments": assignments})
    assert res.failed and expected in res["msg"], res.result
    assert not (root / "etc" / "rc.conf").exists()


def test_parse_mode():
    assert jail_file.parse_mode("0644") == 0o644 and jail_file.parse_mode(0o555) == 0o555
    assert jail_file.parse_mode(None) is None
    for bad in ("rw-r--r--", "0999", 70000, True):
        with pytest.raises(JailsError, match="mode: "):
            jail_file.parse_mode(bad)


def test_file_check_apply_again_and_mode(root):
    params = {"root": str(root), "path": "/etc/rc.conf", "assignments": {"sendmail_enable": "NONE"}, "mode": "0600"}
    res = run_module(jail_file.main, params, check=True, diff=True)
    assert res.changed and res["created"] and 'sendmail_enable="NONE"' in res["diff"]["after"]
    assert not (root / "etc" / "rc.conf").exists()
    assert run_module(jail_file.main, params).changed
    assert (root / "etc" / "rc.conf").read_text() == 'sendmail_enable="NONE"\n' and mode(
        root / "etc" / "rc.conf"
    ) == 0o600
    assert not run_module(jail_file.main, params).changed
    params["mode"] = "0644"
    res = run_module(jail_file.main, params, check=True)
    assert res.changed and mode(root / "etc" / "rc.conf") == 0o600
    assert run_module(jail_file.main, params).changed and mode(root / "etc" / "rc.conf") == 0o644


def test_force_false_keeps_an_existing_file(root):
    (root / "etc" / "fstab").write_text("# mine\n")
    params = {"root": str(root), "path": "etc/fstab", "content": "", "force": False}
    assert not run_module(jail_file.main, params).changed
    assert (root / "etc" / "fstab").read_text() == "# mine\n"


def test_src_is_copied(root, tmp_path):
    params = {"root": str(root), "path": "etc/resolv.conf", "src": str(tmp_path / "host" / "rc.conf")}
    assert run_module(jail_file.main, params).changed
    assert (root / "etc" / "resolv.conf").read_text() == "host\n"
    assert not run_module(jail_file.main, params).changed


def test_directory(root):
    params = {"root": str(root), "path": "dev", "state": "directory", "mode": "0555"}
    res = run_module(jail_file.main, params, check=True, diff=True)
    assert res.changed and res["diff"]["after"] == {"state": "directory", "mode": "0o555"}
    assert not (root / "dev").exists()
    assert run_module(jail_file.main, params).changed and mode(root / "dev") == 0o555
    assert not run_module(jail_file.main, params).changed


@pytest.mark.parametrize(
    "plant,path,shown",
    [
        (lambda r, h: (r / "etc" / "rc.conf").symlink_to(h / "rc.conf"), "etc/rc.conf", "etc/rc.conf is a symbolic"),
        (lambda r, h: (r / "etc2").symlink_to(h), "etc2/rc.conf", "etc2 is a symbolic link (to %s)"),
        (lambda r, h: (r / "dev").symlink_to(h), "dev", "dev is a symbolic link"),
    ],
)
def test_links_refused_in_check_mode_too(root, tmp_path, plant, path, shown):
    host = tmp_path / "host"
    plant(root, host)
    state = "directory" if path == "dev" else "file"
    for check in (True, False):
        params = {"root": str(root), "path": path, "state": state, "mode": "0777"}
        if state == "file":
            params["content"] = "pwned\n"
        res = run_module(jail_file.main, params, check=check)
        assert res.failed and (shown.replace("%s", str(host)) in res["msg"]), res.result
    assert (host / "rc.conf").read_text() == "host\n" and mode(host) != 0o777 and mode(host / "rc.conf") != 0o777


def test_dotdot_and_relative_root_refused(root):
    res = run_module(jail_file.main, {"root": str(root), "path": "../host/rc.conf", "content": "x"})
    assert res.failed and "path: '../host/rc.conf' has a '..' component" in res["msg"]
    res = run_module(jail_file.main, {"root": "relative", "path": "etc/x", "content": "x"})
    assert res.failed and "root: 'relative' is not an absolute path" in res["msg"]
    res = run_module(jail_file.main, {"root": str(root), "path": "dev", "state": "directory", "content": "x"})
    assert res.failed and "state=directory takes no content" in res["msg"]


def test_content_is_masked_in_the_output(root):
    """content may be a secret (as ansible.builtin.copy's): the diff shows it masked, the file gets it whole."""
    params = {"root": str(root), "path": "etc/secret.key", "content": "s3cr3t-token\n", "mode": "0600"}
    res = run_module(jail_file.main, params, diff=True)
    assert res.changed and "s3cr3t-token" not in repr(res.result)
    assert res["diff"]["after"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert (root / "etc" / "secret.key").read_text() == "s3cr3t-token\n"
