"""The simulated kernel's jail side against FreeBSD's source: kern_jail_set() checks, module
parameters libjail loads, default allow flags, ip4/ip6 as kern_jail_get() reports them, jls -s,
and security.jail.param.* as sysctl prints it.

Every expectation is read from FreeBSD's source, named at each test:
sys/kern/kern_jail.c (kern_jail_set(), kern_jail_get(), JAIL_DEFAULT_ALLOW, sysctl_jail_param()),
lib/libjail/jail.c (jailparam_set(): "jail_set: " + strerror when the kernel gave no message;
jailparam_type()/kldload_param()), usr.sbin/jls/jls.c (main(), print_jail()).
jail(8) prints libjail's message after ``jail: `` (jail.c jail_warnx()) and exits 1.
"""

import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402

EINVAL = "jail: jail_set: Invalid argument\n"
EPERM = "jail: jail_set: Operation not permitted\n"


@pytest.fixture(scope="module")
def kbox(simhost_dir):
    """One box for the tests below; each test uses its own jail names and addresses."""
    name = f"kj{os.getpid() % 10000}"
    boxlib.create(name, ip="192.0.2.10")
    try:
        yield Box(name, "192.0.2.10")
    finally:
        boxlib.destroy(name)


def jail(b, *argv):
    r = b.run("jail", *argv)
    return r.returncode, r.stdout, r.stderr


def jls(b, *argv):
    r = b.run("jls", *argv)
    assert (r.returncode, r.stderr) == (0, ""), argv
    return r.stdout


def refused(b, argv, err):
    """jail -c refused by the kernel: exit 1, the message, and no jail left behind."""
    before = jls(b, "-n", "jid", "name")
    assert jail(b, "-c", *argv) == (1, "", err), argv
    assert jls(b, "-n", "jid", "name") == before


# ------------------------------------------------------------------ item 7: kern_jail_set() checks


def test_shared_address_clashes_only_with_a_multi_address_jail(kbox):
    # kern_jail_set(): "Check for conflicting IP addresses.  We permit them if there is no more
    # than one IP on each jail." -> EADDRINUSE with the message "IPv4 addresses clash"
    assert jail(kbox, "-c", "name=one1", "persist", "ip4.addr=198.51.100.1")[0] == 0
    assert jail(kbox, "-c", "name=one2", "persist", "ip4.addr=198.51.100.1")[0] == 0  # one and one: allowed
    refused(kbox, ["name=two", "persist", "ip4.addr=198.51.100.1,198.51.100.2"], "jail: IPv4 addresses clash\n")
    assert jail(kbox, "-c", "name=multi", "persist", "ip4.addr=198.51.100.5,198.51.100.6")[0] == 0
    refused(kbox, ["name=single", "persist", "ip4.addr=198.51.100.6"], "jail: IPv4 addresses clash\n")
    assert jail(kbox, "-c", "name=v6a", "persist", "ip6.addr=2001:db8:5::1,2001:db8:5::2")[0] == 0
    refused(kbox, ["name=v6b", "persist", "ip6.addr=2001:db8:5::2"], "jail: IPv6 addresses clash\n")
    # an update clashes the same way (the jail itself is skipped); the jail keeps its addresses
    rc, out, err = jail(kbox, "-m", "name=one1", "ip4.addr=198.51.100.1,198.51.100.5")
    assert (rc, out) == (1, "") and err.endswith("IPv4 addresses clash\n")
    assert jls(kbox, "-j", "one1", "ip4.addr") == "198.51.100.1\n"


@pytest.mark.parametrize(
    "addrs",
    [
        ["ip4.addr=198.51.100.20,198.51.100.20"],  # duplicate
        ["ip4.addr=198.51.100.21,198.51.100.22,198.51.100.21"],  # duplicate after sorting
        ["ip4.addr=0.0.0.0"],  # INADDR_ANY
        ["ip4.addr=255.255.255.255"],  # INADDR_BROADCAST
        ["ip6.addr=::"],  # IN6_IS_ADDR_UNSPECIFIED
        ["ip6.addr=2001:db8:6::1,2001:db8:6:0::1"],  # the same address twice
    ],
)
def test_bad_address_lists(kbox, addrs):
    # kern_jail_set(): "Check for duplicate addresses and do some simple zero and broadcast
    # checks": EINVAL without a message
    refused(kbox, ["name=badaddr", "persist", *addrs], EINVAL)


