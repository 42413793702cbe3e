"""named(8): listen-on / listen-on-v6 from named.conf (BIND 9 named.conf(5))."""

from ._common import (
    ConfigError,
    _flags,
    _getopt,
    _number_fds,
    _read,
    _try_bind,
    visible_addrs,
)


def _named_tokens(text, path):
    toks = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ConfigError(f"{path}:{line}: unexpected end of input")
            line += text.count("\n", i, j)
            i = j + 2
        elif c in "{};!":
            toks.append((c, line))
            i += 1
        elif c == '"':
            j = text.find('"', i + 1)
            if j < 0:
                raise ConfigError(f"{path}:{line}: unterminated string")
            toks.append((text[i : j + 1], line))
            line += text.count("\n", i, j)
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '{};"':
                j += 1
            toks.append((text[i:j], line))
            i = j
    return toks


def _named_parse(toks, path):
    """Statements as nested lists: [word, word, [sub-statements]] (named.conf grammar subset)."""
    pos = 0

    def block():
        nonlocal pos
        stmts = []
        while pos < len(toks):
            tok, line = toks[pos]
            if tok == "}":
                return stmts
            stmt = []
            while True:
                if pos >= len(toks):
                    raise ConfigError(f"{path}:{line}: unexpected end of input")
                tok, line = toks[pos]
                if tok == ";":
                    pos += 1
                    break
                if tok == "{":
                    pos += 1
                    stmt.append(block())
                    if pos >= len(toks) or toks[pos][0] != "}":
                        raise ConfigError(f"{path}:{line}: unexpected end of input")
                    pos += 1
                    continue
                if tok == "}":
                    raise ConfigError(f"{path}:{line}: missing ';' before '}}'")
                stmt.append(tok)
                pos += 1
            if stmt:
                stmts.append(stmt)
        return stmts

    stmts = block()
    if pos < len(toks):
        raise ConfigError(f"{path}:{toks[pos][1]}: '}}' unexpected")
    return stmts


def _named(ctx, state, rc, root, jail, flags):
    argv = _flags(rc, "named_flags", flags)
    opts, _operands = _getopt(argv, "46c:d:E:fgL:M:m:n:p:sS:t:U:u:vVx:X")
    path = rc.get("named_conf") or "/usr/local/etc/namedb/named.conf"
    fams = (4, 6)
    port = 53
    for o, a in opts:
        if o == "c" and a:
            path = a
        elif o == "4":
            fams = (4,)
        elif o == "6":
            fams = (6,)
        elif o == "p" and a and a.isdigit():
            port = int(a)
    text = _read(root, path)
    if text is None:
        raise ConfigError(f"open: {path}: file not found")
    stmts = _named_parse(_named_tokens(text, path), path)
    # BIND's defaults: listen-on { any; }; listen-on-v6 { any; }; (BIND ARM - UNVERIFIED here)
    lists = {4: None, 6: None}
    for st in stmts:
        if st and st[0] == "options" and isinstance(st[-1], list):
            for opt in st[-1]:
                if opt and opt[0] in ("listen-on", "listen-on-v6") and isinstance(opt[-1], list):
                    f = 6 if opt[0] == "listen-on-v6" else 4
                    lport = port
                    if len(opt) >= 3 and opt[1] == "port" and str(opt[2]).isdigit():
                        lport = int(opt[2])
                    items = [e[0] for e in opt[-1] if e]
                    lists[f] = (lport, items) if lists[f] is None else (lists[f][0], lists[f][1] + items)
    out = []
    for f in fams:
        lport, items = lists[f] if lists[f] is not None else (port, ["any"])
        addrs = []
        for item in items:
            if item == "none":
                continue
            if item == "any":
                addrs += visible_addrs(state, f, jail)
            elif item in ("localhost", "localnets"):
                addrs += [a for a in visible_addrs(state, f, jail) if item == "localnets" or a in ("127.0.0.1", "::1")]
            else:
                addrs.append(item.split("/")[0])
        seen = []
        for a in addrs:
            if a in seen:
                continue
            seen.append(a)
            # named binds every matching interface address, UDP and TCP (no wildcard socket).
            if _try_bind(state, jail, f, a, "udp", lport, out):
                _try_bind(state, jail, f, a, "tcp", lport, out)
    # rndc control channel: default 127.0.0.1#953 when there is no controls statement (UNVERIFIED, BIND ARM).
    if not any(st and st[0] == "controls" for st in stmts) and 4 in fams:
        _try_bind(state, jail, 4, "127.0.0.1", "tcp", 953, out)
    return _number_fds(out, 20)


# ------------------------------------------------------------------ syslogd
