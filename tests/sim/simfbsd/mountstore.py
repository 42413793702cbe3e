"""The mount table in the kernel state: one file per mount and a small index, so a mount or an
unmount costs what it touches, not the number of file systems mounted.

``k.state["mounts"]`` is a :class:`MountTable`: the mounts in mount order, whose records
(mounts.py lists their keys) live in ``kernel/mounts/ID.json`` and are read on first use, and
an index of one line per mount, ``ID<TAB>"target"`` (the target as a JSON string: no tab or
newline in it), ordered by ID: IDs rise in mount order (a mount is only ever added at the end),
so the index order is the mount order.  The index is a jailstore.JournalIndex: a base
``kernel/mounts/index.txt`` whose first line also keeps the next ID, and a journal
``kernel/mounts/index.log`` to which a mount or an unmount appends one line (the base is rewritten
every JOURNAL_MAX lines), so neither rewrites the list (a 42 KB index at 1000 devfs mounts was
rewritten twice per jail -c + jail -r pair).  The questions mount(2)/unmount(2) ask -- what is
mounted last on a path, what lies below it -- are searches of that text (str.find), reading only
the records found, and a mount is found by its ID with a binary search.  A FreeBSD kernel likewise
finds a mount point by its vnode (vfs_lookup()) and keeps the mount list (``mountlist``,
sys/kern/vfs_mount.c) without touching the others' options.

Everything happens under the kernel lock of ``with Kernel()`` (kernel.py), as in jailstore.py:
records read are remembered with their text, and on leaving the lock only those whose encoding
changed are rewritten (tmp + rename), the index's changes appended, and removed mounts' files
unlinked.  Iterating the table reads every record (``mount`` with no argument lists them all, as
getmntinfo(3) does).
"""

import json
import os

from .jailstore import JournalIndex, RecordFiles

MOUNTS_DIR = "mounts"
INDEX = "index.txt"
LOG = "index.log"


def _target(target):
    """A target as its index line holds it (after the tab): a JSON string, ASCII only."""
    return json.dumps(target)


def read_mount_index(path):
    """[(ID, target)] of the index whose base is the file ``path`` (its journal beside it), in mount
    order (for tests and dumps)."""
    idx = JournalIndex(os.path.dirname(path), INDEX, LOG, order=int)
    return [(int(k), idx[k]) for k in idx.ordered_keys()]


class MountTable(RecordFiles):
    """The mounts, in mount order (a sequence of records read one file at a time)."""

    def __init__(self, kernel_dir, encode):
        self._dir = os.path.join(kernel_dir, MOUNTS_DIR)
        self._encode = encode
        self._idx = None  # the JournalIndex {str(ID): target}, read on first use
        self._next = 1
        self._cache = {}  # id -> record read or added in this call
        self._orig = {}  # id -> the text it was read from (absent: new in this call)
        self._removed = set()

    @property
    def _index(self):
        if self._idx is None:
            idx = self._idx = JournalIndex(self._dir, INDEX, LOG, order=int)
            # the next ID: kept in the base's first line, and past every ID the journal names
            last = idx.base.text.rfind("\n", 0, len(idx.base.text) - 1) + 1
            ids = [int(k) for k in idx.journal_keys()]
            if idx.base.text:
                ids.append(int(idx.base.text[last : idx.base.text.index("\t", last)]))
            self._next = max([idx.meta or 1] + [i + 1 for i in ids])
        return self._idx

    def load(self):
        """Read the index now (a shared Kernel does, under the lock: records are read later)."""
        return self._index

    def _ids(self):
        """The IDs of every mount, in mount order."""
        return [int(k) for k in self._index.ordered_keys()]

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
        if mid is None or str(mid) not in self._index:
            raise ValueError("not a mount of this table")
        return mid

    # ------------------------------------------------------------ the sequence
    def __len__(self):
        return len(self._ids())

    def __iter__(self):
        return iter(self._records(self._ids()))

    def __reversed__(self):
        return iter(self._records(reversed(self._ids())))

    def __bool__(self):
        return self._index.any()

    def insert(self, pos, rec):
        """Add ``rec`` at place ``pos``, which must be the end: IDs rise in mount order, so that the
        index is ordered by ID (mounts.py adds / and /dev to an empty table this way)."""
        if pos != len(self):
            raise ValueError("a mount is only added at the end of the mount list")
        return self.append(rec)

    def append(self, rec):
        idx = self._index
        mid = self._next
        self._next = mid + 1
        idx[str(mid)] = rec["target"]
        self._cache[mid] = rec
        return rec

    def remove(self, rec):
        mid = self._id_of(rec)
        del self._index[str(mid)]
        del self._cache[mid]
        self._removed.add(mid)

    def clear(self):
        """Forget every mount without reading them (a reboot: fresh_state())."""
        for mid in self._ids():
            del self._index[str(mid)]
            self._removed.add(mid)
        self._cache.clear()

    # ------------------------------------------------------------ questions, from the index
    @property
    def targets(self):
        """The mount points in mount order (a new list; no record read)."""
        idx = self._index
        return [idx[k] for k in idx.ordered_keys()]

    def last_on(self, target):
        """The record mounted last on ``target``, or None; reads that record only."""
        ids = [int(k) for k in self._index.find(f"\t{_target(target)}\n")]
        return self._record(max(ids)) if ids else None

    def position(self, rec):
        """The place of ``rec`` in mount order."""
        return self._ids().index(self._id_of(rec))

    def under(self, prefix, start=0, after=None):
        """The records at or below path ``prefix`` (normalised), in mount order, from place ``start``,
        or only those mounted after the record ``after`` (by its ID: no counting of places)."""
        if after is not None:
            first = self._id_of(after) + 1
        else:
            ids = self._ids()
            first = ids[start] if start < len(ids) else self._next
        found = set()
        for needle in (f"\t{_target(prefix)}\n", "\t" + _target(prefix.rstrip("/") + "/")[:-1]):
            found.update(int(k) for k in self._index.find(needle))
        return self._records(sorted(m for m in found if m >= first))

    # ------------------------------------------------------------ on leaving the lock
    def flush(self):
        """Write the records that changed, then the index's changes (not when never read)."""
        if self._idx is None:
            return
        idx = self._index
        for mid, rec in self._cache.items():
            if str(mid) in idx:
                self._save(mid, rec)
        idx.meta = self._next
        idx.save()

    def unlink_removed(self):
        for mid in self._removed:
            if self._idx is None or str(mid) not in self._idx:
                self._unlink(mid)
        self._removed.clear()

    def records(self):
        """Every record as a plain list (reads them all): for dumps and tests."""
        return list(self)