@pytest.mark.parametrize(
    "param, err",
    [
        ("enforce_statfs=3", EINVAL),  # "enforce < 0 || enforce > 2": EINVAL
        ("enforce_statfs=-1", EINVAL),
        ("devfs_ruleset=65536", EINVAL),  # "devfs_rsnum is a uint16_t": EINVAL
        ("devfs_ruleset=-1", EINVAL),
        ("securelevel=-2", EPERM),  # below the parent's (prison0 follows kern.securelevel, -1): EPERM
        ("host=disable", EINVAL),  # pr_flag_jailsys[] "host" has no disable flag
        ("children.max=999999", EPERM),  # "childmax >= ppr->pr_childmax": EPERM (prison0: JAIL_MAX)
    ],
)
def test_range_and_parent_checks(kbox, param, err):
    refused(kbox, ["name=rng", "persist", param], err)


def test_ranges_accepted_at_their_limits(kbox):
    argv = ["name=lim", "persist", "enforce_statfs=0", "devfs_ruleset=65535", "securelevel=-1", "children.max=10"]
    assert jail(kbox, "-c", *argv) == (0, "", "")
    assert jls(kbox, "-j", "lim", "enforce_statfs", "devfs_ruleset", "securelevel") == "0 65535 -1\n"
    # jail -m: the same range checks
    assert jail(kbox, "-m", "name=lim", "enforce_statfs=5")[0] == 1
    assert jail(kbox, "-m", "name=lim", "devfs_ruleset=70000")[0] == 1
    assert jls(kbox, "-j", "lim", "enforce_statfs", "devfs_ruleset") == "0 65535\n"


def test_securelevel_below_a_raised_host_level_is_refused(make_box):
    # kern_jail_set(): "if (slevel < ppr->pr_securelevel) error = EPERM" - refused, not clamped;
    # a new jail starts at its parent's level (pr_securelevel = ppr->pr_securelevel)
    b = make_box()
    assert b.run("sysctl", "kern.securelevel=1").returncode == 0
    refused(b, ["name=low", "persist", "securelevel=0"], EPERM)
    assert jail(b, "-c", "name=same", "persist") == (0, "", "")
    assert jls(b, "-j", "same", "securelevel") == "1\n"
    assert jail(b, "-c", "name=higher", "persist", "securelevel=2")[0] == 0


def test_update_checks_against_the_parent_and_passes_down(kbox):
    # kern_jail_set() on an update: securelevel below the parent's is EPERM; a level set on a jail
    # raises every descendant below it ("Set all child jails to be at least this level"), as
    # enforce_statfs does; devfs_ruleset replaces the descendants'
    assert jail(kbox, "-c", "name=up", "persist", "children.max=2")[0] == 0
    assert jail(kbox, "-c", "name=up.kid", "persist")[0] == 0
    assert jail(kbox, "-m", "name=up", "securelevel=2", "enforce_statfs=1", "devfs_ruleset=7") == (0, "", "")
    assert jls(kbox, "-j", "up.kid", "securelevel", "enforce_statfs", "devfs_ruleset") == "2 2 7\n"
    rc, out, err = jail(kbox, "-m", "name=up.kid", "securelevel=1")
    assert (rc, out) == (1, "") and err.endswith("jail_set: Operation not permitted\n")
    assert jls(kbox, "-j", "up.kid", "securelevel") == "2\n"
    assert jail(kbox, "-m", "name=up.kid", "securelevel=3") == (0, "", "")


def test_hierarchical_name_needs_its_parent(kbox):
    # kern_jail_set(): a name "a.b" is split; the parent must exist: ENOENT "jail \"a\" not found"
    refused(kbox, ["name=nopar.kid", "persist"], 'jail: jail "nopar" not found\n')
    assert jail(kbox, "-c", "name=par", "persist", "children.max=2")[0] == 0
    assert jail(kbox, "-c", "name=par.kid", "persist") == (0, "", "")
    pj = jls(kbox, "-j", "par", "jid").strip()
    assert jls(kbox, "-j", "par.kid", "name", "parent") == f"par.kid {pj}\n"
    assert jls(kbox, "-j", "par", "children.cur") == "1\n"


def test_numeric_name_is_the_jid(kbox):
    # kern_jail_set(): a create keyed by a numeric name takes it as the jid; any other number,
    # or a non-normal form, is "name cannot be numeric (unless it is the jid)"
    assert jail(kbox, "-c", "name=4242", "persist") == (0, "", "")
    assert jls(kbox, "-j", "4242", "jid", "name") == "4242 4242\n"
    refused(kbox, ["jid=4300", "name=4301", "persist"], "jail: name cannot be numeric (unless it is the jid)\n")
    refused(kbox, ["name=0", "persist"], "jail: name cannot be numeric (unless it is the jid)\n")
    refused(kbox, ["jid=4310", "name=04310", "persist"], "jail: name cannot be numeric (unless it is the jid)\n")
    assert jail(kbox, "-c", "jid=4320", "name=4320", "persist") == (0, "", "")


