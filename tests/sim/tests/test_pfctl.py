"""pfctl(8), pf(4) rulesets and anchors, rc.d/pf at boot, and ``simhost connect`` (rdr and nat).

src: sbin/pfctl/pfctl.c (main(), pfctl_enable(), pfctl_disable(), pfctl_rules(), pfctl_show_rules(),
pfctl_show_nat(), pfctl_walk_show(), pf_strerror()), sbin/pfctl/pfctl_parser.c (print_rule(),
print_port(), print_pool(), print_status()), sbin/pfctl/parse.y (yyerror(), check_rulestate()),
libexec/rc/rc.d/pf.
"""

import json

from simfbsd import box as boxlib

MAIN = """\
ext_if = "vtnet0"
jail_net = "10.17.0.0/24"
set skip on lo0
nat-anchor "bsd.jails"
rdr-anchor "bsd.jails"
anchor "bsd.jails"
pass in on $ext_if proto tcp to port { 22 80 }
block in quick proto udp from any to 192.0.2.10 port 53
load anchor "bsd.jails" from "/etc/pf.anchors/bsd.jails"
"""
ANCHOR = """\
nat on vtnet0 from 10.17.0.0/24 to any -> (vtnet0)
rdr pass on vtnet0 proto tcp from any to 192.0.2.10 port 8080 -> 10.17.0.2 port 80
"""
NAT_SHOWN = (
    "nat on vtnet0 inet from 10.17.0.0/24 to any -> (vtnet0) round-robin\n"
    "rdr pass on vtnet0 inet proto tcp from any to 192.0.2.10 port = 8080 -> 10.17.0.2 port 80\n"
)


def check(cp, out="", err="", rc=0):
    assert (cp.stdout, cp.stderr, cp.returncode) == (out, err, rc)


def setup(box, main=MAIN, anchor=ANCHOR):
    box.run("mkdir", "-p", "/etc/pf.anchors", check=True)
    box.write("/etc/pf.conf", main)
    box.write("/etc/pf.anchors/bsd.jails", anchor)


def test_enable_disable_messages_and_exit_codes(box):
    check(box.run("pfctl", "-s", "Running"), "Disabled\n", rc=1)
    check(box.run("pfctl", "-e"), err="pf enabled\n")  # pfctl_enable(): stderr unless -q
    check(box.run("pfctl", "-e"), err="pfctl: pf already enabled\n", rc=1)  # errx(1) on EEXIST
    check(box.run("pfctl", "-s", "Running"), "Enabled\n")
    assert box.run("pfctl", "-s", "info").stdout.startswith("Status: Enabled for 0 days 00:00:0")
    check(box.run("pfctl", "-dq"))
    check(box.run("pfctl", "-d"), err="pfctl: pf not enabled\n", rc=1)
    info = box.run("pfctl", "-si").stdout.splitlines()  # a modifier is any prefix of its name
    assert info[0].startswith("Status: Disabled") and info[0].endswith("Debug: Urgent")
    assert info[2] == "State Table                          Total             Rate"


def test_load_show_and_normalized_form(box):
    setup(box)
    check(box.run("pfctl", "-nf", "/etc/pf.conf"))
    check(box.run("pfctl", "-s", "rules"), "")  # -n loaded nothing
    check(box.run("pfctl", "-f", "/etc/pf.conf"))
    # print_rule(): "all" for any/any, inet from the addresses, ports by /etc/services name, the
    # pass defaults "flags S/SA keep state", a list expanded into one rule per element
    check(
        box.run("pfctl", "-s", "rules"),
        'anchor "bsd.jails" all\n'
        "pass in on vtnet0 proto tcp from any to any port = ssh flags S/SA keep state\n"
        "pass in on vtnet0 proto tcp from any to any port = http flags S/SA keep state\n"
        "block drop in quick inet proto udp from any to 192.0.2.10 port = domain\n",
    )
    check(box.run("pfctl", "-s", "nat"), 'nat-anchor "bsd.jails" all\nrdr-anchor "bsd.jails" all\n')
    # the load anchor line filled the anchor; -P keeps port numbers
    check(box.run("pfctl", "-a", "bsd.jails", "-s", "nat"), NAT_SHOWN)
    check(box.run("pfctl", "-P", "-a", "bsd.jails", "-s", "nat"), NAT_SHOWN)
    check(box.run("pfctl", "-s", "Anchors"), "  bsd.jails\n")
    # the printed form is itself valid input that prints the same
    box.write("/root/again", NAT_SHOWN)
    check(box.run("pfctl", "-a", "other", "-f", "/root/again"))
    check(box.run("pfctl", "-a", "other", "-s", "nat"), NAT_SHOWN)


