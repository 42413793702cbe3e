"""The mount table in the kernel state: one file per mount and a small index, so a mount or an
unmount costs what it touches, not the number of file systems mounted.

``k.state["mounts"]`` is a :class:`MountTable`: the mounts in mount order, whose records
(mounts.py lists their keys) live in ``kernel/mounts/ID.json`` and are read on first use, and
an index ``kernel/mounts/index.txt``: the next ID on its first line, then one line per mount in
mount order, ``ID<TAB>"target"`` (the target as a JSON string: no tab or newline in it).  The
questions mount(2)/unmount(2) ask -- what is mounted last on a path, what lies below it -- are
searches of that text (str.find, as jailstore.LineIndex does for the jails), reading only the
records found; a mount or an unmount adds or cuts one line, and nothing decodes the whole list
(a JSON index was decoded and re-encoded on every change: 0.6 ms of a jail -c + jail -r pair
with 1000 devfs mounts).  A
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

from .jailstore import RecordFiles, write_file

MOUNTS_DIR = "mounts"
INDEX = "index.txt"


def _target(target):
    """A target as its index line holds it (after the tab): a JSON string, ASCII only."""
    return json.dumps(target)


def read_mount_index(path):
    """[(ID, target)] of the index file at ``path``, in mount order (for tests and dumps)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()[1:]
    except FileNotFoundError:
        return []
    return [(int(mid), json.loads(t)) for mid, t in (line.split("\t", 1) for line in lines)]


class MountTable(RecordFiles):
    """The mounts, in mount order (a sequence of records read one file at a time)."""

    def __init__(self, kernel_dir, encode):
        self._dir = os.path.join(kernel_dir, MOUNTS_DIR)
        self._encode = encode
        self._text = None  # the index's mount lines (each ending in a newline), read on first use
        self._next = 1
        self._idx_text = None  # the index file as read or last written (None: no file)
        self._cache = {}  # id -> record read or added in this call
        self._orig = {}  # id -> the text it was read from (absent: new in this call)
        self._removed = set()

    @property
    def _lines(self):
        if self._text is None:
            try:
                with open(os.path.join(self._dir, INDEX), encoding="utf-8") as f:
                    self._idx_text = f.read()
            except FileNotFoundError:
                self._idx_text = None
            head, _nl, self._text = (self._idx_text or "1\n").partition("\n")
            self._next = int(head)
        return self._text

    def _ids(self, text=None):
        """The IDs of ``text`` (default: every mount), in order."""
        text = self._lines if text is None else text
        return [int(line[: line.index("\t")]) for line in text.splitlines()]

    def _start(self, mid):
        """Offset of the line of mount ``mid`` in the index, or -1: a binary search over the lines, whose
        IDs rise in mount order (a mount is only ever added at the end: insert(), append())."""
        t = self._lines
        lo, hi = 0, len(t)
        while lo < hi:
            mid_off = (lo + hi) // 2
            s = t.rfind("\n", lo, mid_off) + 1 or lo
            tab = t.index("\t", s)
            k = int(t[s:tab])
            if k < mid:
                lo = t.index("\n", tab) + 1
            elif k == mid:
                return s
            else:
                hi = s
        return -1

    def _offset(self, pos):
        """Offset of the line at place ``pos`` (the end of the text when there are no more lines)."""
        t = self._lines
        if pos <= 0:
            return 0
        parts = t.split("\n", pos)
        return len(t) - len(parts[-1]) if len(parts) > pos else len(t)

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
        if mid is None or self._start(mid) < 0:
            raise ValueError("not a mount of this table")
        return mid

    # ------------------------------------------------------------ the sequence
    def __len__(self):
        return self._lines.count("\n")

    def __iter__(self):
        return iter(self._records(self._ids()))

    def __reversed__(self):
        return iter(self._records(reversed(self._ids())))

    def __bool__(self):
        return bool(self._lines)

    def insert(self, pos, rec):
        """Add ``rec`` at place ``pos``, which must be the end: IDs rise in mount order (_start())."""
        if pos != len(self):
            raise ValueError("a mount is only added at the end of the mount list")
        return self.append(rec)

    def append(self, rec):
        self._lines  # noqa: B018  (read the index: the new mount takes the next ID)
        mid = self._next
        self._next = mid + 1
        self._text += f"{mid}\t{_target(rec['target'])}\n"
        self._cache[mid] = rec
        return rec

    def remove(self, rec):
        mid = self._id_of(rec)
        start = self._start(mid)
        self._text = self._text[:start] + self._text[self._text.index("\n", start) + 1 :]
        del self._cache[mid]
        self._removed.add(mid)

    def clear(self):
        """Forget every mount without reading them (a reboot: fresh_state())."""
        self._removed.update(self._ids())
        self._text = ""
        self._cache.clear()

    # ------------------------------------------------------------ questions, from the index
    @property
    def targets(self):
        """The mount points in mount order (a new list; no record read)."""
        return [json.loads(line.split("\t", 1)[1]) for line in self._lines.splitlines()]

    def _line_id(self, t, p):
        """The ID of the line that holds offset ``p`` of ``t``."""
        start = t.rfind("\n", 0, p) + 1
        return int(t[start : t.index("\t", start)])

    def last_on(self, target):
        """The record mounted last on ``target``, or None; reads that record only."""
        t = self._lines
        p = t.rfind(f"\t{_target(target)}\n")
        return None if p < 0 else self._record(self._line_id(t, p))

    def position(self, rec):
        """The place of ``rec`` in mount order."""
        return self._lines.count("\n", 0, self._start(self._id_of(rec)))

    def under(self, prefix, start=0, after=None):
        """The records at or below path ``prefix`` (normalised), in mount order, from place ``start``,
        or only those mounted after the record ``after`` (found by its ID, not by counting lines)."""
        t = self._lines
        if after is not None:
            first = self._start(self._id_of(after))
            first = t.index("\n", first) + 1
        else:
            first = self._offset(start) if start else 0
        found = set()
        for needle in (f"\t{_target(prefix)}\n", "\t" + _target(prefix.rstrip("/") + "/")[:-1]):
            p = t.find(needle, first)
            while p >= 0:
                found.add(p)
                p = t.find(needle, t.index("\n", p + 1) + 1)
        return self._records([self._line_id(t, p) for p in sorted(found)])

    # ------------------------------------------------------------ on leaving the lock
    def flush(self):
        """Write the records that changed, then the index if it changed (not when never read)."""
        if self._text is None:
            return
        for mid, rec in self._cache.items():
            if self._start(mid) >= 0:
                self._save(mid, rec)
        text = f"{self._next}\n{self._text}"
        if text != self._idx_text:
            write_file(os.path.join(self._dir, INDEX), text)
            self._idx_text = text

    def unlink_removed(self):
        for mid in self._removed:
            if self._text is None or self._start(mid) < 0:
                self._unlink(mid)
        self._removed.clear()

    def records(self):
        """Every record as a plain list (reads them all): for dumps and tests."""
        return list(self)
