"""pkg(8) in a box (simfbsd/tools/pkg/; freebsd/pkg src/main.c, install.c, info.c, delete.c).

One box with one jail made from the box's base.txz; packages come from data/pkg/catalogue.json.
"""

import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402


@pytest.fixture(scope="module")
def pbox(simhost_dir):
    name = f"pk{os.getpid() % 10000}"
    boxlib.create(name, ip="192.0.2.10")
    b = Box(name, "192.0.2.10")
    try:
        assert b.sh("mkdir -p /jails/w && tar -xf /usr/freebsd-dist/base.txz -C /jails/w").returncode == 0
        r = b.run("jail", "-c", "name=w", "path=/jails/w", "host.hostname=w", "ip4.addr=192.0.2.10", "persist")
        assert (r.returncode, r.stderr) == (0, "")
        yield b
    finally:
        boxlib.destroy(name)


def test_activation_and_version(pbox):
    r = pbox.run("pkg", "-c", "/jails/w/tmp", "-N")  # no database in that root
    assert (r.returncode, r.stderr) == (1, "pkg: package database non-existent\n")
    r = pbox.run("pkg", "-v")
    assert (r.returncode, r.stdout) == (0, "1.21.3\n")
    r = pbox.run("pkg", "-j", "nosuch", "info")
    assert (r.returncode, r.stderr) == (1, 'pkg: jail "nosuch" not found\n')


def test_command_line_errors_as_main_c(pbox):
    # src/main.c main(): getopt_long's complaint, then errx(EXIT_FAILURE, "Invalid argument provided")
    r = pbox.run("pkg", "-z", "info")
    assert (r.returncode, r.stderr) == (1, "pkg: unknown option -- z\npkg: Invalid argument provided\n")
    r = pbox.run("pkg", "-j", "w", "-c", "/jails/w", "info")
    assert r.returncode == 1 and r.stderr.startswith("pkg: -j, -c and/or -r cannot be used at the same time!\n")
    r = pbox.run("pkg", "-d")
    assert r.returncode == 1 and r.stderr.startswith("pkg: no commands specified\nUsage: pkg [-v]")
    r = pbox.run("pkg", "nosuch")
    assert (r.returncode, r.stdout) == (1, "")
    assert (
        r.stderr
        == "pkg: unknown command: nosuch\n\nFor more information on available commands and options see 'pkg help'.\n"
    )
    # install.c: a bad option or no operand -> usage_install(), EXIT_FAILURE
    r = pbox.run("pkg", "install", "--nosuch", "x")
    assert r.returncode == 1
    assert r.stderr.startswith("pkg: unknown option -- nosuch\nUsage: pkg install [-AfInFMqRUy] [-r reponame]")
    assert pbox.run("pkg", "install").returncode == 1
    # a unique prefix of a command runs it; --jail= as -j
    r = pbox.run("pkg", "--jail=w", "inf", "-e", "nosuchpkg")
    assert (r.returncode, r.stderr) == (1, "")


def test_install_python3_in_a_jail_runs_modules(pbox):
    pbox.run("pkg", "-j", "w", "delete", "-y", "python3", "python311")
    r = pbox.run("pkg", "-j", "w", "install", "-y", "python3")
    assert r.returncode == 0, r.stderr
    assert "New packages to be INSTALLED:\n\tpython311: 3.11.11\n\tpython3: 3_4\n" in r.stdout
    assert "Number of packages to be installed: 2\n" in r.stdout
    r = pbox.run("jexec", "w", "/usr/local/bin/python3", "-c", "import json, os; print(json.dumps(os.getcwd()))")
    assert (r.returncode, r.stdout) == (0, '"/"\n')
    # chrooted: the interpreter sees the jail's files, not the host's
    r = pbox.run("jexec", "w", "/usr/local/bin/python3", "-c", "print(open('/etc/hostname').read())")
    assert r.returncode != 0
    r = pbox.run("pkg", "-j", "w", "info", "-e", "python3")
    assert (r.returncode, r.stdout) == (0, "")
    r = pbox.run("pkg", "-j", "w", "-N")
    assert r.returncode == 0 and r.stderr.endswith(" packages installed\n")
    r = pbox.run("pkg", "-j", "w", "install", "-U", "-y", "python3")
    assert r.returncode == 0
    assert "The most recent versions of packages are already installed" in r.stdout
    r = pbox.run("pkg", "-j", "w", "query", "%n %v %a", "python311")
    assert (r.returncode, r.stdout) == (0, "python311 3.11.11 1\n")
    # nothing on the host
    assert pbox.run("pkg", "info", "-e", "python3").returncode == 1


def test_unknown_package_and_delete(pbox):
    r = pbox.run("pkg", "-j", "w", "install", "-y", "nosuchpkg")
    assert r.returncode == 1
    assert "No packages available to install matching 'nosuchpkg' have been found in the repositories" in r.stderr
    r = pbox.run("pkg", "-j", "w", "delete", "-y", "nosuchpkg")
    assert r.returncode == 1
    assert "No packages matched for pattern 'nosuchpkg'" in r.stdout


