"""jls(8): list jails (tests/fixtures/freebsd/BEHAVIOUR.md §4).

src: usr.sbin/jls/jls.c (libxo version) main(), add_param(), sort_param(), noname(), nononame(),
print_jail(), quoted_print(), special_print(); lib/libjail/jail.c jailparam_export() (values as
text: booleans "true"/"false", jailsys "disable"/"new"/"inherit", arrays comma-joined).
Errors go through libxo's xo_errx(), which prefixes the program name like errx(3)
(src: libxo xo_warn_hcv()).  One shared-lock read of the state answers the whole call.
"""

import json

from .. import bsdgetopt, jails, kernel

USAGE = "usage: jls [-dhNnqv] [-j jail] [param ...]"

# jls.c pflags
DEFAULT, HEADER, NAMEVAL, QUOTED, SKIP, VERBOSE, JAIL_NAME = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40


def _libxo(argv):
    """xo_parse_args(): strip ``--libxo FMT`` / ``--libxo=FMT`` / ``--libxo:FMT``; returns (style, rest)."""
    fmt = None
    rest = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--libxo" and i + 1 < len(argv):
            fmt = argv[i + 1]
            i += 2
            continue
        if a.startswith("--libxo=") or a.startswith("--libxo:"):
            fmt = a[8:]
        else:
            rest.append(a)
        i += 1
    if fmt is not None:
        fmt = "json" if "json" in fmt else "xml" if "xml" in fmt else "text"
    return fmt, rest


def _all_params(state):
    # src: jls.c add_param("all") -> libjail jailparam_all(): every security.jail.param.* the
    # kernel has now (module parameters once loaded), then sort_param(): names without a dot
    # first, then dotted ones, each in strcmp order
    names = jails.listed(state)
    return sorted(n for n in names if "." not in n) + sorted(n for n in names if "." in n)


def _noname(name):
    head, dot, last = name.rpartition(".")
    return f"{head}{dot}no{last}"


def _nononame(name):
    head, dot, last = name.rpartition(".")
    return f"{head}{dot}{last[2:]}"


class _Param:
    """One requested parameter: the name as given (``allow.nomount``), the record key, negated."""

    def __init__(self, name):
        self.name = name
        self.key = jails.canonical(name)
        self.nobool = self.key != name  # libjail JP_NOBOOL: the "no" form of a boolean
        typ, flag = jails.PARAMS[self.key]
        self.type = typ
        self.flag = flag


def _value(p, rec, state, ctx_jid):
    if p.key == "name":
        return jails.relname(state, ctx_jid, rec)
    v = jails.get_param(rec, p.key)  # as kern_jail_get() reports it (ip4/ip6 jailsys values)
    if p.key == "parent" and ctx_jid and v == ctx_jid:
        return 0
    if p.type == "bool":
        v = bool(v)
        return (not v) if p.nobool else v
    return v


def _export(p, v):
    """libjail jailparam_export(): the text form of a value."""
    if p.type == "bool":
        return "true" if v else "false"
    if isinstance(v, list):
        return ",".join(v)
    return "" if v is None else str(v)


