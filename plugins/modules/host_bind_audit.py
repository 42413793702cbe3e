#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: host_bind_audit
short_description: Find host daemons that answer on a jail's address
version_added: 0.1.0
description:
  - A shared-IP jail's address is an alias on a host interface, so a host daemon bound to the wildcard address
    (C(*:22) in C(sockstat)) also answers there; C(ssh) to the jail lands on the host.
    The jail(8) manual tells the administrator to bind C(inetd), C(sshd), C(sendmail), C(named), C(syslogd) and others
    to the host's own address. This module checks that.
  - Reads the host's listening sockets with one C(sockstat -46l) call, the running jails' addresses with one
    C(jls) call (unless O(jail_addresses) is given) and the host's addresses with one C(ifconfig) call (unless
    O(host_addresses) is given). With O(jail_sockets=true) it also runs C(sockstat -46l -j JID) once per
    running jail.
  - Each socket gets a finding, see RV(sockets). Every finding names the FreeBSD setting that binds that daemon
    to the host's address (C(inetd_flags) C(-a), C(sshd) C(ListenAddress), C(sendmail) C(DAEMON_OPTIONS),
    C(named) C(listen-on), C(syslogd) C(-b) or C(-ss), C(rpcbind)/C(mountd)/C(nfsd) C(-h), C(ntpd) C(-I)).
  - Each offending daemon is also reported as one warning line, so the result reads well without C(-v).
  - Never changes anything.
author:
  - bsd.jails developers (@bsd-jails)
extends_documentation_fragment:
  - bsd.jails._attributes
  - bsd.jails._attributes.platform
  - bsd.jails._attributes.info_module
options:
  host_addresses:
    description:
      - The host's own addresses, used in the suggested settings (C(ListenAddress 192.0.2.10)).
      - Each is a bare IPv4 or IPv6 address (an IPv6 address may carry a C(%scope)); anything else is refused
        before any command runs.
      - Default is every address C(ifconfig) lists that does not belong to a jail.
    type: list
    elements: str
  jail_addresses:
    description:
      - The jails' addresses. Default is every C(ip4.addr) and C(ip6.addr) of the running jails, from C(jls).
      - Each is a bare IPv4 or IPv6 address, checked like O(host_addresses).
      - Use this to audit a host before its jails are started.
    type: list
    elements: str
  jail_sockets:
    description:
      - Also read each running jail's own sockets (C(sockstat -46l -j JID)).
      - The host's C(sockstat) lists the jails' sockets too. Without this, a jail's own daemon on its address
        is reported as V(on_jail_address) (it looks like a host daemon), and a host wildcard socket is reported
        even where every jail binds that port itself (the jail's socket wins there).
    type: bool
    default: false
  ignore:
    description:
      - Sockets not to report, as C(DAEMON), C(DAEMON:PORT) or C(:PORT) (shell-style patterns in both parts),
        for example V(ntpd) or V(*:123).
    type: list
    elements: str
    default: []
  fail_on:
    description:
      - V(wildcard) fails the task when a host daemon listens on the wildcard address.
      - V(any) fails on every finding other than V(ok) (V(wildcard), V(on_jail_address), V(unbindable),
        V(shadowed_by_rdr)).
      - V(never) only reports.
      - Ignored sockets never fail the task.
    type: str
    choices: [wildcard, any, never]
    default: never
  pf_anchor:
    description:
      - Also read the C(rdr) port forwards loaded in this pf anchor (C(pfctl -P -a ANCHOR -s nat)), for example
        V(bsd.jails), the anchor of M(bsd.jails.jail_pf). A host socket on a forward's external address (or the
        wildcard) and port is never reached from outside, since pf translates those connections to the jail first.
        Such a socket lists the forwards in RV(sockets[].shadowed_by) and, when nothing else is wrong with it, gets
        the finding V(shadowed_by_rdr).
      - A forward to C((IF)) applies to the addresses C(ifconfig IF) lists.
    type: str
notes:
  - C(sockstat) 15 truncates addresses to 21 characters; such sockets are returned with RV(sockets[].finding=ok)
    unless their visible part is a wildcard or jail address, and carry C(truncated=true).
seealso:
  - module: bsd.jails.jail
  - name: jail(8) - Setting up the host environment
    description: Which host daemons to bind to the host address.
    link: https://man.freebsd.org/jail/8
