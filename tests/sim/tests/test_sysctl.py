"""sysctl(8) formats, errors and exit status (BEHAVIOUR.md §6, §6.1)."""

import json


def test_read_formats(box):
    assert box.run("sysctl", "hw.ncpu").stdout == "hw.ncpu: 4\n"
    assert box.run("sysctl", "-n", "kern.hostname").stdout == f"{box.name}\n"
    assert box.run("sysctl", "-e", "kern.ostype").stdout == "kern.ostype=FreeBSD\n"
    assert box.run("sysctl", "-N", "kern.securelevel").stdout == "kern.securelevel\n"
    assert box.run("sysctl", "security.jail.jailed").stdout == "security.jail.jailed: 0\n"
    assert box.run("sysctl", "-n", "kern.osrelease").stdout == "14.3-RELEASE\n"
    bt = box.run("sysctl", "kern.boottime").stdout
    assert bt.startswith("kern.boottime: { sec = ") and ", usec = 0 } " in bt  # sysctl.c S_timeval()
    assert box.run("sysctl", "-N", "-n", "hw.ncpu").returncode == 1  # §6: -N with -n -> usage


def test_node_prints_leaves(box):
    out = box.run("sysctl", "security.jail").stdout.splitlines()
    assert "security.jail.jailed: 0" in out and "security.jail.enforce_statfs: 2" in out
    assert not any(line.startswith("security.jail.list") for line in out)  # opaque: hidden


def test_set_and_errors(box):
    cp = box.run("sysctl", "net.inet.ip.forwarding=1")
    assert (cp.stdout, cp.returncode) == ("net.inet.ip.forwarding: 0 -> 1\n", 0)
    cp = box.run("sysctl", "foo.bar", "security.jail.jailed=1", "kern.maxproc=5", "security.jail=1", "hw.ncpu")
    assert cp.returncode == 4  # exit status = number of failed args
    assert cp.stdout == "hw.ncpu: 4\n"
    assert cp.stderr == (
        "sysctl: unknown oid 'foo.bar'\n"
        "sysctl: oid 'security.jail.jailed' is read only\n"
        "sysctl: oid 'kern.maxproc' is a read only tunable\n"
        "sysctl: Tunable values are set in /boot/loader.conf\n"
        "sysctl: oid 'security.jail' isn't a leaf node\n"
    )
    cp = box.run("sysctl", "net.inet.ip.forwarding=abc")
    assert (cp.stderr, cp.returncode) == ("sysctl: invalid integer 'abc'\n", 1)
    cp = box.run("sysctl", "net.inet.ip.forwarding=")
    assert (cp.stderr, cp.returncode) == ("sysctl: empty numeric value\n", 1)
    assert box.run("sysctl", "-i", "foo.bar").returncode == 0
    assert box.run("sysctl", "-q", "foo.bar").stderr == ""


def test_securelevel_only_raised(box):
    assert box.run("sysctl", "kern.securelevel=1").stdout == "kern.securelevel: -1 -> 1\n"
    cp = box.run("sysctl", "kern.securelevel=0")
    # BEHAVIOUR.md §6: EPERM prints the old value on stdout, then warn(3)
    assert (cp.stdout, cp.stderr, cp.returncode) == (
        "kern.securelevel: 1\n",
        "sysctl: kern.securelevel=0: Operation not permitted\n",
        1,
    )


def test_f_file(box):
    box.write("/root/s.conf", "# c\nnet.inet.ip.forwarding=1\n\nfoo.bar=1\n")
    cp = box.run("sysctl", "-f", "/root/s.conf")
    assert cp.stdout == "net.inet.ip.forwarding: 0 -> 1\n"
    assert (cp.stderr, cp.returncode) == ("sysctl: unknown oid 'foo.bar' at line 4\n", 1)


def _fake_jail(box, jid, **rec):
    code = (
        "import sys, json; sys.path.insert(0, '/.simhost/lib'); from simfbsd import kernel\n"
        f"with kernel.Kernel() as k: k.state['jails'][{str(jid)!r}] = json.loads({json.dumps(json.dumps(rec))})\n"
    )
    box.run("/usr/bin/python3", "-SE", "-c", code, check=True)


def _in_jail(box, jid, root, *argv):
    code = (
        "import sys; sys.path.insert(0, '/.simhost/lib'); from simfbsd import tool\n"
        f"sys.exit(tool.run({argv[0]!r}, {list(argv[1:])!r}, tool.Ctx({argv[0]!r}, jid={jid}, root={root!r})))\n"
    )
    return box.run("/usr/bin/python3", "-SE", "-c", code)


def test_jail_view(box):
    _fake_jail(box, 3, name="j", path="/", securelevel=2, **{"host.hostname": "j.example"})
    assert _in_jail(box, 3, "/", "sysctl", "-n", "security.jail.jailed").stdout == "1\n"
    assert _in_jail(box, 3, "/", "sysctl", "-n", "kern.hostname").stdout == "j.example\n"
    assert _in_jail(box, 3, "/", "sysctl", "kern.securelevel").stdout == "kern.securelevel: 2\n"
    cp = _in_jail(box, 3, "/", "sysctl", "kern.securelevel=1")
    assert (cp.stderr, cp.returncode) == ("sysctl: kern.securelevel=1: Operation not permitted\n", 1)
    cp = _in_jail(box, 3, "/", "sysctl", "net.inet.ip.forwarding=1")
    assert (cp.stderr, cp.returncode) == ("sysctl: net.inet.ip.forwarding=1: Operation not permitted\n", 1)
    assert _in_jail(box, 3, "/", "sysctl", "kern.securelevel=3").stdout == "kern.securelevel: 2 -> 3\n"


def test_t_prints_types(box):
    # src: sbin/sysctl/sysctl.c show_var() and ctl_typename[]
    cp = box.run("sysctl", "-t", "kern.maxfiles", "kern.maxvnodes", "kern.hostname", "vm.stats.vm.v_page_size")
    assert cp.returncode == 0
    assert cp.stdout == (
        "kern.maxfiles: integer\nkern.maxvnodes: unsigned long\nkern.hostname: string\n"
        "vm.stats.vm.v_page_size: unsigned integer\n"
    )
    assert box.run("sysctl", "-t", "-e", "vm.swap_total").stdout == "vm.swap_total=uint64_t\n"
    assert box.run("sysctl", "-t", "-n", "kern.boottime").stdout == "opaque\n"
    assert box.run("sysctl", "-t", "-d", "kern.maxfiles").stdout == "kern.maxfiles: integer: Maximum number of files\n"
    cp = box.run("sysctl", "-t", "no.such")
    assert (cp.returncode, cp.stderr) == (1, "sysctl: unknown oid 'no.such'\n")
