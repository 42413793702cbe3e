# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._host_state import (
    configured,
    is_directory_mode,
    parse_sysrc,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


def test_parse_sysrc():
    out = "jail_enable: YES\njail_list: www db\njail_conf:\n"
    assert parse_sysrc(out) == {"jail_enable": "YES", "jail_list": "www db", "jail_conf": ""}


def test_is_directory_mode(tmp_path):
    assert is_directory_mode(str(tmp_path))
    assert is_directory_mode("/nonexistent/jail.conf.d")
    assert is_directory_mode("/nonexistent/jails/")
    assert not is_directory_mode("/nonexistent/jail.conf")


def test_configured_file_with_include(tmp_path):
    inc = tmp_path / "more.conf"
    inc.write_text("db { path = /j/db; }\n")
    main = tmp_path / "jail.conf"
    main.write_text(f'persist;\nwww {{ path = /j/www; }}\n.include "{inc}";\n')
    got = {name: (path, params.get("path")) for name, path, params in configured(str(main))}
    assert got == {"www": (str(main), "/j/www"), "db": (str(inc), "/j/db")}


def test_configured_directory_reads_each_conf_alone(tmp_path):
    (tmp_path / "www.conf").write_text("www { path = /j/www; }\n")
    (tmp_path / "notes.txt").write_text("not { a = jail; }\n")
    assert [(n, p) for n, p, _params in configured(str(tmp_path))] == [("www", str(tmp_path / "www.conf"))]
    (tmp_path / "bad.conf").write_text("bad {\n")
    with pytest.raises(JailsError, match=r"bad\.conf"):
        configured(str(tmp_path))


def test_configured_missing_file_is_empty(tmp_path):
    assert configured(str(tmp_path / "jail.conf")) == []
