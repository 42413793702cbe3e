#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_base_update
short_description: Bring a jail's FreeBSD base directory to its release's latest patch level
version_added: 0.1.0
description:
  - Patches the base system in O(basedir), a thin jails' shared base or a thick jail's root, with
    C(freebsd-update -b BASEDIR -d WORKDIR --currently-running VERSION --not-running-from-cron fetch), then
    C(install) when there is something to install.
  - Or patches the root of a running thick jail named by O(jail) with C(freebsd-update -j JAIL -d WORKDIR
    --not-running-from-cron fetch), then C(install); C(freebsd-update) finds the jail's root with C(jls) and its
    version with C(freebsd-version -j).
  - The base's own version (C(freebsd-version -u) of the base, the C(USERLAND_VERSION) line of its
    C(/bin/freebsd-version)) is passed with C(--currently-running), so the base is compared with the patches
    of its own release, not with the release of the host's running kernel, which C(freebsd-update -b) uses
    otherwise.
  - A base whose release is newer than the host's kernel (C(freebsd-version -k)) is refused before anything
    runs.
  - When C(freebsd-update) reports that the system is already at the latest patch level, nothing changes and
    the task reports no change.
  - Files under C(freebsd-update)'s C(UpdateIfUnmodified) paths (such as C(/etc)) that were changed locally are
    left as they are and listed in RV(modified_locally).
  - Running jails keep the programs they started with until they are restarted; this module restarts nothing.
    It lists in RV(jails_using) the running jails that use the base, so that a play can restart exactly those
    when the task changed something.
author:
  - bsd.jails developers (@bsd-jails)
extends_documentation_fragment:
  - bsd.jails._attributes
  - bsd.jails._attributes.platform
  - bsd.jails._attributes.actiongroup_jails
attributes:
  check_mode:
    support: full
    details:
      - In check mode C(freebsd-update fetch) still runs, downloading into O(workdir), and tells what would be
        installed; nothing in O(basedir) changes.
  diff_mode:
    support: full
    details:
      - The base's userland version before and after.
options:
  basedir:
    description:
      - The base directory to patch, for example V(/usr/local/jails/templates/14.2-RELEASE) or a thick jail's
        root. Not V(/), the host's own system, which is not a jail's base.
      - Its C(bin/freebsd-version) is read without following symbolic links.
      - Exactly one of O(basedir) and O(jail) is required.
    type: path
  jail:
    description:
      - The name or jid of a running thick jail whose root to patch, with C(freebsd-update -j).
      - A name is checked as the M(bsd.jails.jail) module checks one (letters, digits, V(_) and V(-), parts
        separated by V(.)), so no command reads it as an option or splits it; a jid is a number.
      - A thin jail (one whose C(/bin) is a nullfs mount of a base) is refused; patch its base with O(basedir).
    type: str
  workdir:
    description:
      - C(freebsd-update)'s working directory (C(-d)). It must exist.
    type: path
    default: /var/db/freebsd-update
notes:
  - C(freebsd-update) reads the host's C(/etc/freebsd-update.conf) (its mirror, key and components).
  - A failed fetch (for example, no mirror reachable) fails the task and leaves O(basedir) as it was.
seealso:
  - name: freebsd-update(8)
    description: The FreeBSD tool this module runs.
    link: https://man.freebsd.org/freebsd-update/8
  - name: freebsd-version(1)
    description: How the userland and kernel versions are reported.
    link: https://man.freebsd.org/freebsd-version/1
"""

EXAMPLES = r"""
- name: Patch the thin jails' shared base
  bsd.jails.jail_base_update:
    basedir: /usr/local/jails/templates/14.2-RELEASE
  register: base

- name: Say what changed
  ansible.builtin.debug:
    msg: "{{ base.version_before }} -> {{ base.version_after }}"

- name: Patch a thick jail's root, with a working directory of its own
  bsd.jails.jail_base_update:
    basedir: /usr/local/jails/www
    workdir: /var/db/freebsd-update-www

- name: Patch the running thick jail db
  bsd.jails.jail_base_update:
    jail: db
  register: db_base

- name: Restart the jails that run on the patched shared base, as jail.conf defines them (jail -rc)
  ansible.builtin.command:
    argv: [jail, -rc, "{{ item }}"]
  loop: "{{ base.jails_using if base is changed else [] }}"
  changed_when: true
"""

RETURN = r"""
basedir:
  description: The directory patched (O(basedir), or the root of O(jail)).
  returned: success
  type: str
  sample: /usr/local/jails/templates/14.2-RELEASE
jails_using:
  description:
    - The running jails that use the base (sorted names), in check mode too. Those whose root (C(jls) C(path))
      is the base directory, and those with a nullfs mount of it, or of a directory in it, inside their root
      (C(mount -p -t nullfs)), as thin jails have.
    - They run the old programs until they are restarted; restart them when the task reports a change.
  returned: success
  type: list
  elements: str
  sample: [www, db]
version_before:
  description: The base's userland version before the task (C(freebsd-version -u) inside it).
  returned: success
  type: str
  sample: 14.2-RELEASE-p1
version_after:
  description: The base's userland version after the task; in check mode, what it would be.
  returned: success
  type: str
  sample: 14.2-RELEASE-p3
kernel_version:
  description: The host's installed kernel (C(freebsd-version -k)).
  returned: success
  type: str
  sample: 14.2-RELEASE-p2
