"""Which sockets a daemon listens on, derived from its real configuration.

Interface (for the rc.d daemon scripts; the caller may hold the kernel lock,
nothing here locks or runs a command):

  sockets(ctx, state, name, rc, root="/", jail=None, flags=None) -> list[dict]
      The listening sockets daemon ``name`` opens when started with rc.conf
      variables ``rc`` (``rcconf.load(root)``) in the system whose root is
      ``root``; ``jail`` is the jail's record from ``state["jails"]`` when the
      daemon runs in a jail (None on the host).  ``flags`` overrides the
      rc.conf flags variable (default: the one rc.d uses, e.g. sshd_flags).
      Each dict: ``{proto: tcp4|tcp6|tcp46|udp4|udp6|udp46, laddr: "*" or an
      address, lport: int, fd: int}`` - ready for ``kernel.spawn(sockets=...)``.
      Raises ConfigError(msg) when the configuration does not parse or no
      socket can be bound (the daemon then exits: rc.d prints msg on stderr
      and the start fails).
  NAMES          the daemons known: sshd, inetd, sendmail, sendmail_submit,
                 sendmail_outbound, sendmail_msp_queue, named, syslogd,
                 rpcbind, mountd, nfsd, ntpd
  USER[name]     the user the daemon's listening process runs as (sockstat USER)
  COMMAND[name]  its command name (sockstat COMMAND / ps comm)
  sendmail_mode(rc) -> list of the sendmail daemons rc.d/sendmail starts
                 ("sendmail", "sendmail_submit", "sendmail_outbound",
                 "sendmail_msp_queue"), per its NONE/YES/NO logic.

Addresses inside a jail follow the kernel (src: sys/netinet/in_jail.c
prison_local_ip4(), sys/netinet6/in6_jail.c prison_local_ip6()): a jail
without IPv4 (or IPv6) addresses cannot open such sockets (EAFNOSUPPORT, the
daemon skips that family); the wildcard stays the wildcard unless the jail
has exactly one address of the family, which is then bound instead;
127.0.0.1 (::1) not in the jail becomes the jail's first address; any other
address must be one of the jail's (else EADDRNOTAVAIL).  ``ip4=inherit``
(``ip6=inherit``) jails are unrestricted.  On the host an explicit address
must be configured on an interface (``state["ifaces"]``).
"""

import os
import re
import shlex

from . import bsdgetopt, netif
from .tools import sshd as sshd_tool

NAMES = (
    "sshd", "inetd", "sendmail", "sendmail_submit", "sendmail_outbound", "sendmail_msp_queue", "named",
    "syslogd", "rpcbind", "mountd", "nfsd", "ntpd",
)  # fmt: skip
USER = {"named": "bind", "ntpd": "ntpd"}
COMMAND = {
    "sendmail_submit": "sendmail", "sendmail_outbound": "sendmail", "sendmail_msp_queue": "sendmail",
}  # fmt: skip


class ConfigError(Exception):
    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg


class BindError(Exception):
    """EADDRNOTAVAIL / EAFNOSUPPORT from bind(2); the daemon decides whether that is fatal."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


EADDRNOTAVAIL = "Can't assign requested address"
EAFNOSUPPORT = "Address family not supported by protocol family"


# ------------------------------------------------------------------ addresses


def _addr_of(entry):
    if isinstance(entry, dict):
        a = entry.get("addr") or entry.get("address") or entry.get("inet") or entry.get("inet6") or ""
    else:
        a = str(entry).split()[0] if str(entry).split() else ""
    return a.split("/")[0]


def _own_vnet(jail):
    """A jail created with ``vnet``: its sockets live in its own stack, with no address restriction
    (kern_jail.c kern_jail_set(): ``vnet jails cannot have IP address restrictions``)."""
    return jail is not None and jail.get("vnet") == "new"


def host_addrs(state, family, jail=None):
    """Every address of every interface (jail aliases included), family 4 or 6; for a vnet jail,
    those of its own stack (simfbsd/netif.py stack())."""
    key = "inet" if family == 4 else "inet6"
    out = []
    ifaces = netif.stack(state, jail["jid"]) if _own_vnet(jail) else (state.get("ifaces") or {})
    for ifname, iface in sorted(ifaces.items(), key=lambda kv: (kv[0] == "lo0", kv[0])):
        for entry in iface.get(key) or []:
            a = _addr_of(entry)
            if a and a not in out:
                if family == 6 and a.lower().startswith("fe80:") and "%" not in a:
                    a = f"{a}%{ifname}"
                out.append(a)
    return out


def _listify(value):
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [_addr_of(v) for v in value if _addr_of(v)]


def jail_addrs(jail, family):
    """None = unrestricted (host, or ip4/ip6=inherit); else the jail's list (maybe empty)."""
    if jail is None or _own_vnet(jail):
        return None
    key = "ip4" if family == 4 else "ip6"
    if str(jail.get(key, "")).lower() == "inherit":
        return None
    return _listify(jail.get(f"{key}.addr"))


