#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_base_update
short_description: Bring a jail's FreeBSD base directory to its release's latest patch level, or to a newer release
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
  - With O(release) newer than the base's release, upgrades the base instead (a minor or major upgrade, for
    example 14.2 to 14.3) with C(freebsd-update -f CONF ... -r RELEASE upgrade), then C(install), repeated
    while C(freebsd-update updatesready) says updates remain, as FreeBSD documents for upgrades. CONF is the
    host's C(/etc/freebsd-update.conf) without its C(MergeChanges) lines, so a locally modified C(/etc) file is
    left alone by C(freebsd-update) (whose own merge needs an editor on a terminal) and merged afterwards by
    C(etcupdate -D BASEDIR -t ETC_TARBALL), merged when it can be, otherwise kept as it is with the conflict
    stored in O(etc_workdir)C(/conflicts) and listed in RV(etc.conflicts). Nothing overwrites a local change.
  - Before an upgrade changes anything, the module refuses a release newer than the host's kernel, a release
    older than the base, a base used by a running jail not listed in O(jails_restarting), and a base with
    conflicts left from a previous C(etcupdate).
  - With O(release) equal to the base's own release (for example V(14.3-RELEASE) for a 14.3-RELEASE-p1 base), the
    base is patched as without O(release); so a second run after an upgrade changes nothing.
  - Running jails keep the programs they started with until they are restarted; this module restarts nothing.
    It lists in RV(jails_using) the running jails that use the base, so that a play can restart exactly those
    when the task changed something.
  - Before each install it records, on the host in O(workdir)C(/bsd_jails-installed/BASEDIR.json), the running
    jails that use the base with their jid and the host's C(kern.boottime). A jail keeps the programs it started
    with until it is removed and created again, which gives it a new jid; so a later run that finds such a jail
    with the same jid in the same boot lists it in RV(jails_not_restarted), even when the base is up to date
    (an earlier run installed, then failed before its restart). C(freebsd-version -j) cannot tell this, as it reads
    the jail's C(/bin/freebsd-version), the file on disk, not the programs running.
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
      - In check mode C(freebsd-update fetch) (or C(upgrade)) still runs, downloading into O(workdir), and tells
        what would be installed; nothing in O(basedir) changes. C(etcupdate) does not run in check mode, so
        RV(etc) is empty.
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
  release:
    description:
      - The release to bring the base to, such as V(14.3-RELEASE). Omitted, the base stays on its own release.
      - Newer than the base's release, the base is upgraded (C(freebsd-update upgrade)); the same release, it is
        patched; older, or newer than the host's kernel (C(freebsd-version -k)), the task fails before any change.
      - The base ends on the release's latest patch level (C(freebsd-update upgrade) fetches it).
    type: str
  conffile:
    description:
      - The C(freebsd-update) configuration an upgrade starts from; its copy without C(MergeChanges) lines is
        written to O(workdir) and given to C(freebsd-update -f). Patching (no upgrade) reads the host's
        C(/etc/freebsd-update.conf) as C(freebsd-update) always does.
    type: path
    default: /etc/freebsd-update.conf
  etc_tarball:
    description:
      - The tarball C(etcupdate -t) reads the new release's stock C(/etc) from, such as the release's
        V(base.txz) (as the M(bsd.jails.world) role keeps it in its C(world_dist_dir)) or one made with
        C(etcupdate build). Required for an upgrade.
      - Its programs are ignored (C(etcupdate -I)), as C(freebsd-update) installs them.
    type: path
  etc_previous_tarball:
    description:
      - The tarball of the base's current release (its V(base.txz)), which C(etcupdate extract) records in
        O(etc_workdir) before the upgrade as the stock tree to compare with. Required for an upgrade when
        O(etc_workdir) has no C(current) tree yet (a base never upgraded by C(etcupdate)).
    type: path
  etc_workdir:
    description:
      - C(etcupdate)'s working directory (C(-d)) for this base, on the host. Its C(conflicts) directory holds the
        conflicts to resolve with C(etcupdate resolve -d ETC_WORKDIR -D BASEDIR).
      - Defaults to the base's path below O(workdir)C(/etcupdate), for example
        V(/var/db/freebsd-update/etcupdate/usr/local/jails/www). It is kept on the host rather than in the base's
        C(/var/db/etcupdate), which a jail's root user could replace with a link.
    type: path
  etc_conflicts:
    description:
      - What a conflict in the C(/etc) merge does. V(warn), the task succeeds with a warning naming the files,
        listed in RV(etc.conflicts); V(fail), the task fails after the upgrade, naming them. Either way the
        local file is kept as it is.
    type: str
    choices: [warn, fail]
    default: warn
  jails_restarting:
    description:
      - The running jails the caller restarts after an upgrade (for example the play that runs this task).
      - An upgrade of a base that a running jail not in this list uses (RV(jails_using)) is refused before any
        change, as that jail would run on programs replaced under it.
    type: list
    elements: str
    default: []
