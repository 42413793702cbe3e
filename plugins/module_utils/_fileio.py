# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Reading and atomically replacing configuration files."""

from __future__ import annotations

import os
import re
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


def read_text(path):
    """The file's text, or None when it does not exist."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JailsError("cannot read %s: %s" % (path, exc.strerror or exc)) from exc


def temp_prefix(path):
    """The name prefix of write_atomic's temporary file for ``path`` (``.NAME.``, then mkstemp's 8 characters)."""
    return ".%s." % os.path.basename(path)


def stale_temps(path, before):
    """Temporary files of write_atomic for ``path`` that an interrupted write left behind.

    Only names made by write_atomic (``.NAME.`` and tempfile.mkstemp()'s eight
    characters ``[a-z0-9_]``) in ``path``'s own directory, only regular files
    (lstat: a symlink is never followed nor listed), owned by this user, and
    last modified before ``before`` (the current run's start): a write still in
    progress by a run that started later is left alone.  Sorted paths.
    """
    directory = os.path.dirname(path) or "."
    pattern = re.compile(re.escape(temp_prefix(path)) + r"[a-z0-9_]{8}\Z")
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    out = []
    for name in names:
        if not pattern.match(name):
            continue
        p = os.path.join(directory, name)
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and st.st_mtime < before:
            out.append(p)
    return sorted(out)


def remove_stale(paths):
    """Unlink the files stale_temps() found (unlink never follows a symlink); gone already is fine."""
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise JailsError("cannot remove %s: %s" % (p, exc.strerror or exc)) from exc


def write_atomic(module, path, text, backup=False, mode=None):
    """Replace ``path`` with ``text`` in one rename; returns the backup file name or None.

    The temporary file is made in the target's own directory so the final
    ``atomic_move`` is a rename on one file system; an existing file keeps
    its owner, group and mode (atomic_move copies them), a new one gets
    ``mode`` (default 0644).
    """
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise JailsError("cannot write %s: directory %s does not exist" % (path, directory))
    backup_file = None
    exists = os.path.exists(path)
    if backup and exists:
        backup_file = module.backup_local(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=directory)
    module.add_cleanup_file(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(to_bytes(text, errors="surrogate_or_strict"))
        if not exists:
            os.chmod(tmp, 0o644 if mode is None else mode)
    except OSError as exc:
        raise JailsError("cannot write %s: %s" % (path, exc.strerror or exc)) from exc
    module.atomic_move(tmp, path, unsafe_writes=False)
    return backup_file


def file_diff(path, before, after):
    """A diff mode entry for a text file (``before`` None = new file)."""
    return {
        "before_header": path if before is not None else "%s (absent)" % path,
        "after_header": path if after is not None else "%s (absent)" % path,
        "before": before or "",
        "after": after or "",
    }
