"""The box's users and groups are FreeBSD's (simfbsd/pwdb.py, data/root/etc/).

src: freebsd-src etc/master.passwd and etc/group (FreeBSD 14: root's shell /bin/sh), /etc/passwd as
usr.sbin/pwd_mkdb/pwd_mkdb.c main() writes it (``pwd_mkdb -p``: comments copied, ``name:*:uid:...``).
Every lookup resolves against them: Debian's programs in the box (chown, id: NSS reads /etc/passwd
and /etc/group), devfs(8) rule user/group (sbin/devfs/rule.c rulespec_intok()/rulespec_outfp()),
jexec(8) -u (usr.sbin/jexec/jexec.c get_user_info()), jail(8) exec.system_user/exec.jail_user
(usr.sbin/jail/command.c get_user_info()).
"""

import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402


@pytest.fixture(scope="module")
def ubox(simhost_dir):
    name = f"us{os.getpid() % 10000}"
    boxlib.create(name, ip="192.0.2.10")
    try:
        yield Box(name, "192.0.2.10")
    finally:
        boxlib.destroy(name)


def entry(text, name):
    return next(line for line in text.splitlines() if line.split(":")[0] == name)


def test_account_files_are_freebsds(ubox):
    passwd = ubox.read("/etc/passwd")
    assert passwd.splitlines()[:3] == [
        "#",
        "root:*:0:0:Charlie &:/root:/bin/sh",
        "toor:*:0:0:Bourne-again Superuser:/root:",
    ]
    assert entry(passwd, "www") == "www:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin"
    assert entry(passwd, "operator") == "operator:*:2:5:System &:/:/usr/sbin/nologin"
    assert "www-data" not in {line.split(":")[0] for line in passwd.splitlines()}  # Debian's, not FreeBSD's
    master = ubox.read("/etc/master.passwd")
    assert entry(master, "root") == "root::0:0::0:0:Charlie &:/root:/bin/sh"
    assert ubox.sh("stat -c %a /etc/master.passwd").stdout == "600\n"
    group = ubox.read("/etc/group")
    assert entry(group, "wheel") == "wheel:*:0:root"
    assert entry(group, "operator") == "operator:*:5:root"
    assert entry(group, "nogroup") == "nogroup:*:65533:"


def test_debian_programs_in_the_box_resolve_freebsd_names(ubox):
    # chown/id/stat are Debian's binaries; their NSS lookups read the box's FreeBSD files
    r = ubox.sh("touch /tmp/f && chown www:wheel /tmp/f && stat -c '%u %g %U %G' /tmp/f && id -gn root")
    assert (r.returncode, r.stdout) == (0, "80 0 www wheel\nwheel\n")
    r = ubox.sh("chown root:operator /tmp/f && stat -c %g /tmp/f")
    assert r.stdout == "5\n"


def test_devfs_rule_user_and_group_names(ubox):
    # rulespec_intok(): getpwnam()/getgrnam() else a number; rulespec_outfp(): the name back when known
    assert ubox.run("devfs", "rule", "-s", "42", "add", "path", "a", "user", "www", "group", "wheel").returncode == 0
    assert ubox.run("devfs", "rule", "-s", "42", "add", "path", "b", "group", "5", "user", "2").returncode == 0
    assert ubox.run("devfs", "rule", "-s", "42", "add", "path", "c", "group", "4242").returncode == 0
    r = ubox.run("devfs", "rule", "-s", "42", "show")
    assert r.stdout == (
        "100 path a user www group wheel\n200 path b user operator group operator\n300 path c group 4242\n"
    )


def test_jexec_u_and_jail_users(ubox):
    script = "mkdir -p /jails/u && tar -xf /usr/freebsd-dist/base.txz -C /jails/u"
    assert ubox.sh(script).returncode == 0
    r = ubox.run("jail", "-c", "name=u", "path=/jails/u", "persist")
    assert r.returncode == 0, r.stderr
    try:
        # -u: the host's passwd, looked up before entering the jail
        assert ubox.run("jexec", "-u", "www", "u", "id", "-u").stdout == "80\n"
        assert ubox.run("jexec", "-u", "operator", "u", "id", "-g").stdout == "5\n"
        r = ubox.run("jexec", "-u", "www-data", "u", "id", "-u")
        assert (r.returncode, r.stderr) == (1, "jexec: www-data: no such user\n")
    finally:
        ubox.run("jail", "-r", "u")
    # exec.system_user runs the host-side commands as a host user
    r = ubox.run(
        "jail", "-c", "name=v", "path=/jails/u", "persist", "exec.system_user=www",
        "exec.prestart=/usr/bin/id -un",
    )  # fmt: skip
    assert (r.returncode, r.stdout) == (0, "www\n"), r.stderr
    ubox.run("jail", "-r", "v")
