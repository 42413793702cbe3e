"""Addresses of an interface (sys/netinet/in.c, sys/netinet6/in6.c; sbin/ifconfig/af_inet.c, af_inet6.c).

``state["ifaces"][IF]["inet"]``  = [{"addr": "192.0.2.10", "prefix": 24}, ...]   (first = primary)
``state["ifaces"][IF]["inet6"]`` = [{"addr": "fe80::1", "prefix": 64, "scope": "lo0"}, ...]
"""

import ipaddress

from ..ifstore import AddrList
from .errors import NetifError
from .stack import iface


def _norm(addr, family):
    try:
        return str(ipaddress.ip_address(addr.split("%")[0]))
    except ValueError:
        raise NetifError(f"{addr}: bad value") from None


def _addrs(ifc, family):
    """The interface's ``family`` list as an AddrList (ifstore.py: looked up by address, not decoded)."""
    lst = ifc.get(family)
    if not isinstance(lst, AddrList):
        lst = ifc[family] = AddrList(lst or [])
    return lst


def _where(state, a, family, skip=None):
    """(ifname, its AddrList, place) of the normalised address ``a``, or (None, None, -1)."""
    for name, ifc in state["ifaces"].items():
        if name == skip:
            continue
        lst = _addrs(ifc, family)
        i = lst.find(a)
        if i >= 0:
            return name, lst, i
    return None, None, -1


def find(state, addr, family):
    """(ifname, entry) holding ``addr``, or (None, None); the entry is a copy."""
    name, lst, i = _where(state, _norm(addr, family), family)
    return (name, lst.entry(i)) if name is not None else (None, None)


def add_alias(state, ifname, addr, prefix, family="inet"):
    """ifconfig IF inet ADDR/prefix alias (SIOCAIFADDR / SIOCAIFADDR_IN6)."""
    ifc = iface(state, ifname)
    a = _norm(addr, family)
    prefix = int(prefix if prefix is not None else (32 if family == "inet" else 64))
    lst = _addrs(ifc, family)
    i = lst.find(a)
    if i >= 0:
        e = lst.entry(i)
        if e["prefix"] != prefix:
            e["prefix"] = prefix
            lst.replace(i, e)
        return e
    if _where(state, a, family, skip=ifname)[0] is not None:  # the other interfaces' lists
        raise NetifError(f"ioctl ({'SIOCAIFADDR' if family == 'inet' else 'SIOCAIFADDR_IN6'}): File exists")
    e = {"addr": a, "prefix": prefix}
    if family == "inet6" and ipaddress.ip_address(a).is_link_local:
        e["scope"] = ifname
    lst.add(e)
    return e


def remove_alias(state, ifname, addr, family="inet"):
    """ifconfig IF inet ADDR -alias (SIOCDIFADDR)."""
    ifc = iface(state, ifname)
    a = _norm(addr, family)
    lst = _addrs(ifc, family)
    i = lst.find(a)
    if i < 0:
        raise NetifError(
            f"ioctl ({'SIOCDIFADDR' if family == 'inet' else 'SIOCDIFADDR_IN6'}): Can't assign requested address"
        )
    lst.drop(i)


def set_primary(state, ifname, addr, prefix, family="inet"):
    """ifconfig IF inet ADDR/prefix (no alias): replaces the first address of the family."""
    ifc = iface(state, ifname)
    lst = ifc.setdefault(family, [])
    a = _norm(addr, family)
    lst[:] = [e for e in lst if e["addr"] != a]
    if lst and family == "inet":
        lst.pop(0)
    lst.insert(0, {"addr": a, "prefix": int(prefix)})


def mask_to_prefix(mask):
    if mask.lower().startswith("0x"):
        n = int(mask, 16)
        return bin(n).count("1")
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def link_local(ether):
    """The EUI-64 fe80:: address of a MAC (AUTO_LINKLOCAL)."""
    b = [int(x, 16) for x in ether.split(":")]
    b[0] ^= 2
    eui = [*b[:3], 0xFF, 0xFE, *b[3:]]
    groups = [f"{(eui[i] << 8) | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(groups)))