"""

EXAMPLES = r"""
- name: Audit the host's daemons
  bsd.jails.host_bind_audit:
  register: audit

- name: Fail when a host daemon listens on the wildcard address
  bsd.jails.host_bind_audit:
    fail_on: wildcard

- name: Audit before the jails exist, ignoring ntpd's wildcard socket
  bsd.jails.host_bind_audit:
    jail_addresses: [192.0.2.23, "2001:db8::23"]
    host_addresses: [192.0.2.10]
    ignore: ["ntpd:123"]
    fail_on: any

- name: Tell the jails' own daemons apart from the host's
  bsd.jails.host_bind_audit:
    jail_sockets: true
    fail_on: any
"""

RETURN = r"""
sockets:
  description: Every listening inet socket of the host, classified.
  returned: always
  type: list
  elements: dict
  contains:
    daemon:
      description: The daemon (the C(sockstat) command name, completed when C(sockstat) truncated a known one).
      type: str
      sample: sshd
    command:
      description: The command name as C(sockstat) printed it.
      type: str
      sample: sshd
    user:
      description: Owner of the socket.
      type: str
      sample: root
    pid:
      description: Process id (null when C(sockstat) prints C(?)).
      type: int
      sample: 812
    proto:
      description: Protocol and family (C(tcp4), C(udp6), C(tcp46)...).
      type: str
      sample: tcp4
    address:
      description: Local address; V(*) for the wildcard.
      type: str
      sample: "*"
    port:
      description: Local port.
      type: raw
      sample: 22
    finding:
      description:
        - V(wildcard) (answers on every jail address of its family), V(on_jail_address) (a host daemon bound to
          an address that belongs to a jail), V(unbindable) (cannot be restricted the usual way, see C(reason)),
          V(shadowed_by_rdr) (a pf forward of O(pf_anchor) takes its connections from outside), or V(ok).
      type: str
      sample: wildcard
    remediation:
      description: The FreeBSD setting that binds this daemon to the host's address; null when RV(sockets[].finding=ok).
      type: str
      sample: set ListenAddress 192.0.2.10 in /etc/ssh/sshd_config, then service sshd restart
    shadowed_by:
      description: The pf forwards of O(pf_anchor) that take this host socket's connections from outside.
      type: list
      elements: str
      sample: ["tcp (vtnet0):443 -> 10.17.0.2:443 (anchor bsd.jails)"]
    reason:
      description: Why an V(unbindable) socket cannot be bound like the others, or which forward shadows it.
      type: str
      sample: null
    exposed_on:
      description: The jail addresses this socket answers on.
      type: list
      elements: str
      sample: [192.0.2.23]
    jail:
      description: The jail owning the socket (only with O(jail_sockets=true)), else null.
      type: str
      sample: null
    ignored:
      description: Whether O(ignore) matched this socket.
      type: bool
      sample: false
findings:
  description: The sockets of RV(sockets) whose finding is not V(ok) and that are not ignored.
  returned: always
  type: list
  elements: dict
  sample: [{daemon: sshd, proto: tcp4, address: "*", port: 22, finding: wildcard}]
summary:
  description: One line per offending daemon.
  returned: always
  type: list
  elements: str
  sample:
    - "sshd (tcp6 *:22, tcp4 *:22) wildcard: answers on every jail address -> set ListenAddress 192.0.2.10 in
      /etc/ssh/sshd_config, then service sshd restart"
host_addresses:
  description: The host addresses used.
  returned: always
  type: list
  elements: str
  sample: [192.0.2.10, 127.0.0.1]
jail_addresses:
  description: Jail name to addresses (V(jail_addresses) when given by O(jail_addresses)).
  returned: always
  type: dict
  sample: {web: [192.0.2.23]}
msg:
  description: The summary as one message.
  returned: always
  type: str
  sample: "1 host daemon answers on jail addresses: sshd"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._bind_audit import (
    check_address,
    classify,
    mark_shadowed,
    normalize_address,
    offenders,
    parse_ifconfig_addresses,
    parse_ignore,
    summarize,
)
from ansible_collections.bsd.jails.plugins.module_utils._jls import addresses_by_jail, parse_jls_n
from ansible_collections.bsd.jails.plugins.module_utils._pf import check_anchor, parse_rdr
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner
from ansible_collections.bsd.jails.plugins.module_utils._sockstat import parse_sockstat, parse_sockstat_jail

