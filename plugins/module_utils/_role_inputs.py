# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Checks of the roles' inputs (pure), run on the controller by the ``bsd.jails.input_errors`` filter.

Each role validates every input before its first change.  What an argument spec
cannot say (an address is an address, a flag string is one safe line, a path has
no ``.``/``..`` component) is checked here, once, and reported as messages that
start with the field name: ``host_harden_addresses[0]: '300.1.1.1' is not IPv4``.

Why rc.conf values are restricted: sysrc(8) writes ``name="value"`` and
escapes only ``"``, ``\\``, ``$`` and the backquote; rc.conf is sourced by sh(1),
and rc.subr(8) runs a daemon as ``eval "$command $rc_flags $command_args"``
(src: libexec/rc/rc.subr run_rc_command() start, _run_rc_doit()), inside
``su -m USER -c 'sh -c "..."'`` for daemons with a ``${name}_user``.  A newline
starts a new rc.conf assignment, and ``;``, ``|``, ``&``, ``<``, ``>``, quotes,
globs and ``#`` are read by that eval.  A value is therefore one line of
letters, digits, spaces and ``- _ . , : / = + @ %``, which covers every daemon
flag and rc.conf setting the roles write.
"""

from __future__ import annotations

import re

from ansible_collections.bsd.jails.plugins.module_utils._bind_audit import check_address, parse_ignore
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import check_iface
from ansible_collections.bsd.jails.plugins.module_utils._jail_vnet import check_host_interfaces
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

RC_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # sysrc(8): "name contains characters not allowed in shell"
RC_VALUE = re.compile(r"[A-Za-z0-9 _.,:/=+@%-]*")
# POSIX portable filename characters (plus + @ ,): a path the roles write into fstab(5), jail.conf(5) and argv.
PATH_PART = re.compile(r"[A-Za-z0-9_.+@,-]+")
# A release set of /usr/freebsd-dist, as MANIFEST names it: base.txz, base-dbg.txz, kernel.txz, lib32.txz,
# ports.txz, src.txz, tests.txz (src: release/scripts/make-manifest.sh, usr.sbin/bsdinstall/scripts/auto).
DIST_SET = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]*(\.[A-Za-z0-9_+-]+)*\.txz")
RELEASE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
COMMAND = re.compile(r"[A-Za-z0-9_.+/][A-Za-z0-9_.+/-]*")
URL = re.compile(r"(https?|ftp|file)://[!-~]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _fail(field, msg):
    raise JailsError("%s: %s" % (field, msg))


def _str(field, value, what):
    if not isinstance(value, str):
        _fail(field, "%r is not %s" % (value, what))
    return value


def check_rc_name(field, name):
    if not isinstance(name, str) or not RC_NAME.fullmatch(name):
        _fail(field, "%r is not an rc.conf variable name (letters, digits and '_', not starting with a digit)" % name)
    return name


def check_rc_value(field, value):
    """One rc.conf value (daemon flags included) that neither sysrc(8) nor rc.subr's eval can split."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        _fail(field, "%r is not a string" % (value,))
    text = str(value)
    if CONTROL.search(text):
        _fail(field, "%r is not one line: a newline or control character would start a new rc.conf line" % text)
    bad = sorted(set(RC_VALUE.sub("", text)))
    if bad:
        _fail(
            field,
            "%r contains %s: rc.conf is read by sh(1) and rc.subr(8) evaluates daemon flags; "
            "use letters, digits, spaces and - _ . , : / = + @ %%" % (text, " ".join(repr(c) for c in bad)),
        )
    return text


def _parts(field, path):
    parts = path.split("/")
    for part in parts:
        if part in (".", ".."):
            _fail(field, "%r has a %r component: give the path itself" % (path, part))
        if part and not PATH_PART.fullmatch(part):
            if CONTROL.search(part):
                _fail(field, "%r contains a newline or control character" % path)
            _fail(field, "%r: %r has characters outside letters, digits and - _ . + @ ," % (path, part))
    return parts


