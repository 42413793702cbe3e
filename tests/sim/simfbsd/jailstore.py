"""Running jails in the kernel state: one file per jail and a small index, so a call costs
what it touches, not what the host runs.

``k.state["jails"]`` is a :class:`JailTable`: a mapping {str(jid): record} whose records live
in ``kernel/jails/JID.json`` and are read on first use, and an index ``kernel/jails/index.json``
= {str(jid): [name, parent jid, dying]}, read on first use of the table, which answers the questions jail(8)
asks about every other jail (is a name taken, who are the children of a jail, which jails are
visible from inside one) without reading their records.  A FreeBSD kernel finds a prison by
name or jid on its allprison list without touching the others' parameters; jail(8)'s cost per
call here is likewise independent of the number of jails (bench/simcost.py measures it).

Everything happens under the kernel lock of ``with Kernel()`` (kernel.py): records read are
remembered with their text, and on leaving the lock only those whose encoding changed are
rewritten (tmp + rename), removed jails' files unlinked, and the index rewritten when a name,
parent or dying flag changed.  A shared (read-only) Kernel reads the index under the lock; a record read later is
read whole (rename is atomic), and one removed meanwhile reads as absent.
"""

import json
import os
from collections.abc import MutableMapping

JAILS_DIR = "jails"
INDEX = "index.json"


def _summary(rec):
    return [rec.get("name", ""), rec.get("parent", 0), bool(rec.get("dying"))]


class JailTable(MutableMapping):
    """{str(jid): record}: the kernel's running (and dying) jails, read one file at a time."""

    def __init__(self, kernel_dir, encode, shared=False):
        self._dir = os.path.join(kernel_dir, JAILS_DIR)
        self._encode = encode
        self._shared = shared
        self._idx = None  # {str(jid): [name, parent, dying]} as stored, read on first use
        self._idx_text = None
        self._idx_dirty = False
        self._cache = {}  # key -> record read or set in this call
        self._orig = {}  # key -> the text it was read from (absent: new in this call)
        self._removed = set()

    @property
    def _index(self):
        if self._idx is None:
            try:
                with open(os.path.join(self._dir, INDEX), encoding="utf-8") as f:
                    self._idx_text = f.read()
                self._idx = json.loads(self._idx_text)
            except FileNotFoundError:
                self._idx_text, self._idx = None, {}
        return self._idx

    def _path(self, key):
        return os.path.join(self._dir, f"{key}.json")

    # ------------------------------------------------------------ the mapping
    def __getitem__(self, key):
        rec = self._cache.get(key)
        if rec is not None:
            return rec
        if key not in self._index:
            raise KeyError(key)
        try:
            with open(self._path(key), encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            raise KeyError(key) from None  # removed after a shared reader took the index
        rec = json.loads(text)
        self._cache[key] = rec
        self._orig[key] = text
        return rec

    def __setitem__(self, key, rec):
        if not isinstance(key, str):
            raise TypeError(f"jail keys are str(jid), got {key!r}")
        self._index[key] = _summary(rec)
        self._cache[key] = rec
        self._removed.discard(key)
        self._idx_dirty = True

    def __delitem__(self, key):
        if key not in self._index:
            raise KeyError(key)
        del self._index[key]
        self._cache.pop(key, None)
        self._idx_dirty = True
        self._removed.add(key)

    def __iter__(self):
        return iter(list(self._index))

    def __len__(self):
        return len(self._index)

    def __contains__(self, key):
        return key in self._index

    # ------------------------------------------------------------ typed questions, from the index
    @property
    def index(self):
        """{str(jid): [name, parent, dying]} as state.json stores it (current after flush())."""
        return self._index

    def brief(self, key):
        """(name, parent jid, dying) of jail ``key`` without reading its record when not read yet."""
        rec = self._cache.get(key)
        name, parent, dying = _summary(rec) if rec is not None else self._index[key]
        return name, parent, dying

    def _current(self):
        """(key, [name, parent, dying]) in index order, records read in this call taking precedence."""
        cache = self._cache
        for k, s in self._index.items():
            yield k, (_summary(cache[k]) if k in cache else s)

    def children(self, jid):
        """Keys of the jails whose parent is ``jid`` (0: the host's own jails)."""
        return [k for k, s in self._current() if s[1] == jid]

    def named(self, *names):
        """Keys of the jails whose full name is one of ``names``, in index order."""
        return [k for k, s in self._current() if s[0] in names]

    def under(self, key, ancestor):
        """Whether jail ``key`` descends from jail ``ancestor`` (jid)."""
        p = self.brief(key)[1]
        while p:
            if p == ancestor:
                return True
            p = self.brief(str(p))[1] if str(p) in self._index else 0
        return False

    def holds(self, rec):
        """Whether ``rec`` is a record this table handed out (the same object)."""
        return any(r is rec for r in self._cache.values())

    def key_of(self, rec):
        return next((k for k, r in self._cache.items() if r is rec), None)

    # ------------------------------------------------------------ on leaving the lock
    def flush(self):
        """Write the records that changed, then the index if it changed (not when never read)."""
        if self._idx is None:
            return
        for key, rec in self._cache.items():
            summary = _summary(rec)
            if self._index.get(key) != summary:
                self._index[key] = summary
                self._idx_dirty = True
            text = self._encode(rec)
            if text != self._orig.get(key):
                os.makedirs(self._dir, exist_ok=True)
                tmp = f"{self._path(key)}.{os.getpid()}.tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, self._path(key))
                self._orig[key] = text
        if not self._idx_dirty:
            return
        self._idx_dirty = False
        text = self._encode(self._idx)
        if text != self._idx_text:
            os.makedirs(self._dir, exist_ok=True)
            tmp = f"{os.path.join(self._dir, INDEX)}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, os.path.join(self._dir, INDEX))
            self._idx_text = text

    def unlink_removed(self):
        for key in self._removed:
            if key not in self._index:
                try:
                    os.unlink(self._path(key))
                except FileNotFoundError:
                    pass
        self._removed.clear()

    def records(self):
        """Every record as a plain dict (reads them all): for dumps and tests."""
        return {k: self[k] for k in self}
