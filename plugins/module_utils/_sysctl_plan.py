# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The jail_sysctl module's steps: read and check the batch, plan the values and the file, apply.

Every value is read and checked (one ``sysctl -e`` and one ``sysctl -t -e`` for
the whole batch, through jexec for a jail) before anything is set; the live
values are set first and the file is written only once the kernel took them
all; a failure part-way sets back what was changed.
"""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._fileio import file_diff, read_text, write_atomic
from ansible_collections.bsd.jails.plugins.module_utils._host_state import jail_root_path
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot, components
from ansible_collections.bsd.jails.plugins.module_utils._runner import CommandError, JailsError, Runner
from ansible_collections.bsd.jails.plugins.module_utils._sysctl import (
    LOADER_CONF_MSG,
    SysctlConf,
    check_settable,
    check_type,
    deprecation_warning,
    integer_text,
    is_integer,
    normalize_value,
    parse_errors,
    parse_sysctl_e,
    valid_name,
    values_equal,
)

SYSCTL = "/sbin/sysctl"


def wanted_values(params):
    """{name: value text} from name/value or sysctls; raises JailsError naming the field."""
    if params["name"] is not None:
        items = [("name", params["name"], params["value"])]
    else:
        items = [("sysctls.%s" % k, k, v) for k, v in params["sysctls"].items()]
    wanted = {}
    for field, name, value in items:
        if not valid_name(name):
            raise JailsError("%s: %r is not a sysctl name (dotted, e.g. kern.securelevel)" % (field, name))
        if params["state"] == "present":
            if value is None:
                raise JailsError("%s: a value is required with state=present" % field)
            if isinstance(value, (dict, list)):
                raise JailsError("%s: the value must be a string or a number, not %s" % (field, type(value).__name__))
            text = normalize_value(value)
            if any(c in text for c in "\n#"):
                raise JailsError("%s: value %r cannot be written to sysctl.conf (# or newline)" % (field, text))
            wanted[name] = text
        else:
            wanted[name] = None
    return wanted


def read_live(module, names, jail):
    """One sysctl call for all names -> ({name: value}, [(kind, info)])."""
    if jail is None:
        rc, out, err = Runner(module, "sysctl").run("-e", *names, check=False)
    else:
        rc, out, err = Runner(module, "jexec").run(jail, SYSCTL, "-e", *names, check=False)
    values = parse_sysctl_e(out)
    errors = parse_errors(err)
    if rc != 0 and not errors:
        argv = [SYSCTL, "-e", *names] if jail is None else ["jexec", jail, SYSCTL, "-e", *names]
        raise CommandError(argv, rc, out, err)
    return values, errors


def read_types(module, names, jail):
    """One ``sysctl -t -e`` call -> {name: type name as sysctl prints it} (unknown names are left out)."""
    if jail is None:
        _rc, out, _err = Runner(module, "sysctl").run("-t", "-e", *names, check=False)
    else:
        _rc, out, _err = Runner(module, "jexec").run(jail, SYSCTL, "-t", "-e", *names, check=False)
    return dict((k, v.strip()) for k, v in parse_sysctl_e(out).items())


def check_sysctl_file(params):
    """sysctl_file is absolute; inside a jail it has no '..' (it is read from the jail's root)."""
    path = params["sysctl_file"]
    if not params["persist"]:
        return
    if not path.startswith("/"):
        raise JailsError("sysctl_file: %r is not an absolute path" % path)
    if params["jail"] is not None:
        components(path, "sysctl_file")


def explain_set_failure(exc):
    """A clear message for a failed set."""
    msgs = []
    for kind, info in parse_errors(exc.stderr):
        if kind == "tunable":
            msgs.append("%s: %s" % (info["name"], LOADER_CONF_MSG))
        elif kind == "read_only":
            msgs.append("%s: oid is read only" % info["name"])
        elif kind == "eperm":
            msgs.append("%s: setting %s is not permitted here" % (info["name"], info["value"]))
        elif kind == "invalid":
            msgs.append("invalid %s %r" % (info["type"], info["value"]))
        elif kind == "unknown":
            msgs.append("unknown oid '%s'" % info["name"])
    return "; ".join(msgs) or exc.msg


def check_batch(module, wanted, jail, compare=True, on_host=False):
    """Check the whole batch before the first change; returns the live values ({name: value}).

    ``on_host``: read the host's values and types even for a jail (validate_only), with ``compare``
    off for what depends on the jail's own values.
    """
    names = list(wanted)
    where = None if on_host else jail
    live, errors = read_live(module, names, where)
    unknown = [info["name"] for kind, info in errors if kind == "unknown"]
    problems = []
    for name in names:
        msg = check_settable(name, wanted[name], None if name in unknown else live.get(name), jail, compare)
        if msg:
            problems.append(msg)
    if not problems:  # every oid known: their types, and every value within its type
        types = read_types(module, names, where)
        for name in names:
            msg = check_type(name, wanted[name], types.get(name))
            if msg:
                problems.append(msg)
    if problems:
        raise JailsError("; ".join(problems))
    return live


def set_values(module, jail, pairs):
    """One ``sysctl name=value ...`` call (through jexec with a jail)."""
    args = ["%s=%s" % (n, v) for n, v in pairs]
    if jail is None:
        Runner(module, "sysctl").run(*args)
    else:
        Runner(module, "jexec").run(jail, SYSCTL, *args)


def roll_back(module, jail, before):
    """Set back every value of ``before`` ({name: value}) the kernel now holds otherwise.

    Returns ({name: value set back}, message or None for what could not be set back).
    """
    try:
        now, _errors = read_live(module, list(before), jail)
    except JailsError as exc:
        return {}, "the values could not be read back (%s): check %s by hand" % (exc.msg, ", ".join(before))
    changed = [(n, before[n]) for n in before if n in now and not values_equal(now[n], before[n])]
    if not changed:
        return {}, None
    try:
        set_values(module, jail, changed)
    except CommandError as exc:
        done, _e = read_live(module, [n for n, _v in changed], jail)
        stuck = [n for n, v in changed if not values_equal(done.get(n), v)]
        restored = dict((n, v) for n, v in changed if n not in stuck)
        return restored, "could not set back %s (%s)" % (", ".join(stuck), explain_set_failure(exc))
    return dict(changed), None


def raise_rolled_back(module, jail, before, msg, details):
    """Set back the batch's values, then raise ``msg`` telling what was set back."""
    restored, problem = roll_back(module, jail, before)
    if restored:
        msg += "; set back to their values before the task: %s" % ", ".join(
            "%s=%s" % (n, v.strip()) for n, v in restored.items()
        )
    if problem:
        msg += "; %s" % problem
    raise JailsError(msg, rolled_back=restored, **details)


def check_params(p):
    """The values and the file option, checked; returns {name: value text or None}."""
    wanted = wanted_values(p)
    if p["state"] == "absent" and not p["persist"]:
        raise JailsError("state=absent removes persisted lines: it needs persist=true")
    check_sysctl_file(p)
    return wanted


def read_live_values(module, p, wanted, warn):
    """The live values of the batch ({} for state=absent), checked; integer values normalised in ``wanted``."""
    jail = p["jail"]
    if p["state"] != "present":
        return {}
    live = check_batch(module, wanted, jail)
    for name in wanted:  # "1.0" for an integer oid is sent as "1"
        if is_integer(live[name]) and integer_text(wanted[name]) is not None:
            wanted[name] = integer_text(wanted[name])
    for name in wanted:
        warning = deprecation_warning(name, jail)
        if warning:
            warn(warning)
    return live


class SysctlFile:
    """sysctl.conf as read (``before``) and as edited (``after``), on the host or through a jail's root."""

    def __init__(self, module, p):
        self.p = p
        self.path = None
        self.root = None
        self.before = self.after = None
        if not p["persist"]:
            return
        self.path = p["sysctl_file"]
        if p["jail"] is not None:
            # the file is read and written through the jail's root, never through a link in it
            self.root = JailRoot(jail_root_path(module, p["jail"]), p["jail"])
            self.path = self.root.path(p["sysctl_file"])
            self.before = self.root.read_text(p["sysctl_file"], "sysctl_file")
        else:
            self.before = read_text(self.path)

    def plan(self, wanted):
        if not self.p["persist"]:
            return
        conf = SysctlConf(self.before)
        for name in wanted:
            if self.p["state"] == "present":
                if conf.get(name) is None or not values_equal(conf.get(name), wanted[name]):
                    conf.set(name, wanted[name])
            else:
                conf.remove(name)
        self.after = conf.render()
        if self.before is None and self.after == "":
            self.after = None

    @property
    def changed(self):
        return bool(self.p["persist"] and self.after != self.before)

    def write(self, module):
        if self.root is not None:
            return self.root.write_text(self.p["sysctl_file"], self.after or "", self.p["backup"], field="sysctl_file")
        return write_atomic(module, self.path, self.after or "", backup=self.p["backup"])


def plan_values(p, wanted, live, sysctl_file, result):
    """The names whose live value changes; fills result["sysctls"]."""
    to_set = []
    if p["state"] == "present":
        for name in wanted:
            result["sysctls"][name] = {"before": live[name], "after": live[name]}
            if not values_equal(live[name], wanted[name]):
                to_set.append(name)
                result["sysctls"][name]["after"] = wanted[name]
    else:
        before_conf = SysctlConf(sysctl_file.before).entries()
        for name in wanted:
            result["sysctls"][name] = {"before": before_conf.get(name), "after": None}
    return to_set


def diffs(jail, wanted, live, to_set, sysctl_file):
    out = []
    if to_set:
        out.append(
            {
                "before_header": "sysctl (%s)" % (jail or "host"),
                "after_header": "sysctl (%s)" % (jail or "host"),
                "before": dict((n, live[n]) for n in to_set),
                "after": dict((n, wanted[n]) for n in to_set),
            }
        )
    if sysctl_file.changed:
        out.append(file_diff(sysctl_file.path, sysctl_file.before, sysctl_file.after))
    return out


def apply(module, p, wanted, live, to_set, sysctl_file, result):
    """Live values first, the file only once the kernel took them all; a failure part-way sets back what
    was changed, so the jail (or host) is left as it was before the task."""
    jail = p["jail"]
    before_live = dict((n, live[n]) for n in to_set)
    if to_set:
        try:
            set_values(module, jail, [(n, wanted[n]) for n in to_set])
        except CommandError as exc:
            named = [i["name"] for _k, i in parse_errors(exc.stderr) if i.get("name") in to_set]
            if p["name"] is not None:
                field = "name"
            else:
                field = ", ".join("sysctls.%s" % n for n in named) if named else "sysctls"
            msg = "%s: %s" % (field, explain_set_failure(exc))
            raise_rolled_back(module, jail, before_live, msg, exc.details)
    if sysctl_file.changed:
        try:
            backup_file = sysctl_file.write(module)
        except JailsError as exc:
            if to_set:
                raise_rolled_back(module, jail, before_live, "sysctl_file: %s" % exc.msg, exc.details)
            raise
        if backup_file:
            result["backup_file"] = backup_file
