"""jail.conf(5) as jail(8) reads it: the simulator's own parser (nothing from plugins/).

src: usr.sbin/jail/jaillex.l (tokens), jailparse.y (grammar), config.c
load_config()/add_param()/equalopts()/wild_jail_match()/wild_jail_name().

``load(path)`` returns ``[Jail(name, params)]`` for the non-wildcard jails in
file order, each with its parameters after wildcard merging and variable
substitution: ``params`` is an ordered list of ``[name, [values]]`` (a bare
``persist;`` has ``[]``).  Errors raise :class:`ConfError`; its ``messages``
are what jail(8) prints after ``jail: `` (one per line).

Lexing (jaillex.l): whitespace and the comments ``#``, ``//``, ``/* */``
separate tokens; ``{ } ; = , +=`` are reserved; an atomic token is a run of
``[A-Za-z0-9_!%&()\\-.:<>?@[]^`|~]`` or a single ``$ * + / \\``, or a
backslash escape; ``'...'`` is literal (escapes only), ``"..."`` substitutes
``$var``/``${var}``.  Pieces written with nothing between them form one string
(``"$a"/b`` is one value).
"""

import glob
import os
import re

_ATOM = re.compile(r"[A-Za-z0-9_!%&()\-.:<>?@\[\]^`|~]+")
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_OCT = "01234567"
_HEX = "0123456789abcdefABCDEF"


class ConfError(Exception):
    def __init__(self, messages):
        self.messages = messages if isinstance(messages, list) else [messages]
        super().__init__("\n".join(self.messages))


class Jail:
    def __init__(self, name, params, errors=()):
        self.name = name
        self.params = params  # [[name, [values]]] in jail(8)'s order
        self.errors = list(errors)  # what jail(8) prints (after "jail: ") while loading this jail

    def get(self, name, default=None):
        """The parameter's value list (None if not set), matched as equalopts() does (no ``no`` prefix)."""
        for pname, vals in self.params:
            if pname == name:
                return vals
        return default

    def __repr__(self):
        return f"Jail({self.name!r}, {self.params!r})"


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
    toks = []
    i = 0
    n = len(text)
    line = 1
    cur = None  # the S token being built (instr)
    if errors is None:
        errors = []

    def piece(p, ln, start=None, end=None):
        nonlocal cur
        if cur is None:
            raw = text[start:end] if start is not None else ""
            cur = ["S", [], ln + (text.count("\n", start, end) if start is not None else 0), raw, start]
            toks.append(cur)
        cur[1].append(p)

    def lexerr(pos, msg, ln):
        errors.append((pos, f"{cfname} line {ln}: {msg}"))

    while i < n:
        c = text[i]
        if c in " \t\r\n":
            line += c == "\n"
            i += 1
            cur = None
            continue
        if c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            cur = None
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                # the partial-comment rule eats the rest of the file; yylineno counts its newlines
                line += text.count("\n", i)
                lexerr(i, "unterminated comment", line)
                i = n
                cur = None
                continue
            line += text.count("\n", i, j)
            i = j + 2
            cur = None
            continue
        if text.startswith("+=", i):
            toks.append(["+=", None, line, "+=", i])
            i += 2
            cur = None
            continue
        if c in ",;={}":
            toks.append([c, None, line, c, i])
            i += 1
            cur = None
            continue
        if c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                if text[j] == "\n" and text[j - 1] != "\\":
                    break
                j += 2 if text[j] == "\\" else 1
            if j >= n or text[j] != "'":
                # <_>'([^\n'\\]|\\.)* : up to the end of the line, then lexing goes on
                lexerr(i, "unterminated string", line)
                i = text.find("\n", i) if "\n" in text[i:] else n
                cur = None
                continue
            piece(("s", _unescape(text[i + 1 : j])), line, i, j + 1)
            line += text.count("\n", i, j)
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            buf = []
            start_line = line
            dq_start = i
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    buf.append(text[j : j + 2])
                    j += 2
                    continue
                if text[j] == "$":
                    m = _VARNAME.match(text, j + 1)
                    if m:
                        if buf or cur is None:
                            piece(("s", _unescape("".join(buf))), start_line, dq_start, j)
                            buf = []
                        piece(("v", m.group(0)), start_line)
                        j = m.end()
                        continue
                    if text.startswith("${", j):
                        k = j + 2
                        while k < n and text[k] not in '\n"{}':
                            k += 2 if text[k] == "\\" else 1
                        if k >= n or text[k] != "}":
                            lexerr(j, "unterminated variable", line + text.count("\n", i, j))
                            j = k
                            continue
                        if buf or cur is None:
                            piece(("s", _unescape("".join(buf))), start_line, dq_start, j)
                            buf = []
                        piece(("v", _unescape(text[j + 2 : k])), start_line)
                        j = k + 1
                        continue
                buf.append(text[j])
                j += 1
            if j >= n:
                # <_>\"([^\n\"\\]|\\.)* : the first line of it is eaten, lexing goes on
                lexerr(i, "unterminated string", line)
                i = text.find("\n", i) if "\n" in text[i:] else n
                cur = None
                continue
            if buf or cur is None:
                piece(("s", _unescape("".join(buf))), start_line, dq_start, j + 1)
            line += text.count("\n", i, j)
            i = j + 1
            continue
        if c == "$":
            m = _VARNAME.match(text, i + 1)
            if m:
                piece(("v", m.group(0)), line, i, m.end())
                i = m.end()
                continue
            if text.startswith("${", i):
                k = i + 2
                while k < n and text[k] not in "\n{}":
                    k += 2 if text[k] == "\\" else 1
                if k >= n or text[k] != "}":
                    lexerr(i, "unterminated variable", line + text.count("\n", i, k))
                    line += text.count("\n", i, k)
                    i = k
                    cur = None
                    continue
                piece(("v", _unescape(text[i + 2 : k])), line, i, k + 1)
                line += text.count("\n", i, k)
                i = k + 1
                continue
            piece(("s", "$"), line, i, i + 1)
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            j = i + 2
            if text[i + 1] in _OCT:
                while j < n and j < i + 4 and text[j] in _OCT:
                    j += 1
            elif text[i + 1] == "x":
                while j < n and j < i + 4 and text[j] in _HEX:
                    j += 1
            piece(("s", _unescape(text[i:j])), line, i, j)
            line += text.count("\n", i, j)
            i = j
            continue
        m = _ATOM.match(text, i)
        if m:
            piece(("s", m.group(0)), line, i, m.end())
            i = m.end()
            continue
        if c in "*+/\\":
            piece(("s", c), line, i, i + 1)
            i += 1
            continue
        # any other character is a token of its own: the grammar rejects it
        toks.append([c, None, line, c, i])
        i += 1
        cur = None
    return toks


