#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_rctl
short_description: Limit the resources of FreeBSD jails with rctl, live and in rctl.conf
version_added: 0.1.0
description:
  - Declares the C(rctl) resource limits of one jail (O(name), O(limits)) or of several (O(jails)), for example
    C(memoryuse), C(maxproc) and C(pcpu), each with its action (V(deny) unless given).
  - Applies them to the running kernel with C(rctl -a jail:NAME:RESOURCE:ACTION=AMOUNT) and writes them to
    O(rctl_conf), which C(/etc/rc.d/rctl) loads at boot. A limit of a jail that is not running is applied too;
    the kernel keeps rules by jail name and enforces them once a jail of that name starts; such jails are listed in
    RV(not_running).
  - The limits given for a jail are all of its limits the collection manages. A limit dropped from the list is
    removed precisely, with C(rctl -r) of that one rule and the removal of its line from O(rctl_conf); a changed
    C(deny) amount replaces the rule in one C(rctl -a). Rules and lines the collection did not write, and the
    limits of jails not listed, are left alone.
  - "The collection's lines in O(rctl_conf) end with the comment C(# bsd.jails: managed), which C(/etc/rc.d/rctl)
    ignores (it reads the first word of a line)."
  - Every resource, action, amount and C(per) is checked against C(rctl(8)) before anything changes; the task fails
    naming the field, for example C(jails[2].limits.memoryuse).
  - RACCT/RCTL is off in FreeBSD's GENERIC kernel until C(kern.racct.enable=1) is set in C(/boot/loader.conf) and
    the host is rebooted. While it is off the limits are written to O(rctl_conf) only, RV(applied) is V(false) and
    the task warns that they do not apply. With O(racct_enable=true) the module also sets the tunable in
    O(loader_conf) and returns RV(reboot_required=true); after the reboot C(/etc/rc.d/rctl) applies O(rctl_conf).
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
      - O(rctl_conf) (and O(loader_conf) when it changes) as text diffs, the live rules of the listed jails as a dict.
options:
  name:
    description:
      - The jail whose limits are declared.
    type: str
  limits:
    description:
      - The limits of O(name), a dict of resource and amount, or of resource and a dict with C(amount), C(action)
        and C(per).
      - Resources are those of C(rctl(8)), for example V(memoryuse), V(vmemoryuse), V(maxproc), V(openfiles),
        V(pcpu) (percent of one CPU), V(readbps), V(writebps).
      - An amount is a number, optionally with a unit V(k), V(m), V(g), V(t), V(p) or V(e) (powers of 1024), for
        example V(2G).
      - C(action) is V(deny) (the default), V(log), V(devctl), V(throttle) or a signal such as V(sigterm).
      - C(per) is V(jail) (the default), V(process), V(user) or V(loginclass).
      - An empty dict removes every limit the collection set for the jail.
    type: dict
    default: {}
  jails:
    description:
      - Several jails at once, each with C(name) and C(limits) as above.
    type: list
    elements: dict
    suboptions:
      name:
        description: The jail.
        type: str
        required: true
      limits:
        description: Its limits, as O(limits).
        type: dict
        default: {}
  racct_enable:
    description:
      - When RACCT/RCTL is off, set C(kern.racct.enable=1) in O(loader_conf) and report RV(reboot_required).
    type: bool
    default: false
  rctl_conf:
    description:
      - The file C(/etc/rc.d/rctl) loads at boot (C(rctl_rules) in C(rc.conf)).
    type: path
    default: /etc/rctl.conf
  loader_conf:
    description:
      - The loader configuration file written with O(racct_enable=true).
    type: path
    default: /boot/loader.conf
  backup:
    description:
      - Keep a copy of O(rctl_conf) and O(loader_conf) before changing them.
    type: bool
    default: false
  validate_only:
    description:
      - Only check the jail names and limits, running nothing and changing nothing; the task fails naming the field.
        The role C(bsd.jails.jails) calls it before it changes anything.
    type: bool
    default: false
