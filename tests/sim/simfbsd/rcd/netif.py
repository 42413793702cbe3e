"""rc.d/netif (+ lo0): cloned_interfaces, addresses from ifconfig_IF, _aliasN, _aliases, _ipv6
(simfbsd/netif/network.py); in a vnet jail, the jail's own stack (``# KEYWORD: nojailvnet``)."""

from .. import kernel
from .. import netif as _netif

NAME = "netif"
RCVAR = None
COMMANDS = ("cloneup", "clonedown", "clear", "vnetup", "vnetdown")


def start(ctx, rc, args):
    with kernel.Kernel() as k:
        _netif.configure_from_rc(k.state, rc, ctx.jid)
    return 0


def stop(ctx, rc, args):
    return 0


def _noop(ctx, rc, args):
    return 0


cloneup = clonedown = clear = vnetup = vnetdown = _noop