class _SyntaxError(Exception):
    def __init__(self, pos, message):
        super().__init__(message)
        self.pos = pos
        self.message = message


def _syntax_error(cfname, tok, toks_text=None):
    # src: usr.sbin/jail/jailparse.y YYERROR_DECL() (14.x, reentrant scanner) and jaillex.l
    # yyerror() (13.x): "%s line %d: %s: %s" (cfname, yylineno, yytext, "syntax error"),
    # and "%s: unexpected EOF" when yytext is empty (end of input).
    if tok is None:
        return _SyntaxError(None, f"{cfname}: unexpected EOF")
    return _SyntaxError(tok[4], f"{cfname} line {tok[2]}: {tok[3]}: syntax error")


def _tok_text(tok):
    if tok[0] != "S":
        return tok[0]
    return "".join(v if k == "s" else "$" + v for k, v in tok[1])


class _Parser:
    def __init__(self):
        self.entries = []  # [name, [param]]; param = [name, [pieces-lists], is_var, append]
        self.depth = 0

    def parse_file(self, path, display=None):
        cfname = display or path
        try:
            if path == "-":
                import sys

                text = sys.stdin.read()
                cfname = "STDIN"
            else:
                with open(path, encoding="utf-8", errors="surrogateescape") as f:
                    text = f.read()
        except OSError as exc:
            # src: config.c load_config(): err(1, "%s", cfname)
            raise ConfError(f"{cfname}: {os.strerror(exc.errno)}") from None
        self.parse_text(text, cfname, path)

    def parse_text(self, text, cfname, path="-"):
        lexerrs = []
        toks = _lex(text, cfname, lexerrs)
        try:
            self._parse_toks(toks, cfname, path)
        except _SyntaxError as exc:
            # complaints of the scanner come out as it reads, before the token the parser rejects
            cut = len(text) if exc.pos is None else exc.pos
            msgs = [m for p, m in lexerrs if p < cut] + [exc.message] + [m for p, m in lexerrs if p >= cut]
            raise ConfError(msgs) from None
        if lexerrs:
            raise ConfError([m for _p, m in lexerrs])  # src: config.c load_config(): cflex.error -> exit(1)

    def _parse_toks(self, toks, cfname, path):
        pos = 0
        n = len(toks)

        def peek(k=0):
            return toks[pos + k] if pos + k < n else None

        while pos < n:
            t = toks[pos]
            if t[0] == ";":
                pos += 1
                continue
            if t[0] == "S" and _tok_text(t) == ".include":
                nxt = peek(1)
                if nxt is None or nxt[0] != "S" or any(k == "v" for k, _unused in nxt[1]):
                    raise _syntax_error(cfname, nxt, _tok_text)
                end = peek(2)
                if end is None or end[0] != ";":
                    raise _syntax_error(cfname, end, _tok_text)
                self.include("".join(v for _unused, v in nxt[1]), path)
                pos += 3
                continue
            if t[0] == "S" and peek(1) is not None and peek(1)[0] == "{":
                name = _tok_text(t)
                pos += 2
                params = []
                while True:
                    t2 = peek()
                    if t2 is None:
                        raise _syntax_error(cfname, None, _tok_text)
                    if t2[0] == "}":
                        pos += 1
                        break
                    if t2[0] == ";":
                        pos += 1
                        continue
                    param, pos = self.param(toks, pos, cfname)
                    params.append(param)
                self.entries.append([name, params])
                continue
            param, pos = self.param(toks, pos, cfname)
            if not self.entries or self.entries[-1][0] != "*":
                self.entries.append(["*", []])
            self.entries[-1][1].append(param)

    def param(self, toks, pos, cfname):
        n = len(toks)
        t = toks[pos]
        if t[0] != "S":
            raise _syntax_error(cfname, t, _tok_text)
        pieces = t[1]
        if len(pieces) == 1 and pieces[0][0] == "v":
            name, is_var = pieces[0][1], True
        elif all(k == "s" for k, _unused in pieces):
            name, is_var = "".join(v for _unused, v in pieces), False
        else:
            raise _syntax_error(cfname, t, _tok_text)
        pos += 1
        append = False
        values = []
        nt = toks[pos] if pos < n else None
        if nt is not None and nt[0] in ("=", "+=", "S"):
            if nt[0] != "S":
                append = nt[0] == "+="
                pos += 1
            while True:
                vt = toks[pos] if pos < n else None
                if vt is None or vt[0] != "S":
                    raise _syntax_error(cfname, vt, _tok_text)
                values.append(vt[1])
                pos += 1
                if pos < n and toks[pos][0] == ",":
                    pos += 1
                    continue
                break
        end = toks[pos] if pos < n else None
        if end is None or end[0] != ";":
            raise _syntax_error(cfname, end, _tok_text)
        return [name, values, is_var, append], pos + 1

    def include(self, fname, outer):
        # .include (14.x jail.conf.5): a literal file name, globs allowed (sorted, none matching
        # = nothing), a missing plain file is err(1, "%s", name).  Relative names are taken from
        # the including file's directory: UNVERIFIED - the freebsd-src versions of jaillex.l,
        # jailparse.y and config.c in the search index all predate .include (searched for
        # include_config, YYERROR_DECL, glob), so this is recalled, not read.
        self.depth += 1
        if self.depth > 64:
            raise ConfError("Include loop detected")
        if not fname.startswith("/") and outer not in ("-", "") and "/" in outer:
            fname = os.path.join(os.path.dirname(outer), fname)
        if glob.has_magic(fname):
            for p in sorted(glob.glob(fname)):
                self.parse_file(p)
        else:
            self.parse_file(fname)
        self.depth -= 1


