# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._bind_audit import check_address
from ansible_collections.bsd.jails.plugins.module_utils._role_inputs import input_errors
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


@pytest.mark.parametrize("addr", ["192.0.2.10", "2001:db8::1", "fe80::1%em0", "127.0.0.1"])
def test_address_ok(addr):
    assert check_address("f", addr)


@pytest.mark.parametrize(
    "addr", ["300.1.1.1", "not-an-ip", "192.0.2.10\nPermitRootLogin yes", "192.0.2.0/24", "em0|192.0.2.1", "", None]
)
def test_address_refused_naming_field(addr):
    with pytest.raises(JailsError) as exc:
        check_address("host_addresses[2]", addr)
    assert exc.value.msg.startswith("host_addresses[2]: ")


def test_addresses_list():
    assert input_errors(["192.0.2.1", "2001:db8::1"], "addresses", "a") == []
    assert input_errors([], "addresses", "a") == ["a: no address: give the host's own addresses"]
    assert input_errors(["192.0.2.1", "x"], "addresses", "a")[0].startswith("a[1]: 'x'")


@pytest.mark.parametrize("value", ["", "-wW -C 60", "-r -S -h 192.0.2.1", "-I fe80::1%em0", "-J 15", "NONE"])
def test_rc_value_ok(value):
    assert input_errors(value, "rc_value", "f") == []


@pytest.mark.parametrize(
    "value", ["-g\nsshd_enable=NO", "-x; reboot", "$(id)", "`id`", "-o 'a b'", '-o "a"', "a|b", "a&", "a>b", "*", "#x"]
)
def test_rc_value_refused(value):
    errs = input_errors(value, "rc_value", "host_harden_ntpd_flags")
    assert len(errs) == 1 and errs[0].startswith("host_harden_ntpd_flags: ")


def test_rc_vars():
    assert input_errors({"cron_flags": "-J 15"}, "rc_vars", "w") == []
    assert input_errors({"a-b": "x"}, "rc_vars", "w")[0].startswith("w[a-b]: ")
    assert input_errors({"ok": "x\ny"}, "rc_vars", "w")[0].startswith("w.ok: ")


@pytest.mark.parametrize(
    "path", ["/usr/local/jails/www", "/usr/local/jails/www/", "/var/cache/bsd_jails/dist/14.3-RELEASE"]
)
def test_abs_path_ok(path):
    assert input_errors(path, "abs_path", "p") == []


@pytest.mark.parametrize("path", ["/usr/local/jails/.", "/a/../b", "/a\nb", "rel", "/a//b", "/a b", "/a;b", ""])
def test_abs_path_refused(path):
    assert input_errors(path, "abs_path", "world_dest")[0].startswith("world_dest: ")


def test_rel_paths():
    assert input_errors(["etc", "usr/lib32"], "rel_paths", "d") == []
    assert input_errors(["etc", "../../etc"], "rel_paths", "d")[0].startswith("d[1]: ")
    assert input_errors(["/etc"], "rel_paths", "d")[0].startswith("d[0]: ")


def test_dist_sets():
    assert input_errors(["base.txz", "base-dbg.txz", "lib32.txz", "kernel.txz", "src.txz"], "dist_sets", "s") == []
    for bad in ["../../etc/passwd", "-rf", "base.tar", "a/base.txz", ".txz"]:
        assert input_errors(["base.txz", bad], "dist_sets", "s")[0].startswith("s[1]: "), bad


def test_other_kinds():
    assert input_errors("14.3-RELEASE", "release", "r") == []
    assert input_errors("14.3\n", "release", "r")
    assert input_errors("tar", "command", "t") == [] and input_errors("-rf", "command", "t")
    assert input_errors("", "url", "u") == [] and input_errors("https://download.freebsd.org/x", "url", "u") == []
    assert input_errors("javascript:x", "url", "u")
    assert input_errors(["DESTDIR=/"], "make_args", "m")[0].startswith("m[0]: ")
    assert input_errors(["sshd:"], "audit_ignore", "i") == ["i[0]: 'sshd:' has no port after ':'"]
    with pytest.raises(ValueError):
        input_errors("x", "no-such-kind", "f")
