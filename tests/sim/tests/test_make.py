"""make(1) in /etc/mail (src: etc/mail/Makefile, contrib/sendmail/cf/README DAEMON_OPTIONS,
tests/fixtures/freebsd/BEHAVIOUR.md sendmail) and the sendmail sockets that follow from the installed sendmail.cf."""

M4 = "/usr/bin/m4 -D_CF_DIR_=/usr/share/sendmail/cf/  /usr/share/sendmail/cf/m4/cf.m4"


def daemon_lines(box, path="/etc/mail/sendmail.cf"):
    return [ln for ln in box.read(path).splitlines() if ln.startswith("O DaemonPortOptions=")]


def test_install_from_freebsd_mc(box):
    host = box.name
    cp = box.sh("cd /etc/mail && make install")
    # SENDMAIL_MC = `hostname`.mc copied from freebsd.mc; .mc.cf via m4; install-cf and install-submit-cf
    assert (cp.stderr, cp.returncode) == ("", 0)
    assert cp.stdout == (
        f"cp freebsd.mc {host}.mc\n{M4} {host}.mc > {host}.cf\n"
        f"cp freebsd.submit.mc {host}.submit.mc\n{M4} {host}.submit.mc > {host}.submit.cf\n"
        f"install -m 444 {host}.cf /etc/mail/sendmail.cf\ninstall -m 444 {host}.submit.cf /etc/mail/submit.cf\n"
    )
    # freebsd.mc: DAEMON_OPTIONS IPv4 (replaces the default MTA) and IPv6; the default MSA is still added
    assert daemon_lines(box) == [
        "O DaemonPortOptions=Name=IPv4, Family=inet",
        "O DaemonPortOptions=Name=IPv6, Family=inet6, Modifiers=O",
        "O DaemonPortOptions=Port=587, Name=MSA, M=E",
    ]
    assert box.run("stat", "-c", "%a", "/etc/mail/sendmail.cf").stdout == "444\n"
    # nothing is rebuilt the second time; install always copies
    cp = box.run("make", "-C", "/etc/mail", "install")
    assert cp.stdout == (
        f"install -m 444 {host}.cf /etc/mail/sendmail.cf\ninstall -m 444 {host}.submit.cf /etc/mail/submit.cf\n"
    )
    # plain make (all = cf maps aliases) builds but installs nothing
    cp = box.run("make", "-C", "/etc/mail")
    assert cp.stdout == "/usr/sbin/sendmail -bi -OAliasFile=/etc/mail/aliases\nchmod 0640 /etc/mail/aliases.db\n"


def test_one_address_and_sockets(box):
    host = box.name
    box.write(
        f"/etc/mail/{host}.mc",
        "divert(-1)\ndnl a comment\ndivert(0)dnl\nOSTYPE(freebsd6)\nFEATURE(`no_default_msa')dnl\n"
        "DAEMON_OPTIONS(`Name=IPv4, Family=inet, Addr=192.0.2.10')\nMAILER(local)\nMAILER(smtp)\n",
    )
    cp = box.run("make", "-C", "/etc/mail", "install")
    assert cp.returncode == 0 and f"{M4} {host}.mc > {host}.cf\n" in cp.stdout
    assert daemon_lines(box) == ["O DaemonPortOptions=Name=IPv4, Family=inet, Addr=192.0.2.10"]
    assert box.sh("sysrc sendmail_enable=YES >/dev/null && service sendmail start").returncode == 0
    out = box.run("sockstat", "-46lq", "-p", "25,587").stdout
    assert [ln.split()[1:2] + ln.split()[4:6] for ln in out.splitlines()] == [["sendmail", "tcp4", "192.0.2.10:25"]]
    # back to freebsd.mc: make install restart (etc/rc.sendmail) brings the wildcard daemons back
    box.run("rm", f"/etc/mail/{host}.mc")
    cp = box.run("make", "-C", "/etc/mail", "install", "restart")
    assert cp.returncode == 0 and cp.stdout.endswith("Restarting:.\n")
    out = box.run("sockstat", "-46lq", "-p", "25,587").stdout
    assert sorted(tuple(ln.split()[4:6]) for ln in out.splitlines()) == [
        ("tcp4", "*:25"), ("tcp4", "*:587"), ("tcp6", "*:25")
    ]  # fmt: skip


def test_submit_mode_default(box):
    # defaults: sendmail_enable="NONE" in this tree's /etc/defaults/rc.conf -> nothing listens
    assert box.run("sockstat", "-46lq", "-p", "25").stdout == ""
    box.sh("make -C /etc/mail install >/dev/null; sysrc sendmail_enable=NO >/dev/null; service sendmail start")
    out = box.run("sockstat", "-46lq", "-p", "25,587").stdout
    assert [ln.split()[4:6] for ln in out.splitlines()] == [["tcp4", "127.0.0.1:25"]]


def test_errors(box):
    host = box.name
    box.write(f"/etc/mail/{host}.mc", "divert(0)\nDAEMON_OPTIONS(`Name=IPv4, Family=inet')\nFEATURE(`nosuch')\n")
    cp = box.run("make", "-C", "/etc/mail", "cf")
    assert cp.returncode == 1
    assert cp.stdout == f"{M4} {host}.mc > {host}.cf\n*** Error code 1\n"
    assert cp.stderr == (
        "m4: /usr/share/sendmail/cf/feature/nosuch.m4: No such file or directory\n\nStop.\nmake: stopped in /etc/mail\n"
    )
    box.write(f"/etc/mail/{host}.mc", "divert(0)\nDAEMON_OPTIONS(`Name=IPv4, Family=inet\n")
    cp = box.run("make", "-C", "/etc/mail", "install")
    assert cp.returncode == 1 and "*** Error code 1" in cp.stdout
    assert cp.stderr.startswith("m4: unexpected end of input")
    assert "install -m" not in cp.stdout  # install-cf not reached
    cp = box.run("make", "-C", "/etc/mail", "frob")
    assert (cp.stderr, cp.returncode) == ("make: don't know how to make frob. Stop\n\nmake: stopped in /etc/mail\n", 2)
    cp = box.run("make", "-C", "/nonexist")
    assert (cp.stderr, cp.returncode) == ("make: chdir /nonexist: No such file or directory\n", 2)
