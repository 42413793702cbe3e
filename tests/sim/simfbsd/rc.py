"""rc.subr(8)'s run_rc_command() and the boot/shutdown sequences, for the modelled rc.d scripts.

# src: libexec/rc/rc.subr, run_rc_command(), wait_for_pids(), _run_rc_notrunning(),
#      rc_usage(), checkyesno(), warn()  (freebsd-src, 14.x/15 era)

The script modules live in ``simfbsd/rcd/`` (interface documented in
``rcd/__init__.py``).  Entry points:

  run_rc_command(ctx, mod, arg, args=(), rc=None, autoboot=False) -> int
      what ``/etc/rc.d/NAME arg args...`` does (service(8) calls it).
  boot(ctx, rc) -> int                 the host's /etc/rc (simfbsd.boot calls it)
  boot_jail(jid, root, out=None, err=None) -> int
      ``/bin/sh /etc/rc`` inside jail ``jid`` whose root is ``root``: starts
      the services enabled in the jail's own rc.conf, processes get ``jid``.
  shutdown_jail(jid, root, out=None, err=None) -> int
      ``/bin/sh /etc/rc.shutdown jail``: ``faststop`` of the running
      services, in reverse order.
  daemon_start(ctx, rc, mod, args) / daemon_stop(ctx, rc, mod, args)
      the default start/stop methods of daemon scripts (``COMMAND`` set).

Locking contract: none of these may be called with the kernel lock held;
they take it themselves, briefly, around each state change.
"""

import os

from . import kernel, kstate, rcconf, rcd

# rcorder(8) of the scripts the simulator models (real order: rcorder /etc/rc.d/*).
BOOT_ORDER = (
    "mountcritlocal",
    "hostname",
    "netif",
    "routing",
    "pf",  # REQUIRE: FILESYSTEMS netif pflog pfsync routing (libexec/rc/rc.d/pf)
    "devfs",
    "sysctl",
    "rctl",  # REQUIRE: FILESYSTEMS, BEFORE: LOGIN (libexec/rc/rc.d/rctl)
    "syslogd",
    "rpcbind",
    "mountd",
    "nfsd",
    "ntpd",
    "named",
    "mountlate",
    "inetd",
    "sshd",
    "sendmail",
    "cron",
    "nginx",  # a package's script (/usr/local/etc/rc.d, run by /etc/rc after the base ones when installed)
    "jail",
)
# Scripts with ``# KEYWORD: nojail`` (not run by /etc/rc inside a jail).
NOJAIL = ("hostname", "devfs", "sysctl", "rctl", "jail")
# Scripts with ``# KEYWORD: nojailvnet``: run in a jail only when it has its own vnet
# (src: libexec/rc/rc: ``skip="$skip -s nojailvnet"`` unless security.jail.vnet is 1;
# libexec/rc/rc.d/netif, rc.d/routing).
NOJAILVNET = ("netif", "routing")

LOCAL_STARTUP = "/usr/local/etc/rc.d"


def script_path(mod):
    return getattr(mod, "PATH", None) or f"/etc/rc.d/{mod.NAME}"


def exists(ctx, mod):
    """service(8)'s ``[ -x "$dir/$script" ]``: base scripts always, ports' scripts when installed."""
    path = script_path(mod)
    if path.startswith("/etc/rc.d/"):
        return True
    return os.access(ctx.path(path), os.X_OK)


def _warn(ctx, mod, msg):
    """rc.subr warn(): ``$0: WARNING: msg`` on stderr."""
    ctx.err.write(f"{script_path(mod)}: WARNING: {msg}\n")


def checkyesno(ctx, mod, rc, var):
    """rc.subr checkyesno(): True for yes/true/on/1, False for no/false/off/0, else warns and False."""
    value = rc.get(var, "") if var else ""
    v = value.upper()
    if v in ("YES", "TRUE", "ON", "1"):
        return True
    if v in ("NO", "FALSE", "OFF", "0"):
        return False
    _warn(ctx, mod, f"${var} is not set properly - see rc.conf(5).")
    return False


def keywords(mod):
    words = ["start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled", "describe", "extracommands"]
    words += list(getattr(mod, "COMMANDS", ()))
    if getattr(mod, "PROCNAME", None):
        words += ["status", "poll"]
    elif hasattr(mod, "status") and "status" not in words:
        words.append("status")
    return words


