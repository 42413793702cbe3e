"""nginx (the ``nginx`` package, www/nginx): the ``listen`` sockets of its configuration.

Sockets: every ``listen`` directive of /usr/local/etc/nginx/nginx.conf (nginx's
ngx_http_core_module ``listen address[:port] | port``, default port 80; none at all: ``*:80``).
Addresses as the kernel gives them to a jail (_common.bind_addr).  A configuration that does not
open, a bad port or a bind that fails stops the start, with nginx's own words:
``nginx: [emerg] bind() to ADDR:PORT failed (49: Can't assign requested address)``.
"""

import re

from ._common import BindError, ConfigError, _number_fds, _read, _sock, bind_addr

CONF = "/usr/local/etc/nginx/nginx.conf"


def listens(text):
    """The (address or "*", port) pairs of the ``listen`` directives; ValueError on a bad one."""
    out = []
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(r"(?:^|[;{}\s])listen\s+([^;]+);", text):
        arg = m.group(1).split()[0]
        host, port = "*", arg
        if arg.startswith("["):
            host, _sep, port = arg[1:].partition("]")
            port = port.lstrip(":") or "80"
        elif ":" in arg:
            host, port = arg.rsplit(":", 1)
        elif not arg.isdigit():
            host, port = arg, "80"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f'invalid port in "{arg}" of the "listen" directive')
        out.append((host, int(port)))
    return out or [("*", 80)]


def conf_error(root):
    """nginx -t's complaint about the configuration under ``root``, None when it is fine."""
    text = _read(root, CONF)
    if text is None:
        return f'nginx: [emerg] open() "{CONF}" failed (2: No such file or directory)'
    try:
        listens(text)
    except ValueError as exc:
        return f"nginx: [emerg] {exc} in {CONF}"
    return None


def _nginx(ctx, state, rc, root, jail, flags):
    err = conf_error(root)
    if err:
        raise ConfigError(err)
    out = []
    for host, port in listens(_read(root, CONF)):
        fam = 6 if ":" in host else 4
        try:
            out.append(_sock(f"tcp{fam}", bind_addr(state, fam, host, jail), port))
        except BindError as exc:
            shown = f"[{host}]" if fam == 6 else ("0.0.0.0" if host == "*" else host)
            raise ConfigError(f"nginx: [emerg] bind() to {shown}:{port} failed (49: {exc.text})") from None
    return _number_fds(out, 6)
