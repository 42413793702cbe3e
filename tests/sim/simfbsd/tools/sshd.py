"""sshd(8) -t / -T: syntax check of sshd_config(5) (what Ansible's ``validate: sshd -t -f %s`` runs).

OpenSSH's messages (servconf.c process_server_config_line()):
  unknown keyword   ``FILE: line N: Bad configuration option: KW`` ... then
                    ``FILE: terminating, K bad configuration options`` -> exit 255
  Port              ``FILE line N: Badly formatted port number.`` -> exit 255
  ListenAddress     ``FILE line N: bad address:port usage`` / ``... invalid quotes`` -> exit 255
  missing file      ``load_server_config: fopen FILE: No such file or directory`` -> exit 255
sshd as a daemon is rc.d/sshd's job (simfbsd/rcd/sshd.py); without -t/-T this exits 0.
"""

import ipaddress
import re

from .. import bsdgetopt

# sshd_config(5) keywords, lower-cased: every name of the keywords[] table of FreeBSD's
# crypto/openssh/servconf.c (parse_token() compares with strcasecmp(); a name not in the table is
# "Bad configuration option").  Deprecated, ignored and unsupported entries (sDeprecated, sIgnore,
# sUnsupported) are in the table too: sshd only logs them, so they are not errors.  The table read
# is FreeBSD's OpenSSH 9.x (with FreeBSD's useblacklist/useblocklist); the box's sshd_config is
# FreeBSD-20250219 (OpenSSH 9.9p2), so OpenSSH 9.8's PerSourcePenalties, PerSourcePenaltyExemptList
# (sshd_config(5)) and SshdSessionPath are added at the end.  This is the one list: daemons/sshd.py
# (rc.d/sshd starting the daemon) imports it.
_KEYWORD_TABLE = """
    usepam pamauthenticationviakbdint
    port hostkey hostdsakey hostkeyagent pidfile modulifile serverkeybits logingracetime
    keyregenerationinterval permitrootlogin syslogfacility loglevel logverbose rhostsauthentication
    rhostsrsaauthentication hostbasedauthentication hostbasedusesnamefrompacketonly
    hostbasedacceptedalgorithms hostbasedacceptedkeytypes hostkeyalgorithms rsaauthentication
    pubkeyauthentication pubkeyacceptedalgorithms pubkeyacceptedkeytypes pubkeyauthoptions
    dsaauthentication
    kerberosauthentication kerberosorlocalpasswd kerberosticketcleanup kerberosgetafstoken
    kerberostgtpassing afstokenpassing
    gssapiauthentication gssapicleanupcredentials gssapistrictacceptorcheck
    passwordauthentication kbdinteractiveauthentication challengeresponseauthentication
    skeyauthentication checkmail listenaddress addressfamily printmotd printlastlog ignorerhosts
    ignoreuserknownhosts x11forwarding x11displayoffset x11uselocalhost xauthlocation strictmodes
    permitemptypasswords permituserenvironment uselogin compression rekeylimit tcpkeepalive
    keepalive allowtcpforwarding allowagentforwarding allowusers denyusers allowgroups denygroups
    ciphers macs protocol gatewayports subsystem maxstartups persourcemaxstartups
    persourcenetblocksize maxauthtries maxsessions banner usedns verifyreversemapping
    reversemappingcheck clientaliveinterval clientalivecountmax authorizedkeysfile
    authorizedkeysfile2 useprivilegeseparation acceptenv setenv permittunnel permittty permituserrc
    match permitopen permitlisten forcecommand chrootdirectory hostcertificate revokedkeys
    trustedusercakeys authorizedprincipalsfile kexalgorithms include ipqos authorizedkeyscommand
    authorizedkeyscommanduser authorizedprincipalscommand authorizedprincipalscommanduser
    versionaddendum authenticationmethods streamlocalbindmask streamlocalbindunlink
    allowstreamlocalforwarding fingerprinthash disableforwarding exposeauthinfo rdomain
    casignaturealgorithms securitykeyprovider requiredrsasize channeltimeout
    unusedconnectiontimeout useblacklist useblocklist
    persourcepenalties persourcepenaltyexemptlist sshdsessionpath
"""
KEYWORDS = frozenset(_KEYWORD_TABLE.split())


class Fatal(Exception):
    pass


def _port(text):
    if not re.fullmatch(r"[0-9]+", text or "") or not 0 < int(text) <= 65535:
        return None
    return int(text)


def check(text, path):
    """Returns (errors, bad) where errors are the lines to print; raises Fatal for fatal errors."""
    msgs = []
    bad = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([^\s=]+)\s*(?:=\s*|\s+)?(.*)$", line)
        kw, arg = m.group(1), m.group(2).strip()
        lkw = kw.lower()
        if lkw not in KEYWORDS:
            msgs.append(f"{path}: line {n}: Bad configuration option: {kw}")
            bad += 1
            continue
        if lkw == "port":
            if not arg:
                raise Fatal(f"{path} line {n}: missing port number.")
            if _port(arg.split()[0]) is None:
                raise Fatal(f"{path} line {n}: Badly formatted port number.")
        elif lkw == "listenaddress":
            if not arg:
                raise Fatal(f"{path} line {n}: missing address")
            _listen(arg.split()[0], path, n)
    return msgs, bad


def _listen(addr, path, n):
    host, port = addr, None
    if addr.startswith("["):
        m = re.fullmatch(r"\[([^\]]+)\](?::(.*))?", addr)
        if not m:
            raise Fatal(f"{path} line {n}: bad address:port usage")
        host, port = m.group(1), m.group(2)
    elif addr.count(":") == 1:
        host, port = addr.split(":")
    if port is not None and _port(port) is None:
        raise Fatal(f"{path} line {n}: bad port number")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
            raise Fatal(
                f"{path} line {n}: bad addr or host: {host} (hostname nor servname provided, or not known)"
            ) from None


# src: crypto/openssh/sshd.c usage(), which first prints SSH_RELEASE and SSH_OPENSSL_VERSION on a
# line of their own: that line is left out (the box's versions are not modelled)
USAGE = (
    "usage: sshd [-46DdeGiqTtV] [-C connection_spec] [-c host_cert_file]\n"
    "            [-E log_file] [-f config_file] [-g login_grace_time]\n"
    "            [-h host_key_file] [-o option] [-p port] [-u len]\n"
)


def main(ctx, argv):
    # src: crypto/openssh/sshd.c main(): getopt(3), usage() on anything else
    parsed = bsdgetopt.parse(ctx, argv, "C:E:b:c:f:g:h:k:o:p:u:46DGQRTdeiqrtV")
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, _operands = parsed
    test = any(c in "tT" for c, _v in opts)
    config = next((v for c, v in reversed(opts) if c == "f"), "/etc/ssh/sshd_config")  # the last -f
    if not test:
        return 0
    path = ctx.path(config) if config.startswith("/") else config
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        ctx.err.write(f"load_server_config: fopen {config}: {exc.strerror}\n")
        return 255
    try:
        msgs, bad = check(text, config)
    except Fatal as exc:
        ctx.err.write(f"{exc}\n")
        return 255
    if bad:
        ctx.err.write("\n".join(msgs) + f"\n{config}: terminating, {bad} bad configuration options\n")
        return 255
    return 0
