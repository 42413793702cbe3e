"""rc.d/sendmail: the MTA part (sendmail / sendmail_submit / sendmail_outbound) and sendmail_msp_queue.

# src: libexec/rc/rc.d/sendmail (tests/fixtures/freebsd/BEHAVIOUR.md sendmail section): NONE forces all four to NO;
# YES forces submit and outbound to NO; else submit=YES runs the localhost MTA (outbound NO);
# else outbound=YES runs the queue runner; msp_queue runs independently.  run_rc_command
# is called once for the MTA part and once for msp_queue, each with its own name/rcvar,
# hence ``Starting sendmail_submit.`` / ``Starting sendmail_msp_queue.``.
Sockets: daemons.sockets(ctx, state, PART, rc) with PART the part's name (sendmail,
sendmail_submit, sendmail_outbound, sendmail_msp_queue).
The check for /etc/mail/sendmail.cf (required_files) is not modelled.
"""

import types

from .. import rc as rclib
from .. import rcconf

NAME = "sendmail"
RCVAR = "sendmail_enable"
COMMANDS = ()


def _parts(rc):
    rc = dict(rc)
    if (rc.get("sendmail_enable") or "").upper() == "NONE":
        for v in ("sendmail_enable", "sendmail_submit_enable", "sendmail_outbound_enable", "sendmail_msp_queue_enable"):
            rc[v] = "NO"
    if rcconf.yes(rc.get("sendmail_enable")):
        rc["sendmail_submit_enable"] = rc["sendmail_outbound_enable"] = "NO"
    name, rcvar, flags = "sendmail", "sendmail_enable", rc.get("sendmail_flags", "")
    user, procname = "root", "sendmail"
    if rcconf.yes(rc.get("sendmail_submit_enable")):
        name, rcvar, flags = "sendmail_submit", "sendmail_submit_enable", rc.get("sendmail_submit_flags", "")
        rc["sendmail_outbound_enable"] = "NO"
    if rcconf.yes(rc.get("sendmail_outbound_enable")):
        name, rcvar, flags = "sendmail_outbound", "sendmail_outbound_enable", rc.get("sendmail_outbound_flags", "")
    mta = _part(name, rcvar, flags, "/var/run/sendmail.pid", procname, user)
    msp = _part(
        "sendmail_msp_queue",
        "sendmail_msp_queue_enable",
        rc.get("sendmail_msp_queue_flags", ""),
        "/var/spool/clientmqueue/sm-client.pid",
        procname,
        "smmsp",
    )
    return rc, [mta, msp]


def _part(name, rcvar, flags, pidfile, procname, user):
    mod = types.SimpleNamespace(
        NAME=name, RCVAR=rcvar, PROCNAME=procname, PIDFILE=pidfile, COMMANDS=(), PATH="/etc/rc.d/sendmail"
    )

    def start(ctx, rc, args, _m=mod, _flags=flags):
        if not rc.get("rc_quiet") or rcconf.yes(rc.get("rc_startmsgs")):
            ctx.print(f"Starting {_m.NAME}.")
        argv = " ".join(w for w in ("/usr/sbin/sendmail", _flags) if w)
        return rclib.spawn_daemon(ctx, rc, _m, _m.NAME, "sendmail", argv, _m.PIDFILE, user=user)

    mod.start = start
    return mod


def RUN(ctx, arg, args, rc, autoboot):
    rc2, parts = _parts(rc)
    status = 0
    for part in parts:
        r = rclib.run_rc_command(ctx, part, arg, args, rc=rc2, autoboot=autoboot)
        status = status or r
    return status
