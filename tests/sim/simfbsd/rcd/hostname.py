"""rc.d/hostname: set kern.hostname from rc.conf ``hostname``.  # src: libexec/rc/rc.d/hostname"""

import socket

from .. import kernel, kstate

NAME = "hostname"
RCVAR = None
COMMANDS = ()


def start(ctx, rc, args):
    name = rc.get("hostname") or kernel.box_config()["name"]
    with kernel.Kernel() as k:
        kstate.set_hostname(k.state, name)
    try:
        socket.sethostname(name)
    except OSError:
        pass
    ctx.print(f"Setting hostname: {name}.")
    return 0


def stop(ctx, rc, args):
    return 0
