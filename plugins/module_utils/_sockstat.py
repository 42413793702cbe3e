# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Parse sockstat(1) text output (FreeBSD 9 to 15).

Layouts read (see tests/unit/plugins/fixtures/sockstat/):

* 15.x: columns separated by one space, widths computed from the data,
  addresses truncated to 21 characters unless ``-w``;
* 14.x: ``%-8s %-10s %5s %-3s  %-6s`` ... (two spaces between FD and PROTO);
* 9.x to 13.x: ``%-2s`` FD (one space), fields longer than their column push
  the rest right; FreeBSD 9 prints a dual-stack socket as ``tcp4 6`` (with a
  space) where newer versions print ``tcp46``.

Rows are split on whitespace, never by column: the PROTO token is the anchor,
USER is the first token, PID and FD the two tokens before PROTO and COMMAND
whatever is between (a command name may hold spaces and is truncated to 10
characters by sockstat).  IPv6 addresses are not bracketed by sockstat
(``::1:53``); the address and port are split at the last colon.  Bracketed
forms (``[::1]:53``) are read too.  A wildcard address is printed ``*``.
"""

from __future__ import annotations

import ipaddress
import re

INET_PROTO_RE = re.compile(r"^(tcp|udp|sctp|udplite|div|raw|icmp)(4|6|46)?$")
INET_PROTO_OLD_SPLIT_RE = re.compile(r"^(tcp|udp|sctp|udplite|div|raw|icmp)4$")
UNIX_PROTOS = ("stream", "dgram", "seqpack", "seqpacket")
WILDCARD_ADDRS = ("*", "0.0.0.0", "::", "[::]")
HEADER_RE = re.compile(r"^\s*USER\s+COMMAND\s+PID\s+FD\s+PROTO\b")


def split_address(text):
    """Split a sockstat address into (address, port).

    ``*:22`` -> ("*", "22"); ``::1:53`` -> ("::1", "53");
    ``[fe80::1%lo0]:123`` -> ("fe80::1%lo0", "123"); ``*:*`` -> ("*", "*").
    Without a colon the whole text is the address and the port is None.
    """
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end > 0:
            addr = text[1:end]
            rest = text[end + 1 :]
            port = rest[1:] if rest.startswith(":") else None
            return addr, port or None
    if ":" not in text:
        return text, None
    addr, port = text.rsplit(":", 1)
    return addr, port


def is_wildcard(addr):
    """True for the wildcard address in any spelling sockstat or users write."""
    return addr in WILDCARD_ADDRS


def valid_address(addr):
    """True when ``addr`` is ``*`` or a literal IPv4/IPv6 address (scope ids allowed)."""
    if addr == "*":
        return True
    try:
        ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _port(text):
    if text is None or text == "*":
        return text
    return int(text) if text.isdigit() else text


def _pid(text):
    return int(text) if text.isdigit() else None


def _find_proto(tokens):
    """Index of the PROTO token (searched from the 5th token: USER COMMAND PID FD come first), or None."""
    for i in range(4, len(tokens)):
        tok = tokens[i]
        if INET_PROTO_RE.match(tok) or tok in UNIX_PROTOS:
            return i
    return None


def parse_sockstat_line(line):
    """One socket as a dict, or None for headers, blank lines, unix and unreadable lines."""
    if not line.strip() or HEADER_RE.match(line):
        return None
    tokens = line.split()
    i = _find_proto(tokens)
    if i is None:
        return None
    proto = tokens[i]
    if proto in UNIX_PROTOS:
        return None
    rest = tokens[i + 1 :]
    # FreeBSD 9: a dual-stack socket is "tcp4 6" (printf("4 ") then printf("6 ")).
    if rest and rest[0] == "6" and INET_PROTO_OLD_SPLIT_RE.match(proto):
        proto += "6"
        rest = rest[1:]
    if not rest:
        return None
    local = rest[0]
    foreign = rest[1] if len(rest) > 1 else ""
    local_addr, local_port = split_address(local)
    foreign_addr, foreign_port = split_address(foreign) if foreign else (None, None)
    sock = {
        "user": tokens[0],
        "command": " ".join(tokens[1 : i - 2]),
        "pid": _pid(tokens[i - 2]),
        "fd": _pid(tokens[i - 1]),
        "proto": proto,
        "local_addr": local_addr,
        "local_port": _port(local_port),
        "foreign_addr": foreign_addr,
        "foreign_port": _port(foreign_port),
        "wildcard": is_wildcard(local_addr),
    }
    # 15.x truncates addresses to 21 characters unless -w: say so rather than guess.
    if local_port is None or not valid_address(local_addr):
        sock["truncated"] = True
    return sock


def parse_sockstat(text):
    """All inet sockets of ``sockstat`` output, in order; unix sockets are skipped.

    Each socket: ``user``, ``command``, ``pid`` (int, None for ``?``), ``fd``
    (int or None), ``proto`` (``tcp4``, ``udp6``, ``tcp46``...), ``local_addr``,
    ``local_port`` (int or ``*``), ``foreign_addr``, ``foreign_port``,
    ``wildcard``; ``truncated: true`` when the local address was cut short.
    """
    sockets = []
    for line in (text or "").splitlines():
        sock = parse_sockstat_line(line)
        if sock is not None:
            sockets.append(sock)
    return sockets


def parse_sockstat_jail(text, jail):
    """``sockstat -j JAIL`` output: the same sockets, each with ``jail`` set to JAIL."""
    sockets = parse_sockstat(text)
    for sock in sockets:
        sock["jail"] = jail
    return sockets


def family(proto):
    """The address families a protocol token covers: {"4"}, {"6"} or {"4", "6"}."""
    m = INET_PROTO_RE.match(proto or "")
    if not m or not m.group(2):
        return {"4", "6"}
    return set(m.group(2))
