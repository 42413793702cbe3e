"""Running jails in the kernel state: one file per jail and a small index, so a call costs
what it touches, not what the host runs.

``k.state["jails"]`` is a :class:`JailTable`: a mapping {str(jid): record} whose records live
in ``kernel/jails/JID.json`` and are read on first use, and an index ``kernel/jails/index.txt``
of one line per jail, ``JID<TAB>[name, parent jid, dying, vnet, ip4 list, ip6 list]`` (the list in
compact JSON, lines in the order of the jids as strings), read on first use of the table,
which answers the questions jail(8) asks about every other jail (is a name taken, who are the
children of a jail, which jails are visible from inside one, which jails hold an address) without
reading their records.  ``vnet`` is whether the jail has its own stack (vnet=new); an address
list is the jail's own (PR_IP4_USER / PR_IP6_USER: ip4/ip6 not ``inherit``), or None when it
inherits its parent's.  The index is kept as text and searched as text (str.find, C speed): a
question decodes only the lines that match it, and a change replaces one line, so a call does not
decode or re-encode every jail's entry (a JSON index did both several times per call: 2.5 ms of a
jail -c + jail -r pair at 1000 jails).  A FreeBSD kernel finds a prison by
name or jid on its allprison list without touching the others' parameters; jail(8)'s cost per
call here is likewise independent of the number of jails (bench/simcost.py measures it).

Everything happens under the kernel lock of ``with Kernel()`` (kernel.py): records read are
remembered with their text, and on leaving the lock only those whose encoding changed are
rewritten (tmp + rename), removed jails' files unlinked, and the index rewritten when an entry
changed.  A shared (read-only) Kernel reads the index under the lock; a record read later is
read whole (rename is atomic), and one removed meanwhile reads as absent.
"""

import json
import os
from collections.abc import MutableMapping

JAILS_DIR = "jails"
JAIL_INDEX = "index.txt"


def write_file(path, text):
    """Replace the file at ``path`` with ``text`` (tmp + rename: a reader sees the old or the new)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _own(rec, fam):
    """The jail's own address list of ``fam`` (ip4/ip6), None when it inherits (jailset._ip_user())."""
    return list(rec.get(f"{fam}.addr") or []) if rec.get(fam, "disable") != "inherit" else None


def _summary(rec):
    return [
        rec.get("name", ""),
        rec.get("parent", 0),
        bool(rec.get("dying")),
        rec.get("vnet") == "new",
        _own(rec, "ip4"),
        _own(rec, "ip6"),
    ]


def _line(summary):
    """An index entry as its line's text: compact JSON, ASCII only (no tab or newline in it)."""
    return json.dumps(summary, separators=(",", ":"))


class LineIndex:
    """The jail index as text, ``JID\t[summary]\n`` per jail, ordered by the jid as a string.

    Every question is a search of the text (str.find) and decodes only the lines it finds, so its
    cost is a scan in C, not a Python loop or a JSON decoding of every jail's entry.
    """

    def __init__(self, text=""):
        self.text = text or ""
        self._memo = {}  # key -> decoded summary (None: absent) for keys looked up in this call

    def _start(self, key):
        """Offset of the line of ``key``, or -1."""
        t = self.text
        if t.startswith(key + "\t"):
            return 0
        p = t.find("\n" + key + "\t")
        return p + 1 if p >= 0 else -1

    def _key_at(self, pos):
        """(key, line start) of the line holding offset ``pos``."""
        start = self.text.rfind("\n", 0, pos) + 1
        return self.text[start : self.text.index("\t", start)], start

    def get(self, key, default=None):
        if key in self._memo:
            got = self._memo[key]
        else:
            start = self._start(key)
            if start < 0:
                got = None
            else:
                body = start + len(key) + 1
                got = json.loads(self.text[body : self.text.index("\n", body)])
            self._memo[key] = got
        return default if got is None else got

    def __contains__(self, key):
        return self.get(key) is not None

    def __getitem__(self, key):
        got = self.get(key)
        if got is None:
            raise KeyError(key)
        return got

    def __setitem__(self, key, summary):
        t, line = self.text, f"{key}\t{_line(summary)}\n"
        start = self._start(key)
        if start >= 0:
            end = t.index("\n", start) + 1
        else:  # a new jail: its place in the order of the keys as strings (a binary search over lines)
            lo, hi = 0, len(t)
            while lo < hi:
                mid = (lo + hi) // 2
                s = t.rfind("\n", lo, mid)
                s = lo if s < 0 else s + 1
                e = t.index("\n", s)
                if t[s : t.index("\t", s)] < key:
                    lo = e + 1
                else:
                    hi = s
            start = end = lo
        self.text = t[:start] + line + t[end:]
        self._memo[key] = json.loads(_line(summary))

    def __delitem__(self, key):
        start = self._start(key)
        if start < 0:
            raise KeyError(key)
        self.text = self.text[:start] + self.text[self.text.index("\n", start) + 1 :]
        self._memo[key] = None

    def keys(self):
        """Every key, in index order (reads every line: for listings)."""
        return [line[: line.index("\t")] for line in self.text.splitlines()]

    def __len__(self):
        return self.text.count("\n")

    def find(self, needle):
        """{key: line start} of the lines whose text holds ``needle`` (candidates: the caller checks
        the decoded entry)."""
        out, t, p = {}, self.text, self.text.find(needle)
        while p >= 0:
            key, start = self._key_at(p)
            out[key] = start
            p = t.find(needle, t.index("\n", p) + 1)
        return out

    def position(self, key):
        return self._start(key)

    def as_dict(self):
        return {k: self[k] for k in self.keys()}


