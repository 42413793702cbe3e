# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The jail module's planner (pure): config files + running jails + wanted jails -> a plan.

The plan holds the new text of every config file that changes, the jail(8)
calls in the order they must run (stops with the old configuration, then
the writes, then ``jail -m`` and starts with the new one), the sysrc(8)
settings, the ``actions`` list and both halves of the diff.  The module
only executes it, so check mode reports exactly what a real run does.
"""

from __future__ import annotations

import ipaddress
from collections import namedtuple

from ansible_collections.bsd.jails.plugins.module_utils._bools import truthy
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConf
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_tree import JailConfTree
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import OTHER_PSEUDO, START_PSEUDO
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import Wanted
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

# Kernel parameters that jail -m cannot change on a running jail.
CREATE_ONLY = frozenset(("path", "vnet", "ip4", "ip6", "osrelease", "osreldate", "jid", "name"))
READ_ONLY = frozenset(("parent", "dying", "children.cur", "cpuset.id"))


def _addr(item, version):
    """The address jail(8) passes to the kernel: no ``iface|``, no ``/mask``, no ifconfig params."""
    a = item.split("|", 1)[-1].split("/", 1)[0].split(" ", 1)[0].strip()
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def _norm(key, value, like):
    """``value`` in the form jls shows for ``key`` (``like`` is jls's value, for its type)."""
    if key in ("ip4.addr", "ip6.addr"):
        vals = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
        return [_addr(v, 4 if key == "ip4.addr" else 6) for v in vals]
    if key in ("ip4", "ip6") and str(value) in ("new", "disable"):
        # The kernel keeps one flag for both (pr_flag_jailsys[] in sys/kern/kern_jail.c has the same bit as
        # "disable" and "new"), and kern_jail_get() reports it as "disable": "new" is not a change.
        return "disable"
    if isinstance(like, bool):
        return truthy(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return ",".join(value)
    s = str(value)
    try:
        return str(int(s))
    except ValueError:
        return s


def _kernel_diff(desired, running):
    """{key: (running, desired)} for kernel parameters the running jail has and the config sets."""
    out = {}
    for key, want in desired.items():
        if key in START_PSEUDO or key in OTHER_PSEUDO or key in READ_ONLY or key == "name":
            continue
        if key.startswith("exec.") or key.startswith("mount."):
            continue
        if key not in running:
            continue
        have = running[key]
        w = _norm(key, want, have)
        h = _norm(key, have, have)
        if w != h:
            out[key] = (have, w)
    return out


def _pseudo_diff(old, new):
    return sorted(k for k in set(old) | set(new) if k in START_PSEUDO and old.get(k) != new.get(k))


def _jail_m_arg(key, value):
    if isinstance(value, bool):
        head, dot, last = key.rpartition(".")
        return key if value else f"{head}{dot}no{last}"
    if isinstance(value, list):
        return f"{key}={','.join(value)}"
    return f"{key}={value}"


class Plan:
    def __init__(self):
        self.files = {}  # path -> (before or None, after or None = delete)
        self.stops = []  # (conf_path, [names])
        self.modifies = []  # (name, [param args])
        self.starts = []  # (conf_path, name, jid_file)
        self.sysrc = []  # ["name=value", ...]
        self.actions = []
        self.warnings = []
        self.pending = {}  # name -> [params needing a restart]
        self.before = {}
        self.after = {}
        self.jails = {}
        self.unmanaged = []  # jails defined in the config that exclusive leaves alone (no MARKER)
        self.stale = []  # stale temporary files of an interrupted write, removed by the run

    @property
    def changed(self):
        return bool(self.files or self.stops or self.modifies or self.starts or self.sysrc or self.stale)


def conf_path_for(config, directory_mode, name):
    return f"{config.rstrip('/')}/{name}.conf" if directory_mode else config


def make_plan(
    config,
    directory_mode,
    texts,
    running,
    wanted,
    restart_on_change=False,
    exclusive=False,
    rc_enable=False,
    rc_current=None,
    includes=None,
    rc_parallel_start=None,
    stale=(),
    parsed=None,
):
    """Plan a run: place the edits, decide per jail, then jail(8)'s dependencies, the files and rc.conf.

    config: the O(config) path; directory_mode: one NAME.conf per jail in it.
    texts: {path: text or None} for every config file read.
    running: {name: jls dict} of running jails.
    wanted: list of Wanted (see _jail_params); rc_current: {var: value} read with sysrc, or None.
    rc_enable: keep jail_enable and jail_list (in boot order) right; rc_parallel_start: None, or the
    wanted jail_parallel_start (see _plan_rc).
    includes: file mode only, {path: [[paths], ...]}: what each .include of each file names (see
    JailConfTree).  A jail whose block is in an included file is edited there (and removed from
    every file that defines it); new jails go to config; jail(8) is always given config.
    stale: temporary files an interrupted write left (see _fileio.stale_temps), removed first.
    parsed: {path: JailConf} of files already parsed from ``texts`` (the rest are parsed here).

    Ownership: every block the plan writes for a listed jail carries the MARKER line
    (_jail_conf.MARKER); ``exclusive`` removes only unlisted jails whose block carries it.
    A jail written by hand (or by a version of the collection before the marker) is
    never touched unless the task names it.
    """
    plan = Plan()
    files = ConfFiles(config, directory_mode, texts, includes, parsed)
    for path in stale:
        plan.stale.append(path)
        plan.actions.append(f"remove {path} (left by an interrupted write)")
    wanted = list(wanted)
    if exclusive:
        wanted += exclusive_removals(plan, files, wanted)
    placed = place_edits(files, wanted)
    run = RunState()
    for p in placed:
        edit_actions(plan, files, p)
        decide(plan, run, p, running, files.effective_before(p), files.effective_after(p), restart_on_change)
    if directory_mode:
        for w in wanted:
            if w.block.get("depend"):
                raise JailsError(
                    f"{_field(w, 'depend')}: with config a directory, jail(8) reads only {w.name}.conf and cannot see "
                    "the jails it depends on; use a single config file"
                )
    graph = {}
    if not directory_mode and _uses_dependencies(texts, running, wanted):
        graph = _plan_dependencies(plan, run, wanted, running, files.all_before(), files.all_after(), config)
    plan.stops = list(run.stop_by_conf.items())
    plan.starts = run.starts
    plan.files = files.changed_files()
    if rc_enable or rc_parallel_start is not None:
        _plan_rc(plan, config, directory_mode, wanted, rc_current or {}, graph, rc_enable, rc_parallel_start)
    return plan


class ConfFiles:
    """Plan state: the configuration files as read (``old``) and as the run's edits leave them (``new``).

    In file mode with ``includes``, ``tree``/``tree_after`` resolve ``.include`` (JailConfTree), and
    ``owners`` says which files define each jail.
    """

    def __init__(self, config, directory_mode, texts, includes=None, parsed=None):
        self.config = config
        self.directory_mode = directory_mode
        self.texts = texts
        self.includes = includes
        parsed = parsed or {}
        self.old = {p: parsed[p] if p in parsed else JailConf.parse(t or "") for p, t in texts.items()}
        self.new = {p: conf.copy() for p, conf in self.old.items()}
        self.tree = None if directory_mode or not includes else JailConfTree(config, self.old, includes)
        self.owners = self.tree.owners() if self.tree is not None else {}
        self.tree_after = None
        self.edited = {}  # path -> names of the jails whose block the run changes there
        self._before = {}  # name -> its effective parameters as read

    def path_for(self, name):
        """The file jail(8) is given for jail ``name``."""
        return conf_path_for(self.config, self.directory_mode, name)

    def apply(self, changes):
        """Every file's edits at once ({path: [(name, block or None)]}): one pass over each file."""
        new = self.new
        self.edited = {p: new.setdefault(p, JailConf.parse("")).apply(ch, mark=True) for p, ch in changes.items()}
        if self.tree is not None:
            self.tree_after = JailConfTree(self.config, new, self.includes)

    def defined_before(self, path, name):
        old = self.old.get(path)
        return old is not None and old.defines(name)

    def effective_before(self, placed):
        name = placed.wanted.name
        if name in self._before:
            return self._before[name]
        try:
            if self.tree is not None:
                eff = self.tree.effective(name)
            else:
                eff = (self.old.get(placed.path) or JailConf.parse("")).effective(name)
        except KeyError:
            eff = {}
        self._before[name] = eff
        return eff

    def effective_after(self, placed):
        w = placed.wanted
        if w.state == "absent":
            return {}
        if self.tree_after is not None:
            return self.tree_after.effective(w.name)
        if self._untouched(placed.path, w.name) and placed.path in self.old:
            return self.effective_before(placed)  # the same blocks in the same order: the same parameters
        return self.new[placed.path].effective(w.name)

    def _untouched(self, path, name):
        """No edit of ``path`` changes what jail(8) reads for ``name``: its own blocks are not edited. Only named
        blocks are edited (never a wildcard one or a global parameter), an edit leaves the other blocks in
        order, and a nested block's parameters are its own (test__jail_plan checks each case against a parse
        of the edited file)."""
        return name not in self.edited.get(path, ())

    def all_before(self):
        return _effective_all(self.tree, self.old, self.config)

    def all_after(self):
        return _effective_all(self.tree_after, self.new, self.config)

    def changed_files(self):
        """{path: (before or None, after or None = delete)} of every file whose text changes."""
        out = {}
        for path, conf in self.new.items():
            before = self.texts.get(path)
            after = conf.render()
            if self.directory_mode and before is not None and not conf.jails() and not after.strip():
                after = None  # the jail's own file: delete it rather than leave it empty
            if self.directory_mode and before is None and not conf.jails():
                continue
            if after != before and not (before is None and after == ""):
                out[path] = (before, after)
        return out


# One wanted jail placed: ``path`` is the file jail(8) is given for it, ``where`` the files its block is
# edited in (every file that defines it when it goes, else the last one, or ``path`` for a new jail).
Placed = namedtuple("Placed", "wanted path where")


class RunState:
    """Plan state: the jails to stop, by the file jail(8) is given, and the starts, in order."""

    def __init__(self):
        self.stop_by_conf = {}  # conf_path -> [names]
        self.starts = []  # (conf_path, name, jid_file)


def exclusive_removals(plan, files, wanted):
    """``exclusive``: a Wanted(absent) for each unlisted jail whose block carries the marker."""
    listed = {w.name for w in wanted}
    if files.tree is not None:
        candidates = [(n, paths[-1]) for n, paths in files.owners.items()]
    else:
        candidates = [(n, p) for p, c in sorted(files.old.items()) for n in c.jails()]
    out = []
    for name, path in candidates:
        if name in listed:
            continue
        listed.add(name)
        if not files.old[path].managed(name):
            plan.unmanaged.append(name)
            continue
        out.append(Wanted(name, "absent", {}, None, None, "exclusive"))
        plan.actions.append(f"exclusive: {name} is not listed")
    return out


def place_edits(files, wanted):
    """Place each wanted jail's edit in its file and apply them all; returns a Placed per jail."""
    placed = []
    changes = {}
    for w in wanted:
        path = files.path_for(w.name)
        where = files.owners.get(w.name) or [path]
        where = where if w.state == "absent" else where[-1:]
        placed.append(Placed(w, path, where))
        for p in where:
            changes.setdefault(p, []).append((w.name, None if w.state == "absent" else w.block))
    files.apply(changes)
    return placed


def edit_actions(plan, files, placed):
    """The actions of one jail's edits: remove, add, update, mark."""
    w = placed.wanted
    for epath in placed.where:
        if w.name not in files.edited[epath]:
            continue
        if w.state == "absent":
            plan.actions.append(f"remove {w.name} from {epath}")
        elif not files.defined_before(epath, w.name):
            plan.actions.append(f"add {w.name} in {epath}")
        else:
            if w.name in files.new[epath].rewritten:
                plan.actions.append(f"update {w.name} in {epath}")
            if w.name in files.new[epath].marked:
                plan.actions.append(f"mark {w.name} in {epath} as managed by bsd.jails")


def _live_change(plan, w, run, old_eff, new_eff, restart_on_change, before, after):
    """A running jail that stays up: (stop, start) and the jail -m / pending restart its new parameters need."""
    kdiff = _kernel_diff(new_eff, run)
    restart_keys = [k for k in kdiff if k in CREATE_ONLY]
    addr_keys = [k for k in kdiff if k in ("ip4.addr", "ip6.addr")]
    if addr_keys and ("interface" in new_eff or any("|" in x for k in addr_keys for x in new_eff.get(k, []))):
        restart_keys += addr_keys
    restart_keys += _pseudo_diff(old_eff, new_eff) if old_eff != new_eff else []
    live = {k: v for k, v in kdiff.items() if k not in restart_keys}
    if restart_keys and restart_on_change:
        plan.actions.append(f"restart {w.name}: {', '.join(sorted(set(restart_keys)))} changed")
        for k in kdiff:
            before[k], after[k] = kdiff[k]
        return True, True
    if restart_keys:
        plan.pending[w.name] = sorted(set(restart_keys))
        plan.warnings.append(
            f"jail {w.name}: {', '.join(plan.pending[w.name])} changed; the running jail keeps the old "
            "value until it restarts (set restart_on_change: true to restart it)"
        )
        plan.actions.append(f"restart pending {w.name}: {', '.join(plan.pending[w.name])}")
    if live:
        plan.modifies.append((w.name, [_jail_m_arg(k, v[1]) for k, v in sorted(live.items())]))
        plan.actions.append(f"modify {w.name}: {', '.join(sorted(live))}")
        for k in live:
            before[k], after[k] = live[k]
    return False, False


def decide(plan, state, placed, running, old_eff, new_eff, restart_on_change=False):
    """Decide for one jail: stop, start, restart, jail -m or nothing; record it in ``plan`` and ``state``."""
    w = placed.wanted
    is_running = w.name in running
    run = running.get(w.name, {})
    b = {"running": is_running, "jid": _jid(run)}
    a = dict(b)
    stop = start = False
    if w.state in ("absent", "stopped"):
        stop = is_running
    elif w.state == "restarted":
        stop, start = is_running, True
    elif is_running:
        stop, start = _live_change(plan, w, run, old_eff, new_eff, restart_on_change, b, a)
    elif w.state == "started":
        start = True
    if stop:
        state.stop_by_conf.setdefault(placed.path, []).append(w.name)
        if not start:
            plan.actions.append(f"stop {w.name}")
        a["running"], a["jid"] = False, None
    if start:
        state.starts.append((placed.path, w.name, w.jid_file))
        if stop and w.state == "restarted":
            plan.actions.append(f"restart {w.name}")
        elif not stop:
            plan.actions.append(f"start {w.name}")
        a["running"], a["jid"] = True, "unknown"
    if a != b:
        plan.before[w.name] = b
        plan.after[w.name] = a
    plan.jails[w.name] = {
        "conf_file": placed.where[-1],
        "running": a["running"],
        "jid": a["jid"],
        "state": w.state,
        "params": new_eff,
    }
    if w.name in plan.pending:
        plan.jails[w.name]["restart_pending"] = plan.pending[w.name]


def _field(w, option):
    """How messages name ``option`` of wanted jail ``w``: ``depend`` or ``jails[3].depend``."""
    return option if w.field == "name" else f"{w.field}.{option}"


def _uses_dependencies(texts, running, wanted):
    """Whether any jail can depend on another: a ``depend`` anywhere (the files or the task), or a
    hierarchical (child) jail."""
    if any("depend" in (t or "") for t in texts.values()) or any(w.block.get("depend") for w in wanted):
        return True
    return any("." in n for n in running) or any("." in w.name for w in wanted)


def _effective_all(tree, confs, config):
    if tree is not None:
        return {n: tree.effective(n) for n in tree.jails()}
    conf = confs.get(config)
    return {n: conf.effective(n) for n in conf.jails()} if conf is not None else {}


def _depends_on(effective):
    """{jail: [jails it depends on]}: its ``depend`` list, and its parent for a child jail, as jail(8)'s
    dep_setup() in usr.sbin/jail/state.c adds them."""
    graph = {}
    for name, eff in effective.items():
        deps = eff.get("depend") or []
        deps = [deps] if isinstance(deps, str) else list(deps)
        parent = name.rpartition(".")[0]
        if parent and parent in effective:
            deps.append(parent)
        graph[name] = deps
    return graph


def _check_dependencies(graph, wanted_by_name, config):
    """Refuse what jail(8) would refuse at start: an undefined dependency, a dependency loop."""
    for name, deps in graph.items():
        w = wanted_by_name.get(name)
        if w is None or w.state == "absent":
            continue
        for i, dep in enumerate(deps):
            if dep not in graph:
                raise JailsError(
                    f"{_field(w, 'depend')}[{i}]: jail {dep!r} is not defined in {config}; jail(8) refuses to start "
                    f"{name!r} (depends on undefined jail)"
                )
    state = {}
    for start in sorted(graph):
        path = []
        stack = [(start, iter(graph[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                w = next((wanted_by_name[n] for n in cycle if n in wanted_by_name), None)
                field = _field(w, "depend") if w is not None else "depend"
                raise JailsError(f"{field}: dependency loop {' -> '.join(cycle)}; jail(8) would start none of them")
            if state.get(nxt) is None:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(graph[nxt])))


def _reach(edges, seeds):
    """Every node reachable from ``seeds`` along ``edges`` ({node: [nodes]}), the seeds themselves left out."""
    out = set()
    todo = list(seeds)
    while todo:
        for n in edges.get(todo.pop(), ()):
            if n not in out:
                out.add(n)
                todo.append(n)
    return out


def _closure(graph, seeds):
    """Every jail that depends, directly or not, on one of ``seeds`` (``graph``: jail -> its dependencies)."""
    users = {}
    for name, deps in graph.items():
        for d in deps:
            users.setdefault(d, []).append(name)
    return _reach(users, seeds)


def _plan_dependencies(plan, run, wanted, running, before_all, after_all, config):
    """What jail(8) does to the jails that depend on the ones a run stops or starts, made explicit.

    jail(8) stops, before a jail it is asked to stop (or restart), every running jail that depends on
    it, and does not start them again; it starts, before a jail it is asked to start, every jail that
    one depends on (usr.sbin/jail/state.c dep_check()).  So a dependent jail that should keep running
    is started again after the run, and starts are ordered dependencies first.  A task that stops a
    jail another of its jails needs running is refused before anything changes.  Adds to ``run``
    (RunState) and orders its starts.  Returns the dependency graph of the new configuration.
    """
    stop_by_conf, starts = run.stop_by_conf, run.starts
    by_name = {w.name: w for w in wanted}
    graph_before = _depends_on(before_all)
    graph_after = _depends_on(after_all)
    _check_dependencies(graph_after, by_name, config)
    stopping = {n for names in stop_by_conf.values() for n in names}
    down = _closure(graph_before, stopping)
    going_down = {w.name for w in wanted if w.state in ("stopped", "absent")}
    starting = [s[1] for s in starts]

    def refuse(name, dep):
        w = by_name.get(name)
        field = _field(w, "state") if w is not None else "state"
        raise JailsError(
            f"{field}: jail {name!r} depends on {dep!r}, which this task stops; "
            f"jail(8) starts {dep!r} again to start {name!r}"
        )

    # Jails jail(8) stops on its own: running dependents of a jail the run stops.
    for dep in _topological(graph_before, sorted(down - stopping)):
        w = by_name.get(dep)
        if dep not in running or (w is not None and w.state in ("stopped", "absent")):
            continue
        why = next(d for d in graph_before[dep] if d in stopping or d in down)
        stop_by_conf.setdefault(config, []).append(dep)
        if dep in starting:
            continue
        blocked = sorted(going_down & _requires(graph_after, dep))
        if blocked:
            if w is not None and w.state in ("started", "restarted"):
                refuse(dep, blocked[0])
            plan.actions.append(f"stop {dep}: it depends on {why}")
            plan.warnings.append(f"jail {dep} depends on {why}: jail(8) stops it too, and it stays stopped")
            if w is not None:
                plan.jails[dep].update(running=False, jid=None)
                plan.before.setdefault(dep, {"running": True, "jid": _jid(running[dep])})
                plan.after[dep] = dict(plan.before[dep], running=False, jid=None)
            continue
        starts.append((config, dep, w.jid_file if w is not None else None))
        starting.append(dep)
        plan.actions.append(f"restart {dep}: it depends on {why}")
    # Jails jail(8) starts on its own: what a jail the run starts depends on.
    for name in list(starting):
        for dep in sorted(_requires(graph_after, name)):
            if dep in going_down:
                refuse(name, dep)
            if (dep not in running or dep in stopping) and dep not in starting:
                starts.append((config, dep, by_name[dep].jid_file if dep in by_name else None))
                starting.append(dep)
                plan.actions.append(f"start {dep}: {name} depends on it")
    for name in starting:
        if name in plan.jails:
            plan.jails[name].update(running=True, jid="unknown")
            plan.before.setdefault(name, {"running": name in running, "jid": _jid(running.get(name, {}))})
            plan.after[name] = dict(plan.after.get(name, plan.before[name]), running=True, jid="unknown")
    # Dependencies first, as jail(8) itself orders a wildcard start.
    order = _topological(graph_after, [s[1] for s in starts])
    rank = {n: i for i, n in enumerate(order)}
    run.starts = sorted(starts, key=lambda s: rank[s[1]])
    return graph_after


def _jid(run):
    jid = run.get("jid")
    return int(jid) if jid and str(jid).isdigit() else None


def _requires(graph, name):
    """Every jail ``name`` depends on, directly or not (only jails the config defines)."""
    return {d for d in _reach(graph, [name]) if d in graph}


def _topological(graph, names):
    """``names`` with every jail after the jails it depends on (stable otherwise)."""
    out = []
    seen = set()
    wanted = set(names)

    def visit(n):
        if n in seen:
            return
        seen.add(n)
        for d in graph.get(n, ()):
            if d in wanted:
                visit(d)
        out.append(n)

    for n in names:
        visit(n)
    return out


def _boot_order(names, graph):
    """jail_list ``names`` with every jail after the listed jails it depends on, directly or through
    jails the list leaves out, and in the given order otherwise (a name listed twice, once).

    rc.d/jail (libexec/rc/rc.d/jail jail_start()) runs ``jail -c NAME`` for each name of jail_list in
    turn; jail(8) first starts what NAME depends on (usr.sbin/jail/state.c dep_check()), so a listed
    dependency that comes later already runs and its own ``jail -c`` fails with "already exists"
    (jail.c main(), JF_START): rc.d/jail reports it as not started and writes no jail_NAME.id.
    """
    listed = set(names)
    pos = {}
    for i, n in enumerate(names):
        pos.setdefault(n, i)
    before = {n: sorted(_requires(graph, n) & listed - {n}, key=pos.get) for n in pos}
    return _topological(before, list(pos))


def _checkyesno(value):
    """rc.subr checkyesno(): True, False, or None for a value it warns about (and takes as false)."""
    v = (value or "").strip().upper()
    if v in ("YES", "TRUE", "ON", "1"):
        return True
    if v in ("NO", "FALSE", "OFF", "0"):
        return False
    return None


def _parallel_race(names, graph):
    """A jail two of the listed jails' jail(8) runs would both start (a listed jail, or what one depends on)."""
    seen = set()
    for n in dict.fromkeys(names):
        mine = {n} | _requires(graph, n)
        both = sorted(mine & seen)
        if both:
            return both[0]
        seen |= mine
    return None


def _plan_rc(plan, config, directory_mode, wanted, rc, graph=None, rc_enable=True, parallel=None):
    """The rc.conf variables of rc.d/jail: jail_enable, jail_list in boot order and jail_conf (``rc_enable``),
    jail_parallel_start (``parallel``: True/False, None leaves it alone).  ``graph``: jail -> its dependencies."""
    graph = graph or {}
    words = (rc.get("jail_list") or "").split()
    new = list(words)
    sets = []
    if rc_enable:
        for w in wanted:
            if w.state in ("started", "restarted") and w.name not in new:
                new.append(w.name)
            elif w.state in ("stopped", "absent") and w.name in new:
                new = [n for n in new if n != w.name]
        new = _boot_order(new, graph)
        if _checkyesno(rc.get("jail_enable")) is not True:
            sets.append("jail_enable=YES")
        if new != words:
            sets.append("jail_list=" + " ".join(new))
        if not directory_mode and config != "/etc/jail.conf" and rc.get("jail_conf") != config:
            sets.append("jail_conf=" + config)
        if directory_mode and config.rstrip("/") != "/etc/jail.conf.d":
            plan.warnings.append(
                f"rc.d/jail looks for per-jail files in /etc/jail.conf.d only; jails in {config} will not start at boot"
            )
    current = _checkyesno(rc.get("jail_parallel_start"))
    if parallel is not None and current is not parallel:
        sets.append("jail_parallel_start=" + ("YES" if parallel else "NO"))
    race = _parallel_race(new, graph) if (current if parallel is None else parallel) else None
    if race is not None:
        plan.warnings.append(
            f"jail_parallel_start=YES: rc.d/jail starts every jail of jail_list at once, each with its own jail(8), "
            f"and more than one of them starts {race} (a listed jail or one a listed jail depends on); at boot only "
            f"one creates it, and a jail whose run fails on it does not start. Set rc_parallel_start=false"
        )
    if sets:
        plan.sysrc = sets
        plan.actions.append("rc.conf: " + ", ".join(sets))
        plan.before["rc.conf"] = {s.split("=", 1)[0]: rc.get(s.split("=", 1)[0], "") for s in sets}
        plan.after["rc.conf"] = {s.split("=", 1)[0]: s.split("=", 1)[1] for s in sets}