notes:
  - A C(kern.racct.enable) set in C(/boot/loader.conf.local) overrides O(loader_conf).
  - One rule per resource and jail; limits for other subjects (users, login classes) are outside this module.
seealso:
  - name: rctl(8)
    description: Rule syntax, resources and actions.
    link: https://man.freebsd.org/rctl/8
  - name: rctl.conf(5)
    description: The file loaded at boot.
    link: https://man.freebsd.org/rctl.conf/5
  - module: bsd.jails.jail
"""

EXAMPLES = r"""
- name: Limit a jail's memory, processes and CPU
  bsd.jails.jail_rctl:
    name: www
    limits:
      memoryuse: 2G
      maxproc: 200
      pcpu: 50

- name: Several jails; log instead of deny, and throttle disk reads
  bsd.jails.jail_rctl:
    jails:
      - name: www
        limits:
          memoryuse: {amount: 1G, action: log}
          readbps: {amount: 10M, action: throttle}
      - name: db
        limits:
          vmemoryuse: 8G

- name: Turn RACCT/RCTL on (takes effect after a reboot)
  bsd.jails.jail_rctl:
    name: www
    limits:
      memoryuse: 2G
    racct_enable: true
  register: rctl

- name: Reboot when the kernel tunable changed
  ansible.builtin.reboot:
  when: rctl.reboot_required

- name: Remove every limit the collection set on a jail
  bsd.jails.jail_rctl:
    name: www
    limits: {}
"""

RETURN = r"""
rules:
  description:
    - The rules of each listed jail after the task, as C(rctl) lists them; while RACCT/RCTL is off, the rules written to
      O(rctl_conf).
  returned: always
  type: dict
  sample: {www: ["jail:www:memoryuse:deny=2147483648", "jail:www:maxproc:deny=200"]}
actions:
  description: The C(rctl) commands run (in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["rctl -r jail:www:pcpu:deny=50", "rctl -a jail:www:memoryuse:deny=2147483648"]
racct_enabled:
  description: Whether RACCT/RCTL is on in the running kernel (C(kern.racct.enable)).
  returned: always
  type: bool
  sample: true
applied:
  description: Whether the rules are in force in the running kernel; V(false) while RACCT/RCTL is off.
  returned: always
  type: bool
  sample: true
reboot_required:
  description:
    - RACCT/RCTL is off now but set in O(loader_conf) (by this task or before); the limits apply after a reboot.
  returned: always
  type: bool
  sample: false
not_running:
  description: Listed jails that are not running; their rules apply when they start.
  returned: always
  type: list
  elements: str
  sample: [db]
backup_file:
  description: The backups of the files changed, when O(backup=true).
  returned: changed and backup made
  type: list
  elements: str
  sample: [/etc/rctl.conf.1234.2024-01-01@00:00:00~]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._fileio import file_diff, read_text, write_atomic
from ansible_collections.bsd.jails.plugins.module_utils._host_state import running_jails
from ansible_collections.bsd.jails.plugins.module_utils._rctl import (
    RACCT_OID,
    desired,
    edit_conf,
    edit_loader,
    live_after,
    loader_enabled,
    owned_rules,
    parse_rules,
    plan_live,
    rule_jail,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner, operands


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            limits=dict(type="dict", default={}),
            jails=dict(
                type="list",
                elements="dict",
                options=dict(name=dict(type="str", required=True), limits=dict(type="dict", default={})),
            ),
            racct_enable=dict(type="bool", default=False),
            rctl_conf=dict(type="path", default="/etc/rctl.conf"),
            loader_conf=dict(type="path", default="/boot/loader.conf"),
            backup=dict(type="bool", default=False),
            validate_only=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("name", "jails")],
        required_one_of=[("name", "jails")],
        supports_check_mode=True,
    )


