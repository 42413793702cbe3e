"""jail(8)'s state.c: which jails an operation applies to, and in what order.

src: usr.sbin/jail/state.c start_state()/dep_setup()/dep_check()/next_jail(), jail.c main().
"""

import os

from ... import jailconf, jails, kernel
from . import config
from .config import Failed, Job


class Sched:
    """The jails of jail.conf with their dependencies, and the order operations take.

    src: state.c dep_setup() (``depend`` edges and the implied, "light" edge from ``a.b`` to its
    parent ``a``; undefined names; loops), dep_check()/dep_done() (a jail waits for what it
    depends on to be started -- or, stopping, for what depends on it to be stopped -- and is
    "skipped" when one of those failed), jail.c main() (JF_DEPEND jails: no "already exists",
    no "not found").  The queues of state.c become a depth-first walk: the same order for
    chains and trees, one jail at a time (jail -p is not modelled).
    """

    def __init__(self, ctx, j, confjails):
        self.ctx, self.j = ctx, j
        self.conf = {c.name: c for c in confjails}
        self.order = [c.name for c in confjails]
        self.deps = {n: [] for n in self.order}  # name -> [(dependee, light)]
        self.failed = {c.name for c in confjails if c.errors}
        self.status = {}
        self.rc = 0

    def job(self, name):
        return Job(name, [[n, list(v)] for n, v in self.conf[name].params])

    def rdeps(self, name):
        """The jails that depend on ``name`` (state.c dep[DEP_TO]), in jail.conf order."""
        return [(n, light) for n in self.order for d, light in self.deps[n] if d == name]

    def dep_setup(self):
        """src: state.c dep_setup(docf=1)."""
        ndeps = nlight = 0
        for name in self.order:
            if name in self.failed:
                continue
            for d in self.job(name).get("depend") or []:
                if d in self.conf:
                    ndeps += 1
                    self.deps[name].append((d, False))
                else:
                    self.j.warn(Job(name, []), f'depends on undefined jail "{d}"')
                    self.failed.add(name)
            # "A jail has an implied dependency on its parent."
            parent = name.rpartition(".")[0]
            if parent and parent in self.conf:
                nlight += 1
                self.deps[name].append((parent, True))
        if ndeps and (ndeps > 1 or nlight):
            self._loops()

    def _loops(self):
        """src: state.c dep_setup() "Look for dependency loops": run the start order on every
        jail; while some still wait, the first waiting one (jail.conf order) is reported as a
        "dependency loop", failed, and released."""
        waiting = {n: len(self.deps[n]) for n in self.order}
        ready = [n for n in self.order if not waiting[n]]
        done = set()
        while True:
            while ready:
                n = ready.pop(0)
                done.add(n)
                for m, _light in self.rdeps(n):
                    waiting[m] -= 1
                    if not waiting[m] and m not in done and m not in ready:
                        ready.append(m)
            stuck = [n for n in self.order if n not in done]
            if not stuck:
                return
            self.j.warn(Job(stuck[0], []), "dependency loop")
            self.failed.add(stuck[0])
            ready.append(stuck[0])

    def queue_order(self, names, stopping):
        """The order of a global operation (no jail named, or "*"): src: state.c start_state()
        queues every jail, those with nothing to wait for on ``ready`` in jail.conf order, the
        others on ``depend``; dep_done() moves a jail to the tail of ``ready`` once the last
        jail it waits for is done.  Stopping, a jail waits for its dependents instead."""
        pending = {n: len(self.rdeps(n) if stopping else self.deps[n]) for n in names}
        ready = [n for n in names if not pending[n]]
        out = []
        while ready:
            n = ready.pop(0)
            out.append(n)
            for m, _light in self.deps[n] if stopping else self.rdeps(n):
                if m in pending:
                    pending[m] -= 1
                    if not pending[m]:
                        ready.append(m)
        return out + [n for n in names if n not in out]

    def _fail(self, name):
        self.status[name] = "failed"
        self.rc = 1
        return False

    def _skipped(self, name, depend):
        # src: state.c dep_check()/dep_done(): jail_warnx(j, "skipped") unless JF_DEPEND
        if not depend and self.j.verbose >= 0:
            self.j.warn(Job(name, []), "skipped")
        return self._fail(name)

    def start(self, name, depend=False, wild=False):
        """jail -c for one configured jail, after what it depends on (src: jail.c main() JF_START)."""
        if name in self.status:
            return self.status[name] == "ok"
        self.status[name] = "busy"
        if name in self.failed:
            return self._fail(name)
        job = self.job(name)
        rec = _lookup(self.ctx, job)
        if rec is not None and not (depend or wild):
            self.j.qwarn(job, "already exists")
            return self._fail(name)
        for d, _light in self.deps[name]:
            if not self.start(d, depend=True):
                return self._skipped(name, depend)
        if rec is None:
            try:
                self.j.create(job, self.ctx.jid)
            except Failed:
                return self._fail(name)
        self.status[name] = "ok"
        return True

    def stop(self, name, depend=False, wild=False):
        """jail -r for one configured jail, after the jails that depend on it (JF_STOP, reversed)."""
        if name in self.status:
            return self.status[name] == "ok"
        self.status[name] = "busy"
        if name in self.failed:
            return self._fail(name)
        for d, _light in self.rdeps(name):
            if not self.stop(d, depend=True):
                return self._skipped(name, depend)
        job = self.job(name)
        rec = _lookup(self.ctx, job)
        if rec is None:
            if depend or wild:
                self.status[name] = "ok"
                return True
            if self.j.verbose >= 0:
                self.j.qwarn(job, "not found")
            return self._fail(name)
        try:
            self.j.remove(job, rec, True)
        except Failed:
            return self._fail(name)
        self.status[name] = "ok"
        return True

    def restart(self, name, wild=False):
        """JF_RESTART (jail -rc, or -rm changing a create-only parameter): the jails that depend
        on this one are stopped first and NOT started again (state.c dep_check(): JF_RESTART
        gives dependents JF_STOP); then this jail stops and starts, after its own dependencies."""
        for d, _light in self.rdeps(name):
            if not self.stop(d, depend=True):
                return self._skipped(name, False)
        job = self.job(name)
        rec = _lookup(self.ctx, job)
        if rec is None and not wild:
            # src: jail.c main() JF_RESTART with jid < 0 and neither JF_DEPEND nor JF_WILD:
            # "not found", failed -- it is not started either
            if self.j.verbose >= 0:
                self.j.qwarn(job, "not found")
            return self._fail(name)
        if rec is not None:
            try:
                self.j.remove(job, rec, True)
            except Failed:
                return self._fail(name)
        self.status.pop(name, None)
        return self.start(name, wild=True)


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
        if "r" in op and "R" not in op and any("=" in a for a in args):
            return j.usage()
        rflag = "R" in op
        confjails = []
        path = cfname or config.CONF
        if not rflag and (path == "-" or os.path.exists(ctx.path(path))):
            confjails = config.load(ctx, cfname)
            j.docf = True
        # src: jail.c main(): note_remove = docf || argc > 1 || wild_jail_name(argv[0])
        j.note_remove = j.docf or len(args) > 1 or jailconf.wild_jail_name(args[0])
        sched = Sched(ctx, j, confjails)
        if j.docf:
            sched.dep_setup()
        for a in args:
            _remove_target(ctx, j, sched, a, rflag)
        return sched.rc
    if cmdline or noconf:
        if "R" in op:
            return j.usage()
        job = Job(None, config.cmdline_params(args, optparams))
        for d in job.get("depend") or []:
            # src: state.c dep_setup(docf=0): "depend" of a command-line jail names running jails
            if jails.find(kernel.read_state(), d, ctx.jid) is None:
                ctx.warnx(f'depends on nonexistent jail "{d}"')
                return 1
        if "r" in op:
            return _restart_or_modify(ctx, j, job, op)
        return _create_one(ctx, j, job) if op == {"c"} else _restart_or_modify(ctx, j, job, op)
    # from the config file
    confjails = config.load(ctx, cfname)
    j.docf = True
    if len(args) > 1:
        return j.usage()
    sched = Sched(ctx, j, confjails)
    sched.dep_setup()
    wild = not args or jailconf.wild_jail_name(args[0])
    if args and wild:
        sel = [c for c in confjails if jailconf.wild_jail_match(c.name, args[0]) or args[0] == "*"]
    elif args:
        sel = [c for c in confjails if c.name == args[0]]
        if not sel:
            if "r" in op and "c" not in op:
                _remove_target(ctx, j, sched, args[0], False)
                return sched.rc
            # src: state.c start_state(): a named jail missing from the file
            ctx.warnx(f'"{args[0]}" not found')
            return 1
    else:
        sel = confjails
    if not args or args[0] == "*":
        order = sched.queue_order([c.name for c in sel], stopping="r" in op and "c" not in op and "m" not in op)
        sel = [sched.conf[n] for n in order]
    # note_remove stays 0 here (jail.c main() sets it only for -r/-R), so a -rc stop is silent
    for c in sel:
        if op == {"c"}:
            sched.start(c.name, wild=wild)
        elif op == {"c", "r"}:
            sched.restart(c.name, wild=wild)
        elif c.name in sched.failed:
            sched.rc = 1
        else:
            sched.rc |= _restart_or_modify(ctx, j, sched.job(c.name), op, sched)
    return sched.rc


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