def bind_addr(state, family, addr, jail):
    """The address a bind(2) to ``addr`` ("*" = wildcard) really gets, or BindError."""
    allowed = jail_addrs(jail, family)
    loop = "127.0.0.1" if family == 4 else "::1"
    if allowed is None:
        if addr == "*" or (jail is not None and not _own_vnet(jail)):
            return addr
        have = host_addrs(state, family, jail)
        bare = [h.split("%")[0] for h in have]
        if have and addr != loop and addr not in have and addr.split("%")[0] not in bare:
            raise BindError(EADDRNOTAVAIL)
        return addr
    if not allowed:
        raise BindError(EAFNOSUPPORT)
    if addr == "*":
        return allowed[0] if len(allowed) == 1 else "*"
    if addr in allowed:
        return addr
    if addr == loop:
        return allowed[0]
    raise BindError(EADDRNOTAVAIL)


def visible_addrs(state, family, jail):
    allowed = jail_addrs(jail, family)
    return host_addrs(state, family, jail) if allowed is None else list(allowed)


def _resolve(name, root, family=None):
    """A host name or address -> list of (family, address); /etc/hosts of the system, then localhost."""
    if re.fullmatch(r"[0-9.]+", name):
        return [(4, name)]
    if ":" in name:
        return [(6, name)]
    out = []
    try:
        with open(os.path.join(root, "etc/hosts"), encoding="utf-8", errors="replace") as f:
            for line in f:
                words = line.split("#")[0].split()
                if len(words) >= 2 and name in words[1:]:
                    out.append((6 if ":" in words[0] else 4, words[0]))
    except OSError:
        pass
    if not out and name == "localhost":
        out = [(6, "::1"), (4, "127.0.0.1")]
    return [(f, a) for f, a in out if family in (None, f)]


def _read(root, path):
    try:
        with open(os.path.join(root, path.lstrip("/")), encoding="utf-8", errors="replace") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def services(root):
    """/etc/services of the system: {(name_or_alias, proto): port}."""
    out = {}
    for line in (_read(root, "/etc/services") or "").splitlines():
        words = line.split("#")[0].split()
        if len(words) < 2 or "/" not in words[1]:
            continue
        port, proto = words[1].split("/", 1)
        if port.isdigit():
            for n in [words[0], *words[2:]]:
                out.setdefault((n, proto), int(port))
    return out


def _sock(proto, laddr, lport, fd=None):
    s = {"proto": proto, "laddr": laddr, "lport": int(lport)}
    if fd is not None:
        s["fd"] = fd
    return s


def _number_fds(socks, first):
    for i, s in enumerate(socks):
        s.setdefault("fd", first + i)
    return socks


def _try_bind(state, jail, family, addr, proto, port, out, errors=None):
    try:
        out.append(_sock(f"{proto}{family}", bind_addr(state, family, addr, jail), port))
        return True
    except BindError as exc:
        if errors is not None:
            errors.append((addr, port, exc.text))
        return False


def _flags(rc, var, flags):
    return shlex.split(rc.get(var, "") if flags is None else flags)


def _getopt(argv, spec):
    """getopt(3)-like: returns ([(opt, arg)], rest); unknown options are kept with arg None."""
    return bsdgetopt.getopt(argv, spec, keep_unknown=True)


# ------------------------------------------------------------------ sshd

SSHD_KEYWORDS = sshd_tool.KEYWORDS  # the one list: tools/sshd.py (servconf.c keywords[])


