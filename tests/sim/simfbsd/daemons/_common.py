"""What every daemon parser shares: bind(2) rules for jails, config file reading, getopt."""

import os
import re
import shlex

from .. import bsdgetopt, kstate, netif


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
    those of its own stack (simfbsd/netif/stack.py stack())."""
    key = "inet" if family == 4 else "inet6"
    out = []
    ifaces = netif.stack(state, jail["jid"]) if _own_vnet(jail) else kstate.host_ifaces(state)
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
