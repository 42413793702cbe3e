"""jls(8) in a box: every output format of tests/fixtures/freebsd/BEHAVIOUR.md §4, errors, usage, --libxo.

Where tests/fixtures/freebsd/BEHAVIOUR.md §4 was unclear or wrong the expectation follows FreeBSD's source, cited:
usr.sbin/jls/jls.c main()/print_jail()/quoted_print()/special_print()/sort_param(),
lib/libjail/jail.c jailparam_export(), and libxo's xo_warn_hcv() (errors and the usage line
are printed by xo_errx(), which puts ``jls: `` in front, so tests/fixtures/freebsd/BEHAVIOUR.md's bare
``usage: jls ...`` is corrected to ``jls: usage: jls ...``).
"""

import json
import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402

LONG_PATH = "/jails/" + "p" * 90  # 97 characters: cut to 74 by %.74s
LONG_HOST = "h" * 40  # cut to 29 by %-29.29s
HEADER = "   JID  IP Address      Hostname                      Path\n"
USAGE = "jls: usage: jls [-dhNnqv] [-j jail] [param ...]\n"


@pytest.fixture(scope="module")
def jbox(simhost_dir):
    """One box with four persistent jails (jids 1-4), shared by the read-only tests below."""
    name = f"jls{os.getpid() % 10000}"
    boxlib.create(name, ip="192.0.2.10")
    b = Box(name, "192.0.2.10")
    try:
        assert b.run("mkdir", "-p", LONG_PATH).returncode == 0
        cmds = [
            ["name=alpha", f"path={LONG_PATH}", f"host.hostname={LONG_HOST}", "persist"],
            [
                "name=beta-with-a-long-name",
                "path=/",
                "host.hostname=my host",
                "ip4.addr=192.0.2.70,192.0.2.71",
                "ip6.addr=2001:db8::7",
                "persist",
                "allow.mount",
            ],
            ["name=gamma", "path=/", "host.hostname=it's", "persist"],
            ["name=delta", "path=/", 'host.hostname=say "hi"', "persist"],
        ]
        for argv in cmds:
            r = b.run("jail", "-c", *argv)
            assert (r.returncode, r.stderr) == (0, ""), argv
        yield b
    finally:
        boxlib.destroy(name)


def run(b, *argv):
    r = b.run("jls", *argv)
    return r.returncode, r.stdout, r.stderr


def ok(b, *argv):
    """jls that must succeed silently on stderr; returns its stdout."""
    rc, out, err = run(b, *argv)
    assert (rc, err) == (0, ""), argv
    return out


def test_default_table_widths_and_truncation(jbox):
    # tests/fixtures/freebsd/BEHAVIOUR.md §4 default: %6d jid, 2 sp, %-15.15s first ip4 address ("" when none),
    # 1 sp, %-29.29s hostname, 1 sp, %.74s path
    rc, out, err = run(jbox)
    assert (rc, err) == (0, "")
    assert out == (
        HEADER + "     1                  " + "h" * 29 + " " + LONG_PATH[:74] + "\n"
        "     2  192.0.2.70      my host                       /\n"
        "     3                  it's                          /\n"
        '     4                  say "hi"                      /\n'
    )
    assert len(out.splitlines()[1]) == 6 + 2 + 15 + 1 + 29 + 1 + 74


def test_default_no_jails_prints_header_only(box):
    assert run(box) == (0, HEADER, "")  # §4: header still printed, exit 0


def test_N_names_are_not_truncated(jbox):
    # jls.c: {P: }{T:JID/%-15s}{P: }{T:IP Address/%-15s}{P: }{T:Hostname/%-29s}{P: }{T:Path};
    # rows " %-15s " name (no precision: long names overflow)
    out = ok(jbox, "-N")
    lines = out.splitlines()
    assert lines[0] == " JID             IP Address      Hostname                      Path"
    assert lines[1] == " alpha                           " + "h" * 29 + " " + LONG_PATH[:74]
    assert lines[2] == " beta-with-a-long-name 192.0.2.70      my host                       /"


