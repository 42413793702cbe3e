"""Injected faults in bsd.jails.jail runs: the task fails, the configuration stays valid, the next run
(fault gone) converges, and the run after reports changed=0."""

from harness import GOOD, GOOD_IP, HAND, HAND_CONF, WORLD

HAND_BLOCK = HAND_CONF[HAND_CONF.index("handj {") :]


def good(**extra):
    return dict(
        {"name": GOOD, "path": f"{WORLD}/{GOOD}", "hostname": f"{GOOD}.example.org", "ip4_addr": [GOOD_IP]}, **extra
    )


def new(name, ip, **extra):
    return dict({"name": name, "path": f"{WORLD}/{GOOD}", "hostname": f"{name}.example.org", "ip4_addr": [ip]}, **extra)


def task(*items, **top):
    top.setdefault("rc_enable", True)
    return [{"name": "jails", "bsd.jails.jail": dict(top, jails=list(items))}]


def running(host):
    return sorted(host.run("jls", "name", check=True).stdout.split())


def jail_list(host):
    return host.run("sysrc", "-n", "jail_list", check=True).stdout.split()


def assert_valid(host):
    """jail(8) reads the configuration, and the hand-written block is intact."""
    cp = host.run("jail", "-f", "/etc/jail.conf", "-e", ",")
    assert cp.returncode == 0, cp.stderr
    assert HAND_BLOCK in host.read("/etc/jail.conf")


def heals(host, tasks):
    """The next run succeeds, the run after changes nothing."""
    res = host.play(tasks)
    assert not res.failed, res
    again = host.play(tasks)
    assert not again.failed and again.changed == 0, again
    assert_valid(host)


def test_rc_conf_read_fails_before_any_write(make_host):
    host = make_host()
    tasks = task(good(), new("n1", "192.0.2.64"))
    before = host.snapshot()
    host.fault("sysrc", match=r"jail_enable jail_list jail_conf", rc=2, stderr="sysrc: /etc/rc.conf: Permission denied")
    res = host.play(tasks)
    assert res.failed and "Permission denied" in res.failure()[1], res
    after = host.snapshot()
    assert after["files"] == before["files"] and after["jls -n"] == before["jls -n"]
    heals(host, tasks)
    assert jail_list(host) == [HAND, GOOD, "n1"]


def test_jail_c_fails_mid_batch(make_host):
    host = make_host()
    tasks = task(good(), new("n1", "192.0.2.64"), new("n2", "192.0.2.65"))
    host.fault("jail", match=r"-c -- n2$", rc=1, stderr="jail: n2: mount.devfs: Operation not permitted")
    res = host.play(tasks)
    assert res.failed and "Operation not permitted" in res.failure()[1], res
    assert_valid(host)
    assert running(host) == [GOOD, HAND, "n1"]
    heals(host, tasks)
    assert running(host) == [GOOD, HAND, "n1", "n2"] and jail_list(host) == [HAND, GOOD, "n1", "n2"]


def test_jail_r_fails(make_host):
    host = make_host()
    tasks = task(good(state="stopped"))
    before = host.read("/etc/jail.conf")
    host.fault("jail", match=r"-r -- good1", rc=1, stderr="jail: good1: exec.stop: failed")
    res = host.play(tasks)
    assert res.failed and "exec.stop" in res.failure()[1], res
    assert_valid(host)
    assert host.read("/etc/jail.conf") == before and GOOD in running(host)
    heals(host, tasks)
    assert running(host) == [HAND] and jail_list(host) == [HAND]


def test_jls_fails(make_host):
    host = make_host()
    tasks = task(good(), new("n1", "192.0.2.64"))
    before = host.snapshot()
    host.fault("jls", rc=1, stderr="jls: sysctl(security.jail.param): Cannot allocate memory")
    res = host.play(tasks)
    assert res.failed and "Cannot allocate memory" in res.failure()[1], res
    after = host.snapshot()
    assert after["files"] == before["files"] and after["jls -n"] == before["jls -n"]
    heals(host, tasks)


def test_sysrc_write_fails_after_the_start(make_host):
    host = make_host()
    tasks = task(good(), new("n1", "192.0.2.64"))
    host.fault("sysrc", match=r"jail_list=", rc=1, stderr="sysrc: /etc/rc.conf: No space left on device")
    res = host.play(tasks)
    assert res.failed and "No space left" in res.failure()[1], res
    assert_valid(host)
    assert jail_list(host) == [HAND, GOOD] and "n1" in running(host)
    heals(host, tasks)
    assert jail_list(host) == [HAND, GOOD, "n1"]


def test_jail_m_fails_after_the_write(make_host):
    host = make_host()
    tasks = task(good(securelevel=2))
    host.fault("jail", match=r"-m -- name=good1", rc=1, stderr="jail: good1: securelevel: Operation not permitted")
    res = host.play(tasks)
    assert res.failed and "Operation not permitted" in res.failure()[1], res
    assert_valid(host)
    assert "securelevel = 2;" in host.read("/etc/jail.conf")
    heals(host, tasks)
    assert host.run("jls", "-j", GOOD, "securelevel", check=True).stdout.strip() == "2"


def test_write_killed_mid_way_leaves_a_temp_file_that_the_next_run_removes(make_host):
    """A write killed between mkstemp and the rename leaves /etc/.jail.conf.XXXXXXXX: the next run removes
    it (only that name pattern, only a regular file, never through a symlink)."""
    host = make_host()
    host.sh(
        "printf 'half a jail.conf {' > /etc/.jail.conf.k1ll3d_x"
        " && touch -t 202001010000 /etc/.jail.conf.k1ll3d_x"
        " && echo mine > /etc/.jail.conf.keep && touch -t 202001010000 /etc/.jail.conf.keep"
        " && ln -s /etc/passwd /etc/.jail.conf.zzzzzzzz"
    )
    passwd = host.read("/etc/passwd")
    tasks = task(good())
    check = host.play(tasks, check=True)
    assert not check.failed and check.changed == 1, check
    assert host.run("test", "-f", "/etc/.jail.conf.k1ll3d_x").returncode == 0
    res = host.play(tasks)
    assert not res.failed, res
    assert host.run("test", "-e", "/etc/.jail.conf.k1ll3d_x").returncode != 0
    assert host.read("/etc/.jail.conf.keep") == "mine\n" and host.read("/etc/passwd") == passwd
    assert host.run("test", "-L", "/etc/.jail.conf.zzzzzzzz").returncode == 0
    heals(host, tasks)
