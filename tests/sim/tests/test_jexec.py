"""jexec(8) in a box (jexec.8; src: usr.sbin/jexec/jexec.c main(), get_user_info(), usage()).

The jail's root is the box's own /usr/freebsd-dist/base.txz (simfbsd/world.py: a busybox world
with FreeBSD's /etc/passwd), so real binaries run chrooted in the jail.
"""

import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402

USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]\n"
# defaults-devfs.rules [devfsrules_jail=4]: hide all, unhide_basic, unhide_login, fuse, zfs -
# the simulated kernel's devices that survive it
RULESET4_DEV = sorted(
    ["null", "zero", "crypto", "random", "urandom", "ptmx", "pts", "fd", "stdin", "stdout", "stderr", "fuse", "zfs"]
)


@pytest.fixture(scope="module")
def jbox(simhost_dir):
    name = f"jx{os.getpid() % 10000}"
    boxlib.create(name, ip="192.0.2.10")
    b = Box(name, "192.0.2.10")
    try:
        script = (
            "mkdir -p /jails/w && tar -xf /usr/freebsd-dist/base.txz -C /jails/w && "
            "echo 'jonly:*:1001:1001:Jail only:/home/jonly:/bin/sh' >> /jails/w/etc/passwd && "
            "mkdir -p /jails/w/home/jonly && "
            "echo 'honly:*:1002:1002:Host only:/nonexistent:/usr/sbin/nologin' >> /etc/passwd"
        )
        assert b.sh(script).returncode == 0
        r = b.run("jail", "-c", "name=w", "path=/jails/w", "host.hostname=w.example", "mount.devfs", "persist")
        assert (r.returncode, r.stderr) == (0, "")
        yield b
    finally:
        boxlib.destroy(name)


def host_passwd(b, user):
    for line in b.read("/etc/passwd").splitlines():
        f = line.split(":")
        if f[0] == user:
            return f
    raise AssertionError(user)


def test_runs_in_the_jail_root_with_exit_status(jbox):
    r = jbox.run("jexec", "w", "/bin/sh", "-c", "cat /etc/passwd | head -3; exit 7")
    assert r.returncode == 7  # the command's own status
    assert r.stdout.splitlines()[1] == "root:*:0:0:Charlie &:/root:/bin/sh"  # the jail's passwd
    r = jbox.run("jexec", "1", "/bin/sh", "-c", "pwd")  # by jid; jexec.c: chdir("/") after attach
    assert (r.returncode, r.stdout) == (0, "/\n")


def test_simulated_tools_see_the_jail(jbox):
    assert jbox.run("jexec", "w", "hostname").stdout == "w.example\n"
    assert jbox.run("jexec", "w", "hostname", "-s").stdout == "w\n"


@pytest.mark.skipif(not os.path.exists(os.path.join(SIM_ROOT, "simfbsd/tools/sysctl.py")), reason="no sysctl yet")
def test_sysctl_in_jail(jbox):
    r = jbox.run("jexec", "w", "sysctl", "security.jail.jailed")
    assert (r.returncode, r.stdout) == (0, "security.jail.jailed: 1\n")
    assert jbox.run("sysctl", "security.jail.jailed").stdout == "security.jail.jailed: 0\n"


def test_devfs_ruleset_4_hides_disks(jbox):
    r = jbox.run("jexec", "w", "ls", "/dev")
    assert r.returncode == 0
    assert sorted(r.stdout.split()) == RULESET4_DEV
    # the same tree without a ruleset shows the disks (so the check above can fail)
    assert jbox.run("mkdir", "-p", "/jails/w0/dev").returncode == 0
    r = jbox.run("jail", "-c", "name=w0", "path=/jails/w0", "mount.devfs", "devfs_ruleset=0", "persist")
    assert r.returncode == 0, r.stderr
    try:
        listing = jbox.run("ls", "/jails/w0/dev").stdout.split()
        assert set(RULESET4_DEV) < set(listing) and len(listing) > len(RULESET4_DEV)
    finally:
        jbox.run("jail", "-r", "w0")


