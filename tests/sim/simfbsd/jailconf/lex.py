"""jail.conf(5)'s tokens as usr.sbin/jail/jaillex.l reads them.

Whitespace and the comments ``#``, ``//``, ``/* */`` separate tokens; ``{ } ; = , +=`` are
reserved; an atomic token is a run of ``[A-Za-z0-9_!%&()\\-.:<>?@[]^`|~]`` or a single
``$ * + / \\``, or a backslash escape; ``'...'`` is literal (escapes only), ``"..."`` substitutes
``$var``/``${var}``.  Pieces written with nothing between them form one string (``"$a"/b`` is one
value).  :class:`_Lexer` has one method per rule of jaillex.l.
"""

import re

_ATOM = re.compile(r"[A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]+")


_VARNAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


_OCT = "01234567"


_HEX = "0123456789abcdefABCDEF"


def _unescape(text):
    """Backslash escapes of jaillex.l text2lval(): C escapes, octal, hex, backslash-newline."""
    if "\\" not in text:
        return text
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        i += 1
        c = text[i]
        if c in _OCT:
            j = i
            while j < n and j < i + 3 and text[j] in _OCT:
                j += 1
            out.append(chr(int(text[i:j], 8) & 0xFF))
            i = j
            continue
        if c == "x":
            j = i + 1
            while j < n and j < i + 3 and text[j] in _HEX:
                j += 1
            out.append(chr(int(text[i + 1 : j], 16)) if j > i + 1 else "\0")
            i = j
            continue
        out.append({"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\n": ""}.get(c, c))
        i += 1
    return "".join(out)