def _sshd_words(line):
    line = line.strip()
    m = re.match(r"(\S+?)\s*=\s*(.*)$", line) if "=" in line.split()[0] else None
    if m:
        return m.group(1), shlex.split(m.group(2), comments=False) if m.group(2) else []
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        words = line.split()
    return words[0], words[1:]


def _parse_listen(value, path, n):
    """ListenAddress forms (sshd_config.5): host|addr, host:port, IPv4:port, [host|addr]:port."""
    m = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", value)
    if m:
        return m.group(1), m.group(2)
    if value.count(":") == 1:
        host, port = value.split(":")
        if not port.isdigit():
            raise ConfigError(f"{path} line {n}: bad address:port usage")
        return host, port
    return value, None


def _sshd(ctx, state, rc, root, jail, flags):
    argv = _flags(rc, "sshd_flags", flags)
    opts, _rest = _getopt(argv, "46C:Ddeb:c:E:f:g:h:iek:o:p:qrTtu:")
    cfg_path = "/etc/ssh/sshd_config"
    cmd_lines, cmd_ports, family = [], [], "any"
    for o, a in opts:
        if o == "f" and a:
            cfg_path = a
        elif o == "o" and a:
            cmd_lines.append(a)
        elif o == "p" and a:
            if not a.isdigit() or not 0 < int(a) < 65536:
                raise ConfigError(f"Bad port number: {a}")
            cmd_ports.append(int(a))
        elif o == "4":
            family = "inet"
        elif o == "6":
            family = "inet6"
    text = _read(root, cfg_path)
    if text is None:
        raise ConfigError(f"{cfg_path}: No such file or directory")
    ports, listens, fam_cfg = [], [], None
    bad = 0
    errors = []
    in_match = False
    lines = [("command-line", i + 1, ln) for i, ln in enumerate(cmd_lines)]
    lines += [(cfg_path, i + 1, ln) for i, ln in enumerate(text.splitlines())]
    for src, n, raw in lines:
        if not raw.strip() or raw.strip().startswith("#"):
            continue
        kw, args = _sshd_words(raw)
        key = kw.lower()
        if key not in SSHD_KEYWORDS:
            errors.append(f"{src}: line {n}: Bad configuration option: {kw}")
            bad += 1
            continue
        if key == "match":
            in_match = True
            continue
        if in_match:
            continue
        if key == "port":
            if not args:
                raise ConfigError(f"{src} line {n}: missing port number.")
            if not args[0].isdigit() or not 0 < int(args[0]) < 65536:
                raise ConfigError(f"{src} line {n}: Badly formatted port number.")
            ports.append(int(args[0]))
        elif key == "listenaddress":
            if not args:
                raise ConfigError(f"{src} line {n}: missing address")
            host, port = _parse_listen(args[0], src, n)
            listens.append((host, int(port) if port else None))
        elif key == "addressfamily":
            if not args or args[0] not in ("any", "inet", "inet6"):
                raise ConfigError(f'{src} line {n}: unsupported address family "{args[0] if args else ""}".')
            if fam_cfg is None:
                fam_cfg = args[0]
    if bad:
        raise ConfigError("\n".join(errors) + f"\n{cfg_path}: terminating, {bad} bad configuration options")
    if family == "any" and fam_cfg:
        family = fam_cfg
    ports = cmd_ports or ports or [22]
    fams = {"any": (6, 4), "inet": (4,), "inet6": (6,)}[family]
    out, fails = [], []
    if not listens:
        for port in ports:
            for f in fams:
                _try_bind(state, jail, f, "*", "tcp", port, out, fails)
    else:
        for host, port in listens:
            for f, addr in _resolve(host, root):
                if f not in fams:
                    continue
                for p in [port] if port else ports:
                    _try_bind(state, jail, f, addr, "tcp", p, out, fails)
    if not out:
        msgs = [f"Bind to port {p} on {a} failed: {t}." for a, p, t in fails if t == EADDRNOTAVAIL]
        raise ConfigError("\n".join([*msgs, "Cannot bind any address."]))
    return _number_fds(out, 4)


# ------------------------------------------------------------------ inetd


