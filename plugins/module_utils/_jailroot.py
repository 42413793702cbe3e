# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Files inside a jail's root, reached from the host without ever following a link.

A jail's root belongs to the jail: its root user can replace ``etc`` with a
symbolic link to the host's ``/etc``, or ``etc/sysctl.conf`` with a link to
any host file, and a host process that opens ``ROOT/etc/sysctl.conf`` by name
would then read or write the host's file.  Everything here walks the path one
component at a time from a descriptor of the root: each directory is opened
with ``O_DIRECTORY | O_NOFOLLOW`` relative to its parent (``dir_fd``), the file
itself with ``O_NOFOLLOW``, and a write goes to a temporary file made in that
final directory and renamed over the file by descriptor (``renameat``), so no
name is looked up again through a link the jail may have planted meanwhile.

A component that is a symbolic link is refused, wherever it points: from the
host, an absolute link or one with ``..`` leads out of the root, and the
collection does not resolve links as a chroot would.  ``..`` in the path
itself is refused too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time

from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def components(rel, field="path"):
    """``/etc/sysctl.conf`` or ``etc/sysctl.conf`` -> ["etc", "sysctl.conf"]; ``..`` is refused."""
    names = [n for n in (rel or "").split("/") if n not in ("", ".")]
    if ".." in names:
        raise JailsError("%s: %r has a '..' component: a path inside a jail's root never leaves it" % (field, rel))
    if not names:
        raise JailsError("%s: %r names no file inside the jail's root" % (field, rel))
    return names


