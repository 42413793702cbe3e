#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_file
short_description: Write a file or make a directory inside a jail's root without following its links
version_added: 0.1.0
description:
  - Creates or updates one file, or makes one directory, at O(path) inside the directory tree O(root) (a jail's
    root, or a base that becomes one), from the host.
  - A jail's root belongs to the jail, whose root user can replace any directory or file in it with a symbolic
    link to the host's files, between a check and a write. This module never looks a name up through a link
    there, so checking and writing cannot be told apart by the jail. O(path) is walked from a descriptor of
    O(root) one component at a time, each opened with C(O_NOFOLLOW) relative to its parent; a file is written
    to a new temporary file in its final directory and renamed over the old one by descriptor, and modes are
    changed through a descriptor.
  - A component of O(path) that is a symbolic link fails the task, naming it and where it points, before
    anything changes. So does a V(..) component.
  - The parent directory of O(path) must already exist.
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
      - A text diff of the file, or the directory's state and mode.
options:
  root:
    description:
      - The host path of the jail's root, for example V(/usr/local/jails/www). It is trusted (the host's own
        directories lead to it); everything below it is not.
    type: path
    required: true
  path:
    description:
      - The file or directory inside O(root), for example V(/etc/rc.conf) or V(etc/rc.conf).
      - It may not contain V(..), and none of its components may be a symbolic link.
    type: str
    required: true
  state:
    description:
      - V(file) makes O(path) a regular file, V(directory) a directory.
    type: str
    choices: [file, directory]
    default: file
  content:
    description:
      - The whole content of the file.
      - Without O(content), O(src) or O(assignments), a missing file is created empty and an existing one is left
        as it is.
      - The value is treated as a secret, as M(ansible.builtin.copy) treats its
        O(ansible.builtin.copy#module:content), so it is masked wherever it appears in the task's output, including
        the diff.
    type: str
  src:
    description:
      - A file on the host (outside the jail) whose content the file gets, for example V(/etc/resolv.conf).
    type: path
  assignments:
    description:
      - Shell variable assignments as in C(rc.conf), each written as C(NAME="value") the way C(sysrc) writes
        them; the last line assigning a name is replaced in place, otherwise a line is added. Every other line,
        comments included, is kept.
      - Names are shell variable names; a value may not hold a newline, C("), C(\\), C($) or a backquote.
    type: dict
  mode:
    description:
      - The permissions, as an octal string such as V("0644").
      - Without it, an existing file or directory keeps its mode, a new file gets V(0644) and a new directory
        V(0755).
    type: raw
  force:
    description:
      - With V(false), an existing file keeps its content (O(content) and O(src) only fill a missing file).
    type: bool
    default: true
  jail:
    description:
      - A name for O(root) in messages, for example the jail's name. Defaults to O(root).
    type: str
notes:
  - The owner and group of an existing file are kept; a new file belongs to the user the module runs as.
seealso:
  - module: bsd.jails.jail_sysctl
  - name: jail(8)
    description: Why a jail's root must not be reachable by unprivileged host users.
    link: https://man.freebsd.org/jail/8
"""

EXAMPLES = r"""
- name: Give a jail's base an empty fstab, without replacing one that exists
  bsd.jails.jail_file:
    root: /usr/local/jails/www
    path: /etc/fstab
    content: ""
    force: false
    mode: "0644"

- name: Copy the host's resolv.conf into the jail
  bsd.jails.jail_file:
    root: /usr/local/jails/www
    path: /etc/resolv.conf
    src: /etc/resolv.conf
    mode: "0644"

- name: Set rc.conf variables in the jail
  bsd.jails.jail_file:
    root: /usr/local/jails/www
    path: /etc/rc.conf
    assignments:
      sendmail_enable: NONE
      syslogd_flags: -ss

- name: The /dev mount point
  bsd.jails.jail_file:
    root: /usr/local/jails/www
    path: /dev
    state: directory
    mode: "0555"
"""

RETURN = r"""
path:
  description: The host path of O(path) inside O(root).
  returned: always
  type: str
  sample: /usr/local/jails/www/etc/rc.conf
created:
  description: Whether the file or directory was (or, in check mode, would be) created.
  returned: always
  type: bool
  sample: false
"""

import os
import re
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._fileio import file_diff
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot, components
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

MODE_RE = re.compile(r"^0?[0-7]{3,4}$")
SHELL_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UNSAFE_VALUE = ("\n", "\r", '"', "\\", "$", "`")


def parse_mode(value):
    """``"0644"`` or ``420`` (YAML's 0644) -> 0o644; None when not given; raises JailsError naming the field."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise JailsError("mode: %r is not an octal mode such as '0644'" % (value,))
    if isinstance(value, int):
        if 0 <= value <= 0o7777:
            return value
        raise JailsError("mode: %r is not an octal mode such as '0644'" % (value,))
    text = str(value).strip()
    if not MODE_RE.match(text):
        raise JailsError("mode: %r is not an octal mode such as '0644'" % (value,))
    return int(text, 8)


def check_assignments(assignments):
    """{name: value} -> {name: value text}; raises JailsError naming the field."""
    out = {}
    for name, value in assignments.items():
        if not isinstance(name, str) or not SHELL_NAME_RE.match(name):
            raise JailsError("assignments: %r is not a shell variable name" % (name,))
        if isinstance(value, (dict, list)) or value is None:
            raise JailsError("assignments.%s: the value must be a string or a number" % name)
        text = ("YES" if value else "NO") if isinstance(value, bool) else str(value)
        bad = [c for c in UNSAFE_VALUE if c in text]
        if bad:
            raise JailsError(
                "assignments.%s: value %r holds %r, which rc.conf would read as shell syntax" % (name, text, bad[0])
            )
        out[name] = text
    return out


def _assigned(line, name):
    """The value ``line`` assigns to ``name`` as sh(1) would read a simple assignment; False when it does not
    assign ``name``, None when it does in a form this module does not read (it is then rewritten)."""
    m = re.match(r"^\s*%s=(.*)$" % re.escape(name), line)
    if not m:
        return False
    v = re.match(r"""^(?:"([^"\\$`]*)"|'([^']*)'|([^\s#"'\\$`;&|<>()]*))\s*(?:#.*)?$""", m.group(1))
    if not v:
        return None
    return next(g for g in v.groups() if g is not None)


def set_assignments(text, assignments):
    """``text`` with each ``name="value"`` set: the last line assigning the name is replaced, else one added."""
    lines = (text or "").splitlines(True)
    for name, value in assignments.items():
        last = None
        for i, line in enumerate(lines):
            if _assigned(line.rstrip("\r\n"), name) is not False:
                last = i
        if last is not None:
            if _assigned(lines[last].rstrip("\r\n"), name) == value:
                continue
            end = lines[last][len(lines[last].rstrip("\r\n")) :] or "\n"
            lines[last] = '%s="%s"%s' % (name, value, end)
        else:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            lines.append('%s="%s"\n' % (name, value))
    return "".join(lines)


def read_src(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="surrogateescape")
    except OSError as exc:
        raise JailsError("src: cannot read %s: %s" % (path, exc.strerror)) from None


def plan_file(jr, p, mode, result):
    """The file's text before and after, and whether its mode changes; nothing written."""
    st = jr.lstat(p["path"])
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise JailsError("path: %s exists and is not a regular file" % result["path"])
    before = jr.read_text(p["path"]) if st is not None else None
    if p["assignments"] is not None:
        after = set_assignments(before, check_assignments(p["assignments"]))
    elif p["content"] is not None or p["src"] is not None:
        new = p["content"] if p["content"] is not None else read_src(p["src"])
        after = new if before is None or p["force"] else before
    else:
        after = before if before is not None else ""
    mode_changes = mode is not None and st is not None and stat.S_IMODE(st.st_mode) != mode
    return st, before, after, mode_changes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            path=dict(type="str", required=True),
            state=dict(type="str", choices=["file", "directory"], default="file"),
            content=dict(type="str", no_log=True),
            src=dict(type="path"),
            assignments=dict(type="dict"),
            mode=dict(type="raw"),
            force=dict(type="bool", default=True),
            jail=dict(type="str"),
        ),
        mutually_exclusive=[("content", "src", "assignments")],
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False, created=False)
    try:
        # 1. validate every input before reading anything below the root
        if not p["root"].startswith("/"):
            raise JailsError("root: %r is not an absolute path" % p["root"])
        if not os.path.isdir(p["root"]):
            raise JailsError("root: %s is not a directory" % p["root"])
        components(p["path"], "path")
        mode = parse_mode(p["mode"])
        if p["state"] == "directory" and any(p[k] is not None for k in ("content", "src", "assignments")):
            raise JailsError("state=directory takes no content, src or assignments")
        if p["assignments"] is not None:
            check_assignments(p["assignments"])
        jr = JailRoot(p["root"], p["jail"] or p["root"])
        result["path"] = jr.path(p["path"])

        # 2. plan
        if p["state"] == "directory":
            st = jr.lstat(p["path"])
            if st is not None and not stat.S_ISDIR(st.st_mode):
                raise JailsError("path: %s exists and is not a directory" % result["path"])
            created = st is None
            new_mode = (0o755 if mode is None else mode) if created else mode
            mode_changes = not created and mode is not None and stat.S_IMODE(st.st_mode) != mode
            result.update(changed=created or mode_changes, created=created)
            if module._diff and result["changed"]:
                result["diff"] = {
                    "before_header": result["path"],
                    "after_header": result["path"],
                    "before": {
                        "state": "absent" if created else "directory",
                        "mode": None if created else oct(st.st_mode & 0o7777),
                    },
                    "after": {"state": "directory", "mode": oct(new_mode if created else mode)},
                }
            if not module.check_mode:
                if created:
                    jr.make_dir(p["path"], new_mode)
                elif mode_changes:
                    jr.set_mode(p["path"], mode)
        else:
            st, before, after, mode_changes = plan_file(jr, p, mode, result)
            content_changes = after != before
            result.update(changed=content_changes or mode_changes, created=st is None)
            if module._diff and result["changed"]:
                result["diff"] = file_diff(result["path"], before, after)
                if mode_changes:
                    result["diff"]["before_header"] += " (mode %s)" % oct(stat.S_IMODE(st.st_mode))
                    result["diff"]["after_header"] += " (mode %s)" % oct(mode)
            if not module.check_mode:
                if content_changes:
                    jr.write_text(p["path"], after, mode=0o644 if mode is None else mode)
                if mode is not None and (content_changes or mode_changes):
                    jr.set_mode(p["path"], mode)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
