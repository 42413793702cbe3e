"""sendmail(8): rc.d/sendmail modes and DaemonPortOptions (src: libexec/rc/rc.d/sendmail, contrib/sendmail)."""

from ._common import (
    EADDRNOTAVAIL,
    ConfigError,
    _flags,
    _number_fds,
    _read,
    _try_bind,
    services,
)


def sendmail_mode(rc):
    """The daemons rc.d/sendmail starts.  src: libexec/rc/rc.d/sendmail (NONE/YES/NO logic)."""
    from ..rcconf import yes

    enable = (rc.get("sendmail_enable") or "NO").upper()
    if enable == "NONE":
        return []
    out = []
    if yes(enable):
        out.append("sendmail")
    elif yes(rc.get("sendmail_submit_enable")):
        out.append("sendmail_submit")
    elif yes(rc.get("sendmail_outbound_enable")):
        out.append("sendmail_outbound")
    if yes(rc.get("sendmail_msp_queue_enable")):
        out.append("sendmail_msp_queue")
    return out


def parse_daemon_port_options(value):
    """``Name=MTA, Family=inet, Addr=..., Port=..., M=E`` -> dict (sendmail cf/README DAEMON_OPTIONS)."""
    out = {}
    for part in value.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            k = k.strip()
            k = {"M": "Modifiers", "A": "Addr", "P": "Port", "F": "Family", "N": "Name"}.get(k, k)
            out[k] = v.strip()
    return out


def cf_daemons(root):
    """``O DaemonPortOptions=`` lines of /etc/mail/sendmail.cf; None if there is no sendmail.cf."""
    text = _read(root, "/etc/mail/sendmail.cf")
    if text is None:
        return None
    return [
        parse_daemon_port_options(line.split("=", 1)[1])
        for line in text.splitlines()
        if line.startswith("O DaemonPortOptions=")
    ]


def _sendmail_socks(state, jail, root, daemons, svc):
    out = []
    for d in daemons:
        fam = 6 if d.get("Family", "inet") == "inet6" else 4
        if d.get("Family") not in (None, "inet", "inet6"):
            continue
        port = d.get("Port") or "smtp"
        port = int(port) if port.isdigit() else svc.get((port, "tcp"), 25 if port == "smtp" else 587)
        addr = d.get("Addr") or "*"
        if addr == "localhost":
            addr = "::1" if fam == 6 else "127.0.0.1"
        elif addr in ("0.0.0.0", "::", "INADDR_ANY"):
            addr = "*"
        if not _try_bind(state, jail, fam, addr, "tcp", port, out) and "O" not in d.get("Modifiers", ""):
            raise ConfigError(f"NOQUEUE: SYSERR(root): opendaemonsocket: daemon {d.get('Name', 'MTA')}: "
                              f"cannot bind: {EADDRNOTAVAIL}")  # fmt: skip
    return out


def _sendmail(ctx, state, rc, root, jail, flags, which="sendmail"):
    var = {"sendmail": "sendmail_flags", "sendmail_submit": "sendmail_submit_flags"}.get(which, f"{which}_flags")
    argv = _flags(rc, var, flags)
    if "-bd" not in argv:
        return []  # queue runners (-q only) open no socket
    cf = cf_daemons(root)
    if cf is None:
        raise ConfigError("/etc/mail/sendmail.cf: line 0: cannot open: No such file or directory")
    override = [a for a in argv if a.startswith("-ODaemonPortOptions=")]
    i = 0
    while i < len(argv):
        if argv[i] == "-O" and i + 1 < len(argv) and argv[i + 1].startswith("DaemonPortOptions="):
            override.append("-O" + argv[i + 1])
        i += 1
    if override:
        # A command-line DaemonPortOptions replaces the .cf's daemon list
        # (UNVERIFIED, tests/fixtures/freebsd/BEHAVIOUR.md sendmail).
        daemons = [parse_daemon_port_options(o.split("=", 1)[1]) for o in override]
    else:
        daemons = cf or [{"Name": "MTA"}]
    return _number_fds(_sendmail_socks(state, jail, root, daemons, services(root)), 4)


# ------------------------------------------------------------------ named
