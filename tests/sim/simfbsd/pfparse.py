"""pf.conf(5) as pfctl(8) parses it: the subset a jail host uses.

# src: sbin/pfctl/parse.y (lgetc()/yylex(): ``#`` comments, ``\\`` + newline joins lines, ``$macro``
#      expanded outside quotes, "macro '%s' not defined"; yyerror(): ``FILE:LINE: message`` on stderr;
#      check_rulestate(); varset, tabledef, option (``set skip on``, ``set block-policy``,
#      ``set loginterface``), pfrule, natrule (nat/rdr, ``pass``, ``-> pool [port]``, pool options),
#      anchorrule (``anchor``/``nat-anchor``/``rdr-anchor``), loadrule (``load anchor N from F``),
#      getservice(), host()/host_if()/host_v4()/host_v6() in pfctl_parser.c ("no IP address found for
#      %s", "could not parse host specification"), expand_rule() (the cartesian product of lists);
#      the defaults of pfrule: ``keep state`` and ``flags S/SA`` for pass rules of tcp (or no proto)).
Not modelled (a syntax error here, as a construct pfctl does not know would be): queues/altq, scrub,
binat, ether rules, route-to, tags, labels, state options, os fingerprints, user/group, icmp-type,
DNS names as hosts, interface groups, braces anchors (``anchor { ... }``), ``include``.
Each rule is a dict; pf.py prints it (pfctl_parser.c print_rule()) and evaluates it.
"""

import ipaddress
import itertools
import os
import re

# check_rulestate(): PFCTL_STATE_OPTION .. PFCTL_STATE_FILTER
STATE_OPTION, STATE_NAT, STATE_FILTER = 0, 4, 5
ORDER_MSG = "Rules must be in order: options, ethernet, normalization, queueing, translation, filtering"  # UNVERIFIED
PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58}
POOL_OPTS = ("round-robin", "random", "bitmask", "source-hash", "sticky-address", "static-port")
OPS = ("=", "!=", "<", "<=", ">", ">=")
_MACRO = re.compile(r"\$([A-Za-z0-9_]+)")


class ParseError(Exception):
    pass


