"""rc.d/cron (generic daemon: rc.subr's default start/stop/status).  # src: libexec/rc/rc.d/cron"""

NAME = "cron"
RCVAR = "cron_enable"
COMMAND = "/usr/sbin/cron"
PROCNAME = "/usr/sbin/cron"
PIDFILE = "/var/run/cron.pid"
COMMANDS = ()
