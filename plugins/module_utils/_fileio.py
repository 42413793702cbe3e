# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Reading and atomically replacing configuration files."""

from __future__ import annotations

import os
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
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
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
