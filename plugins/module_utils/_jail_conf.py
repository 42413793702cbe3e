# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""A jail.conf(5) file as an editable document (pure: no I/O).

``parse(text)`` reads the file into tokens that keep every byte (blank lines,
comments of all three styles, quoting, ``$variables``, ``+=``, ``.include``),
so ``parse(text).render() == text``: the scanner is _jail_conf_lexer (jail(8)'s
jaillex.l), the grammar _jail_conf_parser (FreeBSD 14's jailparse.y), the
statements new text says are written by _jail_conf_writer, the edits are
made by _jail_conf_edit (JailConfEdits, the editing half of JailConf), and a
file with the files it ``.include``s is read by _jail_conf_tree.

Every parameter outside a block belongs to one global wildcard pseudo-jail
that sits where the first of them appears.  ``JailConf.effective(name)``
merges parameters the way jail(8)'s ``load_config()`` does
(usr.sbin/jail/config.c; _jail_conf_effective).

Edits (``set_jail``, ``remove_jail``, ``apply``) rewrite only the statements
of one block that must change; the rest of the file stays byte-identical.
New statements and blocks use jail.conf(5)'s own style (see _jail_conf_writer),
one parameter per line, indented with a tab.

Ownership: ``apply(..., mark=True)`` writes the line ``MARKER`` (``# managed by
bsd.jails``) right above every block it sets; ``managed(name)`` says whether a
block carries it (alone on the line right above a top-level block); removing a
block removes its marker line too, so a marker never moves onto another block.
"""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_edit import JailConfEdits
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_effective import is_wild, merge
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_lexer import JailConfError, tokenize
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_parser import Block, Include, Param, Parser
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_writer import MARKER, render_param

__all__ = ["MARKER", "JailConf", "JailConfError", "parse", "render_param", "tokenize"]


class JailConf(JailConfEdits):
    """A parsed jail.conf.  Edits keep ``toks`` and ``items`` in step with the text.

    Edits cost what they touch, not the size of the file times the number of
    jails: new blocks are tokenized and parsed on their own and appended, and
    ``apply`` works out the edits of many jails on the file as it is and reads
    the result once.  Writing or changing a fleet of N jails is O(N), not
    O(N^2) (bench/README.md).
    """

    def __init__(self, text, toks, items):
        self.toks = toks
        self.items = items
        self._cf_index = None
        self._byname = None
        self.marked = set()  # names whose block got the MARKER line from apply(..., mark=True)
        self.rewritten = set()  # names whose block statements apply() changed or added

    @classmethod
    def parse(cls, text):
        text = text or ""
        toks = tokenize(text)
        items = Parser(toks).conf(None)
        return cls(text, toks, items)

    def copy(self):
        """A copy to edit, without parsing again: ``apply`` replaces or extends the copy's own token and item
        lists and never changes a parsed token or block in place, so both share them."""
        return type(self)(None, list(self.toks), list(self.items))

    def _replace_with(self, text):
        """Reparse the whole file from ``text`` (edits inside a block)."""
        fresh = JailConf.parse(text)
        self.toks, self.items, self._cf_index, self._byname = fresh.toks, fresh.items, None, None

    def _append(self, text):
        """Add ``text`` (whole statements) at the end: only the new text is tokenized and parsed.

        The file ends at a token boundary the new text cannot merge with: a
        parsed file ends in ``;``, ``}`` or blanks, and the callers start the
        new text on a new line.
        """
        start = len(self.toks)
        line = 1
        if self.toks:
            last = self.toks[-1]
            line = last.line + last.text.count("\n")
        self.toks.extend(tokenize(text, line))
        parser = Parser(self.toks)
        parser.i = start
        new = parser.conf(None)
        self.items.extend(new)
        self._cf_index = None
        if self._byname is not None:
            for b in self._blocks(new):
                self._byname.setdefault(b.full_name, []).append(b)

    def render(self):
        return "".join(t.text for t in self.toks)

    # -- reading ------------------------------------------------------------

    def _blocks(self, items=None):
        for it in self.items if items is None else items:
            if isinstance(it, Block):
                yield it
                yield from self._blocks(it.items)

    def includes(self):
        return [it.path for it in self.items if isinstance(it, Include)]

    def jails(self):
        """Names of the jail blocks in file order (wildcard blocks left out)."""
        out, seen = [], set()
        for b in self._blocks():
            name = b.full_name
            if "*" not in name and name not in seen:
                seen.add(name)
                out.append(name)
        return out

    def defines(self, name):
        """Whether a block defines jail ``name`` (``name in jails()``, from the cached index of blocks)."""
        return "*" not in name and name in self._blocks_by_name()

    def _blocks_by_name(self):
        """{full name: [blocks defining it, in file order]} (cached; appends keep it up to date)."""
        if self._byname is None:
            self._byname = {}
            for b in self._blocks():
                self._byname.setdefault(b.full_name, []).append(b)
        return self._byname

    def block(self, name):
        """The last block defining ``name`` (None if none)."""
        found = self._blocks_by_name().get(name)
        return found[-1] if found else None

    def _marker_above(self, b):
        """Token index of the MARKER comment alone on the line right above block ``b`` (None if none).

        Only a top-level block that starts its line can carry the marker; the
        comment must be exactly MARKER with nothing but blanks before it on its line.
        """
        if b.parent is not None:
            return None
        toks = self.toks
        j = b.first - 1
        while j >= 0 and toks[j].kind == "ws":
            j -= 1
        if j < 1 or toks[j].kind != "nl":
            return None
        c = j - 1
        if toks[c].kind != "comment" or toks[c].text.rstrip("\r") != MARKER:
            return None
        j = c - 1
        while j >= 0 and toks[j].kind == "ws":
            j -= 1
        if j >= 0 and toks[j].kind != "nl":
            return None
        return c

    def managed(self, name):
        """True when the block of ``name`` (the last one) carries the collection's MARKER line."""
        b = self.block(name)
        return b is not None and self._marker_above(b) is not None

    def _line_start(self, k):
        """Index of the first token of the line holding token ``k``."""
        while k > 0 and self.toks[k - 1].kind != "nl":
            k -= 1
        return k

    def _index(self):
        """(cfjails, {name: last index}, {name: its params in order}, [(index, wildcard name, params)])."""
        if self._cf_index is None:
            jl = self._walk_jail_list()
            last, own, wild = {}, {}, []
            for idx, (n, params) in enumerate(jl):
                last[n] = idx
                own.setdefault(n, []).extend(params)
                if is_wild(n):
                    wild.append((idx, n, params))
            self._cf_index = (jl, last, own, wild)
        return self._cf_index

    def _walk_jail_list(self):
        out = []
        glob = None

        def walk(items, block):
            nonlocal glob
            for it in items:
                if isinstance(it, Block):
                    entry = (it.full_name, [])
                    out.append(entry)
                    walk(it.items, entry)
                elif isinstance(it, Param):
                    if block is None:
                        if glob is None:
                            glob = ("*", [])
                            out.append(glob)
                        glob[1].append(it)
                    else:
                        block[1].append(it)

        walk(self.items, None)
        return out

    def effective(self, name):
        """The parameters jail(8) would apply to jail ``name`` (see the module docstring for types).

        Raises KeyError when the file defines no such jail.  A variable that
        is not defined is left as ``${name}`` in the value.
        """
        _jl, last, owns, wild = self._index()
        seq = last.get(name)  # the last definition wins, like jail(8)'s list
        if seq is None:
            raise KeyError(name)
        return merge(name, seq, owns.get(name, []), wild)


def parse(text):
    """Parse jail.conf text; raises JailConfError naming the line."""
    return JailConf.parse(text)