class _Lexer:
    """jaillex.l's rules, one method each.  The state is flex's: the position ``i``, yylineno
    (``line``), the tokens so far, and ``cur``, the S token being built (``instr``: pieces written
    with nothing between them); a rule that ends a string sets ``cur`` to None."""

    def __init__(self, text, cfname, errors):
        self.text, self.n, self.cfname, self.errors = text, len(text), cfname, errors
        self.i = 0
        self.line = 1
        self.cur = None
        self.toks = []

    def run(self):
        text = self.text
        while self.i < self.n:
            c = text[self.i]
            if c in " \t\r\n":
                self.blank(c)
            elif c == "#" or text.startswith("//", self.i):
                self.line_comment()
            elif text.startswith("/*", self.i):
                self.block_comment()
            elif text.startswith("+=", self.i):
                self.reserved("+=")
            elif c in ",;={}":
                self.reserved(c)
            elif c == "'":
                self.single_quoted()
            elif c == '"':
                self.double_quoted()
            elif c == "$":
                self.variable()
            elif c == "\\" and self.i + 1 < self.n:
                self.escape()
            elif not self.atom(c):
                # any other character is a token of its own: the grammar rejects it
                self.reserved(c)
        return self.toks

    def piece(self, p, ln, start=None, end=None):
        """Add a piece to the S token being built, or start one (its line and raw text from this lexeme)."""
        if self.cur is None:
            text = self.text
            raw = text[start:end] if start is not None else ""
            self.cur = ["S", [], ln + (text.count("\n", start, end) if start is not None else 0), raw, start]
            self.toks.append(self.cur)
        self.cur[1].append(p)

    def lexerr(self, pos, msg, ln):
        self.errors.append((pos, f"{self.cfname} line {ln}: {msg}"))

    def advance(self, end):
        """Go on at ``end``, counting the newlines read (flex's yylineno)."""
        self.line += self.text.count("\n", self.i, end)
        self.i = end

    def brace_end(self, start, stops):
        """Where ``${`` at ``start`` ends: at its ``}`` or at the first of ``stops`` (a backslash
        escapes the next character)."""
        text, n = self.text, self.n
        k = start + 2
        while k < n and text[k] not in stops:
            k += 2 if text[k] == "\\" else 1
        return k

    def skip_line(self):
        """After an unterminated string: up to the end of the line, then lexing goes on."""
        text = self.text
        self.i = text.find("\n", self.i) if "\n" in text[self.i :] else self.n
        self.cur = None

    def blank(self, c):
        self.line += c == "\n"
        self.i += 1
        self.cur = None

    def line_comment(self):
        j = self.text.find("\n", self.i)
        self.i = self.n if j < 0 else j
        self.cur = None

    def block_comment(self):
        text, i = self.text, self.i
        j = text.find("*/", i + 2)
        if j < 0:
            # the partial-comment rule eats the rest of the file; yylineno counts its newlines
            self.advance(self.n)
            self.lexerr(i, "unterminated comment", self.line)
        else:
            self.advance(j + 2)
        self.cur = None

    def reserved(self, tok):
        self.toks.append([tok, None, self.line, tok, self.i])
        self.i += len(tok)
        self.cur = None

    def single_quoted(self):
        text, i, n = self.text, self.i, self.n
        j = i + 1
        while j < n and text[j] != "'":
            if text[j] == "\n" and text[j - 1] != "\\":
                break
            j += 2 if text[j] == "\\" else 1
        if j >= n or text[j] != "'":
            # <_>'([^\n'\\]|\\.)* : up to the end of the line, then lexing goes on
            self.lexerr(i, "unterminated string", self.line)
            self.skip_line()
            return
        self.piece(("s", _unescape(text[i + 1 : j])), self.line, i, j + 1)
        self.advance(j + 1)

    def double_quoted(self):
        text, i, n = self.text, self.i, self.n
        j = i + 1
        buf = []
        start_line = self.line
        while j < n and text[j] != '"':
            if text[j] == "\\" and j + 1 < n:
                buf.append(text[j : j + 2])
                j += 2
                continue
            if text[j] == "$":
                after = self.quoted_variable(j, buf, start_line)
                if after is not None:
                    j = after
                    continue
            buf.append(text[j])
            j += 1
        if j >= n:
            # <_>\"([^\n\"\\]|\\.)* : the first line of it is eaten, lexing goes on
            self.lexerr(i, "unterminated string", self.line)
            self.skip_line()
            return
        self.flush_quoted(buf, start_line, j + 1)
        self.advance(j + 1)

    def flush_quoted(self, buf, start_line, end):
        """The text of "..." read so far becomes a piece (an empty one if it starts the string)."""
        if buf or self.cur is None:
            self.piece(("s", _unescape("".join(buf))), start_line, self.i, end)
            buf.clear()

    def quoted_variable(self, j, buf, start_line):
        """``$name`` or ``${name}`` at ``j`` inside "...": where to go on, None if it is no variable."""
        text, n = self.text, self.n
        m = _VARNAME.match(text, j + 1)
        if m:
            self.flush_quoted(buf, start_line, j)
            self.piece(("v", m.group(0)), start_line)
            return m.end()
        if not text.startswith("${", j):
            return None
        k = self.brace_end(j, '\n"{}')
        if k >= n or text[k] != "}":
            self.lexerr(j, "unterminated variable", self.line + text.count("\n", self.i, j))
            return k
        self.flush_quoted(buf, start_line, j)
        self.piece(("v", _unescape(text[j + 2 : k])), start_line)
        return k + 1

    def variable(self):
        text, i, n = self.text, self.i, self.n
        m = _VARNAME.match(text, i + 1)
        if m:
            self.piece(("v", m.group(0)), self.line, i, m.end())
            self.i = m.end()
            return
        if not text.startswith("${", i):
            self.piece(("s", "$"), self.line, i, i + 1)
            self.i = i + 1
            return
        k = self.brace_end(i, "\n{}")
        if k >= n or text[k] != "}":
            self.lexerr(i, "unterminated variable", self.line + text.count("\n", i, k))
            self.advance(k)
            self.cur = None
            return
        self.piece(("v", _unescape(text[i + 2 : k])), self.line, i, k + 1)
        self.advance(k + 1)

    def escape(self):
        text, i, n = self.text, self.i, self.n
        j = i + 2
        if text[i + 1] in _OCT:
            while j < n and j < i + 4 and text[j] in _OCT:
                j += 1
        elif text[i + 1] == "x":
            while j < n and j < i + 4 and text[j] in _HEX:
                j += 1
        self.piece(("s", _unescape(text[i:j])), self.line, i, j)
        self.advance(j)

    def atom(self, c):
        """An atomic token, or one of ``* + / \\`` alone; False if ``c`` starts neither."""
        m = _ATOM.match(self.text, self.i)
        if m:
            self.piece(("s", m.group(0)), self.line, self.i, m.end())
            self.i = m.end()
            return True
        if c in "*+/\\":
            self.piece(("s", c), self.line, self.i, self.i + 1)
            self.i += 1
            return True
        return False


def _lex(text, cfname, errors=None):
    """Tokens: [kind, value, line, raw].  kind is one of ``{ } ; = , +=`` or ``S`` (a string, value = pieces).

    Pieces are ("s", text) or ("v", varname).  Adjacent pieces (``instr`` in
    jaillex.l) are merged into one ``S`` token.  ``line`` is flex's yylineno once
    the token's first lexeme is read (the 14.x scanner is reentrant with
    ``%option yylineno``: newlines inside a lexeme count), ``raw`` that lexeme's
    text (yytext, what yyerror() prints).  Complaints about partial tokens
    (unterminated comment/string/variable) are appended to ``errors`` as
    ``(position, message)`` and lexing goes on, as jaillex.l does.
    """
    if errors is None:
        errors = []
    return _Lexer(text, cfname, errors).run()