def check_abs_path(field, path):
    """An absolute path without ``.``/``..`` components, empty components or unusual characters."""
    _str(field, path, "a path")
    if not path.startswith("/"):
        _fail(field, "%r is not an absolute path" % path)
    trimmed = path.rstrip("/") or "/"
    if "//" in trimmed:
        _fail(field, "%r has an empty component" % path)
    _parts(field, trimmed)
    return trimmed


def check_rel_path(field, path):
    """A path below some root: relative, no ``.``/``..`` components."""
    _str(field, path, "a path")
    if not path or path.startswith("/"):
        _fail(field, "%r is not a relative path below the root" % path)
    trimmed = path.rstrip("/")
    if not trimmed or "//" in trimmed:
        _fail(field, "%r has an empty component" % path)
    _parts(field, trimmed)
    return trimmed


def _matching(field, value, what, regex, msg, optional=False):
    """``value`` when it is a string ``regex`` matches whole (or empty, with ``optional``); else fail with ``msg``."""
    _str(field, value, what)
    if (value or not optional) and not regex.fullmatch(value):
        _fail(field, msg % (value,))
    return value


def check_dist_set(field, name):
    msg = "%r is not a release set file name of the distribution directory (base.txz, lib32.txz...)"
    return _matching(field, name, "a release set name", DIST_SET, msg)


def check_release(field, value):
    return _matching(field, value, "a release name", RELEASE, "%r is not a release name (e.g. 14.3-RELEASE)")


def check_command(field, value):
    return _matching(field, value, "a command", COMMAND, "%r is not a command name or path")


def check_url(field, value):
    return _matching(field, value, "a URL", URL, "%r is not an http, https, ftp or file URL", optional=True)


def check_make_arg(field, value):
    _str(field, value, "a make(1) argument")
    if CONTROL.search(value):
        _fail(field, "%r contains a newline or control character" % value)
    if value.startswith("DESTDIR="):
        _fail(field, "%r: the role sets DESTDIR itself" % value)
    return value


def _each(field, values, check):
    if not isinstance(values, (list, tuple)):
        _fail(field, "%r is not a list" % (values,))
    return [check("%s[%d]" % (field, i), v) for i, v in enumerate(values)]


def _addresses(field, values):
    if not isinstance(values, (list, tuple)) or not values:
        _fail(field, "no address: give the host's own addresses")
    return _each(field, values, check_address)


def _rc_vars(field, values):
    if not isinstance(values, dict):
        _fail(field, "%r is not a dict of rc.conf variables" % (values,))
    for name, value in values.items():
        check_rc_name("%s[%s]" % (field, name), name)
        check_rc_value("%s.%s" % (field, name), value)
    return values


def _ignore(field, values):
    try:
        return parse_ignore(values, field)
    except ValueError as exc:
        raise JailsError(str(exc)) from None


def _positive(field, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _fail(field, "%r is not a positive integer" % (value,))
    return value


KINDS = {
    "address": check_address,
    "addresses": _addresses,
    "rc_value": check_rc_value,
    "rc_vars": _rc_vars,
    "abs_path": check_abs_path,
    "rel_path": check_rel_path,
    "rel_paths": lambda f, v: _each(f, v, check_rel_path),
    "dist_sets": lambda f, v: _each(f, v, check_dist_set),
    "release": check_release,
    "command": check_command,
    "url": check_url,
    "make_args": lambda f, v: _each(f, v, check_make_arg),
    "audit_ignore": _ignore,
    "positive_int": _positive,
    "host_interfaces": lambda f, v: check_host_interfaces(f, v, check_iface),
}


def input_errors(value, kind, field):
    """The messages (empty list: valid) for ``value`` checked as ``kind``; each starts with ``field``."""
    if kind not in KINDS:
        raise ValueError("unknown input kind %r (known: %s)" % (kind, ", ".join(sorted(KINDS))))
    try:
        KINDS[kind](field, value)
    except JailsError as exc:
        return [exc.msg]
    return []
