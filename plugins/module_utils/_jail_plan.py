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

from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConf, JailConfTree
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import Wanted

# Kernel parameters that jail -m cannot change on a running jail.
CREATE_ONLY = frozenset(("path", "vnet", "ip4", "ip6", "osrelease", "osreldate", "jid", "name"))
# jail(8) pseudo-parameters used when a jail starts: a change needs a restart to take effect.
START_PSEUDO = frozenset(
    (
        "exec.prepare",
        "exec.prestart",
        "exec.created",
        "exec.start",
        "exec.poststart",
        "command",
        "exec.clean",
        "exec.jail_user",
        "exec.system_jail_user",
        "exec.system_user",
        "exec.fib",
        "exec.timeout",
        "exec.consolelog",
        "mount",
        "mount.fstab",
        "mount.devfs",
        "mount.fdescfs",
        "mount.procfs",
        "interface",
        "vnet.interface",
        "ip_hostname",
    )
)
# Pseudo-parameters only used when a jail stops or by jail(8) itself: new values apply next time.
OTHER_PSEUDO = frozenset(
    ("exec.prestop", "exec.stop", "exec.poststop", "exec.release", "stop.timeout", "depend", "allow.dying")
)
READ_ONLY = frozenset(("parent", "dying", "children.cur", "cpuset.id"))


def _addr(item, version):
    """The address jail(8) passes to the kernel: no ``iface|``, no ``/mask``, no ifconfig params."""
    a = item.split("|", 1)[-1].split("/", 1)[0].split(" ", 1)[0].strip()
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def _truthy(v):
    if isinstance(v, bool):
        return v
    v = str(v).strip().lower()
    if v == "true":
        return True
    try:
        return int(v) != 0
    except ValueError:
        return False