def usage(ctx, mod):
    """rc_usage(): stderr, exit 1."""
    ctx.err.write(f"Usage: {script_path(mod)} [fast|force|one|quiet]({'|'.join(keywords(mod))})\n")
    return 1


def find_pids(ctx, mod, state=None):
    """rc_pid: check_pidfile/check_process for PROCNAME among the processes of ctx.jid."""
    procname = getattr(mod, "PROCNAME", None)
    if not procname:
        return []
    if state is None:
        state = kernel.read_state()
    base = os.path.basename(procname)
    cands = [p for p in state["procs"] if p["jid"] == ctx.jid and p["command"] in (procname, base)]
    pidfile = getattr(mod, "PIDFILE", None)
    if pidfile:
        try:
            with open(ctx.path(pidfile), encoding="ascii") as f:
                words = f.read().split()
            pid = int(words[0]) if words else None
        except (OSError, ValueError):
            pid = None
        return [p["pid"] for p in cands if p["pid"] == pid]
    return [p["pid"] for p in cands]


def _pidstr(pids):
    return " ".join(str(p) for p in pids)


def _call(mod, fname, ctx, rc, args):
    fn = getattr(mod, fname, None)
    if fn is None:
        return None
    r = fn(ctx, rc, list(args))
    return 0 if r is None else r


def run_rc_command(ctx, mod, arg, args=(), rc=None, autoboot=False):
    """/etc/rc.d/NAME ARG ARGS...; returns the exit status."""
    rc = dict(rcconf.load(ctx.root) if rc is None else rc)
    if hasattr(mod, "RUN"):
        return mod.RUN(ctx, arg, list(args), rc, autoboot)
    name = mod.NAME
    rcvar = getattr(mod, "RCVAR", None)
    prefix = ""
    if arg.startswith("fast"):
        arg = arg[4:]
        rc["rc_fast"] = rc["rc_quiet"] = "yes"
    elif arg.startswith("force"):
        prefix, arg = "force", arg[5:]
        rc["rc_force"] = "yes"
        if rcvar:
            rc[rcvar] = "YES"
    elif arg.startswith("one"):
        prefix, arg = "one", arg[3:]
        if rcvar:
            rc[rcvar] = "YES"
    elif arg.startswith("quiet"):
        prefix, arg = "quiet", arg[5:]
        rc["rc_quiet"] = "yes"
    fast, quiet, force = rc.get("rc_fast"), rc.get("rc_quiet"), rc.get("rc_force")
    words = keywords(mod)
    if not arg:
        return usage(ctx, mod)
    if arg == "enabled":
        return 0 if checkyesno(ctx, mod, rc, rcvar) else 1
    pids = [] if autoboot else find_pids(ctx, mod)
    rc["rc_pid"] = _pidstr(pids)
    if arg not in words:
        ctx.err.write(f"{script_path(mod)}: unknown directive '{arg}'.\n")
        return usage(ctx, mod)
    needs_rcvar = arg not in ("rcvar", "stop", "delete", "enable", "describe", "status") or (arg == "stop" and not pids)
    if rcvar and needs_rcvar and not checkyesno(ctx, mod, rc, rcvar):
        if not quiet:
            ctx.print(
                f"Cannot '{arg}' {name}. Set {rcvar} to YES in /etc/rc.conf or use 'one{arg}' instead of '{arg}'."
            )
        return 0
    if arg == "start" and not fast and pids:
        if not quiet:
            # echo 1>&2 "${name} already running? " "(pid=$rc_pid)." -> two spaces
            ctx.err.write(f"{name} already running?  (pid={_pidstr(pids)}).\n")
        return 1
    if arg in ("start", "stop", "status") or arg in getattr(mod, "COMMANDS", ()):
        custom = getattr(mod, arg, None)
        if custom is not None:
            pre = _call(mod, f"{arg}_precmd", ctx, rc, args)
            if pre and not force:
                return 1
            return _call(mod, arg, ctx, rc, args)
    if arg == "describe":
        if getattr(mod, "DESC", None):
            ctx.print(mod.DESC)
        return 0
    if arg == "extracommands":
        ctx.print(" ".join(getattr(mod, "COMMANDS", ())))
        return 0
    if arg in ("enable", "disable"):
        return _enable(ctx, mod, rcvar, arg == "enable")
    if arg == "delete":
        return _delete(ctx, mod, rcvar)
    if arg == "status":
        pre = _call(mod, "status_precmd", ctx, rc, args)
        if pre:
            return 1
        if pids:
            ctx.print(f"{name} is running as pid {_pidstr(pids)}.")
            return 0
        ctx.print(f"{name} is not running.")
        return 1
    if arg == "start":
        if getattr(mod, "COMMAND", None):
            return daemon_start(ctx, rc, mod, args)
        return 0
    if arg == "stop":
        if not pids:
            if fast:
                return 0
            pidfile = getattr(mod, "PIDFILE", None)
            ctx.err.write(f"{name} not running?{f' (check {pidfile}).' if pidfile else ''}\n")
            return 1
        return daemon_stop(ctx, rc, mod, pids)
    if arg == "restart":
        pre = _call(mod, "restart_precmd", ctx, rc, args)
        if pre and not force:
            return 1
        run_rc_command(ctx, mod, f"{prefix}stop", args, rc=_base(rc))
        r = run_rc_command(ctx, mod, f"{prefix}start", args, rc=_base(rc))
        if r != 0 and not force:
            return 1
        return 0
    if arg == "poll":
        return 0
    if arg == "rcvar":
        desc = getattr(mod, "DESC", None)
        ctx.print(f"# {name}" + (f" : {desc}" if desc else ""))
        ctx.print("#")
        if rcvar:
            ctx.print(f'{rcvar}="{rc.get(rcvar, "")}"')
            ctx.print('#   (default: "")')
        ctx.print("")
        return 0
    return usage(ctx, mod)


