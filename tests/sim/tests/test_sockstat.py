"""sockstat(1) output (tests/fixtures/freebsd/BEHAVIOUR.md §8;
src: usr.bin/sockstat/sockstat.c display()/displaysock()/printaddr(),
14.x-era version 6d13bb0e) on boxes whose daemons were started by rc.d, and on processes spawned here."""

import json
import re

HEADER = "USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      "


def py(box, code):
    prog = "import sys, json; sys.path.insert(0, '/.simhost/lib')\nfrom simfbsd import kernel\n" + code
    cp = box.run("/usr/bin/python3", "-SE", "-c", prog)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout


def pid_of(box, command):
    out = py(box, f"print([p['pid'] for p in kernel.read_state()['procs'] if p['command'] == {command!r}][-1])")
    return int(out)


def row(user, cmd, pid, fd, proto, local, foreign="*:*"):
    """The row layout of sockstat.c display(): columns 0/9/20(%5d)/26(%-3d)/30/37/59."""
    line = f"{user} ".ljust(9) + cmd[:10]
    line = line.ljust(20) + f"{pid:5d} "
    line = line.ljust(26) + f"{fd:<3d} "
    line = line.ljust(30) + proto + " "
    line = line.ljust(37) + local
    return line.ljust(59) + foreign


def test_default_box(box):
    sshd, syslogd = pid_of(box, "sshd"), pid_of(box, "syslogd")
    cp = box.run("sockstat", "-46l")
    # tests/fixtures/freebsd/BEHAVIOUR.md §8 sample and "Host daemons": sshd tcp6+tcp4 *:22, syslogd -s udp6+udp4 *:514
    expected = [
        HEADER,
        row("root", "sshd", sshd, 4, "tcp6", "*:22"),
        row("root", "sshd", sshd, 5, "tcp4", "*:22"),
        row("root", "syslogd", syslogd, 6, "udp6", "*:514"),
        row("root", "syslogd", syslogd, 7, "udp4", "*:514"),
    ]
    assert sshd > syslogd  # newest process first
    assert (cp.stdout, cp.stderr, cp.returncode) == ("\n".join(expected) + "\n", "", 0)
    assert f"root     sshd       {sshd:5d} 4   tcp6   *:22                  *:*\n" in cp.stdout  # §8 literal
    assert box.run("sockstat").stdout == cp.stdout  # default: -4 -6 -u, connected and listening
    assert box.run("sockstat", "-q", "-4").stdout == "\n".join([expected[2], expected[4]]) + "\n"
    assert box.run("sockstat", "-6", "-P", "udp").stdout == "\n".join([HEADER, expected[3]]) + "\n"
    assert box.run("sockstat", "-p", "22", "-q").stdout == "\n".join(expected[1:3]) + "\n"
    assert box.run("sockstat", "-c").stdout == HEADER + "\n"  # nothing connected
    assert box.run("sockstat", "-u").stdout == HEADER + "\n"  # no unix sockets modelled
    assert box.run("sockstat", "-j", "0", "-q", "-4").stdout == "\n".join([expected[2], expected[4]]) + "\n"


def test_listenaddress_restart(box):
    box.sh("echo 'ListenAddress 192.0.2.10' >> /etc/ssh/sshd_config")
    assert box.run("service", "sshd", "restart").returncode == 0
    sshd = pid_of(box, "sshd")
    cp = box.run("sockstat", "-46lq", "-P", "tcp")
    assert cp.stdout == row("root", "sshd", sshd, 4, "tcp4", "192.0.2.10:22") + "\n"