JLS_PARAMS = ("jid", "name", "ip4.addr", "ip6.addr")


def pf_forwards(module, anchor):
    """The rdr forwards loaded in ``anchor`` (``pfctl -P -a ANCHOR -s nat``), each with the external
    addresses it applies to (``(IF)``: the interface's addresses, ``ifconfig IF``)."""
    out = []
    text = Runner(module, "pfctl").out("-P", "-a", anchor, "-s", "nat", check=False)
    for rdr in parse_rdr(text):
        to = rdr["to"]
        if to.startswith("(") and to.endswith(")"):
            ifname = to[1:-1].split(":", 1)[0]
            addrs = parse_ifconfig_addresses(Runner(module, "ifconfig").out(ifname, check=False))
        else:
            addrs = [to]
        rule = "%s %s:%d -> %s:%d (anchor %s)" % (rdr["proto"], to, rdr["port"], rdr["target"], rdr["tport"], anchor)
        out.append(dict(proto=rdr["proto"], port=rdr["port"], addresses=addrs, rule=rule))
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            host_addresses=dict(type="list", elements="str"),
            jail_addresses=dict(type="list", elements="str"),
            jail_sockets=dict(type="bool", default=False),
            ignore=dict(type="list", elements="str", default=[]),
            fail_on=dict(type="str", choices=["wildcard", "any", "never"], default="never"),
            pf_anchor=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    # Every input is checked before the first command runs; messages name the field.
    try:
        ignore = parse_ignore(p["ignore"])
        if p["pf_anchor"] is not None:
            check_anchor("pf_anchor", p["pf_anchor"])
        for field in ("host_addresses", "jail_addresses"):
            if p[field] is not None:
                p[field] = [check_address("%s[%d]" % (field, i), a) for i, a in enumerate(p[field])]
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    except JailsError as exc:
        module.fail_json(msg=exc.msg)
    try:
        sockets = parse_sockstat(Runner(module, "sockstat").out("-46l"))
        jails = []
        if p["jail_addresses"] is None or p["jail_sockets"]:
            jails = addresses_by_jail(parse_jls_n(Runner(module, "jls").out("-nq", *JLS_PARAMS)))
        if p["jail_addresses"] is not None:
            jail_addresses = {"jail_addresses": list(p["jail_addresses"])}
        else:
            jail_addresses = dict((name, addrs) for jid, name, addrs in jails)
        jail_norm = set(normalize_address(a) for addrs in jail_addresses.values() for a in addrs)
        if p["host_addresses"] is not None:
            host_addresses = list(p["host_addresses"])
        else:
            found = parse_ifconfig_addresses(Runner(module, "ifconfig").out("-a"))
            host_addresses = [a for a in found if normalize_address(a) not in jail_norm]
        jail_sockets = None
        if p["jail_sockets"]:
            jail_sockets = {}
            stat = Runner(module, "sockstat")
            for jid, name, _addrs in jails:
                jail_sockets[name] = parse_sockstat_jail(stat.out("-46l", "-j", jid), name)
        forwards = []
        if p["pf_anchor"] is not None:
            forwards = pf_forwards(module, p["pf_anchor"])
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)

    results = classify(sockets, host_addresses, jail_addresses, ignore=ignore, jail_sockets=jail_sockets)
    mark_shadowed(results, forwards, ignore)
    findings = [r for r in results if r["finding"] != "ok" and not r["ignored"]]
    summary = summarize(results)
    if summary:
        daemons = []
        for r in findings:
            if r["daemon"] not in daemons:
                daemons.append(r["daemon"])
        msg = "%d host daemon%s answer%s on jail addresses: %s" % (
            len(daemons),
            "" if len(daemons) == 1 else "s",
            "s" if len(daemons) == 1 else "",
            ", ".join(daemons),
        )
        for line in summary:
            module.warn(line)
    else:
        msg = "no host daemon answers on a jail address"
    result = dict(
        changed=False,
        sockets=results,
        findings=findings,
        summary=summary,
        host_addresses=host_addresses,
        jail_addresses=jail_addresses,
        msg=msg,
    )
    if p["fail_on"] != "never" and offenders(results, p["fail_on"]):
        # the failure shows what to fix, not every socket: it reads well without -v
        module.fail_json(
            msg="\n".join([msg + ":"] + ["- " + line for line in summary]),
            findings=findings,
            summary=summary,
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