def _restart_or_modify(ctx, j, job, op, sched=None):
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
                    if sched is not None:
                        return 0 if sched.restart(job.cname) else 1
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


def _remove_target(ctx, j, sched, a, rflag):
    """One operand of jail -r/-R (src: state.c start_state(target, docf, JF_STOP, Rflag))."""
    if jailconf.wild_jail_name(a) and not rflag:
        # -r: wildcards match the jails of jail.conf only ("*" is all of them)
        names = sched.order if a != "*" else sched.queue_order(sched.order, stopping=True)
        for name in names:
            if a == "*" or jailconf.wild_jail_match(name, a):
                sched.stop(name, wild=True)
        return
    if not rflag and a in sched.conf:
        sched.stop(a)
        return
    state = kernel.read_state()
    if jailconf.wild_jail_name(a):
        # -R matches its wildcards against the running jails (jail_get lastjid: ascending jid)
        recs = sorted(
            (
                r
                for r in jails.visible(state, ctx.jid).values()
                if jailconf.wild_jail_match(jails.relname(state, ctx.jid, r), a)
            ),
            key=lambda r: r["jid"],
        )
        names = [jails.relname(state, ctx.jid, r) for r in recs]
    else:
        # "Allow -[rR] to specify a currently running jail": state.c running_jail() looks the
        # operand up as a jid or a name and takes the jail.conf entry of that NAME if there is
        # one (so jail -r JID runs its exec.prestop); otherwise a jail with no parameters
        r = jails.find(state, a, ctx.jid)
        if r is None:
            if j.verbose >= 0:
                ctx.warnx(f'"{a}" not found')
            sched.rc = 1
            return
        name = jails.relname(state, ctx.jid, r)
        if name in sched.conf:
            sched.stop(name)
            return
        recs, names = [r], [name]
    for rec, name in zip(recs, names):
        # no parameters: no exec.*, mounts or aliases to undo (jail.8 -R)
        try:
            j.remove(Job(name, [["name", [name]]]), rec, False)
        except Failed:
            sched.rc = 1
