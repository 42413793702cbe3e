"""Network interfaces and routes in the kernel state (``ifaces``, ``vnets``, ``routes``).

``state["ifaces"][IF]["inet"]``  = [{"addr": "192.0.2.10", "prefix": 24}, ...]   (first = primary)
``state["ifaces"][IF]["inet6"]`` = [{"addr": "fe80::1", "prefix": 64, "scope": "lo0"}, ...]
``state["routes"]`` = {"inet": {"gateway": ADDR, "interface": IF}, "inet6": {...}}  (default routes)

Split as the kernel and ifconfig(8) split the code it models:

  errors.py   NetifError and the strerror(3) texts
  stack.py    the host's stack and each vnet jail's (sys/net/if.c, vnet.c): stack(), vnet_owner(), set_up()
  addr.py     addresses (sys/netinet/in.c, in6.c; sbin/ifconfig/af_inet.c, af_inet6.c)
  clone.py    cloned interfaces and bridges (sys/net/if_clone.c, if_epair.c, if_loop.c, if_bridge.c)
  vnet.py     moving interfaces between vnets (sys/net/if.c if_vmove*(), vnet.c vnet_destroy())
  network.py  rc.conf's settings applied (libexec/rc/network.subr, rc.d/netif, rc.d/routing)

Other parts (the jails helper) call, with the state already locked:
  add_alias(state, ifname, addr, prefix, family)     family "inet" or "inet6"
  remove_alias(state, ifname, addr, family)
both raise NetifError(message) with ifconfig(8)'s text (without the ``ifconfig: `` prefix).
"""

from .addr import add_alias, find, link_local, mask_to_prefix, remove_alias, set_primary
from .clone import CLONERS, bridge_add, bridge_delete, clone_create, clone_destroy
from .errors import EBUSY_TEXT, EEXIST_TEXT, EINVAL_TEXT, ENOENT_TEXT, ENXIO_TEXT, EPERM_TEXT, NetifError
from .network import RC_WORDS, WORDS, apply_words, clone_up, configure_from_rc, parse_spec
from .stack import iface, iface_in, ordered, routes, set_up, stack, vnet_owner
from .vnet import vnet_move, vnet_reclaim, vnet_return_all

__all__ = [
    "CLONERS", "EBUSY_TEXT", "EEXIST_TEXT", "EINVAL_TEXT", "ENOENT_TEXT", "ENXIO_TEXT", "EPERM_TEXT", "RC_WORDS",
    "WORDS", "NetifError", "add_alias", "apply_words", "bridge_add", "bridge_delete", "clone_create",
    "clone_destroy", "clone_up", "configure_from_rc", "find", "iface", "iface_in", "link_local", "mask_to_prefix",
    "ordered", "parse_spec", "remove_alias", "routes", "set_primary", "set_up", "stack", "vnet_move", "vnet_owner",
    "vnet_reclaim", "vnet_return_all",
]  # fmt: skip
