"""rc.d/jail through service(8) and at boot (src: libexec/rc/rc.d/jail).

Messages follow the script line by line: ``startmsg -n 'Starting jails:'``, `` NAME`` per jail,
``startmsg '.'``; ``echo -n 'Stopping jails:'`` ... ``echo '.'``; a failed named start is
``startmsg " cannot start jail " "\\"NAME\\": "`` (echo "$@": two words, one blank between) and
the jail(8) output; ``/var/run/jail_NAME.id`` holds the jid.  The rcvar refusal text is rc.subr's.
"""

import os
import sys

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simfbsd import box as boxlib  # noqa: E402

CONF = "path = /;\npersist;\nexec.start = '';\na { }\nb { }\n"


def ids(b):
    r = b.sh("for f in /var/run/jail_*.id; do [ -f $f ] && echo $f $(cat $f); done")
    return r.stdout


def enable(b, *settings):
    assert b.run("sysrc", "jail_enable=YES", *settings).returncode == 0


def test_disabled_refuses(box):
    box.write("/etc/jail.conf", CONF)
    r = box.run("service", "jail", "start")
    assert (
        r.stdout
        == "Cannot 'start' jail. Set jail_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n"
    )
    assert box.run("jls", "name").stdout == ""
    r = box.run("service", "jail", "onestart")
    assert (r.returncode, r.stdout) == (0, "Starting jails: a b.\n")


def test_start_status_stop_all(box):
    box.write("/etc/jail.conf", CONF)
    enable(box)
    r = box.run("service", "jail", "start")
    assert (r.returncode, r.stdout, r.stderr) == (0, "Starting jails: a b.\n", "")
    assert ids(box) == "/var/run/jail_a.id 1\n/var/run/jail_b.id 2\n"
    r = box.run("service", "jail", "status")  # jail_status(): jls -N
    assert r.stdout == (
        " JID             IP Address      Hostname                      Path\n"
        f" a                               {box.name:<29} /\n"
        f" b                               {box.name:<29} /\n"
    )
    r = box.run("service", "jail", "stop")
    assert (r.returncode, r.stdout) == (0, "Stopping jails: a b.\n")
    assert ids(box) == "" and box.run("jls", "name").stdout == ""
    r = box.run("service", "jail", "restart")
    assert r.stdout == "Stopping jails:.\nStarting jails: a b.\n"


def test_reverse_stop_and_named_order(box):
    box.write("/etc/jail.conf", CONF)
    enable(box, "jail_reverse_stop=YES")
    box.run("service", "jail", "start")
    assert box.run("service", "jail", "stop").stdout == "Stopping jails: b a.\n"  # jls name | tail -r
    box.run("service", "jail", "start")
    # names on the command line: the script sets jail_reverse_stop="no"
    assert box.run("service", "jail", "stop", "a", "b").stdout == "Stopping jails: a b.\n"


def test_jail_list_and_named_start(box):
    box.write("/etc/jail.conf", CONF + "c { path = /nonexistent; }\n")
    enable(box, "jail_list=b c")
    r = box.run("service", "jail", "start")  # jail -i -f /etc/jail.conf -c NAME, one by one
    assert r.returncode == 0
    assert r.stdout == (
        'Starting jails: b cannot start jail  "c": \njail: c: path /nonexistent: No such file or directory\n.\n'
    )
    assert box.run("jls", "name").stdout == "b\n"
    assert ids(box) == "/var/run/jail_b.id 1\n"
    r = box.run("service", "jail", "start", "a")
    assert r.stdout == "Starting jails: a.\n"
    assert ids(box) == "/var/run/jail_a.id 2\n/var/run/jail_b.id 1\n"
    # stop of a named jail that is not running: skipped without a word
    assert box.run("service", "jail", "stop", "c", "a").stdout == "Stopping jails: a.\n"
    assert ids(box) == "/var/run/jail_b.id 1\n"


def test_all_start_failure_prints_jail_output(box):
    box.write("/etc/jail.conf", CONF + "c { path = /nonexistent; }\n")
    enable(box)
    r = box.run("service", "jail", "start")
    # jail -f /etc/jail.conf -c -p1 failed: cat of its output, no names, no id files
    assert r.stdout == (
        "Starting jails:a: created\nb: created\njail: c: path /nonexistent: No such file or directory\n.\n"
    )
    assert ids(box) == ""


def test_per_jail_config_files(box):
    # parse_options(): /etc/jail.NAME.conf, else /etc/jail.conf.d/NAME.conf unless jail.conf
    # .includes that directory, else $jail_conf; none readable -> warning, jail ignored
    box.run("mkdir", "-p", "/etc/jail.conf.d")
    box.write("/etc/jail.x.conf", "x { path = /; persist; }\n")
    box.write("/etc/jail.conf.d/y.conf", "y { path = /; persist; }\n")
    enable(box)
    r = box.run("service", "jail", "start", "x", "y", "z")
    assert r.stdout == "Starting jails: x y.\n"
    assert r.stderr == (
        "/etc/rc.d/jail: WARNING: Invalid configuration for z  (no jail.conf, no hostname, or no path).   "
        "Jail z was ignored.\n"
    )
    box.write("/etc/jail.conf", '.include "/etc/jail.conf.d/*.conf";\nw { path = /; persist; }\n')
    box.run("service", "jail", "stop", "y")
    r = box.run("service", "jail", "start", "y", "w")  # both from /etc/jail.conf now
    assert r.stdout == "Starting jails: y w.\n"
    box.write("/etc/jail.conf", "w { path = /; persist; }\n")  # no .include: y.conf is read again
    box.run("service", "jail", "stop", "y")
    box.run("rm", "/etc/jail.conf.d/y.conf")
    r = box.run("service", "jail", "start", "y")
    assert r.stdout == 'Starting jails: cannot start jail  "y": \njail: "y" not found\n.\n'


