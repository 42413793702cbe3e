"""A jail_sysctl batch the kernel refuses part-way is set back: the jail is left as it was before the task.

sysctl(8) sets its arguments one after the other (src: sbin/sysctl/sysctl.c main(): parse() per argument)
and goes on after a refused one, so ``sysctl a=1 b=2`` may set ``a`` and fail on ``b``.  Inside a jail,
kern.hostname may be set (CTLFLAG_PRISON) and kern.maxfiles may not.
"""

from harness import GOOD, WORLD


def sysctl(**args):
    return [{"name": "jail_sysctl", "bsd.jails.jail_sysctl": args}]


def jail_sysctl(host, *names):
    return host.run("jexec", GOOD, "sysctl", "-n", *names, check=True).stdout


def test_jail_batch_refused_partway_is_set_back(make_host):
    host = make_host()
    before = jail_sysctl(host, "kern.hostname")
    conf = host.sh(f"cat {WORLD}/{GOOD}/etc/sysctl.conf 2>/dev/null", check=False).stdout
    task = sysctl(jail=GOOD, sysctls={"kern.hostname": "pwned.example.org", "kern.maxfiles": 300000})
    res = host.play(task)
    assert res.failed, res
    msg = res.failure()[1]
    assert "sysctls.kern.maxfiles: kern.maxfiles: setting 300000 is not permitted here" in msg, msg
    assert "set back to their values before the task: kern.hostname=" + before.strip() in msg, msg
    # the hostname the kernel took first is back, and sysctl.conf was never written
    assert jail_sysctl(host, "kern.hostname") == before
    assert host.sh(f"cat {WORLD}/{GOOD}/etc/sysctl.conf 2>/dev/null", check=False).stdout == conf


def test_set_back_refused_is_named(make_host):
    host = make_host()
    task = sysctl(jail=GOOD, sysctls={"kern.hostname": "pwned.example.org", "kern.maxfiles": 300000})
    # the first jexec sysctl with the values is the batch itself (it fails on its own, part-way); the
    # second, setting kern.hostname back, is made to fail
    host.fault("jexec", match=r"kern\.hostname=(?!pwned)", rc=1, stderr="sysctl: kern.hostname: Device busy")
    res = host.play(task)
    assert res.failed, res
    msg = res.failure()[1]
    assert "could not set back kern.hostname" in msg and "Device busy" in msg, msg
    # the next run, with a value the jail may set, converges
    good = sysctl(jail=GOOD, sysctls={"kern.hostname": f"{GOOD}.example.org"})
    assert not host.play(good).failed
    again = host.play(good)
    assert not again.failed and again.changed == 0, again


def test_host_batch_fault_leaves_file_and_values(make_host):
    host = make_host()
    task = sysctl(sysctls={"kern.maxfiles": 300000, "kern.domainname": "example"})
    before = host.run("sysctl", "-n", "kern.maxfiles", "kern.domainname", check=True).stdout
    conf = host.read("/etc/sysctl.conf")
    host.fault("sysctl", match="kern.maxfiles=300000", rc=1, stderr="sysctl: kern.maxfiles=300000: Device busy")
    res = host.play(task)
    assert res.failed and "sysctls: " in res.failure()[1], res
    assert host.run("sysctl", "-n", "kern.maxfiles", "kern.domainname", check=True).stdout == before
    assert host.read("/etc/sysctl.conf") == conf
    assert not host.play(task).failed
    again = host.play(task)
    assert not again.failed and again.changed == 0, again
