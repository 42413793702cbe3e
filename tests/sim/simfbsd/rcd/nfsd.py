"""rc.d/nfsd: name nfsd, rcvar nfs_server_enable, flags from nfs_server_flags.  # src: libexec/rc/rc.d/nfsd"""

NAME = "nfsd"
RCVAR = "nfs_server_enable"
COMMAND = "/usr/sbin/nfsd"
PROCNAME = "nfsd"
PIDFILE = "/var/run/nfsd.pid"
FLAGS_VAR = "nfs_server_flags"
COMMANDS = ()