def test_nginx_listens_on_the_jail_address(pbox):
    assert pbox.run("pkg", "-j", "w", "install", "-y", "nginx").returncode == 0
    assert pbox.run("jexec", "w", "sysrc", "nginx_enable=YES").returncode == 0
    r = pbox.run("jexec", "w", "service", "nginx", "start")
    assert (r.returncode, r.stdout) == (0, "Starting nginx.\n")
    lines = [ln for ln in pbox.run("sockstat", "-46lq").stdout.splitlines() if " nginx " in ln]
    assert len(lines) == 1 and "192.0.2.10:80 " in lines[0], lines
    # fetch(1) from the host and from inside the jail: answered by the jail's nginx from its docroot
    for argv in (["fetch"], ["jexec", "w", "fetch"]):
        r = pbox.run(*argv, "-o", "-", "http://192.0.2.10/")
        assert (r.returncode, r.stderr) == (0, ""), argv
        assert "<h1>Welcome to nginx!</h1>" in r.stdout
    r = pbox.run("fetch", "-o", "-", "http://192.0.2.10/nosuch.html")
    assert (r.returncode, r.stderr) == (1, "fetch: http://192.0.2.10/nosuch.html: Not Found\n")
    r = pbox.run("jexec", "w", "service", "nginx", "stop")
    assert r.returncode == 0
    assert " nginx " not in pbox.run("sockstat", "-46lq").stdout
    r = pbox.run("fetch", "-o", "-", "http://192.0.2.10/")
    assert (r.returncode, r.stderr) == (1, "fetch: http://192.0.2.10/: Connection refused\n")
    # an address the jail does not have: bind() fails, the start fails
    pbox.sh("echo 'server { listen 192.0.2.99:80; }' > /jails/w/usr/local/etc/nginx/nginx.conf")
    r = pbox.run("jexec", "w", "service", "nginx", "start")
    assert r.returncode == 1
    assert "bind() to 192.0.2.99:80 failed (49: Can't assign requested address)" in r.stderr


def test_delete_removes_files_and_unbinds(pbox):
    assert pbox.run("pkg", "-j", "w", "install", "-y", "python3").returncode == 0  # (xdist may run this test alone)
    assert pbox.run("jexec", "w", "/usr/local/bin/python3", "-c", "pass").returncode == 0
    r = pbox.run("pkg", "-j", "w", "delete", "-y", "python3", "python311")
    assert r.returncode == 0, r.stderr
    assert "Installed packages to be REMOVED:" in r.stdout
    assert pbox.run("jexec", "w", "/bin/sh", "-c", "test -e /usr/local/bin/python3").returncode == 1
    assert pbox.run("pkg", "-j", "w", "info", "-e", "python311").returncode == 1


def test_base_tools_run_as_programs_inside_the_jail(pbox):
    # FreeBSD's base.txz holds /usr/sbin/pkg, sysrc and service, so a program in a jail (a module's subprocess)
    # runs them by path; the simulated world's are shims that need the jail's python311 package.
    pbox.run("pkg", "-j", "w", "delete", "-y", "nginx", "python3", "python311")
    pbox.sh("rm -f /jails/w/usr/local/etc/nginx/nginx.conf")  # an earlier test's configuration (kept: changed)
    pbox.run("jexec", "w", "sysrc", "-x", "nginx_enable")
    r = pbox.run("jexec", "w", "/bin/sh", "-c", "/usr/sbin/sysrc -n hostname")
    assert r.returncode == 127
    assert r.stderr == "sysrc: simulator: sysrc runs inside a jail once the jail has its python311 package\n"
    assert pbox.run("pkg", "-j", "w", "install", "-y", "python3").returncode == 0
    script = (
        "/usr/sbin/pkg install -y nginx >/dev/null && /usr/sbin/sysrc nginx_enable=YES"
        " && /usr/sbin/pkg info -e nginx && /usr/sbin/service nginx start"
    )
    r = pbox.run("jexec", "-l", "w", "/bin/sh", "-c", script)
    assert (r.returncode, r.stdout) == (0, "nginx_enable:  -> YES\nStarting nginx.\n"), r.stderr
    # the jail's own files changed, not the host's; the daemon runs in the jail (sockstat -j), on its address
    assert pbox.run("sysrc", "-n", "nginx_enable").returncode == 1
    assert pbox.run("pkg", "info", "-e", "nginx").returncode == 1
    jid = pbox.run("jls", "-j", "w", "jid").stdout.strip()
    lines = [ln for ln in pbox.run("sockstat", "-46lq", "-j", jid).stdout.splitlines() if " nginx " in ln]
    assert len(lines) == 1 and "192.0.2.10:80 " in lines[0], lines
    r = pbox.run("jexec", "w", "/bin/sh", "-c", "/usr/sbin/service nginx onestatus")
    assert r.returncode == 0 and r.stdout.startswith("nginx is running as pid "), r.stdout
    assert pbox.run("jexec", "w", "service", "nginx", "stop").returncode == 0
    # the jail's copy of the simulator goes with its interpreter
    assert pbox.run("pkg", "-j", "w", "delete", "-y", "nginx", "python3", "python311").returncode == 0
    assert pbox.run("jexec", "w", "/bin/sh", "-c", "test -e /.simhost").returncode == 1
