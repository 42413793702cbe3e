"""rctl(8), RACCT/RCTL in the kernel, kern.racct.enable from /boot/loader.conf and rc.d/rctl.

src: usr.bin/rctl/rctl.c (main(), expand_rule(), expand_amount(), enosys(), the warn() texts),
sys/kern/kern_rctl.c (rctl_string_to_rule(), rctl_rule_add(), rctl_rule_remove(),
rctl_rule_to_sbuf(), sys_rctl_get_limits(), sys_rctl_get_racct()), sys/kern/kern_racct.c
(kern.racct.enable CTLFLAG_RDTUN, racct_types[]), lib/libutil/humanize_number.c,
lib/libutil/expand_number.c, libexec/rc/rc.d/rctl, stand/lua/config.lua.
"""

from simfbsd import box as boxlib

OFF = "rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n"


def check(cp, out="", err="", rc=0):
    assert (cp.stdout, cp.stderr, cp.returncode) == (out, err, rc)


def enable(box):
    box.run("mkdir", "-p", "/boot", check=True)
    box.write("/boot/loader.conf", 'kern.racct.enable="1"\n')
    boxlib.reboot(box.name)


def test_racct_is_off_by_default_and_a_read_only_tunable(box):
    # GENERIC: options RACCT_DEFAULT_TO_DISABLED; SYSCTL_BOOL(... enable, CTLFLAG_RDTUN ...)
    check(box.run("sysctl", "kern.racct.enable"), "kern.racct.enable: 0\n")
    check(box.run("sysctl", "-t", "kern.racct.enable"), "kern.racct.enable: uint8_t\n")
    check(
        box.run("sysctl", "kern.racct.enable=1"),
        err="sysctl: oid 'kern.racct.enable' is a read only tunable\n"
        "sysctl: Tunable values are set in /boot/loader.conf\n",
        rc=1,
    )
    # every rctl syscall returns ENOSYS; rctl.c enosys() names the tunable and exits 1
    check(box.run("rctl", "-a", "jail:web:memoryuse:deny=1G"), err=OFF, rc=1)
    check(box.run("rctl"), err=OFF, rc=1)
    check(box.run("rctl", "-u", "jail:web"), err=OFF, rc=1)


def test_loader_conf_sets_the_tunable_at_the_next_boot(box):
    box.run("mkdir", "-p", "/boot", check=True)
    # stand/lua/config.lua: quoted or bare values, a trailing comment; the later file wins
    box.write("/boot/loader.conf", "kern.racct.enable=1   # rctl\n")
    check(box.run("sysctl", "-n", "kern.racct.enable"), "0\n")  # not before the reboot
    boxlib.reboot(box.name)
    check(box.run("sysctl", "-n", "kern.racct.enable"), "1\n")
    box.write("/boot/loader.conf.local", 'kern.racct.enable="0"\n')
    boxlib.reboot(box.name)
    check(box.run("sysctl", "-n", "kern.racct.enable"), "0\n")


def test_add_list_humanize_and_replace(box):
    enable(box)
    check(box.run("rctl", "-a", "jail:web:memoryuse:deny=2G", "j:web:maxproc:deny=200", "jail:db:pcpu:deny=50"))
    # rctl_rule_to_sbuf(): amounts in bytes, no "/per" when it equals the subject; each racct
    # lists its newest rule first
    all_rules = "jail:db:pcpu:deny=50\njail:web:maxproc:deny=200\njail:web:memoryuse:deny=2147483648\n"
    check(box.run("rctl"), all_rules)
    check(box.run("rctl", "jail:web"), "jail:web:maxproc:deny=200\njail:web:memoryuse:deny=2147483648\n")
    # humanize_number(buf[6], HN_AUTOSCALE, HN_DECIMAL|HN_NOSPACE): 2048M fits four digits
    check(box.run("rctl", "-h", "jail:web:memoryuse"), "jail:web:memoryuse:deny=2048M\n")
    check(box.run("rctl", "-a", "jail:web:memoryuse:deny=512m"))  # a deny rule replaces its amount
    check(box.run("rctl", "jail:web:memoryuse"), "jail:web:memoryuse:deny=536870912\n")
    check(box.run("rctl", "-a", "jail:web:memoryuse:log=100M/process"))  # another action: a second rule
    check(
        box.run("rctl", "jail:web:memoryuse"),
        "jail:web:memoryuse:log=104857600/process\njail:web:memoryuse:deny=536870912\n",
    )


def test_remove_filters(box):
    enable(box)
    box.run("rctl", "-a", "jail:web:memoryuse:deny=1G", "jail:web:maxproc:deny=10", "jail:db:maxproc:deny=5")
    check(box.run("rctl", "-r", "jail:web:maxproc"))  # empty fields match anything
    check(box.run("rctl"), "jail:db:maxproc:deny=5\njail:web:memoryuse:deny=1073741824\n")
    check(
        box.run("rctl", "-r", "jail:web:maxproc"),
        err="rctl: failed to remove rule 'jail:web:maxproc': No such process\n",
        rc=1,
    )
    check(
        box.run("rctl", "-r", "jail:web:memoryuse:deny=2G"),
        err="rctl: failed to remove rule 'jail:web:memoryuse:deny=2G': No such process\n",
        rc=1,
    )
    check(box.run("rctl", "-r", "jail:web:memoryuse:deny=1G"))
    check(box.run("rctl", "-r", ":"))  # rc.d/rctl stop: every rule
    check(box.run("rctl"))