def _inetd(ctx, state, rc, root, jail, flags):
    argv = _flags(rc, "inetd_flags", flags)
    # inetd.8: -d -l -w -W -c max -C rate -a address -p file -R rate -s max [configuration file]
    opts, rest = _getopt(argv, "dlwWc:C:a:p:R:s:")
    bind = None
    for o, a in opts:
        if o == "a":
            bind = a
    conf = rest[0] if rest else "/etc/inetd.conf"
    text = _read(root, conf)
    if text is None:
        raise ConfigError(f"{conf}: No such file or directory")
    svc = services(root)
    bind_v4 = bind_v6 = "*"
    if bind:
        addrs = _resolve(bind, root)
        if not addrs:
            raise ConfigError(f"{bind}: hostname nor servname provided, or not known")
        bind_v4 = next((a for f, a in addrs if f == 4), None)
        bind_v6 = next((a for f, a in addrs if f == 6), None)
    out = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if len(words) < 6:
            continue  # inetd logs "inetd: ... : missing fields" and skips the entry
        name, _stype, proto = words[0], words[1], words[2]
        if proto.startswith("rpc/") or proto == "unix" or name.startswith("/"):
            continue
        base = proto.rstrip("46")
        if base not in ("tcp", "udp"):
            continue
        port = int(name) if name.isdigit() else svc.get((name, base))
        if port is None:
            continue  # "inetd: NAME/PROTO: unknown service" (syslog), entry skipped
        fam = proto[len(base) :] or "4"
        if fam == "46":
            # One AF_INET6 socket that also takes IPv4 (inetd.8 tcp46); with -a an IPv4 address it is IPv4 only.
            if bind and bind_v6 is None:
                _try_bind(state, jail, 4, bind_v4, base, port, out)
            else:
                try:
                    addr = bind_addr(state, 6, bind_v6 if bind else "*", jail)
                    out.append(_sock(f"{base}46" if addr == "*" else f"{base}6", addr, port))
                except BindError:
                    pass
        elif fam == "4":
            if bind_v4 is not None:
                _try_bind(state, jail, 4, bind_v4, base, port, out)
        elif fam == "6" and bind_v6 is not None:
            _try_bind(state, jail, 6, bind_v6, base, port, out)
    return _number_fds(out, 5)


# ------------------------------------------------------------------ sendmail


def sendmail_mode(rc):
    """The daemons rc.d/sendmail starts.  src: libexec/rc/rc.d/sendmail (NONE/YES/NO logic)."""
    from .rcconf import yes

    enable = (rc.get("sendmail_enable") or "NO").upper()
    if enable == "NONE":
        return []
    out = []
    if yes(enable):
        out.append("sendmail")
    elif yes(rc.get("sendmail_submit_enable")):
        out.append("sendmail_submit")
    elif yes(rc.get("sendmail_outbound_enable")):
        out.append("sendmail_outbound")
    if yes(rc.get("sendmail_msp_queue_enable")):
        out.append("sendmail_msp_queue")
    return out


def parse_daemon_port_options(value):
    """``Name=MTA, Family=inet, Addr=..., Port=..., M=E`` -> dict (sendmail cf/README DAEMON_OPTIONS)."""
    out = {}
    for part in value.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            k = k.strip()
            k = {"M": "Modifiers", "A": "Addr", "P": "Port", "F": "Family", "N": "Name"}.get(k, k)
            out[k] = v.strip()
    return out


def cf_daemons(root):
    """``O DaemonPortOptions=`` lines of /etc/mail/sendmail.cf; None if there is no sendmail.cf."""
    text = _read(root, "/etc/mail/sendmail.cf")
    if text is None:
        return None
    return [
        parse_daemon_port_options(line.split("=", 1)[1])
        for line in text.splitlines()
        if line.startswith("O DaemonPortOptions=")
    ]


