# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The jail_devfs module's steps: a ruleset in devfs.rules, the kernel's copy, a jail's /dev.

``plan_rules_file`` edits the rules file (pure), ``plan_load`` decides which
``devfs rule`` commands load the ruleset into the kernel (given what
``devfs rule showsets``/``show`` print), ``plan_jail_dev`` what mounts and
applies it on a jail's /dev (given what ``mount -t devfs`` and ``devfs -m``
print), ``diffs`` the diff, ``apply`` runs it.  Each step fills the result
as it goes, so a failure reports what was known at that point.
"""

from __future__ import annotations

import os
import re

from ansible_collections.bsd.jails.plugins.module_utils._devfs_rules import (
    DEFAULT_RULESETS,
    NAME_RE,
    DevfsRules,
    DevfsRulesError,
    clashes,
    describe_exposed,
    expand_includes,
    expand_vars,
    exposed_devices,
    format_rule,
    normalize_command,
    parse_rule,
    parse_show,
    parse_showsets,
    rules_by_number,
    ruleset_rules,
    tokenize,
    variables,
)
from ansible_collections.bsd.jails.plugins.module_utils._fileio import file_diff, read_text, write_atomic
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner

# A line of mount(8)'s output: "devfs on /usr/jails/www/dev (devfs)" (sbin/mount/mount.c prmount()).
MOUNT_RE = re.compile(r"^\S+ on (?P<path>.+) \((?P<fs>[^,)]+)")


def devfs_mounted(mount_out, path):
    """Whether ``mount -t devfs`` output lists a devfs on ``path``."""
    for line in (mount_out or "").splitlines():
        m = MOUNT_RE.match(line)
        if m and m.group("path") == path and m.group("fs") == "devfs":
            return True
    return False


def wanted_commands(p, names):
    """The ruleset's command lines; raises DevfsRulesError naming the field."""
    cmds = []
    if p["base"]:
        if p["base"] not in names:
            raise DevfsRulesError("base: no ruleset named %s in the rules files" % p["base"])
        cmds.append("add include $%s" % p["base"])
    for i, inc in enumerate(p["include"]):
        inc = str(inc).strip()
        if inc.isdigit():
            cmds.append("add include %s" % inc)
        elif NAME_RE.match(inc.lstrip("$")) and inc.lstrip("$") in names:
            cmds.append("add include $%s" % inc.lstrip("$"))
        else:
            raise DevfsRulesError("include[%d]: no ruleset named %s in the rules files" % (i, inc))
    for i, spec in enumerate(p["rules"]):
        where = "rules[%d]" % i
        cmd = normalize_command(spec, where)
        parse_rule(tokenize(expand_vars(cmd, names, where), where), where)  # validate now
        cmds.append(cmd)
    return cmds


def load_argvs(files, name, number):
    """The ``devfs`` argument lists rc would run for ruleset ``name``."""
    names = variables(*files)
    rs_file = None
    for f in files:
        if f.get(name):
            rs_file = f
    argvs = [["rule", "-s", str(number), "delset"]]
    for cmd in rs_file.commands(rs_file.get(name)):
        argvs.append(["rule", "-s", str(number), *tokenize(expand_vars(cmd, names))])
    return argvs


def check_params(p):
    if not NAME_RE.match(p["name"]):
        raise JailsError(
            "name: %r is not a ruleset name (letters, digits and _, not starting with a digit)" % p["name"]
        )
    if p["number"] is not None and not 1 <= p["number"] <= 65535:
        raise JailsError("number: %d is not a ruleset number (1-65535)" % p["number"])


class RulesFile:
    """The rules files as read (FreeBSD's defaults and the local file) and the local one as edited."""

    def __init__(self, p):
        self.defaults = DevfsRules(read_text(p["defaults_file"]), p["defaults_file"])
        self.before = read_text(p["rules_file"])
        self.local = DevfsRules(self.before, p["rules_file"])
        self.after = None

    @property
    def files(self):
        return [self.defaults, self.local]

    @property
    def changed(self):
        return self.after != self.before