class JailRoot:
    """The root directory of jail ``jail`` (a host path, from ``jls -j JAIL path``)."""

    def __init__(self, root, jail):
        self.root = root.rstrip("/") or "/"
        self.jail = jail

    def path(self, rel):
        """The host path shown to the user for ``rel`` (never opened by name)."""
        return os.path.join(self.root, "/".join(components(rel)))

    # ------------------------------------------------------------------ walking
    def _refuse_link(self, dfd, name, shown):
        """Raise a clear message when ``name`` (in directory ``dfd``) is a symbolic link."""
        try:
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except OSError:
            return None
        if stat.S_ISLNK(st.st_mode):
            try:
                target = os.readlink(name, dir_fd=dfd)
            except OSError:
                target = "?"
            raise JailsError(
                "jail %s: %s is a symbolic link (to %s) in the jail's root: refusing to follow it, as a link "
                "there can lead out of the jail's root to the host's files" % (self.jail, shown, target)
            )
        return st

    def _open_root(self):
        try:
            return os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise JailsError("jail %s: cannot open its root %s: %s" % (self.jail, self.root, exc.strerror)) from None

    def open_dir(self, names):
        """A descriptor of directory ``names`` (a list of components) below the root, or None when missing."""
        fd = self._open_root()
        walked = []
        try:
            for name in names:
                walked.append(name)
                shown = "/".join(walked)
                try:
                    nfd = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    self._refuse_link(fd, name, shown)
                    if exc.errno == errno.ENOENT:
                        os.close(fd)
                        return None
                    if exc.errno == errno.ENOTDIR:
                        raise JailsError("jail %s: %s is not a directory" % (self.jail, shown)) from None
                    raise JailsError("jail %s: cannot open %s: %s" % (self.jail, shown, exc.strerror)) from None
                os.close(fd)
                fd = nfd
        except BaseException:
            os.close(fd)
            raise
        return fd

    def check_dir(self, rel):
        """Make sure ``rel`` is a directory reached without a link; returns False when it does not exist."""
        fd = self.open_dir(components(rel))
        if fd is None:
            return False
        os.close(fd)
        return True

    @contextlib.contextmanager
    def _in_parent(self, rel, field, missing=None):
        """(descriptor of the directory of ``rel``, its components, its shown path), closed on exit; the
        descriptor is None when the directory is missing, or with ``missing`` (a message taking the path)
        that raises."""
        names = components(rel, field)
        shown = "/".join(names)
        dfd = self.open_dir(names[:-1])
        if dfd is None and missing:
            raise JailsError("jail %s: %s" % (self.jail, missing % shown))
        try:
            yield dfd, names, shown
        finally:
            if dfd is not None:
                os.close(dfd)

    # ------------------------------------------------------------------ files
    def read_text(self, rel, field="path"):
        """The text of file ``rel`` inside the root, or None when it (or its directory) does not exist."""
        with self._in_parent(rel, field) as (dfd, names, shown):
            if dfd is None:
                return None
            try:
                fd = os.open(names[-1], _READ_FLAGS, dir_fd=dfd)
            except OSError as exc:
                self._refuse_link(dfd, names[-1], shown)
                if exc.errno == errno.ENOENT:
                    return None
                raise JailsError("jail %s: cannot read %s: %s" % (self.jail, shown, exc.strerror)) from None
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise JailsError("jail %s: %s is not a regular file" % (self.jail, shown))
                return f.read().decode("utf-8", errors="surrogateescape")

    def _new_file(self, dfd, base, data, mode, owner=None):
        """Write ``data`` to a new file with a free name built from ``base`` in ``dfd``; returns its name."""
        for _i in range(100):
            tmp = "%s%s" % (base, os.urandom(4).hex())
            try:
                fd = os.open(tmp, _NEW_FLAGS, 0o600, dir_fd=dfd)
            except FileExistsError:
                continue
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    if owner is not None and (owner[0] != os.geteuid() or owner[1] != os.getegid()):
                        os.fchown(f.fileno(), owner[0], owner[1])
                    os.fchmod(f.fileno(), mode)
                    os.fsync(f.fileno())
            except BaseException:
                try:
                    os.unlink(tmp, dir_fd=dfd)
                except OSError:
                    pass
                raise
            return tmp
        raise OSError(errno.EEXIST, "no free temporary name")

    def write_text(self, rel, text, backup=False, mode=None, field="path"):
        """Replace file ``rel`` inside the root with ``text`` in one rename; returns the backup's host path.

        An existing file keeps its owner, group and mode; a new one gets ``mode`` (default 0644).  The
        directory must exist.  With ``backup``, the old content is kept next to it first
        (``NAME.PID.YYYY-MM-DD@HH:MM:SS~``, as Ansible names backups).
        """
        with self._in_parent(rel, field, "cannot write %s: its directory does not exist") as (dfd, names, shown):
            st = self._refuse_link(dfd, names[-1], shown)
            if st is not None and not stat.S_ISREG(st.st_mode):
                raise JailsError("jail %s: %s is not a regular file" % (self.jail, shown))
            owner = (st.st_uid, st.st_gid) if st is not None else None
            new_mode = stat.S_IMODE(st.st_mode) if st is not None else (0o644 if mode is None else mode)
            backup_file = None
            try:
                if backup and st is not None:
                    old = self.read_text(rel, field)
                    name = "%s.%s.%s" % (names[-1], os.getpid(), time.strftime("%Y-%m-%d@%H:%M:%S~"))
                    old_data = to_bytes(old, errors="surrogate_or_strict")
                    tmp = self._new_file(dfd, ".%s." % name, old_data, new_mode, owner)
                    os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
                    backup_file = os.path.join(self.root, *names[:-1], name)
                data = to_bytes(text, errors="surrogate_or_strict")
                tmp = self._new_file(dfd, ".%s." % names[-1], data, new_mode, owner)
                try:
                    os.rename(tmp, names[-1], src_dir_fd=dfd, dst_dir_fd=dfd)
                except OSError:
                    os.unlink(tmp, dir_fd=dfd)
                    raise
            except OSError as exc:
                raise JailsError("jail %s: cannot write %s: %s" % (self.jail, shown, exc.strerror or exc)) from None
            return backup_file

    # ------------------------------------------------------------------ directories and modes
    def lstat(self, rel, field="path"):
        """The ``lstat`` of ``rel`` below the root, None when it (or its directory) is missing; a link is refused."""
        with self._in_parent(rel, field) as (dfd, names, shown):
            return None if dfd is None else self._refuse_link(dfd, names[-1], shown)

    def make_dir(self, rel, mode, field="path"):
        """Create directory ``rel`` (its parent must exist) with ``mode``; False when it already is one."""
        with self._in_parent(rel, field, "cannot create %s: its directory does not exist") as (dfd, names, shown):
            st = self._refuse_link(dfd, names[-1], shown)
            if st is not None:
                if not stat.S_ISDIR(st.st_mode):
                    raise JailsError("jail %s: %s exists and is not a directory" % (self.jail, shown))
                return False
            try:
                os.mkdir(names[-1], 0o700, dir_fd=dfd)
                fd = os.open(names[-1], _DIR_FLAGS, dir_fd=dfd)
            except OSError as exc:
                raise JailsError("jail %s: cannot create %s: %s" % (self.jail, shown, exc.strerror)) from None
            try:
                os.fchmod(fd, mode)  # not through mkdir's mode, which the umask cuts
            finally:
                os.close(fd)
            return True

    def set_mode(self, rel, mode, field="path"):
        """Give ``rel`` (a file or directory) ``mode`` through a descriptor; True when it changed."""
        with self._in_parent(rel, field, "cannot change the mode of %s: it does not exist") as (dfd, names, shown):
            try:
                fd = os.open(names[-1], _READ_FLAGS, dir_fd=dfd)
            except OSError as exc:
                self._refuse_link(dfd, names[-1], shown)
                raise JailsError("jail %s: cannot open %s: %s" % (self.jail, shown, exc.strerror)) from None
            try:
                if stat.S_IMODE(os.fstat(fd).st_mode) == mode:
                    return False
                os.fchmod(fd, mode)
                return True
            finally:
                os.close(fd)
