"""Which sockets a daemon listens on, derived from its real configuration.

Interface (for the rc.d daemon scripts; the caller may hold the kernel lock,
nothing here locks or runs a command):

  sockets(ctx, state, name, rc, root="/", jail=None, flags=None) -> list[dict]
      The listening sockets daemon ``name`` opens when started with rc.conf
      variables ``rc`` (``rcconf.load(root)``) in the system whose root is
      ``root``; ``jail`` is the jail's record from ``state["jails"]`` when the
      daemon runs in a jail (None on the host).  ``flags`` overrides the
      rc.conf flags variable (default: the one rc.d uses, e.g. sshd_flags).
      Each dict: ``{proto: tcp4|tcp6|tcp46|udp4|udp6|udp46, laddr: "*" or an
      address, lport: int, fd: int}`` - ready for ``kernel.spawn(sockets=...)``.
      Raises ConfigError(msg) when the configuration does not parse or no
      socket can be bound (the daemon then exits: rc.d prints msg on stderr
      and the start fails).
  NAMES          the daemons known: sshd, inetd, sendmail, sendmail_submit,
                 sendmail_outbound, sendmail_msp_queue, named, syslogd,
                 rpcbind, mountd, nfsd, ntpd, nginx (a package's daemon)
  USER[name]     the user the daemon's listening process runs as (sockstat USER)
  COMMAND[name]  its command name (sockstat COMMAND / ps comm)
  sendmail_mode(rc) -> list of the sendmail daemons rc.d/sendmail starts
                 ("sendmail", "sendmail_submit", "sendmail_outbound",
                 "sendmail_msp_queue"), per its NONE/YES/NO logic.

Addresses inside a jail follow the kernel (src: sys/netinet/in_jail.c
prison_local_ip4(), sys/netinet6/in6_jail.c prison_local_ip6()): a jail
without IPv4 (or IPv6) addresses cannot open such sockets (EAFNOSUPPORT, the
daemon skips that family); the wildcard stays the wildcard unless the jail
has exactly one address of the family, which is then bound instead;
127.0.0.1 (::1) not in the jail becomes the jail's first address; any other
address must be one of the jail's (else EADDRNOTAVAIL).  ``ip4=inherit``
(``ip6=inherit``) jails are unrestricted.  On the host an explicit address
must be configured on an interface (``state["ifaces"]``).
"""

from ._common import BindError, ConfigError  # noqa: F401 - the public API
from .inetd import _inetd
from .mountd import _mountd
from .named import _named, _named_parse, _named_tokens  # noqa: F401
from .nfsd import _nfsd
from .nginx import _nginx
from .ntpd import _ntpd
from .rpcbind import _rpcbind
from .sendmail import _sendmail, _sendmail_socks, cf_daemons, parse_daemon_port_options, sendmail_mode  # noqa: F401
from .sshd import SSHD_KEYWORDS, _parse_listen, _sshd, _sshd_words  # noqa: F401
from .syslogd import _syslogd

NAMES = (
    "sshd", "inetd", "sendmail", "sendmail_submit", "sendmail_outbound", "sendmail_msp_queue", "named",
    "syslogd", "rpcbind", "mountd", "nfsd", "ntpd", "nginx",
)  # fmt: skip
USER = {"named": "bind", "ntpd": "ntpd"}
COMMAND = {
    "sendmail_submit": "sendmail", "sendmail_outbound": "sendmail", "sendmail_msp_queue": "sendmail",
}  # fmt: skip

_DISPATCH = {
    "sshd": _sshd,
    "inetd": _inetd,
    "named": _named,
    "syslogd": _syslogd,
    "rpcbind": _rpcbind,
    "mountd": _mountd,
    "nfsd": _nfsd,
    "ntpd": _ntpd,
    "nginx": _nginx,
}


def sockets(ctx, state, name, rc, root="/", jail=None, flags=None):
    if name.startswith("sendmail"):
        return _sendmail(ctx, state, rc, root, jail, flags, name)
    fn = _DISPATCH.get(name)
    if fn is None:
        raise KeyError(f"daemons: unknown daemon {name!r}")
    return fn(ctx, state, rc, root, jail, flags)
