"""rc.d/rpcbind (generic daemon: rc.subr's default start/stop/status).  # src: libexec/rc/rc.d/rpcbind"""

NAME = "rpcbind"
RCVAR = "rpcbind_enable"
COMMAND = "/usr/sbin/rpcbind"
PROCNAME = "/usr/sbin/rpcbind"
PIDFILE = None
COMMANDS = ()