def main(ctx, argv):
    fmt, argv = _libxo(argv)
    opts, args = bsdgetopt.parse(ctx, argv, "acdj:hNnqsv") or (None, None)
    if opts is None:
        ctx.errx(1, USAGE)
    pflags = 0
    dying = False
    check = False
    jid, jname = 0, None
    for o, v in opts:
        if o == "c":
            check = True
        elif o in ("a", "d"):
            dying = True
        elif o == "j":
            # src: jls.c main(): strtoul; zero or trailing garbage -> a name
            jid, jname = (int(v), None) if v.isdigit() and int(v) else (0, v)
        elif o == "h":
            pflags = (pflags & ~(SKIP | VERBOSE)) | HEADER
        elif o == "N":
            pflags |= JAIL_NAME
        elif o == "n":
            pflags = (pflags & ~VERBOSE) | NAMEVAL
        elif o == "q":
            pflags |= QUOTED
        elif o == "s":
            pflags = (pflags & ~(HEADER | VERBOSE)) | NAMEVAL | QUOTED | SKIP
        elif o == "v":
            pflags = (pflags & ~(HEADER | NAMEVAL | SKIP)) | VERBOSE
    state = kernel.read_state()
    if check:
        return _check(ctx, state, opts, args, jid, jname, dying)
    params = []
    if not args:
        if pflags & (HEADER | NAMEVAL):
            args = ["all"]
        elif not pflags & VERBOSE:
            pflags |= DEFAULT
    else:
        pflags &= ~VERBOSE
    for a in args:
        for n in _all_params(state) if a == "all" else [a]:
            if jails.canonical(n) is None:
                # src: libjail jailparam_type() "unknown parameter: %s" via xo_errx()
                ctx.errx(1, f"unknown parameter: {n}")
            if all(p.name != n for p in params):
                params.append(_Param(n))

    missing = None
    if jid or jname is not None:
        r = jails.find(state, jid or jname, ctx.jid, dying=dying)
        if r is None:
            # kernel errmsg (sys/kern/kern_jail.c kern_jail_get()) via jailparam_get + xo_errx
            missing = f"jail {jid} not found" if jid else f'jail "{jname}" not found'
        recs = [] if r is None else [r]
    else:
        recs = sorted(jails.visible(state, ctx.jid).values(), key=lambda r: r["jid"])
        if not dying:
            recs = [r for r in recs if not r.get("dying")]

    if pflags & VERBOSE:
        rows = _verbose_rows(state, recs, ctx.jid)
    elif pflags & DEFAULT:
        rows = _default_rows(state, recs, ctx.jid, pflags & JAIL_NAME)
    else:
        rows = None
    if fmt in ("json", "xml"):
        if rows is None:
            rows = [_param_json(p_row) for p_row in _param_values(state, recs, ctx.jid, params)]
        if missing:
            ctx.errx(1, missing)
        return _emit_json(ctx, rows) if fmt == "json" else _emit_xml(ctx, rows)

    out = []
    if pflags & VERBOSE:
        out += [
            "   JID  Hostname                      Path",
            "        Name                          State",
            "        CPUSetID",
            "        IP Address(es)",
        ]
        for row in rows:
            out.append(f"{row['jid']:>6}  {row['hostname'][:29]:<29} {row['path'][:74]}")
            out.append(f"        {row['name'][:29]:<29} {row['state'][:74]}")
            out.append(f"        {row['cpusetid']}")
            out += [f"        {a}" for a in row["ipv4_addrs"] + row["ipv6_addrs"]]
    elif pflags & DEFAULT:
        if pflags & JAIL_NAME:
            out.append(f" {'JID':<15} {'IP Address':<15} {'Hostname':<29} Path")
        else:
            out.append(f"{'JID':>6}  IP Address{'':6}Hostname{'':22}Path")
        for row in rows:
            head = f" {row['name']:<15} " if pflags & JAIL_NAME else f"{row['jid']:>6}  "
            out.append(f"{head}{row['ipv4'][:15]:<15} {row['hostname'][:29]:<29} {row['path'][:74]}")
    else:
        if pflags & HEADER:
            out.append(" ".join(p.name for p in params))
        for values in _param_values(state, recs, ctx.jid, params):
            out.append(_param_line(values, pflags))
    if out:
        ctx.out.write("\n".join(out) + "\n")
    if missing:
        # the header is already on stdout when print_jail() fails (jls.c main())
        ctx.out.flush()
        ctx.errx(1, missing)
    return 0


def _check(ctx, state, opts, args, jid, jname, dying):
    """``jls -c [-d] -j jail``: only the exit status says whether the jail exists.

    src: usr.sbin/jls/jls.8 (FreeBSD 15.x, man.freebsd.org): "When the -c option is used, jls
    will not emit any output except for usage errors.  This mode is intended solely to check for
    a single jail's existence, and it does not accept any parameter or print-option flags."
    FreeBSD's own usr.sbin/jail/tests/jail_basic_test.sh (jid_name_set) loops on ``jls -cj JID``
    and ``jls -c -j JID``.  The 14.3-RELEASE jls(8) has no -c (its synopsis is
    ``jls [--libxo] [-dhNnqsv] [-j jail] [parameter ...]``).  Exit status 1 for a missing jail and
    the usage text for a misuse: UNVERIFIED (jls.c with -c was not in the search index).
    """
    misuse = args or not (jid or jname is not None) or any(o not in ("c", "a", "d", "j") for o, _v in opts)
    if misuse:
        ctx.errx(1, USAGE)
    return 0 if jails.find(state, jid or jname, ctx.jid, dying=dying) is not None else 1


