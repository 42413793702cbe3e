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
statements new text says are written by _jail_conf_writer, and a file with the
files it ``.include``s is read by _jail_conf_tree.

Every parameter outside a block belongs to one global wildcard pseudo-jail
that sits where the first of them appears.  ``JailConf.effective(name)``
merges parameters the way jail(8)'s ``load_config()`` does
(usr.sbin/jail/config.c).

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

from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name, truthy
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_lexer import JailConfError, tokenize
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_parser import Block, Include, Param, Parser
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_writer import (
    render_param,
    same_param,
    spelled,
    statement_value,
)
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import LIST_PARAMS

__all__ = ["MARKER", "JailConf", "JailConfError", "parse", "render_param", "tokenize"]

# The comment line the collection writes right above every block it manages (see JailConf.managed()).
MARKER = "# managed by bsd.jails"


class JailConf:
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
        out = []
        for b in self._blocks():
            name = b.full_name
            if "*" not in name and name not in out:
                out.append(name)
        return out

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
                if _wild(n):
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
        merged = []  # [key, flags(append), list of Str-or-plain, spelled name]

        def add(pname, values, append):
            for m in merged:
                if same_param(m[3], pname):
                    if not append or not values:
                        m[1] = []
                    m[1].extend(values)
                    m[3] = pname
                    return
            merged.append([pname, list(values), append, pname])

        add("name", [[("lit", name)]], False)
        own = owns.get(name, [])
        did_self = False
        for idx, n, params in wild:
            if seq < idx and not did_self:
                for p in own:
                    add(p.name, [v.segments for v in p.values], p.op == "+=")
                did_self = True
            if _wild_match(name, n):
                for p in params:
                    add(p.name, [v.segments for v in p.values], p.op == "+=")
        if not did_self:
            for p in own:
                add(p.name, [v.segments for v in p.values], p.op == "+=")

        table = {m[3]: m for m in merged}
        resolved = {}

        def resolve(key, depth=0):
            if key in resolved:
                return resolved[key]
            m = table.get(key) or table.get("$" + key)
            if m is None or depth > 50:
                return None
            vals = []
            for segs in m[1]:
                parts = []
                for kind, v in segs:
                    if kind == "lit":
                        parts.append(v)
                        continue
                    sub = resolve(v, depth + 1)
                    if sub is None:
                        parts.append("${%s}" % v)
                    else:
                        parts.append(",".join(sub))
                vals.append("".join(parts))
            resolved[key] = vals
            return vals

        out = {}
        for m in merged:
            spelled = m[3]
            if spelled.startswith("$"):
                continue
            vals = resolve(spelled)
            base = base_name(spelled)
            negated = base != spelled
            if not vals:
                out[base] = not negated
            elif negated:
                out[base] = not truthy(vals[-1])
            elif base in LIST_PARAMS:
                out[base] = vals
            else:
                out[base] = ",".join(vals)
        return out

    # -- editing ------------------------------------------------------------

    def _line_span(self, first, last):
        """Widen first..last to whole lines when nothing else shares them."""
        a = first
        while a > 0 and self.toks[a - 1].kind == "ws":
            a -= 1
        b = last
        while b + 1 < len(self.toks) and self.toks[b + 1].kind == "ws":
            b += 1
        starts_line = a == 0 or self.toks[a - 1].kind == "nl"
        ends_line = b + 1 >= len(self.toks) or self.toks[b + 1].kind == "nl"
        if starts_line and ends_line:
            if b + 1 < len(self.toks):
                b += 1  # take the newline
            return a, b, True
        return first, last, False

    def _indent(self, block):
        for p in block.items:
            k = p.first
            if k > 0 and self.toks[k - 1].kind == "ws" and (k < 2 or self.toks[k - 2].kind == "nl"):
                return self.toks[k - 1].text
        depth = 0
        b = block.parent
        while b is not None:
            depth += 1
            b = b.parent
        return "\t" * (depth + 1)

    def set_jail(self, name, params):
        """Make jail ``name``'s block say exactly ``params`` (ordered dict: key -> True/False/str/list).

        Statements that already say the wanted value keep their text; others
        are rewritten in place, removed, or added before the closing brace.
        A jail without a block gets a new one at the end of the file.
        Returns True when the text changed.
        """
        return name in self.apply([(name, params)])

    def remove_jail(self, name):
        """Remove every block defining ``name`` (whole lines, and one blank line before it). True if changed."""
        return name in self.apply([(name, None)])

    def apply(self, changes, mark=False):
        """Several ``set_jail`` (params) and ``remove_jail`` (None) at once: [(name, params or None)].

        With ``mark``, every block that is set carries the MARKER line (new
        blocks are written with it, an existing block without it gets it);
        ``marked`` and ``rewritten`` collect the names that got the marker and
        those whose statements changed.  A removed block always takes its
        marker line with it, so a marker never ends up above another block.

        Every edit is worked out on the file as it is, the text is rebuilt in
        one pass and read once; new blocks are only appended.  Returns the set
        of names whose text changed.  Changes that touch each other (a name
        twice, a block and a block nested in it) are applied one at a time.
        """
        names = [n for n, _p in changes]
        if len(set(names)) != len(names):
            return self._apply_each(changes, mark)
        blocks = self._blocks_by_name()
        edits = []  # (first, last, text): tokens first..last become text; first == last + 1 inserts
        appends = []
        changed, marked, rewritten = set(), set(), set()
        for name, params in changes:
            found = blocks.get(name)
            if params is None:
                if found:
                    for b in found:
                        edits.extend(self._removal(b))
                    changed.add(name)
            elif found:
                mine = [e for e in self._block_edits(found[-1], params) if self._text_of(e[0], e[1]) != e[2]]
                if mine:
                    rewritten.add(name)
                if mark and found[-1].parent is None and self._marker_above(found[-1]) is None:
                    mine.append(self._marker_insertion(found[-1]))
                    marked.add(name)
                if mine:
                    edits.extend(mine)
                    changed.add(name)
            else:
                appends.append((name, params))
                changed.add(name)
                rewritten.add(name)
        edits.sort(key=lambda e: (e[0], e[1]))
        if any(b[0] <= a[1] for a, b in zip(edits, edits[1:])):
            return self._apply_each(changes, mark)
        self.marked |= marked
        self.rewritten |= rewritten
        new_blocks = [self._new_block(n, p, mark) for n, p in appends]
        if not edits:
            if new_blocks:
                # the file's end is all that decides the separator: its last two tokens (a newline is one)
                tail = "".join(t.text for t in self.toks[-2:])
                content = any(t.kind not in ("ws", "nl") for t in self.toks)
                self._append(self._after_last_statement(tail, content) + "\n".join(new_blocks))
            return changed
        parts = []
        pos = 0
        for first, last, text in edits:
            parts.extend(t.text for t in self.toks[pos:first])
            parts.append(text)
            pos = last + 1
        parts.extend(t.text for t in self.toks[pos:])
        text = "".join(parts)
        if new_blocks:
            text += self._after_last_statement(text[-2:], bool(text.strip())) + "\n".join(new_blocks)
        self._replace_with(text)
        return changed

    def _apply_each(self, changes, mark=False):
        changed = set()
        for name, params in changes:
            if self.apply([(name, params)], mark):
                changed.add(name)
        return changed

    def _text_of(self, first, last):
        return "".join(t.text for t in self.toks[first : last + 1])

    @staticmethod
    def _new_block(name, params, mark=False):
        body = "".join("\t" + render_param(k, v) + "\n" for k, v in params.items())
        return (MARKER + "\n" if mark else "") + f"{name} {{\n{body}}}\n"

    def _marker_insertion(self, b):
        """The edit that puts the MARKER line right above block ``b``."""
        ls = self._line_start(b.first)
        if all(t.kind == "ws" for t in self.toks[ls : b.first]):
            return (ls, ls - 1, MARKER + "\n")
        return (b.first, b.first - 1, "\n" + MARKER + "\n")  # the block shares its line: give it its own

    @staticmethod
    def _after_last_statement(tail, content):
        """What goes between a file ending in ``tail`` and a new block: its missing final newline, and
        one blank line when the file has ``content`` (more than blanks)."""
        sep = "" if not tail or tail.endswith("\n") else "\n"
        if content and not (tail + sep).endswith("\n\n"):
            sep += "\n"
        return sep

    def _block_edits(self, b, params):
        """The edits that make block ``b`` say exactly ``params``."""
        wanted = dict(params)
        done = set()
        edits = []
        for p in b.params():
            key = base_name(p.name) if not p.is_var else p.name
            match = None
            for k in wanted:
                if k == p.name or base_name(k) == key:
                    match = k
                    break
            if match is None or match in done:
                a, z, _whole = self._line_span(p.first, p.last)
                edits.append((a, z, ""))
                continue
            done.add(match)
            value = wanted[match]
            if statement_value(p) == value and spelled(p.name, value) == p.name:
                continue
            edits.append((p.first, p.last, render_param(match, value)))
        missing = [k for k in wanted if k not in done]
        if missing:
            indent = self._indent(b)
            close = b.last
            k = close
            while k > 0 and self.toks[k - 1].kind == "ws":
                k -= 1
            lines = "".join(indent + render_param(m, wanted[m]) + "\n" for m in missing)
            if k > 0 and self.toks[k - 1].kind == "nl":
                edits.append((k, k - 1, lines))  # insert at the start of the '}' line
            else:
                edits.append((close, close - 1, "\n" + lines))
        return edits

    def _removal(self, b):
        """The edits removing block ``b``: its whole lines with its MARKER line, and a blank line before them
        when a blank line or the end of the file follows."""
        a, z, whole = self._line_span(b.first, b.last)
        out = []
        m = self._marker_above(b)
        if m is not None:
            ms = self._line_start(m)
            if whole:
                a = ms
            else:
                out.append((ms, m + 1, ""))  # the marker's line, its newline included
        if whole:
            prev_blank = a >= 1 and self.toks[a - 1].kind == "nl" and (a < 2 or self.toks[a - 2].kind == "nl")
            next_blank = z + 1 >= len(self.toks) or self.toks[z + 1].kind == "nl"
            if prev_blank and next_blank:
                a -= 1
        out.append((a, z, ""))
        return out


def _wild(name):
    return "*" in name


def _wild_match(name, wname):
    """jail(8)'s wild_jail_match(): ``*`` matches all, ``foo.*`` matches ``foo.bar`` and ``foo.bar.baz``."""
    if wname == "*":
        return True
    w = wname.split(".")
    n = name.split(".")
    for i, part in enumerate(w):
        if part == "*" and i == len(w) - 1:
            return len(n) > i
        if i >= len(n) or (part != "*" and part != n[i]):
            return False
    return len(n) == len(w)


def parse(text):
    """Parse jail.conf text; raises JailConfError naming the line."""
    return JailConf.parse(text)
