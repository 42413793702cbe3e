"""jail(8) where the simulator used to disagree with FreeBSD (usr.sbin/jail, sys/kern/kern_jail.c).

Each test names the FreeBSD function it follows; each failed on the simulator before the fix.
"""

import time

DEPEND_CONF = 'path = "/";\npersist;\ndb { }\nweb { depend = db; }\nother { }\n'


def jls_names(box):
    return box.run("jls", "name").stdout.split()


def test_depend_starts_dependencies_first(box):
    # src: state.c dep_check(): web waits for db, which is started first (JF_DEPEND, named in
    # the "created" notes); jail.c main(): a running dependency is no "already exists"
    box.write("/etc/jail.conf", DEPEND_CONF)
    r = box.run("jail", "-c", "web")
    assert (r.returncode, r.stdout, r.stderr) == (0, "db: created\nweb: created\n", "")
    assert jls_names(box) == ["db", "web"]


def test_depend_stop_stops_dependents_first(box):
    # src: state.c dep_check() reversed for JF_STOP: what depends on db stops before db
    box.write("/etc/jail.conf", DEPEND_CONF)
    assert box.run("jail", "-c", "web").returncode == 0
    r = box.run("jail", "-r", "db")
    assert (r.returncode, r.stdout, r.stderr) == (0, "web: removed\ndb: removed\n", "")
    assert jls_names(box) == []


def test_depend_restart_leaves_dependents_stopped(box):
    # src: state.c dep_check(): JF_RESTART gives the dependents JF_STOP only; jail.c main():
    # note_remove is 0 outside -r/-R, so the stops are silent
    box.write("/etc/jail.conf", DEPEND_CONF)
    assert box.run("jail", "-c", "web").returncode == 0
    r = box.run("jail", "-rc", "db")
    assert (r.returncode, r.stdout, r.stderr) == (0, "db: created\n", "")
    assert jls_names(box) == ["db"]


def test_depend_undefined_and_loop(box):
    # src: state.c dep_setup(): jail_warnx(j, "depends on undefined jail \"%s\""), the jail fails
    box.write("/tmp/u.conf", 'path = "/";\npersist;\nweb { depend = nope; }\n')
    r = box.run("jail", "-f", "/tmp/u.conf", "-c", "web")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", 'jail: web: depends on undefined jail "nope"\n')
    # src: state.c dep_setup() "Look for dependency loops": the first jail still waiting is
    # reported and failed; the others are released and then skipped (dep_check())
    box.write("/tmp/l.conf", 'path = "/";\npersist;\na { depend = b; }\nb { depend = a; }\n')
    r = box.run("jail", "-f", "/tmp/l.conf", "-c", "b")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "jail: a: dependency loop\njail: b: skipped\n")
    assert jls_names(box) == []


def test_new_jail_must_persist_or_attach(box):
    # src: jail.c create_jail() sets persist only for exec.start/command/exec.poststart;
    # kern_jail.c kern_jail_set(): "new jail must persist or attach"; exit 1, mounts undone
    r = box.run("jail", "-c", "name=np", "path=/")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "jail: new jail must persist or attach\n")
    box.sh("mkdir -p /jails/np/dev")
    box.write("/tmp/np.conf", "np { path = /jails/np; mount.devfs; }\n")
    r = box.run("jail", "-f", "/tmp/np.conf", "-c", "np")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "jail: np: new jail must persist or attach\n")
    assert jls_names(box) == []
    assert "/jails/np/dev" not in box.run("mount").stdout


def test_stop_rederives_mounts_from_current_conf(box):
    # src: command.c next_command()/run_command(): jail -r builds its umounts from the
    # parameters it reads now; check_path() with umount_type: "not a mount point"
    box.sh("mkdir -p /jails/m/dev")
    box.write("/etc/jail.conf", "m { path = /jails/m; persist; }\n")
    assert box.run("jail", "-c", "m").returncode == 0
    box.write("/etc/jail.conf", "m { path = /jails/m; persist; mount.devfs; }\n")
    r = box.run("jail", "-r", "m")
    assert (r.returncode, r.stdout, r.stderr) == (
        1,
        "m: removed\n",
        "jail: m: mount.devfs: /jails/m/dev: not a mount point\n",
    )
    assert jls_names(box) == []
    # a mount.devfs removed from jail.conf while the jail runs stays mounted
    assert box.run("jail", "-c", "m").returncode == 0
    assert "/jails/m/dev" in box.run("mount").stdout
    box.write("/etc/jail.conf", "m { path = /jails/m; persist; }\n")
    r = box.run("jail", "-r", "m")
    assert (r.returncode, r.stdout, r.stderr) == (0, "m: removed\n", "")
    assert "/jails/m/dev" in box.run("mount").stdout