def _base(rc):
    """rc as loaded, without the prefix state of this invocation (restart runs stop/start in subshells)."""
    return {k: v for k, v in rc.items() if k not in ("rc_pid",)}


def _enable(ctx, mod, rcvar, on):
    """``enable``/``disable``: ``sysrc -vs NAME RCVAR=YES|NO``; prints ``NAME enabled in FILE``."""
    if not rcvar:
        return 0
    from .tools import sysrc

    path = sysrc.set_var(ctx, rcvar, "YES" if on else "NO")
    ctx.print(f"{mod.NAME} {'enabled' if on else 'disabled'} in {path}")
    return 0


def _delete(ctx, mod, rcvar):
    if not rcvar:
        return 0
    from .tools import sysrc

    files = sysrc.delete_var(ctx, rcvar)
    if files is None:
        return 1
    ctx.print(f"{rcvar} deleted in {' '.join(files)}")
    return 0


# ------------------------------------------------------------------ daemons


def _daemons():
    try:
        from . import daemons
    except ImportError:
        return None
    return daemons


def daemon_start(ctx, rc, mod, args=()):
    """rc.subr's default start: precmd, ``Starting NAME.``, run ``command $rc_flags $command_args``.

    The process gets the sockets ``daemons.sockets()`` says its configuration
    opens; when that configuration does not parse the daemon exits at once:
    its error is printed and the start fails (``WARNING: failed to start NAME``).
    """
    name = mod.NAME
    pre = _call(mod, "start_precmd", ctx, rc, args)
    if pre and not rc.get("rc_force"):
        _warn(ctx, mod, f"failed precmd routine for {name}")
        return 1
    command = rc.get(f"{name}_program") or mod.COMMAND
    flags = rc.get(getattr(mod, "FLAGS_VAR", None) or f"{name}_flags", "")
    cmd_args = getattr(mod, "COMMAND_ARGS", "")
    if not rc.get("rc_quiet") or rcconf.yes(rc.get("rc_startmsgs")):
        ctx.print(f"Starting {name}.")
    procname = getattr(mod, "PROCNAME", None) or os.path.basename(command)
    argv = " ".join(w for w in (command, flags, cmd_args) if w)
    user = getattr(mod, "USER", "root")
    return spawn_daemon(ctx, rc, mod, name, procname, argv, getattr(mod, "PIDFILE", None), user=user)


