"""sysctl(8) formats, errors and exit status (tests/fixtures/freebsd/BEHAVIOUR.md §6, §6.1)."""

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
    # tests/fixtures/freebsd/BEHAVIOUR.md §6: EPERM prints the old value on stdout, then warn(3)
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


def test_f_file_blanks_quotes_and_comments(box):
    # parsefile(): the first # ends the line unless it follows a quote (then the line ends after the
    # closing quote) or a backslash; blanks at both ends trimmed.  parse(): split at the first = or :,
    # blanks after the name and before the value dropped, a pair of quotes stripped; numeric values
    # are strsep(" ,") lists read by strtol(base 0), and a one-value OID takes the first.
    box.write(
        "/root/b.conf",
        "  kern.maxfiles = 100000   # blanks around = are trimmed\n"
        "net.inet.ip.forwarding :1\n"
        'kern.domainname = "a#b c" # a # inside quotes stays\n'
        "kern.ipc.somaxconn='0x400'\n"
        "security.bsd.see_other_uids=010\n"
        "kern.bootfile=/boot/k\\#1\n"
        "kern.maxfilesperproc = 1 2,3\n"
        "\tkern.ipc.maxsockbuf\t=\t4194304\t\n"
        "kern.hostname\n",
    )
    cp = box.run("sysctl", "-f", "/root/b.conf")
    assert (cp.stderr, cp.returncode) == ("", 0)
    assert cp.stdout == (
        "kern.maxfiles: 262144 -> 100000\n"
        "net.inet.ip.forwarding: 0 -> 1\n"
        "kern.domainname:  -> a#b c\n"
        "kern.ipc.somaxconn: 4096 -> 1024\n"
        "security.bsd.see_other_uids: 1 -> 8\n"
        "kern.bootfile: /boot/kernel/kernel -> /boot/k\\#1\n"
        "kern.maxfilesperproc: 235917 -> 1\n"
        "kern.ipc.maxsockbuf: 2097152 -> 4194304\n"
        f"kern.hostname: {box.name}\n"
    )


def test_f_file_errors_and_options(box):
    # parsefile(): err(EX_NOINPUT, "%s", filename) before any argument is looked at
    cp = box.run("sysctl", "-f", "/nope.conf", "hw.ncpu")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", "sysctl: /nope.conf: No such file or directory\n", 66)
    box.write("/root/e.conf", "kern.maxfiles=1,x\nkern.maxfiles = \nkern.securelevel = 1\nkern.securelevel = 0\n")
    cp = box.run("sysctl", "-f", "/nope.conf", "-f", "/root/e.conf")  # main(): the last -f is the file
    assert cp.returncode == 3
    assert cp.stdout == "kern.securelevel: -1 -> 1\nkern.securelevel: 1\n"
    assert cp.stderr == (
        "sysctl: invalid integer 'x' at line 1\n"
        "sysctl: empty numeric value\n"  # parse(): this one has no " at line N"
        "sysctl: kern.securelevel = 0 at line 4: Operation not permitted\n"  # warn("%s%s", string, line)
    )
    # main(): -a only without names
    assert (box.run("sysctl", "-a", "hw.ncpu").stdout, box.run("sysctl", "-a", "hw.ncpu").returncode) == (
        "hw.ncpu: 4\n",
        0,
    )


def test_numeric_values_as_strtol_reads_them(box):
    assert box.run("sysctl", "kern.ipc.somaxconn=0x800").stdout == "kern.ipc.somaxconn: 4096 -> 2048\n"
    assert box.run("sysctl", "kern.maxfiles = 5").stdout == "kern.maxfiles: 262144 -> 5\n"
    # strtoul("-1") is ULONG_MAX, no error; the (int) cast keeps 32 bits of a CTLTYPE_UINT
    cp = box.run("sysctl", "security.jail.jail_max_af_ips=-1")
    assert cp.stdout == "security.jail.jail_max_af_ips: 255 -> 4294967295\n"
    assert box.run("sysctl", "kern.maxfiles=4294967297").stdout == "kern.maxfiles: 5 -> 1\n"  # (int) strtol()
    for bad in ("08", "0x", "1x", "99999999999999999999"):
        cp = box.run("sysctl", f"kern.maxfiles={bad}")
        assert (cp.stderr, cp.returncode) == (f"sysctl: invalid integer '{bad}'\n", 1)
    cp = box.run("sysctl", " kern.maxfiles")  # only blanks after the name are trimmed
    assert (cp.stderr, cp.returncode) == ("sysctl: unknown oid ' kern.maxfiles'\n", 1)


def test_rc_d_sysctl_start_ignores_unknown_oids_reload_does_not(box):
    # libexec/rc/rc.d/sysctl: start -> sysctl -i -f, reload/lastload -> sysctl -f; stdout to /dev/null
    box.write("/etc/sysctl.conf", "foo.bar=1\nnet.inet.ip.forwarding = 1\n")
    cp = box.run("service", "sysctl", "start")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", "", 0)
    assert box.run("sysctl", "-n", "net.inet.ip.forwarding").stdout == "1\n"
    # sysctl_start()'s status is its last "if": 0 while /etc/sysctl.conf.local is not readable
    for cmd in ("reload", "lastload"):
        cp = box.run("service", "sysctl", cmd)
        assert (cp.stdout, cp.stderr, cp.returncode) == ("", "sysctl: unknown oid 'foo.bar' at line 1\n", 0)
    box.write("/etc/sysctl.conf", "kern.maxfiles=7\n")
    box.write("/etc/sysctl.conf.local", "kern.maxfiles=8\nbar.baz=2\n")
    cp = box.run("service", "sysctl", "reload")
    assert (cp.stderr, cp.returncode) == ("sysctl: unknown oid 'bar.baz' at line 2\n", 1)
    assert box.run("service", "sysctl", "start").returncode == 0
    assert box.run("sysctl", "-n", "kern.maxfiles").stdout == "8\n"


def test_jail_param_lists_every_kernel_parameter(box):
    """libjail finds a parameter's type under security.jail.param (jailparam_type()); a node that is also a
    parameter (ip4, host, sysvshm, allow.mount) carries it in an empty-named child, so its name ends in '.'.
    src: sys/kern/kern_jail.c SYSCTL_JAIL_PARAM*, sys/kern/sysv_msg.c SYSCTL_JAIL_PARAM_SYS_NODE()."""
    from simfbsd import jails

    out = box.run("sysctl", "-N", "security.jail.param").stdout.splitlines()
    listed = {line[len("security.jail.param.") :].rstrip(".") for line in out}
    builtin = set(jails.PARAMS) - set(jails.MODULE_OF)  # module parameters appear once loaded (kldload_param())
    assert builtin <= listed, sorted(builtin - listed)
    for node in ("allow.mount.", "ip4.", "host.", "sysvshm."):
        assert "security.jail.param." + node in out
    assert "security.jail.param.allow.mount.nullfs" in out and "security.jail.param.allow.chflags" in out
    sub = box.run("sysctl", "-N", "security.jail.param.allow.mount").stdout.splitlines()
    assert sub[0] == "security.jail.param.allow.mount." and "security.jail.param.allow.mount.zfs" in sub


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
