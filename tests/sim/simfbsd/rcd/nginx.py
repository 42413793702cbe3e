"""rc.d/nginx of the www/nginx package (simulated package ``nginx``, tools/pkg/).

src: the port's files/nginx.in (name=nginx, rcvar=nginx_enable, command=/usr/local/sbin/nginx,
pidfile=/var/run/nginx.pid, required_files=nginx.conf, configtest before start/reload).  The
start is rc.subr's default (rc.py daemon_start); its sockets come from daemons/nginx.py.
"""

from ..daemons import nginx as _conf

NAME = "nginx"
RCVAR = "nginx_enable"
PATH = "/usr/local/etc/rc.d/nginx"
COMMAND = "/usr/local/sbin/nginx"
PROCNAME = "nginx"
PIDFILE = "/var/run/nginx.pid"
COMMANDS = ("configtest", "reload")
JAIL_BOOT = True


def configtest(ctx, rc_, args):
    """nginx -t: ``the configuration file ... syntax is ok`` / ``test is successful`` on stderr."""
    err = _conf.conf_error(ctx.root)
    if err:
        ctx.err.write(f"{err}\nnginx: configuration file {_conf.CONF} test failed\n")
        return 1
    ctx.err.write(f"nginx: the configuration file {_conf.CONF} syntax is ok\n")
    ctx.err.write(f"nginx: configuration file {_conf.CONF} test is successful\n")
    return 0


start_precmd = configtest
reload_precmd = configtest


def reload(ctx, rc_, args):
    if not rc_.get("rc_pid"):
        ctx.err.write(f"{NAME} not running? (check {PIDFILE}).\n")
        return 1
    return 0