def test_anchor_load_from_stdin_flush_and_unknown_anchor(box):
    check(box.run("pfctl", "-a", "bsd.jails", "-f", "-", input=ANCHOR))
    check(box.run("pfctl", "-a", "bsd.jails", "-sn"), NAT_SHOWN)
    check(box.run("pfctl", "-s", "Anchors"), "  bsd.jails\n")  # it has rules: it exists, called or not
    check(box.run("pfctl", "-a", "bsd.jails", "-F", "nat"), err="nat cleared\n")
    # empty and called by no rule: pf_remove_if_empty_ruleset() removed it
    check(box.run("pfctl", "-a", "bsd.jails", "-s", "nat"), err="pfctl: DIOCGETRULES: Invalid argument\n")
    check(box.run("pfctl", "-a", "bsd.jails", "-s", "rules"), err="pfctl: Anchor does not exist\n")
    check(box.run("pfctl", "-a", "bsd.jails", "-s", "Anchors"), err="Anchor 'bsd.jails' not found.\n")
    check(box.run("pfctl", "-a", "_x", "-F", "all"), err="pfctl: anchor names beginning with '_' cannot be "
          "modified from the command line\n", rc=1)  # fmt: skip
    check(box.run("pfctl", "-a", "x"), err="pfctl: anchors apply to -f, -F, -s, and -T only\n" + USAGE, rc=1)


USAGE = (
    "usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n"
    "\t[-f file] [-i interface] [-K host | network]\n"
    "\t[-k host | network | gateway | label | id] [-o level] [-p device]\n"
    "\t[-s modifier] [-t table -T command [address ...]] [-x level]\n"
)


def test_syntax_errors_keep_the_old_rules(box):
    setup(box)
    check(box.run("pfctl", "-f", "/etc/pf.conf"))
    before = box.run("pfctl", "-a", "bsd.jails", "-s", "nat").stdout
    box.write("/root/bad", "nat on vtnet0 from 10.17.0.0/24 to any -> (vtnet0)\nrdr pass on vtnet0 bogus\n")
    # yyerror(): FILE:LINE; -n: the error alone, exit 1
    check(box.run("pfctl", "-n", "-f", "/root/bad"), err="/root/bad:2: syntax error\n", rc=1)
    check(
        box.run("pfctl", "-a", "bsd.jails", "-f", "/root/bad"),
        err="/root/bad:2: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n",
        rc=1,
    )
    assert box.run("pfctl", "-a", "bsd.jails", "-s", "nat").stdout == before == NAT_SHOWN
    cases = {
        "rdr pass on vtnet0 proto tcp to port 70000 -> 10.0.0.1\n": "illegal port value 70000",
        "pass in proto tcp to $nosuch\n": "macro 'nosuch' not defined",
        "pass in proto tcp to port nosuchservice\n": "unknown port nosuchservice",
        "pass in to port 22\n": "port only applies to tcp/udp/sctp",
        "pass in all\nnat on vtnet0 from any to any -> (vtnet0)\n": None,  # order: line 2
    }
    for text, msg in cases.items():
        box.write("/root/bad", text)
        cp = box.run("pfctl", "-nf", "/root/bad")
        line = text.count("\n")
        want = msg or "Rules must be in order: options, ethernet, normalization, queueing, translation, filtering"
        assert (cp.stderr, cp.returncode) == (f"/root/bad:{line}: {want}\n", 1), text
    # a rule with a syntax error is not reduced: the section order is still that of the lines before it
    box.write("/root/bad", "pass in bogus\nnat on vtnet0 from any to any -> (vtnet0)\npass all\n")
    check(box.run("pfctl", "-nf", "/root/bad"), err="/root/bad:1: syntax error\n", rc=1)
    box.write("/root/bad", "rdr on vtnet0 proto tcp to nosuchhost port 80 -> 10.0.0.1\n")
    check(box.run("pfctl", "-nf", "/root/bad"), err="no IP address found for nosuchhost\n"
          "/root/bad:1: could not parse host specification\n", rc=1)  # fmt: skip
    # a broken ``load anchor`` file fails the whole load: the main ruleset stays too
    setup(box, anchor="rdr pass on vtnet0 junk\n")
    check(box.run("pfctl", "-f", "/etc/pf.conf"), err="/etc/pf.anchors/bsd.jails:1: syntax error\n"
          "pfctl: load anchors\n", rc=1)  # fmt: skip
    assert box.run("pfctl", "-a", "bsd.jails", "-s", "nat").stdout == NAT_SHOWN
    check(box.run("pfctl", "-f", "/nonexistent"), err="pfctl: cannot open the main config file!: No such file or "
          "directory\npfctl: Syntax error in config file: pf rules not loaded\n", rc=1)  # fmt: skip


