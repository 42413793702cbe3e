# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""A VNET jail's epairs joined to bridges, as jail.conf statements (pure).

``vnet_statements(prefix, o)`` checks the options ``vnet_bridges`` and
``vnet_defaultrouter`` of one jail and returns what they add to its block,
the way the FreeBSD Handbook's VNET jail.conf does it (jails chapter):

* ``exec.prestart`` (on the host, before the jail exists):
  ``/sbin/ifconfig epairN create up``, ``/sbin/ifconfig epairNb ether MAC``,
  ``/sbin/ifconfig BRIDGE addm epairNa up``;
* ``vnet.interface``: ``epairNb`` (jail(8) moves it in after exec.created);
* ``exec.start`` (inside the jail, before the user's commands so that its
  /etc/rc starts the services with the address in place):
  ``/sbin/ifconfig epairNb inet A/N up`` (``alias`` for the others) and
  ``/sbin/route add default GW``;
* ``exec.poststop`` (on the host, after the jail is gone and the kernel gave
  epairNb back): ``/sbin/ifconfig BRIDGE deletem epairNa``,
  ``/sbin/ifconfig epairNa destroy`` (both ends go).

The epair has a fixed unit per bridge entry (``epair``), so its names are
known to jail.conf and stable across restarts; a MAC is derived from the
jail's name (``mac: auto``) so the jail's side keeps its address at every
start.  Nothing here touches the host.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

# sys/net/if_clone.c: a unit is at most IF_MAXUNIT (0x7fff)
EPAIR_MAX_UNIT = 0x7FFF
_MAC = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")
IFCONFIG = "/sbin/ifconfig"
ROUTE = "/sbin/route"


def _fail(field, msg):
    raise JailsError(f"{field}: {msg}")


