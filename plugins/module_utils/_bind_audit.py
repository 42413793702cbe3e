# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Which host daemons answer on a jail's address: a pure classifier.

A shared-IP jail's address is an alias on a host interface, so a host socket
bound to the wildcard address answers on it too (jail(8), "Setting up the
host environment"), unless the jail binds that port on its address itself.
The settings below come from the FreeBSD manuals (inetd(8) ``-a``, syslogd(8)
``-b``/``-ss``, rpcbind(8) and mountd(8) ``-h``, nfsd(8) ``-h``, ntpd(8)
``-I``, sshd_config(5) ``ListenAddress``, sendmail cf/README
``DAEMON_OPTIONS``, named.conf ``listen-on``).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re

from ansible_collections.bsd.jails.plugins.module_utils._jail_params import check_ip
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError
from ansible_collections.bsd.jails.plugins.module_utils._sockstat import family, is_wildcard

FINDINGS = ("wildcard", "on_jail_address", "unbindable", "shadowed_by_rdr", "ok")
FAIL_ON = {
    "never": (),
    "wildcard": ("wildcard",),
    "any": ("wildcard", "on_jail_address", "unbindable", "shadowed_by_rdr"),
}

# daemon -> how to bind it to the host's address on FreeBSD.  {ip} is a host
# address of the socket's family ({ip4} an IPv4 one, for inetd/sendmail).
IFCONFIG_ADDR_RE = re.compile(r"^\s+inet6?\s+(\S+)")

REMEDIATIONS = {
    "inetd": 'set inetd_flags="-wW -C 60 -a {ip}" in /etc/rc.conf (inetd(8) -a), then service inetd restart',
    "sshd": "set ListenAddress {ip} in /etc/ssh/sshd_config, then service sshd restart",
    "sendmail": (
        "bind the MTA in /etc/mail/$(hostname).mc: DAEMON_OPTIONS(`Name=IPv4, Family=inet, Addr={ip4}') "
        "(drop the IPv6 DAEMON_OPTIONS, add FEATURE(`no_default_msa') or Addr= on the MSA), rebuild the .cf "
        'with make -C /etc/mail install restart; or sendmail_enable="NONE" in /etc/rc.conf'
    ),
    "named": (
        "set listen-on {{ {ip4}; }}; and listen-on-v6 {{ none; }}; in named.conf options, then service named restart"
    ),
    "syslogd": (
        'set syslogd_flags="-s -b {ip}" in /etc/rc.conf (or "-ss" for no network socket), then service syslogd restart'
    ),
    "rpcbind": (
        'set rpcbind_flags="-h {ip}" in /etc/rc.conf (or rpcbind_enable="NO"), then service rpcbind restart '
        "and restart every RPC service"
    ),
    "mountd": 'set mountd_flags="-r -S -h {ip}" in /etc/rc.conf, then service mountd restart',
    "nfsd": 'set nfs_server_flags="-u -t -h {ip}" in /etc/rc.conf, then service nfsd restart',
    "ntpd": 'set ntpd_flags="-I {ip}" in /etc/rc.conf (ntpd(8) -I), then service ntpd restart',
}
GENERIC_REMEDIATION = "bind {daemon} to the host address {ip} in its configuration and restart it"

# (daemon, finding) -> why the socket cannot be bound the same way.
UNBINDABLE = {
    ("ntpd", "wildcard"): (
        "ntpd always opens the wildcard socket, even with -I (ntpd(8): -I 'implies not opening other "
        "addresses, except wildcard and localhost'); bind the real sockets with -I and ignore this one"
    ),
}

LOOPBACK4 = ipaddress.ip_network("127.0.0.0/8")


def parse_ifconfig_addresses(text):
    """Every ``inet``/``inet6`` address of ``ifconfig`` output, in order."""
    out = []
    for line in (text or "").splitlines():
        m = IFCONFIG_ADDR_RE.match(line)
        if m:
            addr = m.group(1).split("/", 1)[0]
            if addr not in out:
                out.append(addr)
    return out


def normalize_address(addr):
    """Canonical text of an IP address (scope id dropped), or the text itself if it is not one."""
    text = (addr or "").strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return text


def check_address(field, value):
    """One bare IP address (IPv4, or IPv6 with an optional ``%scope``): its canonical text.

    The address rule of the jail module (``check_ip``), without the ``interface|`` and ``/mask``
    that only ``ip4.addr``/``ip6.addr`` know.  Raises JailsError naming ``field``.
    """
    if not isinstance(value, str):
        raise JailsError("%s: %r is not an IP address" % (field, value))
    if "|" in value or "/" in value:
        raise JailsError("%s: %r is not an IP address (a bare address: no interface| and no /mask)" % (field, value))
    return check_ip(field, value, 6 if ":" in value else 4)


def address_family(addr):
    """ "4" or "6" for a literal address, None otherwise."""
    try:
        return str(ipaddress.ip_address(normalize_address(addr)).version)
    except ValueError:
        return None


def daemon_name(command, known=None):
    """The daemon a (possibly truncated) sockstat command name belongs to."""
    known = REMEDIATIONS if known is None else known
    if command in known:
        return command
    # sockstat 15.x prints %.10s; p_comm itself holds 19 characters.
    if len(command) >= 10:
        for name in sorted(known):
            if name.startswith(command):
                return name
    return command


def transport(proto):
    """tcp4 -> tcp, udp46 -> udp."""
    return (proto or "").rstrip("46")


def parse_ignore(patterns, field="ignore"):
    """``ignore`` entries -> list of (daemon_glob, port_glob); raises ValueError naming the entry.

    Forms: ``DAEMON``, ``DAEMON:PORT``, ``:PORT`` or ``*:PORT``; globs allowed in both parts.
    """
    out = []
    for idx, raw in enumerate(patterns or []):
        text = str(raw).strip()
        if not text:
            raise ValueError("%s[%d]: empty pattern" % (field, idx))
        if ":" in text:
            daemon, port = text.rsplit(":", 1)
            if not port:
                raise ValueError("%s[%d]: %r has no port after ':'" % (field, idx, raw))
        else:
            daemon, port = text, "*"
        out.append((daemon or "*", port))
    return out


def is_ignored(daemon, port, ignore):
    return any(fnmatch.fnmatchcase(daemon, d) and fnmatch.fnmatchcase(str(port), p) for d, p in ignore)


def pick_host_ip(host_addresses, fam):
    """A host address to suggest for family fam ("4"/"6"): not loopback, not link-local; or HOST_IP."""
    for addr in host_addresses:
        try:
            ip = ipaddress.ip_address(normalize_address(addr))
        except ValueError:
            continue
        if fam and str(ip.version) != fam:
            continue
        if ip.is_loopback or ip.is_link_local or ip in LOOPBACK4:
            continue
        return str(ip)
    return "HOST_IP"


def remediation_for(daemon, fam, host_addresses):
    ip4 = pick_host_ip(host_addresses, "4")
    ip = pick_host_ip(host_addresses, fam) if fam in ("4", "6") else ip4
    if ip == "HOST_IP" and fam == "6":
        ip = ip4
    template = REMEDIATIONS.get(daemon, GENERIC_REMEDIATION)
    return template.format(ip=ip, ip4=ip4, daemon=daemon)


def _sock_key(sock):
    return (sock.get("pid"), sock.get("fd"), sock.get("proto"), sock.get("local_addr"), sock.get("local_port"))


def classify(sockets, host_addresses, jail_addresses, ignore=None, jail_sockets=None):
    """Classify the host's listening sockets.

    ``sockets``: parse_sockstat() of ``sockstat -46l`` on the host.
    ``host_addresses``: the host's own addresses (used for the suggested bind address).
    ``jail_addresses``: {jail name: [addresses]}.
    ``ignore``: parse_ignore() output.
    ``jail_sockets``: None, or {jail name: parse_sockstat_jail() output}: sockets
    that belong to a jail are its own (finding ``ok``, ``jail`` set), and a jail
    that binds a port on its address shadows the host's wildcard socket there.

    Returns one dict per socket: ``daemon``, ``command``, ``user``, ``pid``, ``proto``,
    ``address``, ``port``, ``finding``, ``remediation``, ``reason``,
    ``exposed_on`` (jail addresses it answers on), ``jail``, ``ignored``.
    """
    ignore = ignore or []
    owner_of_addr = {}
    for jail, addrs in sorted((jail_addresses or {}).items()):
        for addr in addrs:
            owner_of_addr.setdefault(normalize_address(addr), jail)
    owned = {}
    shadow = set()  # (transport, port, jail address)
    for jail, jsocks in sorted((jail_sockets or {}).items()):
        jail_addrs = [normalize_address(a) for a in (jail_addresses or {}).get(jail, [])]
        for js in jsocks:
            owned[_sock_key(js)] = jail
            if is_wildcard(js["local_addr"]):
                bound = [a for a in jail_addrs if address_family(a) in family(js["proto"])]
            else:
                bound = [normalize_address(js["local_addr"])]
            for addr in bound:
                shadow.add((transport(js["proto"]), js["local_port"], addr))

    results = []
    for sock in sockets:
        daemon = daemon_name(sock.get("command", ""))
        addr = sock["local_addr"]
        norm = "*" if is_wildcard(addr) else normalize_address(addr)
        fams = family(sock["proto"])
        fam = sorted(fams)[0] if len(fams) == 1 else None
        item = {
            "daemon": daemon,
            "command": sock.get("command"),
            "user": sock.get("user"),
            "pid": sock.get("pid"),
            "proto": sock["proto"],
            "address": "*" if norm == "*" else addr,
            "port": sock["local_port"],
            "finding": "ok",
            "remediation": None,
            "reason": None,
            "exposed_on": [],
            "jail": owned.get(_sock_key(sock)),
            "ignored": False,
        }
        if item["jail"] is None:
            if norm == "*":
                exposed = [
                    a
                    for a in sorted(owner_of_addr)
                    if address_family(a) in fams and (transport(sock["proto"]), sock["local_port"], a) not in shadow
                ]
                item["exposed_on"] = exposed
                item["finding"] = "wildcard"
                if jail_sockets is not None and not exposed and _any_of_family(owner_of_addr, fams):
                    item["finding"] = "ok"  # every jail address of that family binds the port itself
            elif norm in owner_of_addr:
                item["finding"] = "on_jail_address"
                item["exposed_on"] = [norm]
        if item["finding"] != "ok":
            reason = UNBINDABLE.get((daemon, item["finding"]))
            if reason:
                item["finding"] = "unbindable"
                item["reason"] = reason
            item["remediation"] = remediation_for(daemon, fam, host_addresses)
            item["ignored"] = is_ignored(daemon, sock["local_port"], ignore)
        results.append(item)
    return results


def mark_shadowed(results, forwards, ignore=None):
    """Host sockets that a pf ``rdr`` forward shadows: connections from outside to the forward's external
    address and port are translated to the jail before any socket sees them (pf(4): translation happens
    on the way in), so a host daemon listening there (on that address or the wildcard) is never reached.

    ``forwards``: dicts ``proto`` (tcp/udp), ``port``, ``addresses`` (the external addresses it applies
    to), ``rule`` (its text).  Each result gets ``shadowed_by`` (the rules); an otherwise ``ok`` host
    socket becomes ``shadowed_by_rdr``.
    """
    for item in results:
        item["shadowed_by"] = []
        if item["jail"] is not None:
            continue
        addr = item["address"]
        for fw in forwards:
            if transport(item["proto"]) != fw["proto"] or item["port"] != fw["port"]:
                continue
            if addr == "*" and any(address_family(a) in family(item["proto"]) for a in fw["addresses"]):
                hit = True
            else:
                hit = normalize_address(addr) in [normalize_address(a) for a in fw["addresses"]]
            if hit:
                item["shadowed_by"].append(fw["rule"])
        if item["shadowed_by"] and item["finding"] == "ok":
            item["finding"] = "shadowed_by_rdr"
            item["reason"] = "a pf rdr forward sends outside connections to %s:%s to a jail: %s" % (
                addr,
                item["port"],
                item["shadowed_by"][0],
            )
            item["remediation"] = "move the daemon to another port or address, or drop the forward"
            item["ignored"] = is_ignored(item["daemon"], item["port"], ignore or [])
    return results


def _any_of_family(owner_of_addr, fams):
    return any(address_family(a) in fams for a in owner_of_addr)


def offenders(results, fail_on="any"):
    """The findings that count for ``fail_on`` (ignored ones never do)."""
    kinds = FAIL_ON["any"] if fail_on == "never" else FAIL_ON[fail_on]
    return [r for r in results if r["finding"] in kinds and not r["ignored"]]


def summarize(results):
    """One readable line per offending daemon (not ignored, finding other than ok)."""
    by_daemon = {}
    order = []
    for r in results:
        if r["finding"] == "ok" or r["ignored"]:
            continue
        if r["daemon"] not in by_daemon:
            by_daemon[r["daemon"]] = []
            order.append(r["daemon"])
        by_daemon[r["daemon"]].append(r)
    lines = []
    for daemon in order:
        items = by_daemon[daemon]
        socks = ", ".join("%s %s:%s" % (r["proto"], r["address"], r["port"]) for r in items)
        kinds = []
        for r in items:
            if r["finding"] not in kinds:
                kinds.append(r["finding"])
        what = []
        if "wildcard" in kinds:
            what.append("wildcard: answers on every jail address")
        if "on_jail_address" in kinds:
            jails = sorted({a for r in items if r["finding"] == "on_jail_address" for a in r["exposed_on"]})
            what.append("bound to jail address %s" % ", ".join(jails))
        if "unbindable" in kinds:
            what.append("unbindable: " + next(r["reason"] for r in items if r["finding"] == "unbindable"))
        shadowed = [rule for r in items for rule in r.get("shadowed_by") or []]
        if shadowed:
            what.append("shadowed by pf forward: %s" % shadowed[0])
        fix = next((r["remediation"] for r in items if r["finding"] not in ("unbindable", "shadowed_by_rdr")), None)
        fix = fix or next((r["remediation"] for r in items if r["finding"] == "shadowed_by_rdr"), None)
        line = "%s (%s) %s" % (daemon, socks, "; ".join(what))
        if fix:
            line += " -> " + fix
        lines.append(line)
    return lines
