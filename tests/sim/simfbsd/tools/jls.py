"""jls(8): list jails (BEHAVIOUR.md §4; src: usr.sbin/jls/jls.c main()/add_param()/print_jail()/sort_param()).

One shared-lock read of the state answers the whole call.
"""

import json

from .. import jails, kernel

USAGE = "usage: jls [-dhNnqv] [-j jail] [param ...]\n"


def _libxo(argv):
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


def _all_params():
    # src: jls.c sort_param(): names without a dot first, then dotted ones, each alphabetical
    names = list(jails.PARAMS)
    return sorted(n for n in names if "." not in n) + sorted(n for n in names if "." in n)


def _export(rec, name, state, ctx_jid):
    v = rec.get(name)
    if name == "name":
        return jails.relname(state, ctx_jid, rec)
    if name == "parent" and ctx_jid and v == ctx_jid:
        return 0
    return v


def _text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ",".join(v)
    return str(v)


def _quote(s):
    # src: jls.c quoted_print() (libxo version: no backslash escapes)
    if s == "":
        return '""'
    if "'" in s:
        return f'"{s}"'
    if '"' in s:
        return f"'{s}'"
    if " " in s or "\t" in s:
        return f'"{s}"'
    return s


def _noname(name):
    head, dot, last = name.rpartition(".")
    return f"{head}{dot}no{last}"


def main(ctx, argv):
    import getopt

    fmt, argv = _libxo(argv)
    try:
        opts, params = getopt.getopt(argv, "adj:hNnqsv")
    except getopt.GetoptError:
        ctx.err.write(USAGE)
        return 1
    flags = {o for o, _ in opts}
    jkey = None
    for o, v in opts:
        if o == "-j":
            jkey = v
    if "-s" in flags:
        flags |= {"-n", "-q"}
    dying = "-d" in flags or "-a" in flags
    for p in params:
        if p != "all" and jails.canonical(p) is None:
            ctx.warnx(f"unknown parameter: {p}")
            return 1
    state = kernel.read_state()
    recs = sorted(jails.visible(state, ctx.jid).values(), key=lambda r: r["jid"])
    if not dying:
        recs = [r for r in recs if not r.get("dying")]
    if jkey is not None:
        r = jails.find(state, jkey, ctx.jid, dying=dying)
        if r is None:
            if jkey.isdigit() and int(jkey):
                ctx.warnx(f"jail {int(jkey)} not found")  # libjail/kernel text: UNVERIFIED
            else:
                ctx.warnx(f'jail "{jkey}" not found')
            return 1
        recs = [r]
    if not params and (flags & {"-h", "-n", "-s"}):
        params = ["all"]
    if params:
        names = []
        for p in params:
            for n in _all_params() if p == "all" else [jails.canonical(p)]:
                if n not in names:
                    names.append(n)
        if "-s" in flags:
            names = [n for n in names if jails.PARAMS[n][1] != "RD"]
        return _params(ctx, state, recs, names, flags, fmt)
    if "-v" in flags:
        return _verbose(ctx, state, recs, fmt)
    return _default(ctx, state, recs, "-N" in flags, fmt)


def _emit_json(ctx, rows):
    ctx.print(json.dumps({"__version": "2", "jail-information": {"jail": rows}}))
    return 0


def _emit_xml(ctx, rows):
    out = ['<jail-information __version="2">']
    for row in rows:
        out.append("<jail>")
        for k, v in row.items():
            for item in v if isinstance(v, list) else [v]:
                text = _text(item).replace("&", "&amp;").replace("<", "&lt;")
                out.append(f"<{k}>{text}</{k}>")
        out.append("</jail>")
    out.append("</jail-information>")
    ctx.print("".join(out))
    return 0


def _default(ctx, state, recs, by_name, fmt):
    rows = []
    for r in recs:
        ip = r.get("ip4.addr") or []
        row = {"name": jails.relname(state, ctx.jid, r)} if by_name else {"jid": r["jid"]}
        row.update({"ipv4": ip[0] if ip else "", "hostname": r.get("host.hostname", ""), "path": r["path"]})
        rows.append(row)
    if fmt == "json":
        return _emit_json(ctx, rows)
    if fmt == "xml":
        return _emit_xml(ctx, rows)
    lines = []
    if by_name:
        lines.append(" JID             IP Address      Hostname                      Path")
    else:
        lines.append("   JID  IP Address      Hostname                      Path")
    for row in rows:
        head = f" {row['name']:<15} " if by_name else f"{row['jid']:>6}  "
        lines.append(f"{head}{row['ipv4'][:15]:<15} {row['hostname'][:29]:<29} {row['path'][:74]}")
    ctx.out.write("\n".join(lines) + "\n")
    return 0


def _verbose(ctx, state, recs, fmt):
    rows = []
    for r in recs:
        rows.append(
            {
                "jid": r["jid"],
                "hostname": r.get("host.hostname", ""),
                "path": r["path"],
                "name": jails.relname(state, ctx.jid, r),
                "state": "DYING" if r.get("dying") else "ACTIVE",
                "cpusetid": r.get("cpuset.id", 0),
                "ipv4_addrs": list(r.get("ip4.addr") or []),
                "ipv6_addrs": list(r.get("ip6.addr") or []),
            }
        )
    if fmt == "json":
        return _emit_json(ctx, rows)
    if fmt == "xml":
        return _emit_xml(ctx, rows)
    lines = [
        "   JID  Hostname                      Path",
        "        Name                          State",
        "        CPUSetID",
        "        IP Address(es)",
    ]
    for row in rows:
        lines.append(f"{row['jid']:>6}  {row['hostname'][:29]:<29} {row['path'][:74]}")
        lines.append(f"        {row['name'][:29]:<29} {row['state']}")
        lines.append(f"        {row['cpusetid']}")
        lines += [f"        {a}" for a in row["ipv4_addrs"] + row["ipv6_addrs"]]
    ctx.out.write("\n".join(lines) + "\n")
    return 0


def _params(ctx, state, recs, names, flags, fmt):
    nflag = "-n" in flags
    qflag = "-q" in flags
    if fmt in ("json", "xml"):
        rows = []
        for r in recs:
            row = {}
            for n in names:
                v = _export(r, n, state, ctx.jid)
                row[n] = list(v) if isinstance(v, list) else v
            rows.append(row)
        return _emit_json(ctx, rows) if fmt == "json" else _emit_xml(ctx, rows)
    out = []
    if "-h" in flags:
        out.append(" ".join(names))
    for r in recs:
        fields = []
        for n in names:
            v = _export(r, n, state, ctx.jid)
            typ = jails.PARAMS[n][0]
            if "-s" in flags and "." in n:
                parent = n.split(".")[0]
                if jails.PARAMS.get(parent, ("",))[0] == "jailsys" and r.get(parent) != "new":
                    continue
            if nflag and typ == "bool":
                fields.append(n if v else _noname(n))
                continue
            if isinstance(v, list):
                s = ",".join(v)
                if not v:
                    fields.append(f"{n}=" if nflag else ('""' if qflag else "-"))
                    continue
            else:
                s = _text(v)
            if qflag or (typ == "str" and s == ""):
                s = _quote(s)
            fields.append(f"{n}={s}" if nflag else s)
        out.append(" ".join(fields))
    if out:
        ctx.out.write("\n".join(out) + "\n")
    return 0
