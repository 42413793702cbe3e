"""rc.conf's network settings as libexec/rc/network.subr and rc.d/netif, rc.d/routing apply them."""

import ipaddress

from .addr import add_alias, link_local, mask_to_prefix, set_primary
from .clone import bridge_add, bridge_delete, clone_create
from .errors import NetifError
from .stack import iface_in, routes, set_up, stack


def configure_from_rc(state, rc, jid=0):
    """rc.d/netif + rc.d/routing: lo0, cloned_interfaces, ifconfig_IF, _aliasN, _aliases, _ipv6,
    defaultrouter -- on the host, or in the stack of vnet jail ``jid`` (both scripts are
    ``KEYWORD: nojailvnet``: they run in a jail's /etc/rc when it has its own vnet)."""
    ifs = stack(state, jid)
    view = {"ifaces": ifs}
    lo = ifs["lo0"]
    lo["inet"] = [{"addr": "127.0.0.1", "prefix": 8}]
    lo["inet6"] = [{"addr": "::1", "prefix": 128}, {"addr": "fe80::1", "prefix": 64, "scope": "lo0"}]
    set_up(lo)
    clone_up(state, rc, jid)
    for name, ifc in list(ifs.items()):
        if name == "lo0":
            continue
        cfg = rc.get(f"ifconfig_{name}", "")
        _apply(state, view, name, cfg, True, jid)
        n = 0
        while f"ifconfig_{name}_alias{n}" in rc:
            _apply(state, view, name, rc[f"ifconfig_{name}_alias{n}"], False, jid)
            n += 1
        for spec in _split_aliases(rc.get(f"ifconfig_{name}_aliases", "")):
            _apply(state, view, name, spec, False, jid)
        v6 = rc.get(f"ifconfig_{name}_ipv6", "")
        if v6 or rc.get("ipv6_activate_all_interfaces", "").upper() == "YES":
            ifc["ipv6"] = True
            if ifc.get("ether"):
                ifc["inet6"].insert(0, {"addr": link_local(ifc["ether"]), "prefix": 64, "scope": name})
            _apply(state, view, name, v6, False, jid)
    table = routes(state, jid)
    gw = rc.get("defaultrouter", "")
    if gw and gw.upper() != "NO":
        table["inet"] = {"gateway": gw, "interface": _iface_for(view, gw) or ("vtnet0" if not jid else "lo0")}
    gw6 = rc.get("ipv6_defaultrouter", "")
    if gw6 and gw6.upper() != "NO":
        table["inet6"] = {
            "gateway": gw6,
            "interface": _iface_for(view, gw6, "inet6") or ("vtnet0" if not jid else "lo0"),
        }


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


# rc.conf words that are network.subr's own, not ifconfig's (ifconfig_getargs() drops them)
RC_WORDS = ("DHCP", "SYNCDHCP", "NOSYNCDHCP", "NOAUTO", "WPA", "HOSTAP", "UP")


# ifconfig(8) keywords apply_words() takes (the rest of a line is an address spec)
WORDS = ("up", "down", "mtu", "addm", "deletem")


def _apply(state, view, name, cfg, primary, jid=0):
    words = cfg.split()
    if primary:
        words = [w for w in words if w.upper() not in RC_WORDS]
    try:
        if words and words[0] in WORDS:
            apply_words(state, name, words, jid)
            addr = None
        else:
            family, addr, prefix, rest = parse_spec(words)
            apply_words(state, name, rest, jid)
        if addr is not None:
            if primary and family == "inet":
                set_primary(view, name, addr, prefix, family)
            else:
                add_alias(view, name, addr, prefix, family)
        if primary and cfg.strip():
            # network.subr ifconfig_up(): an interface with ifconfig_IF set ends ``ifconfig IF up``
            set_up(view["ifaces"][name])
    except (NetifError, ValueError):
        pass


def clone_up(state, rc, jid=0):
    """rc.d/netif network_start() -> network.subr clone_up(): ``ifconfig IF create`` for each of
    rc.conf's cloned_interfaces (``epairN`` makes epairNa/epairNb: list_net_interfaces())."""
    for ifn in rc.get("cloned_interfaces", "").split():
        try:
            clone_create(state, ifn, jid)
        except NetifError:
            pass


def apply_words(state, name, words, jid=0):
    """The non-address words of an ifconfig command line that rc.conf may hold (``up``,
    ``down``, ``mtu N``, ``addm IF``, ``deletem IF``); returns the words it did not take."""
    ifs = stack(state, jid)
    ifc = iface_in(ifs, name)
    rest = []
    words = list(words)
    while words:
        w = words.pop(0)
        if w in ("up", "down"):
            set_up(ifc, w == "up")
        elif w == "mtu" and words:
            ifc["mtu"] = int(words.pop(0))
        elif w in ("addm", "deletem") and words and ifc.get("kind") == "bridge":
            (bridge_add if w == "addm" else bridge_delete)(state, name, words.pop(0), jid)
        else:
            rest.append(w)
    return rest
