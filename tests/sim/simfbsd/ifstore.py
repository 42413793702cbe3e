"""The host's interfaces in the kernel state, in a file of their own with compact address lists,
so adding or removing an address costs what it touches, not the number of addresses.

``k.state["ifaces"]`` is an :class:`IfaceTable`: the mapping {ifname: iface} of the host's
stack (netif/ lists the keys of an iface), read from ``kernel/ifaces.json`` on first use -- a
call that never looks at an interface (most of jail(8)'s steps) does not read it -- and
rewritten on leaving the lock only when its encoding changed.  Each interface's ``inet`` and
``inet6`` lists are :class:`AddrList`: stored as strings ``ADDR/PREFIX`` or ``ADDR/PREFIX%SCOPE``
(a list of short strings is decoded and encoded by the C codec in a fraction of the time a list
of dicts takes), turned into the dicts netif/ works with ({addr, prefix, scope}) only when the
whole list is read (ifconfig listing it, a daemon looking for its address).  The operations
jail(8) makes per jail -- is an address on the interface, add an alias, remove one
(netif/addr.py) -- work on the strings.  A vnet's interfaces (``state["vnets"]``) stay in
state.json; they hold AddrLists too (an interface moved there keeps its list's form).
"""

import json
import os
from collections.abc import MutableMapping, MutableSequence

from .jailstore import write_file

IFACES = "ifaces.json"
FAMILIES = ("inet", "inet6")


def _enc(entry):
    """{addr, prefix[, scope]} -> ``ADDR/PREFIX[%SCOPE]``; any other entry stays a dict."""
    if isinstance(entry, dict) and set(entry) <= {"addr", "prefix", "scope"} and "addr" in entry:
        addr, prefix, scope = entry["addr"], entry.get("prefix"), entry.get("scope")
        if (
            isinstance(addr, str)
            and "/" not in addr
            and "%" not in addr
            and isinstance(prefix, int)
            and not isinstance(prefix, bool)
            and (scope is None or (isinstance(scope, str) and scope))
        ):
            return f"{addr}/{prefix}%{scope}" if scope is not None else f"{addr}/{prefix}"
    return entry


def _dec(item):
    if not isinstance(item, str):
        return item
    addr, _slash, rest = item.partition("/")
    prefix, pct, scope = rest.partition("%")
    entry = {"addr": addr, "prefix": int(prefix)}
    if pct:
        entry["scope"] = scope
    return entry


class AddrList(MutableSequence):
    """An interface's addresses of one family, in order (first = primary), kept encoded until read."""

    def __init__(self, items=()):
        self._raw = list(items)  # encoded items (str, or dict when not encodable)
        self._d = None  # the decoded dicts, once the list was read as a whole

    def _list(self):
        if self._d is None:
            self._d = [_dec(x) for x in self._raw]
            self._raw = None
        return self._d

    # ------------------------------------------------------------ the sequence (decodes)
    def __getitem__(self, i):
        return self._list()[i]

    def __setitem__(self, i, value):
        self._list()[i] = value

    def __delitem__(self, i):
        del self._list()[i]

    def insert(self, index, value):
        self._list().insert(index, value)

    def __len__(self):
        return len(self._raw) if self._d is None else len(self._d)

    def __iter__(self):
        return iter(self._list())

    def __eq__(self, other):
        return isinstance(other, (list, AddrList)) and list(self) == list(other)

    __hash__ = None

    def __repr__(self):
        return f"AddrList({list(self)!r})"

    # ------------------------------------------------------------ by address (no decoding)
    def find(self, addr):
        """The place of the entry for ``addr`` (a normalised address), or -1."""
        if self._d is not None:
            return next((i for i, e in enumerate(self._d) if e["addr"] == addr), -1)
        raw = self._raw
        try:
            text = "\n" + "\n".join(raw) + "\n"  # one search in C over the encoded entries
        except TypeError:  # an entry kept as a dict
            return next((i for i, x in enumerate(map(_dec, raw)) if x.get("addr") == addr), -1)
        pos = text.find(f"\n{addr}/")
        return -1 if pos < 0 else text.count("\n", 0, pos)

    def entry(self, i):
        """The entry at ``i`` as a dict (a copy while the list is encoded: change it with replace())."""
        return self._d[i] if self._d is not None else _dec(self._raw[i])

    def replace(self, i, entry):
        if self._d is not None:
            self._d[i] = entry
        else:
            self._raw[i] = _enc(entry)

    def add(self, entry):
        """Append ``entry`` without decoding the list."""
        if self._d is not None:
            self._d.append(entry)
        else:
            self._raw.append(_enc(entry))

    def drop(self, i):
        if self._d is not None:
            del self._d[i]
        else:
            del self._raw[i]

    def to_json(self):
        return list(self._raw) if self._d is None else [_enc(e) for e in self._d]


def wrap(iface):
    """Make the address lists of an interface dict AddrLists (in place); returns it."""
    if isinstance(iface, dict):
        for fam in FAMILIES:
            if fam in iface and not isinstance(iface[fam], AddrList):
                iface[fam] = AddrList(iface[fam])
    return iface


def default(obj):
    """json.dumps(default=): an AddrList is stored encoded."""
    if isinstance(obj, AddrList):
        return obj.to_json()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


class IfaceTable(MutableMapping):
    """{ifname: iface} of the host's stack, read from kernel/ifaces.json on first use."""

    def __init__(self, kernel_dir, encode, fresh=None):
        self._path = os.path.join(kernel_dir, IFACES)
        self._encode = encode
        self._data = None
        self._text = None
        if fresh is not None:  # as fresh_state() has it (create, reboot): replaces what was stored
            self._data = {n: wrap(i) for n, i in fresh.items()}
            self._text = ""

    def _d(self):
        if self._data is None:
            try:
                with open(self._path, encoding="utf-8") as f:
                    self._text = f.read()
                data = json.loads(self._text)
            except FileNotFoundError:
                self._text, data = None, {}
            self._data = {n: wrap(i) for n, i in data.items()}
        return self._data

    def __getitem__(self, name):
        return self._d()[name]

    def __setitem__(self, name, iface):
        self._d()[name] = wrap(iface)

    def __delitem__(self, name):
        del self._d()[name]

    def __iter__(self):
        return iter(self._d())

    def __len__(self):
        return len(self._d())

    def __contains__(self, name):
        return name in self._d()

    def plain(self):
        """The interfaces as plain data (dicts and lists of dicts): for dumps and tests."""
        return {n: {k: list(v) if isinstance(v, AddrList) else v for k, v in i.items()} for n, i in self._d().items()}

    def flush(self):
        """Rewrite kernel/ifaces.json when read (or fresh) in this call and its encoding changed."""
        if self._data is None:
            return
        text = self._encode(self._data)
        if text != self._text:
            write_file(self._path, text)
            self._text = text

    def unlink_removed(self):
        """Nothing to unlink (one file); there for kernel.Kernel's loop over the stores."""