def test_rc_d_pf_at_boot(box):
    setup(box)
    boxlib.reboot(box.name)
    check(box.run("pfctl", "-s", "Running"), "Disabled\n", rc=1)  # pf_enable="NO" by default
    check(box.run("pfctl", "-s", "nat"), "")
    box.write("/etc/rc.conf", 'pf_enable="YES"\n')
    boxlib.reboot(box.name)
    check(box.run("pfctl", "-s", "Running"), "Enabled\n")
    check(box.run("pfctl", "-a", "bsd.jails", "-s", "nat"), NAT_SHOWN)  # load anchor at boot
    check(box.run("service", "pf", "check"), "Checking pf rules.\n")
    check(box.run("service", "pf", "stop"), "Disabling pf.\n")
    check(box.run("service", "pf", "start"), "Enabling pf.\n")
    box.write("/etc/pf.conf", "junk\n")  # pf_fallback(): warn, no fallback unless enabled
    cp = box.run("service", "pf", "reload")
    assert (cp.stdout, cp.returncode) == ("Reloading pf rules.\n", 1)
    assert cp.stderr == "/etc/pf.conf:1: syntax error\n"
    check(box.run("pfctl", "-a", "bsd.jails", "-s", "nat"), NAT_SHOWN)  # -n failed first: nothing loaded
    check(box.run("pfctl", "-a", "x", "-s", "nat", "-n"), "")  # -n turns -s off


def _spawn_jail_listener(box):
    box.run("ifconfig", "lo1", "create", check=True)
    box.run("ifconfig", "lo1", "inet", "10.17.0.2/32", "alias", check=True)
    box.py(
        """
with kernel.Kernel() as k:
    k.state["jails"]["3"] = {"jid": 3, "name": "web", "path": "/", "ip4.addr": ["10.17.0.2"]}
    kernel.spawn(k.state, "nginx", "nginx: master", jid=3, user="www",
                 sockets=[{"proto": "tcp4", "laddr": "10.17.0.2", "lport": 80}])
    kernel.spawn(k.state, "httpd", "httpd", sockets=[{"proto": "tcp4", "laddr": "*", "lport": 8080}])
""",
    )


def connect(box, *args):
    cp = boxlib.connect(box.name, *args)
    assert cp.stdout, cp.stderr
    return json.loads(cp.stdout), cp.returncode


def test_connect_follows_rdr_to_the_jail_and_nat_out(box):
    _spawn_jail_listener(box)
    setup(box)
    check(box.run("pfctl", "-f", "/etc/pf.conf"))
    # pf loaded but disabled: the host's own wildcard listener answers
    r, rc = connect(box, "192.0.2.10", 8080)
    assert rc == 0 and r["rdr"] is None and r["reached"]["command"] == "httpd" and r["reached"]["jail"] is None
    r, rc = connect(box, "192.0.2.10", 8080, "tcp", "web")  # not an outside address
    assert rc == 1 and "address of the box itself" in r["error"]
    r, rc = connect(box, "198.51.100.7", 443, "tcp", "web")
    assert rc == 1 and r["nat"] is None and r["seen_as"] == "10.17.0.2" and "needs NAT" in r["error"]
    check(box.run("pfctl", "-eq"))
    r, rc = connect(box, "192.0.2.10", 8080)
    assert rc == 0 and r["anchor"] == "bsd.jails" and r["translated"] == "10.17.0.2:80"
    assert r["rdr"] == NAT_SHOWN.splitlines()[1] and r["filter"] is None  # rdr pass: no filter
    assert (r["reached"]["jail"], r["reached"]["command"], r["reached"]["laddr"]) == ("web", "nginx", "10.17.0.2")
    r, rc = connect(box, "192.0.2.10", 8081)
    assert rc == 1 and r["rdr"] is None and r["error"] == "Connection refused"
    r, rc = connect(box, "198.51.100.7", 443, "tcp", "web")
    assert rc == 0 and r["seen_as"] == "192.0.2.10" and r["nat"] == NAT_SHOWN.splitlines()[0]
    # the filter: a quick block wins; without "pass" on the rdr the translated packet is filtered
    box.write("/root/a", "rdr on vtnet0 proto tcp to 192.0.2.10 port 8080 -> 10.17.0.2 port 80\n")
    check(box.run("pfctl", "-a", "bsd.jails", "-f", "/root/a"))
    old = "block in quick proto udp from any to 192.0.2.10 port 53"
    blocked = MAIN.replace(old, "block in quick on vtnet0 proto tcp to 10.17.0.2 port 80")
    box.write("/root/m", blocked)
    box.write("/etc/pf.anchors/bsd.jails", "rdr on vtnet0 proto tcp to 192.0.2.10 port 8080 -> 10.17.0.2 port 80\n")
    check(box.run("pfctl", "-f", "/root/m"))
    r, rc = connect(box, "192.0.2.10", 8080)
    assert rc == 1 and r["error"] == "blocked by pf" and r["filter"].startswith("block drop in quick on vtnet0")
    # the anchor's nat rule is gone: the jail gets no reply from outside
    r, rc = connect(box, "198.51.100.7", 443, "tcp", "web")
    assert rc == 1 and r["nat"] is None