def test_new_jail_must_persist_or_attach(kbox):
    # kern_jail_set(): JAIL_CREATE without JAIL_ATTACH and without persist:
    # EINVAL "new jail must persist or attach" (jail(8) only creates, it never attaches)
    refused(kbox, ["name=nopersist", "path=/"], "jail: new jail must persist or attach\n")


# ------------------------------------------------------------------ item 8: module parameters


def test_module_parameters_are_loaded_on_demand(make_box):
    # libjail jailparam_type(): an unknown parameter runs kldload_param(): allow.mount.<fs> loads
    # <fs> (allow.mount.no<fs> too), linux/linux.* load linux; the parameter then exists
    b = make_box()
    assert jail(b, "-c", "name=ref", "persist")[0] == 0
    listing = jls(b, "-n", "-j", "ref")
    assert "allow.mount.fusefs" not in listing and "allow.mount.nofusefs" not in listing
    argv = ["name=fm", "persist", "allow.mount.fusefs", "allow.mount.nolinprocfs", "allow.mount.linsysfs=1"]
    assert jail(b, "-c", *argv, "linux=new", "linux.osname=Penguin") == (0, "", "")
    out = jls(b, "-n", "-j", "fm", "allow.mount.fusefs", "allow.mount.linprocfs", "allow.mount.linsysfs", "linux")
    assert out == "allow.mount.fusefs allow.mount.nolinprocfs allow.mount.linsysfs linux=new\n"
    assert jls(b, "-j", "fm", "linux.osname") == "Penguin\n"
    # a module loaded once adds its parameters to every listing; jails that never set it are off
    assert "allow.mount.nofusefs" in jls(b, "-n", "-j", "ref").split()
    assert jail(b, "-c", "name=sv", "persist", "sysvmsg=new", "sysvsem=inherit", "sysvshm=disable")[0] == 0
    assert jls(b, "-j", "sv", "sysvmsg", "sysvsem", "sysvshm") == "new inherit disable\n"
    # not a jail-friendly file system (no module gives the parameter): still unknown
    refused(b, ["name=bad", "persist", "allow.mount.foofs"], "jail: unknown parameter: allow.mount.foofs\n")
    refused(b, ["name=bad", "persist", "allow.mount.ext2fs"], "jail: unknown parameter: allow.mount.ext2fs\n")


# ------------------------------------------------------------------ item 10: JAIL_DEFAULT_ALLOW


def test_default_allow_flags(kbox):
    # kern_jail.c: JAIL_DEFAULT_ALLOW = PR_ALLOW_SET_HOSTNAME | PR_ALLOW_RESERVED_PORTS |
    # PR_ALLOW_UNPRIV_DEBUG | PR_ALLOW_SUSER
    assert jail(kbox, "-c", "name=dflt", "persist")[0] == 0
    names = ["allow.set_hostname", "allow.reserved_ports", "allow.unprivileged_proc_debug", "allow.suser"]
    assert jls(kbox, "-n", "-j", "dflt", *names) == " ".join(names) + "\n"
    others = ["allow.raw_sockets", "allow.mount", "allow.sysvipc", "allow.mlock", "allow.read_msgbuf"]
    assert jls(kbox, "-j", "dflt", *others) == "false false false false false\n"


def test_child_allow_is_masked_by_the_parent(kbox):
    # kern_jail_set(): pr_allow = JAIL_DEFAULT_ALLOW & ppr->pr_allow; setting a flag the parent
    # lacks is EPERM except PR_ALLOW_DIFFERENCES (unprivileged_proc_debug)
    argv = ["name=mask", "persist", "children.max=3", "allow.noset_hostname", "allow.nounprivileged_proc_debug"]
    assert jail(kbox, "-c", *argv)[0] == 0
    assert jail(kbox, "-c", "name=mask.kid", "persist") == (0, "", "")
    out = jls(kbox, "-n", "-j", "mask.kid", "allow.set_hostname", "allow.unprivileged_proc_debug", "allow.suser")
    assert out == "allow.noset_hostname allow.nounprivileged_proc_debug allow.suser\n"
    refused(kbox, ["name=mask.kid2", "persist", "allow.raw_sockets"], EPERM)
    assert jail(kbox, "-c", "name=mask.kid3", "persist", "allow.unprivileged_proc_debug") == (0, "", "")


