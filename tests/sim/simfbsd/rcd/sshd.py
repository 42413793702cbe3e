"""rc.d/sshd.  # src: libexec/rc/rc.d/sshd (name, desc, rcvar, pidfile, extra_commands, sshd_configtest)"""

NAME = "sshd"
DESC = "Secure Shell Daemon"
RCVAR = "sshd_enable"
COMMAND = "/usr/sbin/sshd"
PROCNAME = "/usr/sbin/sshd"
PIDFILE = "/var/run/sshd.pid"
COMMANDS = ("configtest", "keygen", "reload")


def configtest(ctx, rc, args):
    """sshd_configtest(): announce, then ``sshd $sshd_flags -t``."""
    from ..tools import sshd

    ctx.print(f"Performing sanity check on {NAME} configuration.")
    return sshd.main(ctx, [*rc.get("sshd_flags", "").split(), "-t"])


def keygen(ctx, rc, args):
    """Host keys are taken as present (a real host made them at first boot): nothing to print."""
    return 0


def start_precmd(ctx, rc, args):
    """sshd_precmd(): keygen, then configtest."""
    keygen(ctx, rc, args)
    return configtest(ctx, rc, args)


restart_precmd = configtest
reload_precmd = configtest


def reload(ctx, rc, args):
    if not rc.get("rc_pid"):
        ctx.err.write(f"{NAME} not running? (check {PIDFILE}).\n")
        return 1
    return 0
