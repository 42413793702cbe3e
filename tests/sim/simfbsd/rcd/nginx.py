"""rc.d/nginx of the www/nginx package (simulated package ``nginx``, tools/pkg.py).

src: the port's files/nginx.in (name=nginx, rcvar=nginx_enable, command=/usr/local/sbin/nginx,
pidfile=/var/run/nginx.pid, required_files=nginx.conf, configtest before start/reload).
Sockets: every ``listen`` directive of the ``server`` blocks of /usr/local/etc/nginx/nginx.conf
(nginx's ngx_http_core_module ``listen address[:port] | port``; default port 80); addresses as
the kernel gives them to a jail (daemons.bind_addr: sys/netinet/in_jail.c prison_local_ip4()).
A bind that fails is fatal, as nginx reports it:
``nginx: [emerg] bind() to ADDR:PORT failed (49: Can't assign requested address)``.
"""

import os
import re
import sys

from .. import daemons, kernel, rc

NAME = "nginx"
RCVAR = "nginx_enable"
PATH = "/usr/local/etc/rc.d/nginx"
COMMAND = "/usr/local/sbin/nginx"
PROCNAME = "nginx"
PIDFILE = "/var/run/nginx.pid"
CONF = "/usr/local/etc/nginx/nginx.conf"
COMMANDS = ("configtest", "reload")
JAIL_BOOT = True


def listens(text):
    """The (address or "*", port) pairs of the ``listen`` directives; ValueError on a bad one."""
    out = []
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(r"(?:^|[;{}\s])listen\s+([^;]+);", text):
        arg = m.group(1).split()[0]
        host, port = "*", arg
        if arg.startswith("["):
            host, _, port = arg[1:].partition("]")
            port = port.lstrip(":") or "80"
        elif ":" in arg:
            host, port = arg.rsplit(":", 1)
        elif not arg.isdigit():
            host, port = arg, "80"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f'invalid port in "{arg}" of the "listen" directive')
        out.append((host, int(port)))
    return out or [("*", 80)]


def _conf(ctx):
    path = ctx.path(CONF)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None, f'nginx: [emerg] open() "{CONF}" failed (2: No such file or directory)'
    try:
        return listens(text), None
    except ValueError as exc:
        return None, f"nginx: [emerg] {exc} in {CONF}"


def configtest(ctx, rc_, args):
    """nginx -t: ``the configuration file ... syntax is ok`` / ``test is successful`` on stderr."""
    _pairs, err = _conf(ctx)
    if err:
        ctx.err.write(f"{err}\nnginx: configuration file {CONF} test failed\n")
        return 1
    ctx.err.write(f"nginx: the configuration file {CONF} syntax is ok\n")
    ctx.err.write(f"nginx: configuration file {CONF} test is successful\n")
    return 0


start_precmd = configtest
reload_precmd = configtest


def start(ctx, rc_, args):
    pairs, err = _conf(ctx)
    ctx.print(f"Starting {NAME}.")
    if err:
        ctx.err.write(err + "\n")
        return 1
    with kernel.Kernel() as k:
        jail = k.state["jails"].get(str(ctx.jid)) if ctx.jid else None
        socks = []
        for host, port in pairs:
            fam = 6 if ":" in host else 4
            try:
                socks.append(
                    {"proto": f"tcp{fam}", "laddr": daemons.bind_addr(k.state, fam, host, jail), "lport": port}
                )
            except daemons.BindError as exc:
                shown = f"[{host}]" if fam == 6 else ("0.0.0.0" if host == "*" else host)
                ctx.err.write(f"nginx: [emerg] bind() to {shown}:{port} failed (49: {exc.text})\n")
                socks = None
                break
        pid = None
        if socks is not None:
            argv = f"nginx: master process {COMMAND}"
            pid = kernel.spawn(k.state, NAME, argv, jid=ctx.jid, user="root", sockets=socks)
    if pid is None:
        rc._warn(ctx, sys.modules[__name__], f"failed to start {NAME}")
        return 1
    path = ctx.path(PIDFILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="ascii") as f:
        f.write(f"{pid}\n")
    return 0


def reload(ctx, rc_, args):
    if not rc_.get("rc_pid"):
        ctx.err.write(f"{NAME} not running? (check {PIDFILE}).\n")
        return 1
    return 0
