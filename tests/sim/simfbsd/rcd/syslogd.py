"""rc.d/syslogd (generic daemon: rc.subr's default start/stop/status).  # src: libexec/rc/rc.d/syslogd"""

NAME = "syslogd"
RCVAR = "syslogd_enable"
COMMAND = "/usr/sbin/syslogd"
PROCNAME = "/usr/sbin/syslogd"
PIDFILE = "/var/run/syslog.pid"
COMMANDS = ("reload",)


def reload(ctx, rc, args):
    return 0 if rc.get("rc_pid") else 1
