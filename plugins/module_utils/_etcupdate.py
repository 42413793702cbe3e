# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""etcupdate(8) merges of a root's configuration files, in one place for every caller.

Used by jail_base_update (a thick jail's root, after ``freebsd-update upgrade``) and jail_etc_update (a thin
jail's own /etc, /root and /var when it moves to a newer release's base):

- ``workdir_of(etc_workdir, workdir, root)``: etcupdate's working directory for a root, on the host.
- ``check_ready(root, etc_workdir, previous_tarball)``: the refusals before a merge (conflicts left from the
  previous one; no stock tree and no tarball to make one from).
- ``stock_release(etc_workdir)``: the release whose stock tree etcupdate holds (its ``current`` tree).
- ``extract(...)``, ``update(...)``: ``etcupdate extract`` and ``etcupdate`` (update), the second also as a
  dry run (``-n``) in a scratch working directory, so that check mode predicts a merge without writing.
- ``conflict_message(...)``, ``report_conflicts(...)``: what a conflict says and does (``etc_conflicts``), the
  same for every caller.
- ``check_root_dir(...)``: the root a caller writes into is an absolute directory, not the host's ``/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager

from ansible_collections.bsd.jails.plugins.module_utils._base_update import (
    ETCUPDATE,
    ETCUPDATE_IGNORE,
    parse_etcupdate,
    userland_version,
)
from ansible_collections.bsd.jails.plugins.module_utils._fileio import read_text
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError, Runner

KEYS = ("updated", "merged", "conflicts", "added", "removed", "warnings")


def empty():
    return {k: [] for k in KEYS}


def workdir_of(etc_workdir, workdir, root):
    """``etc_workdir``, or the root's path below ``workdir``/etcupdate (kept on the host, not in the root,
    whose /var/db/etcupdate a jail's root user could replace with a link)."""
    if etc_workdir:
        return os.path.normpath(etc_workdir)
    return os.path.join(workdir, "etcupdate", root.lstrip("/"))


def has_tree(etc_workdir):
    return os.path.isdir(os.path.join(etc_workdir, "current"))


def check_ready(root, etc_workdir, previous_tarball, action="upgrade"):
    """Refuse a merge that etcupdate would refuse or could not make sense of; raises JailsError naming the field."""
    if not has_tree(etc_workdir) and previous_tarball is None:
        raise JailsError(
            "etc_previous_tarball: required to %s %s: %s has no etcupdate tree yet (give the base's current "
            "release's base.txz)" % (action, root, etc_workdir)
        )
    # etcupdate.sh update_cmd(): "Conflicts remain from previous update, aborting."
    conflicts = os.path.join(etc_workdir, "conflicts")
    if os.path.isdir(conflicts) and any(files for _d, _s, files in os.walk(conflicts)):
        raise JailsError(
            "etc_workdir: conflicts remain from a previous etcupdate in %s: resolve them first "
            "(etcupdate resolve -d %s -D %s)" % (conflicts, etc_workdir, root)
        )


def stock_release(etc_workdir, field="etc_workdir"):
    """The userland version of etcupdate's stock tree (``current/bin/freebsd-version``: ``etcupdate extract``
    and ``etcupdate -t`` keep the whole tarball), or None without a tree."""
    tree = os.path.join(etc_workdir, "current")
    if not os.path.isdir(tree):
        return None
    return userland_version(read_text(os.path.join(tree, "bin", "freebsd-version")), tree, field)


def extract(module, root, etc_workdir, tarball):
    """``etcupdate extract``: records the stock tree ``root`` was installed from, to merge against later."""
    Runner(module, ETCUPDATE.binary).run(
        *ETCUPDATE.args("extract workdir tarball destdir", workdir=etc_workdir, tarball=tarball, destdir=root)
    )


@contextmanager
def dry_workdir(module, root, etc_workdir, previous_tarball):
    """A scratch working directory for a dry run: ``etcupdate -n`` leaves DESTDIR alone but still rotates the
    trees of its working directory (etcupdate.sh update_cmd(), "rotate any needed trees"), so it must not run
    in ``etc_workdir``. Its ``current`` is a link to ``etc_workdir``'s stock tree, or a tree extracted there
    from ``previous_tarball`` when there is none yet. Removed afterwards."""
    scratch = tempfile.mkdtemp(prefix="etcupdate-", dir=getattr(module, "tmpdir", None))
    try:
        if has_tree(etc_workdir):
            os.symlink(os.path.join(etc_workdir, "current"), os.path.join(scratch, "current"))
        else:
            extract(module, root, scratch, previous_tarball)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# The top directories of ETCUPDATE_IGNORE: etcupdate writes nothing below them.
