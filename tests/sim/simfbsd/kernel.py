"""The kernel state of one box: a JSON file guarded by an flock(2) lock.

Every tool call that reads or changes kernel state does so inside
``with Kernel() as k:`` so parallel calls on one box are serialised; the file
is rewritten atomically (tmp + rename) only when the state changed.

The file is compact JSON (no indentation): json.dumps with ``indent`` falls back
to the pure-Python encoder, which made every state change cost O(state) in
Python -- ~20 ms per write with 100 jails, several writes per ``jail -c`` --
a cost no FreeBSD kernel has (the benchmark saw it as super-linear growth).
Read it with ``python3 -m json.tool state.json``.

Keys of ``k.state`` and who owns them (tools, rc and the daemons read and write them through
kstate.py's named accessors):
  hostname        str, the host's kern.hostname                  (hostname, sysctl)
  sysctl          {oid: value} runtime values set on the host    (sysctl)
  ifaces          {ifname: {...}} interfaces and their addresses (ifconfig, jail)
                  of the host's network stack
                  an ifstore.IfaceTable: kernel/ifaces.json, read on first use, the
                  address lists compact (see ifstore.py)
  vnets           {str(jid): {ifname: {...}}} the stack of each jail created with vnet
  vnet_routes     {str(jid): {...}} its default routes (as ``routes``)
  if_seq          int, attach counter ordering each stack's list (see netif/stack.py)
  procs           [{pid, ppid, jid, user, command, args, sockets}] running processes
  next_pid        int                                            (spawn)
  jails           {str(jid): {...}} running jails                (jail, jls, jexec)
                  a jailstore.JailTable: one file per jail and an index under
                  jails/, not in state.json (see jailstore.py)
                  flat jail(8) parameter names (jid, name, path, parent, host.hostname,
                  ip4.addr/ip6.addr [plain addrs], securelevel, persist, allow.*, ...)
                  plus _conf/_mounts/_aliases: see simfbsd/jails.py
  last_jid        int, the last jid handed out                   (jail)
  kld             [module] modules loaded for jail parameters    (jail, jls; see jails.MODULES)
  mounts          [{fstype, source, target, ...}]                (mount, umount, jail)
                  a mountstore.MountTable: one file per mount and an index under
                  mounts/, not in state.json (see mountstore.py)
                  see mounts.py: {fstype, source, target, flags: [mount(8) names], ruleset (devfs),
                  hidden: [node names] (devfs), real: bool, system: bool (/ and /dev, added lazily)}
  rctl            [{subject, id, resource, action, amount, per}] rctl(8) rules, oldest first
                  (racct.py; empty after boot until rc.d/rctl loads /etc/rctl.conf)
  devfs_rulesets  {str(N): [rule, ...]} rulesets in the kernel   (devfs)
                  rule = {num, types: [..], path, hide, unhide, include, user, group, mode}
                  (devfsrules.py); ruleset 0 never stored
"""

import contextlib
import fcntl
import json
import os

from . import ifstore, jailstore, mountstore, paths

STATE = "state.json"
LOCK = "lock"
BOX = "box.json"
CALLS = "calls.log"
FAULTS = "faults.json"
# Jail roots by "device:inode" -> path, for base tools run chrooted in a jail (tools/pkg/db.py, tool.jail_main).
JAIL_ROOTS = "jailroots.json"


def kdir():
    return paths.BOX_KERNEL


def box_config(kernel_dir=None):
    """The box's static description written by ``simhost create`` (name, ip, release, ...)."""
    with open(os.path.join(kernel_dir or kdir(), BOX), encoding="utf-8") as f:
        return json.load(f)


def fresh_state(box):
    """Kernel state right after boot, before rc runs: only what the kernel itself sets up."""
    ifaces = {
        "vtnet0": {
            "flags": ["UP", "BROADCAST", "RUNNING", "SIMPLEX", "MULTICAST"],
            "mtu": 1500,
            "ether": box.get("ether", "58:9c:fc:00:00:01"),
            "inet": [],
            "inet6": [],
        },
        "lo0": {
            "flags": ["UP", "LOOPBACK", "RUNNING", "MULTICAST"],
            "mtu": 16384,
            "inet": [],
            "inet6": [],
        },
    }
    return {
        "hostname": "",
        "sysctl": {},
        "ifaces": ifaces,
        "procs": [],
        "next_pid": 100,
        "jails": {},
        "last_jid": 0,
        "mounts": [],
        "devfs_rulesets": {},
    }


