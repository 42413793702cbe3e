# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""Which parameters jail(8) applies to a jail (pure): usr.sbin/jail/config.c load_config().

The wildcard blocks (``*``, ``foo.*``, and the global parameters, which form
one ``*`` pseudo-jail where the first of them appears) and the jail's own
block are merged in file order, the jail's own parameters where its (last)
block stands; ``+=`` appends to a list; ``$name`` and ``${name}`` are
resolved from the merged parameters.
"""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name, truthy
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import LIST_PARAMS


def is_wild(name):
    return "*" in name


def wild_match(name, wname):
    """jail(8)'s wild_jail_match(): ``*`` matches all, ``foo.*`` matches ``foo.bar`` and ``foo.bar.baz``."""
    if wname == "*":
        return True
    w = wname.split(".")
    n = name.split(".")
    for i, part in enumerate(w):
        if part == "*" and i == len(w) - 1:
            return len(n) > i
        if i >= len(n) or (part != "*" and part != n[i]):
            return False
    return len(n) == len(w)


def merge(name, seq, own, wild):
    """The effective parameters of jail ``name``: ``own`` its block's Params, ``seq`` the position of its
    (last) block, ``wild`` [(position, wildcard name, Params)] in file order."""
    merged = []  # [key, flags(append), list of Str-or-plain, spelled name]
    by_base = {}  # base_name(spelled name) -> its entry: jail(8)'s equalopts(), as _jail_conf_writer.same_param

    def add(pname, values, append):
        base = base_name(pname)
        m = by_base.get(base)
        if m is not None:
            if not append or not values:
                m[1] = []
            m[1].extend(values)
            m[3] = pname
            return
        m = by_base[base] = [pname, list(values), append, pname]
        merged.append(m)

    add("name", [[("lit", name)]], False)
    did_self = False
    for idx, n, params in wild:
        if seq < idx and not did_self:
            for p in own:
                add(p.name, [v.segments for v in p.values], p.op == "+=")
            did_self = True
        if wild_match(name, n):
            for p in params:
                add(p.name, [v.segments for v in p.values], p.op == "+=")
    if not did_self:
        for p in own:
            add(p.name, [v.segments for v in p.values], p.op == "+=")

    table = {m[3]: m for m in merged}
    resolved = {}

    def resolve(key, depth=0):
        if key in resolved:
            return resolved[key]
        m = table.get(key) or table.get("$" + key)
        if m is None or depth > 50:
            return None
        vals = []
        for segs in m[1]:
            parts = []
            for kind, v in segs:
                if kind == "lit":
                    parts.append(v)
                    continue
                sub = resolve(v, depth + 1)
                if sub is None:
                    parts.append("${%s}" % v)
                else:
                    parts.append(",".join(sub))
            vals.append("".join(parts))
        resolved[key] = vals
        return vals

    out = {}
    for m in merged:
        spelled = m[3]
        if spelled.startswith("$"):
            continue
        vals = resolve(spelled)
        base = base_name(spelled)
        negated = base != spelled
        if not vals:
            out[base] = not negated
        elif negated:
            out[base] = not truthy(vals[-1])
        elif base in LIST_PARAMS:
            out[base] = vals
        else:
            out[base] = ",".join(vals)
    return out