def plan_rules_file(p, rf, result, warn):
    """Set or remove the ruleset in the local file; returns its own rules (present) or []."""
    name = p["name"]
    existing = rf.local.get(name)
    number = p["number"] if p["number"] is not None else (existing.number if existing else None)
    if p["state"] == "present" and number is None:
        raise JailsError("number: required, ruleset %s is not in %s yet" % (name, p["rules_file"]))
    result["number"] = number
    if number is not None and (number in DEFAULT_RULESETS or rf.defaults.get(name)) and not p["force"]:
        raise JailsError(
            "ruleset %s=%s: FreeBSD's default rulesets 1-5 (%s) are not redefined without force=true"
            % (name, number, p["defaults_file"])
        )
    own = []
    if p["state"] == "present":
        names = variables(rf.defaults, rf.local)
        names[name] = number
        commands = wanted_commands(p, names)
        msgs = clashes(rf.files, name, number, redefine=p["force"])
        if msgs:
            raise JailsError("; ".join(msgs))
        rf.local.set_ruleset(name, number, commands)
        own = ruleset_rules(rf.files, name)[1]
        bad = exposed_devices(expand_includes(own, rules_by_number(rf.files), {number}))
        if bad:
            shown = describe_exposed(bad)
            if not p["allow_disks"]:
                raise JailsError(
                    "ruleset %s unhides disk or memory devices (%s): exposing disks to a jail breaks it "
                    "(jail(8)); set allow_disks=true to do it anyway" % (name, shown)
                )
            warn("ruleset %s unhides disk or memory devices in jails: %s" % (name, shown))
        result["commands"] = commands
        result["rules"] = [format_rule(r) for r in own]
    else:
        rf.local.remove_ruleset(name)
    rf.after = rf.local.render()
    if rf.before is None and rf.after == "":
        rf.after = None
    return own


def tool_output(module):
    """``read(tool, *args)``: the stdout of a successful run of ``tool``."""
    return lambda tool, *args: Runner(module, tool).out(*args)


def plan_load(p, rf, own, result, read):
    """(kernel's rules before, [devfs argv]) that load the ruleset as rc would; ``read`` as tool_output's."""
    number = result["number"]
    kernel_before = []
    load = []
    if not p["load"] or number is None:
        return kernel_before, load
    sets = parse_showsets(read("devfs", "rule", "showsets"))
    if number in sets:
        kernel_before = [body for _n, body in parse_show(read("devfs", "rule", "-s", str(number), "show"))]
    if p["state"] == "present":
        # included rulesets missing from the kernel are loaded first, as rc would have at boot
        for inc in sorted(set(int(r["include"]) for r in own if r.get("include"))):
            if inc not in sets and inc != number:
                inc_names = [rs.name for f in rf.files for rs in f.rulesets if rs.number == inc]
                if inc_names:
                    load.extend(load_argvs(rf.files, inc_names[-1], inc))
        if kernel_before != result["rules"] or load:
            load.extend(load_argvs(rf.files, p["name"], number))
    elif kernel_before:  # an emptied set a mount still uses stays listed: nothing to delete
        load.append(["rule", "-s", str(number), "delset"])
    if load:
        result["actions"].append("load ruleset %d" % number if p["state"] == "present" else "delete ruleset")
    return kernel_before, load


def plan_jail_dev(jail, root, result, load, read):
    """[(tool, argv)] that mount devfs on the jail's /dev and apply the ruleset to it."""
    number = result["number"]
    jail_dev = os.path.join(root, "dev")
    # the jail owns its root: a "dev" replaced by a link to the host's /dev would have mount(8)
    # (which takes the real path) and devfs -m work on the host's /dev
    if not JailRoot(root, jail).check_dir("dev"):
        raise JailsError("jail %s: %s does not exist: no mount point for its devfs" % (jail, jail_dev))
    mounted = devfs_mounted(read("mount", "-t", "devfs"), jail_dev)
    current = [body for _n, body in parse_show(read("devfs", "-m", jail_dev, "rule", "show"))] if mounted else []
    out = []
    if not mounted:
        out.append(("mount", ["-t", "devfs", "devfs", jail_dev]))
    if not mounted or load or current != result["rules"]:
        out.append(("devfs", ["-m", jail_dev, "ruleset", str(number)]))
        out.append(("devfs", ["-m", jail_dev, "rule", "applyset"]))
        result["actions"].append("apply ruleset %d to %s" % (number, jail_dev))
    return out


def diffs(p, rf, number, kernel_before, rules, load):
    out = []
    if rf.changed:
        out.append(file_diff(p["rules_file"], rf.before, rf.after))
    if load:
        header = "kernel ruleset %d" % number
        out.append(
            {
                "before_header": header,
                "after_header": header,
                "before": "".join(r + "\n" for r in kernel_before),
                "after": "".join(r + "\n" for r in rules),
            }
        )
    return out


def apply(module, p, rf, load, jail_dev, result, devfs, mount):
    """Write the rules file, load the ruleset, mount and apply it on the jail's /dev."""
    if rf.changed:
        backup_file = write_atomic(module, p["rules_file"], rf.after or "", backup=p["backup"])
        if backup_file:
            result["backup_file"] = backup_file
    for argv in load:
        devfs.run(*argv)
    for tool, argv in jail_dev:
        (devfs if tool == "devfs" else mount()).run(*argv)
