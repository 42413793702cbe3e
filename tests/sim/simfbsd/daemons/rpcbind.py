"""rpcbind(8): port 111 (src: usr.sbin/rpcbind/rpcbind.c)."""

from ._common import (
    _flags,
    _getopt,
    _number_fds,
    _try_bind,
    _with_h,
)


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
