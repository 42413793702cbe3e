# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""jail.conf(5)'s grammar (pure): tokens -> a syntax tree that points back into the tokens.

The grammar is FreeBSD 14's (usr.sbin/jail/jailparse.y): a file is a list of
``param;``, ``name { ... }`` blocks (which may nest: ``a { b { } }`` is jail
``a.b``) and empty ``;`` statements; ``.include "file";`` names another file.
"""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_lexer import (
    BLANK_KINDS,
    BRACED_VAR_RE,
    ESCAPE_RE,
    PIECE_KINDS,
    VAR_RE,
    JailConfError,
    unescape,
)


class Str:
    """A jail.conf string: pieces (token indexes) -> segments of literal text and variables."""

    def __init__(self, toks, first, last):
        self.first = first
        self.last = last
        self.segments = []  # ("lit", text) | ("var", name)
        for t in toks[first : last + 1]:
            if t.kind in ("atom", "single"):
                self._lit(t.text)
            elif t.kind == "escape":
                self._lit(unescape(t.text))
            elif t.kind == "sq":
                self._lit(unescape(t.text[1:-1]))
            elif t.kind == "var":
                self._var(t.text)
            elif t.kind == "dq":
                self._dq(t.text[1:-1])

    def _lit(self, s):
        if self.segments and self.segments[-1][0] == "lit":
            self.segments[-1] = ("lit", self.segments[-1][1] + s)
        else:
            self.segments.append(("lit", s))

    def _var(self, text):
        name = text[2:-1] if text.startswith("${") else text[1:]
        self.segments.append(("var", unescape(name)))

    def _dq(self, body):
        i, buf = 0, []
        while i < len(body):
            c = body[i]
            if c == "\\":
                m = ESCAPE_RE.match(body, i)
                buf.append(unescape(m.group(0)))
                i = m.end()
                continue
            if c == "$":
                m = VAR_RE.match(body, i) or BRACED_VAR_RE.match(body, i)
                if m:
                    self._lit("".join(buf))
                    buf = []
                    self._var(m.group(0))
                    i = m.end()
                    continue
            buf.append(c)
            i += 1
        self._lit("".join(buf))

    @property
    def has_vars(self):
        return any(k == "var" for k, _v in self.segments)

    @property
    def literal(self):
        """The text with variables left as ``${name}``."""
        return "".join(v if k == "lit" else "${%s}" % v for k, v in self.segments)


# ---------------------------------------------------------------------------
# Syntax tree


class Param:
    """``name [= | +=] value, ...;`` -- tokens first..last (the ``;``)."""

    def __init__(self, name, name_tok, op, values, first, last):
        self.name = name  # "$var" for variables
        self.name_tok = name_tok
        self.op = op  # None, "=" or "+="
        self.values = values  # list of Str
        self.first = first
        self.last = last

    @property
    def is_var(self):
        return self.name.startswith("$")


class Block:
    """``name { ... }`` -- tokens first (name) .. last (``}``); items are Params and Blocks."""

    def __init__(self, name, first, open_idx):
        self.name = name
        self.first = first
        self.open = open_idx
        self.last = None
        self.items = []
        self.parent = None

    @property
    def full_name(self):
        if self.parent is not None:
            return self.parent.full_name + "." + self.name
        return self.name

    def params(self):
        return [i for i in self.items if isinstance(i, Param)]


class Include:
    """``.include "file";``"""

    def __init__(self, path, first, last):
        self.path = path
        self.first = first
        self.last = last


class Parser:
    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    def skip(self):
        toks, i, n = self.toks, self.i, len(self.toks)
        while i < n and toks[i].kind in BLANK_KINDS:  # Tok.blank, without a property call per token
            i += 1
        self.i = i

    def peek(self):
        self.skip()
        return self.toks[self.i] if self.i < len(self.toks) else None

    def error(self, msg, tok=None):
        if tok is None:
            tok = self.toks[self.i] if self.i < len(self.toks) else None
        if tok is None:
            line = self.toks[-1].line + self.toks[-1].text.count("\n") if self.toks else 1
            raise JailConfError("unexpected end of file", line)
        raise JailConfError(f"{msg}: {tok.text!r}", tok.line)

    def string(self):
        """A run of adjacent pieces starting at the current token."""
        toks, first, n = self.toks, self.i, len(self.toks)
        i = first
        while i < n and toks[i].kind in PIECE_KINDS:  # Tok.piece
            i += 1
        self.i = i
        return Str(toks, first, i - 1)

    def conf(self, block):
        items = []
        while True:
            t = self.peek()
            if t is None:
                if block is not None:
                    self.error("missing '}' of jail %s" % block.full_name, self.toks[block.open])
                return items
            if t.kind == "punct" and t.text == "}":
                if block is None:
                    self.error("syntax error: unexpected", t)
                block.last = self.i
                self.i += 1
                return items
            if t.kind == "punct" and t.text == ";":
                self.i += 1
                continue
            if not t.piece:
                self.error("syntax error: unexpected", t)
            items.append(self.statement(block))

    def statement(self, block):
        first = self.i
        name_tok = self.toks[self.i]
        name = self.string()
        self.skip()
        nxt = self.toks[self.i] if self.i < len(self.toks) else None
        if nxt is not None and nxt.kind == "punct" and nxt.text == "{":
            b = Block(name.literal, first, self.i)
            b.parent = block
            self.i += 1
            b.items = self.conf(b)
            return b
        if name.last != name.first:
            self.error("syntax error: parameter name must be one token", name_tok)
        if name_tok.kind == "var":
            pname = "$" + name.segments[0][1]
        elif name_tok.kind in ("atom", "single", "escape", "sq", "dq"):
            pname = name.literal
        else:  # pragma: no cover
            self.error("syntax error", name_tok)
        op = None
        if nxt is not None and nxt.kind == "punct" and nxt.text in ("=", "+="):
            op = nxt.text
            self.i += 1
            self.skip()
        values = []
        t = self.toks[self.i] if self.i < len(self.toks) else None
        if op is not None or (t is not None and t.piece):
            while True:
                t = self.peek()
                if t is None or not t.piece:
                    self.error("syntax error: expected a value", t)
                values.append(self.string())
                t = self.peek()
                if t is not None and t.kind == "punct" and t.text == ",":
                    self.i += 1
                    continue
                break
        t = self.peek()
        if t is None or not (t.kind == "punct" and t.text == ";"):
            self.error("syntax error: expected ';'", t)
        last = self.i
        self.i += 1
        if pname == ".include" and block is None:
            if op is not None or len(values) != 1:
                self.error("syntax error: .include takes one file name", name_tok)
            return Include(values[0].literal, first, last)
        return Param(pname, name_tok, op, values, first, last)
