"""Network interfaces and routes in the kernel state (``ifaces``, ``routes``).

``state["ifaces"][IF]["inet"]``  = [{"addr": "192.0.2.10", "prefix": 24}, ...]   (first = primary)
``state["ifaces"][IF]["inet6"]`` = [{"addr": "fe80::1", "prefix": 64, "scope": "lo0"}, ...]
``state["routes"]`` = {"inet": {"gateway": ADDR, "interface": IF}, "inet6": {...}}  (default routes)

Other parts (the jails helper) call, with the state already locked:
  add_alias(state, ifname, addr, prefix, family)     family "inet" or "inet6"
  remove_alias(state, ifname, addr, family)
both raise NetifError(message) with ifconfig(8)'s text (without the ``ifconfig: `` prefix).
"""

import ipaddress


class NetifError(Exception):
    pass


def _norm(addr, family):
    try:
        return str(ipaddress.ip_address(addr.split("%")[0]))
    except ValueError:
        raise NetifError(f"{addr}: bad value") from None


def ordered(state):
    """Interfaces in ifindex order: vtnet0 (1), lo0 (2), then clones by their ``index`` or name."""

    def key(item):
        name, ifc = item
        return (ifc.get("index") or {"vtnet0": 1, "lo0": 2}.get(name, 100), name)

    return sorted(state["ifaces"].items(), key=key)


def iface(state, ifname):
    ifc = state["ifaces"].get(ifname)
    if ifc is None:
        raise NetifError(f"interface {ifname} does not exist")
    return ifc


def find(state, addr, family):
    """(ifname, entry) holding ``addr``, or (None, None)."""
    a = _norm(addr, family)
    for name, ifc in state["ifaces"].items():
        for e in ifc.get(family, []):
            if e["addr"] == a:
                return name, e
    return None, None


def add_alias(state, ifname, addr, prefix, family="inet"):
    """ifconfig IF inet ADDR/prefix alias (SIOCAIFADDR / SIOCAIFADDR_IN6)."""
    ifc = iface(state, ifname)
    a = _norm(addr, family)
    prefix = int(prefix if prefix is not None else (32 if family == "inet" else 64))
    for e in ifc.setdefault(family, []):
        if e["addr"] == a:
            if e["prefix"] == prefix:
                return e
            e["prefix"] = prefix
            return e
    other, _where = find(state, a, family)
    if other is not None:
        raise NetifError(f"ioctl ({'SIOCAIFADDR' if family == 'inet' else 'SIOCAIFADDR_IN6'}): File exists")
    e = {"addr": a, "prefix": prefix}
    if family == "inet6" and ipaddress.ip_address(a).is_link_local:
        e["scope"] = ifname
    ifc[family].append(e)
    return e


def remove_alias(state, ifname, addr, family="inet"):
    """ifconfig IF inet ADDR -alias (SIOCDIFADDR)."""
    ifc = iface(state, ifname)
    a = _norm(addr, family)
    before = len(ifc.get(family, []))
    ifc[family] = [e for e in ifc.get(family, []) if e["addr"] != a]
    if len(ifc[family]) == before:
        raise NetifError(
            f"ioctl ({'SIOCDIFADDR' if family == 'inet' else 'SIOCDIFADDR_IN6'}): Can't assign requested address"
        )


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


def configure_from_rc(state, rc):
    """rc.d/netif + rc.d/routing: lo0, ifconfig_IF, _aliasN, _aliases, _ipv6, defaultrouter."""
    lo = state["ifaces"]["lo0"]
    lo["inet"] = [{"addr": "127.0.0.1", "prefix": 8}]
    lo["inet6"] = [{"addr": "::1", "prefix": 128}, {"addr": "fe80::1", "prefix": 64, "scope": "lo0"}]
    for name, ifc in state["ifaces"].items():
        if name == "lo0":
            continue
        cfg = rc.get(f"ifconfig_{name}", "")
        _apply(state, name, cfg, primary=True)
        n = 0
        while f"ifconfig_{name}_alias{n}" in rc:
            _apply(state, name, rc[f"ifconfig_{name}_alias{n}"], primary=False)
            n += 1
        for spec in _split_aliases(rc.get(f"ifconfig_{name}_aliases", "")):
            _apply(state, name, spec, primary=False)
        v6 = rc.get(f"ifconfig_{name}_ipv6", "")
        if v6 or rc.get("ipv6_activate_all_interfaces", "").upper() == "YES":
            ifc["ipv6"] = True
            if ifc.get("ether"):
                ifc["inet6"].insert(0, {"addr": link_local(ifc["ether"]), "prefix": 64, "scope": name})
            _apply(state, name, v6, primary=False)
    routes = state.setdefault("routes", {})
    gw = rc.get("defaultrouter", "")
    if gw and gw.upper() != "NO":
        routes["inet"] = {"gateway": gw, "interface": _iface_for(state, gw) or "vtnet0"}
    gw6 = rc.get("ipv6_defaultrouter", "")
    if gw6 and gw6.upper() != "NO":
        routes["inet6"] = {"gateway": gw6, "interface": _iface_for(state, gw6, "inet6") or "vtnet0"}


def _iface_for(state, gw, family="inet"):
    try:
        g = ipaddress.ip_address(gw.split("%")[0])
    except ValueError:
        return None
    for name, ifc in state["ifaces"].items():
        for e in ifc.get(family, []):
            if g in ipaddress.ip_network(f"{e['addr']}/{e['prefix']}", strict=False):
                return name
    return None


def _split_aliases(text):
    """ifconfig_IF_aliases: ``inet A/N inet B/N`` -> one spec per ``inet``/``inet6`` keyword."""
    words = text.split()
    out, cur = [], []
    for w in words:
        if w in ("inet", "inet6") and cur:
            out.append(" ".join(cur))
            cur = []
        cur.append(w)
    if cur:
        out.append(" ".join(cur))
    return out


def parse_spec(words):
    """``[inet|inet6] ADDR[/len] [netmask M|prefixlen N] ...`` -> (family, addr, prefix, rest)."""
    words = list(words)
    family = None
    if words and words[0] in ("inet", "inet6"):
        family = words.pop(0)
    if not words or words[0].upper() in ("DHCP", "SYNCDHCP", "UP", "DOWN"):
        return family, None, None, words
    addr = words.pop(0)
    prefix = None
    if "/" in addr:
        addr, p = addr.split("/", 1)
        prefix = int(p)
    family = family or ("inet6" if ":" in addr else "inet")
    rest = []
    while words:
        w = words.pop(0)
        if w == "netmask" and words:
            prefix = mask_to_prefix(words.pop(0))
        elif w == "prefixlen" and words:
            prefix = int(words.pop(0))
        else:
            rest.append(w)
    if prefix is None:
        prefix = 64 if family == "inet6" else _classful(addr)
    return family, addr, prefix, rest


def _classful(addr):
    first = int(addr.split(".")[0]) if addr.count(".") == 3 and addr.split(".")[0].isdigit() else 0
    return 8 if first < 128 else 16 if first < 192 else 24


def _apply(state, name, cfg, primary):
    family, addr, prefix, _rest = parse_spec(cfg.split())
    if addr is None:
        return
    try:
        if primary and family == "inet":
            set_primary(state, name, addr, prefix, family)
        else:
            add_alias(state, name, addr, prefix, family)
    except NetifError:
        pass
