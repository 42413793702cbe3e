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


def main():
    module = AnsibleModule(
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
    p = module.params
    jail = p["jail"]
    result = dict(changed=False, sysctls={}, persisted_to=None)
    try:
        wanted = wanted_values(p)
        if p["state"] == "absent" and not p["persist"]:
            raise JailsError("state=absent removes persisted lines: it needs persist=true")
        names = list(wanted)
        check_sysctl_file(p)

        if p["validate_only"]:
            # the host's MIB is the jail's: names, types and ranges, nothing read in the jail, nothing set
            if p["state"] == "present":
                check_batch(module, wanted, jail, compare=jail is None, on_host=True)
            module.exit_json(**result)

        # 1. read and validate everything
        live = {}
        if p["state"] == "present":
            live = check_batch(module, wanted, jail)
            for name in names:  # "1.0" for an integer oid is sent as "1"
                if is_integer(live[name]) and integer_text(wanted[name]) is not None:
                    wanted[name] = integer_text(wanted[name])
            for name in names:
                warning = deprecation_warning(name, jail)
                if warning:
                    module.warn(warning)

        conf_path = None
        before_text = after_text = None
        if p["persist"]:
            conf_path = p["sysctl_file"]
            jail_root = None
            if jail is not None:
                # the file is read and written through the jail's root, never through a link in it
                jail_root = JailRoot(jail_root_path(module, jail), jail)
                conf_path = jail_root.path(p["sysctl_file"])
                before_text = jail_root.read_text(p["sysctl_file"], "sysctl_file")
            else:
                before_text = read_text(conf_path)
            conf = SysctlConf(before_text)
            for name in names:
                if p["state"] == "present":
                    if conf.get(name) is None or not values_equal(conf.get(name), wanted[name]):
                        conf.set(name, wanted[name])
                else:
                    conf.remove(name)
            after_text = conf.render()
            if before_text is None and after_text == "":
                after_text = None
        result["persisted_to"] = conf_path

        # 2. plan
        to_set = []
        if p["state"] == "present":
            for name in names:
                result["sysctls"][name] = {"before": live[name], "after": live[name]}
                if not values_equal(live[name], wanted[name]):
                    to_set.append(name)
                    result["sysctls"][name]["after"] = wanted[name]
        else:
            before_conf = SysctlConf(before_text).entries()
            for name in names:
                result["sysctls"][name] = {"before": before_conf.get(name), "after": None}
        file_changed = p["persist"] and after_text != before_text
        result["changed"] = bool(to_set) or bool(file_changed)
        if module._diff:
            diffs = []
            if to_set:
                diffs.append(
                    {
                        "before_header": "sysctl (%s)" % (jail or "host"),
                        "after_header": "sysctl (%s)" % (jail or "host"),
                        "before": dict((n, live[n]) for n in to_set),
                        "after": dict((n, wanted[n]) for n in to_set),
                    }
                )
            if file_changed:
                diffs.append(file_diff(conf_path, before_text, after_text))
            result["diff"] = diffs

        # 3. apply: live values first, the file only once the kernel took them all; a failure part-way
        # sets back what was changed, so the jail (or host) is left as it was before the task
        before_live = dict((n, live[n]) for n in to_set)
        if to_set and not module.check_mode:
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
        if file_changed and not module.check_mode:
            try:
                if jail_root is not None:
                    backup_file = jail_root.write_text(
                        p["sysctl_file"], after_text or "", p["backup"], field="sysctl_file"
                    )
                else:
                    backup_file = write_atomic(module, conf_path, after_text or "", backup=p["backup"])
            except JailsError as exc:
                if to_set:
                    raise_rolled_back(module, jail, before_live, "sysctl_file: %s" % exc.msg, exc.details)
                raise
            if backup_file:
                result["backup_file"] = backup_file
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