def test_errors_and_exit_status(box):
    enable(box)
    check(
        box.run("rctl", "-a", "jail:web:bogus:deny=1", "jail:web:maxproc:deny=1"),
        err="rctl: failed to add rule 'jail:web:bogus:deny=1': Invalid argument\n",
        rc=1,
    )
    check(
        box.run("rctl", "-a", "jail:web:maxproc:deny"),
        err="rctl: failed to add rule 'jail:web:maxproc:deny': Invalid argument\n",
        rc=1,
    )
    check(
        box.run("rctl", "-a", "jail:web:maxproc:kill=1"),
        err="rctl: failed to add rule 'jail:web:maxproc:kill=1': Invalid argument\n",
        rc=1,
    )
    # rctl_rule_add(): deny on a resource that is not deniable, throttle on one that does not decay
    check(
        box.run("rctl", "-a", "jail:web:cputime:deny=10"),
        err="rctl: failed to add rule 'jail:web:cputime:deny=10': Operation not supported\n",
        rc=1,
    )
    check(
        box.run("rctl", "-a", "jail:web:maxproc:throttle=10"),
        err="rctl: failed to add rule 'jail:web:maxproc:throttle=10': Operation not supported\n",
        rc=1,
    )
    check(
        box.run("rctl", "-a", "jail:web:memoryuse:deny=2X", "jail"),
        err="rctl: malformed rule 'jail:web:memoryuse:deny=2X': invalid numeric value '2X'\n"
        "rctl: malformed rule 'jail': missing subject\n",
        rc=2,
    )
    check(
        box.run("rctl", "-a", "-r", "jail:web"), err="rctl: at most one of -a, -l, -r, or -u may be specified\n", rc=1
    )
    usage = "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]\n"
    check(box.run("rctl", "-a"), err=usage, rc=1)
    check(box.run("rctl", "-x"), err="rctl: illegal option -- x\n" + usage, rc=1)
    check(box.run("rctl"), "jail:web:maxproc:deny=1\n")  # the good operand was added


def test_limits_usage_and_jails(box):
    enable(box)
    box.run("rctl", "-a", "jail:web:maxproc:deny=20", "user:root:openfiles:log=1000", check=True)
    check(box.run("rctl", "user:root"), "user:root:openfiles:log=1000\n")
    check(box.run("rctl", "-n", "user:root"), "user:0:openfiles:log=1000\n")
    # sys_rctl_get_limits(): only a process subject
    check(
        box.run("rctl", "-l", "jail:web"),
        err="rctl: failed to get limits for 'jail:web': Operation not supported\n",
        rc=1,
    )
    box.run("jail", "-c", "name=web", "path=/", "persist", check=True)
    box.run("jexec", "web", "service", "cron", "onestart", check=True)
    ps = [line.split() for line in box.run("ps", "-ax", "-o", "pid,jid").stdout.splitlines()[1:]]
    pid = next(p for p, jid in ps if jid != "0")
    usage = box.run("rctl", "-u", "jail:web")
    assert usage.returncode == 0
    lines = usage.stdout.splitlines()
    # rctl_racct_to_sbuf(racct, sloppy=1): every resource of resourcenames[], in its order
    assert len(lines) == 25 and lines[0] == "cputime=0" and lines[-1] == "writeiops=0"
    assert "maxproc=1" in lines  # the jail's one process
    check(box.run("rctl", "-u", "jail:nosuch"), "\n".join(line.split("=")[0] + "=0" for line in lines) + "\n")
    # the rules linked to a process: its jail's (and ancestors') and its user's
    check(box.run("rctl", "-l", f"process:{pid}"), "user:root:openfiles:log=1000\njail:web:maxproc:deny=20\n")
    check(
        box.run("rctl", "-l", "process:99999"),
        err="rctl: failed to get limits for 'process:99999': No such process\n",
        rc=1,
    )
    # priv_check(PRIV_RCTL_*) fails in a jail
    check(box.run("jexec", "web", "rctl"), err="rctl: failed to show rules for '::': Operation not permitted\n")
    # the rules are bound to the name (prison_racct_hold()): they outlive the jail
    box.run("jail", "-r", "web", check=True)
    check(box.run("rctl", "jail:web"), "jail:web:maxproc:deny=20\n")


def test_rc_d_rctl_loads_rctl_conf_at_boot(box):
    box.write(
        "/etc/rctl.conf",
        "# comment\n\njail:web:memoryuse:deny=1G # bsd.jails\n  jail:web:maxproc:deny=50\n",
    )
    boxlib.reboot(box.name)
    check(box.run("rctl"), err=OFF, rc=1)  # RACCT off: rc.d/rctl's rctl -a failed at boot
    enable(box)
    check(box.run("rctl"), "jail:web:maxproc:deny=50\njail:web:memoryuse:deny=1073741824\n")
    box.run("sysrc", "rctl_enable=NO", check=True)
    boxlib.reboot(box.name)
    check(box.run("rctl"))