def test_options_and_errors(box):
    cp = box.run("sockstat", "-w", "-q", "-4", "-P", "tcp")
    sshd = pid_of(box, "sshd")
    line = cp.stdout.rstrip("\n")
    # -w: address columns 45 wide, foreign address at column 37 + 46
    assert line == row("root", "sshd", sshd, 5, "tcp4", "*:22")[:59].rstrip().ljust(83) + "*:*"
    head = box.run("sockstat", "-w").stdout.splitlines()[0]
    wide = f"{'USER':<8} {'COMMAND':<10} {'PID':<5} {'FD':<3} {'PROTO':<6} {'LOCAL ADDRESS':<45} "
    assert head == wide + f"{'FOREIGN ADDRESS':<45}"
    head = box.run("sockstat", "-s").stdout.splitlines()
    assert head[0] == HEADER + " PATH STATE   CONN STATE  "
    tcp = next(ln for ln in head if " tcp4 " in ln)
    assert tcp.endswith(" LISTEN") and tcp.index("LISTEN") == 37 + 44 + 13
    assert box.run("sockstat", "-n", "-q", "-4", "-P", "tcp").stdout.startswith("0        sshd ")
    cp = box.run("sockstat", "-j", "nosuch")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", 'sockstat: jail_getid: jail "nosuch" not found\n', 1)
    cp = box.run("sockstat", "-X")  # getopt(3)'s complaint, then usage() (usr.bin/sockstat/sockstat.c main())
    assert cp.stderr == (
        "sockstat: illegal option -- X\nusage: sockstat [-46CciLlnqSsUuvw] [-j jid] [-p ports] [-P protocols]\n"
    )
    assert cp.returncode == 1
    data = json.loads(box.run("sockstat", "--libxo", "json", "-4").stdout)
    socks = data["sockstat"]["socket"]
    assert [(s["command"], s["proto"], s["local"], s["foreign"]) for s in socks] == [
        ("sshd", "tcp4", {"address": "*", "port": "22"}, {"address": "*", "port": "*"}),
        ("syslogd", "udp4", {"address": "*", "port": "514"}, {"address": "*", "port": "*"}),
    ]


def test_ipv6_addresses_and_jails(box):
    py(
        box,
        """
with kernel.Kernel() as k:
    kernel.spawn(k.state, "named", "named -u bind", user="bind", sockets=[
        {"proto": "udp6", "laddr": "2001:db8::53", "lport": 53},
        {"proto": "tcp6", "laddr": "2001:db8:1234:5678:9abc:def0:1234:5678", "lport": 53},
        {"proto": "tcp4", "laddr": "192.0.2.10", "lport": 0},
        {"proto": "tcp46", "laddr": "*", "lport": 8080}])
    kernel.spawn(k.state, "nginx-with-a-long-name", "x", jid=7, user="www",
                 sockets=[{"proto": "tcp4", "laddr": "192.0.2.23", "lport": 80}])
""",
    )
    named = pid_of(box, "named")
    lines = box.run("sockstat", "-q", "-P", "tcp,udp").stdout.splitlines()
    assert lines[0] == row("www", "nginx-with", named + 1, 3, "tcp4", "192.0.2.23:80")  # %.10s command
    assert lines[1] == row("bind", "named", named, 3, "udp6", "2001:db8::53:53")  # IPv6 not bracketed
    # an IPv6 local address reaching column 58 gets one extra space (displaysock)
    assert re.fullmatch(r"bind +named +\d+ 4   tcp6   2001:db8:1234:5678:9abc:def0:1234:5678:53 \*:\*", lines[2])
    assert lines[3].split()[4:6] == ["tcp4", "192.0.2.10:*"]  # port 0 -> "*"
    assert lines[4].split()[4:6] == ["tcp46", "*:8080"]
    py(
        box,
        """
with kernel.Kernel() as k:
    kernel.spawn(k.state, "unbound", "x", sockets=[{"proto": "udp4", "laddr": "127.0.0.1", "lport": 53}])
""",
    )
    assert box.run("sockstat", "-4q", "-p", "53").stdout.split()[4:6] == ["udp4", "127.0.0.1:53"]
    assert box.run("sockstat", "-4qL", "-p", "53").stdout == ""  # -L: loopback sockets left out
    # jailed processes are listed on the host; -j filters (a jail record is needed for names)
    py(
        box,
        """
with kernel.Kernel() as k:
    k.state["jails"]["7"] = {"jid": 7, "name": "web", "path": "/", "ip4.addr": ["192.0.2.23"]}
""",
    )
    assert box.run("sockstat", "-q", "-j", "web").stdout == lines[0] + "\n"
    assert box.run("sockstat", "-q", "-j", "7").stdout == lines[0] + "\n"
