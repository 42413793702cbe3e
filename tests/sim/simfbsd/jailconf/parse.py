"""jail.conf(5)'s grammar as usr.sbin/jail/jailparse.y has it, with ``.include`` (config.c).

:class:`_Parser` turns the tokens of :mod:`.lex` into entries ``[name, [param]]`` (``*`` for the
parameters outside any block), param = ``[name, [pieces-lists], is_var, append]``.
"""

import glob
import os

from .lex import _lex


class ConfError(Exception):
    def __init__(self, messages):
        self.messages = messages if isinstance(messages, list) else [messages]
        super().__init__("\n".join(self.messages))


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
