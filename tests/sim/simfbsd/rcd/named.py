"""rc.d/named of the dns/bind9xx port (not in base: /usr/local/etc/rc.d/named must exist).

rcvar/command/pidfile/user of the port's script are UNVERIFIED (tests/fixtures/freebsd/BEHAVIOUR.md named section).
"""

NAME = "named"
RCVAR = "named_enable"
PATH = "/usr/local/etc/rc.d/named"
COMMAND = "/usr/local/sbin/named"
PROCNAME = "/usr/local/sbin/named"
PIDFILE = "/var/run/named/pid"
USER = "bind"
COMMANDS = ("reload",)
COMMAND_ARGS = "-u bind -c /usr/local/etc/namedb/named.conf"


def reload(ctx, rc, args):
    return 0 if rc.get("rc_pid") else 1