def equalopts(a, b):
    """src: config.c equalopts(): equal, or equal but for a ``no`` prefix on one component
    (after identical leading components): ``persist``/``nopersist``, ``allow.mount``/``allow.nomount``."""
    if a == b:
        return True
    while True:
        if (a.startswith("no") and a[2:] == b) or (b.startswith("no") and b[2:] == a):
            return True
        dot = a.find(".")
        if dot < 0 or a[: dot + 1] != b[: dot + 1]:
            return False
        a, b = a[dot + 1 :], b[dot + 1 :]


def wild_jail_name(name):
    """src: config.c wild_jail_name(): a ``*`` forming a whole dotted component."""
    return any(c == "*" for c in name.split("."))


def wild_jail_match(jname, wname):
    """src: config.c wild_jail_match(): a non-final ``*`` matches one component, a final one the rest."""
    jc, wc = jname, wname
    while "." in jc and "." in wc:
        jd, wd = jc.index("."), wc.index(".")
        if jc[: jd + 1] != wc[: jd + 1] and not wc.startswith("*."):
            return False
        jc, wc = jc[jd + 1 :], wc[wd + 1 :]
    return jc == wc or wc == "*"


def _add(params, index, name, values, is_var, append, jname, errors):
    """config.c add_param(): replace (or with += append to) an existing parameter, else add it."""
    for p in params:
        if equalopts(p[0], name):
            if p[2] != is_var:
                errors.append(f'{jname}: variable "${name}" cannot have the same name as a parameter.')
                return
            if p[0] in ("name", "jid") and p[4]:
                errors.append(f'{jname}: cannot redefine parameter "{p[0]}".')
                return
            p[0] = name
            if not append or not values:
                p[1] = []
            p[1].extend(values)
            return
    params.append([name, list(values), is_var, append, False])