def services(root):
    """getservbyname(3)/getservbyport(3) over ROOT/etc/services: {(name, proto): port}, {(port, proto): name}."""
    by_name, by_port = {}, {}
    try:
        with open(os.path.join(root, "etc/services"), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return by_name, by_port
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2 or "/" not in words[1]:
            continue
        port, proto = words[1].split("/", 1)
        if not port.isdigit():
            continue
        for n in [words[0], *words[2:]]:
            by_name.setdefault((n, proto), int(port))
        by_port.setdefault((int(port), proto), words[0])
    return by_name, by_port


class Host:
    """What the parser knows of the machine: interfaces and their addresses, /etc/services."""

    def __init__(self, ifaces, root="/"):
        self.ifaces = ifaces  # {ifname: [addr, ...]} both families
        self.by_name, self.by_port = services(root)


def _tokens(line):
    """yylex() on one logical line: ("w", word), ("s", quoted string), ("o", punctuation)."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            i += 1
        elif c == '"':
            j = line.find('"', i + 1)
            if j < 0:
                raise ParseError("unterminated quoted string")  # UNVERIFIED wording
            out.append(("s", line[i + 1 : j]))
            i = j + 1
        elif line.startswith("->", i):
            out.append(("o", "->"))
            i += 2
        elif line[i : i + 2] in ("!=", "<=", ">=", "<>", "><"):
            out.append(("o", line[i : i + 2]))
            i += 2
        elif c in "{}()<>!=,/":
            out.append(("o", c))
            i += 1
        else:
            j = i
            while j < n and line[j] not in ' \t"{}()<>!=,/' and not line.startswith("->", j):
                j += 1
            out.append(("w", line[i:j]))
            i = j
    return out


def logical_lines(text):
    """(lineno, text) after comments are dropped and ``\\``-newline joins; braces spanning lines join."""
    out, buf, start, depth = [], "", None, 0
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw
        q = False
        for k, c in enumerate(line):
            if c == '"':
                q = not q
            elif c == "#" and not q:
                line = line[:k]
                break
        cont = line.endswith("\\")
        if cont:
            line = line[:-1]
        if start is None:
            start = no
        buf += line + " "
        depth += line.count("{") - line.count("}")
        if cont or depth > 0:
            continue
        if buf.strip():
            out.append((start, buf.strip()))
        buf, start, depth = "", None, 0
    if buf.strip():
        out.append((start, buf.strip()))
    return out


class Parser:
    """parse_config(): every rule of a file, or the errors (``FILE:LINE: msg``) it reports."""

    def __init__(self, host, filename, macros=None):
        self.host = host
        self.filename = filename
        self.macros = dict(macros or {})
        self.errors = []  # full lines printed to stderr
        self.rules = {"nat": [], "rdr": [], "filter": []}
        self.tables = {}
        self.loads = []  # (anchor, file)
        self.options = {}
        self.rulestate = STATE_OPTION
        self.want_state = None
        self.pending = []

    def error(self, lineno, msg):
        self.errors.append(f"{self.filename}:{lineno}: {msg}")

    def parse(self, text):
        for lineno, line in logical_lines(text):
            self.lineno = lineno
            try:
                self._statement(line)
            except ParseError as exc:
                self.error(lineno, str(exc) or "syntax error")
        return not self.errors

    # ---------------------------------------------------------------- lexing helpers

    def _expand(self, line):
        parts = line.split('"')
        for k in range(0, len(parts), 2):  # outside quotes

            def sub(m):
                if m.group(1) not in self.macros:
                    raise ParseError(f"macro '{m.group(1)}' not defined")
                return self.macros[m.group(1)]

            parts[k] = _MACRO.sub(sub, parts[k])
        return '"'.join(parts)

    def _statement(self, line):
        m = re.match(r"([A-Za-z0-9_]+)\s*=\s*(.*)$", line)
        if m and m.group(1) not in ("pass", "block", "nat", "rdr", "anchor", "table", "set", "load"):
            value = self._expand(m.group(2)).strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            self.macros[m.group(1)] = value
            return
        self.t = _tokens(self._expand(line))
        self.i = 0
        self.want_state, self.pending = None, []
        word = self._peek()
        handler = {
            "set": self._set,
            "table": self._table,
            "nat": self._natrule,
            "rdr": self._natrule,
            "no": self._natrule,
            "pass": self._pfrule,
            "block": self._pfrule,
            "anchor": self._anchorrule,
            "nat-anchor": self._anchorrule,
            "rdr-anchor": self._anchorrule,
            "load": self._loadrule,
        }.get(word)
        if handler is None:
            raise ParseError("syntax error")
        handler()
        if self.i != len(self.t):
            raise ParseError("syntax error")
        # the grammar action runs once the whole rule is read: only then check_rulestate() and the rule is kept
        if self.want_state is not None:
            if self.rulestate > self.want_state:
                raise ParseError(ORDER_MSG)
            self.rulestate = self.want_state
        for kind, rule in self.pending:
            self.rules[kind].append(rule)

    def _peek(self, k=0):
        j = self.i + k
        return self.t[j][1] if j < len(self.t) else None

    def _next(self):
        if self.i >= len(self.t):
            raise ParseError("syntax error")
        self.i += 1
        return self.t[self.i - 1][1]

    def _accept(self, *words):
        if self.i < len(self.t) and self.t[self.i][1] in words and self.t[self.i][0] != "s":
            self.i += 1
            return self.t[self.i - 1][1]
        return None

    def _expect(self, word):
        if not self._accept(word):
            raise ParseError("syntax error")

    def _string(self):
        if self.i < len(self.t) and self.t[self.i][0] in ("w", "s"):
            self.i += 1
            return self.t[self.i - 1][1]
        raise ParseError("syntax error")

    def _check_rulestate(self, state):
        self.want_state = state

    # ---------------------------------------------------------------- statements

    def _set(self):
        self._next()
        self._check_rulestate(STATE_OPTION)
        what = self._string()
        if what == "skip":
            self._expect("on")
            self.options.setdefault("skip", []).extend(self._list(self._string))
        elif what == "block-policy":
            self.options["block-policy"] = self._accept("drop", "return") or self._fail()
        elif what == "loginterface":
            self.options["loginterface"] = self._string()
        else:
            raise ParseError("syntax error")

    def _fail(self):
        raise ParseError("syntax error")

    def _list(self, item):
        """``ITEM`` or ``{ ITEM [,] ITEM ... }``."""
        if self._accept("{"):
            out = []
            while not self._accept("}"):
                self._accept(",")
                if self._peek() == "}":
                    continue
                out.extend(_flat(item()))
            if not out:
                raise ParseError("syntax error")
            return out
        return _flat(item())

    def _table(self):
        self._next()
        self._expect("<")
        name = self._string()
        self._expect(">")
        flags = []
        while self._peek() in ("persist", "const", "counters"):
            flags.append(self._next())
        addrs = []
        if self._peek() == "{":
            addrs = self._list(self._host)
        self.tables[name] = {"flags": flags, "addrs": addrs}

    def _loadrule(self):
        self._next()
        self._expect("anchor")
        name = self._string()
        self._expect("from")
        self.loads.append((name, self._string()))

    def _anchorrule(self):
        kind = self._next()
        name = self._string()
        ruleset = {"anchor": "filter", "nat-anchor": "nat", "rdr-anchor": "rdr"}[kind]
        self._check_rulestate(STATE_FILTER if ruleset == "filter" else STATE_NAT)
        r = _blank(ruleset, anchor=name)
        if ruleset == "filter":
            r["direction"] = self._accept("in", "out")
        self._on(r)
        self._af(r)
        for rule in self._fromto_expand(r):
            self.pending.append((ruleset, rule))

    def _on(self, r):
        if self._accept("on"):
            r["ifnot"] = bool(self._accept("!"))
            r["ifname"] = self._string()

    def _af(self, r):
        af = self._accept("inet", "inet6")
        if af:
            r["af"] = 4 if af == "inet" else 6

    def _proto(self):
        if not self._accept("proto"):
            return [None]

        def one():
            p = self._string()
            if p.isdigit() or p in PROTOS:
                return p
            raise ParseError(f"unknown protocol {p}")

        return self._list(one)

    def _natrule(self):
        no = bool(self._accept("no"))
        kind = self._next()
        if kind not in ("nat", "rdr"):
            raise ParseError("syntax error")
        self._check_rulestate(STATE_NAT)
        r = _blank(kind, action=f"no {kind}" if no else kind)
        r["natpass"] = bool(self._accept("pass"))
        self._on(r)
        self._af(r)
        protos = self._proto()
        srcs, dsts = self._fromto()
        pool, pport, popts = None, None, []
        if self._accept("->"):
            if no:
                raise ParseError("translation rule with 'no' does not need '->'")  # UNVERIFIED
            pool = self._list(self._redirhost)
            if self._accept("port"):
                pport = self._redirport(kind)
            while self._peek() in POOL_OPTS:
                popts.append(self._next())
        elif not no:
            if self.i != len(self.t):
                raise ParseError("syntax error")  # a token no rule of the grammar takes here
            raise ParseError("translation rule requires '-> address'")  # UNVERIFIED
        for rule in self._expand_rule(r, protos, srcs, dsts):
            if pool is not None:
                rule["pool"] = pool
                rule["pool_port"] = pport
                self._pool_opts(rule, popts)
            self._consistent(rule)
            self.pending.append((kind, rule))

    def _pool_opts(self, rule, popts):
        kind = next((o for o in popts if o in ("round-robin", "random", "bitmask", "source-hash")), None)
        dyn = any(a["type"] in ("dyn", "table") for a in rule["pool"])
        if kind is None and (len(rule["pool"]) > 1 or dyn):
            kind = "round-robin"  # parse.y natrule: a list, a table or (if) is a round-robin pool
        rule["pool_type"] = kind
        rule["sticky"] = "sticky-address" in popts
        rule["static_port"] = "static-port" in popts
        af = rule["af"] or next((a["af"] for a in rule["pool"] if a.get("af")), None)
        if rule["af"] is None and af:
            rule["af"] = af

    def _redirport(self, kind):
        """``port N``, ``port N:M`` or ``port N:*`` after the pool (parse.y redirpool/rport)."""
        a, _sep, b = self._string().partition(":")
        p1 = self._port_number(a, "tcp")
        p2 = None if not b else ("*" if b == "*" else self._port_number(b, "tcp"))
        return [p1, p2]

    def _pfrule(self):
        action = self._next()
        self._check_rulestate(STATE_FILTER)
        r = _blank("filter", action=action)
        if action == "block":
            r["block"] = self._accept("drop", "return") or self.options.get("block-policy", "drop")
        r["direction"] = self._accept("in", "out")
        r["log"] = bool(self._accept("log"))
        r["quick"] = bool(self._accept("quick"))
        self._on(r)
        self._af(r)
        protos = self._proto()
        srcs, dsts = self._fromto()
        flags, state = None, None
        while self.i < len(self.t):
            if self._accept("flags"):
                flags = "any" if self._accept("any") else self._flags()
            elif self._accept("keep", "modulate", "synproxy"):
                self._expect("state")
                state = "keep"
            elif self._accept("no"):
                self._expect("state")
                state = "no"
            else:
                raise ParseError("syntax error")
        for rule in self._expand_rule(r, protos, srcs, dsts):
            if action == "pass":
                rule["keep_state"] = state != "no"
                tcpish = rule["proto"] in (None, "tcp")
                if flags is None and rule["keep_state"] and tcpish:
                    rule["flags"] = "S/SA"  # parse.y pfrule: the default for stateful tcp
                elif flags not in (None, "any"):
                    rule["flags"] = flags
            self._consistent(rule)
            self.pending.append(("filter", rule))

    def _flags(self):
        word = self._string()
        if self._accept("/"):
            word += "/" + self._string()
        if not re.fullmatch(r"[FSRPAUEW]*/?[FSRPAUEW]*", word):
            raise ParseError("syntax error")
        return word

    # ---------------------------------------------------------------- addresses and ports

    def _fromto(self):
        """``all`` | [``from`` HOSTS [port]] [``to`` HOSTS [port]] -> ([(addr, port)], [(addr, port)])."""
        any_ = [({"type": "any"}, None)]
        if self._accept("all"):
            return any_, any_
        srcs = dsts = any_
        if self._accept("from"):
            srcs = self._hosts_ports()
        if self._accept("to"):
            dsts = self._hosts_ports()
        return srcs, dsts

    def _hosts_ports(self):
        neg = bool(self._accept("!"))
        if self._peek() == "port":
            hosts = [{"type": "any"}]
        else:
            hosts = self._list(self._host)
        for h in hosts:
            h["neg"] = neg
        ports = [None]
        if self._accept("port"):
            ports = self._list(self._portspec)
        return [(h, p) for h in hosts for p in ports]

    def _fromto_expand(self, r):
        srcs, dsts = self._fromto()
        return self._expand_rule(r, [None], srcs, dsts)

    def _host(self):
        if self._accept("any"):
            return {"type": "any"}
        if self._accept("<"):
            name = self._string()
            self._expect(">")
            return {"type": "table", "name": name}
        if self._accept("("):
            name = self._string()
            self._expect(")")
            # a dynamic address may name an interface that appears later (pf_dynaddr): no check here
            base, _sep, mod = name.partition(":")
            return {"type": "dyn", "ifname": base, "mod": mod or None}
        word = self._string()
        prefix = None
        if self._accept("/"):
            prefix = self._string()
        return self._host_spec(word, prefix)

    def _redirhost(self):
        return self._host()

    def _host_spec(self, word, prefix):
        """host(): an address, ADDR/N, an interface's addresses or ``self``; else the error."""
        text = word if prefix is None else f"{word}/{prefix}"
        try:
            net = ipaddress.ip_network(text, strict=False)
            if prefix is None:
                ipaddress.ip_address(word)
            af = 4 if net.version == 4 else 6
            return {"type": "net", "addr": str(net.network_address), "prefix": net.prefixlen, "af": af}
        except ValueError:
            pass
        name = word
        if prefix is None and (name in self.host.ifaces or name == "self"):
            out = []
            names = self.host.ifaces if name == "self" else [name]
            for ifn in names:
                for a in self.host.ifaces[ifn]:
                    ip = ipaddress.ip_address(a.split("%")[0])
                    out.append({"type": "net", "addr": str(ip), "prefix": ip.max_prefixlen, "af": ip.version})
            if out:
                return out
        self.errors.append(f"no IP address found for {text}")
        raise ParseError("could not parse host specification")

    def _port_number(self, word, proto):
        if word.isdigit():
            v = int(word)
            if v > 65535:
                raise ParseError(f"illegal port value {v}")
            return v
        for pr in (proto, "tcp", "udp") if proto else ("tcp", "udp"):
            if (word, pr) in self.host.by_name:
                return self.host.by_name[(word, pr)]
        raise ParseError(f"unknown port {word}")

    def _portspec(self):
        op = "="
        if self._peek() in OPS and self.t[self.i][0] == "o":
            op = self._next()
        first = self._string()
        if ":" in first and op == "=":
            a, _sep, b = first.partition(":")
            return {"op": ":", "p1": self._port_number(a, None), "p2": self._port_number(b, None)}
        p1 = self._port_number(first, None)
        if op == "=" and self._peek() in ("<>", "><"):
            rop = self._next()
            return {"op": rop, "p1": p1, "p2": self._port_number(self._string(), None)}
        return {"op": op, "p1": p1, "p2": None}

    # ---------------------------------------------------------------- expansion

    def _expand_rule(self, r, protos, srcs, dsts):
        out = []
        for proto, (sa, sp), (da, dp) in itertools.product(protos, srcs, dsts):
            rule = dict(r)
            rule["proto"] = proto
            rule["src"] = {"addr": sa, "port": sp}
            rule["dst"] = {"addr": da, "port": dp}
            afs = {a.get("af") for a in (sa, da) if a.get("af")}
            if rule["af"] is None and len(afs) == 1:
                rule["af"] = afs.pop()
            elif rule["af"] is not None and afs - {rule["af"]}:
                continue  # expand_rule(): an address of the other family is skipped
            out.append(rule)
        return out

    def _consistent(self, rule):
        """rule_consistent()/filter_consistent()/nat_consistent()."""
        ported = rule["src"]["port"] or rule["dst"]["port"]
        if ported and rule["proto"] not in ("tcp", "udp", "6", "17"):
            raise ParseError("port only applies to tcp/udp/sctp")  # UNVERIFIED (sctp: FreeBSD 14)
        if rule.get("flags") and rule["proto"] not in (None, "tcp", "6"):
            raise ParseError("flags only apply to tcp")  # UNVERIFIED


def _flat(x):
    return x if isinstance(x, list) else [x]


def _blank(ruleset, action=None, anchor=None):
    return {
        "ruleset": ruleset,
        "action": action or {"filter": "pass", "nat": "nat", "rdr": "rdr"}[ruleset],
        "anchor": anchor,
        "natpass": False,
        "block": None,
        "direction": None,
        "log": False,
        "quick": False,
        "ifname": None,
        "ifnot": False,
        "af": None,
        "proto": None,
        "flags": None,
        "keep_state": False,
        "pool": None,
        "pool_port": None,
        "pool_type": None,
        "sticky": False,
        "static_port": False,
    }


def parse(text, filename, host, macros=None):
    """A Parser after parsing ``text`` (``.errors`` empty when it parsed)."""
    p = Parser(host, filename, macros)
    p.parse(text)
    return p
