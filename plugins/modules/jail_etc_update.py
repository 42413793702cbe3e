#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_etc_update
short_description: Merge a thin jail's own FreeBSD configuration files with a newer release's, with etcupdate
version_added: 0.1.0
description:
  - A thin jail reads its programs from a shared base mounted read-only, but has its own copy of C(/etc),
    C(/root) and C(/var), taken from the base when the jail was made. When the jail moves to a newer release's
    base, this module merges that copy with the release's, as M(bsd.jails.jail_base_update) does for a thick
    jail after C(freebsd-update upgrade), the same merge.
  - Runs C(etcupdate -d ETC_WORKDIR -t ETC_TARBALL -D ROOT -I PROGRAMS) on the host, against the stock tree
    C(etcupdate) keeps in O(etc_workdir) (made first with C(etcupdate extract -t ETC_PREVIOUS_TARBALL) when
    there is none). An unmodified file is replaced, a locally modified one merged when it can be; when it
    cannot, the file is left exactly as it is and the conflict kept in O(etc_workdir)C(/conflicts), listed in
    RV(etc.conflicts). Nothing overwrites a local change.
  - The release of the stock tree (its C(bin/freebsd-version)) says what the jail's files were merged with
    last. Older than O(release), they are merged; the same release, nothing changes (a second run); newer
    (a rollback to an older release), nothing changes either and the task warns, as C(etcupdate) merges forward
    and merging an older release would take the newer release's changes back out of the files, local changes
    around them included. Restore them from a backup if needed.
  - Refused before any change, naming the field, a root with conflicts left from a previous merge (resolve them
    with C(etcupdate resolve)), no stock tree and no O(etc_previous_tarball), and a root where a directory the
    merge writes in is a symbolic link (C(etcupdate) runs on the host and would write through it).
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
      - C(etcupdate -n) predicts the merge in a scratch working directory (C(-n) leaves the root alone but
        rotates the trees of its working directory); RV(etc) lists what would happen, conflicts included.
        Nothing in O(root) or O(etc_workdir) changes.
  diff_mode:
    support: none
options:
  root:
    description:
      - The jail's root directory (C(etcupdate -D)), for example V(/usr/local/jails/www). Not V(/).
    type: path
    required: true
  release:
    description:
      - The release the jail moves to, such as V(14.3-RELEASE); O(etc_tarball) is its C(base.txz).
    type: str
    required: true
  etc_tarball:
    description:
      - The new release's C(base.txz) (or a tarball made with C(etcupdate build)), that C(etcupdate -t) reads
        the stock files from. Its programs are ignored (C(-I)); the jail reads them from its base.
    type: path
    required: true
  etc_previous_tarball:
    description:
      - The C(base.txz) of the release the jail's files came from, recorded with C(etcupdate extract) as the stock
        tree to compare with. Required when O(etc_workdir) has no tree yet.
    type: path
  workdir:
    description:
      - The directory under which O(etc_workdir) defaults to be, the same as M(bsd.jails.jail_base_update)'s.
    type: path
    default: /var/db/freebsd-update
  etc_workdir:
    description:
      - C(etcupdate)'s working directory (C(-d)) for this root, on the host. Defaults to the root's path below
        O(workdir)C(/etcupdate), for example V(/var/db/freebsd-update/etcupdate/usr/local/jails/www), not the
        root's own C(/var/db/etcupdate), which the jail's root user could replace with a link.
    type: path
  etc_conflicts:
    description:
      - What a conflict does. V(warn), the task succeeds with a warning naming the files; V(fail), the task
        fails after the merge, naming them. Either way the local file is kept as it is.
    type: str
    choices: [warn, fail]
    default: warn
seealso:
  - module: bsd.jails.jail_base_update
  - name: etcupdate(8)
    description: The FreeBSD tool this module runs.
    link: https://man.freebsd.org/etcupdate/8
"""

EXAMPLES = r"""
- name: Merge the thin jail www's /etc with 14.3-RELEASE's (it moves to the 14.3 base)
  bsd.jails.jail_etc_update:
    root: /usr/local/jails/www
    release: 14.3-RELEASE
    etc_tarball: /usr/freebsd-dist/14.3-RELEASE/base.txz
    etc_previous_tarball: /usr/freebsd-dist/14.2-RELEASE/base.txz
  register: www_etc

- name: Say which files need a hand
  ansible.builtin.debug:
    msg: >-
      Resolve {{ www_etc.etc.conflicts | join(', ') }} with
      etcupdate resolve -d {{ www_etc.etc_workdir }} -D /usr/local/jails/www
  when: www_etc.etc.conflicts | length > 0
"""

RETURN = r"""
root:
  description: The root merged (O(root), normalised).
  returned: success
  type: str
  sample: /usr/local/jails/www
