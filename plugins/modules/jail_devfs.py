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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._devfs_plan import (
    RulesFile,
    apply,
    check_params,
    diffs,
    plan_jail_dev,
    plan_load,
    plan_rules_file,
    tool_output,
)
from ansible_collections.bsd.jails.plugins.module_utils._devfs_rules import DevfsRulesError
from ansible_collections.bsd.jails.plugins.module_utils._host_state import jail_root_path
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner


def build_module():
    return AnsibleModule(
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


def main():
    module = build_module()
    p = module.params
    result = dict(changed=False, actions=[], commands=[], rules=[], number=p["number"])
    try:
        check_params(p)
        rf = RulesFile(p)
        own = plan_rules_file(p, rf, result, module.warn)
        devfs = Runner(module, "devfs") if p["load"] or p["jail"] else None
        read = tool_output(module)
        kernel_before, load = plan_load(p, rf, own, result, read)
        jail_dev = []
        if p["jail"] and p["state"] == "present":
            root = jail_root_path(module, p["jail"])
            jail_dev = plan_jail_dev(p["jail"], root, result, load, read)
        if rf.changed:
            result["actions"].insert(0, "write %s" % p["rules_file"])
        result["changed"] = bool(rf.changed or load or jail_dev)
        if module._diff:
            result["diff"] = diffs(p, rf, result["number"], kernel_before, result["rules"], load)
        if not module.check_mode:
            apply(module, p, rf, load, jail_dev, result, devfs, lambda: Runner(module, "mount"))
    except DevfsRulesError as exc:
        module.fail_json(msg=str(exc), **result)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