def _sendmail_socks(state, jail, root, daemons, svc):
    out = []
    for d in daemons:
        fam = 6 if d.get("Family", "inet") == "inet6" else 4
        if d.get("Family") not in (None, "inet", "inet6"):
            continue
        port = d.get("Port") or "smtp"
        port = int(port) if port.isdigit() else svc.get((port, "tcp"), 25 if port == "smtp" else 587)
        addr = d.get("Addr") or "*"
        if addr == "localhost":
            addr = "::1" if fam == 6 else "127.0.0.1"
        elif addr in ("0.0.0.0", "::", "INADDR_ANY"):
            addr = "*"
        if not _try_bind(state, jail, fam, addr, "tcp", port, out) and "O" not in d.get("Modifiers", ""):
            raise ConfigError(f"NOQUEUE: SYSERR(root): opendaemonsocket: daemon {d.get('Name', 'MTA')}: "
                              f"cannot bind: {EADDRNOTAVAIL}")  # fmt: skip
    return out


def _sendmail(ctx, state, rc, root, jail, flags, which="sendmail"):
    var = {"sendmail": "sendmail_flags", "sendmail_submit": "sendmail_submit_flags"}.get(which, f"{which}_flags")
    argv = _flags(rc, var, flags)
    if "-bd" not in argv:
        return []  # queue runners (-q only) open no socket
    cf = cf_daemons(root)
    if cf is None:
        raise ConfigError("/etc/mail/sendmail.cf: line 0: cannot open: No such file or directory")
    override = [a for a in argv if a.startswith("-ODaemonPortOptions=")]
    i = 0
    while i < len(argv):
        if argv[i] == "-O" and i + 1 < len(argv) and argv[i + 1].startswith("DaemonPortOptions="):
            override.append("-O" + argv[i + 1])
        i += 1
    if override:
        # A command-line DaemonPortOptions replaces the .cf's daemon list
        # (UNVERIFIED, tests/fixtures/freebsd/BEHAVIOUR.md sendmail).
        daemons = [parse_daemon_port_options(o.split("=", 1)[1]) for o in override]
    else:
        daemons = cf or [{"Name": "MTA"}]
    return _number_fds(_sendmail_socks(state, jail, root, daemons, services(root)), 4)


# ------------------------------------------------------------------ named


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


def _syslogd(ctx, state, rc, root, jail, flags):
    argv = _flags(rc, "syslogd_flags", flags)
    # syslogd.8: -468ACcdFHkNnosTuv -a allowed_peer -b bind_address -f config_file -l path
    #            -m mark_interval -O format -P pid_file -p log_socket -S logpriv_socket
    opts, _operands = _getopt(argv, "468Aa:b:cCdf:FHkl:M:m:nNoO:p:P:sS:Tuv")
    secure = 0
    binds = []
    fams = (6, 4)
    nobind = False
    for o, a in opts:
        if o == "s":
            secure += 1
        elif o == "b" and a is not None:
            binds.append(a)
        elif o == "4":
            fams = (4,)
        elif o == "6":
            fams = (6,)
        elif o == "N":
            nobind = True
    if secure >= 2 or nobind:
        return []  # syslogd.8: -ss "no network socket will be opened at all"; -N: do not bind
    svc = services(root)
    out = []
    if not binds:
        for f in fams:
            _try_bind(state, jail, f, "*", "udp", 514, out)
        return _number_fds(out, 6)
    for b in binds:
        m = re.fullmatch(r"\[([^\]]*)\](?::(.*))?", b)
        if m:
            host, serv = m.group(1), m.group(2)
        elif b.count(":") == 1:
            host, serv = b.split(":")
        elif b.count(":") > 1:
            host, serv = b, None
        else:
            host, serv = b, None
        serv = serv or "syslog"
        port = int(serv) if serv.isdigit() else svc.get((serv, "udp"))
        if port is None:
            raise ConfigError("syslogd: getaddrinfo: servname not supported for ai_socktype")
        if not host:
            for f in fams:
                _try_bind(state, jail, f, "*", "udp", port, out)
            continue
        for f, addr in _resolve(host, root):
            if f in fams:
                _try_bind(state, jail, f, addr, "udp", port, out)
    if not out:
        raise ConfigError("syslogd: bind: Can't assign requested address")
    return _number_fds(out, 6)


# ------------------------------------------------------------------ RPC / NFS


def _with_h(state, jail, root, hosts, protos, port, out, fams=(4, 6)):
    """Daemons with ``-h bindip``: each address, plus 127.0.0.1 and ::1 (rpcbind.8, mountd.8)."""
    addrs = []
    for h in hosts:
        addrs += _resolve(h, root)
    addrs += [(4, "127.0.0.1"), (6, "::1")]
    seen = []
    for f, a in addrs:
        if f not in fams or (f, a) in seen:
            continue
        seen.append((f, a))
        for p in protos:
            _try_bind(state, jail, f, a, p, port, out)


