# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The steps of jail_sysctl that need no host: the options, the file's edit, the values to set."""

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError
from ansible_collections.bsd.jails.plugins.module_utils._sysctl_plan import (
    SysctlFile,
    check_params,
    diffs,
    plan_values,
)


def params(tmp_path, **kw):
    p = {
        "name": None,
        "value": None,
        "sysctls": {"kern.maxfiles": 4096, "net.inet.ip.forwarding": 1},
        "jail": None,
        "persist": True,
        "sysctl_file": str(tmp_path / "sysctl.conf"),
        "state": "present",
        "backup": False,
    }
    p.update(kw)
    return p


def test_check_params_names_the_field(tmp_path):
    assert check_params(params(tmp_path)) == {"kern.maxfiles": "4096", "net.inet.ip.forwarding": "1"}
    with pytest.raises(JailsError) as e:
        check_params(params(tmp_path, sysctls={"kern maxfiles": 1}))
    assert e.value.msg.startswith("sysctls.kern maxfiles: ")
    with pytest.raises(JailsError) as e:
        check_params(params(tmp_path, state="absent", persist=False))
    assert "needs persist=true" in e.value.msg


def test_file_and_values_plan(tmp_path):
    (tmp_path / "sysctl.conf").write_text("# host\nkern.maxfiles=4096\n")
    p = params(tmp_path)
    wanted = check_params(p)
    f = SysctlFile(None, p)
    f.plan(wanted)
    assert f.changed and f.after == "# host\nkern.maxfiles=4096\nnet.inet.ip.forwarding=1\n"
    result = {"sysctls": {}}
    live = {"kern.maxfiles": "4096", "net.inet.ip.forwarding": "0"}
    assert plan_values(p, wanted, live, f, result) == ["net.inet.ip.forwarding"]
    assert result["sysctls"]["kern.maxfiles"] == {"before": "4096", "after": "4096"}
    d = diffs(None, wanted, live, ["net.inet.ip.forwarding"], f)
    assert d[0]["after"] == {"net.inet.ip.forwarding": "1"} and d[1]["after"].endswith("forwarding=1\n")


def test_absent_removes_the_lines_and_reports_what_the_file_said(tmp_path):
    (tmp_path / "sysctl.conf").write_text("kern.maxfiles=4096\n")
    p = params(tmp_path, state="absent", sysctls={"kern.maxfiles": None})
    wanted = check_params(p)
    f = SysctlFile(None, p)
    f.plan(wanted)
    result = {"sysctls": {}}
    assert plan_values(p, wanted, {}, f, result) == [] and f.after == "" and f.changed
    assert result["sysctls"] == {"kern.maxfiles": {"before": "4096", "after": None}}