PROGRAM_DIRS = ("bin", "boot", "lib", "libexec", "rescue", "sbin", "usr")


def check_no_links(root, etc_workdir):
    """Refuse a root where a directory of the stock tree is a symbolic link: etcupdate runs on the host and
    would write through it (etcupdate.sh install_new(): ``cp -Rp``), outside the jail, whose root user owns
    the root's /etc."""
    tree = os.path.join(etc_workdir, "current")
    for dirpath, dirs, _files in os.walk(tree):
        if dirpath == tree:
            dirs[:] = [d for d in dirs if d not in PROGRAM_DIRS]
        for d in dirs:
            rel = os.path.relpath(os.path.join(dirpath, d), tree)
            if os.path.islink(os.path.join(root, rel)):
                raise JailsError(
                    "root: %s/%s is a symbolic link: etcupdate would write through it, outside the jail"
                    % (root.rstrip("/"), rel)
                )


def update(module, root, etc_workdir, tarball, dry_run=False):
    """``etcupdate [-n] -d ETC_WORKDIR -t TARBALL -D ROOT -I PROGRAMS``; returns parse_etcupdate() of its output.

    The programs of a release's base.txz are ignored (ETCUPDATE_IGNORE): freebsd-update installs them in a
    thick jail, a thin jail reads them from its base. With ``dry_run`` (``-n``) nothing in ``root`` changes;
    give it a dry_workdir().
    """
    check_no_links(root, etc_workdir)
    out = Runner(module, ETCUPDATE.binary).out(
        *ETCUPDATE.args(
            "dryrun workdir tarball destdir ignore",
            dryrun=dry_run,
            workdir=etc_workdir,
            tarball=tarball,
            destdir=root,
            ignore=ETCUPDATE_IGNORE,
        )
    )
    return parse_etcupdate(out)


def check_root_dir(field, path, what):
    """``path`` normalised: absolute, not ``/`` (the host's own system, not a jail's ``what``) and a directory;
    raises JailsError naming ``field``. For the roots etcupdate and freebsd-update write into."""
    if not os.path.isabs(path):
        raise JailsError("%s: %r is not an absolute path" % (field, path))
    path = os.path.normpath(path)
    if path == "/":
        raise JailsError("%s: / is the host's own system, not a jail's %s" % (field, what))
    if not os.path.isdir(path):
        raise JailsError("%s: %s is not a directory" % (field, path))
    return path


def check_tarballs(params):
    """etc_tarball and etc_previous_tarball, when given, are absolute paths to files; raises JailsError."""
    for field in ("etc_tarball", "etc_previous_tarball"):
        path = params.get(field)
        if path is not None and not (os.path.isabs(path) and os.path.isfile(path)):
            raise JailsError("%s: %r is not an absolute path to a file" % (field, path))
    if params.get("etc_workdir") is not None and not os.path.isabs(params["etc_workdir"]):
        raise JailsError("etc_workdir: %r is not an absolute path" % params["etc_workdir"])


def conflict_message(files, root, etc_workdir):
    """What a conflict says, for every caller."""
    return (
        "etcupdate could not merge %s into %s; the local files are kept, the conflicts are in %s/conflicts "
        "(etcupdate resolve -d %s -D %s)" % (", ".join(files), root, etc_workdir, etc_workdir, root)
    )


def report_conflicts(module, etc, root, etc_workdir, etc_conflicts, result):
    """The callers' ``etc_conflicts`` option: with conflicts in ``etc``, fail the task with ``result``
    (``fail``) or warn (``warn``)."""
    if not etc or not etc["conflicts"]:
        return
    msg = conflict_message(etc["conflicts"], root, etc_workdir)
    if etc_conflicts == "fail":
        module.fail_json(msg="etc_conflicts: " + msg, **result)
    module.warn(msg)
