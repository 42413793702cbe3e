"""daemons.sockets(): listening sockets derived from each daemon's configuration.

Facts: tests/fixtures/freebsd/BEHAVIOUR.md "Host daemons: binding to one address" (per daemon), sshd_config.5-excerpt
(ListenAddress forms, Port, AddressFamily), inetd.8 (-a, tcp/tcp6/tcp46), syslogd.8 (-s/-ss/-b),
rpcbind.8 / mountd.8 / nfsd.8-excerpt (-h), ntpd.8-excerpt (-I), named.conf-excerpt (listen-on);
jails: src sys/netinet/in_jail.c prison_local_ip4() (one address: the wildcard binds it;
127.0.0.1 -> the jail's first address; others must belong to the jail).
These run in-process on a temporary root: the daemons package reads only files under ``root``.
"""

import os
import shutil

import pytest
from simfbsd import daemons

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simfbsd", "data")
STATE = {
    "ifaces": {
        "vtnet0": {"inet": [{"addr": "192.0.2.10", "prefix": 24}, {"addr": "192.0.2.23", "prefix": 32}],
                   "inet6": [{"addr": "2001:db8::10", "prefix": 64}]},
        "lo0": {"inet": [{"addr": "127.0.0.1", "prefix": 8}], "inet6": [{"addr": "::1", "prefix": 128}]},
    }
}  # fmt: skip
JAIL1 = {"name": "web", "ip4": "new", "ip4.addr": ["192.0.2.23"], "ip6": "disable"}
JAIL2 = {"name": "two", "ip4": "new", "ip4.addr": ["192.0.2.23", "192.0.2.24"], "ip6": "disable"}


@pytest.fixture
def root(tmp_path):
    shutil.copytree(os.path.join(DATA, "root", "etc"), tmp_path / "etc")
    os.makedirs(tmp_path / "usr/local/etc/namedb")
    shutil.copy(os.path.join(DATA, "named", "named.conf"), tmp_path / "usr/local/etc/namedb/named.conf")
    return tmp_path


def socks(root, name, rc=None, jail=None, flags=None):
    return [
        (s["proto"], s["laddr"], s["lport"])
        for s in daemons.sockets(None, STATE, name, rc or {}, root=str(root), jail=jail, flags=flags)
    ]


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_sshd_default_and_fds(root):
    got = daemons.sockets(None, STATE, "sshd", {"sshd_flags": ""}, root=str(root))
    # tests/fixtures/freebsd/BEHAVIOUR.md sshd "Before": tcp6 *:22 (fd 4) and tcp4 *:22 (fd 5)
    assert got == [{"proto": "tcp6", "laddr": "*", "lport": 22, "fd": 4},
                   {"proto": "tcp4", "laddr": "*", "lport": 22, "fd": 5}]  # fmt: skip


@pytest.mark.parametrize(
    ("conf", "expected"),
    [
        ("ListenAddress 192.0.2.10\n", [("tcp4", "192.0.2.10", 22)]),
        ("Port 2222\nListenAddress 192.0.2.10\n", [("tcp4", "192.0.2.10", 2222)]),
        ("ListenAddress 192.0.2.10:2200\n", [("tcp4", "192.0.2.10", 2200)]),
        ("ListenAddress [2001:db8::10]:22\n", [("tcp6", "2001:db8::10", 22)]),
        ("Port 22\nPort 2222\n", [("tcp6", "*", 22), ("tcp4", "*", 22), ("tcp6", "*", 2222), ("tcp4", "*", 2222)]),
        ("AddressFamily inet\n", [("tcp4", "*", 22)]),
        ("AddressFamily inet6\nListenAddress 192.0.2.10\nListenAddress ::1\n", [("tcp6", "::1", 22)]),
        ("ListenAddress localhost\n", [("tcp6", "::1", 22), ("tcp4", "127.0.0.1", 22)]),
        ("listenaddress=192.0.2.10\n", [("tcp4", "192.0.2.10", 22)]),
        ("ListenAddress 192.0.2.10\nMatch User bob\n\tX11Forwarding no\n", [("tcp4", "192.0.2.10", 22)]),
    ],
)
def test_sshd_config_forms(root, conf, expected):
    write(root, "etc/ssh/sshd_config", conf)
    assert socks(root, "sshd") == expected