def test_interface_alias_added_and_removed(box):
    box.write(
        "/etc/jail.conf",
        'path = /;\npersist;\nweb { ip4.addr = "vtnet0|192.0.2.50/24"; }\n'
        "db { interface = vtnet0; ip4.addr = 192.0.2.51; }\n",
    )
    enable(box)

    def inet():
        return [ln.strip() for ln in box.run("ifconfig", "vtnet0").stdout.splitlines() if "inet " in ln]

    before = inet()
    assert box.run("service", "jail", "start").stdout == "Starting jails: web db.\n"
    assert inet() == [
        *before,
        "inet 192.0.2.50 netmask 0xffffff00 broadcast 192.0.2.255",
        "inet 192.0.2.51 netmask 0xffffffff broadcast 192.0.2.51",
    ]
    assert box.run("jls", "-n", "ip4.addr").stdout == "ip4.addr=192.0.2.50\nip4.addr=192.0.2.51\n"
    assert box.run("service", "jail", "stop", "web").stdout == "Stopping jails: web.\n"
    assert inet() == [*before, "inet 192.0.2.51 netmask 0xffffffff broadcast 192.0.2.51"]
    box.run("service", "jail", "stop")
    assert inet() == before


def test_reboot_brings_jails_back(box):
    box.write(
        "/etc/jail.conf",
        'path = /;\npersist;\na { ip4.addr = "vtnet0|192.0.2.60/24"; }\nb { }\n',
    )
    enable(box)
    box.run("service", "jail", "start")
    box.run("jail", "-c", "name=adhoc", "persist")  # not in jail.conf: gone after the reboot
    boxlib.reboot(box.name)
    assert box.run("jls", "jid", "name").stdout == "1 a\n2 b\n"
    assert "inet 192.0.2.60 netmask 0xffffff00" in box.run("ifconfig", "vtnet0").stdout
    assert ids(box) == "/var/run/jail_a.id 1\n/var/run/jail_b.id 2\n"
    # and not when disabled
    box.run("sysrc", "jail_enable=NO")
    boxlib.reboot(box.name)
    assert box.run("jls", "name").stdout == ""


def test_parallel_start_same_messages(box):
    # jail_parallel_start=YES: _ALL without -p1, named jails started in the background; the
    # messages are the same words (the simulator starts them one after the other)
    box.write("/etc/jail.conf", CONF)
    enable(box, "jail_parallel_start=YES")
    assert box.run("service", "jail", "start").stdout == "Starting jails: a b.\n"
    box.run("service", "jail", "stop")
    assert box.run("service", "jail", "start", "b", "a").stdout == "Starting jails: b a.\n"
    assert box.run("jls", "name").stdout == "b\na\n"


DEPEND = "path = /;\npersist;\nexec.start = '';\nweb { depend = db; }\ndb { }\n"


def test_depend_orders_the_all_start_and_jail_list_order_matters(box):
    # _ALL: one jail -f /etc/jail.conf -c -p1; jail(8) starts db before web although web comes first in
    # jail.conf (state.c start_state(): web waits on the depend queue until dep_done() for db)
    box.write("/etc/jail.conf", DEPEND)
    enable(box)
    assert box.run("service", "jail", "start").stdout == "Starting jails: db web.\n"
    assert box.run("jls", "jid", "name").stdout == "1 db\n2 web\n"
    box.run("service", "jail", "stop")
    # jail_list="web db": jail -c web starts db first (state.c dep_check() gives db JF_DEPEND), then
    # jail -c db finds it running: "already exists" (jail.c main(), JF_START without JF_DEPEND|JF_WILD),
    # so rc.d/jail says it cannot start db and writes no /var/run/jail_db.id
    box.run("sysrc", "jail_list=web db")
    r = box.run("service", "jail", "start")
    assert r.stdout == 'Starting jails: web cannot start jail  "db": \njail: "db" already exists\n.\n'
    assert box.run("jls", "jid", "name").stdout == "3 db\n4 web\n"
    assert ids(box) == "/var/run/jail_web.id 4\n"
    box.run("service", "jail", "stop")
    # dependencies first in jail_list: every jail starts, each with its id file
    box.run("sysrc", "jail_list=db web")
    assert box.run("service", "jail", "start").stdout == "Starting jails: db web.\n"
    assert ids(box) == "/var/run/jail_db.id 5\n/var/run/jail_web.id 6\n"
    # and at boot, with and without jail_parallel_start (the simulator starts the listed jails one
    # after the other, so the race of parallel jail(8) runs over db is not modelled)
    for parallel in ("NO", "YES"):
        box.run("sysrc", f"jail_parallel_start={parallel}")
        out = boxlib.reboot(box.name)
        assert "Starting jails: db web.\n" in out
        assert box.run("jls", "jid", "name").stdout == "1 db\n2 web\n"
