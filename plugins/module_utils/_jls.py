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

import re

from ansible_collections.bsd.jails.plugins.module_utils._bools import split_no

LIST_KEYS = frozenset(("ip4.addr", "ip6.addr"))


class JlsParseError(ValueError):
    pass


def _split_list(value):
    return [v for v in value.split(",") if v != ""]


# One word of a line: blanks, a key, then ``=`` and a value: quoted (up to the first quote of the same kind
# that a blank or the line end follows), a quote that is never closed, or a run of non-blanks.
_WORD = re.compile(r"""[ \t]*([^= \t]*)(=(?:(["'])(.*?)\3(?=[ \t]|$)|(["'])|([^ \t]*)))?""")


def _words(line):
    """Split one ``jls -n [-q]`` line into (key, value-or-None) pairs."""
    out = []
    for m in _WORD.finditer(line):
        key, eq, _q, quoted, unclosed, plain = m.groups()
        if eq is None:
            if not key:
                break  # only blanks were left
            out.append((key, None))
        elif unclosed is not None:
            raise JlsParseError(f"unbalanced quote in jls output: {line!r}")
        else:
            out.append((key, quoted if plain is None else plain))
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
