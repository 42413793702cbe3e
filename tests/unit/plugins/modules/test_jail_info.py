# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import shutil

from ansible_collections.bsd.jails.plugins.modules import jail_info
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module
from conftest import FIXTURES

JLS = ["/testbin/jls", "-n", "-q"]


def test_configured_and_running_in_one_jls_call(tmp_path):
    conf = tmp_path / "jail.conf"
    shutil.copy(os.path.join(FIXTURES, "jail", "jail.conf.5-example.conf"), conf)
    res = run_module(jail_info.main, {"config": str(conf)}, calls=[Call(JLS, out_file="jail/jls-n-q_two_jails.txt")])
    assert not res.changed and res.writes == 0 and res.calls_made == [JLS]
    assert res["names"] == ["foo", "bar", "www", "db"]
    foo_jail = res["jails"]["foo"]
    assert foo_jail["configured"] and not foo_jail["running"] and foo_jail["jid"] is None
    assert foo_jail["params"]["path"] == "/var/jail/foo" and foo_jail["params"]["ip4.addr"] == [
        "10.1.1.1",
        "10.1.1.2",
        "10.1.1.3",
    ]
    www = res["jails"]["www"]
    assert www["running"] and www["jid"] == 1 and not www["configured"] and www["params"] == {}
    assert www["running_params"]["ip4.addr"] == ["192.0.2.23", "192.0.2.24"]


def test_directory_and_name_filter(tmp_path):
    d = tmp_path / "jail.conf.d"
    d.mkdir()
    (d / "www.conf").write_text("www {\n\tpath = /usr/jails/www;\n}\n")
    (d / "notes.txt").write_text("not a config")
    res = run_module(
        jail_info.main, {"config": str(d), "name": "www"}, calls=[Call(JLS, out_file="jail/jls-n-q_two_jails.txt")]
    )
    assert list(res["jails"]) == ["www"]
    www = res["jails"]["www"]
    assert www["configured"] and www["running"] and www["conf_file"] == str(d / "www.conf")


def test_missing_config_and_no_jails(tmp_path):
    res = run_module(jail_info.main, {"config": str(tmp_path / "none.conf")}, calls=[Call(JLS)])
    assert res["jails"] == {} and res["names"] == []


def test_syntax_error_names_file_and_line(tmp_path):
    conf = tmp_path / "jail.conf"
    conf.write_text("a {\n\tpath = /x\n}\n")
    res = run_module(jail_info.main, {"config": str(conf)}, calls=[])
    assert res.failed and res["msg"] == f"{conf}: line 3: syntax error: expected ';': '}}'"


def test_included_files_are_read_as_jail_8_reads_them(tmp_path):
    conf = tmp_path / "jail.conf"
    d = tmp_path / "jail.conf.d"
    d.mkdir()
    (d / "b.conf").write_text("b {\n\tpath = /usr/jails/b;\n}\n")
    (d / "a.conf").write_text("a {\n\tpath = /usr/jails/a;\n}\n")
    conf.write_text(f'host.hostname = "$name.example.org";\n.include "{d}/*.conf";\nc {{ path = /usr/jails/c; }}\n')
    res = run_module(jail_info.main, {"config": str(conf)}, calls=[Call(JLS)])
    assert res["names"] == ["a", "b", "c"]
    assert res["jails"]["a"]["conf_file"] == str(d / "a.conf") and res["jails"]["c"]["conf_file"] == str(conf)
    assert res["jails"]["b"]["params"]["host.hostname"] == "b.example.org"
    (d / "b.conf").write_text("b {\n\tpath = /usr/jails/b\n}\n")
    res = run_module(jail_info.main, {"config": str(conf)}, calls=[])
    assert res.failed and res["msg"] == f"{d / 'b.conf'}: line 3: syntax error: expected ';': '}}'"


def test_include_loop_fails_naming_the_chain(tmp_path):
    conf = tmp_path / "jail.conf"
    other = tmp_path / "other.conf"
    conf.write_text('.include "other.conf";\n')
    other.write_text('.include "jail.conf";\n')
    res = run_module(jail_info.main, {"config": str(conf)}, calls=[])
    assert res.failed and res["msg"] == f"{conf}: .include loop: {conf} -> {other} -> {conf}"
