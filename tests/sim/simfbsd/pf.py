"""pf(4) in the kernel: rulesets and anchors, pfctl's printed form of a rule, and what a packet meets.

Kernel state key ``pf`` (gone at reboot; rc.d/pf loads $pf_rules again):
  ``{"running": bool, "since": epoch or 0, "rulesets": {path: {"nat": [rule], "rdr": [rule],
  "filter": [rule], "tables": {name: {...}}}}}``; path "" is the main ruleset, "bsd.jails" an anchor.
  A rule is the dict pfparse.py builds.  pf.ko is taken as loaded (``pf_load="YES"``/``kldload pf``
  is not modelled: /dev/pf always exists on the host).

# src: sys/netpfil/pf/pf_ioctl.c (DIOCSTART/DIOCSTOP: EEXIST/ENOENT; DIOCXBEGIN/DIOCXCOMMIT: a load
#      replaces the ruleset's rules in one transaction, nothing changes when it is rolled back);
#      sys/netpfil/pf/pf_ruleset.c (pf_find_or_create_ruleset(), pf_remove_if_empty_ruleset(): an
#      anchor with no rules that no anchor rule calls is gone); sbin/pfctl/pfctl_parser.c
#      print_rule(), print_fromto(), print_port(), print_op(), print_pool(), print_addr(),
#      print_flags(), print_status(); sys/netpfil/pf/pf.c pf_test() (translation: the first
#      matching nat/rdr rule, ``rdr pass`` skips the filter; filter: the last matching rule wins, a
#      ``quick`` one ends the search, no match = pass; anchors evaluated in place).
Connections are not packets here: ``connect_in``/``connect_out`` answer "where does a TCP/UDP
connection to ADDR:PORT arriving on the host's interface end" and "does a jail reach an address
outside the box, and as which source" (the world outside answers only to addresses of the box's
external interface: a private source address that no nat rule translates gets no reply).
"""

import ipaddress
import time

from . import kstate

NAT_PROXY_PORT_LOW, NAT_PROXY_PORT_HIGH = 50001, 65535  # sys/net/pfvar.h PF_NAT_PROXY_PORT_*
ANCHORTYPES = {"filter": "anchor", "nat": "nat-anchor", "rdr": "rdr-anchor"}
TCPFLAGS = "FSRPAUEW"  # pfctl_parser.c tcpflags[]
FCOUNTERS = ("searches", "inserts", "removals")  # sys/net/pfvar.h FCNT_NAMES
COUNTERS = (  # sys/net/pfvar.h PFRES_NAMES  UNVERIFIED: FreeBSD 14.3's full list may have more
    "match",
    "bad-offset",
    "fragment",
    "short",
    "normalize",
    "memory",
    "bad-timestamp",
    "congestion",
    "ip-option",
    "proto-cksum",
    "state-mismatch",
    "state-insert",
    "state-limit",
    "src-limit",
    "synproxy",
    "map-failed",
)


def pf_state(state):
    """The pf key of the kernel state (made on first use: pf just loaded, disabled, no rules)."""
    return state.setdefault("pf", {"running": False, "since": 0, "rulesets": {}})


def _empty():
    return {"nat": [], "rdr": [], "filter": [], "tables": {}}


def ruleset(pfs, path):
    return pfs["rulesets"].get(path) or _empty()


def _called(pfs, path):
    for parent, rs in pfs["rulesets"].items():
        for kind in ("nat", "rdr", "filter"):
            for r in rs[kind]:
                if r.get("anchor") is not None and join(parent, r["anchor"]) == path:
                    return True
    return False


def exists(pfs, path):
    """pf_find_kruleset(): the main ruleset always; an anchor with rules or called by a rule."""
    if path == "":
        return True
    rs = pfs["rulesets"].get(path)
    return bool(rs and (rs["nat"] or rs["rdr"] or rs["filter"] or rs["tables"])) or _called(pfs, path)


def join(parent, name):
    """An anchor call's path: relative to the calling ruleset, ``/NAME`` absolute (pf_anchor_setup())."""
    if name.startswith("/"):
        return name.strip("/")
    return f"{parent}/{name}" if parent else name


def commit(pfs, path, parsed, kinds=("nat", "rdr", "filter"), tables=True):
    """DIOCXCOMMIT of a parsed file into ruleset ``path``."""
    rs = pfs["rulesets"].setdefault(path, _empty())
    for kind in kinds:
        rs[kind] = parsed.rules[kind]
    if tables:
        rs["tables"] = parsed.tables
    tidy(pfs)


def flush(pfs, path, kinds):
    rs = pfs["rulesets"].get(path)
    if rs is None:
        return
    for kind in kinds:
        rs[kind] = {} if kind == "tables" else []
    tidy(pfs)


