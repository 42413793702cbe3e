"""rc.d/inetd (generic daemon: rc.subr's default start/stop/status).  # src: libexec/rc/rc.d/inetd"""

NAME = "inetd"
RCVAR = "inetd_enable"
COMMAND = "/usr/sbin/inetd"
PROCNAME = "/usr/sbin/inetd"
PIDFILE = "/var/run/inetd.pid"
COMMANDS = ("reload",)


def reload(ctx, rc, args):
    return 0 if rc.get("rc_pid") else 1
