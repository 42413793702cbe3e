# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""Editing a jail.conf(5) document (pure): the edits of ``JailConf.apply``, ``set_jail`` and ``remove_jail``.

An edit rewrites only the statements of one block that must change, with
``render_param``'s spelling; new blocks go at the end; ``mark`` puts the
MARKER line right above every block set; removing a block removes its
marker line too.  ``JailConfEdits`` is a part of ``JailConf`` (_jail_conf):
it works on the document's tokens and items.
"""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_writer import (
    MARKER,
    render_param,
    spelled,
    statement_value,
)


class JailConfEdits:
    """The editing half of JailConf."""

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
