"""sockstat(1): list open sockets from the processes of the kernel state
(tests/fixtures/freebsd/BEHAVIOUR.md §8, sockstat.1).

Layout of the 14.x source (src: usr.bin/sockstat/sockstat.c at 6d13bb0e, display()
and displaysock()): header ``%-8s %-10s %-5s %-3s %-6s %-21s %-21s`` (45 with -w);
rows: ``USER `` padded to col 9, ``%.10s`` command padded to 20, ``%5lu `` pid
padded to 26, ``%-3d `` fd, protocol (+``4``/``6``, then a space) padded to 30/37,
local address, (one extra space after an IPv6 one reaching col 58), padded to
59 (83 with -w), foreign address; -s adds PATH STATE / CONN STATE columns.
Addresses: printaddr() - ``*`` for the wildcard, ``ADDR:PORT``, ``ADDR:*`` for
port 0, IPv6 without brackets.  Processes come newest first (kern.file walks
allproc).  Getopt string ``46Ccij:Llnp:P:qSsUuvw``; ``--libxo json`` as 15.x
(tests/fixtures/freebsd/BEHAVIOUR.md §8 JSON shape; not in 14.x - accepted for convenience).
Inside a jail only the jail's own processes are visible; on the host every
process, jailed or not, is listed (``-j`` filters by jail).  Internet sockets are per vnet
(net.inet.*.pcblist is virtualized): only those of the caller's stack are listed; ``-j`` of a
vnet jail looks from inside it (src: usr.bin/sockstat/sockstat.c main(): jail_getvnet() ==
JAIL_SYS_NEW -> jail_attach(), then opt_j = -1).
"""

import json

from .. import bsdgetopt, kernel, kstate, netif, pwdb

USAGE = "usage: sockstat [-46CciLlnqSsUuvw] [-j jid] [-p ports] [-P protocols]\n"
KNOWN_PROTOS = ("tcp", "udp", "sctp", "udplite", "divert")


def _getopt(ctx, argv):
    """libxo's xo_parse_args() takes ``--libxo[=]FMT`` out of argv, then getopt(3) reads the rest;
    None after getopt's complaint."""
    opts, left, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--libxo" and i + 1 < len(argv):
            opts.append(("libxo", argv[i + 1]))
            i += 2
        elif a.startswith("--libxo="):
            opts.append(("libxo", a.split("=", 1)[1]))
            i += 1
        else:
            left.append(a)
            i += 1
    parsed = bsdgetopt.parse(ctx, left, "46Ccij:Llnp:P:qSsUuvw")
    if parsed is None:
        return None
    letters, rest = parsed
    return opts + letters, rest


def parse_ports(spec):
    ports = set()
    for part in spec.split(","):
        if "-" in part:
            lo, _dash, hi = part.partition("-")
            if not (lo.isdigit() and hi.isdigit()):
                raise ValueError(part)
            ports.update(range(int(lo), int(hi) + 1))
        elif part.isdigit():
            ports.add(int(part))
        else:
            raise ValueError(part)
    return ports


def fmtaddr(addr, port):
    """printaddr(): wildcard -> ``*``, port 0 -> ``*``; IPv6 not bracketed."""
    a = "*" if addr in ("*", "", "0.0.0.0", "::", None) else addr
    return f"{a}:{port if port else '*'}"


def _jail_id(state, spec):
    jails = kstate.jails(state)
    if spec.lstrip("-").isdigit():
        jid = int(spec)
        if jid == 0 or str(jid) in jails:
            return jid, None
        return None, f"jail {jid} not found"
    for jid, j in jails.items():
        if j.get("name") == spec:
            return int(jid), None
    return None, f'jail "{spec}" not found'


def _loopback(addr):
    return bool(addr) and (addr.startswith("127.") or addr == "::1")


def _uid(ctx, user):
    """The uid -n prints for a process recorded by user name (pwdb.py: the box's FreeBSD passwd)."""
    pw = pwdb.getpwnam(ctx.path("/"), user)
    return int(pw[2]) if pw else 0