def test_verbose_header_and_lines(jbox):
    rc, out, _unused = run(jbox, "-v", "-j", "beta-with-a-long-name")
    assert rc == 0
    assert out == (
        "   JID  Hostname                      Path\n"
        "        Name                          State\n"
        "        CPUSetID\n"
        "        IP Address(es)\n"
        "     2  my host                       /\n"
        "        beta-with-a-long-name         ACTIVE\n"
        "        4\n"  # cpuset.id
        "        192.0.2.70\n"
        "        192.0.2.71\n"
        "        2001:db8::7\n"
    )
    out = ok(jbox, "-v", "-j", "1")
    assert out.splitlines()[4:7] == [
        "     1  " + "h" * 29 + " " + LONG_PATH[:74],
        "        alpha                         ACTIVE",
        "        3",
    ]
    assert len(out.splitlines()) == 7  # no address lines


def test_explicit_params_cancel_verbose(jbox):
    assert run(jbox, "-v", "-j", "gamma", "jid", "name") == (0, "3 gamma\n", "")


def test_n_booleans_and_empty_values(jbox):
    # jls.c print_jail(): booleans print "name" / "noname" (nononame() for the "no" forms),
    # an empty array prints nothing after "name=", an empty string is always "".
    out = ok(jbox, "-n", "-j", "gamma", "persist", "dying", "nodying", "allow.mount", "allow.nomount", "ip6.addr")
    assert out == "persist nodying nodying allow.nomount allow.nomount ip6.addr=\n"
    out = ok(jbox, "-n", "-j", "2", "allow.mount", "allow.nomount", "ip4.addr", "host.domainname")
    assert out == 'allow.mount allow.mount ip4.addr=192.0.2.70,192.0.2.71 host.domainname=""\n'


def test_plain_values(jbox):
    # without -n: jailparam_export() text, "-" for an empty array, "" for an empty string
    out = ok(jbox, "-j", "gamma", "jid", "persist", "allow.nomount", "ip4.addr", "host.domainname", "host")
    assert out == '3 true true - "" new\n'


def test_q_quoting(jbox):
    # jls.c quoted_print(): ' inside -> "...", " inside -> '...', blank -> "..."; no backslashes
    assert run(jbox, "-q", "-j", "2", "host.hostname", "ip6.addr")[1] == '"my host" 2001:db8::7\n'
    assert run(jbox, "-q", "-j", "gamma", "host.hostname", "ip4.addr")[1] == '"it\'s" ""\n'
    assert run(jbox, "-q", "-j", "delta", "host.hostname")[1] == "'say \"hi\"'\n"
    assert run(jbox, "-j", "2", "host.hostname")[1] == "my host\n"  # no -q: as is
    assert run(jbox, "-nq", "-j", "2", "host.hostname")[1] == 'host.hostname="my host"\n'


def test_s_skips_readonly_and_unset_jailsys_children(jbox):
    # jls.c: -s = -nq and skips params without CTLFLAG_WR|TUN (parent, dying, children.cur,
    # cpuset.id) and children of a jailsys param that is not "new" (ip6 of gamma is "disable")
    argv = ["-s", "-j", "gamma", "jid", "parent", "dying", "host.hostname", "ip4.addr", "ip6.addr", "persist"]
    assert run(jbox, *argv) == (0, 'jid=3 host.hostname="it\'s" persist\n', "")
    # a jail with addresses has PR_IP4_USER, which kern_jail_get() reports as ip4=disable
    # (pr_flag_jailsys[] ip4: disable == new == PR_IP4_USER), so -s skips its addresses too
    argv = ["-s", "-j", "2", "ip4.addr", "ip6.addr", "children.cur", "children.max"]
    assert run(jbox, *argv)[1] == "children.max=0\n"
    rc, out, _unused = run(jbox, "-s", "-j", "gamma")  # all parameters
    assert rc == 0 and out.startswith("devfs_ruleset=0 enforce_statfs=2 host=new ip4=disable ip6=disable jid=3 ")
    words = out.split()
    assert not [w for w in words if w.split("=")[0] in ("parent", "dying", "nodying", "children.cur", "cpuset.id")]
    assert "ip4.addr=" not in out and 'host.hostname="it\'s"' in words