def test_stop_rederives_aliases_from_current_conf(box):
    # src: command.c run_command() IP__IP4_IFADDR going down: ifconfig IF inet ADDR ... -alias
    # for the address jail.conf names NOW; the old alias is left on the interface
    box.write("/etc/jail.conf", "a { path = /; persist; interface = lo0; ip4.addr = 127.0.1.5; }\n")
    assert box.run("jail", "-c", "a").returncode == 0
    box.write("/etc/jail.conf", "a { path = /; persist; interface = lo0; ip4.addr = 127.0.1.6; }\n")
    r = box.run("jail", "-r", "a")
    assert (r.returncode, r.stdout) == (1, "a: removed\n")
    assert r.stderr == (
        "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n"
        "jail: a: /sbin/ifconfig lo0 inet 127.0.1.6 netmask 255.255.255.255 -alias: failed\n"
    )
    assert "127.0.1.5" in box.run("ifconfig", "lo0").stdout


def test_big_r_uses_no_removal_parameters(box):
    # jail.8 -R: "No removal-related parameters for this jail will be used"; jail.c main():
    # -R loads no jail.conf (docf = !Rflag && ...)
    box.sh("mkdir -p /jails/m/dev")
    box.write("/etc/jail.conf", 'm { path = /jails/m; persist; mount.devfs; exec.stop = "echo STOP"; }\n')
    assert box.run("jail", "-c", "m").returncode == 0
    r = box.run("jail", "-R", "m")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert jls_names(box) == []
    assert "/jails/m/dev" in box.run("mount").stdout


def test_wildcards_r_conf_only_big_r_running(box):
    # src: state.c start_state(): -r '*' sets every jail of jail.conf (a running jail not in
    # the file is left alone); -R matches its wildcards against the running jails (ascending
    # jid) and jail.c main() note_remove makes it say "NAME: removed"
    assert box.run("jail", "-c", "name=outside", "path=/", "persist").returncode == 0
    box.write("/etc/jail.conf", "a { path = /; persist; }\n")
    assert box.run("jail", "-c", "a").returncode == 0
    r = box.run("jail", "-r", "*")
    assert (r.returncode, r.stdout, r.stderr) == (0, "a: removed\n", "")
    assert jls_names(box) == ["outside"]
    assert box.run("jail", "-c", "a").returncode == 0
    r = box.run("jail", "-R", "*")
    assert (r.returncode, r.stdout, r.stderr) == (0, "outside: removed\na: removed\n", "")
    assert jls_names(box) == []


def test_modify_nopersist_kills_empty_jail(box):
    # src: kern_jail.c kern_jail_set(): losing persist drops its references; no process left
    # -> prison_deref() removes the jail
    assert box.run("jail", "-c", "name=p", "path=/", "persist").returncode == 0
    r = box.run("jail", "-m", "name=p", "nopersist")
    assert r.returncode == 0, r.stderr
    assert jls_names(box) == []


def test_usage_and_getopt_message(box):
    # src: jail.c usage() (14.x, with [-e separator]); getopt(3) complains first
    r = box.run("jail", "-Z")
    assert r.returncode == 1
    assert r.stderr.startswith("jail: illegal option -- Z\nusage: jail [-dhilqv]")
    assert "       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]\n" in r.stderr


def test_jid_file_tab_separated(box):
    # src: jail.c print_jail(fp, j, oldcl, 1): separator, "\t" unless -e
    r = box.run("jail", "-J", "/tmp/j", "-c", "name=t", "path=/", "persist")
    assert r.returncode == 0
    assert box.read("/tmp/j") == "jid=1\tname=t\tpath=/\tpersist\n"


def test_exec_timeout(box):
    # src: command.c run_command() arms exec.timeout; next_proc()/finish_command():
    # "%s: timed out", the jail fails (not created: prestart runs before jail_set)
    t0 = time.monotonic()
    r = box.run(
        "jail", "-c", "name=t", "path=/", "persist", "exec.timeout=1", "exec.prestart=exec sleep 5 >/dev/null 2>&1"
    )
    elapsed = time.monotonic() - t0
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "jail: /bin/sh -c exec sleep 5 >/dev/null 2>&1: timed out\n"
    assert elapsed < 4.5
    assert jls_names(box) == []


def test_depend_global_order(box):
    # src: state.c start_state(NULL)/dep_done(): every jail queued; those waiting for nothing
    # first (jail.conf order), a dependent joins the tail once what it waits for is done
    box.write("/etc/jail.conf", DEPEND_CONF)
    r = box.run("jail", "-c")
    assert (r.returncode, r.stdout, r.stderr) == (0, "db: created\nother: created\nweb: created\n", "")
    r = box.run("jail", "-r", "*")
    assert (r.returncode, r.stdout, r.stderr) == (0, "web: removed\nother: removed\ndb: removed\n", "")


