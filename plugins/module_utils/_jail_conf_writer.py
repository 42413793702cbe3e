# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""Writing jail.conf(5) statements (pure): values as text, in jail.conf(5)'s own style.

One parameter per statement, ``name = value;``, values quoted only when they
hold more than letters, digits and ``._-/:|@%``, lists as ``a, b``, booleans
as ``name;`` / ``noname;`` (the ``no`` after the last dot); and what an
existing statement says, in the same terms.
"""

from __future__ import annotations

import re

from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import LIST_PARAMS

# The comment line the collection writes right above every block it manages (see JailConf.managed()).
MARKER = "# managed by bsd.jails"
_SAFE_VALUE_RE = re.compile(r"[A-Za-z0-9._\-/:|@%]+")


def same_param(a, b):
    """jail(8)'s equalopts(): ``persist`` and ``nopersist`` name one parameter."""
    return a == b or base_name(a) == base_name(b)


def needs_quotes(value):
    return not _SAFE_VALUE_RE.fullmatch(value) or "//" in value or "/*" in value


def quote(value):
    """A value as jail.conf(5) text: bare when safe, else double-quoted and escaped (``$`` stays literal)."""
    if not needs_quotes(value):
        return value
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    out = out.replace("\n", "\\n").replace("\t", "\\t")
    return '"' + out + '"'


def render_param(name, value):
    """One statement, without indentation or newline."""
    if value is True:
        return f"{name};"
    if value is False:
        head, dot, last = name.rpartition(".")
        return f"{head}{dot}no{last};"
    if isinstance(value, (list, tuple)):
        return "%s = %s;" % (name, ", ".join(quote(str(v)) for v in value))
    return f"{name} = {quote(str(value))};"


def statement_value(p):
    """What a statement says, in set_jail's terms (True/False/str/list), or None if it uses variables/+=."""
    if p.op == "+=" or any(v.has_vars for v in p.values):
        return None
    if not p.values:
        return base_name(p.name) == p.name
    vals = [v.literal for v in p.values]
    if p.name in LIST_PARAMS:
        return vals
    return vals[0] if len(vals) == 1 else None


def spelled(name, value):
    """The spelling render_param uses for ``name`` with ``value``."""
    if value is False:
        head, dot, last = base_name(name).rpartition(".")
        return f"{head}{dot}no{last}"
    if value is True:
        return base_name(name)
    return name