def _dicts(field, items, keys):
    """(field of the item, item) for each item of the list ``items``, each a dict (of ``keys``)."""
    if not isinstance(items, (list, tuple)):
        _fail(field, f"{items!r} is not a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            _fail(f"{field}[{i}]", f"{item!r} is not a dict with {keys}")
        yield i, f"{field}[{i}]", item


def derived_mac(name, index):
    """The jail side's MAC for bridge entry ``index`` of jail ``name``: stable, unicast and locally
    administered.  Laid out as share/examples/jails/jib lays out the jail side's address (second
    nibble 6: locally administered, unicast), the other bits from a SHA-256 of the jail's name and
    the entry's index (jib uses sum(1) of the name and the parent interface's low bytes)."""
    h = hashlib.sha256(f"{name}#{index}".encode()).digest()
    octets = [(h[0] & 0xF0) | 0x06, *h[1:6]]
    return ":".join(f"{b:02x}" for b in octets)


def _check_mac(field, mac, name, index):
    if mac in (None, "auto"):
        return derived_mac(name, index)
    if mac == "none":
        return None
    if not isinstance(mac, str) or not _MAC.fullmatch(mac):
        _fail(field, f"{mac!r} is not auto, none or a MAC address (six hex bytes separated by ':')")
    if int(mac[:2], 16) & 1:
        _fail(field, f"{mac!r} is a multicast address: a jail's interface needs a unicast one")
    return mac.lower()


def _check_address(field, item):
    if not isinstance(item, str) or "/" not in item:
        _fail(field, f"{item!r} is not an IPv4 address with its prefix length (192.0.2.50/24)")
    try:
        iface = ipaddress.IPv4Interface(item)
    except ValueError:
        _fail(field, f"{item!r} is not an IPv4 address with its prefix length (192.0.2.50/24)")
    net = iface.network
    if net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        which = "network" if iface.ip == net.network_address else "broadcast"
        _fail(field, f"{item!r} is the network's {which} address")
    return iface


def vnet_statements(prefix, o, check_iface):
    """{jail.conf key: (commands before the user's, commands after the user's)} for one jail's
    ``vnet_bridges`` and ``vnet_defaultrouter``; ``{}`` when it has neither.

    ``check_iface(field, name)`` is the module's interface-name rule (_jail_params.check_iface).
    Fields in messages start with ``prefix`` (``""`` or ``"jails[3]."``).
    """
    bridges = o.get("vnet_bridges") or []
    gw = o.get("vnet_defaultrouter")
    if not bridges and gw is None:
        return {}
    field = f"{prefix}vnet_bridges" if bridges else f"{prefix}vnet_defaultrouter"
    if not o.get("vnet"):
        _fail(field, "needs vnet: true (the epair's end is moved into the jail's own network stack)")
    name = o.get("name")
    pre, start, post, moved = [], [], [], []
    networks = []
    seen = {}
    for i, f, entry in _dicts(f"{prefix}vnet_bridges", bridges, "bridge, epair, addresses and mac"):
        bridge = entry.get("bridge")
        if bridge is None:
            _fail(f"{f}.bridge", "required: the host's bridge the epair joins (bridge0)")
        check_iface(f"{f}.bridge", bridge)
        unit = entry.get("epair")
        if unit is None:
            _fail(f"{f}.epair", "required: the epair(4) unit of this jail (epairNa on the bridge, epairNb inside)")
        if isinstance(unit, bool) or not isinstance(unit, int) or not 0 <= unit <= EPAIR_MAX_UNIT:
            _fail(f"{f}.epair", f"{unit!r} is not an epair unit (0-{EPAIR_MAX_UNIT})")
        if unit in seen:
            _fail(f"{f}.epair", f"epair{unit} is already used by {seen[unit]}")
        seen[unit] = f
        a, b = f"epair{unit}a", f"epair{unit}b"
        mac = _check_mac(f"{f}.mac", entry.get("mac"), name, i)
        addrs = [_check_address(f"{f}.addresses[{j}]", x) for j, x in enumerate(entry.get("addresses") or [])]
        pre.append(f"{IFCONFIG} epair{unit} create up")
        if mac:
            pre.append(f"{IFCONFIG} {b} ether {mac}")
        pre.append(f"{IFCONFIG} {bridge} addm {a} up")
        moved.append(b)
        for j, itf in enumerate(addrs):
            start.append(f"{IFCONFIG} {b} inet {itf.with_prefixlen}" + (" up" if j == 0 else " alias"))
            networks.append(itf.network)
        post.append(f"{IFCONFIG} {bridge} deletem {a}")
        post.append(f"{IFCONFIG} {a} destroy")
    if gw is not None:
        f = f"{prefix}vnet_defaultrouter"
        try:
            g = ipaddress.IPv4Address(gw)
        except ValueError:
            _fail(f, f"{gw!r} is not an IPv4 address")
        if not any(g in n for n in networks):
            _fail(f, f"{gw} is on none of the networks of vnet_bridges[].addresses: the jail could not reach it")
        start.append(f"{ROUTE} add default {g}")
    return {
        "vnet.interface": ([], moved),
        "exec.prestart": (pre, []),
        "exec.start": (start, []),
        "exec.poststop": ([], post),
    }


def epair_units(block):
    """The epair units a jail.conf block moves into its jail (``epairNb`` in vnet.interface)."""
    v = block.get("vnet.interface") or []
    if isinstance(v, str):
        v = [x.strip() for x in v.split(",")]
    out = set()
    for itf in v:
        m = re.fullmatch(r"epair([0-9]+)b", str(itf))
        if m:
            out.add(int(m.group(1)))
    return out


# The host side (the jails role's jails_host_interfaces): cloned bridges and loopbacks only, never lo0
# (sys/net/if_loop.c: lo0 is every stack's own and cannot be destroyed) nor a physical interface.
HOST_CLONE = re.compile(r"(bridge|lo)(0|[1-9][0-9]{0,4})")


def check_host_interfaces(field, items, check_iface):
    """``jails_host_interfaces``: [{name: bridgeN|loN, members: [IF...], addresses: [A/N...]}]."""
    seen = {}
    for _i, f, item in _dicts(field, items, "name, members and addresses"):
        name = item.get("name")
        m = HOST_CLONE.fullmatch(name) if isinstance(name, str) else None
        if not m or name == "lo0":
            _fail(f"{f}.name", f"{name!r} is not a cloned bridge or loopback (bridgeN, or loN other than lo0)")
        if name in seen:
            _fail(f"{f}.name", f"{name} is already listed at {seen[name]}")
        seen[name] = f
        members = item.get("members") or []
        if members and m.group(1) != "bridge":
            _fail(f"{f}.members", f"only a bridge has members, not {name}")
        for j, member in enumerate(members):
            check_iface(f"{f}.members[{j}]", member)
            if member == name:
                _fail(f"{f}.members[{j}]", f"{name} cannot be a member of itself")
        addrs = [_check_address(f"{f}.addresses[{j}]", a) for j, a in enumerate(item.get("addresses") or [])]
        if len({a.ip for a in addrs}) != len(addrs):
            _fail(f"{f}.addresses", "an address is listed twice")
    return items


def check_epairs_elsewhere(wanted, parsed):
    """Refuse a wanted jail whose epair unit another jail of the configuration already moves in
    (``epairNb`` in its vnet.interface): two jails on one epair would take each other's interface.

    ``wanted``: the task's Wanted jails; ``parsed``: {path: JailConf} of the configuration read.
    """
    names = {w.name for w in wanted}
    others = {}
    for conf in parsed.values():
        for name in conf.jails():
            if name not in names:
                for unit in epair_units(conf.effective(name) or {}):
                    others.setdefault(unit, name)
    for w in wanted:
        if w.state == "absent":
            continue
        for unit in sorted(epair_units(w.block)):
            if unit in others:
                prefix = "" if w.field == "name" else w.field + "."
                _fail(
                    f"{prefix}vnet_bridges",
                    f"epair{unit} is already the epair of jail {others[unit]!r} in the configuration: "
                    "each jail needs its own epair unit",
                )
