"""rc.d scripts of the simulated system: one module per /etc/rc.d script.

The rc.subr(8) logic common to all scripts (prefixes, rcvar check, restart,
status, rcvar, enabled, usage) lives in ``simfbsd/rc.py``; a module here only
says what the script's own ``*_cmd`` functions do.

Interface of ``simfbsd/rcd/<script>.py`` (file name = script name, ``-`` -> ``_``)
---------------------------------------------------------------------------
Attributes:
  NAME       str, the script's ``name=`` (e.g. ``"sshd"``, ``"jail"``).
  RCVAR      str or None, the script's ``rcvar=`` (e.g. ``"sshd_enable"``).
  COMMANDS   tuple of ``extra_commands`` (e.g. ``("reload",)``; rc.d/jail:
             ``("config", "console", "status")``).  Each needs a function of
             the same name.
  DESC       optional str, ``desc=`` (printed by ``rcvar``/``describe``).
  PROCNAME   optional str: the ``command``/``procname`` rc.subr checks for a
             running pid (``ps -o pid= -o jid= -o command=``).  When set,
             rc.py finds ``rc_pid`` (processes of ``ctx.jid`` whose command
             is PROCNAME; with PIDFILE, only the pid in that file), adds the
             ``status``/``poll`` keywords, refuses ``start`` when already
             running (``NAME already running?  (pid=N).``) and lets ``stop``
             of a running service through even when the rcvar is NO.
  PIDFILE    optional str, path inside the system's root (``/var/run/sshd.pid``).
  PATH       optional str, where the script lives (default ``/etc/rc.d/NAME``;
             ports' scripts: ``/usr/local/etc/rc.d/NAME``, which then must
             exist in the system's root for service(8) to find it).
  JAIL_BOOT  optional bool (default True for daemons): started by
             ``rc.boot_jail`` inside a jail (False = rcorder KEYWORD nojail).

  COMMAND    optional str: the daemon's path; with it the default start is
             rc.py's daemon_start (``$NAME_flags`` or FLAGS_VAR, COMMAND_ARGS,
             USER; sockets from daemons.sockets(); pid written to PIDFILE).
  FLAGS_VAR, COMMAND_ARGS, USER   optional, see COMMAND.
  RUN        optional function ``RUN(ctx, arg, args, rc, autoboot) -> int``
             replacing run_rc_command entirely, for scripts that run it
             several times (rc.d/sendmail: MTA part + msp_queue part).

Functions (all optional; defaults are rc.subr's):
  start(ctx, rc, args) -> int    the start method (prints its own
                                 ``Starting NAME.``); default: daemon_start
                                 when COMMAND is set, else nothing.
  <cmd>_precmd(ctx, rc, args)    start_precmd/restart_precmd/...: non-zero
                                 return stops the command (rc.subr).
  stop(ctx, rc, args) -> int     the stop method.  Without it and with
                                 PROCNAME, rc.py's default stop kills rc_pid
                                 (``Stopping NAME.`` + ``Waiting for PIDS: N.``).
  status(ctx, rc, args) -> int   overrides the default ``status``.
  <extra>(ctx, rc, args) -> int  one per name in COMMANDS.

  ``ctx`` is the tool context (``ctx.jid``/``ctx.root``: the system the
  script runs for, ``ctx.print``/``ctx.err`` for output).  ``rc`` is the
  dict from ``rcconf.load(ctx.root)`` after rc.subr's prefix processing:
  with ``one``/``force`` the RCVAR is set to ``"YES"`` in it, and the keys
  ``rc_force``/``rc_fast``/``rc_quiet`` are ``"yes"`` when those prefixes
  were given (else absent), as rc.subr's globals of the same names.
  ``rc["rc_pid"]`` is the running pid(s) found through PROCNAME ("" if none).
  ``args`` are the extra command-line arguments (``service jail start a b``
  -> ``["a", "b"]``).  Returns the exit status.

Locking contract: script functions are called WITHOUT the kernel lock held.
They take it themselves (``with kernel.Kernel() as k:``) around state
changes and never hold it while running another command (jail(8), jexec,
exec.* hooks), because that command takes the lock too.

Daemons: ``simfbsd.rc`` has ``daemon_start(ctx, rc, name, command, ...)`` and
``daemon_stop(...)`` for scripts that only start a process (see
``rcd/sshd.py`` for the smallest example).

Scripts whose module does not exist are skipped at boot (rc.BOOT_ORDER) and
are unknown to service(8).
"""

import importlib
import importlib.util


def module_name(script):
    return script.replace("-", "_").replace(".", "_")


def load(script):
    """The module of rc.d script ``script``, or None if the simulator does not model it."""
    if not script or "/" in script or script.startswith("_") or not script.replace("-", "_").isidentifier():
        return None
    name = f"simfbsd.rcd.{module_name(script)}"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)
