"""nfsd(8): port 2049 (src: usr.sbin/nfsd/nfsd.c)."""

from ._common import (
    _flags,
    _getopt,
    _number_fds,
    _resolve,
    _try_bind,
)


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
