#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_devfs
short_description: Manage a devfs ruleset for FreeBSD jails in /etc/devfs.rules and in the kernel
version_added: 0.1.0
description:
  - Manages one named ruleset (C([name=N])) in O(rules_file), keeping every other line, and loads it into the
    kernel the way C(/etc/rc.subr) C(devfs_rulesets_from_file) does at boot (C(devfs rule -s N delset), then
    one C(devfs rule -s N add ...) per rule, C($name) references expanded to ruleset numbers).
  - The ruleset starts with C(add include $devfsrules_jail) (O(base)), so a jail sees what FreeBSD's ruleset 4
    shows it, plus what O(include) and O(rules) add.
  - With O(jail), also applies the ruleset to the jail's C(/dev) (C(devfs -m PATH/dev ruleset N) and
    C(rule applyset)), mounting devfs there first if it is not mounted. The jail's C(dev) must be a directory;
    a symbolic link there (which would lead C(mount) and C(devfs -m) to the host's C(/dev)) fails the task
    before anything changes.
  - Refuses a ruleset that leaves disks or kernel memory visible in a jail unless O(allow_disks=true). The
    ruleset is judged by what it shows; its rules, with every C(include) expanded, are evaluated in order the
    way devfs does (a device is visible until a rule hides it; path patterns match as C(fnmatch(3)) with
    C(FNM_PATHNAME)) against a catalogue of disk devices (C(ada), C(da), C(nvd), C(nda), C(vtbd), C(md),
    C(cd), C(mmcsd), C(pass), C(xpt), C(gpt/), C(gptid/), C(diskid/), C(label/), C(ufs/), C(zvol/), GEOM
    classes, ...) and memory devices (C(mem), C(kmem), C(io)). So C(unhide) alone, C(path 'gpt/*' unhide),
    C(path 'pass*' unhide) or a ruleset that never hides anything (O(base) empty) are refused too.
  - Refuses a rule that devfs(8) cannot read, and any character outside single quotes other than words,
    blanks and C($name) references. C(/etc/rc.subr) loads C(devfs.rules) lines with C(eval), so C($(...)),
    backticks, C(;), C(|), C(&), C(<), C(>), double quotes or backslashes would be run by the shell at boot.
  - Refuses to redefine FreeBSD's rulesets 1 to 5 unless O(force=true), and refuses a number or name used by
    another ruleset in O(defaults_file) or O(rules_file). Nothing is written or loaded when it refuses.
  - Idempotent, nothing is reloaded when the file and the kernel already hold the ruleset.
author:
  - bsd.jails developers (@bsd-jails)
extends_documentation_fragment:
  - bsd.jails._attributes
  - bsd.jails._attributes.platform
  - bsd.jails._attributes.actiongroup_jails
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - O(rules_file) as a text diff; the kernel ruleset as the rules before and after.
options:
  name:
    description:
      - Ruleset name, a shell variable name (rc sets C($name) to the number), for example V(devfsrules_jail_bpf).
    type: str
    required: true
  number:
    description:
      - Ruleset number. Required when the ruleset is not in O(rules_file) yet.
    type: int
  rules:
    description:
      - Rules in C(devfs.rules) form, with or without the leading C(add), for example V(path 'bpf*' unhide).
      - C($name) references to other rulesets are allowed.
    type: list
    elements: str
    default: []
  include:
    description:
      - Other rulesets to include after O(base), by name (V(devfsrules_unhide_login)) or number.
    type: list
    elements: str
    default: []
  base:
    description:
      - The ruleset included first. Empty for none (then the ruleset starts from what the mount shows).
    type: str
    default: devfsrules_jail
  state:
    description:
      - V(present) writes and loads the ruleset; V(absent) removes it from O(rules_file) and deletes it from the
        kernel (C(devfs rule -s N delset)).
    type: str
    choices: [present, absent]
    default: present
  rules_file:
    description:
      - The local rules file rc reads after the defaults.
    type: path
    default: /etc/devfs.rules
  defaults_file:
    description:
      - FreeBSD's default rulesets, read for C($name) references and clashes; never written.
    type: path
    default: /etc/defaults/devfs.rules
  load:
    description:
      - Load the ruleset into the kernel (and check it is loaded). V(false) only edits O(rules_file).
    type: bool
    default: true
  jail:
    description:
      - Name of a running jail whose C(/dev) gets this ruleset.
    type: str
  allow_disks:
    description:
      - Allow a ruleset that leaves disk or memory devices visible; the module then warns, naming them.
    type: bool
    default: false
  force:
    description:
      - Allow redefining FreeBSD's default rulesets 1 to 5.
    type: bool
    default: false
  backup:
    description:
      - Keep a copy of O(rules_file) before changing it.
    type: bool
    default: false
seealso:
  - module: bsd.jails.jail
  - name: devfs.rules(5)
    description: The file format.
    link: https://man.freebsd.org/devfs.rules/5
"""

EXAMPLES = r"""
- name: A jail ruleset that also shows the packet filter and BPF devices
  bsd.jails.jail_devfs:
    name: devfsrules_jail_bpf
    number: 100
    rules:
      - path 'bpf*' unhide
      - path pf unhide

- name: Apply it to a running jail's /dev
  bsd.jails.jail_devfs:
    name: devfsrules_jail_bpf
    number: 100
    rules: ["path 'bpf*' unhide"]
    jail: www

- name: Remove the ruleset
  bsd.jails.jail_devfs:
    name: devfsrules_jail_bpf
    state: absent
"""

RETURN = r"""
number:
  description: The ruleset number.
  returned: always
  type: int
  sample: 100
commands:
  description: The ruleset's lines in O(rules_file), without the header.
  returned: always
  type: list
  elements: str
  sample: ["add include $devfsrules_jail", "add path 'bpf*' unhide"]
rules:
  description: The rules as C(devfs rule -s N show) prints them (without numbers), after.
  returned: always
  type: list
  elements: str
  sample: ["include 4", "path bpf* unhide"]
actions:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["write /etc/devfs.rules", "load ruleset 100", "apply ruleset 100 to /jails/www/dev"]
backup_file:
  description: The backup of O(rules_file).
  returned: changed and backup made
  type: str
  sample: /etc/devfs.rules.1234.2024-01-01@00:00:00~
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
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
from ansible_collections.bsd.jails.plugins.module_utils._host_state import jail_root_path
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner

MOUNT_RE = re.compile(r"^\S+ on (?P<path>.+) \((?P<fs>[^,)]+)")


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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            number=dict(type="int"),
            rules=dict(type="list", elements="str", default=[]),
            include=dict(type="list", elements="str", default=[]),
            base=dict(type="str", default="devfsrules_jail"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            rules_file=dict(type="path", default="/etc/devfs.rules"),
            defaults_file=dict(type="path", default="/etc/defaults/devfs.rules"),
            load=dict(type="bool", default=True),
            jail=dict(type="str"),
            allow_disks=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    name = p["name"]
    result = dict(changed=False, actions=[], commands=[], rules=[], number=p["number"])
    try:
        if not NAME_RE.match(name):
            raise JailsError("name: %r is not a ruleset name (letters, digits and _, not starting with a digit)" % name)
        if p["number"] is not None and not 1 <= p["number"] <= 65535:
            raise JailsError("number: %d is not a ruleset number (1-65535)" % p["number"])
        defaults = DevfsRules(read_text(p["defaults_file"]), p["defaults_file"])
        before_text = read_text(p["rules_file"])
        local = DevfsRules(before_text, p["rules_file"])
        existing = local.get(name)
        number = p["number"] if p["number"] is not None else (existing.number if existing else None)
        if p["state"] == "present" and number is None:
            raise JailsError("number: required, ruleset %s is not in %s yet" % (name, p["rules_file"]))
        result["number"] = number
        if number is not None and (number in DEFAULT_RULESETS or defaults.get(name)) and not p["force"]:
            raise JailsError(
                "ruleset %s=%s: FreeBSD's default rulesets 1-5 (%s) are not redefined without force=true"
                % (name, number, p["defaults_file"])
            )
        jail_dev = None

        if p["state"] == "present":
            names = variables(defaults, local)
            names[name] = number
            commands = wanted_commands(p, names)
            msgs = clashes([defaults, local], name, number, redefine=p["force"])
            if msgs:
                raise JailsError("; ".join(msgs))
            local.set_ruleset(name, number, commands)
            files = [defaults, local]
            by_number = rules_by_number(files)
            own = ruleset_rules(files, name)[1]
            bad = exposed_devices(expand_includes(own, by_number, {number}))
            if bad:
                shown = describe_exposed(bad)
                if not p["allow_disks"]:
                    raise JailsError(
                        "ruleset %s unhides disk or memory devices (%s): exposing disks to a jail breaks it "
                        "(jail(8)); set allow_disks=true to do it anyway" % (name, shown)
                    )
                module.warn("ruleset %s unhides disk or memory devices in jails: %s" % (name, shown))
            result["commands"] = commands
            result["rules"] = [format_rule(r) for r in own]
        else:
            local.remove_ruleset(name)
        after_text = local.render()
        if before_text is None and after_text == "":
            after_text = None
        file_changed = after_text != before_text

        # kernel state: one showsets, one show of our ruleset
        devfs = Runner(module, "devfs") if p["load"] or p["jail"] else None
        kernel_before = []
        load_plan = []
        if p["load"] and number is not None:
            sets = parse_showsets(devfs.out("rule", "showsets"))
            if number in sets:
                kernel_before = [body for _n, body in parse_show(devfs.out("rule", "-s", str(number), "show"))]
            if p["state"] == "present":
                files = [defaults, local]
                # included rulesets missing from the kernel are loaded first, as rc would have at boot
                for inc in sorted(set(int(r["include"]) for r in own if r.get("include"))):
                    if inc not in sets and inc != number:
                        inc_names = [rs.name for f in files for rs in f.rulesets if rs.number == inc]
                        if inc_names:
                            load_plan.extend(load_argvs(files, inc_names[-1], inc))
                if kernel_before != result["rules"] or load_plan:
                    load_plan.extend(load_argvs(files, name, number))
            elif kernel_before:  # an emptied set a mount still uses stays listed: nothing to delete
                load_plan.append(["rule", "-s", str(number), "delset"])
        if load_plan:
            result["actions"].append("load ruleset %d" % number if p["state"] == "present" else "delete ruleset")

        jail_plan = []
        if p["jail"] and p["state"] == "present":
            root = jail_root_path(module, p["jail"])
            jail_dev = os.path.join(root, "dev")
            # the jail owns its root: a "dev" replaced by a link to the host's /dev would have mount(8)
            # (which takes the real path) and devfs -m work on the host's /dev
            if not JailRoot(root, p["jail"]).check_dir("dev"):
                raise JailsError("jail %s: %s does not exist: no mount point for its devfs" % (p["jail"], jail_dev))
            mounted = False
            for line in Runner(module, "mount").out("-t", "devfs").splitlines():
                m = MOUNT_RE.match(line)
                if m and m.group("path") == jail_dev and m.group("fs") == "devfs":
                    mounted = True
            current = []
            if mounted:
                current = [body for _n, body in parse_show(devfs.out("-m", jail_dev, "rule", "show"))]
            if not mounted:
                jail_plan.append(("mount", ["-t", "devfs", "devfs", jail_dev]))
            if not mounted or load_plan or current != result["rules"]:
                jail_plan.append(("devfs", ["-m", jail_dev, "ruleset", str(number)]))
                jail_plan.append(("devfs", ["-m", jail_dev, "rule", "applyset"]))
                result["actions"].append("apply ruleset %d to %s" % (number, jail_dev))
        if file_changed:
            result["actions"].insert(0, "write %s" % p["rules_file"])
        result["changed"] = bool(file_changed or load_plan or jail_plan)
        if module._diff:
            diffs = []
            if file_changed:
                diffs.append(file_diff(p["rules_file"], before_text, after_text))
            if load_plan:
                diffs.append(
                    {
                        "before_header": "kernel ruleset %d" % number,
                        "after_header": "kernel ruleset %d" % number,
                        "before": "".join(r + "\n" for r in kernel_before),
                        "after": "".join(r + "\n" for r in result["rules"]),
                    }
                )
            result["diff"] = diffs

        if not module.check_mode:
            if file_changed:
                backup_file = write_atomic(module, p["rules_file"], after_text or "", backup=p["backup"])
                if backup_file:
                    result["backup_file"] = backup_file
            for argv in load_plan:
                devfs.run(*argv)
            for tool, argv in jail_plan:
                (devfs if tool == "devfs" else Runner(module, "mount")).run(*argv)
    except DevfsRulesError as exc:
        module.fail_json(msg=str(exc), **result)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
