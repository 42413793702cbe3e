"""ntpd(8): UDP 123 on the wildcard and each usable address (ntpd.8 -I, -L)."""

from .. import kstate
from ._common import (
    _addr_of,
    _flags,
    _getopt,
    _number_fds,
    _try_bind,
    visible_addrs,
)


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
    ifaces = kstate.host_ifaces(state)
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