def _norm(key, value, like):
    """``value`` in the form jls shows for ``key`` (``like`` is jls's value, for its type)."""
    if key in ("ip4.addr", "ip6.addr"):
        vals = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
        return [_addr(v, 4 if key == "ip4.addr" else 6) for v in vals]
    if isinstance(like, bool):
        return _truthy(value)
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

    def commands(self):
        """The jail(8) argument lists in run order, with a marker for the file writes."""
        out = []
        for conf, names in self.stops:
            out.append(["-f", conf, "-r", *names])
        out.append("WRITE")
        for name, args in self.modifies:
            out.append(["-m", f"name={name}", *args])
        for conf, name, jid_file in self.starts:
            argv = ["-i"]
            if jid_file:
                argv += ["-J", jid_file]
            out.append([*argv, "-f", conf, "-c", name])
        return out


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
    stale=(),
):
    """Plan a run.

    config: the O(config) path; directory_mode: one NAME.conf per jail in it.
    texts: {path: text or None} for every config file read.
    running: {name: jls dict} of running jails.
    wanted: list of Wanted (see _jail_params); rc_current: {var: value} read with sysrc, or None.
    includes: file mode only, {path: [[paths], ...]}: what each .include of each file names (see
    JailConfTree).  A jail whose block is in an included file is edited there (and removed from
    every file that defines it); new jails go to config; jail(8) is always given config.
    stale: temporary files an interrupted write left (see _fileio.stale_temps), removed first.

    Ownership: every block the plan writes for a listed jail carries the MARKER line
    (_jail_conf.MARKER); ``exclusive`` removes only unlisted jails whose block carries it.
    A jail written by hand (or by a version of the collection before the marker) is
    never touched unless the task names it.
    """
    plan = Plan()
    confs = {p: JailConf.parse(t or "") for p, t in texts.items()}
    old = {p: JailConf.parse(t or "") for p, t in texts.items()}
    tree = None if directory_mode or not includes else JailConfTree(config, old, includes)
    owners = tree.owners() if tree is not None else {}

    for path in stale:
        plan.stale.append(path)
        plan.actions.append(f"remove {path} (left by an interrupted write)")

    wanted = list(wanted)
    if exclusive:
        listed = {w.name for w in wanted}
        if tree is not None:
            candidates = [(n, files[-1]) for n, files in owners.items()]
        else:
            candidates = [(n, p) for p, c in sorted(old.items()) for n in c.jails()]
        for name, path in candidates:
            if name in listed:
                continue
            listed.add(name)
            if not old[path].managed(name):
                plan.unmanaged.append(name)
                continue
            wanted.append(Wanted(name, "absent", {}, None, None, "exclusive"))
            plan.actions.append(f"exclusive: {name} is not listed")

    # Every file's edits at once: one pass over each file, however many jails change (O(N), not O(N^2)).
    # paths: the file jail(8) is given for each jail; edits: the files its block is edited in.
    paths = [conf_path_for(config, directory_mode, w.name) for w in wanted]
    edits = []
    for w, path in zip(wanted, paths):
        where = owners.get(w.name) or [path]
        edits.append(where if w.state == "absent" else where[-1:])
    changes = {}
    for w, where in zip(wanted, edits):
        for path in where:
            changes.setdefault(path, []).append((w.name, None if w.state == "absent" else w.block))
    edited = {path: confs.setdefault(path, JailConf.parse("")).apply(ch, mark=True) for path, ch in changes.items()}
    empty = JailConf.parse("")
    defined = {path: set(conf.jails()) for path, conf in old.items()}
    tree_after = JailConfTree(config, confs, includes) if tree is not None else None

    stop_by_conf = {}
    starts = []
    for w, path, where in zip(wanted, paths, edits):
        is_running = w.name in running
        run = running.get(w.name, {})
        jid = run.get("jid")
        try:
            old_eff = tree.effective(w.name) if tree is not None else (old.get(path) or empty).effective(w.name)
        except KeyError:
            old_eff = {}
        for epath in where:
            if w.name not in edited[epath]:
                continue
            if w.state == "absent":
                plan.actions.append(f"remove {w.name} from {epath}")
            elif w.name not in defined.get(epath, ()):
                plan.actions.append(f"add {w.name} in {epath}")
            else:
                if w.name in confs[epath].rewritten:
                    plan.actions.append(f"update {w.name} in {epath}")
                if w.name in confs[epath].marked:
                    plan.actions.append(f"mark {w.name} in {epath} as managed by bsd.jails")
        new_eff = {}
        if w.state != "absent":
            new_eff = tree_after.effective(w.name) if tree_after is not None else confs[path].effective(w.name)
        b = {"running": is_running, "jid": int(jid) if jid and str(jid).isdigit() else None}
        a = dict(b)
        stop = start = False
        if w.state in ("absent", "stopped"):
            stop = is_running
        elif w.state == "restarted":
            stop, start = is_running, True
        elif is_running:
            kdiff = _kernel_diff(new_eff, run)
            restart_keys = [k for k in kdiff if k in CREATE_ONLY]
            addr_keys = [k for k in kdiff if k in ("ip4.addr", "ip6.addr")]
            if addr_keys and ("interface" in new_eff or any("|" in x for k in addr_keys for x in new_eff.get(k, []))):
                restart_keys += addr_keys
            restart_keys += _pseudo_diff(old_eff, new_eff) if old_eff != new_eff else []
            live = {k: v for k, v in kdiff.items() if k not in restart_keys}
            if restart_keys and restart_on_change:
                stop = start = True
                plan.actions.append(f"restart {w.name}: {', '.join(sorted(set(restart_keys)))} changed")
                for k in kdiff:
                    b[k], a[k] = kdiff[k]
            else:
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
                        b[k], a[k] = live[k]
        elif w.state in ("started",):
            start = True
        if stop:
            stop_by_conf.setdefault(path, []).append(w.name)
            if not start:
                plan.actions.append(f"stop {w.name}")
            a["running"], a["jid"] = False, None
        if start:
            starts.append((path, w.name, w.jid_file))
            if stop and w.state == "restarted":
                plan.actions.append(f"restart {w.name}")
            elif not stop:
                plan.actions.append(f"start {w.name}")
            a["running"], a["jid"] = True, "unknown"
        if a != b:
            plan.before[w.name] = b
            plan.after[w.name] = a
        plan.jails[w.name] = {
            "conf_file": where[-1],
            "running": a["running"],
            "jid": a["jid"],
            "state": w.state,
            "params": new_eff,
        }
        if w.name in plan.pending:
            plan.jails[w.name]["restart_pending"] = plan.pending[w.name]

    plan.stops = list(stop_by_conf.items())
    plan.starts = starts
    for path, conf in confs.items():
        before = texts.get(path)
        after = conf.render()
        if directory_mode and before is not None and not conf.jails() and not after.strip():
            after = None  # the jail's own file: delete it rather than leave it empty
        if directory_mode and before is None and not conf.jails():
            continue
        if after != before and not (before is None and after == ""):
            plan.files[path] = (before, after)

    if rc_enable:
        _plan_rc(plan, config, directory_mode, wanted, rc_current or {})
    return plan


def _plan_rc(plan, config, directory_mode, wanted, rc):
    words = (rc.get("jail_list") or "").split()
    new = list(words)
    for w in wanted:
        if w.state in ("started", "restarted") and w.name not in new:
            new.append(w.name)
        elif w.state in ("stopped", "absent") and w.name in new:
            new.remove(w.name)
    sets = []
    if (rc.get("jail_enable") or "").upper() not in ("YES", "TRUE", "ON", "1"):
        sets.append("jail_enable=YES")
    if new != words:
        sets.append("jail_list=" + " ".join(new))
    if not directory_mode and config != "/etc/jail.conf" and rc.get("jail_conf") != config:
        sets.append("jail_conf=" + config)
    if directory_mode and config.rstrip("/") != "/etc/jail.conf.d":
        plan.warnings.append(
            f"rc.d/jail looks for per-jail files in /etc/jail.conf.d only; jails in {config} will not start at boot"
        )
    if sets:
        plan.sysrc = sets
        plan.actions.append("rc.conf: " + ", ".join(sets))
        plan.before["rc.conf"] = {s.split("=", 1)[0]: rc.get(s.split("=", 1)[0], "") for s in sets}
        plan.after["rc.conf"] = {s.split("=", 1)[0]: s.split("=", 1)[1] for s in sets}
