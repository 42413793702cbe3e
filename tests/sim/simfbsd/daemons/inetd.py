"""inetd(8): sockets from inetd.conf (src: usr.sbin/inetd/inetd.c)."""

from ._common import (
    BindError,
    ConfigError,
    _flags,
    _getopt,
    _number_fds,
    _read,
    _resolve,
    _sock,
    _try_bind,
    bind_addr,
    services,
)


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