def read_jail_index(path):
    """The jail index at ``path`` as {str(jid): summary} (for tests and dumps)."""
    try:
        with open(path, encoding="utf-8") as f:
            return LineIndex(f.read()).as_dict()
    except FileNotFoundError:
        return {}


class RecordFiles:
    """What a table of one file per record and an index shares (JailTable, mountstore.MountTable):
    ``_dir``, ``_encode``, ``_orig`` {key: text read}."""

    def _path(self, key):
        return os.path.join(self._dir, f"{key}.json")

    def _save(self, key, rec):
        """Rewrite the record's file when its encoding differs from the text it was read from."""
        text = self._encode(rec)
        if text != self._orig.get(key):
            write_file(self._path(key), text)
            self._orig[key] = text

    def _unlink(self, key):
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass


class JailTable(RecordFiles, MutableMapping):
    """{str(jid): record}: the kernel's running (and dying) jails, read one file at a time."""

    def __init__(self, kernel_dir, encode, shared=False):
        self._dir = os.path.join(kernel_dir, JAILS_DIR)
        self._encode = encode
        self._shared = shared
        self._idx = None  # a LineIndex of the index file, read on first use
        self._idx_text = None  # the text it was read from (None: no file)
        self._cache = {}  # key -> record read or set in this call
        self._orig = {}  # key -> the text it was read from (absent: new in this call)
        self._removed = set()

    @property
    def _index(self):
        if self._idx is None:
            try:
                with open(os.path.join(self._dir, JAIL_INDEX), encoding="utf-8") as f:
                    self._idx_text = f.read()
            except FileNotFoundError:
                self._idx_text = None
            self._idx = LineIndex(self._idx_text)
        return self._idx

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

    def __delitem__(self, key):
        if key not in self._index:
            raise KeyError(key)
        del self._index[key]
        self._cache.pop(key, None)
        self._removed.add(key)

    def __iter__(self):
        return iter(self._index.keys())

    def __len__(self):
        return len(self._index)

    def __contains__(self, key):
        return key in self._index

    # ------------------------------------------------------------ typed questions, from the index
    @property
    def index(self):
        """{str(jid): [name, parent, dying, vnet, ip4, ip6]} as the index stores it (current after flush())."""
        return self._index.as_dict()

    def brief(self, key):
        """(name, parent jid, dying) of jail ``key`` without reading its record when not read yet."""
        rec = self._cache.get(key)
        if rec is not None:
            return rec.get("name", ""), rec.get("parent", 0), bool(rec.get("dying"))
        name, parent, dying = self._index[key][:3]
        return name, parent, dying

    def summary(self, key):
        """[name, parent, dying, vnet, ip4 list, ip6 list] of jail ``key`` (see the module's text)."""
        rec = self._cache.get(key)
        return _summary(rec) if rec is not None else self._index[key]

    def _search(self, needle, test):
        """Keys, in index order, of the jails for which ``test(summary)`` holds: the index lines
        holding ``needle`` (every entry that can pass contains it), and the records read in this
        call (they may have changed since the index was written)."""
        idx, cache = self._index, self._cache
        found = {k: pos for k, pos in idx.find(needle).items() if k not in cache and test(idx[k])}
        for k, rec in cache.items():
            if k in idx and test(_summary(rec)):
                found[k] = idx.position(k)
        return sorted(found, key=found.get)

    def children(self, jid):
        """Keys of the jails whose parent is ``jid`` (0: the host's own jails), in index order.

        A search of the index for the entries whose parent field is ``jid`` (a jail's parent never
        changes: kern_jail_set() "cannot change jail's parent").
        """
        return self._search(f'",{int(jid)},', lambda s: s[1] == jid)

    def named(self, *names):
        """Keys of the jails whose full name is one of ``names``, in index order."""
        out = set()
        for name in set(names):
            out.update(self._search("\t" + _line([name])[:-1] + ",", lambda s, name=name: s[0] == name))
        return sorted(out, key=self._index.position)

    def holding(self, fam, addrs):
        """Keys of the jails whose own ``fam`` (ip4/ip6) list holds one of ``addrs``, in index order.

        src: sys/netinet/in_jail.c prison_check_ip4_locked() compares the addresses of each prison
        it visits; this finds the prisons that can clash without reading any other record.
        """
        want = set(addrs)
        slot = 4 if fam == "ip4" else 5
        out = set()
        for addr in want:
            out.update(self._search(_line(addr), lambda s: bool(s[slot]) and not want.isdisjoint(s[slot])))
        return sorted(out, key=self._index.position)

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
        idx = self._index
        for key, rec in self._cache.items():
            summary = _summary(rec)
            if idx.get(key) != summary:
                idx[key] = summary
            self._save(key, rec)
        if idx.text != (self._idx_text or ""):
            write_file(os.path.join(self._dir, JAIL_INDEX), idx.text)
            self._idx_text = idx.text

    def unlink_removed(self):
        for key in self._removed:
            if key not in self._index:
                self._unlink(key)
        self._removed.clear()

    def records(self):
        """Every record as a plain dict (reads them all): for dumps and tests."""
        return {k: self[k] for k in self}