target_version:
  description: The patch level C(freebsd-update) updates to (the latest of the base's release).
  returned: success
  type: str
  sample: 14.2-RELEASE-p3
files:
  description: The files C(freebsd-update) installs (or would install), by what happens to them.
  returned: success
  type: dict
  contains:
    updated:
      description: Files replaced by their new version.
      type: list
      elements: str
      sample: [/bin/freebsd-version, /usr/lib/libcrypto.so.30]
    added:
      description: Files that are new.
      type: list
      elements: str
      sample: []
    removed:
      description: Files that go away.
      type: list
      elements: str
      sample: []
modified_locally:
  description: Files with updates that C(freebsd-update) leaves alone because they were changed locally.
  returned: success
  type: list
  elements: str
  sample: [/etc/newsyslog.conf]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._base_update import (
    FREEBSD_UPDATE,
    check_not_newer,
    jails_using,
    parse_fetch,
    thin_source,
    userland_version,
    version_after,
)
from ansible_collections.bsd.jails.plugins.module_utils._host_state import nullfs_mounts, running_jails
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import check_name
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner


def check_params(params):
    """(basedir or None, workdir) normalised; raises JailsError naming the field before anything runs."""
    basedir = params["basedir"]
    workdir = params["workdir"]
    if basedir is not None:
        if not os.path.isabs(basedir):
            raise JailsError("basedir: %r is not an absolute path" % basedir)
        basedir = os.path.normpath(basedir)
        if basedir == "/":
            raise JailsError("basedir: / is the host's own system, not a jail's base")
        if not os.path.isdir(basedir):
            raise JailsError("basedir: %s is not a directory" % basedir)
    if not os.path.isabs(workdir):
        raise JailsError("workdir: %r is not an absolute path" % workdir)
    workdir = os.path.normpath(workdir)
    if not os.path.isdir(workdir):
        raise JailsError("workdir: %s is not a directory (freebsd-update needs an existing one)" % workdir)
    return basedir, workdir


def find_jail(jail, running, nullfs):
    """The root of running thick jail ``jail`` (a name or a jid); raises JailsError naming the field."""
    if isinstance(jail, str) and jail.isdigit() and not jail.startswith("0"):
        found = [p for p in running.values() if p.get("jid") == jail]
    else:
        name = check_name("jail", jail, known=running)
        found = [running[name]] if name in running else []
    if not found:
        raise JailsError("jail: no running jail %s (freebsd-update -j patches a running jail)" % jail)
    root = os.path.normpath(found[0].get("path") or "/")
    if root == "/":
        raise JailsError("jail: %s runs on the host's own system (path /), not on a base of its own" % jail)
    source = thin_source(root, nullfs)
    if source is not None:
        raise JailsError(
            "jail: %s is a thin jail (%s is mounted from %s): patch its base with basedir instead"
            % (jail, root, source)
        )
    return root


def read_version(root, field):
    return userland_version(JailRoot(root, root).read_text("bin/freebsd-version", field=field), root, field)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            basedir=dict(type="path"),
            jail=dict(type="str"),
            workdir=dict(type="path", default="/var/db/freebsd-update"),
        ),
        mutually_exclusive=[("basedir", "jail")],
        required_one_of=[("basedir", "jail")],
        supports_check_mode=True,
    )
    try:
        basedir, workdir = check_params(module.params)
        running = nullfs = None
        if basedir is None:
            running, nullfs = running_jails(module), nullfs_mounts(module)
            field, root = "jail", find_jail(module.params["jail"], running, nullfs)
        else:
            field, root = "basedir", basedir
        before = read_version(root, field)
        kernel = Runner(module, "freebsd-version").out("-k").strip()
        check_not_newer(before, kernel, root, field)
        if running is None:
            running, nullfs = running_jails(module), nullfs_mounts(module)
        users = jails_using({root, os.path.realpath(root)}, running, nullfs)
        if basedir is None:  # -j: freebsd-update finds the root and the version itself (config_TargetJail())
            common = dict(jail=module.params["jail"], workdir=workdir, nocron=True)
        else:
            common = dict(basedir=root, workdir=workdir, running=before, nocron=True)
        spec = " ".join(common)
        update = Runner(module, FREEBSD_UPDATE.binary)
        fetch = FREEBSD_UPDATE.args(spec + " fetch", **common)
        rc, out, err = update.run(*fetch, check=False)
        if rc != 0:
            raise JailsError(
                "freebsd-update fetch for %s failed (exit %d); the base is unchanged" % (root, rc),
                cmd=[update.binary, *fetch],
                rc=rc,
                stdout=out,
                stderr=err,
            )
        fetched = parse_fetch(out)
        changed = not fetched["up_to_date"] and bool(fetched["updated"] + fetched["added"] + fetched["removed"])
        after = version_after(before, fetched) if changed else before
        if changed and not module.check_mode:
            update.run(*FREEBSD_UPDATE.args(spec + " install", **common))
            after = read_version(root, field)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    result = dict(
        changed=changed,
        basedir=root,
        version_before=before,
        version_after=after,
        kernel_version=kernel,
        target_version=fetched["target"],
        files={k: fetched[k] for k in ("updated", "added", "removed")},
        modified_locally=fetched["modified"],
        jails_using=users,
    )
    if module._diff:
        result["diff"] = dict(
            before="%s\n" % before,
            after="%s\n" % after,
            before_header="%s (freebsd-version -u)" % root,
            after_header="%s (freebsd-version -u)" % root,
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