def test_h_header_and_all_ordering(jbox):
    out = ok(jbox, "-h", "-j", "gamma", "name", "jid")
    assert out == "name jid\ngamma 3\n"
    out = ok(jbox, "-h", "-j", "gamma")  # no params: "all"
    header = out.splitlines()[0].split()
    # jls.c sort_param(): names without a dot first, then dotted ones, each in strcmp order
    flat = [n for n in header if "." not in n]
    dotted = [n for n in header if "." in n]
    assert header == flat + dotted and flat == sorted(flat) and dotted == sorted(dotted)
    assert flat[:8] == ["devfs_ruleset", "dying", "enforce_statfs", "host", "ip4", "ip6", "jid", "name"]
    assert {"allow.mount", "allow.mount.devfs", "host.hostname", "ip4.addr", "children.max"} <= set(dotted)
    assert len(out.splitlines()[1].split(" ")) >= len(header)  # "my host"-style values may add words
    out = ok(jbox, "-n", "-j", "gamma")  # -n alone also means "all"
    assert out.split()[0] == "devfs_ruleset=0" and "name=gamma" in out.split()


def test_j_by_name_and_jid_and_d(jbox):
    assert run(jbox, "-j", "delta", "jid") == (0, "4\n", "")
    assert run(jbox, "-j", "4", "name") == (0, "delta\n", "")
    assert run(jbox, "-d", "-j", "4", "name") == (0, "delta\n", "")
    assert run(jbox, "jid")[1] == "1\n2\n3\n4\n"  # ordered by jid
    assert run(jbox, "-d", "jid")[1] == "1\n2\n3\n4\n"


def test_unknown_jail_error(jbox):
    # kern_jail.c kern_jail_get(): "jail \"%s\" not found" / "jail %d not found", via xo_errx();
    # the default header is already printed when print_jail() fails
    assert run(jbox, "-j", "nope") == (1, HEADER, 'jls: jail "nope" not found\n')
    assert run(jbox, "-j", "99", "name") == (1, "", "jls: jail 99 not found\n")
    assert run(jbox, "-j", "0", "name") == (1, "", 'jls: jail "0" not found\n')  # 0 is a name (strtoul)


def test_usage_and_bad_params(jbox):
    # lib/libc getopt(3) complaint, then xo_errx(1, "usage: ...")
    assert run(jbox, "-x") == (1, "", "jls: illegal option -- x\n" + USAGE)
    assert run(jbox, "-j") == (1, "", "jls: option requires an argument -- j\n" + USAGE)
    # libjail jailparam_type(): "unknown parameter: %s", before anything is printed
    assert run(jbox, "-h", "jid", "xyz") == (1, "", "jls: unknown parameter: xyz\n")
    assert run(jbox, "allow.nonsense") == (1, "", "jls: unknown parameter: allow.nonsense\n")


def test_libxo_json_shapes(jbox):
    out = ok(jbox, "--libxo", "json")
    data = json.loads(out)
    assert data["__version"] == "2"
    rows = data["jail-information"]["jail"]
    assert rows[1] == {"jid": 2, "ipv4": "192.0.2.70", "hostname": "my host", "path": "/"}
    assert rows[0]["ipv4"] == "" and rows[0]["hostname"] == LONG_HOST  # no truncation in JSON
    rows = json.loads(run(jbox, "--libxo=json", "-N")[1])["jail-information"]["jail"]
    assert rows[2] == {"name": "gamma", "ipv4": "", "hostname": "it's", "path": "/"}
    rows = json.loads(run(jbox, "--libxo", "json", "-v", "-j", "2")[1])["jail-information"]["jail"]
    assert rows == [
        {
            "jid": 2,
            "hostname": "my host",
            "path": "/",
            "name": "beta-with-a-long-name",
            "state": "ACTIVE",
            "cpusetid": 4,
            "ipv4_addrs": ["192.0.2.70", "192.0.2.71"],
            "ipv6_addrs": ["2001:db8::7"],
        }
    ]
    out = run(jbox, "--libxo", "json", "-n", "-j", "2", "persist", "allow.nomount", "ip4.addr", "jid")[1]
    row = json.loads(out)["jail-information"]["jail"][0]
    assert row == {"persist": True, "allow.nomount": False, "ip4.addr": ["192.0.2.70", "192.0.2.71"], "jid": "2"}
    assert run(jbox, "--libxo", "xml", "-j", "3", "name")[1].startswith("<jail-information")


def test_hundred_jails_answer_fast(box):
    assert box.sh("for i in $(seq 1 100); do jail -c name=j$i persist || exit 1; done").returncode == 0
    import time

    t = time.time()
    rc, out, _unused = run(box, "-n", "jid", "name")
    elapsed = time.time() - t
    assert rc == 0 and len(out.splitlines()) == 100
    assert out.splitlines()[99] == "jid=100 name=j100"
    assert elapsed < 1.0