notes:
  - C(freebsd-update) reads the host's C(/etc/freebsd-update.conf) (its mirror, key and components).
  - A failed fetch (for example, no mirror reachable) fails the task and leaves O(basedir) as it was.
  - A thin jail's shared base is not upgraded in place; the C(bsd.jails.world_update) playbook
    extracts the new release into a new base directory and switches the thin jails to it.
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

- name: Upgrade the thick jail www to 14.3-RELEASE, merging its /etc with etcupdate
  bsd.jails.jail_base_update:
    basedir: /usr/local/jails/www
    release: 14.3-RELEASE
    etc_tarball: /usr/freebsd-dist/14.3-RELEASE/base.txz
    etc_previous_tarball: /usr/freebsd-dist/14.2-RELEASE/base.txz
    jails_restarting: [www]
  register: www_upgrade

- name: Say which /etc files need a hand
  ansible.builtin.debug:
    msg: >-
      Resolve {{ www_upgrade.etc.conflicts | join(', ') }} with
      etcupdate resolve -d {{ www_upgrade.etc_workdir }} -D /usr/local/jails/www
  when: www_upgrade.etc.conflicts | default([]) | length > 0

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
jails_not_restarted:
  description:
    - The running jails that use the base and still run the programs they started with before an earlier
      install into it (the same jid, in the same boot, as recorded before that install), sorted. A run that
      installed and then failed before restarting them leaves them so; restart them even when the task reports
      no change. In check mode too.
  returned: success
  type: list
  elements: str
  sample: [www]
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
action:
  description: What the task did or would do, V(patch) or V(upgrade).
  returned: success
  type: str
  sample: upgrade
etc_workdir:
  description: C(etcupdate)'s working directory for the base (O(etc_workdir)), when O(release) is given.
  returned: when O(release) is given
  type: str
  sample: /var/db/freebsd-update/etcupdate/usr/local/jails/www
etc:
  description: What C(etcupdate) did to the base's configuration files in an upgrade (empty otherwise).
  returned: when O(release) is given
  type: dict
  contains:
    merged:
      description: Locally modified files the new release's changes were merged into.
      type: list
      elements: str
      sample: [/etc/newsyslog.conf]
    conflicts:
      description: Locally modified files that could not be merged; each is left as it was, the conflict kept
        in RV(etc_workdir)C(/conflicts).
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

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils import _etcupdate
from ansible_collections.bsd.jails.plugins.module_utils._base_update import (
    FREEBSD_UPDATE,
    check_not_newer,
    conf_without_merges,
    jails_not_restarted,
    jails_using,
    parse_boottime,
    parse_fetch,
    thin_source,
    upgrade_kind,
    userland_version,
    version_after,
)
from ansible_collections.bsd.jails.plugins.module_utils._fileio import read_text, write_atomic
from ansible_collections.bsd.jails.plugins.module_utils._host_state import nullfs_mounts, running_jails
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import check_name
from ansible_collections.bsd.jails.plugins.module_utils._jailroot import JailRoot
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner


def check_params(params):
    """(basedir or None, workdir) normalised; raises JailsError naming the field before anything runs."""
    basedir = params["basedir"]
    workdir = params["workdir"]
    if basedir is not None:
        basedir = _etcupdate.check_root_dir("basedir", basedir, "base")
    if not os.path.isabs(workdir):
        raise JailsError("workdir: %r is not an absolute path" % workdir)
    workdir = os.path.normpath(workdir)
    if not os.path.isdir(workdir):
        raise JailsError("workdir: %s is not a directory (freebsd-update needs an existing one)" % workdir)
    _etcupdate.check_tarballs(params)
    if params.get("release") is not None and not os.path.isfile(params["conffile"]):
        raise JailsError("conffile: %s is not a file" % params["conffile"])
    for name in params.get("jails_restarting") or []:
        check_name("jails_restarting", name)
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