action:
  description: V(merge) (the files were, or in check mode would be, merged), V(none) (already merged with
    O(release)) or V(keep) (the stock tree is of a newer release, a rollback; nothing merged).
  returned: success
  type: str
  sample: merge
stock_release:
  description: The release of the stock tree before the task (what the files were last merged with).
  returned: success
  type: str
  sample: 14.2-RELEASE
etc_workdir:
  description: C(etcupdate)'s working directory for the root.
  returned: success
  type: str
  sample: /var/db/freebsd-update/etcupdate/usr/local/jails/www
etc:
  description: What C(etcupdate) did (in check mode, would do), by file; all empty unless RV(action) is V(merge).
  returned: success
  type: dict
  contains:
    merged:
      description: Locally modified files the new release's changes were merged into.
      type: list
      elements: str
      sample: [/etc/newsyslog.conf]
    conflicts:
      description: Locally modified files that could not be merged; each is left as it was, the conflict kept in
        RV(etc_workdir)C(/conflicts).
      type: list
      elements: str
      sample: [/etc/ssh/sshd_config]
    updated:
      description: Unmodified files replaced by the new release's.
      type: list
      elements: str
    added:
      description: Files new in the release.
      type: list
      elements: str
    removed:
      description: Unmodified files the release no longer has.
      type: list
      elements: str
    warnings:
      description: C(etcupdate)'s warnings (for example a modified file the release removed).
      type: list
      elements: str
"""

import os
from contextlib import ExitStack

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils import _etcupdate
from ansible_collections.bsd.jails.plugins.module_utils._base_update import RELEASE_RE, parse_version
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


def check_params(params):
    """(root, etc_workdir) normalised; raises JailsError naming the field before anything runs."""
    root = _etcupdate.check_root_dir("root", params["root"], "root")
    if not RELEASE_RE.match(params["release"] or ""):
        raise JailsError("release: %r is not a FreeBSD release such as 14.3-RELEASE" % params["release"])
    if not os.path.isabs(params["workdir"]):
        raise JailsError("workdir: %r is not an absolute path" % params["workdir"])
    _etcupdate.check_tarballs(params)
    return root, _etcupdate.workdir_of(params.get("etc_workdir"), os.path.normpath(params["workdir"]), root)


def merge(module, params, root, etc_workdir):
    """(action, stock release, etc, changed)."""
    previous = params.get("etc_previous_tarball")
    target = parse_version(params["release"], "release")[:2]
    changed = False
    fresh = not _etcupdate.has_tree(etc_workdir)
    with ExitStack() as stack:
        tree = etc_workdir
        if fresh:  # a stock tree is made first: from etc_previous_tarball, which this checks is given
            _etcupdate.check_ready(root, etc_workdir, previous, "merge the files of")
        if module.check_mode:
            tree = stack.enter_context(_etcupdate.dry_workdir(module, root, etc_workdir, previous))
        elif fresh:
            _etcupdate.extract(module, root, etc_workdir, previous)
            changed = True
        stock = _etcupdate.stock_release(tree, "etc_previous_tarball" if changed else "etc_workdir")
        have = parse_version(stock, "etc_workdir")[:2]
        if have > target:
            return "keep", stock, _etcupdate.empty(), changed
        if have == target:
            return "none", stock, _etcupdate.empty(), changed
        if not fresh:  # conflicts left from an earlier merge (a fresh workdir was checked above)
            _etcupdate.check_ready(root, etc_workdir, previous, "merge the files of")
        etc = _etcupdate.update(module, root, tree, params["etc_tarball"], dry_run=module.check_mode)
        return "merge", stock, etc, True


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            release=dict(type="str", required=True),
            etc_tarball=dict(type="path", required=True),
            etc_previous_tarball=dict(type="path"),
            workdir=dict(type="path", default="/var/db/freebsd-update"),
            etc_workdir=dict(type="path"),
            etc_conflicts=dict(type="str", choices=["warn", "fail"], default="warn"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        root, etc_workdir = check_params(params)
        action, stock, etc, changed = merge(module, params, root, etc_workdir)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    stock_rel = "%d.%d-RELEASE" % parse_version(stock, "etc_workdir")[:2]
    result = dict(changed=changed, root=root, action=action, stock_release=stock_rel, etc_workdir=etc_workdir, etc=etc)
    if action == "keep":
        module.warn(
            "%s: its files were merged with %s, newer than %s: left as they are (etcupdate merges forward; "
            "restore them from a backup if needed)" % (root, stock_rel, params["release"])
        )
    _etcupdate.report_conflicts(module, etc, root, etc_workdir, params["etc_conflicts"], result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