# servconf.c keywords[]: deprecated/ignored/unsupported names are only logged by sshd; names
# outside the table (GSSAPIKeyExchange is a Linux distributions' patch) are bad options.
KNOWN_ODD = "UseLogin no\nKeepAlive yes\nHostDSAKey /etc/ssh/k\nSkeyAuthentication no\nProtocol 2\n" + (
    "AuthorizedKeysFile2 x\nPerSourcePenalties no\nUseBlocklist yes\nKerberosTgtPassing no\n"
)
NOT_KEYWORDS = "GSSAPIKeyExchange yes\nPerSeurcePenalties no\n"


def test_sshd_keywords_are_one_list_from_servconf(root):
    from simfbsd.tools import sshd as sshd_tool

    assert daemons.SSHD_KEYWORDS is sshd_tool.KEYWORDS  # sshd -t and rc.d/sshd read configs alike
    assert sshd_tool.check(KNOWN_ODD, "f") == ([], 0)
    write(root, "etc/ssh/sshd_config", KNOWN_ODD)
    assert socks(root, "sshd") == [("tcp6", "*", 22), ("tcp4", "*", 22)]
    bad = [
        "f: line 1: Bad configuration option: GSSAPIKeyExchange",
        "f: line 2: Bad configuration option: PerSeurcePenalties",
    ]
    assert sshd_tool.check(NOT_KEYWORDS, "f") == (bad, 2)
    write(root, "etc/ssh/sshd_config", NOT_KEYWORDS)
    with pytest.raises(daemons.ConfigError) as exc:
        socks(root, "sshd")
    assert exc.value.msg == "\n".join(bad).replace("f:", "/etc/ssh/sshd_config:") + (
        "\n/etc/ssh/sshd_config: terminating, 2 bad configuration options"
    )


def test_sshd_flags_and_errors(root):
    assert socks(root, "sshd", {"sshd_flags": "-o ListenAddress=192.0.2.10"}) == [("tcp4", "192.0.2.10", 22)]
    assert socks(root, "sshd", {"sshd_flags": "-4 -p 2022"}) == [("tcp4", "*", 2022)]
    write(root, "etc/ssh/sshd_config", "Port 22\nFrobnicate yes\n")
    with pytest.raises(daemons.ConfigError) as exc:
        socks(root, "sshd")
    assert exc.value.msg == (
        "/etc/ssh/sshd_config: line 2: Bad configuration option: Frobnicate\n"
        "/etc/ssh/sshd_config: terminating, 1 bad configuration options"
    )
    write(root, "etc/ssh/sshd_config", "Port abc\n")
    with pytest.raises(daemons.ConfigError, match=r"line 1: Badly formatted port number\.$"):
        socks(root, "sshd")
    write(root, "etc/ssh/sshd_config", "ListenAddress 198.51.100.7\n")  # not an address of the host
    with pytest.raises(daemons.ConfigError) as exc:
        socks(root, "sshd")
    assert exc.value.msg.endswith("Cannot bind any address.")


def test_sshd_in_jails(root):
    # one IPv4 address, no IPv6: the wildcard binds the jail address; tcp6 is impossible (EAFNOSUPPORT)
    assert socks(root, "sshd", jail=JAIL1) == [("tcp4", "192.0.2.23", 22)]
    assert socks(root, "sshd", jail=JAIL2) == [("tcp4", "*", 22)]  # two addresses: stays the wildcard
    write(root, "etc/ssh/sshd_config", "ListenAddress 127.0.0.1\n")
    assert socks(root, "sshd", jail=JAIL2) == [("tcp4", "192.0.2.23", 22)]  # loopback -> first jail address
    write(root, "etc/ssh/sshd_config", "ListenAddress 192.0.2.10\n")  # the host's, not the jail's
    with pytest.raises(daemons.ConfigError):
        socks(root, "sshd", jail=JAIL1)
    assert socks(root, "sshd", jail={"ip4": "inherit", "ip6": "inherit"}) == [("tcp4", "192.0.2.10", 22)]