def test_stop_timeout_sigterm(box):
    # src: command.c term_procs(): stop.timeout (default 10) -> SIGTERM to the jail's processes,
    # noted with -v as "sent SIGTERM to: PID..."; stop.timeout = 0 sends none
    box.sh("mkdir -p /jails/w && tar -xf /usr/freebsd-dist/base.txz -C /jails/w")
    box.write("/etc/jail.conf", 'w { path = /jails/w; persist; exec.start = "/bin/sh /etc/rc"; }\n')
    assert box.run("jail", "-c", "w").returncode == 0
    pids = sorted(int(p) for p in box.run("pgrep", "-j", "w", ".").stdout.split())
    assert pids
    r = box.run("jail", "-v", "-r", "w")
    assert r.returncode == 0, r.stderr
    assert "w: sent SIGTERM to:" + "".join(f" {p}" for p in pids) + "\n" in r.stdout
    box.write("/etc/jail.conf", 'w { path = /jails/w; persist; exec.start = "/bin/sh /etc/rc"; stop.timeout = 0; }\n')
    assert box.run("jail", "-c", "w").returncode == 0
    r = box.run("jail", "-v", "-r", "w")
    assert r.returncode == 0 and "SIGTERM" not in r.stdout
    assert box.run("jls", "name").stdout == ""


def _env_lines(text):
    return [ln for ln in text.splitlines() if ln.split("=", 1)[0] in ("JID", "JNAME", "JPATH")]


def test_exec_environment_jid_jname_jpath(box):
    # src: freebsd-src PR #1609 (command.c run_command()); FreeBSD's jail_basic_test.sh commands
    # and param_consistency: the commands jail(8) runs on the host see JID, JNAME and JPATH --
    # exec.poststop too, with the jid of the jail just removed
    box.write(
        "/etc/jail.conf",
        'path = "/";\npersist;\nexec.poststart = "env";\nexec.poststop = "env";\nenvj { }\n',
    )
    r = box.run("jail", "-qc", "envj")
    assert r.returncode == 0, r.stderr
    jid = box.run("jls", "-j", "envj", "jid").stdout.strip()
    assert sorted(_env_lines(r.stdout)) == sorted([f"JID={jid}", "JNAME=envj", "JPATH=/"])
    r = box.run("jail", "-qr", "envj")
    assert r.returncode == 0, r.stderr
    assert sorted(_env_lines(r.stdout)) == sorted([f"JID={jid}", "JNAME=envj", "JPATH=/"])


def test_exec_environment_not_with_clean_nor_in_jail(box):
    # src: freebsd-src PR #1609: "not added when using exec.clean.  Neither are they for
    # commands executed inside jails"
    box.write(
        "/etc/jail.conf",
        'path = "/";\npersist;\nexec.clean;\nexec.poststart = "env";\nc1 { }\n'
        'c2 { exec.noclean; exec.start = "env"; exec.poststart = ""; }\n',
    )
    r = box.run("jail", "-qc", "c1")
    assert r.returncode == 0, r.stderr
    assert _env_lines(r.stdout) == []
    r = box.run("jail", "-qc", "c2")
    assert r.returncode == 0, r.stderr
    assert _env_lines(r.stdout) == []


def test_jid_named_block_implies_name(box):
    # src: FreeBSD's jail_basic_test.sh jid_name_set: a block named by a jid takes the jid as its
    # name for "${name}", an explicit name wins; the notes use the block's name
    box.write("/tmp/j.conf", '5309 { host.hostname = "${name}"; persist; }\n')
    r = box.run("jail", "-f", "/tmp/j.conf", "-c", "5309")
    assert (r.returncode, r.stdout, r.stderr) == (0, "5309: created\n", "")
    assert box.run("jls", "-j", "5309", "name", "host.hostname").stdout == "5309 5309\n"
    r = box.run("jail", "-f", "/tmp/j.conf", "-r", "5309")
    assert (r.returncode, r.stdout, r.stderr) == (0, "5309: removed\n", "")
    box.write("/tmp/j.conf", "5309 { name = basejail; persist; }\n")
    r = box.run("jail", "-f", "/tmp/j.conf", "-c", "5309")
    assert (r.returncode, r.stdout, r.stderr) == (0, "5309: created\n", "")
    assert box.run("jls", "-j", "5309", "name").stdout == "basejail\n"
    r = box.run("jail", "-f", "/tmp/j.conf", "-r", "5309")
    assert (r.returncode, r.stdout, r.stderr) == (0, "5309: removed\n", "")


def test_jls_check_only(box):
    # src: jls.8 (15.x): "jls -c [-d] -j jail": no output, the exit status says if it exists
    assert box.run("jail", "-c", "name=chk", "path=/", "persist").returncode == 0
    jid = box.run("jls", "-j", "chk", "jid").stdout.strip()
    for argv in (["-c", "-j", "chk"], ["-cj", jid]):
        r = box.run("jls", *argv)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = box.run("jls", "-cj", "nope")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "")
    r = box.run("jls", "-c")
    assert (r.returncode, r.stdout) == (1, "")
    assert "usage" in r.stderr
