# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.modules import jail_pf
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

RULES = [
    "nat on vtnet0 inet from 10.17.0.0/24 to any -> (vtnet0) round-robin",
    "rdr pass on vtnet0 inet proto tcp from any to (vtnet0) port = 443 -> 10.17.0.2 port 443",
]
HOST = 'ext_if = "vtnet0"\npass in on $ext_if proto tcp to port 22\n'
CALLED = 'nat-anchor "bsd.jails" all\nrdr-anchor "bsd.jails" all\n'
ENABLED = "Status: Enabled for 0 days 00:01:00           Debug: Urgent\n"


def setup(tmp_path, conf=HOST):
    (tmp_path / "pf.conf").write_text(conf)
    path = str(tmp_path / "bsd.jails")
    return path, dict(
        pf_conf=str(tmp_path / "pf.conf"),
        anchor_file=path,
        external_interface="vtnet0",
        nat_networks=["10.17.0.0/24"],
        forwards=[{"address": "10.17.0.2", "port": 443}],
    )


ANCHOR = "# pf anchor bsd.jails: written by bsd.jails (jail_pf); edits are replaced on its next run.\n" + "".join(
    r + "\n" for r in RULES
)


def reads(path, live="", main="", info=ENABLED, anchor=None, filt=""):
    """The checks and reads every run makes, in order (``anchor``: the text the first check must get on stdin)."""
    return [
        Call(["/testbin/pfctl", "-n", "-a", "bsd.jails", "-f", "-"], data=anchor),
        Call(["/testbin/pfctl", "-n", "-f", "-"]),
        Call(["/testbin/pfctl", "-P", "-a", "bsd.jails", "-s", "nat"], out=live),
        Call(["/testbin/pfctl", "-a", "bsd.jails", "-s", "rules"], out=filt),
        Call(["/testbin/pfctl", "-s", "nat"], out=main),
        Call(["/testbin/pfctl", "-s", "info"], out=info),
    ]


def test_first_run_check_then_apply_then_nothing(tmp_path):
    path, params = setup(tmp_path)
    res = run_module(jail_pf.main, params, calls=reads(path, anchor=ANCHOR), check=True, diff=True)
    assert res.changed and res.writes == 0 and res["actions"] == ["pfctl -f %s" % params["pf_conf"]]
    assert res["rules"] == RULES and res["diff"][2]["after"] == "".join(r + "\n" for r in RULES)
    assert (tmp_path / "pf.conf").read_text() == HOST and not (tmp_path / "bsd.jails").exists()
    res = run_module(jail_pf.main, params, calls=[*reads(path), Call(["/testbin/pfctl", "-f", params["pf_conf"]])])
    assert res.changed and res.writes == 2
    assert (tmp_path / "bsd.jails").read_text().splitlines()[1:] == RULES
    conf = (tmp_path / "pf.conf").read_text()
    assert conf.startswith('ext_if = "vtnet0"\nnat-anchor "bsd.jails"\nrdr-anchor "bsd.jails"\npass in')
    res = run_module(jail_pf.main, params, calls=reads(path, live="\n".join(RULES) + "\n", main=CALLED))
    assert not res.changed and res.writes == 0 and res["actions"] == []


def test_a_changed_forward_reloads_the_anchor_only(tmp_path):
    path, params = setup(tmp_path)
    run_module(jail_pf.main, params, calls=[*reads(path), Call(["/testbin/pfctl", "-f", params["pf_conf"]])])
    params["forwards"] = [{"address": "10.17.0.2", "port": 8443, "to": 443}]
    load = Call(["/testbin/pfctl", "-a", "bsd.jails", "-f", path])
    res = run_module(jail_pf.main, params, calls=[*reads(path, live="\n".join(RULES), main=CALLED), load])
    assert res.changed and res["actions"] == ["pfctl -a bsd.jails -f %s" % path] and res.writes == 1
    assert res["rules"][1].endswith("port = 8443 -> 10.17.0.2 port 443")
    # filter rules someone loaded into the collection's anchor are replaced too
    live = "\n".join(res["rules"])
    calls = [*reads(path, live=live, main=CALLED, filt="pass all no state\n"), load]
    res = run_module(jail_pf.main, params, calls=calls)
    assert res.changed and res["actions"] == ["pfctl -a bsd.jails -f %s" % path] and res.writes == 0


def test_a_rejected_host_pf_conf_changes_nothing(tmp_path):
    path, params = setup(tmp_path)
    calls = [*reads(path)[:1], Call(["/testbin/pfctl", "-n", "-f", "-"], rc=1, err="stdin:2: syntax error\n")]
    res = run_module(jail_pf.main, params, calls=calls)
    assert res.failed and res.writes == 0
    assert res["msg"].startswith("%s: pfctl rejects it, nothing was changed" % params["pf_conf"])
    assert res["msg"].endswith("stdin:2: syntax error")


def test_bad_input_runs_nothing(tmp_path):
    _path, params = setup(tmp_path)
    params["forwards"] = [{"address": "10.17.0.2", "port": 443}, {"address": "10.17.0.3", "port": 443}]
    res = run_module(jail_pf.main, params, calls=[])
    assert res.failed and res["msg"].startswith("forwards[1]: tcp port 443 is already forwarded by forwards[0]")
    _path, params = setup(tmp_path)
    res = run_module(jail_pf.main, dict(params, validate_only=True), calls=[])
    assert not res.changed and res["rules"] == []