def _rpcbind(ctx, state, rc, root, jail, flags):
    opts, _operands = _getopt(_flags(rc, "rpcbind_flags", flags), "6adh:iIlLs")
    hosts = [a for o, a in opts if o == "h" and a]
    fams = (6,) if any(o == "6" for o, _arg in opts) else (4, 6)
    out = []
    if hosts:
        _with_h(state, jail, root, hosts, ("udp", "tcp"), 111, out, fams)
    else:
        for f in fams:
            for p in ("udp", "tcp"):
                _try_bind(state, jail, f, "*", p, 111, out)
    return _number_fds(out, 6)


def _mountd(ctx, state, rc, root, jail, flags):
    opts, _operands = _getopt(_flags(rc, "mountd_flags", flags), "2deh:lnp:rS")
    hosts = [a for o, a in opts if o == "h" and a]
    port = next((int(a) for o, a in opts if o == "p" and a and a.isdigit()), 850)  # dynamic otherwise
    out = []
    if hosts:
        _with_h(state, jail, root, hosts, ("udp", "tcp"), port, out)
    else:
        for f in (4, 6):
            for p in ("udp", "tcp"):
                _try_bind(state, jail, f, "*", p, port, out)
    return _number_fds(out, 5)


def _nfsd(ctx, state, rc, root, jail, flags):
    opts, _operands = _getopt(_flags(rc, "nfs_server_flags", flags), "ardtuh:m:n:p:eN")
    hosts = [a for o, a in opts if o == "h" and a]
    protos = [p for p, flag in (("udp", "u"), ("tcp", "t")) if any(o == flag for o, _arg in opts)] or ["udp", "tcp"]
    out = []
    addrs = [x for h in hosts for x in _resolve(h, root)] if hosts else [(4, "*"), (6, "*")]
    for f, a in addrs:
        for p in protos:
            _try_bind(state, jail, f, a, p, 2049, out)
    return _number_fds(out, 3)


def _ntpd(ctx, state, rc, root, jail, flags):
    argv = _flags(rc, "ntpd_flags", flags)
    opts, _operands = _getopt(argv, "46aAbc:dD:f:gGi:I:k:l:LmnNp:P:qr:s:t:u:U:vVxz:")
    only = [a for o, a in opts if o == "I" and a]
    skip_virtual = any(o == "L" for o, _arg in opts)
    out = []
    # ntpd.8: wildcard sockets always; -I opens only the given address/interface (plus wildcard and localhost).
    for f in (4, 6):
        _try_bind(state, jail, f, "*", "udp", 123, out)
    chosen = []
    ifaces = state.get("ifaces") or {}
    for f in (4, 6):
        for a in visible_addrs(state, f, jail):
            if only:
                owner = [
                    n
                    for n, i in ifaces.items()
                    if a in [_addr_of(e) for e in i.get("inet" if f == 4 else "inet6") or []]
                ]
                local = a in ("127.0.0.1", "::1") or a.startswith("fe80::1%lo0")
                if not local and a not in only and not any(n in only for n in owner):
                    continue
            if skip_virtual and ":" in a.split("%")[-1] and f == 4:
                continue
            chosen.append((f, a))
    for f, a in chosen:
        _try_bind(state, jail, f, a, "udp", 123, out)
    return _number_fds(out, 20)


_DISPATCH = {
    "sshd": _sshd,
    "inetd": _inetd,
    "named": _named,
    "syslogd": _syslogd,
    "rpcbind": _rpcbind,
    "mountd": _mountd,
    "nfsd": _nfsd,
    "ntpd": _ntpd,
}


def sockets(ctx, state, name, rc, root="/", jail=None, flags=None):
    if name.startswith("sendmail"):
        return _sendmail(ctx, state, rc, root, jail, flags, name)
    fn = _DISPATCH.get(name)
    if fn is None:
        raise KeyError(f"daemons: unknown daemon {name!r}")
    return fn(ctx, state, rc, root, jail, flags)
