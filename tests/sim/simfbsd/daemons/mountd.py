"""mountd(8): its RPC sockets (src: usr.sbin/mountd/mountd.c)."""

from ._common import (
    _flags,
    _getopt,
    _number_fds,
    _try_bind,
    _with_h,
)


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
