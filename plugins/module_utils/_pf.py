# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The collection's pf(4) anchor: validation, the rules, the pf.conf lines, reading pfctl(8) output.

Pure: no AnsibleModule, no I/O.  The rules are written in the form ``pfctl -P -a ANCHOR -s nat``
prints them (pfctl_parser.c print_rule(): ``inet`` spelled out, ``port = N``, ``-> (IF) round-robin``
for a nat to an interface's address), which pf.conf(5) also accepts as input: the anchor file's rule
lines and the loaded anchor compare line for line, so an unchanged anchor is never reloaded.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.bsd.jails.plugins.module_utils._jail_params import check_iface, check_name
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

DEFAULT_ANCHOR = "bsd.jails"
ANCHOR_DIR = "/etc/pf.anchors"
PROTOS = ("tcp", "udp")
# pf anchor path components: PF_ANCHOR_NAME_SIZE 64 (sys/net/pfvar.h); '_' first is reserved (pfctl.c main())
_ANCHOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}(/[A-Za-z0-9][A-Za-z0-9._-]{0,62})*")
HEADER = "# pf anchor %s: written by bsd.jails (jail_pf); edits are replaced on its next run.\n"
# the first words of pf.conf lines that start a translation or filter rule (parse.y natrule/pfrule/anchorrule)
RULE_WORDS = ("nat", "rdr", "binat", "no", "nat-anchor", "rdr-anchor", "binat-anchor", "pass", "block", "match",
              "anchor", "antispoof", "ether")  # fmt: skip
_RDR = re.compile(
    r"rdr (?:pass )?on (?P<ifname>\S+) (?:inet6? )?proto (?P<proto>tcp|udp) from any to (?P<to>\S+) "
    r"port = (?P<port>\d+) -> (?P<target>\S+)(?: port (?P<tport>\d+))?"
)


def _fail(field, msg):
    raise JailsError("%s: %s" % (field, msg))


def check_anchor(field, name):
    """A pf anchor path the command line may load (pfctl.c main(): not empty, no ``_`` component)."""
    if not isinstance(name, str) or not _ANCHOR.fullmatch(name):
        _fail(field, "%r is not an anchor name (letters, digits, '.', '_', '-', '/' between parts; not '_' first)"
              % (name,))  # fmt: skip
    return name


def check_port(field, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"[0-9]{1,5}", str(value)):
        _fail(field, "%r is not a port number (1-65535)" % (value,))
    port = int(value)
    if not 1 <= port <= 65535:
        _fail(field, "%d is not a port number (1-65535)" % port)
    return port


def check_v4(field, value, network=False):
    """An IPv4 address (or network, normalised to its network address): nothing pf.conf could misread."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9./]+", value):
        _fail(field, "%r is not an IPv4 %s" % (value, "network (a.b.c.d/n)" if network else "address"))
    try:
        if network:
            net = ipaddress.IPv4Network(value, strict=False)
            return str(net.network_address) if net.prefixlen == 32 else str(net)
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        _fail(field, "%r is not an IPv4 %s" % (value, "network" if network else "address"))


def check_forwards(forwards, field="forwards"):
    """Every forward: proto, port, to, a target (address, or jail to resolve), an optional external address."""
    if not isinstance(forwards, list):
        _fail(field, "%r is not a list" % (forwards,))
    out = []
    seen = {}
    for i, fw in enumerate(forwards):
        f = "%s[%d]" % (field, i)
        if not isinstance(fw, dict):
            _fail(f, "%r is not a dict" % (fw,))
        unknown = sorted(set(fw) - {"jail", "address", "proto", "port", "to", "external_address"})
        if unknown:
            _fail(f, "unknown key(s) %s (known: jail, address, proto, port, to, external_address)" % ", ".join(unknown))
        proto = fw.get("proto") or "tcp"
        if proto not in PROTOS:
            _fail(f + ".proto", "%r is not tcp or udp" % (proto,))
        port = check_port(f + ".port", fw.get("port"))
        to = check_port(f + ".to", fw["to"]) if fw.get("to") is not None else port
        jail = fw.get("jail")
        address = fw.get("address")
        if (jail is None) == (address is None):
            _fail(f, "give exactly one of jail (a running jail's IPv4 address) and address")
        if jail is not None:
            check_name(f + ".jail", jail)
        if address is not None:
            address = check_v4(f + ".address", address)
        ext = fw.get("external_address")
        if ext is not None:
            ext = check_v4(f + ".external_address", ext)
        key = (proto, ext, port)
        if key in seen:
            where = " of %s" % ext if ext else ""
            _fail(f, "%s port %d%s is already forwarded by %s" % (proto, port, where, seen[key]))
        seen[key] = f
        out.append(dict(jail=jail, address=address, proto=proto, port=port, to=to, external_address=ext))
    return out


def check_inputs(params):
    """Every option of jail_pf, checked before anything runs: (anchor, external_interface, nat, forwards)."""
    anchor = check_anchor("anchor", params.get("anchor"))
    nets = params.get("nat_networks") or []
    if not isinstance(nets, list):
        _fail("nat_networks", "%r is not a list" % (nets,))
    nat = [check_v4("nat_networks[%d]" % i, n, network=True) for i, n in enumerate(nets)]
    nat_address = params.get("nat_address")
    if nat_address is not None:
        nat_address = check_v4("nat_address", nat_address)
    forwards = check_forwards(params.get("forwards") or [])
    ext = params.get("external_interface")
    if ext is not None:
        check_iface("external_interface", ext)
    elif nat or forwards:
        _fail("external_interface", "required with nat_networks or forwards (the interface pf translates on)")
    return anchor, ext, nat, nat_address, forwards


def resolve_forwards(forwards, jail_addresses):
    """Each forward's target address; ``jail_addresses`` is {running jail: [IPv4 addresses]}."""
    out = []
    for i, fw in enumerate(forwards):
        fw = dict(fw)
        if fw["jail"] is not None:
            v4 = [a for a in jail_addresses.get(fw["jail"], []) if re.fullmatch(r"[0-9.]+", a)]
            if not v4:
                why = "is not running" if fw["jail"] not in jail_addresses else "has no IPv4 address"
                _fail("forwards[%d].jail" % i, "jail %s %s: give address instead" % (fw["jail"], why))
            fw["address"] = v4[0]
        out.append(fw)
    return out