def resolve(entries):
    """config.c load_config() after parsing: wildcard merge and variable substitution.

    A jail with a bad parameter or variable is still returned, with its messages in
    ``Jail.errors`` (config.c marks it JF_FAILED and goes on with the others).
    """
    seq = list(enumerate(entries))
    wild = [(i, e) for i, e in seq if wild_jail_name(e[0])]
    jails = []
    for i, (jname, own) in seq:
        if wild_jail_name(jname):
            continue
        errors = []
        params = []
        key = "jid" if jname.isdigit() and int(jname) else "name"
        params.append([key, [[("s", jname)]], False, False, True])
        did_self = False
        for wi, (wname, wparams) in wild:
            if i < wi and not did_self:
                for p in own:
                    _add(params, i, p[0], p[1], p[2], p[3], jname, errors)
                did_self = True
            if wild_jail_match(jname, wname):
                for p in wparams:
                    _add(params, wi, p[0], p[1], p[2], p[3], jname, errors)
        if not did_self:
            for p in own:
                _add(params, i, p[0], p[1], p[2], p[3], jname, errors)
        if key == "jid" and not any(equalopts(p[0], "name") for p in params):
            # A jail whose block name is a jid also gets that name as its "name" when nothing
            # set one, so "${name}" expands to it and an explicit "name = x;" still wins.
            # src: FreeBSD's own usr.sbin/jail/tests/jail_basic_test.sh jid_name_set ("Confirm
            # that ${name} expanded and expanded correctly to the jid-implied name", "we didn't
            # override the explicitly-set name with the jid"); the config.c load_config() versions
            # in the search index predate it (they add only KP_JID for a numeric name), so where
            # the implied name goes in the parameter order is UNVERIFIED (added last here).
            params.append(["name", [[("s", jname)]], False, False, True])
        jails.append(_substitute(jname, params, errors))
    return jails


def _substitute(jname, params, errors):
    by_name = {}
    for p in params:
        by_name[p[0]] = p
    done = {}

    def value_of(pname, stack):
        if pname in done:
            return done[pname]
        p = by_name.get(pname)
        if p is None or not p[1]:
            return None
        if pname in stack:
            raise _VarErr(f"{jname}: {pname}: variable loop")
        out = [expand(s, p[0], (*stack, pname)) for s in p[1]]
        flat = []
        for o in out:
            flat.extend(o)
        done[pname] = flat
        return flat

    def expand(pieces, owner, stack):
        # a string with no text of its own and one variable takes the variable's whole list
        # (config.c: "array cannot be substituted inline" otherwise)
        if sum(k == "v" for k, _unused in pieces) == 1 and not any(v for k, v in pieces if k == "s"):
            pieces = [p for p in pieces if p[0] == "v"]
            v = value_of(pieces[0][1], stack)
            if v is None:
                raise _VarErr(f'{jname}: {owner}: variable "{pieces[0][1]}" not found')
            return list(v)
        out = []
        for k, v in pieces:
            if k == "s":
                out.append(v)
                continue
            val = value_of(v, stack)
            if val is None:
                raise _VarErr(f'{jname}: {owner}: variable "{v}" not found')
            if len(val) > 1:
                raise _VarErr(f"{jname}: {owner}: array cannot be substituted inline")
            out.append(val[0])
        return ["".join(out)]

    result = []
    try:
        for p in params:
            vals = value_of(p[0], ()) if p[1] else []
            if not p[2]:
                result.append([p[0], vals])
    except _VarErr as exc:
        errors.append(str(exc))
    j = Jail(jname, result)
    j.errors = errors
    return j


class _VarErr(Exception):
    pass


def load(path):
    """Parse ``path`` (``-`` = stdin) with its includes; returns the list of :class:`Jail`."""
    parser = _Parser()
    parser.parse_file(path)
    return resolve(parser.entries)


def loads(text, cfname="jail.conf", path="-"):
    parser = _Parser()
    parser.parse_text(text, cfname, path)
    return resolve(parser.entries)