def racct_on(module):
    rc, out, err = Runner(module, "sysctl").run("-n", RACCT_OID, check=False)
    if rc != 0:
        raise JailsError(
            "%s is unknown: this kernel has no RACCT/RCTL (options RACCT and RCTL), rctl limits cannot apply"
            % RACCT_OID,
            rc=rc,
            stdout=out,
            stderr=err,
        )
    return out.strip() not in ("", "0")


def main():
    module = build_module()
    p = module.params
    result = dict(changed=False, rules={}, actions=[], racct_enabled=False, applied=False, reboot_required=False)
    try:
        if p["jails"] is not None:
            want = desired(p["jails"])
        else:
            want = desired([dict(name=p["name"], limits=p["limits"])], single=True)
        for key in ("rctl_conf", "loader_conf"):
            if not p[key].startswith("/"):
                raise JailsError("%s: %r is not an absolute path" % (key, p[key]))
        if p["validate_only"]:
            result.update(rules=want, not_running=[])
            module.exit_json(**result)
        enabled = racct_on(module)
        conf_text = read_text(p["rctl_conf"])
        new_conf = edit_conf(conf_text, want)
        loader_text = new_loader = None
        if not enabled:
            loader_text = read_text(p["loader_conf"])
            new_loader = edit_loader(loader_text) if p["racct_enable"] else loader_text
        rctl = Runner(module, "rctl")
        live = []
        remove = add = []
        if enabled:
            live = [r for r in parse_rules(rctl.out(*operands(["jail:"]))) if rule_jail(r) in want]
            remove, add = plan_live(live, owned_rules(conf_text), want)
        running = running_jails(module)
        result.update(
            racct_enabled=enabled,
            applied=enabled,
            reboot_required=not enabled and loader_enabled(new_loader),
            not_running=sorted(j for j in want if j not in running),
            actions=["rctl -r %s" % r for r in remove] + ["rctl -a %s" % r for r in add],
        )
        after_live = live_after(live, remove, add)
        result["rules"] = {j: ([r for r in after_live if rule_jail(r) == j] if enabled else want[j]) for j in want}
        conf_changed = new_conf != (conf_text or "")
        loader_changed = new_loader is not None and new_loader != (loader_text or "")
        result["changed"] = bool(remove or add or conf_changed or loader_changed)
        if module._diff:
            diff = [file_diff(p["rctl_conf"], conf_text, new_conf)]
            if enabled:
                diff.append(
                    dict(
                        before_header="rctl (live)",
                        after_header="rctl (live)",
                        before={j: [r for r in live if rule_jail(r) == j] for j in want},
                        after=result["rules"],
                    )
                )
            if loader_changed:
                diff.append(file_diff(p["loader_conf"], loader_text, new_loader))
            result["diff"] = diff
        if not enabled and (any(want.values()) or conf_changed or result["reboot_required"]):
            if result["reboot_required"]:
                module.warn(
                    "RACCT/RCTL is off until the host reboots (%s=1 is set in %s): the limits are written to %s "
                    "and apply after the reboot, not before" % (RACCT_OID, p["loader_conf"], p["rctl_conf"])
                )
            else:
                module.warn(
                    "RACCT/RCTL is disabled (%s=0): the limits are written to %s but do NOT apply; set "
                    "racct_enable=true (%s=1 in %s) and reboot"
                    % (RACCT_OID, p["rctl_conf"], RACCT_OID, p["loader_conf"])
                )
        if not module.check_mode:
            if remove:
                rctl.run("-r", *operands(remove))
            if add:
                rctl.run("-a", *operands(add))
            backups = []
            if conf_changed:
                backups.append(write_atomic(module, p["rctl_conf"], new_conf, backup=p["backup"]))
            if loader_changed:
                backups.append(write_atomic(module, p["loader_conf"], new_loader, backup=p["backup"]))
            if any(backups):
                result["backup_file"] = [b for b in backups if b]
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
