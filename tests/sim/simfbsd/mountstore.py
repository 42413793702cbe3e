"""The mount table in the kernel state: one file per mount and a small index, so a mount or an
unmount costs what it touches, not the number of file systems mounted.

``k.state["mounts"]`` is a :class:`MountTable`: the mounts in mount order, whose records
(mounts.py lists their keys) live in ``kernel/mounts/ID.json`` and are read on first use, and
an index ``kernel/mounts/index.json`` = {"next": next ID, "ids": [ID, ...], "targets": [path,
...]} in mount order (two flat lists: the C decoder reads them in a fraction of the time a
list of records takes).  The questions mount(2)/unmount(2) ask -- what is mounted last on a
path, what lies below it -- are answered from the targets, reading only the records found.  A
FreeBSD kernel likewise finds a mount point by its vnode (vfs_lookup()) and keeps the mount
list (``mountlist``, sys/kern/vfs_mount.c) without touching the others' options.

Everything happens under the kernel lock of ``with Kernel()`` (kernel.py), as in jailstore.py:
records read are remembered with their text, and on leaving the lock only those whose encoding
changed are rewritten (tmp + rename), removed mounts' files unlinked, and the index rewritten
when the list changed.  Iterating the table reads every record (``mount`` with no argument
lists them all, as getmntinfo(3) does).
"""

import json
import os

from .jailstore import INDEX, RecordFiles, read_index

MOUNTS_DIR = "mounts"


class MountTable(RecordFiles):
    """The mounts, in mount order (a sequence of records read one file at a time)."""

    def __init__(self, kernel_dir, encode):
        self._dir = os.path.join(kernel_dir, MOUNTS_DIR)
        self._encode = encode
        self._idx = None  # {"next": int, "ids": [int], "targets": [str]} as stored, read on first use
        self._idx_text = None
        self._idx_dirty = False
        self._cache = {}  # id -> record read or added in this call
        self._orig = {}  # id -> the text it was read from (absent: new in this call)
        self._removed = set()

    @property
    def _index(self):
        if self._idx is None:
            self._idx_text, self._idx = read_index(os.path.join(self._dir, INDEX))  # decoded once per call
            if self._idx is None:
                self._idx = {"next": 1, "ids": [], "targets": []}
        return self._idx

    def _record(self, mid):
        rec = self._cache.get(mid)
        if rec is None:
            try:
                with open(self._path(mid), encoding="utf-8") as f:
                    text = f.read()
            except FileNotFoundError:
                return None  # unmounted after a shared reader took the index
            rec = json.loads(text)
            self._cache[mid] = rec
            self._orig[mid] = text
        return rec

    def _records(self, ids):
        return [r for r in (self._record(m) for m in ids) if r is not None]

    def _id_of(self, rec):
        mid = next((m for m, r in self._cache.items() if r is rec), None)
        if mid is None or mid not in self._index["ids"]:
            raise ValueError("not a mount of this table")
        return mid

    # ------------------------------------------------------------ the sequence
    def __len__(self):
        return len(self._index["ids"])

    def __iter__(self):
        return iter(self._records(list(self._index["ids"])))

    def __reversed__(self):
        return iter(self._records(reversed(self._index["ids"])))

    def __bool__(self):
        return bool(self._index["ids"])

    def insert(self, pos, rec):
        idx = self._index
        mid = idx["next"]
        idx["next"] = mid + 1
        idx["ids"].insert(pos, mid)
        idx["targets"].insert(pos, rec["target"])
        self._cache[mid] = rec
        self._idx_dirty = True
        return rec

    def append(self, rec):
        return self.insert(len(self), rec)

    def remove(self, rec):
        mid = self._id_of(rec)
        idx = self._index
        pos = idx["ids"].index(mid)
        del idx["ids"][pos]
        del idx["targets"][pos]
        del self._cache[mid]
        self._removed.add(mid)
        self._idx_dirty = True

    def clear(self):
        """Forget every mount without reading them (a reboot: fresh_state())."""
        idx = self._index
        self._removed.update(idx["ids"])
        idx["ids"], idx["targets"] = [], []
        self._cache.clear()
        self._idx_dirty = True

    # ------------------------------------------------------------ questions, from the index
    @property
    def targets(self):
        """The mount points in mount order (a new list; no record read)."""
        return list(self._index["targets"])

    def last_on(self, target):
        """The record mounted last on ``target``, or None; reads that record only."""
        targets = self._index["targets"]
        for pos in range(len(targets) - 1, -1, -1):
            if targets[pos] == target:
                return self._record(self._index["ids"][pos])
        return None

    def position(self, rec):
        """The place of ``rec`` in mount order."""
        return self._index["ids"].index(self._id_of(rec))

    def under(self, prefix, start=0):
        """The records at or below path ``prefix`` (normalised), in mount order, from place ``start``."""
        below = prefix.rstrip("/") + "/"
        ids, targets = self._index["ids"], self._index["targets"]
        return self._records(
            [ids[pos] for pos in range(start, len(ids)) if targets[pos] == prefix or targets[pos].startswith(below)]
        )

    # ------------------------------------------------------------ on leaving the lock
    def flush(self):
        """Write the records that changed, then the index if it changed (not when never read)."""
        if self._idx is None:
            return
        live = set(self._index["ids"])
        for mid, rec in self._cache.items():
            if mid not in live:
                continue
            self._save(mid, rec)
        self._save_index()

    def unlink_removed(self):
        live = set(self._index["ids"]) if self._idx is not None else set()
        for mid in self._removed:
            if mid not in live:
                self._unlink(mid)
        self._removed.clear()

    def records(self):
        """Every record as a plain list (reads them all): for dumps and tests."""
        return list(self)
