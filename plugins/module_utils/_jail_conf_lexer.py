# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""jail.conf(5)'s scanner (pure): text -> tokens that keep every byte.

The lexical rules follow jail(8)'s scanner (usr.sbin/jail/jaillex.l): unquoted
tokens are made of ``A-Za-z0-9_!%&()-.:<>?@[]^`|~``, backslash escapes and
the single characters ``$ * + /``; pieces written without whitespace between
them form one string (``/var/jail/$name``); ``#`` and ``//`` comments run to
the end of the line; a carriage return is whitespace, as in the reentrant
scanner of FreeBSD 14 and later (``<_>[ \t\r\n]+``), so CRLF files parse
(13.x's scanner had no rule for it: its jail(8) rejects them).
"""

from __future__ import annotations

import re

_ATOM_RE = re.compile(r"[A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]+")
_WS_RE = re.compile(r"[ \t\r]+")
ESCAPE_RE = re.compile(r"\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|.|\n)", re.S)
VAR_RE = re.compile(r"\$[A-Za-z_][A-Za-z_0-9]*")
BRACED_VAR_RE = re.compile(r"\$\{(?:[^\n{}\\]|\\.)*\}", re.S)
# The tokens most of a file is made of, in one alternation: each of them is what the rules of tokenize()
# would make of it (an atom first; a double-quoted string only without a backslash or a newline); anything
# else goes through those rules.
_FAST_RE = re.compile(
    r"(?P<atom>[A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]+)|(?P<ws>[ \t\r]+)|(?P<nl>\n)|(?P<punct>\+=|[,;={}])"
    r'|(?P<dq>"[^"\\\n]*")|(?P<comment>#[^\n]*)'
)
BLANK_KINDS = frozenset(("ws", "nl", "comment"))
PIECE_KINDS = frozenset(("atom", "escape", "single", "sq", "dq", "var"))
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class JailConfError(ValueError):
    """A jail.conf syntax error; the message names the line."""

    def __init__(self, msg, line=None):
        super().__init__(msg if line is None else f"line {line}: {msg}")
        self.line = line


class Tok:
    """One token: kind is ws, nl, comment, punct, atom, escape, single, sq, dq or var."""

    __slots__ = ("kind", "line", "text")

    def __init__(self, kind, text, line):
        self.kind = kind
        self.text = text
        self.line = line

    @property
    def blank(self):
        return self.kind in BLANK_KINDS

    @property
    def piece(self):
        return self.kind in PIECE_KINDS

    def __repr__(self):
        return f"Tok({self.kind}, {self.text!r}, {self.line})"


def unescape(s):
    """jail(8)'s text2lval backslash handling."""

    def one(m):
        e = m.group(0)[1:]
        if e == "\n":
            return ""
        if e[0] in "01234567":
            return chr(int(e, 8) & 0xFF)
        if e[0] == "x":
            return chr(int(e[1:], 16)) if len(e) > 1 else "\0"
        return _C_ESCAPES.get(e, e)

    return ESCAPE_RE.sub(one, s)


def tokenize(text, line=1):
    """Tokens of ``text``; ``line`` is the number of its first line (for text appended to a file)."""
    toks = []
    i, n = 0, len(text)
    fast = _FAST_RE.match
    while i < n:
        m = fast(text, i)
        if m:
            kind = m.lastgroup
            toks.append(Tok(kind, m.group(), line))
            if kind == "nl":
                line += 1
            i = m.end()
            continue
        c = text[i]
        start_line = line
        m = _ATOM_RE.match(text, i)  # the commonest token first: no other rule starts with an atom character
        if m:
            j, kind = m.end(), "atom"
        elif c in " \t\r":
            j, kind = _WS_RE.match(text, i).end(), "ws"
        elif c == "\n":
            j, kind = i + 1, "nl"
        elif c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            kind = "comment"
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise JailConfError("unterminated comment", line)
            j += 2
            kind = "comment"
        elif text.startswith("+=", i):
            j, kind = i + 2, "punct"
        elif c in ",;={}":
            j, kind = i + 1, "punct"
        elif c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                raise JailConfError("unterminated string", line)
            j += 1
            kind = "sq" if c == "'" else "dq"
        elif c == "$":
            m = VAR_RE.match(text, i) or BRACED_VAR_RE.match(text, i)
            if m:
                j, kind = m.end(), "var"
            elif text.startswith("${", i):
                raise JailConfError("unterminated variable", line)
            else:
                j, kind = i + 1, "single"
        elif c == "\\":
            m = ESCAPE_RE.match(text, i)
            if not m:
                raise JailConfError("syntax error: backslash at end of file", line)
            j, kind = m.end(), "escape"
        elif c in "*+/":
            j, kind = i + 1, "single"
        else:
            raise JailConfError(f"syntax error: unexpected {c!r}", line)
        tok_text = text[i:j]
        line += tok_text.count("\n")
        toks.append(Tok(kind, tok_text, start_line))
        i = j
    return toks