def test_inetd(root):
    write(root, "etc/inetd.conf",
          "ftp\tstream\ttcp\tnowait\troot\t/usr/libexec/ftpd\tftpd -l\n"
          "#telnet\tstream\ttcp\tnowait\troot\t/usr/libexec/telnetd\ttelnetd\n"
          "ftp\tstream\ttcp6\tnowait\troot\t/usr/libexec/ftpd\tftpd -l\n"
          "tftp\tdgram\tudp\twait\troot\t/usr/libexec/tftpd\ttftpd -s /tftpboot\n"
          "ssh\tstream\ttcp46\tnowait\troot\t/usr/sbin/sshd\tsshd -i\n"
          "nosuch\tstream\ttcp\tnowait\troot\t/x\tx\n"
          "sunrpc\tstream\trpc/tcp\twait\troot\t/x\tx\n")  # fmt: skip
    assert socks(root, "inetd", {"inetd_flags": "-wW -C 60"}) == [
        ("tcp4", "*", 21), ("tcp6", "*", 21), ("udp4", "*", 69), ("tcp46", "*", 22)
    ]  # fmt: skip
    assert socks(root, "inetd", {"inetd_flags": "-wW -C 60 -a 192.0.2.10"}) == [
        ("tcp4", "192.0.2.10", 21), ("udp4", "192.0.2.10", 69), ("tcp4", "192.0.2.10", 22)
    ]  # fmt: skip
    # the stock file has every service commented out
    shutil.copy(os.path.join(DATA, "root/etc/inetd.conf"), root / "etc/inetd.conf")
    assert socks(root, "inetd", {"inetd_flags": "-wW"}) == []


def test_sendmail_modes_and_cf(root):
    assert daemons.sendmail_mode({"sendmail_enable": "NONE", "sendmail_submit_enable": "YES"}) == []
    rc_no = {"sendmail_enable": "NO", "sendmail_submit_enable": "YES", "sendmail_outbound_enable": "YES",
             "sendmail_msp_queue_enable": "YES"}  # fmt: skip
    assert daemons.sendmail_mode(rc_no) == ["sendmail_submit", "sendmail_msp_queue"]
    assert daemons.sendmail_mode(dict(rc_no, sendmail_enable="YES")) == ["sendmail", "sendmail_msp_queue"]
    assert daemons.sendmail_mode(dict(rc_no, sendmail_submit_enable="NO")) == ["sendmail_outbound",
                                                                               "sendmail_msp_queue"]  # fmt: skip
    with pytest.raises(daemons.ConfigError, match=r"sendmail\.cf"):  # no sendmail.cf built yet
        socks(root, "sendmail", {"sendmail_flags": "-L sm-mta -bd -q30m"})
    write(
        root,
        "etc/mail/sendmail.cf",
        "V10/Berkeley\nO DaemonPortOptions=Name=IPv4, Family=inet\n"
        "O DaemonPortOptions=Name=IPv6, Family=inet6, Modifiers=O\nO DaemonPortOptions=Port=587, Name=MSA, M=E\n",
    )
    rc = {"sendmail_flags": "-L sm-mta -bd -q30m",
          "sendmail_submit_flags": "-L sm-mta -bd -q30m -ODaemonPortOptions=Addr=localhost"}  # fmt: skip
    # tests/fixtures/freebsd/BEHAVIOUR.md sendmail YES: tcp4 *:25, tcp6 *:25, tcp4 *:587
    assert socks(root, "sendmail", rc) == [("tcp4", "*", 25), ("tcp6", "*", 25), ("tcp4", "*", 587)]
    assert socks(root, "sendmail_submit", rc) == [("tcp4", "127.0.0.1", 25)]
    assert socks(root, "sendmail_submit", rc, jail=JAIL1) == [("tcp4", "192.0.2.23", 25)]  # rc.conf.5 note
    assert socks(root, "sendmail_msp_queue", {"sendmail_msp_queue_flags": "-L sm-msp-queue -Ac -q30m"}) == []
    write(root, "etc/mail/sendmail.cf", "O DaemonPortOptions=Name=IPv4, Family=inet, Addr=192.0.2.10\n")
    assert socks(root, "sendmail", rc) == [("tcp4", "192.0.2.10", 25)]