def test_l_clean_environment(jbox):
    # jexec.8 -l: environment discarded except HOME, SHELL, TERM, USER; PATH=/bin:/usr/bin.
    # jexec.c: without -U the user comes from the HOST's passwd (getpwuid(getuid()) = root),
    # and the working directory becomes its home.
    root = host_passwd(jbox, "root")
    r = jbox.run("env", "-i", "TERM=vt100", "FOO=1", "/usr/sbin/jexec", "-l", "w", "env")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == [
        f"HOME={root[5]}",
        "PATH=/bin:/usr/bin",
        f"SHELL={root[6]}",
        "TERM=vt100",
        "USER=root",
    ]
    assert jbox.run("jexec", "-l", "w", "/bin/sh", "-c", "pwd").stdout == f"{root[5]}\n"
    r = jbox.run("env", "-i", "FOO=1", "/usr/sbin/jexec", "-l", "-U", "jonly", "w", "env")
    assert sorted(r.stdout.splitlines()) == ["HOME=/home/jonly", "PATH=/bin:/usr/bin", "SHELL=/bin/sh", "USER=jonly"]


def test_environment_kept_without_l(jbox):
    r = jbox.run("env", "-i", "FOO=1", "PATH=/bin:/usr/bin", "/usr/sbin/jexec", "w", "env")
    assert sorted(r.stdout.splitlines()) == ["FOO=1", "PATH=/bin:/usr/bin"]
    r = jbox.run("env", "-i", "FOO=1", "PATH=/bin:/usr/bin", "/usr/sbin/jexec", "-U", "jonly", "w", "env")
    assert sorted(r.stdout.splitlines()) == [
        "FOO=1",
        "HOME=/home/jonly",
        "PATH=/bin:/usr/bin",
        "SHELL=/bin/sh",
        "USER=jonly",
    ]


def test_u_host_user_U_jail_user(jbox):
    # -u: host's passwd (honly exists only there); -U: the jail's (www, jonly)
    uid = host_passwd(jbox, "honly")[2]
    assert jbox.run("jexec", "-u", "honly", "w", "id", "-u").stdout == f"{uid}\n"
    r = jbox.run("jexec", "-U", "honly", "w", "id", "-u")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "jexec: honly: no such user\n")
    assert jbox.run("jexec", "-U", "www", "w", "id", "-u").stdout == "80\n"
    assert jbox.run("jexec", "-U", "jonly", "w", "id", "-un").stdout == "jonly\n"
    r = jbox.run("jexec", "-u", "jonly", "w", "id", "-u")
    assert (r.returncode, r.stderr) == (1, "jexec: jonly: no such user\n")
    # -l -U www: home /nonexistent does not exist in the jail -> err(1, "chdir: %s")
    r = jbox.run("jexec", "-l", "-U", "www", "w", "id")
    assert (r.returncode, r.stderr) == (1, "jexec: chdir: /nonexistent: No such file or directory\n")


def test_unknown_jail_and_usage(jbox):
    # libjail jail_getid() -> kernel "jail \"%s\" not found" / "jail %d not found"; errx(1)
    r = jbox.run("jexec", "nope", "true")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", 'jexec: jail "nope" not found\n')
    r = jbox.run("jexec", "99", "true")
    assert (r.returncode, r.stderr) == (1, "jexec: jail 99 not found\n")
    for argv in ([], ["-u", "a", "-U", "b", "w", "true"], ["-x", "w"]):
        r = jbox.run("jexec", *argv)
        assert r.returncode == 1 and r.stderr.endswith(USAGE), argv
    assert jbox.run("jexec", "-x", "w").stderr == "jexec: illegal option -- x\n" + USAGE


def test_exec_failure_and_default_shell(jbox):
    r = jbox.run("jexec", "w", "/nonexistent")
    assert (r.returncode, r.stderr) == (1, "jexec: execvp: /nonexistent: No such file or directory\n")
    # no command: $SHELL -i (jexec.c); the jail's /bin/sh reads the commands from stdin
    r = jbox.run("env", "SHELL=/bin/sh", "jexec", "w", input="echo hi; exit 3\n")
    assert r.returncode == 3 and "hi\n" in r.stdout