def encode(data):
    """The on-disk form: compact, sorted keys, so the C encoder does the work."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=ifstore.default)


def write_text_atomic(path, text):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_json_atomic(path, data):
    write_text_atomic(path, encode(data))


def _load(kernel_dir, text):
    """The state as the tools see it: ``jails`` a JailTable over kernel/jails/ (jailstore.py)."""
    state = json.loads(text)
    table = jailstore.JailTable(kernel_dir, encode)
    fresh = state.pop("jails", None)
    if fresh is not None:  # as fresh_state() writes it (create, reboot): no jail survives
        for key in list(table):
            del table[key]
        for key, rec in fresh.items():
            table[key] = rec
    state["jails"] = table
    mtable = mountstore.MountTable(kernel_dir, encode)
    fresh = state.pop("mounts", None)
    if fresh is not None:  # as fresh_state() writes it: nothing is mounted after a boot
        mtable.clear()
        for rec in fresh:
            mtable.append(rec)
    state["mounts"] = mtable
    state["ifaces"] = ifstore.IfaceTable(kernel_dir, encode, fresh=state.pop("ifaces", None))
    for stack in state.get("vnets", {}).values():
        for iface in stack.values():
            ifstore.wrap(iface)
    return state


_OWN_FILES = ("jails", "mounts", "ifaces")  # kept in their own files (jailstore.py, mountstore.py, ifstore.py)


def _stored(state):
    """What state.json keeps: everything but the jails, the mounts and the host's interfaces."""
    return {k: v for k, v in state.items() if k not in _OWN_FILES}


def full_state(kernel_dir=None):
    """The whole kernel state as plain data, jail and mount records included (for tests and dumps)."""
    with Kernel(kernel_dir, shared=True) as k:
        state = dict(k.state)
        state["jails"] = k.state["jails"].records()
        state["mounts"] = k.state["mounts"].records()
        state["ifaces"] = k.state["ifaces"].plain()
        return state


_HELD = []  # the states of the exclusive Kernel contexts this process is inside (innermost last)


def held_state():
    """The state of the innermost exclusive ``with Kernel()`` of this process, or None.

    For kernel code handed only a record (jails.apply() from jail(8)'s update path): the checks
    kern_jail_set() makes against other jails need the state that record lives in.
    """
    return _HELD[-1] if _HELD else None


class Kernel:
    """``with Kernel() as k:`` -> exclusive access to ``k.state`` (and ``k.box``)."""

    def __init__(self, kernel_dir=None, shared=False):
        self.dir = kernel_dir or kdir()
        self.shared = shared
        self.state = None
        self._fd = None
        self._orig = None
        self._box = None

    @property
    def box(self):
        if self._box is None:
            self._box = box_config(self.dir)
        return self._box

    def __enter__(self):
        self._fd = os.open(os.path.join(self.dir, LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX)
        with open(os.path.join(self.dir, STATE), encoding="utf-8") as f:
            self._orig = f.read()
        self.state = _load(self.dir, self._orig)
        if self.shared:
            # the indexes as they are under the lock (records are read later; jailstore.JournalIndex)
            self.state["mounts"].load()
            self.state["jails"].load()
        else:
            _HELD.append(self.state)
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.shared and _HELD and _HELD[-1] is self.state:
            _HELD.pop()
        try:
            if exc_type is None and not self.shared:
                tables = [self.state["jails"], self.state["mounts"], self.state["ifaces"]]
                for table in tables:
                    table.flush()
                new = encode(_stored(self.state))
                if new != self._orig:
                    write_text_atomic(os.path.join(self.dir, STATE), new)
                for table in tables:
                    table.unlink_removed()
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
        return False


def read_state(kernel_dir=None):
    """A consistent snapshot of the state, for tools that only read."""
    with Kernel(kernel_dir, shared=True) as k:
        return k.state


@contextlib.contextmanager
def locked(kernel_dir=None):
    with Kernel(kernel_dir) as k:
        yield k


# ---------------------------------------------------------------- processes


def spawn(state, command, args="", jid=0, user="root", sockets=(), ppid=1, **extra):
    """Record a running process; returns its pid.

    ``command`` is the short name sockstat/ps show (e.g. ``sshd``), ``args``
    the full command line.  ``sockets`` are dicts with keys proto (tcp4, udp6,
    tcp46, ...), laddr (``*`` for the wildcard), lport (int); fds are assigned
    here from 3 upwards, as a daemon's first descriptors after stdio.
    """
    pid = state["next_pid"]
    state["next_pid"] = pid + 1 if pid < 99999 else 100
    socks = []
    for fd, sock in enumerate(sockets, start=3):
        s = dict(sock)
        s.setdefault("fd", fd)
        socks.append(s)
    proc = {
        "pid": pid,
        "ppid": ppid,
        "jid": jid,
        "user": user,
        "command": command,
        "args": args or command,
        "sockets": socks,
    }
    proc.update(extra)
    state["procs"].append(proc)
    return pid


def kill(state, pid):
    before = len(state["procs"])
    state["procs"] = [p for p in state["procs"] if p["pid"] != pid]
    return len(state["procs"]) != before


def procs(state, jid=None, command=None):
    return [
        p for p in state["procs"] if (jid is None or p["jid"] == jid) and (command is None or p["command"] == command)
    ]
