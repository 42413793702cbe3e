"""jail(8)'s state.c: which jails an operation applies to, and in what order.

src: usr.sbin/jail/state.c start_state()/dep_setup()/dep_check()/next_jail(), jail.c main().
"""

import os

from ... import jailconf, jails, kernel
from . import config
from .config import Failed, Job


def dispatch(ctx, j, op, args, cfname, optparams, noconf):
    if not op:
        # legacy style: path hostname ip[,ip...] command...
        if len(args) < 4 or not args[0].startswith("/"):
            return j.usage()
        params = [["path", [args[0]]], ["host.hostname", [args[1]]]]
        ip4 = [a for a in args[2].split(",") if a and ":" not in a]
        ip6 = [a for a in args[2].split(",") if a and ":" in a]
        if ip4:
            params.append(["ip4.addr", ip4])
        if ip6:
            params.append(["ip6.addr", ip6])
        params = optparams + params + [["command", args[3:]]]
        job = Job(None, params)
        job.legacy = True
        return _create_one(ctx, j, job)
    cmdline = ("c" in op or "m" in op) and (len(args) > 1 or (len(args) == 1 and "=" in args[0]))
    if op <= {"r", "R"} and not ("c" in op or "m" in op):
        if not args:
            return j.usage()
        if "r" in op and any("=" in a for a in args):
            return j.usage()
        confjails = []
        path = cfname or config.CONF
        if "R" not in op and (path == "-" or os.path.exists(ctx.path(path))):
            confjails = config.load(ctx, cfname)
            j.docf = True
        wildcard = any(jailconf.wild_jail_name(a) for a in args)
        j.note_remove = j.docf or len(args) > 1 or wildcard
        return _remove_args(ctx, j, args, confjails, "R" not in op)
    if cmdline or noconf:
        if "R" in op:
            return j.usage()
        job = Job(None, config.cmdline_params(args, optparams))
        if "r" in op:
            return _restart_or_modify(ctx, j, job, op)
        return _create_one(ctx, j, job) if op == {"c"} else _restart_or_modify(ctx, j, job, op)
    # from the config file
    confjails = config.load(ctx, cfname)
    j.docf = True
    if len(args) > 1:
        return j.usage()
    if args and jailconf.wild_jail_name(args[0]):
        sel = [c for c in confjails if jailconf.wild_jail_match(c.name, args[0]) or args[0] == "*"]
    elif args:
        sel = [c for c in confjails if c.name == args[0]]
        if not sel:
            if "r" in op and "c" not in op:
                return _remove_args(ctx, j, args, [], True)
            # src: jail.c main(): a named jail missing from the file
            ctx.warnx(f'"{args[0]}" not found')
            return 1
    else:
        sel = confjails
    j.note_remove = True
    rc = 0
    for c in sel:
        if c.errors:
            rc = 1
            continue
        job = Job(c.name, [[n, list(v)] for n, v in c.params])
        rc |= _restart_or_modify(ctx, j, job, op) if op != {"c"} else _create_one(ctx, j, job)
    return rc


def _create_one(ctx, j, job):
    try:
        j.create(job, ctx.jid)
    except Failed:
        return 1
    return 0


def _lookup(ctx, job):
    key = job.string("jid") or job.string("name") or job.cname
    state = kernel.read_state()
    return jails.find(state, key, ctx.jid) if key is not None else None


def _restart_or_modify(ctx, j, job, op):
    try:
        rec = _lookup(ctx, job)
        if "r" in op and "c" in op and "m" not in op:
            if rec is not None:
                j.remove(job, rec, True)
            j.create(job, ctx.jid)
            return 0
        if "m" in op:
            if rec is None:
                if "c" in op:
                    j.create(job, ctx.jid)
                    return 0
                j.qwarn(job, "not found")
                return 1
            if "r" in op:
                kparams = j.split(job)
                if any(jails.PARAMS[p][1] == "RDTUN" and rec.get(p) != v for p, v in kparams.items() if p != "jid"):
                    j.remove(job, rec, True)
                    j.create(job, ctx.jid)
                    return 0
            j.modify(job, rec, ctx.jid)
            return 0
        if "r" in op:
            if rec is None:
                if j.verbose >= 0:
                    j.qwarn(job, "not found")
                return 1
            j.remove(job, rec, True)
            return 0
        return _create_one(ctx, j, job)
    except Failed:
        return 1


def _remove_args(ctx, j, args, confjails, use_conf):
    state = kernel.read_state()
    rc = 0
    for a in args:
        if jailconf.wild_jail_name(a):
            recs = [
                r
                for r in jails.visible(state, ctx.jid).values()
                if a == "*" or jailconf.wild_jail_match(jails.relname(state, ctx.jid, r), a)
            ]
            recs.sort(key=lambda r: r["jid"], reverse=True)
        else:
            r = jails.find(state, a, ctx.jid)
            if r is None:
                if j.verbose >= 0:
                    ctx.warnx(f'"{a}" not found')
                rc = 1
                continue
            recs = [r]
        for rec in recs:
            name = jails.relname(state, ctx.jid, rec)
            conf = next((c for c in confjails if c.name == name), None)
            if conf is not None:
                job = Job(conf.name, [[n, list(v)] for n, v in conf.params])
            else:
                job = Job(name if j.docf else None, [["name", [name]]])
                if use_conf and not j.docf:
                    job = Job(None, [["name", [name]]])
            try:
                j.remove(job, rec, use_conf)
            except Failed:
                rc = 1
    return rc
