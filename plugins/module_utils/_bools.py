# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The boolean rules of jail(8) parameters, written once.

A boolean parameter may be spelled with ``no`` in front of its last component
(``persist``/``nopersist``, ``allow.mount.nozfs``): libjail's jailparam_init()
in lib/libjail/jail.c strips it and sets JP_NOBOOL.  A boolean *value* is read
as libjail's jailparam_import() reads it: ``true`` (any case), or an integer
that is not zero; anything else is false.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=4096)  # a few dozen parameter names, asked for per jail and per statement
def split_no(name):
    """``(parameter, positive)`` for a possibly ``no``-prefixed boolean name.

    ``split_no("allow.nomount") == ("allow.mount", False)``; ``split_no("persist") == ("persist", True)``.
    A last component of just ``no`` is a name of its own.
    """
    head, dot, last = name.rpartition(".")
    if last.startswith("no") and len(last) > 2:
        return head + dot + last[2:], False
    return name, True


def base_name(name):
    """The parameter a (possibly ``no``-prefixed) boolean name refers to."""
    return split_no(name)[0]


def truthy(value):
    """A jail parameter's boolean value as libjail reads it (``true`` or a non-zero integer)."""
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v == "true":
        return True
    try:
        return int(v) != 0
    except ValueError:
        return False