# ------------------------------------------------------------------ item 11: ip4/ip6 and jls -s


def test_ip4_ip6_as_kern_jail_get_reports_them(kbox):
    # kern_jail_get(): f = pr_flags & (disable | new); for ip4/ip6 disable == new == PR_IP4_USER,
    # so a jail with its own list (addresses, ip4=new or ip4=disable) reports "disable", an
    # ip4=inherit jail "inherit"; host reports "new" (disable is 0, new PR_HOST)
    assert jail(kbox, "-c", "name=ipa", "persist", "ip4.addr=198.51.100.40", "ip6.addr=2001:db8:4::1")[0] == 0
    assert jail(kbox, "-c", "name=ipn", "persist", "ip4=new")[0] == 0
    assert jail(kbox, "-c", "name=ipi", "persist", "ip4=inherit", "ip6=inherit")[0] == 0
    assert jls(kbox, "-n", "-j", "ipa", "ip4", "ip6", "host") == "ip4=disable ip6=disable host=new\n"
    assert jls(kbox, "-n", "-j", "ipn", "ip4", "ip6") == "ip4=disable ip6=disable\n"
    assert jls(kbox, "-n", "-j", "ipi", "ip4", "ip6") == "ip4=inherit ip6=inherit\n"


def test_jls_s_omits_ip_children(kbox):
    # jls.c: with -s each dotted parameter's parent (up to the first dot) is fetched and the
    # parameter is skipped unless the parent is JAIL_SYS_NEW; ip4/ip6 are never "new" (above), so
    # -s prints no ip4.addr/ip4.saddrsel/ip6.addr/ip6.saddrsel; host.* stay (host=new); -n prints them
    assert jail(kbox, "-c", "name=sskip", "persist", "ip4.addr=198.51.100.50", "host.hostname=s.example")[0] == 0
    argv = ["-j", "sskip", "ip4.addr", "ip4.saddrsel", "ip6.addr", "ip6.saddrsel", "host.hostname", "persist"]
    assert jls(kbox, "-s", *argv) == "host.hostname=s.example persist\n"
    out = jls(kbox, "-n", *argv)
    assert out == "ip4.addr=198.51.100.50 ip4.saddrsel ip6.addr= ip6.saddrsel host.hostname=s.example persist\n"
    words = jls(kbox, "-s", "-j", "sskip").split()
    assert "ip4=disable" in words and not any(w.startswith(("ip4.", "ip6.")) for w in words)


# ------------------------------------------------------------------ item 14: security.jail.param.<string>


@pytest.mark.parametrize(
    "param, size",
    [
        ("name", "256"),  # MAXHOSTNAMELEN
        ("path", "1024"),  # MAXPATHLEN
        ("osrelease", "32"),  # OSRELEASELEN
        ("host.hostname", "256"),
        ("host.domainname", "256"),
        ("host.hostuuid", "64"),  # HOSTUUIDLEN
    ],
)
def test_string_param_sysctl_is_its_maximum_length(kbox, param, size):
    # kern_jail.c sysctl_jail_param(): CTLTYPE_STRING -> snprintf("%jd", arg2) through
    # sysctl_handle_string(); arg2 is the size SYSCTL_JAIL_PARAM_STRING() was given
    r = kbox.run("sysctl", f"security.jail.param.{param}")
    assert (r.returncode, r.stdout, r.stderr) == (0, f"security.jail.param.{param}: {size}\n", "")
    assert kbox.run("sysctl", "-n", f"security.jail.param.{param}").stdout == f"{size}\n"


def test_param_tree_has_every_parameter_and_sys_nodes(kbox):
    out = kbox.run("sysctl", "security.jail.param").stdout.splitlines()
    names = {line.split(":", 1)[0] for line in out}
    for p in ("jid", "parent", "osreldate", "dying", "children.cur", "cpuset.id", "host.hostid", "ip4.saddrsel"):
        assert f"security.jail.param.{p}" in names, p
    # SYSCTL_JAIL_PARAM_SYS_NODE: an empty-named int child, "host.", "ip4.", "ip6."
    for p in ("host.", "ip4.", "ip6.", "allow.mount.", "allow.unprivileged_proc_debug", "allow.suser"):
        assert f"security.jail.param.{p}" in names, p
    assert "security.jail.param.host.: 0" in out and "security.jail.param.jid: 0" in out
    d = kbox.run("sysctl", "-d", "security.jail.param.host.hostuuid").stdout
    assert d == "security.jail.param.host.hostuuid: Jail host UUID\n"
