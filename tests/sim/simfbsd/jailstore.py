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
question decodes only the lines that match it, a jid is found by a binary search over the lines,
and a change is one line appended to a journal (``index.log``, folded into ``index.txt`` every
JOURNAL_MAX lines: see JournalIndex), so a call neither decodes nor re-encodes nor rewrites every
jail's entry (a JSON index did all three several times per call: 2.5 ms of a jail -c + jail -r
pair at 1000 jails).  A FreeBSD kernel finds a prison by
name or jid on its allprison list without touching the others' parameters; jail(8)'s cost per
call here is likewise independent of the number of jails (bench/simcost.py measures it).

Everything happens under the kernel lock of ``with Kernel()`` (kernel.py): records read are
remembered with their text, and on leaving the lock only those whose encoding changed are
rewritten (tmp + rename), then the index's changed entries appended to its journal, and removed
jails' files unlinked.  A shared (read-only) Kernel reads the index under the lock; a record read later is
read whole (rename is atomic), and one removed meanwhile reads as absent.
"""

import json
import os
import re
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


class _Entries:
    """What both forms of the index answer the same way, from get() and ordered_keys()."""

    def __contains__(self, key):
        return self.get(key) is not None

    def __getitem__(self, key):
        got = self.get(key)
        if got is None:
            raise KeyError(key)
        return got

    def as_dict(self):
        return {k: self[k] for k in self.ordered_keys()}


class LineIndex(_Entries):
    """An index as text, ``KEY\t[value in JSON]\n`` per entry, ordered by ``order(KEY)`` (the jail
    index: the jid as a string; the mount index, mountstore.py: the mount ID as a number).

    Every question is a search of the text (str.find) and decodes only the lines it finds, so its
    cost is a scan in C, not a Python loop or a JSON decoding of every jail's entry.
    """

    def __init__(self, text="", order=str):
        self.text = text or ""
        self.order = order
        self._memo = {}  # key -> decoded summary (None: absent) for keys looked up in this call
        self._pos = {}  # key -> line start (-1: absent), for the text as it is
        self._found = {}  # needle -> find()'s answer, for the text as it is

    def _bisect(self, key):
        """(offset, found): the start of the line of ``key``, or where a line for it goes.

        The lines are in the order of their keys, so this is a binary search over lines:
        O(log N) slices and C-level searches, not a scan of the whole text (a missing key, the
        common question of a create, was the slowest scan)."""
        t, order = self.text, self.order
        want = order(key)
        lo, hi = 0, len(t)
        while lo < hi:
            mid = (lo + hi) // 2
            s = t.rfind("\n", lo, mid) + 1 or lo
            tab = t.index("\t", s)
            k = t[s:tab]
            if order(k) < want:
                lo = t.index("\n", tab) + 1
            elif k == key:
                return s, True
            else:
                hi = s
        return lo, False

    def prefixed(self, prefix):
        """The rest of each key that starts with ``prefix`` (a binary search, then those lines)."""
        t, out = self.text, []
        start = self._bisect(prefix)[0]
        while t.startswith(prefix, start):
            tab = t.index("\t", start)
            out.append(t[start + len(prefix) : tab])
            start = t.index("\n", tab) + 1
        return out

    def _start(self, key):
        """Offset of the line of ``key``, or -1 (remembered until the text changes)."""
        pos = self._pos.get(key)
        if pos is None:
            start, found = self._bisect(key)
            pos = self._pos[key] = start if found else -1
        return pos

    def _key_at(self, pos):
        """(key, line start) of the line holding offset ``pos``."""
        start = self.text.rfind("\n", 0, pos) + 1
        return self.text[start : self.text.index("\t", start)], start

    def _edited(self):
        """The text changed: line offsets and search results no longer hold (decoded entries do)."""
        self._pos.clear()
        self._found.clear()

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

    def __setitem__(self, key, summary):
        t, line = self.text, f"{key}\t{_line(summary)}\n"
        start, found = self._bisect(key)  # a new jail: its place in the order of the keys as strings
        end = t.index("\n", start) + 1 if found else start
        self.text = t[:start] + line + t[end:]
        self._edited()
        self._memo[key] = json.loads(_line(summary))

    def __delitem__(self, key):
        start = self._start(key)
        if start < 0:
            raise KeyError(key)
        self.text = self.text[:start] + self.text[self.text.index("\n", start) + 1 :]
        self._edited()
        self._memo[key] = None

    def ordered_keys(self):
        """Every key, in index order (reads every line: for listings)."""
        return [line[: line.index("\t")] for line in self.text.splitlines()]

    def __len__(self):
        return self.text.count("\n")

    def find(self, needle):
        """{key: line start} of the lines whose text holds ``needle`` (candidates: the caller checks
        the decoded entry); remembered until the text changes."""
        out = self._found.get(needle)
        if out is None:
            out, t, p = {}, self.text, self.text.find(needle)
            while p >= 0:
                key, start = self._key_at(p)
                out[key] = self._pos[key] = start
                p = t.find(needle, t.index("\n", p) + 1)
            self._found[needle] = out
        return out


# ---------------------------------------------------------------- the index on disk: a base and a journal
#
# ``jails/index.txt`` (the base) holds ``@TOKEN`` on its first line, then the LineIndex lines; it is
# never changed once written: a new base (a compaction) is a new file, renamed into place, with a
# new random TOKEN.  ``jails/index.log`` (the journal) holds ``@TOKEN`` of the base it was started
# on, then one line per change since: ``JID<TAB>[summary]`` (set) or ``JID<TAB>`` (removed), the
# last line of a jid winning.  A lock section that changes the index appends its lines to the
# journal (one small write, whatever the number of jails) instead of rewriting the base (37 KB at
# 1000 jails, a new file and a rename, twice per jail -c + jail -r pair); when the journal would
# hold more than JOURNAL_MAX lines, the base is rewritten with them and the journal started again
# (each tmp + rename): the cost of one rewrite shared by JOURNAL_MAX changes.
#
# Crash-safety, as the single index file had it (a lock section writes the records, then the
# index, then state.json; kernel.py): a change is in the index once its journal line is complete.
# A line torn by a crash (no newline at its end) is not read, and the next writer cuts it off
# before appending.  A compaction that stops after the new base and before the new journal leaves
# the old journal, whose TOKEN is not the base's: its lines are already in the new base, so a
# journal on another base is not read, and the next writer starts one on the new base.  The same
# rule keeps a reader that takes the two files outside the lock (a shared Kernel reads the index
# under it: kernel.py) from mixing an older journal with a newer base.
#
# Within one tool call (jail -c takes the kernel lock five times) the base is read once: it never
# changes and its TOKEN is unique, so the LineIndex read for a TOKEN, with the lines it already
# found and decoded, is the base whenever the journal names that TOKEN.  forget() drops it:
# tool.run() calls it, so nothing carries over from one call to the next (each call is a process
# of its own on a box; the benchmark runs many in one process).
JAIL_LOG = "index.log"
JOURNAL_MAX = 64
_BASES = {}  # index.txt path -> (TOKEN, LineIndex of its lines) as this call read or wrote it


def forget():
    _BASES.clear()


def _split_head(text):
    """(TOKEN, META, lines) of a base or journal text: its first line is ``@TOKEN[ META]``, META a
    number the index's owner keeps there (mountstore.py: the next mount ID) or None.  A text without
    it is an index from before the journal: no TOKEN, and a first line without a tab is META."""
    head, nl, rest = text.partition("\n")
    if text.startswith("@"):
        token, _sp, meta = head[1:].partition(" ")
        return token, int(meta) if meta else None, rest
    if nl and "\t" not in head:
        return "", int(head), rest
    return "", None, text


def _split_by(text):
    """(the index's lines, its secondary lines or None): a base may end with ``@`` on a line of its
    own, then secondary lines ``BYKEY<TAB>0`` ordered as strings (JournalIndex ``by``).  No index line
    starts with ``@`` (a key is a number) or ends with one (its value is JSON: ``]`` or ``"``)."""
    if text.startswith("@\n"):
        return "", text[2:]
    head, sep, by = text.partition("\n@\n")
    return (head + "\n", by) if sep else (text, None)


_NAME_PARENT = re.compile(r'^([^\t\n]+)\t\[("(?:[^"\\]|\\.)*"),(-?\d+),', re.M)


def jail_by(text):
    """The jail index's secondary lines: ``n"NAME":JID`` and ``pPARENT:JID`` for each jail, so that a
    name (a create's "already exists", every -j NAME) and the children of a jail (jail -r) are
    found by a binary search in the base, not a scan of every line (written at a compaction only)."""
    keys = []
    for m in _NAME_PARENT.finditer(text):
        keys.append(f"n{m.group(2)}:{m.group(1)}")
        keys.append(f"p{m.group(3)}:{m.group(1)}")
    keys.sort()
    return "".join(f"{k}\t0\n" for k in keys)


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


class JournalIndex(_Entries):
    """The jail index: the base (a LineIndex, never changed) with the journal's lines over it.

    It answers what LineIndex answers (get, in, keys, find, len), a journal line taking the place
    of the base's line for its jid, and keeps this call's changes to append them on save().
    """

    def __init__(self, directory, base=JAIL_INDEX, log=JAIL_LOG, order=str, by=None):
        self._dir, self._base_name, self._log_name, self.order, self._by = directory, base, log, order, by
        base_path = os.path.join(directory, base)
        log = _read(os.path.join(directory, log))
        self._log_keep = None if log is None else log.rfind("\n") + 1  # the complete lines' length
        self.log_token, _meta, body = _split_head((log or "")[: self._log_keep])
        self._log_lines = body.count("\n")
        cached = _BASES.get(base_path)
        if cached is not None and log is not None and cached[0] == self.log_token:
            self.token, self.meta, self.base, self.by = cached
        else:
            self.token, self.meta, text = _split_head(_read(base_path) or "")
            text, by = _split_by(text)
            self.base, self.by = LineIndex(text, order), None if by is None else LineIndex(by)
            _BASES[base_path] = (self.token, self.meta, self.base, self.by)
        self._raw = {}  # key -> "\t" + value text + "\n" ("\t\n": removed): the journal's and this call's
        if self.log_token != self.token:
            body = ""  # a journal on an older base: the base holds its lines (a compaction cut short)
        for line in body.splitlines():
            key, tab, raw = line.partition("\t")
            if tab:
                self._raw[key] = f"\t{raw}\n"
        self._memo = {}  # key -> decoded summary (None: absent), for keys in _raw
        self._pending = {}  # key -> the line this call appends for it (its last value)

    # ------------------------------------------------------------ questions
    def get(self, key, default=None):
        raw = self._raw.get(key)
        if raw is None:
            return self.base.get(key, default)
        if key not in self._memo:
            self._memo[key] = json.loads(raw[1:-1]) if len(raw) > 2 else None
        got = self._memo[key]
        return default if got is None else got

    def find(self, needle):
        """Keys of the entries whose line holds ``needle`` (candidates, as LineIndex.find())."""
        raw = self._raw
        out = [k for k in self.base.find(needle) if k not in raw]
        out.extend(k for k, r in raw.items() if len(r) > 2 and needle in r)
        return out

    def lookup(self, prefix, needle):
        """Keys of the entries whose line holds ``needle`` (candidates, as find()), the base's found by
        ``prefix`` in its secondary lines (``by``: a binary search) when it has them."""
        if self.by is None:
            return self.find(needle)
        raw = self._raw
        out = [k for k in self.by.prefixed(prefix) if k not in raw]
        out.extend(k for k, r in raw.items() if len(r) > 2 and needle in r)
        return out

    def ordered_keys(self):
        """Every key, in index order (``order`` of the keys); reads every line: listings."""
        raw = self._raw
        live = [k for k, r in raw.items() if len(r) > 2]
        return sorted([k for k in self.base.ordered_keys() if k not in raw] + live, key=self.order)

    def any(self):
        """Whether an entry is left, without listing them when the base's first one is."""
        t = self.base.text
        if any(len(r) > 2 for r in self._raw.values()):
            return True
        return bool(t) and (t[: t.index("\t")] not in self._raw or bool(self.ordered_keys()))

    def journal_keys(self):
        """The keys the journal and this call changed (set or removed)."""
        return list(self._raw)

    def __len__(self):
        return len(self.ordered_keys())

    # ------------------------------------------------------------ changes
    def __setitem__(self, key, summary):
        line = _line(summary)
        self._raw[key] = f"\t{line}\n"
        self._memo[key] = json.loads(line)
        self._pending[key] = f"{key}\t{line}\n"

    def __delitem__(self, key):
        if key not in self:
            raise KeyError(key)
        self._raw[key] = "\t\n"
        self._memo[key] = None
        self._pending[key] = f"{key}\t\n"

    def save(self):
        """Append this call's changes to the journal; compact instead when it would pass JOURNAL_MAX
        lines, or when it is missing or was started on another base (a compaction cut short)."""
        if not self._pending:
            return
        log_path = os.path.join(self._dir, self._log_name)
        if self._log_keep is None or self.log_token != self.token or self._log_lines + len(self._pending) > JOURNAL_MAX:
            self._compact(log_path)
        else:
            add = "".join(self._pending.values())
            fd = os.open(log_path, os.O_WRONLY | os.O_APPEND)
            try:
                if os.fstat(fd).st_size != self._log_keep:
                    os.ftruncate(fd, self._log_keep)  # a line torn by a crash mid-append: cut off
                os.write(fd, add.encode("ascii"))  # _line() is ASCII, a key is a jid
            finally:
                os.close(fd)
            self._log_lines += len(self._pending)
            self._log_keep += len(add)
        self._pending = {}

    def _compact(self, log_path):
        new = LineIndex(self.base.text, self.order)
        for key, raw in self._raw.items():
            if len(raw) > 2:
                new[key] = json.loads(raw[1:-1])
            elif key in new:
                del new[key]
        token = os.urandom(8).hex()
        head = f"@{token}" if self.meta is None else f"@{token} {self.meta}"
        base_path = os.path.join(self._dir, self._base_name)
        by = None if self._by is None else self._by(new.text)
        tail = "" if by is None else f"@\n{by}"
        write_file(base_path, f"{head}\n{new.text}{tail}")  # the base first, then the journal started on it
        write_file(log_path, f"@{token}\n")
        self.token = self.log_token = token
        self.base, self.by = LineIndex(new.text, self.order), None if by is None else LineIndex(by)
        self._raw, self._memo = {}, {}
        self._log_lines, self._log_keep = 0, len(token) + 2
        _BASES[base_path] = (token, self.meta, self.base, self.by)


def read_jail_index(path):
    """The jail index whose base is the file ``path`` (its journal beside it), as {str(jid): summary}
    in index order (for tests and dumps)."""
    return JournalIndex(os.path.dirname(path), by=jail_by).as_dict()


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
        self._idx = None  # a JournalIndex of the index files, read on first use
        self._cache = {}  # key -> record read or set in this call
        self._orig = {}  # key -> the text it was read from (absent: new in this call)
        self._removed = set()

    @property
    def _index(self):
        if self._idx is None:
            self._idx = JournalIndex(self._dir, by=jail_by)
        return self._idx

    def load(self):
        """Read the index now (a shared Kernel does, under the lock: records are read later)."""
        return self._index

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
        return iter(self._index.ordered_keys())

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

    def _search(self, needle, test, by=None):
        """Keys, in index order, of the jails for which ``test(summary)`` holds: the index lines
        holding ``needle`` (every entry that can pass contains it), and the records read in this
        call (they may have changed since the index was written).  Index order is the order of the
        keys as strings (LineIndex), so the keys found are sorted, not located."""
        idx, cache = self._index, self._cache
        keys = idx.find(needle) if by is None else idx.lookup(by, needle)
        found = {k for k in keys if k not in cache and test(idx[k])}
        found.update(k for k, rec in cache.items() if k in idx and test(_summary(rec)))
        return sorted(found)

    def children(self, jid):
        """Keys of the jails whose parent is ``jid`` (0: the host's own jails), in index order.

        A search of the index for the entries whose parent field is ``jid`` (a jail's parent never
        changes: kern_jail_set() "cannot change jail's parent").
        """
        return self._search(f'",{int(jid)},', lambda s: s[1] == jid, by=f"p{int(jid)}:")

    def named(self, *names):
        """Keys of the jails whose full name is one of ``names``, in index order."""
        out = set()
        for name in set(names):
            line = _line([name])
            out.update(self._search("\t" + line[:-1] + ",", lambda s, name=name: s[0] == name, by=f"n{line[1:-1]}:"))
        return sorted(out)

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
        return sorted(out)

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
        idx.save()

    def unlink_removed(self):
        for key in self._removed:
            if key not in self._index:
                self._unlink(key)
        self._removed.clear()

    def records(self):
        """Every record as a plain dict (reads them all): for dumps and tests."""
        return {k: self[k] for k in self}