CONF_NAME = "bsd_jails-upgrade.conf"
RECORD_DIR = "bsd_jails-installed"


class InstallRecord:
    """The running jails that used a base just before an install into it, with their jids and the boot time,
    in WORKDIR/bsd_jails-installed/BASE.json on the host (never in the base, which a jail may own).

    Written before every install, never cleared: a jail restarted since has another jid (or the host another
    boot), so the record stops naming it by itself, and a run that installs nothing writes nothing.
    """

    def __init__(self, module, workdir, root):
        self.module = module
        self.path = os.path.join(workdir, RECORD_DIR, root.lstrip("/") + ".json")
        self._boottime = None

    def boottime(self):
        if self._boottime is None:
            self._boottime = parse_boottime(Runner(self.module, "sysctl").out("-n", "kern.boottime"))
        return self._boottime

    def not_restarted(self, running, users):
        """The jails of ``users`` still on the programs of before the last recorded install."""
        text = read_text(self.path) if users else None
        if text is None:
            return []
        try:
            record = json.loads(text)
        except ValueError:
            raise JailsError("workdir: %s is not a record this module wrote (JSON): remove it" % self.path) from None
        return jails_not_restarted(record, self.boottime(), running, users)

    def write(self, running, users):
        """Record ``users`` (running jails, by jid) before an install; none running, an old record goes."""
        if not users:
            if os.path.lexists(self.path):
                os.unlink(self.path)
            return
        record = {"boottime": self.boottime(), "jails": {n: running[n].get("jid") for n in users}}
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        write_atomic(self.module, self.path, json.dumps(record, sort_keys=True) + "\n", mode=0o600)


def check_upgrade(params, root, etc_workdir, users):
    """The refusals of an upgrade, before its first change."""
    if params.get("etc_tarball") is None:
        raise JailsError("etc_tarball: required to upgrade %s (the new release's base.txz, for etcupdate)" % root)
    _etcupdate.check_ready(root, etc_workdir, params.get("etc_previous_tarball"))
    others = [j for j in users if j not in (params.get("jails_restarting") or [])]
    if others:
        raise JailsError(
            "jails_restarting: %s uses %s and is not restarted by this play: stop it or list it in "
            "jails_restarting (a running jail must not keep programs replaced under it)" % (", ".join(others), root)
        )


def write_conf(module, workdir, conffile):
    """The configuration without MergeChanges, in freebsd-update's working directory."""
    text = read_text(conffile)
    if text is None:
        raise JailsError("conffile: %s does not exist" % conffile)
    want = conf_without_merges(text)
    path = os.path.join(workdir, CONF_NAME)
    if read_text(path) != want:
        write_atomic(module, path, want, mode=0o600)
    return path


def upgrade(module, root, before, common, params, etc_workdir, before_install):
    """freebsd-update upgrade + install, then etcupdate; returns (fetched, after, etc)."""
    update = Runner(module, FREEBSD_UPDATE.binary)
    conf = write_conf(module, common["workdir"], params["conffile"])
    common = dict(common, conffile=conf)
    spec = " ".join(common)
    # upgrade_guess_components() asks "Does this look reasonable (y/n)?": the components it found are kept.
    argv = FREEBSD_UPDATE.args(spec + " release upgrade", release=params["release"], **common)
    rc, out, err = update.run(*argv, check=False, data="y\n")
    if rc != 0:
        raise JailsError(
            "freebsd-update upgrade of %s to %s failed (exit %d); the base is unchanged"
            % (root, params["release"], rc),
            cmd=[update.binary, *argv],
            rc=rc,
            stdout=out,
            stderr=err,
        )
    try:
        fetched = parse_fetch(out)
    except JailsError as exc:
        raise JailsError(exc.msg, cmd=[update.binary, *argv], rc=rc, stdout=out, stderr=err) from exc
    if module.check_mode:
        return fetched, version_after(before, fetched), _etcupdate.empty()
    before_install()
    if not _etcupdate.has_tree(etc_workdir):
        _etcupdate.extract(module, root, etc_workdir, params["etc_previous_tarball"])
    # freebsd-update(8): after an upgrade, "install" runs again until nothing is left (kernel, world, old libs).
    for _round in range(3):
        update.run(*FREEBSD_UPDATE.args(spec + " install", **common))
        rc, _o, _e = update.run(*FREEBSD_UPDATE.args(spec + " updatesready", **common), check=False)
        if rc != 0:
            break
    etc = _etcupdate.update(module, root, etc_workdir, params["etc_tarball"])
    return fetched, read_version(root, "jail" if common.get("jail") else "basedir"), etc


