"""sshd(8): ListenAddress/Port from sshd_config (src: usr.bin/ssh/servconf.c)."""

import re
import shlex

from ..tools import sshd as sshd_tool
from ._common import (
    EADDRNOTAVAIL,
    ConfigError,
    _flags,
    _getopt,
    _number_fds,
    _read,
    _resolve,
    _try_bind,
)

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
