# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""What the jail module does with a plan (_jail_plan.make_plan): its report, and the run.

jail(8)'s command line is declared once here (``JAIL``): every user value is an
option's argument (``-f config``, ``-J jid_file``) or an operand after ``--``
(jail names, ``name=NAME param=value``), so none is read as an option.
"""

from __future__ import annotations

import os

from ansible_collections.bsd.jails.plugins.module_utils._fileio import file_diff, remove_stale, write_atomic
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import effective_text, inherited_warnings
from ansible_collections.bsd.jails.plugins.module_utils._runner import (
    CommandLine,
    JailsError,
    Runner,
    fixed,
    flag,
    operands,
    opt_val,
)

# jail(8): jail [-i] [-J jid_file] [-f conf_file] -c|-m|-r [--] jail|param=value ...
JAIL = CommandLine(
    "jail",
    print_jid=flag("-i"),
    jid_file=opt_val("-J"),
    config=opt_val("-f"),
    create=fixed("-c"),
    modify=fixed("-m"),
    remove=fixed("-r"),
    jails=operands,
)


def check_worlds(wanted):
    """Refuse to start a jail whose root has no /bin/sh (jail(8) would run exec.start in it)."""
    for w in wanted:
        if w.state in ("started", "restarted") and not os.path.lexists(os.path.join(w.path, "bin", "sh")):
            field = "path" if w.field == "name" else w.field + ".path"
            raise JailsError(f"{field}: {w.path} has no /bin/sh: build or extract a world there first")


def parse_jid(text):
    """The jid ``jail -i -c`` prints (the first line that is a number), or None."""
    for line in (text or "").splitlines():
        line = line.strip()
        if line.isdigit():
            return int(line)
    return None


def report(plan, wanted, params, diff):
    """(result keys, warnings) of a plan: changed, actions, jails, and the diff when ``diff``."""
    config = params["config"]
    effective = {name: j["params"] for name, j in plan.jails.items()}
    inherited = inherited_warnings(wanted, effective.get, config)
    out = dict(changed=plan.changed, actions=plan.actions, jails=plan.jails)
    if params["exclusive"]:
        out["unmanaged"] = plan.unmanaged
    if params["jails"] is None:
        out["conf_file"] = plan.jails[wanted[0].name]["conf_file"]
    if diff:
        diffs = [file_diff(path, before, after) for path, (before, after) in plan.files.items()]
        diffs.append({"before": plan.before, "after": plan.after})
        if inherited:
            diffs.append({"prepared": effective_text(wanted, effective)})
        out["diff"] = diffs
    return out, inherited + plan.warnings


def _write_files(module, plan, backup):
    """Write (or delete) every config file of the plan; returns {path: backup file}."""
    backups = {}
    for path, (_before, after) in plan.files.items():
        if after is None:
            if backup:
                backups[path] = module.backup_local(path)
            os.unlink(path)
            continue
        directory = os.path.dirname(path)
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        b = write_atomic(module, path, after, backup=backup)
        if b:
            backups[path] = b
    return backups


def apply_plan(module, plan, result, backup):
    """Run the plan: stale files, stops (old configuration), writes, jail -m, starts, sysrc."""
    remove_stale(plan.stale)
    jail = JAIL.runner(module)
    for conf, names in plan.stops:
        jail("config remove jails", config=conf, jails=names)
    backups = _write_files(module, plan, backup)
    if backups:
        result["backup_files"] = backups
        result["backup_file"] = list(backups.values())[-1]
    for name, args in plan.modifies:
        jail("modify jails", jails=[f"name={name}", *args])
    for conf, name, jid_file in plan.starts:
        spec = "print_jid jid_file config create jails"
        _rc, out, _err = jail(spec, print_jid=True, jid_file=jid_file, config=conf, jails=[name])
        result["jails"][name]["jid"] = parse_jid(out)
    if plan.sysrc:
        Runner(module, "sysrc").run(*plan.sysrc)