def main():
    module = AnsibleModule(
        argument_spec=dict(
            basedir=dict(type="path"),
            jail=dict(type="str"),
            workdir=dict(type="path", default="/var/db/freebsd-update"),
            release=dict(type="str"),
            conffile=dict(type="path", default="/etc/freebsd-update.conf"),
            etc_tarball=dict(type="path"),
            etc_previous_tarball=dict(type="path"),
            etc_workdir=dict(type="path"),
            etc_conflicts=dict(type="str", choices=["warn", "fail"], default="warn"),
            jails_restarting=dict(type="list", elements="str", default=[]),
        ),
        mutually_exclusive=[("basedir", "jail")],
        required_one_of=[("basedir", "jail")],
        supports_check_mode=True,
    )
    params = module.params
    etc = etc_workdir = None
    try:
        basedir, workdir = check_params(params)
        running = nullfs = None
        if basedir is None:
            running, nullfs = running_jails(module), nullfs_mounts(module)
            field, root = "jail", find_jail(params["jail"], running, nullfs)
        else:
            field, root = "basedir", basedir
        before = read_version(root, field)
        kernel = Runner(module, "freebsd-version").out("-k").strip()
        check_not_newer(before, kernel, root, field)
        action = "patch"
        if params["release"] is not None:
            action = upgrade_kind(before, params["release"], kernel)
            etc_workdir = _etcupdate.workdir_of(params.get("etc_workdir"), workdir, root)
        if running is None:
            running, nullfs = running_jails(module), nullfs_mounts(module)
        users = jails_using({root, os.path.realpath(root)}, running, nullfs)
        record = InstallRecord(module, workdir, root)
        stale = record.not_restarted(running, users)

        def before_install():
            record.write(running, users)

        if basedir is None:  # -j: freebsd-update finds the root and the version itself (config_TargetJail())
            common = dict(jail=params["jail"], workdir=workdir, nocron=True)
        else:
            common = dict(basedir=root, workdir=workdir, running=before, nocron=True)
        if action == "upgrade":
            check_upgrade(params, root, etc_workdir, users)
            fetched, after, etc = upgrade(module, root, before, common, params, etc_workdir, before_install)
            changed = True
        else:
            fetched, after, changed = patch(module, root, field, before, common, before_install)
        if etc_workdir is not None and etc is None:
            etc = _etcupdate.empty()
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    result = dict(
        changed=changed,
        action=action,
        basedir=root,
        version_before=before,
        version_after=after,
        kernel_version=kernel,
        target_version=fetched["target"],
        files={k: fetched[k] for k in ("updated", "added", "removed")},
        modified_locally=fetched["modified"],
        jails_using=users,
        jails_not_restarted=stale,
    )
    if etc is not None:
        result.update(etc=etc, etc_workdir=etc_workdir)
    if module._diff:
        result["diff"] = dict(
            before="%s\n" % before,
            after="%s\n" % after,
            before_header="%s (freebsd-version -u)" % root,
            after_header="%s (freebsd-version -u)" % root,
        )
    _etcupdate.report_conflicts(module, etc, root, etc_workdir, params["etc_conflicts"], result)
    module.exit_json(**result)


def patch(module, root, field, before, common, before_install):
    """freebsd-update fetch, then install when there is something; returns (fetched, after, changed)."""
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
        before_install()
        update.run(*FREEBSD_UPDATE.args(spec + " install", **common))
        after = read_version(root, field)
    return fetched, after, changed


if __name__ == "__main__":
    main()
