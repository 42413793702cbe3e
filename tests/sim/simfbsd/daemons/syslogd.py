"""syslogd(8): -b/-s/-ss and the UDP socket (src: usr.sbin/syslogd/syslogd.c)."""

import re

from ._common import (
    ConfigError,
    _flags,
    _getopt,
    _number_fds,
    _resolve,
    _try_bind,
    services,
)


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
