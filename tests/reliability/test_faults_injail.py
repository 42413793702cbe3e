"""Injected faults in jail_sysctl and jail_devfs: valid configuration afterwards, convergence on re-run.

Each case arms one failure of a simulated tool, runs the task (it must fail), checks what is left is
valid, runs again without the fault (it succeeds) and once more (changed=0).
"""

from harness import GOOD, WORLD


def converge(host, task):
    res = host.play(task)
    assert not res.failed, res
    again = host.play(task)
    assert not again.failed and again.changed == 0, again


def sysctl(**args):
    return [{"name": "jail_sysctl", "bsd.jails.jail_sysctl": args}]


def devfs(**args):
    args.setdefault("name", "devfsrules_jail_bpf")
    args.setdefault("number", 160)
    args.setdefault("rules", ["path 'bpf*' unhide", "path pf unhide"])
    return [{"name": "jail_devfs", "bsd.jails.jail_devfs": args}]


def test_host_sysctl_set_fails(make_host):
    host = make_host()
    task = sysctl(sysctls={"kern.maxfiles": 300000, "kern.maxvnodes": 600000})
    conf = host.read("/etc/sysctl.conf")
    host.fault("sysctl", match="kern.maxfiles=300000", rc=1, stderr="sysctl: kern.maxfiles=300000: Device busy")
    res = host.play(task)
    assert res.failed and "Device busy" in res.failure()[1], res
    # live values first: a failed set leaves sysctl.conf as it was, nothing half-persisted
    assert host.read("/etc/sysctl.conf") == conf
    converge(host, task)
    assert "kern.maxfiles=300000\nkern.maxvnodes=600000\n" in host.read("/etc/sysctl.conf")


def test_jail_sysctl_set_fails(make_host):
    host = make_host()
    task = sysctl(jail=GOOD, name="kern.securelevel", value=1)
    host.fault("jexec", match="kern.securelevel=1", rc=1, stderr="sysctl: kern.securelevel=1: Operation not permitted")
    res = host.play(task)
    assert res.failed and "kern.securelevel: setting 1 is not permitted here" in res.failure()[1], res
    assert "kern.securelevel" not in host.sh(f"cat {WORLD}/{GOOD}/etc/sysctl.conf 2>/dev/null", check=False).stdout
    converge(host, task)
    assert "kern.securelevel=1" in host.read(f"{WORLD}/{GOOD}/etc/sysctl.conf")


def test_jail_root_lookup_fails(make_host):
    host = make_host()
    task = sysctl(jail=GOOD, name="kern.securelevel", value=1)
    host.fault("jls", match="path", rc=1, stderr="jls: jail not found")
    before = host.snapshot()
    res = host.play(task)
    assert res.failed, res
    assert host.snapshot()["kernel"] == before["kernel"]  # nothing set before the file was reachable
    converge(host, task)


def test_devfs_rule_load_fails_midway(make_host):
    host = make_host()
    task = devfs()
    host.fault("devfs", match="add path pf unhide", rc=1, stderr="devfs rule: ioctl DEVFSIO_RADD: Invalid argument")
    res = host.play(task)
    assert res.failed, res
    # the file holds the whole ruleset (one atomic write): rc loads it complete at the next boot
    rules = host.read("/etc/devfs.rules")
    block = "[devfsrules_jail_bpf=160]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide\nadd path pf unhide\n"
    assert block in rules
    # the next run sees the kernel's ruleset is incomplete and loads it again
    res = host.play(task)
    assert not res.failed and res.changed, res
    shown = host.run("devfs", "rule", "-s", "160", "show").stdout
    assert "path pf unhide" in shown and "path bpf* unhide" in shown
    again = host.play(task)
    assert not again.failed and again.changed == 0, again
