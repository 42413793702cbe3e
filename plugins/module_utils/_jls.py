# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Parsers for jls(8) output (pure: no I/O).

``jls -n [-q]`` (no parameter list = ``all``) prints one line per running
jail: ``name=value`` pairs separated by one space; booleans print as
``name`` when true and ``noname`` when false, the ``no`` after the last dot
(``allow.nomount``, ``nopersist``, ``nodying``); an empty array prints
nothing after ``=`` (``ip6.addr=``); with ``-q`` a value holding a space or
tab or ``"`` is wrapped in double quotes, one holding ``'`` in double
quotes, one holding ``"`` (but no ``'``) in single quotes, and the empty
string is ``""``.  This libxo-era jls does not backslash-escape inside the
quotes, so a closing quote is the one followed by a space or the line end.

Each jail becomes a dict: booleans as ``True``/``False`` under the
positive name (``allow.mount``), ``ip4.addr``/``ip6.addr`` as lists, every
other value a ``str`` (``jid`` too).
"""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._bools import split_no

LIST_KEYS = frozenset(("ip4.addr", "ip6.addr"))


class JlsParseError(ValueError):
    pass


def _split_list(value):
    return [v for v in value.split(",") if v != ""]


def _words(line):
    """Split one ``jls -n [-q]`` line into (key, value-or-None) pairs."""
    i, n = 0, len(line)
    out = []
    while i < n:
        if line[i] in " \t":
            i += 1
            continue
        j = i
        while j < n and line[j] not in "= \t":
            j += 1
        key = line[i:j]
        if j >= n or line[j] != "=":
            out.append((key, None))
            i = j
            continue
        j += 1
        if j < n and line[j] in "\"'":
            q = line[j]
            k = j + 1
            while True:
                k = line.find(q, k)
                if k < 0:
                    raise JlsParseError(f"unbalanced quote in jls output: {line!r}")
                if k + 1 >= n or line[k + 1] in " \t":
                    break
                k += 1
            out.append((key, line[j + 1 : k]))
            i = k + 1
        else:
            k = j
            while k < n and line[k] not in " \t":
                k += 1
            out.append((key, line[j:k]))
            i = k
    return out


def parse_jls_n(text):
    """``jls -n [-q]`` output -> list of dicts, one per jail, in output order."""
    jails = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        jail = {}
        for key, value in _words(line):
            if value is None:
                name, flag = split_no(key)
                jail[name] = flag
            elif key in LIST_KEYS:
                jail[key] = _split_list(value)
            else:
                jail[key] = value
        jails.append(jail)
    return jails


def addresses_by_jail(jails):
    """``parse_jls_n`` jails -> [(jid, name, [every ip4.addr and ip6.addr])]."""
    out = []
    for jail in jails:
        addrs = [
            a.strip() for key in ("ip4.addr", "ip6.addr") for a in jail.get(key) or [] if a.strip() not in ("", "-")
        ]
        jid = jail.get("jid", "")
        out.append((jid, jail.get("name", jid), addrs))
    return out
