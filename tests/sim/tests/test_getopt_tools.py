"""Every simulated tool reads its options with getopt(3) (simfbsd/bsdgetopt.py).

A bad option is getopt's complaint (lib/libc/stdlib/getopt.c: ``prog: illegal option -- x`` /
``prog: option requires an argument -- x``; for the tools that are shell scripts in FreeBSD,
sh(1)'s getopts: ``Illegal option -x`` / ``No arg for -x option``, bin/sh/options.c getopts()),
then what the tool's source does on ``'?'``: its usage text and exit status, unchanged.
"""

import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402

SYSCTL_USAGE = (
    "usage: sysctl [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
    "       sysctl [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n"
)
MOUNT_USAGE = (
    "usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]\n"
    "       mount [-dfpruvw] special | node\n"
    "       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node\n"
)
UMOUNT_USAGE = (
    "usage: umount [-fNnv] special ... | node ... | fsid ...\n"
    "       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]\n"
)
PGREP_USAGE = (
    "usage: pgrep [-LSfilnoqvx] [-d delim] [-F pidfile] [-G gid]\n"
    "             [-M core] [-N system] [-P ppid] [-U uid] [-c class] [-g pgrp]\n"
    "             [-j jail] [-s sid] [-t tty] [-u euid] pattern ...\n"
)
SYSRC_USAGE = "Usage: sysrc [OPTIONS] name[[+|-]=value] ...\nTry `sysrc --help' for more information.\n"
SSHD_USAGE = (
    "usage: sshd [-46DdeGiqTtV] [-C connection_spec] [-c host_cert_file]\n"
    "            [-E log_file] [-f config_file] [-g login_grace_time]\n"
    "            [-h host_key_file] [-o option] [-p port] [-u len]\n"
)
IFCONFIG_USAGE_START = "usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface address_family\n"


@pytest.fixture(scope="module")
def gbox(simhost_dir):
    name = f"go{os.getpid() % 10000}"
    boxlib.create(name, ip="192.0.2.10")
    try:
        yield Box(name, "192.0.2.10")
    finally:
        boxlib.destroy(name)


@pytest.mark.parametrize(
    ("argv", "rc", "stderr"),
    [
        (["sysctl", "-y"], 1, "sysctl: illegal option -- y\n" + SYSCTL_USAGE),
        (["sysctl", "-f"], 1, "sysctl: option requires an argument -- f\n" + SYSCTL_USAGE),
        (["mount", "-y"], 1, "mount: illegal option -- y\n" + MOUNT_USAGE),
        (["umount", "-y", "/mnt"], 1, "umount: illegal option -- y\n" + UMOUNT_USAGE),
        (["uname", "-y"], 1, "uname: illegal option -- y\nusage: uname [-abiKmnoprsUv]\n"),
        (["hostname", "-y"], 1, "hostname: illegal option -- y\nusage: hostname [-f] [-s | -d] [name-of-host]\n"),
        (["mount_nullfs", "-y", "/a", "/b"], 64,
         "mount_nullfs: illegal option -- y\nusage: mount_nullfs [-o options] target mount-point\n"),
        (["mount_nullfs", "-o"], 64,
         "mount_nullfs: option requires an argument -- o\nusage: mount_nullfs [-o options] target mount-point\n"),
        (["pgrep", "-y", "x"], 2, "pgrep: illegal option -- y\n" + PGREP_USAGE),
        (["pgrep", "-j"], 2, "pgrep: option requires an argument -- j\n" + PGREP_USAGE),
        (["ps", "-y"], 1, "ps: illegal option -- y\n"),
        (["route", "-y", "get", "default"], 1,
         "route: illegal option -- y\nusage: route [-46dnqtv] command [[modifiers] args]\n"),
        (["sshd", "-y"], 1, "sshd: illegal option -- y\n" + SSHD_USAGE),
        (["sshd", "-t", "-f"], 1, "sshd: option requires an argument -- f\n" + SSHD_USAGE),
        (["sockstat", "-y"], 1,
         "sockstat: illegal option -- y\nusage: sockstat [-46CciLlnqSsUuvw] [-j jid] [-p ports] [-P protocols]\n"),
        (["devfs", "-y", "rule", "show"], 1,
         "devfs: illegal option -- y\nusage: devfs [-m mount-point] keyword argument ...\n"),
        (["devfs", "rule", "-s"], 1,
         "devfs: option requires an argument -- s\nusage: devfs [-m mount-point] keyword argument ...\n"),
        # shell scripts in FreeBSD: sh(1)'s getopts words
        (["sysrc", "-y", "x"], 1, "Illegal option -y\n" + SYSRC_USAGE),
        (["sysrc", "-f"], 1, "No arg for -f option\n" + SYSRC_USAGE),
        (["freebsd-version", "-y"], 1, "Illegal option -y\nusage: freebsd-version [-kru] [-j jail]\n"),
    ],
)  # fmt: skip
def test_bad_option_is_getopts_complaint_then_the_tools_usage(gbox, argv, rc, stderr):
    r = gbox.run(*argv)
    assert (r.returncode, r.stdout, r.stderr) == (rc, "", stderr)


def test_ifconfig_and_service_complain_then_print_their_usage(gbox):
    r = gbox.run("ifconfig", "-y")
    assert r.returncode == 1
    assert r.stderr.startswith("ifconfig: illegal option -- y\n" + IFCONFIG_USAGE_START)
    r = gbox.run("service", "-y")
    assert (r.returncode, r.stderr) == (1, "Illegal option -y\n")
    assert r.stdout.startswith("\nUsage:\nservice [-j <jail name or id>] -e\n")


def test_options_stop_at_the_first_operand_and_after_double_dash(gbox):
    # not GNU getopt: "-n" after the command is route's modifier, not an option
    r = gbox.run("route", "get", "-n", "default")
    assert r.returncode == 0, r.stderr
    # "--" ends the options: sysctl reads kern.ostype as a name
    r = gbox.run("sysctl", "-n", "--", "kern.ostype")
    assert (r.returncode, r.stdout) == (0, "FreeBSD\n")
    # clustered flags and an attached argument
    r = gbox.run("uname", "-sr")
    assert r.returncode == 0 and len(r.stdout.split()) == 2
    r = gbox.run("pgrep", "-lj0", "nomatch")
    assert (r.returncode, r.stderr) == (1, "")


def test_sysrc_help_anywhere_before_double_dash(gbox):
    # src: usr.sbin/sysrc/sysrc: the --help scan runs over all arguments up to "--"
    assert gbox.run("sysrc", "hostname", "--help").stderr == SYSRC_USAGE
    r = gbox.run("sysrc", "-n", "--", "--help")
    assert r.stderr != SYSRC_USAGE
