"""rc.d/mountd (generic daemon: rc.subr's default start/stop/status).  # src: libexec/rc/rc.d/mountd"""

NAME = "mountd"
RCVAR = "mountd_enable"
COMMAND = "/usr/sbin/mountd"
PROCNAME = "/usr/sbin/mountd"
PIDFILE = "/var/run/mountd.pid"
COMMANDS = ("reload",)


def reload(ctx, rc, args):
    return 0 if rc.get("rc_pid") else 1
