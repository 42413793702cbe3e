"""rc.d/ntpd (generic daemon: rc.subr's default start/stop/status).  # src: libexec/rc/rc.d/ntpd"""

NAME = "ntpd"
RCVAR = "ntpd_enable"
COMMAND = "/usr/sbin/ntpd"
PROCNAME = "/usr/sbin/ntpd"
PIDFILE = "/var/db/ntp/ntpd.pid"
COMMANDS = ()