def test_named(root):
    # the sample: listen-on { 127.0.0.1; }; listen-on-v6 commented out -> BIND default (any)
    got = socks(root, "named")
    assert got[:2] == [("udp4", "127.0.0.1", 53), ("tcp4", "127.0.0.1", 53)]
    assert ("udp6", "2001:db8::10", 53) in got and ("tcp6", "::1", 53) in got
    assert got[-1] == ("tcp4", "127.0.0.1", 953)
    write(
        root,
        "usr/local/etc/namedb/named.conf",
        'options {\n\tdirectory "/x";\n\tlisten-on { 192.0.2.10; };\n\tlisten-on-v6 { none; };\n};\n',
    )
    assert socks(root, "named") == [("udp4", "192.0.2.10", 53), ("tcp4", "192.0.2.10", 53),
                                    ("tcp4", "127.0.0.1", 953)]  # fmt: skip
    write(root, "usr/local/etc/namedb/named.conf", "options {\n\tlisten-on { 192.0.2.10 };\n};\n")
    with pytest.raises(daemons.ConfigError) as exc:
        socks(root, "named")
    assert exc.value.msg == "/usr/local/etc/namedb/named.conf:2: missing ';' before '}'"
    write(root, "usr/local/etc/namedb/named.conf", "options {\n\tlisten-on { any; };\n")
    with pytest.raises(daemons.ConfigError, match="unexpected end of input"):
        socks(root, "named")


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ("-s", [("udp6", "*", 514), ("udp4", "*", 514)]),
        ("-ss", []),
        ("-s -b 192.0.2.10", [("udp4", "192.0.2.10", 514)]),
        ("-b 192.0.2.10:1514 -b [2001:db8::10]", [("udp4", "192.0.2.10", 1514), ("udp6", "2001:db8::10", 514)]),
        ("-b :5514", [("udp6", "*", 5514), ("udp4", "*", 5514)]),
        ("-4 -s", [("udp4", "*", 514)]),
    ],
)
def test_syslogd(root, flags, expected):
    assert socks(root, "syslogd", {"syslogd_flags": flags}) == expected


def test_rpc_nfs_ntp(root):
    assert socks(root, "rpcbind", {"rpcbind_flags": ""}) == [
        ("udp4", "*", 111), ("tcp4", "*", 111), ("udp6", "*", 111), ("tcp6", "*", 111)
    ]  # fmt: skip
    # rpcbind.8: -h addresses, plus 127.0.0.1 and ::1 added automatically
    assert socks(root, "rpcbind", {"rpcbind_flags": "-h 192.0.2.10"}) == [
        ("udp4", "192.0.2.10", 111), ("tcp4", "192.0.2.10", 111), ("udp4", "127.0.0.1", 111),
        ("tcp4", "127.0.0.1", 111), ("udp6", "::1", 111), ("tcp6", "::1", 111)
    ]  # fmt: skip
    assert socks(root, "mountd", {"mountd_flags": "-r -S -p 4000 -h 192.0.2.10"})[:2] == [
        ("udp4", "192.0.2.10", 4000), ("tcp4", "192.0.2.10", 4000)
    ]  # fmt: skip
    assert socks(root, "nfsd", {"nfs_server_flags": "-u -t -h 192.0.2.10"}) == [
        ("udp4", "192.0.2.10", 2049), ("tcp4", "192.0.2.10", 2049)
    ]  # fmt: skip
    all_ntp = socks(root, "ntpd", {"ntpd_flags": ""})
    assert ("udp4", "192.0.2.23", 123) in all_ntp and ("udp4", "*", 123) in all_ntp  # jail alias too
    only = socks(root, "ntpd", {"ntpd_flags": "-I 192.0.2.10"})
    assert ("udp4", "192.0.2.23", 123) not in only
    assert ("udp4", "192.0.2.10", 123) in only and ("udp4", "127.0.0.1", 123) in only
    assert ("udp6", "*", 123) in only
