# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""A lossless jail.conf(5) parser and editor (pure: no I/O).

``parse(text)`` splits the file into tokens that keep every byte (blank
lines, comments of all three styles, quoting, ``$variables``, ``+=``,
``.include``), so ``parse(text).render() == text``.  The lexical rules
follow jail(8)'s scanner (usr.sbin/jail/jaillex.l): unquoted tokens are
made of ``A-Za-z0-9_!%&()-.:<>?@[]^`|~``, backslash escapes and the single
characters ``$ * + /``; pieces written without whitespace between them
form one string (``/var/jail/$name``); ``#`` and ``//`` comments run to the
end of the line; a carriage return is whitespace, as in the reentrant
scanner of FreeBSD 14 and later (``<_>[ \t\r\n]+``), so CRLF files parse
(13.x's scanner had no rule for it: its jail(8) rejects them).

The grammar is FreeBSD 14's (usr.sbin/jail/jailparse.y): a file is a list
of ``param;``, ``name { ... }`` blocks (which may nest: ``a { b { } }`` is
jail ``a.b``) and empty ``;`` statements; every parameter outside a block
belongs to one global wildcard pseudo-jail that sits where the first of
them appears.  ``JailConf.effective(name)`` merges parameters the way
jail(8)'s ``load_config()`` does (usr.sbin/jail/config.c).

Edits (``set_jail``, ``remove_jail``) rewrite only the statements of one
block that must change; the rest of the file stays byte-identical.  New
statements and blocks use jail.conf(5)'s own style: one parameter per line,
indented with a tab, ``name = value;``, values quoted only when they hold
more than letters, digits and ``._-/:|@%``, lists as ``a, b``, booleans as
``name;`` / ``noname;`` (the ``no`` after the last dot).

Ownership: ``apply(..., mark=True)`` writes the line ``MARKER`` (``# managed by
bsd.jails``) right above every block it sets; ``managed(name)`` says whether a
block carries it (alone on the line right above a top-level block); removing a
block removes its marker line too, so a marker never moves onto another block.
"""

from __future__ import annotations

import re

from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name, truthy
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import LIST_PARAMS

_ATOM_RE = re.compile(r"[A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]+")
_ESCAPE_RE = re.compile(r"\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|.|\n)", re.S)
_VAR_RE = re.compile(r"\$[A-Za-z_][A-Za-z_0-9]*")
_BRACED_VAR_RE = re.compile(r"\$\{(?:[^\n{}\\]|\\.)*\}", re.S)
_SAFE_VALUE_RE = re.compile(r"[A-Za-z0-9._\-/:|@%]+")
# The comment line the collection writes right above every block it manages (see JailConf.managed()).
MARKER = "# managed by bsd.jails"
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class JailConfError(ValueError):
    """A jail.conf syntax error; the message names the line."""

    def __init__(self, msg, line=None):
        super().__init__(msg if line is None else f"line {line}: {msg}")
        self.line = line


# ---------------------------------------------------------------------------
# Lexer


class Tok:
    """One token: kind is ws, nl, comment, punct, atom, escape, single, sq, dq or var."""

    __slots__ = ("kind", "line", "text")

    def __init__(self, kind, text, line):
        self.kind = kind
        self.text = text
        self.line = line

    @property
    def blank(self):
        return self.kind in ("ws", "nl", "comment")

    @property
    def piece(self):
        return self.kind in ("atom", "escape", "single", "sq", "dq", "var")

    def __repr__(self):
        return f"Tok({self.kind}, {self.text!r}, {self.line})"


def _unescape(s):
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

    return _ESCAPE_RE.sub(one, s)


def tokenize(text, line=1):
    """Tokens of ``text``; ``line`` is the number of its first line (for text appended to a file)."""
    toks = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        start_line = line
        if c in " \t\r":
            j = i
            while j < n and text[j] in " \t\r":
                j += 1
            kind = "ws"
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
            m = _VAR_RE.match(text, i) or _BRACED_VAR_RE.match(text, i)
            if m:
                j, kind = m.end(), "var"
            elif text.startswith("${", i):
                raise JailConfError("unterminated variable", line)
            else:
                j, kind = i + 1, "single"
        elif c == "\\":
            m = _ESCAPE_RE.match(text, i)
            if not m:
                raise JailConfError("syntax error: backslash at end of file", line)
            j, kind = m.end(), "escape"
        elif c in "*+/":
            j, kind = i + 1, "single"
        else:
            m = _ATOM_RE.match(text, i)
            if not m:
                raise JailConfError(f"syntax error: unexpected {c!r}", line)
            j, kind = m.end(), "atom"
        tok_text = text[i:j]
        line += tok_text.count("\n")
        toks.append(Tok(kind, tok_text, start_line))
        i = j
    return toks


# ---------------------------------------------------------------------------
# Strings: a run of adjacent pieces


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
                self._lit(_unescape(t.text))
            elif t.kind == "sq":
                self._lit(_unescape(t.text[1:-1]))
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
        self.segments.append(("var", _unescape(name)))

    def _dq(self, body):
        i, buf = 0, []
        while i < len(body):
            c = body[i]
            if c == "\\":
                m = _ESCAPE_RE.match(body, i)
                buf.append(_unescape(m.group(0)))
                i = m.end()
                continue
            if c == "$":
                m = _VAR_RE.match(body, i) or _BRACED_VAR_RE.match(body, i)
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


class _Parser:
    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    def skip(self):
        while self.i < len(self.toks) and self.toks[self.i].blank:
            self.i += 1

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
        first = self.i
        while self.i < len(self.toks) and self.toks[self.i].piece:
            self.i += 1
        return Str(self.toks, first, self.i - 1)

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


# ---------------------------------------------------------------------------
# Values


def _same_param(a, b):
    """jail(8)'s equalopts(): ``persist`` and ``nopersist`` name one parameter."""
    return a == b or base_name(a) == base_name(b)


def needs_quotes(value):
    return not _SAFE_VALUE_RE.fullmatch(value) or "//" in value or "/*" in value


def quote(value):
    """A value as jail.conf(5) text: bare when safe, else double-quoted and escaped (``$`` stays literal)."""
    if not needs_quotes(value):
        return value
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    out = out.replace("\n", "\\n").replace("\t", "\\t")
    return '"' + out + '"'


def render_param(name, value):
    """One statement, without indentation or newline."""
    if value is True:
        return f"{name};"
    if value is False:
        head, dot, last = name.rpartition(".")
        return f"{head}{dot}no{last};"
    if isinstance(value, (list, tuple)):
        return "%s = %s;" % (name, ", ".join(quote(str(v)) for v in value))
    return f"{name} = {quote(str(value))};"


def _stmt_value(p):
    """What a statement says, in set_jail's terms (True/False/str/list), or None if it uses variables/+=."""
    if p.op == "+=" or any(v.has_vars for v in p.values):
        return None
    if not p.values:
        return base_name(p.name) == p.name
    vals = [v.literal for v in p.values]
    if p.name in LIST_PARAMS:
        return vals
    return vals[0] if len(vals) == 1 else None


# ---------------------------------------------------------------------------
# The file


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
        items = _Parser(toks).conf(None)
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
        parser = _Parser(self.toks)
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
                if _same_param(m[3], pname):
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
            if _stmt_value(p) == value and _spelled(p.name, value) == p.name:
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


def _spelled(name, value):
    """The spelling render_param uses for ``name`` with ``value``."""
    if value is False:
        head, dot, last = base_name(name).rpartition(".")
        return f"{head}{dot}no{last}"
    if value is True:
        return base_name(name)
    return name


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


# ---------------------------------------------------------------------------
# A file and what it includes


def include_target(pattern, including_path):
    """The file name ``.include "pattern";`` in ``including_path`` refers to.

    Absolute names are taken as written.  A relative name is taken from the
    including file's directory -- what the simulator does too; UNVERIFIED
    against jail(8) itself (the FreeBSD sources in our search index predate
    ``.include``).  Globs are expanded by the caller (sorted, no match = nothing).
    """
    if pattern.startswith("/") or "/" not in including_path:
        return pattern
    return including_path.rsplit("/", 1)[0] + "/" + pattern


class JailConfTree:
    """A jail.conf together with the files it ``.include``s, read as jail(8) reads them.

    ``confs`` is ``{path: JailConf}`` for every file; ``resolved`` is
    ``{path: [[paths], ...]}``: for each ``.include`` of that file, in order,
    the files it names (glob matches sorted).  An include is textual: the
    named files' statements take its place, so a global parameter before it
    applies to the jails inside, and the last block of a name wins.
    """

    MAX_DEPTH = 32

    def __init__(self, root, confs, resolved):
        self.root = root
        self.confs = confs
        self.resolved = resolved
        self._flat = None

    def _check_depth(self, path, depth):
        if depth > self.MAX_DEPTH:
            raise JailConfError(f"{path}: .include nested more than {self.MAX_DEPTH} deep (an include loop?)")

    def _items(self, path, depth=0):
        """(path, item) for every top-level item in reading order, includes followed."""
        self._check_depth(path, depth)
        conf = self.confs.get(path)
        if conf is None:
            return
        subs = iter(self.resolved.get(path, []))
        for it in conf.items:
            if isinstance(it, Include):
                for sub in next(subs, []):
                    yield from self._items(sub, depth + 1)
            else:
                yield path, it

    def owners(self):
        """{jail name: [files with a block for it, in reading order]} (wildcard blocks left out)."""
        out = {}
        for path, it in self._items(self.root):
            if isinstance(it, Block):
                for b in (it, *self.confs[path]._blocks(it.items)):
                    name = b.full_name
                    if "*" not in name and path not in out.setdefault(name, []):
                        out[name].append(path)
        return out

    def jails(self):
        """Names of the jail blocks in reading order."""
        return list(self.owners())

    def flat(self):
        """One JailConf with every ``.include`` replaced by the text of the files it names."""
        if self._flat is None:
            self._flat = JailConf.parse(self._text(self.root, 0))
        return self._flat

    def _text(self, path, depth):
        self._check_depth(path, depth)
        conf = self.confs.get(path)
        if conf is None:
            return ""
        parts = []
        pos = 0
        subs = iter(self.resolved.get(path, []))
        for it in conf.items:
            if not isinstance(it, Include):
                continue
            parts.extend(t.text for t in conf.toks[pos : it.first])
            for sub in next(subs, []):
                parts.append("\n" + self._text(sub, depth + 1) + "\n")
            pos = it.last + 1
        parts.extend(t.text for t in conf.toks[pos:])
        return "".join(parts)

    def effective(self, name):
        """jail(8)'s parameters for ``name`` over the whole tree (KeyError if no file defines it)."""
        return self.flat().effective(name)