def tidy(pfs):
    """pf_remove_if_empty_ruleset() for every anchor."""
    for path in list(pfs["rulesets"]):
        if path and not exists(pfs, path):
            del pfs["rulesets"][path]


def children(pfs, path):
    """The anchors directly under ``path`` (pfctl_walk_anchors()), sorted as the kernel's RB tree."""
    names = set()
    known = set(pfs["rulesets"])
    for parent, rs in pfs["rulesets"].items():
        for kind in ("nat", "rdr", "filter"):
            for r in rs[kind]:
                if r.get("anchor") is not None:
                    known.add(join(parent, r["anchor"]))
    for p in known:
        if not p or not exists(pfs, p):
            continue
        prefix = f"{path}/" if path else ""
        if p.startswith(prefix) and "/" not in p[len(prefix) :]:
            names.add(p[len(prefix) :])
    return sorted(names)


def set_running(pfs, on):
    pfs["running"] = on
    pfs["since"] = int(time.time())


# ------------------------------------------------------------------ printing (pfctl_parser.c)


def fmt_addr(a):
    """print_addr(), with ``! `` for a negated one (print_fromto())."""
    neg = "! " if a.get("neg") else ""
    t = a["type"]
    if t == "any":
        return neg + "any"
    if t == "table":
        return f"{neg}<{a['name']}>"
    if t == "dyn":
        return f"{neg}({a['ifname']}{':' + a['mod'] if a.get('mod') else ''})"
    full = 32 if a["af"] == 4 else 128
    return neg + (a["addr"] if a["prefix"] == full else f"{a['addr']}/{a['prefix']}")


def fmt_port(p, proto, numeric, by_port):
    """print_port(): a name from /etc/services for = and != unless numeric (-P)."""
    name = None if numeric else by_port.get((p["p1"], "tcp" if proto in ("tcp", "6") else "udp"))
    if p["op"] == ":":
        return f" port {p['p1']}:{p['p2']}"
    if p["op"] in ("<>", "><"):
        return f" port {p['p1']} {p['op']} {p['p2']}"
    if p["op"] in ("=", "!="):
        return f" port {p['op']} {name or p['p1']}"
    return f" port {p['op']} {p['p1']}"


def fmt_rule(r, numeric=False, by_port=None):
    """print_rule() for the rules pfparse.py builds: the line ``pfctl -s rules|nat`` prints."""
    by_port = by_port or {}
    anchor = r.get("anchor")
    if anchor is not None:
        s = f'{ANCHORTYPES[r["ruleset"]]} "{anchor}"'
    else:
        s = r["action"] + (" pass" if r["natpass"] else "")
    if r["action"] == "block" and anchor is None:
        s += " return" if r["block"] == "return" else " drop"
    if r["direction"]:
        s += f" {r['direction']}"
    if r["log"]:
        s += " log"
    if r["quick"]:
        s += " quick"
    if r["ifname"]:
        s += f" on {'! ' if r['ifnot'] else ''}{r['ifname']}"
    if r["af"]:
        s += " inet" if r["af"] == 4 else " inet6"
    if r["proto"]:
        s += f" proto {({'6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'ipv6-icmp'}).get(r['proto'], r['proto'])}"
    src, dst = r["src"], r["dst"]
    if src["addr"]["type"] == dst["addr"]["type"] == "any" and not (src["port"] or dst["port"]):
        if not (src["addr"].get("neg") or dst["addr"].get("neg")):
            s += " all"
        else:
            s += f" from {fmt_addr(src['addr'])} to {fmt_addr(dst['addr'])}"
    else:
        s += f" from {fmt_addr(src['addr'])}"
        if src["port"]:
            s += fmt_port(src["port"], r["proto"], numeric, by_port)
        s += f" to {fmt_addr(dst['addr'])}"
        if dst["port"]:
            s += fmt_port(dst["port"], r["proto"], numeric, by_port)
    if r["flags"]:
        s += f" flags {r['flags']}"
    elif r["action"] == "pass" and anchor is None and r["proto"] in (None, "tcp", "6") and r["keep_state"]:
        s += " flags any"
    if anchor is None and r["action"] == "pass":
        s += " keep state" if r["keep_state"] else " no state"
    if anchor is None and r["action"] in ("nat", "rdr") and r["pool"]:
        s += " -> " + _fmt_pool(r)
    return s


