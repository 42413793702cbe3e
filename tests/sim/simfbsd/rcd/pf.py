"""rc.d/pf: load $pf_rules (/etc/pf.conf) and enable pf at boot; stop disables it.

# src: libexec/rc/rc.d/pf (PROVIDE: pf; REQUIRE: FILESYSTEMS netif pflog pfsync routing; KEYWORD:
#      nojailvnet; rcvar pf_enable; required_files="$pf_rules"; extra_commands "check reload resync";
#      pf_start(): ``startmsg -n 'Enabling pf'``, ``$pf_program -F all > /dev/null 2>&1``,
#      ``$pf_program -f "$pf_rules" $pf_flags || pf_fallback``, ``-eq`` unless ``-s info`` says
#      Enabled, ``startmsg '.'``; pf_stop(): ``echo -n 'Disabling pf'``, ``-dq``, ``echo '.'`` when
#      enabled; pf_check(): "Checking pf rules." + ``-n -f``; pf_reload(): "Reloading pf rules." +
#      pf_resync(); pf_resync(): ``-n -f`` then ``-f``; pf_fallback(): warn "Unable to load
#      $pf_rules.", then, with pf_fallback_rules_enable, the fallback file or rules).
rc.subr's required_files check (``/etc/rc.d/pf: WARNING: /etc/pf.conf is not readable.``, status 1)
is done here.  startmsg prints unless rc_quiet (autoboot): boot prints nothing of it.
The host's only (nojailvnet: a vnet jail would run it; not modelled).
"""

import io
import os

NAME = "pf"
RCVAR = "pf_enable"
DESC = "Packet filter"
COMMANDS = ("check", "reload", "resync")
JAIL_BOOT = False


def _pfctl(ctx, argv, out=None, err=None, stdin_text=None):
    from .. import tool

    run_ctx = tool.Ctx("pfctl", jid=ctx.jid, root=ctx.root, stdout=out or ctx.out, stderr=err or ctx.err)
    return tool.run("pfctl", argv, ctx=run_ctx, record=False)


def _rules(rc):
    return rc.get("pf_rules", "/etc/pf.conf")


def _flags(rc):
    return rc.get("pf_flags", "").split()


def _required(ctx, rc):
    path = _rules(rc)
    if not os.access(ctx.path(path), os.R_OK):
        ctx.err.write(f"/etc/rc.d/pf: WARNING: {path} is not readable.\n")
        return False
    return True


def start_precmd(ctx, rc, args):
    return 0 if _required(ctx, rc) else 1


def _fallback(ctx, rc):
    ctx.err.write(f"/etc/rc.d/pf: WARNING: Unable to load {_rules(rc)}.\n")
    if rc.get("pf_fallback_rules_enable", "NO").upper() not in ("YES", "TRUE", "ON", "1"):
        return
    path = rc.get("pf_fallback_rules_file", "/etc/pf-fallback.conf")
    if os.path.isfile(ctx.path(path)):
        ctx.err.write(f"/etc/rc.d/pf: WARNING: Loading fallback rules file: {path}\n")
        _pfctl(ctx, ["-f", path, *_flags(rc)])
    else:
        rules = rc.get("pf_fallback_rules", "block drop log all")
        ctx.err.write(f"/etc/rc.d/pf: WARNING: Loading fallback rules: {rules}\n")
        tmp = ctx.path("/var/run/pf-fallback.sim")  # ``echo $pf_fallback_rules | pfctl -f -``
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(rules + "\n")
        _pfctl(ctx, ["-f", "/var/run/pf-fallback.sim", *_flags(rc)])
        os.unlink(tmp)


def _enabled(ctx):
    buf = io.StringIO()
    _pfctl(ctx, ["-s", "info"], out=buf, err=io.StringIO())
    return "Enabled" in buf.getvalue()


def start(ctx, rc, args):
    quiet = rc.get("rc_quiet") == "yes"
    if not quiet:
        ctx.out.write("Enabling pf")
    _pfctl(ctx, ["-F", "all"], out=io.StringIO(), err=io.StringIO())
    if _pfctl(ctx, ["-f", _rules(rc), *_flags(rc)]):
        _fallback(ctx, rc)
    if not _enabled(ctx):
        _pfctl(ctx, ["-eq"])
    if not quiet:
        ctx.out.write(".\n")
    return 0


def stop(ctx, rc, args):
    if _enabled(ctx):
        ctx.out.write("Disabling pf")
        _pfctl(ctx, ["-dq"])
        ctx.out.write(".\n")
    return 0


def check(ctx, rc, args):
    ctx.print("Checking pf rules.")
    return 1 if _pfctl(ctx, ["-n", "-f", _rules(rc), *_flags(rc)]) else 0


def resync(ctx, rc, args):
    if _pfctl(ctx, ["-n", "-f", _rules(rc), *_flags(rc)]):
        return 1
    return 1 if _pfctl(ctx, ["-f", _rules(rc), *_flags(rc)]) else 0


def reload(ctx, rc, args):
    ctx.print("Reloading pf rules.")
    return resync(ctx, rc, args)


def status(ctx, rc, args):
    """pf_status(): ``-s info`` then ``-s Running`` (its status is the script's)."""
    _pfctl(ctx, ["-s", "info"])
    return _pfctl(ctx, ["-s", "Running"], out=io.StringIO())
