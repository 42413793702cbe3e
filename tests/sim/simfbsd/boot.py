"""The boot sequence: what FreeBSD's /etc/rc does, for the parts the simulator models.

Runs inside the box (``simhost create`` and ``simhost reboot`` call it) on a
fresh kernel state.  The rc.d order is rcorder(8)'s for the scripts modelled
(rc.py); scripts whose rcvar is not enabled in rc.conf are skipped.
"""

import socket

from . import kernel, rcconf, tool


def set_hostname(k, rc):
    name = rc.get("hostname") or k.box["name"]
    k.state["hostname"] = name
    try:
        socket.sethostname(name)
    except OSError:
        pass


def main():
    rc = rcconf.load("/")
    with kernel.Kernel() as k:
        set_hostname(k, rc)
    try:
        from . import rc as rcd
    except ImportError:  # before the rc.d layer exists only the hostname is set
        return 0
    return rcd.boot(tool.Ctx("rc"), rc)