def spawn_daemon(ctx, rc, mod, sockname, procname, argv, pidfile, user="root"):
    """Start one daemon process (sockets from ``daemons.sockets(.., sockname, ..)``); writes ``pidfile``."""
    daemons = _daemons()
    with kernel.Kernel() as k:
        jail = kstate.jail(k.state, ctx.jid) if ctx.jid else None
        socks = []
        if daemons is not None:
            try:
                socks = daemons.sockets(ctx, k.state, sockname, rc, root=ctx.root, jail=jail)
            except KeyError:  # a daemon the sockets model does not know opens no sockets
                socks = []
            except daemons.ConfigError as exc:
                msg = str(exc)
                if msg:
                    ctx.err.write(msg if msg.endswith("\n") else msg + "\n")
                socks = None
        if socks is None:
            pid = None
        else:
            pid = kernel.spawn(k.state, os.path.basename(procname), argv, jid=ctx.jid, user=user, sockets=socks)
    if pid is None:
        _warn(ctx, mod, f"failed to start {mod.NAME}")
        return 1
    if pidfile:
        path = ctx.path(pidfile)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="ascii") as f:
                f.write(f"{pid}\n")
        except OSError:
            pass
    return 0


def daemon_stop(ctx, rc, mod, pids, pidfiles=None):
    """rc.subr's default stop: ``Stopping NAME.``, kill, ``Waiting for PIDS: N.``."""
    ctx.print(f"Stopping {mod.NAME}.")
    with kernel.Kernel() as k:
        for pid in pids:
            kernel.kill(k.state, pid)
    # wait_for_pids: the processes were still there right after kill -TERM.
    ctx.print(f"Waiting for PIDS: {_pidstr(pids)}.")
    for pidfile in pidfiles or ([mod.PIDFILE] if getattr(mod, "PIDFILE", None) else []):
        try:
            os.unlink(ctx.path(pidfile))
        except OSError:
            pass
    return 0


# ------------------------------------------------------------------ boot


def modules(jailed=False, vnet=False):
    out = []
    for script in BOOT_ORDER:
        mod = rcd.load(script)
        if mod is None:
            continue
        if jailed and not getattr(mod, "JAIL_BOOT", script not in NOJAIL):
            continue
        if jailed and not vnet and script in NOJAILVNET:
            continue
        out.append(mod)
    return out


def boot(ctx, rc=None):
    """/etc/rc autoboot: ``faststart`` of every modelled script in rcorder."""
    rc = rcconf.load(ctx.root) if rc is None else rc
    for mod in modules(jailed=bool(ctx.jid), vnet=_own_vnet(ctx.jid)):
        if not exists(ctx, mod):
            continue
        run_rc_command(ctx, mod, "faststart", rc=rc, autoboot=True)
    return 0


def _own_vnet(jid):
    """security.jail.vnet of jail ``jid``: 1 when it was created with its own vnet."""
    if not jid:
        return False
    rec = kstate.jail(kernel.read_state(), jid) or {}
    return rec.get("vnet") == "new"


def _jail_ctx(jid, root, out, err):
    from .tool import Ctx

    return Ctx("rc", jid=jid, root=root, stdout=out, stderr=err)


def boot_jail(jid, root, out=None, err=None):
    """``/bin/sh /etc/rc`` in a jail: ``quietstart`` of the jail's enabled scripts (no nojail ones)."""
    ctx = _jail_ctx(jid, root, out, err)
    rc = rcconf.load(root)
    from .tools.pkg import db as pkgdb  # an installed interpreter's files are on disk: its mount again

    pkgdb.restore(root)
    for mod in modules(jailed=True, vnet=_own_vnet(jid)):
        if not exists(ctx, mod):
            continue
        run_rc_command(ctx, mod, "quietstart", rc=rc, autoboot=True)
    return 0


def shutdown_jail(jid, root, out=None, err=None):
    """``/bin/sh /etc/rc.shutdown jail``: ``faststop`` of the scripts in reverse rcorder."""
    ctx = _jail_ctx(jid, root, out, err)
    rc = rcconf.load(root)
    for mod in reversed(modules(jailed=True, vnet=_own_vnet(jid))):
        if not exists(ctx, mod) or (not getattr(mod, "PROCNAME", None) and not hasattr(mod, "stop")):
            continue
        run_rc_command(ctx, mod, "faststop", rc=rc)
    return 0


def script_main():
    """Entry point of the /etc/rc.d/NAME stubs in a box: ``/etc/rc.d/sshd status``."""
    import sys

    from .tool import Ctx

    name = os.path.basename(sys.argv[0])
    mod = rcd.load(name)
    ctx = Ctx(sys.argv[0])
    if mod is None:
        sys.stderr.write(f"{sys.argv[0]}: not a modelled rc.d script\n")
        os._exit(1)
    if len(sys.argv) < 2:
        r = usage(ctx, mod)
    else:
        r = run_rc_command(ctx, mod, sys.argv[1], sys.argv[2:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(r)
