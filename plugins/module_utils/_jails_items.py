# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The jails role's list, merged once (pure), run on the controller by the ``bsd.jails.jails_items`` filter.

Each ``jails_list`` item is merged over ``jails_defaults`` and a default ``path`` of ``jails_root/NAME``
(dicts merged key by key at every depth, anything else replaced: ansible.builtin.combine with
``recursive=true``), and what the role's tasks ask of the whole list is noted in the same pass. Done in a
Jinja loop, this pass cost Ansible about a second at 1000 jails (a lazy lookup per item and key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ansible_collections.bsd.jails.plugins.module_utils._role_inputs import CONTROL
from ansible_collections.bsd.jails.plugins.module_utils._sysctl import NAME_RE as SYSCTL_NAME

DOTTED = re.compile(r"(^|/)\.\.?(/|$)")
SYSCTL_VALUE_BAD = re.compile(r"[\s#]")


def merge_recursive(base, over):
    """``over`` over ``base``: mappings merged key by key at every depth, any other value replaced."""
    out = dict(base.items())  # items(): Ansible's lazy dicts render their values there (dict(base) would not)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = merge_recursive(old, value)
        else:
            out[key] = value
    return out


def jails_items(jails_list, defaults, root, config=None):
    """The role's fact ``__jails`` (roles/jails/vars/main.yml says what each key is for).

    merged: the items over ``defaults`` and ``path: ROOT/NAME``, in list order; state: {name: its state,
    ``started`` when not given} (the last item of a name decides); present: the merged items whose name is
    not absent; under_root: whether a present item's path lies under ``root``; world, limits: whether an
    item has ``world``, ``limits``; sysctls: whether an item has non-empty ``sysctls``; with_sysctls,
    with_bootstrap: the items that define ``sysctls``, ``bootstrap_python``; problems: what the role itself
    refuses (see ``problems``), ``config`` being the role's jail.conf path.
    """
    if not isinstance(jails_list, list):
        raise ValueError("jails_list: %r is not a list" % (jails_list,))
    defaults = {} if defaults is None else defaults
    if not isinstance(defaults, Mapping):
        raise ValueError("jails_defaults: %r is not a dict" % (defaults,))
    problems = root_problems(root, config)
    root = str(root)
    merged, state, with_sysctls, with_bootstrap = [], {}, [], []
    world = limits = sysctls = False
    for index, item in enumerate(jails_list):
        if not isinstance(item, Mapping):
            raise ValueError("jails_list[%d]: %r is not a dict" % (index, item))
        m = merge_recursive(merge_recursive(defaults, {"path": "%s/%s" % (root, item.get("name"))}), item)
        merged.append(m)
        state[m.get("name")] = m.get("state", "started")
        world = world or "world" in m
        limits = limits or "limits" in m
        if "sysctls" in m:
            with_sysctls.append(m)
            sysctls = sysctls or bool(m["sysctls"])
        if "bootstrap_python" in m:
            with_bootstrap.append(m)
    forwards, forward_fields = pf_forwards(merged, state)
    prefix = root.rstrip("/") + "/"
    present = [m for m in merged if state[m.get("name")] != "absent"]
    under_root = any(str(m.get("path")).startswith(prefix) for m in present)
    return {
        "problems": problems + item_problems(merged, state, root),
        "rctl_items": [
            {"name": m.get("name"), "limits": {} if state[m.get("name")] == "absent" else m.get("limits", {})}
            for m in merged
        ],
        "forwards": forwards,
        "forward_fields": forward_fields,
        "merged": merged,
        "state": state,
        "present": present,
        "under_root": under_root,
        "world": world,
        "limits": limits,
        "sysctls": sysctls,
        "with_sysctls": with_sysctls,
        "with_bootstrap": with_bootstrap,
    }


def pf_forwards(merged, state):
    """The forwards of every jail not absent, as bsd.jails.jail_pf takes them (to the jail's first ip4_addr,
    without ``interface|`` and ``/mask``; None when it has none), and the field each came from."""
    forwards, fields = [], []
    for index, m in enumerate(merged):
        if state[m.get("name")] == "absent":
            continue
        addrs = m.get("ip4_addr") or []
        if isinstance(addrs, str):
            addrs = [a.strip() for a in addrs.split(",")]  # as the jail module reads a string for a list
        first = _text(addrs[0]).split("|")[-1] if addrs else ""
        for k, f in enumerate(m.get("forwards") or []):
            forwards.append(
                {
                    "address": first.split("/")[0] if first else None,
                    "proto": f.get("proto", "tcp"),
                    "port": f.get("port"),
                    "to": f.get("to"),
                    "external_address": f.get("external_address"),
                }
            )
            fields.append("jails_list[%d].forwards[%d]" % (index, k))
    return forwards, fields


def _text(value):
    """What Jinja's ``string`` filter gives (booleans as True/False, numbers in Python's spelling)."""
    return value if isinstance(value, str) else str(value)


def root_problems(root, config):
    """``jails_root`` and ``jails_config``: absolute, no ``.``/``..`` component or control character; the root
    not ``/`` itself."""
    bad = []
    for name, value in (("jails_config", config), ("jails_root", root)):
        if name == "jails_config" and config is None:
            continue  # not given (the filter's config is optional)
        if not isinstance(value, str) or not value.startswith("/"):
            bad.append("%s: %s is not an absolute path" % (name, json.dumps(value)))
        elif DOTTED.search(value) or CONTROL.search(value):
            bad.append("%s: %s has a . or .. component or a control character" % (name, json.dumps(value)))
    if _text(root).rstrip("/") == "":
        bad.append("jails_root: %s cannot hold jails: give them their own directory" % json.dumps(root))
    return bad


def item_problems(merged, state, root):
    """The role's own checks of each merged item, ``jails_list[N].field: ...``: the path a world is built in
    (absolute, no ``.``/``..`` component or control character, not ``/`` or ``root`` itself) and the sysctls
    the role writes to the jail's sysctl.conf (dotted names; one word of a value: no space, ``#`` or newline).
    Every other option is the bsd.jails.jail module's to check."""
    bad = []
    root = _text(root).rstrip("/")
    for index, m in enumerate(merged):
        f = "jails_list[%d]" % index
        p = _text(m.get("path", ""))
        if state[m.get("name")] != "absent":
            if not p.startswith("/"):
                bad.append("%s.path: %s is not an absolute path" % (f, json.dumps(p)))
            elif DOTTED.search(p):
                what = "has a . or .. component: a world would go to another directory"
                bad.append("%s.path: %s %s" % (f, json.dumps(p), what))
            elif CONTROL.search(p):
                bad.append("%s.path: %s contains a control character" % (f, json.dumps(p)))
            elif p.rstrip("/") in ("", "/", root):
                bad.append("%s.path: %s is / or jails_root itself, not a directory of its own" % (f, json.dumps(p)))
        sysctls = m.get("sysctls") or {}
        for k, v in sysctls.items() if isinstance(sysctls, Mapping) else ():
            if not isinstance(k, str) or not SYSCTL_NAME.fullmatch(k):
                bad.append("%s.sysctls: %s is not a sysctl name (dotted, e.g. kern.securelevel)" % (f, json.dumps(k)))
            elif v is None or isinstance(v, (Mapping, list, tuple, set)):
                bad.append("%s.sysctls.%s: the value must be a string or a number" % (f, k))
            elif SYSCTL_VALUE_BAD.search(_text(v)) or not _text(v):
                bad.append(
                    "%s.sysctls.%s: value %s cannot be written to sysctl.conf (empty, space, # or newline)"
                    % (f, k, json.dumps(_text(v)))
                )
    return bad