def render_rules(ext_if, nat, nat_address, forwards):
    """The anchor's rules as ``pfctl -P -s nat`` prints them: nat rules, then rdr rules."""
    rules = []
    pool = nat_address if nat_address else "(%s) round-robin" % ext_if
    for net in nat:
        rules.append("nat on %s inet from %s to any -> %s" % (ext_if, net, pool))
    for fw in forwards:
        to = fw["external_address"] or "(%s)" % ext_if
        rules.append(
            "rdr pass on %s inet proto %s from any to %s port = %d -> %s port %d"
            % (ext_if, fw["proto"], to, fw["port"], fw["address"], fw["to"])
        )
    return rules


def anchor_text(anchor, rules):
    return HEADER % anchor + "".join(r + "\n" for r in rules)


def anchor_file(anchor):
    return "%s/%s" % (ANCHOR_DIR, anchor.replace("/", "_"))


def anchor_lines(anchor, path):
    """The pf.conf lines that call the anchor and load it at boot (parse.y anchorrule, loadrule)."""
    return {
        "nat": 'nat-anchor "%s"' % anchor,
        "rdr": 'rdr-anchor "%s"' % anchor,
        "filter": 'anchor "%s"' % anchor,
        "load": 'load anchor "%s" from "%s"' % (anchor, path),
    }


def minimal_pf_conf(anchor, path):
    lines = anchor_lines(anchor, path)
    return (
        "# /etc/pf.conf: made by bsd.jails (jail_pf) on a host that had none.\n"
        "# With no filter rules pf passes all traffic; add the host's own rules here.\n"
        "# The collection owns only the anchor lines below.\n"
        "%s\n%s\n%s\n%s\n" % (lines["nat"], lines["rdr"], lines["filter"], lines["load"])
    )


def _first_word(line):
    text = line.split("#", 1)[0].strip()
    return text.split()[0] if text else ""


def edit_pf_conf(text, anchor, path):
    """``text`` with the anchor's lines added where pf.conf's section order allows them.

    Present lines (anywhere, exact after surrounding blanks) are kept.  The translation anchors go just
    before the first translation or filter rule (translation is first match: the jails' rules win over the
    host's own nat rules), the filter anchor and the ``load anchor`` line at the end.  Nothing else changes.
    """
    if text is None:
        return minimal_pf_conf(anchor, path)
    lines = anchor_lines(anchor, path)
    have = {ln.strip() for ln in text.splitlines()}
    head = [lines[k] for k in ("nat", "rdr") if lines[k] not in have]
    tail = [lines[k] for k in ("filter", "load") if lines[k] not in have]
    if not head and not tail:
        return text
    src = text.splitlines(True)
    out = []
    placed = not head
    continued = False
    for ln in src:
        if not placed and not continued and _first_word(ln) in RULE_WORDS:
            out.extend(h + "\n" for h in head)
            placed = True
        out.append(ln)
        continued = ln.rstrip("\n").endswith("\\")
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    if not placed:
        out.extend(h + "\n" for h in head)
    out.extend(t + "\n" for t in tail)
    return "".join(out)


def without_load(text, anchor, path):
    """pf.conf without the ``load anchor`` line: its host part can be checked before the anchor file exists."""
    load = anchor_lines(anchor, path)["load"]
    return "".join(ln for ln in text.splitlines(True) if ln.strip() != load)


def rule_lines(text):
    """The rule lines of pfctl -s output or of an anchor file (comments and blank lines dropped)."""
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip() and not ln.strip().startswith("#")]


def calls_anchor(main_nat_text, anchor):
    """Whether the loaded main ruleset (``pfctl -s nat``) calls the anchor for nat and rdr."""
    have = rule_lines(main_nat_text)
    return all('%s "%s" all' % (kind, anchor) in have for kind in ("nat-anchor", "rdr-anchor"))


def is_enabled(info_text):
    """``pfctl -s info``: its first line is ``Status: Enabled ...`` or ``Status: Disabled ...`` (print_status())."""
    first = (info_text or "").splitlines()[:1]
    return bool(first) and first[0].startswith("Status: Enabled")


def parse_rdr(text):
    """The rdr rules of ``pfctl -P -s nat`` output: dicts ifname, proto, to (an address or ``(IF)``), port,
    target, target_port."""
    out = []
    for ln in rule_lines(text):
        m = _RDR.match(ln)
        if m:
            d = m.groupdict()
            d["port"] = int(d["port"])
            d["tport"] = int(d["tport"]) if d["tport"] else d["port"]
            out.append(d)
    return out