def _fmt_pool(r):
    pool = r["pool"]
    addrs = ", ".join(fmt_addr(dict(a, neg=False)) for a in pool)
    s = f"{{ {addrs} }}" if len(pool) > 1 else addrs
    p1, p2 = (r["pool_port"] or [None, None])[:2]
    if r["action"] == "nat":
        if r["static_port"]:
            p1 = p2 = 0
        elif p1 is None:
            p1, p2 = NAT_PROXY_PORT_LOW, NAT_PROXY_PORT_HIGH
        p2 = p1 if p2 is None else p2
        if (p1, p2) != (NAT_PROXY_PORT_LOW, NAT_PROXY_PORT_HIGH) and (p1 or p2):
            s += f" port {p1}" if p1 == p2 else f" port {p1}:{p2}"
    elif p1:
        s += f" port {p1}"
        if p2 and p2 != "*" and p2 != p1:
            s += f":{p2}"  # UNVERIFIED: the printed form of ``port N:*``
    if r["pool_type"]:
        s += f" {r['pool_type']}"
    if r["sticky"]:
        s += " sticky-address"
    if r["action"] == "nat" and r["static_port"]:
        s += " static-port"
    return s


def status_lines(pfs, now=None):
    """print_status() without -v (one interface's stats only with ``set loginterface``)."""
    now = int(now or time.time())
    running = "Enabled" if pfs["running"] else "Disabled"
    since = pfs.get("since") or 0
    runtime = now - since
    if since:
        day, sec = divmod(runtime, 86400)
        hrs, rem = divmod(sec, 3600)
        mins, secs = divmod(rem, 60)
        statline = f"Status: {running} for {day} days {hrs:02d}:{mins:02d}:{secs:02d}"
    else:
        statline = f"Status: {running}"
    out = [f"{statline:<44}{'Debug: Urgent':>15}", "", f"{'State Table':<27} {'Total':>14} {'Rate':>16}"]
    out.append(f"  {'current entries':<25} {0:>14} {'':>14}")

    def counter(name):
        rate = f"{0.0:>14.1f}/s" if runtime > 0 else f"{'':>14}"
        return f"  {name:<25} {0:>14} {rate}"

    out.extend(counter(n) for n in FCOUNTERS)
    out.append("Counters")
    out.extend(counter(n) for n in COUNTERS)
    return out


# ------------------------------------------------------------------ what a connection meets (pf.c)


def _iface_addrs(state, ifname):
    ifc = kstate.host_ifaces(state).get(ifname) or {}
    out = []
    for fam in ("inet", "inet6"):
        for e in ifc.get(fam) or []:
            out.append(e if isinstance(e, dict) else {"addr": str(e), "prefix": 32})
    return out


def iface_of(state, addr):
    """The host interface holding ``addr``, or None."""
    for ifname in kstate.host_ifaces(state):
        if any(e["addr"].split("%")[0] == addr for e in _iface_addrs(state, ifname)):
            return ifname
    return None


def _match_addr(state, pfs, path, a, ip):
    t = a["type"]
    ip_ = ipaddress.ip_address(ip)
    if t == "any":
        hit = True
    elif t == "net":
        hit = ip_.version == a["af"] and ip_ in ipaddress.ip_network(f"{a['addr']}/{a['prefix']}")
    elif t == "dyn":
        entries = _iface_addrs(state, a["ifname"])
        if a.get("mod") == "network":
            hit = any(ip_ in ipaddress.ip_interface(f"{e['addr']}/{e['prefix']}").network for e in entries)
        else:
            hit = any(e["addr"] == ip for e in entries)
    else:  # table: the calling ruleset's, else the main one's (pfr_attach_table() looks up the anchor)
        table = ruleset(pfs, path)["tables"].get(a["name"]) or ruleset(pfs, "")["tables"].get(a["name"])
        hit = bool(table) and any(_match_addr(state, pfs, path, dict(x, neg=False), ip) for x in table["addrs"])
    return hit != bool(a.get("neg"))


def _match_port(p, port):
    if p is None:
        return True
    op, p1, p2 = p["op"], p["p1"], p["p2"]
    if op == ":":
        return p1 <= port <= p2
    if op == "><":
        return p1 < port < p2
    if op == "<>":
        return port < p1 or port > p2
    return {"=": port == p1, "!=": port != p1, "<": port < p1, "<=": port <= p1, ">": port > p1, ">=": port >= p1}[op]


def _match(state, pfs, path, r, pkt):
    if r["direction"] and r["direction"] != pkt["dir"]:
        return False
    if r["ifname"] and (r["ifname"] == pkt["ifname"]) == r["ifnot"]:
        return False
    if r["af"] and r["af"] != ipaddress.ip_address(pkt["dst"]).version:
        return False
    if r["proto"] and r["proto"] not in (pkt["proto"], {"tcp": "6", "udp": "17"}[pkt["proto"]]):
        return False
    return (
        _match_addr(state, pfs, path, r["src"]["addr"], pkt["src"])
        and _match_port(r["src"]["port"], pkt["sport"])
        and _match_addr(state, pfs, path, r["dst"]["addr"], pkt["dst"])
        and _match_port(r["dst"]["port"], pkt["dport"])
    )


