"""The box's mount table: devfs, nullfs, tmpfs, procfs, fdescfs (mount(2)/unmount(2) of the simulator).

Interface (all functions take the kernel ``state`` ALREADY LOCKED by the
caller - ``with kernel.Kernel() as k: mounts.mount(k.state, ...)`` - and never
lock it again; they run no other command):

  mount(state, fstype, source, target, opts=(), ruleset=None) -> dict
      Mount ``fstype`` (devfs, nullfs, tmpfs, procfs, fdescfs) from ``source``
      on ``target`` (an absolute path in the box, e.g. ``/jails/web/dev``;
      a jail's mounts are given with the jail's path prefixed).  ``opts`` are
      mount -o words (``ro``, ``nosuid``, ``noexec``, ...).  ``ruleset`` is the
      devfs ruleset to use (devfs only; jail(8) passes ``devfs_ruleset``,
      4 by default).  Returns the new record, appended to ``state["mounts"]``.
      Raises MountError(text) with the strerror text of the failing call:
        target missing          -> "No such file or directory"
        target not a directory  -> "Not a directory"
        nullfs source missing   -> "No such file or directory"
        unknown fstype          -> "Operation not supported by device"
        devfs ruleset unknown   -> "No such process" (ESRCH, as devfs_ruleset_use)
  unmount(state, target, force=False) -> dict
      Unmount the file system mounted last on ``target``; returns its record.
      Raises MountError("Invalid argument") when nothing is mounted there
      (unmount(2) EINVAL) and MountError("Device busy") when another mount
      lies below it (unless ``force``).
  mounted(state, target) -> dict | None     the record on ``target``
  table(state) -> list[dict]                 all mounts, in mount order, the
                                             root file system and /dev first
  under(state, prefix) -> list[dict]         mounts at or below ``prefix``
                                             (jail(8) unmounts these on stop)
  devfs_apply(state, rec)                    re-populate a devfs mount after
                                             its ruleset or rules changed
  MountError.text                            the strerror text

Records in ``state["mounts"]``: ``{fstype, source, target, flags: [..],
ruleset, hidden: [..] (devfs), real: bool}``.  ``flags`` are mount(8)'s
names (``local``, ``read-only``, ``nosuid``, ...).

How a mount looks inside the box: a devfs mount gets a tmpfs mounted for
real on the target (in the box's mount namespace) holding one entry per
device node visible under its ruleset: char devices for null, zero, random,
urandom (Linux's, so they work), empty files for the rest, directories for
pts/ and fd/.  When the kernel refuses (not root), the entries are created
in the directory itself and removed again on unmount.  nullfs is a real bind
mount (read-only when ``ro``), tmpfs a real tmpfs; procfs and fdescfs are
recorded only.  The host's own root and /dev are part of the table but are
never touched (the box's /dev is Linux's).
"""

import errno
import os

from .devfsnodes import _clear, devfs_apply, visible

# What the host's mount(8) shows for the two file systems the kernel has at boot
# (a bsdinstall UFS install on a virtio disk).
SYSTEM_MOUNTS = [
    {"fstype": "ufs", "source": "/dev/vtbd0p2", "target": "/", "flags": ["local", "soft-updates"], "system": True},
    {"fstype": "devfs", "source": "devfs", "target": "/dev", "flags": [], "ruleset": 0, "hidden": [], "system": True},
]

# prmount() prints the flags in the order of mount.c's optnames[] table.
# src: sbin/mount/mount.c, optnames[] / prmount()
FLAG_ORDER = [
    "asynchronous", "NFS exported", "local", "noatime", "noexec", "nosuid", "nosymfollow", "with quotas",
    "read-only", "synchronous", "union", "noclusterr", "noclusterw", "suiddir", "soft-updates",
    "journaled soft-updates", "multilabel", "acls", "nfsv4acls", "gjournal", "automounted",
]  # fmt: skip
# -o words -> flag names (mount.8 OPTIONS)
OPT_FLAGS = {
    "ro": "read-only", "rdonly": "read-only", "noexec": "noexec", "nosuid": "nosuid", "noatime": "noatime",
    "sync": "synchronous", "async": "asynchronous", "union": "union", "nosymfollow": "nosymfollow",
    "multilabel": "multilabel", "acls": "acls",
}  # fmt: skip
# flags2opts(): the -p (fstab) spelling of each flag.  src: sbin/mount/mount.c flags2opts()
FLAG_OPTS = {
    "read-only": "ro", "synchronous": "sync", "noexec": "noexec", "nosuid": "nosuid", "union": "union",
    "asynchronous": "async", "noatime": "noatime", "noclusterr": "noclusterr", "noclusterw": "noclusterw",
    "suiddir": "suiddir", "multilabel": "multilabel", "acls": "acls", "nfsv4acls": "nfsv4acls",
    "nosymfollow": "nosymfollow",
}  # fmt: skip
# File systems that are MNT_LOCAL (they show ", local").  devfs/fdescfs are not.
LOCAL_FS = {"ufs", "zfs", "nullfs", "tmpfs", "procfs"}
FSTYPES = {"devfs", "nullfs", "tmpfs", "procfs", "fdescfs"}


