#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_sysctl
short_description: Set FreeBSD sysctls on the host or inside a running jail, live and in sysctl.conf
version_added: 0.1.0
description:
  - Sets one (O(name), O(value)) or many (O(sysctls)) kernel variables with C(sysctl), on the host or, with
    O(jail), inside a running jail through C(jexec).
  - All requested variables are read with one C(sysctl -e) call, their types with one C(sysctl -t -e) call, and
    set with one C(sysctl name=value ...) call.
  - With O(persist=true) the values are also written to O(sysctl_file), which C(/etc/rc.d/sysctl) applies at
    boot with C(sysctl -f); the value of a line already setting the name is replaced (also one written with
    blanks around C(=) or C(:), as C(sysctl -f) reads it), otherwise a C(name=value) line is added; comments
    and every other line are kept.
  - Refuses before changing anything, for the whole batch, an unknown oid, a read-only oid, a boot-time tunable
    (those belong in C(/boot/loader.conf)), a value of the wrong type or out of the range of the oid's type
    (as C(sysctl -t) reports it, for example V(-5) for an C(unsigned long) or V(99999999999999999999) for an
    C(integer)), a relative O(sysctl_file), and lowering C(kern.securelevel).
  - With O(jail), O(sysctl_file) is read and written inside the jail's root one path component at a time,
    never through a symbolic link; a jail's root user can replace C(etc) or C(etc/sysctl.conf) with a link to
    the host's files, so a link anywhere on the path fails the task, naming it, before anything changes.
  - Sets the live values before it writes O(sysctl_file). When C(sysctl) fails part-way through the batch (the
    kernel refuses one value after it took others), or the file cannot be written, the values already changed
    are set back to what they were before the task and the task fails naming the oid; a value the kernel will
    not take back (a raised C(kern.securelevel)) is named in the message.
  - With O(validate_only=true) nothing is read or written in a jail and nothing changes anywhere. The names,
    types and ranges of the batch are checked against the host's C(sysctl -e) and C(sysctl -t -e), which is
    how a jail sees them too (a jail shares the host's kernel and MIB). The role C(bsd.jails.jails) calls it
    for every jail before it starts any.
  - Warns when a deprecated host-wide C(security.jail.*) knob is set and names the jail parameter that replaces
    it (for example C(security.jail.allow_raw_sockets) and C(allow.raw_sockets)), to be set per jail with
    M(bsd.jails.jail).
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
      - The live values as a dict diff, the persisted file as a text diff.
options:
  name:
    description:
      - The sysctl to set, for example V(kern.securelevel).
    type: str
  value:
    description:
      - The value for O(name). Booleans become V(1) and V(0).
      - Required with O(name) when O(state=present).
    type: raw
  sysctls:
    description:
      - Several sysctls at once, as a dict of name and value.
    type: dict
  jail:
    description:
      - Name or jid of a running jail to set the values in (through C(jexec)).
      - With O(persist=true) the file is O(sysctl_file) inside the jail's root (its C(path)).
    type: str
  persist:
    description:
      - Also write the values to O(sysctl_file) so they survive a reboot.
    type: bool
    default: true
  sysctl_file:
    description:
      - The file the values are persisted in, for example V(/etc/sysctl.conf.local). An absolute path.
      - With O(jail), a path inside the jail's root; it may not contain V(..) and none of its components may
        be a symbolic link.
    type: path
    default: /etc/sysctl.conf
  state:
    description:
      - V(present) sets the values (live and, with O(persist=true), in the file).
      - V(absent) removes the lines of the names from O(sysctl_file); the live values are not touched.
    type: str
    choices: [present, absent]
    default: present
  backup:
    description:
      - Keep a copy of O(sysctl_file) before changing it.
    type: bool
    default: false
  validate_only:
    description:
      - Only check the batch, changing nothing and reading nothing inside a jail; the task fails, naming the field,
        when a name is unknown, read only or a boot-time tunable, or a value is not of the oid's type or out of
        its range, as the host's C(sysctl -t) reports it. O(jail) need not be running.
      - What depends on the jail's own current values (a C(kern.securelevel) that may only be raised) is
        checked when the values are set.
    type: bool
    default: false
notes:
  - A sysctl whose current value is an integer only takes integers.
  - A jail can only set the sysctls its jail parameters allow; C(kern.securelevel) can only be raised. To keep a
    jail's securelevel across restarts use the C(securelevel) option of M(bsd.jails.jail).
seealso:
  - module: bsd.jails.jail
  - name: sysctl.conf(5)
    description: The file format.
    link: https://man.freebsd.org/sysctl.conf/5
"""

EXAMPLES = r"""
- name: Allow unprivileged users to see only their own processes
  bsd.jails.jail_sysctl:
    name: security.bsd.see_other_uids
    value: 0

- name: Several host sysctls, persisted in /etc/sysctl.conf.local
  bsd.jails.jail_sysctl:
    sysctls:
      security.bsd.see_other_gids: 0
      security.bsd.unprivileged_read_msgbuf: 0
    sysctl_file: /etc/sysctl.conf.local

- name: Raise the securelevel inside a running jail, live only
  bsd.jails.jail_sysctl:
    jail: www
    name: kern.securelevel
    value: 3
    persist: false

- name: Check a jail's sysctls before the jail exists
  bsd.jails.jail_sysctl:
    jail: www
    sysctls:
      kern.securelevel: 3
    validate_only: true

- name: Stop persisting a value
  bsd.jails.jail_sysctl:
    name: security.bsd.see_other_uids
    state: absent
"""

RETURN = r"""
sysctls:
  description:
    - For each name, the live value before and after (with O(state=absent), the persisted value before and after).
  returned: always
  type: dict
  sample: {kern.securelevel: {before: "-1", after: "3"}}
persisted_to:
  description: The file written or checked (inside the jail's root with O(jail)); null with O(persist=false).
  returned: always
  type: str
  sample: /etc/sysctl.conf
rolled_back:
  description:
    - When a failed task set values back, each name with the value it was set back to (in the failure result).
  returned: failure after a part of the batch was set
  type: dict
  sample: {kern.hostname: www.example.org}
backup_file:
  description: The backup of O(sysctl_file), when O(backup=true) and it changed.
  returned: changed and backup made
  type: str
  sample: /etc/sysctl.conf.1234.2024-01-01@00:00:00~
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError
from ansible_collections.bsd.jails.plugins.module_utils._sysctl_plan import (
    SysctlFile,
    apply,
    check_batch,
    check_params,
    diffs,
    plan_values,
    read_live_values,
)


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            value=dict(type="raw"),
            sysctls=dict(type="dict"),
            jail=dict(type="str"),
            persist=dict(type="bool", default=True),
            sysctl_file=dict(type="path", default="/etc/sysctl.conf"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            backup=dict(type="bool", default=False),
            validate_only=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("name", "sysctls"), ("value", "sysctls")],
        required_one_of=[("name", "sysctls")],
        required_by={"value": "name"},
        supports_check_mode=True,
    )


def main():
    module = build_module()
    p = module.params
    jail = p["jail"]
    result = dict(changed=False, sysctls={}, persisted_to=None)
    try:
        wanted = check_params(p)
        if p["validate_only"]:
            # the host's MIB is the jail's: names, types and ranges, nothing read in the jail, nothing set
            if p["state"] == "present":
                check_batch(module, wanted, jail, compare=jail is None, on_host=True)
            module.exit_json(**result)
        live = read_live_values(module, p, wanted, module.warn)
        sysctl_file = SysctlFile(module, p)
        sysctl_file.plan(wanted)
        result["persisted_to"] = sysctl_file.path
        to_set = plan_values(p, wanted, live, sysctl_file, result)
        result["changed"] = bool(to_set) or sysctl_file.changed
        if module._diff:
            result["diff"] = diffs(jail, wanted, live, to_set, sysctl_file)
        if not module.check_mode:
            apply(module, p, wanted, live, to_set, sysctl_file, result)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