def main(ctx, argv):
    parsed = _getopt(ctx, argv)
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, rest = parsed
    if rest:
        ctx.err.write(USAGE)
        return 1
    o = {}
    for k, v in opts:
        o[k] = v if v is not None else o.get(k, 0) + 1 if k == "v" else True
    state = kernel.read_state()
    opt_j = None
    if "j" in o:
        opt_j, msg = _jail_id(state, o["j"])
        if opt_j is None:
            ctx.warnx(f"jail_getid: {msg}")
            return 1
    ports = None
    if "p" in o:
        try:
            ports = parse_ports(o["p"])
        except ValueError:
            ctx.warnx("syntax error in port range")  # UNVERIFIED text (parse_ports())
            return 1
    protos = None
    if "P" in o:
        protos = []
        for p in o["P"].split(","):
            if p not in KNOWN_PROTOS:
                ctx.warnx(f"cap_getprotobyname: {p}")  # UNVERIFIED text (parse_protos())
                return 1
            protos.append(p)
    opt4, opt6, optu = "4" in o, "6" in o, "u" in o
    if not opt4 and not opt6 and protos is not None:
        opt4 = opt6 = True
    if not opt4 and not opt6 and not optu:
        opt4 = opt6 = optu = True
    if (opt4 or opt6) and protos is None:
        protos = ["sctp", "tcp", "udp", "udplite", "divert"]
    optc, optl = "c" in o, "l" in o
    if not optc and not optl:
        optc = optl = True
    wide = "w" in o
    rows = []
    view = netif.vnet_owner(state, opt_j if opt_j else ctx.jid)  # the stack whose pcblists are read
    procs = kstate.procs(state)[::-1]
    for proc in procs:
        if ctx.jid and proc.get("jid", 0) != ctx.jid:
            continue
        if opt_j is not None and proc.get("jid", 0) != opt_j:
            continue
        for s in sorted(proc.get("sockets", []), key=lambda s: s.get("fd", 0)):
            proto = s["proto"]
            base = proto.rstrip("46")
            fams = proto[len(base) :]
            if base in ("stream", "dgram", "seqpack"):
                if not optu:
                    continue
            else:
                if protos is None or base not in protos:
                    continue
                if netif.vnet_owner(state, proc.get("jid", 0)) != view:
                    continue  # a socket of another vnet's stack
                if not ((opt4 and "4" in fams) or (opt6 and "6" in fams)):
                    continue
            connected = bool(s.get("fport")) or bool(s.get("faddr") not in (None, "*", ""))
            if (connected and not optc) or (not connected and not optl):
                continue
            if ports is not None and s.get("lport", 0) not in ports and s.get("fport", 0) not in ports:
                continue
            if "L" in o and (_loopback(s.get("laddr")) or _loopback(s.get("faddr"))):
                continue  # -L: skip sockets on the loopback network (sockstat.1)
            rows.append((proc, s))
    if o.get("libxo") and "json" in str(o["libxo"]):
        out = []
        for proc, s in rows:
            out.append({
                "user": str(_uid(ctx, proc["user"])) if "n" in o else proc["user"],
                "command": proc["command"][:10],
                "pid": proc["pid"],
                "fd": s.get("fd", 0),
                "proto": s["proto"],
                "local": {"address": s.get("laddr") or "*", "port": str(s.get("lport") or "*")},
                "foreign": {"address": s.get("faddr") or "*", "port": str(s.get("fport") or "*")},
            })  # fmt: skip
        ctx.print(json.dumps({"__version": "1", "sockstat": {"socket": out}}))
        return 0
    addrw = 45 if wide else 21
    lines = []
    if "q" not in o:
        head = f"{'USER':<8} {'COMMAND':<10} {'PID':<5} {'FD':<3} {'PROTO':<6} {'LOCAL ADDRESS':<{addrw}} "
        head += f"{'FOREIGN ADDRESS':<{addrw}}"
        if "i" in o:
            head += f" {'ID':<8}"
        if "U" in o:
            head += f" {'ENCAPS':<6}"
        if "s" in o:
            head += f" {'PATH STATE':<12} {'CONN STATE':<12}"
        lines.append(head)
    for proc, s in rows:
        user = str(_uid(ctx, proc["user"])) if "n" in o else proc["user"]
        line = f"{user} "
        line = line.ljust(9) + proc["command"][:10]
        line = line.ljust(20) + f"{proc['pid']:5d} "
        line = line.ljust(26) + f"{s.get('fd', 0):<3d} "
        line = line.ljust(30)
        proto = s["proto"]
        line += proto + (" " if proto[-1:] in "46" else "")
        line = line.ljust(37) + fmtaddr(s.get("laddr"), s.get("lport"))
        if ":" in (s.get("laddr") or "") and len(line) >= 58:
            line += " "
        line = line.ljust(37 + (46 if wide else 22)) + fmtaddr(s.get("faddr"), s.get("fport"))
        offset = 37 + 2 * (46 if wide else 22)
        if "i" in o:
            line = line.ljust(offset) + str(s.get("gencnt", proc["pid"] * 100 + s.get("fd", 0)))
            offset += 9
        if "U" in o:
            offset += 7
        if "s" in o:
            offset += 13
            if proto.startswith("tcp"):
                line = line.ljust(offset) + s.get("state", "LISTEN" if not s.get("fport") else "ESTABLISHED")
        lines.append(line)
    if lines:
        ctx.out.write("\n".join(lines) + "\n")
    return 0
