# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.modules import host_bind_audit
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

SOCKSTAT = Call(["/testbin/sockstat", "-46l"], out_file="sockstat/freebsd14_behaviour_sample.txt")
JLS = Call(["/testbin/jls", "-nq", "jid", "name", "ip4.addr", "ip6.addr"], out_file="jls/addresses_web_db.txt")
IFCONFIG = Call(["/testbin/ifconfig", "-a"], out_file="ifconfig/host_with_jail_alias.txt")


def test_default_host_three_calls_no_writes_warnings_per_daemon(capsys):
    res = run_module(host_bind_audit.main, {}, calls=[SOCKSTAT, JLS, IFCONFIG])
    assert not res.failed and not res.changed and res.writes == 0
    assert res["jail_addresses"] == {"web": ["192.0.2.23", "2001:db8::23"], "db": []}
    # jail aliases are not host addresses
    assert res["host_addresses"] == ["192.0.2.10", "127.0.0.1", "::1", "fe80::1%lo0"]
    assert [(f["daemon"], f["proto"], f["finding"]) for f in res["findings"]] == [
        ("sshd", "tcp6", "wildcard"),
        ("sshd", "tcp4", "wildcard"),
        ("syslogd", "udp6", "wildcard"),
    ]
    assert res["msg"] == "2 host daemons answer on jail addresses: sshd, syslogd"
    assert len(res["summary"]) == 2 and res["summary"][0].startswith("sshd (tcp6 *:22, tcp4 *:22) wildcard")
    assert "ListenAddress 192.0.2.10" in res["summary"][0]
    # one warning per daemon: what ansible-playbook shows without -v
    warnings = res.get("warnings") or [
        line.split("]: ", 1)[1] for line in capsys.readouterr().err.splitlines() if line.startswith("[WARNING]: ")
    ]
    assert warnings == res["summary"]


def test_check_mode_runs_the_same_reads():
    res = run_module(host_bind_audit.main, {}, calls=[SOCKSTAT, JLS, IFCONFIG], check=True)
    assert not res.changed and res.writes == 0 and len(res["findings"]) == 3


def test_given_addresses_one_call_and_fail_on_wildcard():
    params = {"jail_addresses": ["192.0.2.23"], "host_addresses": ["192.0.2.10"], "fail_on": "wildcard"}
    res = run_module(host_bind_audit.main, params, calls=[SOCKSTAT])
    assert res.failed and not res.changed
    assert res["msg"].splitlines() == [
        "2 host daemons answer on jail addresses: sshd, syslogd:",
        "- sshd (tcp6 *:22, tcp4 *:22) wildcard: answers on every jail address"
        " -> set ListenAddress 192.0.2.10 in /etc/ssh/sshd_config, then service sshd restart",
        "- syslogd (udp6 *:514) wildcard: answers on every jail address"
        ' -> set syslogd_flags="-s -b 192.0.2.10" in /etc/rc.conf (or "-ss" for no network socket),'
        " then service syslogd restart",
    ]
    # the failure carries what to fix, not every socket
    assert [f["daemon"] for f in res["findings"]] == ["sshd", "sshd", "syslogd"]
    assert "sockets" not in res.result


def test_hardened_host_passes_fail_on_any():
    out = (
        "USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n"
        "root     sshd         812 4   tcp4   192.0.2.10:22         *:*\n"
        "root     sendmail     790 4   tcp4   127.0.0.1:25          *:*\n"
    )
    params = {"jail_addresses": ["192.0.2.23"], "host_addresses": ["192.0.2.10"], "fail_on": "any"}
    res = run_module(host_bind_audit.main, params, calls=[Call(["/testbin/sockstat", "-46l"], out=out)])
    assert not res.failed and res["findings"] == [] and res["summary"] == []
    assert res["msg"] == "no host daemon answers on a jail address"
    assert not res.get("warnings")


def test_ignore_keeps_the_task_green():
    params = {"jail_addresses": ["192.0.2.23"], "host_addresses": ["192.0.2.10"], "fail_on": "any"}
    params["ignore"] = ["sshd", "syslogd:514"]
    res = run_module(host_bind_audit.main, params, calls=[SOCKSTAT])
    assert not res.failed and res["findings"] == []
    assert [s["ignored"] for s in res["sockets"]] == [True, True, False, True]


def test_jail_sockets_one_sockstat_per_jail():
    host = (
        "root     sshd         812 4   tcp4   *:22                  *:*\n"
        "root     sshd        2210 3   tcp4   192.0.2.23:22         *:*\n"
        "root     syslogd     2150 6   udp4   192.0.2.23:514        *:*\n"
    )
    calls = [
        Call(["/testbin/sockstat", "-46l"], out=host),
        JLS,
        Call(["/testbin/sockstat", "-46l", "-j", "1"], out_file="sockstat/freebsd14_jail_web.txt"),
        Call(["/testbin/sockstat", "-46l", "-j", "2"], out=""),
    ]
    params = {"host_addresses": ["192.0.2.10"], "jail_sockets": True, "fail_on": "any"}
    res = run_module(host_bind_audit.main, params, calls=calls)
    assert not res.failed, res
    assert [(s["jail"], s["finding"]) for s in res["sockets"]] == [(None, "ok"), ("web", "ok"), ("web", "ok")]


def test_bad_ignore_fails_before_any_command():
    res = run_module(host_bind_audit.main, {"ignore": ["sshd:"]}, calls=[])
    assert res.failed and "ignore[0]" in res["msg"]


def test_sockstat_failure_reports_the_command():
    calls = [Call(["/testbin/sockstat", "-46l"], rc=1, err="sockstat: sysctl(net.inet.tcp.pcblist): EPERM\n")]
    res = run_module(host_bind_audit.main, {}, calls=calls)
    assert res.failed and res["rc"] == 1 and res["cmd"] == ["/testbin/sockstat", "-46l"]