class MountError(Exception):
    """A failed mount/unmount; ``text`` is strerror(errno) of the failing system call."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


def _ensure(state):
    """The table (a mountstore.MountTable in a kernel state), the root file system and /dev first."""
    mounts = state["mounts"]
    if not mounts:  # added on first use; never unmounted (EBUSY), so always the first two
        for pos, m in enumerate(SYSTEM_MOUNTS):
            mounts.insert(pos, dict(m, flags=list(m["flags"])))
    return mounts


def table(state):
    return list(_ensure(state))


def mounted(state, target):
    return _ensure(state).last_on(_norm(target))


def under(state, prefix):
    return _ensure(state).under(_norm(prefix))


def _norm(path):
    path = os.path.normpath(path or "/")
    return "/" + path.lstrip("/") if path != "/" else "/"


def _strerror(code):
    # FreeBSD's strerror(3) texts where they differ from Linux's.
    return {errno.EBUSY: "Device busy", errno.EOPNOTSUPP: "Operation not supported by device"}.get(
        code, os.strerror(code)
    )


def flags_for(fstype, opts):
    flags = set()
    if fstype in LOCAL_FS:
        flags.add("local")
    for o in opts:
        for word in str(o).split(","):
            word = word.strip()
            if word in OPT_FLAGS:
                flags.add(OPT_FLAGS[word])
            elif word == "rw":
                flags.discard("read-only")
    return [f for f in FLAG_ORDER if f in flags]


# ------------------------------------------------------------------ libc


_libc = None


def _sys_mount(source, target, fstype, flags=0, data=None):
    """mount(2) of Linux, in the box's namespace; returns errno (0 = ok)."""
    global _libc
    import ctypes

    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    rc = _libc.mount(
        source.encode(), target.encode(), fstype.encode() if fstype else None, ctypes.c_ulong(flags),
        data.encode() if data else None,
    )  # fmt: skip
    return 0 if rc == 0 else ctypes.get_errno()


def _sys_umount(target, force=False):
    global _libc
    import ctypes

    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    rc = _libc.umount2(target.encode(), 1 | 2 if force else 0)  # MNT_FORCE | MNT_DETACH
    return 0 if rc == 0 else ctypes.get_errno()


MS_RDONLY, MS_NOSUID, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 8, 32, 4096


# ------------------------------------------------------------------ mount / unmount


def mount(state, fstype, source, target, opts=(), ruleset=None):
    mounts = _ensure(state)
    if fstype not in FSTYPES:
        raise MountError(_strerror(errno.EOPNOTSUPP))
    target = _norm(target)
    if not os.path.exists(target):
        raise MountError(_strerror(errno.ENOENT))
    if not os.path.isdir(target):
        raise MountError(_strerror(errno.ENOTDIR))
    words = [w.strip() for o in opts for w in str(o).split(",") if w.strip()]
    rec = {
        "fstype": fstype,
        "source": source or fstype,
        "target": target,
        "flags": flags_for(fstype, words),
        "real": False,
    }
    if fstype == "nullfs":
        src = _norm(source)
        if not os.path.exists(src):
            raise MountError(_strerror(errno.ENOENT))
        if not os.path.isdir(src):
            raise MountError(_strerror(errno.ENOTDIR))
        rec["source"] = src
        if _sys_mount(src, target, None, MS_BIND) == 0:
            rec["real"] = True
            if "read-only" in rec["flags"]:
                _sys_mount(src, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    elif fstype == "tmpfs":
        if _sys_mount("tmpfs", target, "tmpfs", MS_NOSUID if "nosuid" in rec["flags"] else 0, "mode=1777") == 0:
            rec["real"] = True
    elif fstype == "devfs":
        number = int(ruleset or 0)
        if number and str(number) not in state.setdefault("devfs_rulesets", {}):
            # devfs_ruleset_use() creates the ruleset on first reference. src: devfs_rule.c
            state["devfs_rulesets"][str(number)] = []
        rec["ruleset"] = number
        rec["hidden"] = []
        rec["real"] = _sys_mount("devfs", target, "tmpfs", 0, "mode=0755") == 0
        devfs_apply(state, rec)
    mounts.append(rec)
    return rec


def unmount(state, target, force=False):
    mounts = _ensure(state)
    target = _norm(target)
    rec = mounts.last_on(target)
    if rec is None:
        raise MountError(_strerror(errno.EINVAL))
    if rec.get("system"):
        raise MountError(_strerror(errno.EBUSY))
    below = [m for m in mounts.under(target, after=rec) if m["target"] != target]
    if below and not force:
        raise MountError(_strerror(errno.EBUSY))
    for m in reversed(below):
        _do_unmount(m, True)
        mounts.remove(m)
    _do_unmount(rec, force)
    mounts.remove(rec)
    return rec


def _do_unmount(rec, force):
    if rec.get("real"):
        code = _sys_umount(rec["target"], force)
        if code and code != errno.EINVAL:
            if not force:
                raise MountError(_strerror(errno.EBUSY if code == errno.EBUSY else code))
            _sys_umount(rec["target"], True)
    elif rec["fstype"] == "devfs":
        _clear(rec["target"], visible(rec))


def unmount_under(state, prefix):
    """Unmount everything at or below ``prefix``, deepest first (jail removal); returns the records."""
    done = []
    for rec in sorted(under(state, prefix), key=lambda m: -len(m["target"])):
        if rec.get("system"):
            continue
        _do_unmount(rec, True)
        _ensure(state).remove(rec)
        done.append(rec)
    return done