def _default_rows(state, recs, ctx_jid, by_name):
    rows = []
    for r in recs:
        ip = r.get("ip4.addr") or []
        row = {"name": jails.relname(state, ctx_jid, r)} if by_name else {"jid": r["jid"]}
        row.update({"ipv4": ip[0] if ip else "", "hostname": r.get("host.hostname", ""), "path": r["path"]})
        rows.append(row)
    return rows


def _verbose_rows(state, recs, ctx_jid):
    return [
        {
            "jid": r["jid"],
            "hostname": r.get("host.hostname", ""),
            "path": r["path"],
            "name": jails.relname(state, ctx_jid, r),
            "state": "DYING" if r.get("dying") else "ACTIVE",
            "cpusetid": r.get("cpuset.id", 0),
            "ipv4_addrs": list(r.get("ip4.addr") or []),
            "ipv6_addrs": list(r.get("ip6.addr") or []),
        }
        for r in recs
    ]


def _param_values(state, recs, ctx_jid, params):
    return [[(p, _value(p, r, state, ctx_jid), r) for p in params] for r in recs]


def _skip(p, rec):
    """-s: read-only parameters, and children of a jailsys parameter that is not "new".

    src: jls.c main() (PRINT_SKIP: each dotted parameter's parent, up to the first dot, is added
    JP_OPT) and print_jail() (skipped: no CTLFLAG_WR|CTLFLAG_TUN, or a parent whose value is not
    JAIL_SYS_NEW).  kern_jail_get() never reports ip4/ip6 as "new" (see jails.get_param()), so
    ip4.addr, ip4.saddrsel, ip6.addr and ip6.saddrsel are never printed by -s.
    """
    if p.flag == "RD":
        return True
    parent = p.key.split(".", 1)[0]
    if parent != p.key and jails.PARAMS.get(parent, ("",))[0] == "jailsys":
        return jails.get_param(rec, parent) != "new"
    return False


def _param_line(values, pflags):
    fields = []
    for p, v, rec in values:
        if pflags & SKIP and _skip(p, rec):
            continue
        if pflags & NAMEVAL and p.type == "bool":
            # src: jls.c print_jail(): "name" when true, else noname() (nononame() for JP_NOBOOL)
            fields.append(p.name if v else (_nononame(p.name) if p.nobool else _noname(p.name)))
            continue
        prefix = f"{p.name}=" if pflags & NAMEVAL else ""
        if isinstance(v, list) and not v:
            # special_print(): an empty array
            fields.append(prefix + ('""' if pflags & QUOTED else "" if pflags & NAMEVAL else "-"))
            continue
        s = _export(p, v)
        if s == "":
            fields.append(prefix + '""')  # quoted_print(): an empty string is always quoted
            continue
        qc = '"' if "'" in s else "'" if '"' in s else '"' if (" " in s or "\t" in s) else ""
        if not pflags & QUOTED:
            qc = ""
        fields.append(f"{prefix}{qc}{s}{qc}")  # no backslash escapes in the libxo jls
    return " ".join(fields)


def _param_json(values):
    row = {}
    for p, v, _rec in values:
        if p.type == "bool":
            row[p.name] = bool(v)
        elif isinstance(v, list):
            row[p.name] = list(v)  # emit_ip_addr_list(): a list (exact libxo nesting UNVERIFIED)
        else:
            row[p.name] = _export(p, v)  # {:name/%s}: libxo strings
    return row


def _emit_json(ctx, rows):
    ctx.print(json.dumps({"__version": "2", "jail-information": {"jail": rows}}))
    return 0


def _emit_xml(ctx, rows):
    out = ['<jail-information __version="2">']
    for row in rows:
        out.append("<jail>")
        for k, v in row.items():
            for item in v if isinstance(v, list) else [v]:
                text = (("true" if item else "false") if isinstance(item, bool) else str(item)).replace("&", "&amp;")
                out.append(f"<{k}>{text.replace('<', '&lt;')}</{k}>")
        out.append("</jail>")
    out.append("</jail-information>")
    ctx.print("".join(out))
    return 0
