# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._bind_audit import (
    classify,
    daemon_name,
    mark_shadowed,
    offenders,
    parse_ifconfig_addresses,
    parse_ignore,
    summarize,
)
from ansible_collections.bsd.jails.plugins.module_utils._sockstat import parse_sockstat, parse_sockstat_jail

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "sockstat")
HOST = ["192.0.2.10", "127.0.0.1", "::1", "fe80::1%lo0", "2001:db8::10"]
JAILS = {"web": ["192.0.2.23", "2001:db8::23"]}


def sockets(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return parse_sockstat(f.read())


def row(user, cmd, pid, fd, proto, local):
    return parse_sockstat("%s %s %s %s %s %s *:*" % (user, cmd, pid, fd, proto, local))[0]


def by(results):
    return [(r["daemon"], r["proto"], r["address"], r["port"], r["finding"]) for r in results]


def test_default_host_wildcards_with_remediations():
    res = classify(sockets("freebsd14_behaviour_sample.txt"), HOST, JAILS)
    assert by(res) == [
        ("sshd", "tcp6", "*", 22, "wildcard"),
        ("sshd", "tcp4", "*", 22, "wildcard"),
        ("sendmail", "tcp4", "127.0.0.1", 25, "ok"),
        ("syslogd", "udp6", "*", 514, "wildcard"),
    ]
    assert res[0]["remediation"] == "set ListenAddress 2001:db8::10 in /etc/ssh/sshd_config, then service sshd restart"
    assert res[1]["remediation"] == "set ListenAddress 192.0.2.10 in /etc/ssh/sshd_config, then service sshd restart"
    assert res[1]["exposed_on"] == ["192.0.2.23"]
    assert res[0]["exposed_on"] == ["2001:db8::23"]
    assert '"-s -b 2001:db8::10"' in res[3]["remediation"] and '"-ss"' in res[3]["remediation"]
    assert res[2]["remediation"] is None


def test_wildcard_without_any_jail_is_still_a_finding():
    res = classify([row("root", "sshd", 812, 4, "tcp4", "*:22")], ["192.0.2.10"], {})
    assert res[0]["finding"] == "wildcard" and res[0]["exposed_on"] == []


def test_every_daemon_of_issue_7_gets_its_setting():
    socks = [
        row("root", "inetd", 1, 5, "tcp4", "*:21"),
        row("root", "sendmail", 2, 4, "tcp4", "*:25"),
        row("bind", "named", 3, 20, "udp4", "*:53"),
        row("root", "rpcbind", 4, 6, "udp4", "*:111"),
        row("root", "mountd", 5, 6, "udp4", "*:1023"),
        row("root", "nfsd", 6, 5, "tcp4", "*:2049"),
        row("root", "ntpd", 7, 20, "udp4", "192.0.2.23:123"),
    ]
    res = {r["daemon"]: r["remediation"] for r in classify(socks, ["192.0.2.10"], JAILS)}
    assert (
        res["inetd"]
        == 'set inetd_flags="-wW -C 60 -a 192.0.2.10" in /etc/rc.conf (inetd(8) -a), then service inetd restart'
    )
    assert "DAEMON_OPTIONS(`Name=IPv4, Family=inet, Addr=192.0.2.10')" in res["sendmail"]
    assert "make -C /etc/mail install restart" in res["sendmail"]
    assert res["named"].startswith("set listen-on { 192.0.2.10; }; and listen-on-v6 { none; };")
    assert 'rpcbind_flags="-h 192.0.2.10"' in res["rpcbind"]
    assert 'mountd_flags="-r -S -h 192.0.2.10"' in res["mountd"]
    assert 'nfs_server_flags="-u -t -h 192.0.2.10"' in res["nfsd"]
    assert 'ntpd_flags="-I 192.0.2.10"' in res["ntpd"]


def test_daemon_bound_to_a_jail_address_and_ntpd_wildcard_unbindable():
    res = classify(sockets("freebsd13_layout.txt"), ["192.0.2.10"], JAILS)
    findings = {(r["daemon"], r["address"], r["port"]): r for r in res if r["finding"] != "ok"}
    assert findings[("ntpd", "192.0.2.23", 123)]["finding"] == "on_jail_address"
    assert findings[("ntpd", "192.0.2.23", 123)]["exposed_on"] == ["192.0.2.23"]
    # ntpd's own scoped/loopback addresses are fine
    assert ("ntpd", "fe80::1%lo0", 123) not in findings and ("ntpd", "::1", 123) not in findings
    assert findings[("inetd", "*", 21)]["exposed_on"] == ["192.0.2.23", "2001:db8::23"]  # tcp46
    ntp = classify([row("root", "ntpd", 7, 20, "udp4", "*:123")], ["192.0.2.10"], JAILS)[0]
    assert ntp["finding"] == "unbindable" and "wildcard" in ntp["reason"]
    assert (
        ntp["remediation"] == 'set ntpd_flags="-I 192.0.2.10" in /etc/rc.conf (ntpd(8) -I), then service ntpd restart'
    )


def test_truncated_known_daemon_name_is_completed():
    assert daemon_name("sendmail-m", {"sendmail-mta": 1}) == "sendmail-mta"
    assert daemon_name("rpc.statd") == "rpc.statd"
    assert daemon_name("sshd") == "sshd"


def test_jail_sockets_tell_jail_daemons_apart_and_shadow_wildcards():
    host = parse_sockstat(
        "root sshd 812 4 tcp4 *:22 *:*\n"
        "root syslogd 650 7 udp4 *:514 *:*\n"
        "root sshd 2210 3 tcp4 192.0.2.23:22 *:*\n"
        "root syslogd 2150 6 udp4 192.0.2.23:514 *:*\n"
        "root inetd 700 5 tcp4 *:21 *:*\n"
    )
    with open(os.path.join(FIXTURES, "freebsd14_jail_web.txt"), encoding="utf-8") as f:
        jail = parse_sockstat_jail(f.read(), "web")
    jails = {"web": ["192.0.2.23"]}
    without = classify(host, ["192.0.2.10"], jails)
    assert [r["finding"] for r in without] == ["wildcard", "wildcard", "on_jail_address", "on_jail_address", "wildcard"]
    res = classify(host, ["192.0.2.10"], jails, jail_sockets={"web": jail})
    assert by(res) == [
        ("sshd", "tcp4", "*", 22, "ok"),  # the jail's own sshd answers on 192.0.2.23:22
        ("syslogd", "udp4", "*", 514, "ok"),
        ("sshd", "tcp4", "192.0.2.23", 22, "ok"),
        ("syslogd", "udp4", "192.0.2.23", 514, "ok"),
        ("inetd", "tcp4", "*", 21, "wildcard"),
    ]
    assert res[2]["jail"] == "web" and res[0]["jail"] is None
    assert res[4]["exposed_on"] == ["192.0.2.23"]


def test_ignore_patterns_and_fail_on():
    socks = [*sockets("freebsd14_behaviour_sample.txt"), row("root", "ntpd", 7, 20, "udp4", "*:123")]
    res = classify(socks, HOST, JAILS, ignore=parse_ignore(["syslogd", ":123"]))
    assert [r["daemon"] for r in res if r["ignored"]] == ["syslogd", "ntpd"]
    assert [r["daemon"] for r in offenders(res, "wildcard")] == ["sshd", "sshd"]
    assert [r["daemon"] for r in offenders(res, "any")] == ["sshd", "sshd"]
    res = classify(socks, HOST, JAILS, ignore=parse_ignore(["sshd:2?", "*:514"]))
    assert [r["daemon"] for r in offenders(res, "wildcard")] == []
    assert [r["daemon"] for r in offenders(res, "any")] == ["ntpd"]


@pytest.mark.parametrize("bad", ["", "sshd:"])
def test_bad_ignore_pattern_names_the_entry(bad):
    with pytest.raises(ValueError, match=r"ignore\[1\]"):
        parse_ignore(["ok", bad])


def test_summary_one_line_per_daemon():
    res = classify(sockets("freebsd14_behaviour_sample.txt"), ["192.0.2.10"], {"web": ["192.0.2.23"]})
    assert summarize(res) == [
        "sshd (tcp6 *:22, tcp4 *:22) wildcard: answers on every jail address"
        " -> set ListenAddress 192.0.2.10 in /etc/ssh/sshd_config, then service sshd restart",
        "syslogd (udp6 *:514) wildcard: answers on every jail address"
        ' -> set syslogd_flags="-s -b 192.0.2.10" in /etc/rc.conf (or "-ss" for no network socket),'
        " then service syslogd restart",
    ]


def test_no_host_address_known_says_host_ip():
    res = classify([row("root", "sshd", 812, 4, "tcp4", "*:22")], ["127.0.0.1"], {})
    assert "ListenAddress HOST_IP" in res[0]["remediation"]


def test_parse_ifconfig_addresses_in_order_once():
    text = (
        "em0: flags=8863<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        "\tinet 192.0.2.10 netmask 0xffffff00 broadcast 192.0.2.255\n"
        "\tinet6 fe80::1%em0 prefixlen 64 scopeid 0x1\n"
        "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384\n"
        "\tinet 127.0.0.1 netmask 0xff000000\n"
        "\tinet 192.0.2.10 netmask 0xffffffff\n"
    )
    assert parse_ifconfig_addresses(text) == ["192.0.2.10", "fe80::1%em0", "127.0.0.1"]


def _sock(command, proto, addr, port, pid=1):
    return {"user": "root", "command": command, "pid": pid, "fd": 3, "proto": proto, "local_addr": addr,
            "local_port": port}  # fmt: skip


def test_a_pf_rdr_forward_shadows_host_sockets_on_its_address_and_port():
    fw = [dict(proto="tcp", port=443, addresses=["192.0.2.10"], rule="tcp (vtnet0):443 -> 10.17.0.2:443")]
    socks = [
        _sock("nginx", "tcp4", "192.0.2.10", 443),  # on the forward's address: shadowed
        _sock("httpd", "tcp4", "*", 443, pid=2),  # the wildcard includes it: shadowed, and still wildcard
        _sock("unbound", "udp4", "192.0.2.10", 443, pid=3),  # another protocol
        _sock("sshd", "tcp4", "192.0.2.10", 22, pid=4),  # another port
        _sock("local", "tcp4", "127.0.0.1", 443, pid=5),  # another address
        _sock("v6", "tcp6", "*", 443, pid=6),  # a wildcard of the other family
    ]
    results = mark_shadowed(classify(socks, ["192.0.2.10"], {"web": ["192.0.2.23"]}), fw, parse_ignore(["local"]))
    got = {r["command"]: (r["finding"], r["shadowed_by"]) for r in results}
    assert got == {
        "nginx": ("shadowed_by_rdr", [fw[0]["rule"]]),
        "httpd": ("wildcard", [fw[0]["rule"]]),
        "unbound": ("ok", []),
        "sshd": ("ok", []),
        "local": ("ok", []),
        "v6": ("wildcard", []),
    }
    assert [r["command"] for r in offenders(results, "any")] == ["nginx", "httpd", "v6"]
    line = next(x for x in summarize(results) if x.startswith("nginx"))
    assert "shadowed by pf forward: tcp (vtnet0):443" in line and line.endswith("or drop the forward")