def _walk(state, pfs, path, kind, pkt):
    """The rules of ``kind`` a packet is tested against, anchors expanded in place: (path, rule)."""
    for r in ruleset(pfs, path)[kind]:
        if r.get("anchor") is not None:
            if _match(state, pfs, path, r, pkt):
                yield from _walk(state, pfs, join(path, r["anchor"]), kind, pkt)
        else:
            yield path, r


def _translate(state, pfs, kind, pkt):
    for path, r in _walk(state, pfs, "", kind, pkt):
        if _match(state, pfs, path, r, pkt):
            return path, r
    return None, None


def _filter(state, pfs, pkt):
    last = (None, None)
    for path, r in _walk(state, pfs, "", "filter", pkt):
        if _match(state, pfs, path, r, pkt):
            last = (path, r)
            if r["quick"]:
                break
    return last


def _pool_addr(state, r, ifname):
    a = r["pool"][0]
    if a["type"] == "dyn":
        entries = [e for e in _iface_addrs(state, a["ifname"]) if ":" not in e["addr"]]
        return entries[0]["addr"] if entries else None
    return a.get("addr")


def connect_in(state, dst, dport, proto="tcp", src="198.51.100.7", sport=40000):
    """A connection from outside the box to ``dst:dport``: which rdr it meets and which socket answers."""
    pfs = pf_state(state)
    out = {"to": f"{dst}:{dport}", "proto": proto, "interface": iface_of(state, dst), "pf": pfs["running"]}
    out.update({"rdr": None, "anchor": None, "translated": None, "filter": None, "reached": None, "error": None})
    if out["interface"] is None:
        out["error"] = f"no interface of the box holds {dst}"
        return out
    pkt = {"dir": "in", "ifname": out["interface"], "proto": proto, "src": src, "sport": sport, "dst": dst}
    pkt["dport"] = dport
    natpass = False
    if pfs["running"]:
        path, r = _translate(state, pfs, "rdr", pkt)
        if r is not None and r["action"] == "rdr":
            addr = _pool_addr(state, r, out["interface"])
            port = (r["pool_port"] or [None])[0] or dport
            out.update(rdr=fmt_rule(r, numeric=True), anchor=path, translated=f"{addr}:{port}")
            pkt.update(dst=addr, dport=port)
            natpass = r["natpass"]
        if not natpass:
            _fpath, fr = _filter(state, pfs, pkt)
            out["filter"] = fmt_rule(fr, numeric=True) if fr else "pass (no rule matched)"
            if fr is not None and fr["action"] == "block":
                out["error"] = "blocked by pf"
                return out
    sock = kstate.listener(state, pkt["dst"], pkt["dport"], proto)
    if sock is None:
        out["error"] = "Connection refused"
        return out
    proc, laddr = sock
    jail = kstate.jail(state, proc["jid"]) if proc["jid"] else None
    out["reached"] = {
        "pid": proc["pid"],
        "command": proc["command"],
        "jid": proc["jid"],
        "jail": jail.get("name") if jail else None,
        "laddr": laddr,
        "lport": pkt["dport"],
    }
    return out


def connect_out(state, jail_spec, dst, dport, proto="tcp", external=None):
    """A connection from jail ``jail_spec`` to ``dst:dport`` outside the box: leaves through the
    external interface (the one holding the box's own address), translated by the first nat rule."""
    pfs = pf_state(state)
    _jid, rec = kstate.find_jail(state, jail_spec)
    out = {"from_jail": jail_spec, "to": f"{dst}:{dport}", "pf": pfs["running"], "nat": None}
    out.update({"source": None, "seen_as": None, "interface": external, "reached": False, "error": None})
    if rec is None:
        out["error"] = f"no such jail: {jail_spec}"
        return out
    addrs = rec.get("ip4.addr") or []
    addrs = addrs if isinstance(addrs, list) else [addrs]
    if not addrs:
        out["error"] = "the jail has no IPv4 address"
        return out
    src = str(addrs[0]).rsplit("|", maxsplit=1)[-1].split("/")[0]
    out["source"] = src
    if iface_of(state, dst):
        out["error"] = f"{dst} is an address of the box itself, not outside"
        return out
    pkt = {"dir": "out", "ifname": external, "proto": proto, "src": src, "sport": 40000, "dst": dst, "dport": dport}
    seen = src
    if pfs["running"]:
        _path, r = _translate(state, pfs, "nat", pkt)
        if r is not None and r["action"] == "nat":
            seen = _pool_addr(state, r, external)
            out["nat"] = fmt_rule(r, numeric=True)
            pkt["src"] = seen
        _fpath, fr = _filter(state, pfs, pkt)
        if fr is not None and fr["action"] == "block":
            out["error"] = "blocked by pf"
            return out
    out["seen_as"] = seen
    if any(e["addr"] == seen for e in _iface_addrs(state, external)):
        out["reached"] = True
    else:
        out["error"] = f"no reply: {seen} is not an address of {external} (a private source needs NAT)"
    return out
