"""devfs(8) rules, rulesets, rc.d/devfs and devfs mounts
(tests/fixtures/freebsd/BEHAVIOUR.md §7, devfs.8, devfs.rules.5).

Sources cited per test: sbin/devfs/rule.c (outputs/errors), sys/fs/devfs/devfs_rule.c
(auto-numbering, ESRCH/EIO/EEXIST), libexec/rc/rc.subr devfs_rulesets_from_file().
"""

import pytest

# /etc/defaults/devfs.rules [devfsrules_jail=4] (src: sbin/devfs/devfs.rules)
JAIL_SHOW = "100 include 1\n200 include 2\n300 include 3\n400 path fuse unhide\n500 path zfs unhide\n"
# What ruleset 4 leaves visible: hide_all, then unhide_basic (null zero crypto random urandom),
# unhide_login (ptmx pts pts/* fd fd/* stdin stdout stderr; pty*/tty[pqrs..]* match nothing here), fuse, zfs.
JAIL_DEV = {"crypto", "fd", "fuse", "null", "ptmx", "pts", "random", "stderr", "stdin", "stdout", "urandom",
            "zero", "zfs"}  # fmt: skip
DISKS = {"ada0", "ada0p1", "da0", "nvd0", "nda0", "vtbd0", "vtbd0p2", "md0", "mem", "kmem", "io", "bpf", "pf"}


def ls(box, path):
    cp = box.run("ls", "-1", path)
    assert cp.returncode == 0, cp.stderr
    return set(cp.stdout.split())


def test_boot_loads_default_rulesets(box):
    # rc.d/devfs with devfs_load_rulesets="YES" (defaults) loads /etc/defaults/devfs.rules
    cp = box.run("devfs", "rule", "showsets")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("1\n2\n3\n4\n5\n", "", 0)
    assert box.run("devfs", "rule", "-s", "4", "show").stdout == JAIL_SHOW
    show3 = box.run("devfs", "rule", "-s", "3", "show").stdout.splitlines()
    assert show3[0] == "100 path ptyp* unhide"  # path printed unquoted (rule.c rulespec_outfp)
    assert show3[-1] == "4000 path stderr unhide" and len(show3) == 40
    assert box.run("devfs", "rule", "-s", "1", "show").stdout == "100 hide\n"
    assert box.run("devfs", "rule", "-s", "4", "show", "300").stdout == "300 include 3\n"
    assert box.run("devfs", "rule", "-s", "4", "show", "250").stdout == ""  # next rule is 300: nothing


def test_add_autonumber_show_del(box):
    # devfs_rule_autonumber(): last rule + 100, 100 for an empty ruleset
    for spec in (["path", "bpf*", "unhide"], ["150", "type", "disk", "hide"], ["path", "x", "mode", "0660"],
                 ["type", "tty", "type", "disk", "user", "4242", "unhide"]):  # fmt: skip
        cp = box.run("devfs", "rule", "-s", "10", "add", *spec)
        assert (cp.stdout, cp.stderr, cp.returncode) == ("", "", 0)
    cp = box.run("devfs", "rule", "-s", "10", "show")
    assert cp.stdout == (
        "100 path bpf* unhide\n150 type disk hide\n250 path x mode 660\n350 type disk type tty unhide user 4242\n"
    )
    assert box.run("devfs", "rule", "showsets").stdout == "1\n2\n3\n4\n5\n10\n"
    assert box.run("devfs", "rule", "-s", "10", "del", "150").returncode == 0
    assert box.run("devfs", "rule", "-s", "10", "show", "150").stdout == ""
    assert box.run("devfs", "rule", "-s", "10", "delset").returncode == 0
    assert box.run("devfs", "rule", "-s", "10", "show").stdout == ""
    assert box.run("devfs", "rule", "showsets").stdout == "1\n2\n3\n4\n5\n"  # empty, unreferenced: reaped


@pytest.mark.parametrize(
    ("args", "err"),
    [
        (["rule", "-s", "10", "bogus"], "devfs rule: unknown command: bogus\n"),
        (["rule", "-s", "10", "add", "type", "block", "hide"], "devfs rule: unknown type: block\n"),
        (["rule", "-s", "10", "add", "path"], "devfs rule: expecting argument for path\n"),
        (["rule", "-s", "10", "add", "path", "a", "frob"], "devfs rule: unknown argument: frob\n"),
        (["rule", "-s", "10", "add", "path", "a", "mode", "rwx"], "devfs rule: invalid mode: rwx\n"),
        (["rule", "-s", "10", "add", "path", "a", "include"], "devfs rule: expecting argument for include\n"),
        # ruleset 0 is read-only: DEVFSIO_RADD -> EIO (devfs_rules_ioctl)
        (["rule", "add", "path", "a", "hide"], "devfs rule: ioctl DEVFSIO_RADD: Input/output error\n"),
        # include of a ruleset that does not exist -> ESRCH (devfs_rule_insert)
        (["rule", "-s", "10", "add", "include", "77"], "devfs rule: ioctl DEVFSIO_RADD: No such process\n"),
        (["rule", "-s", "4", "del", "150"], "devfs rule: ioctl DEVFSIO_RDEL: No such file or directory\n"),
        (["rule", "-s", "4", "add", "100", "path", "a", "hide"], "devfs rule: ioctl DEVFSIO_RADD: File exists\n"),
        (["rule", "-s", "77", "applyset"], "devfs rule: ioctl DEVFSIO_SAPPLY: No such process\n"),
        (["rule", "-s", "4", "show", "600"], "devfs rule: ioctl DEVFSIO_RGETNEXT: No such file or directory\n"),
    ],
)
def test_errors(box, args, err):
    cp = box.run("devfs", *args)
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", err, 1)


def test_jail_ruleset_populates_mount(box):
    assert box.run("mkdir", "-p", "/j/dev").returncode == 0
    cp = box.sh("mount -t devfs devfs /j/dev && devfs -m /j/dev ruleset 4 && devfs -m /j/dev rule applyset")
    assert (cp.stderr, cp.returncode) == ("", 0)
    names = ls(box, "/j/dev")
    assert names == JAIL_DEV
    assert not names & DISKS
    assert ls(box, "/j/dev/pts") == {"0"}
    assert box.sh("echo x > /j/dev/null && test -c /j/dev/null && head -c 4 /j/dev/zero | wc -c").stdout == "4\n"
    # without a ruleset (0) everything is visible; switching to 4 hides the rest
    assert box.run("mkdir", "-p", "/k/dev").returncode == 0
    assert box.run("mount", "-t", "devfs", "devfs", "/k/dev").returncode == 0
    assert {"ada0", "vtbd0", "mem", "bpf", "pf", "zfs", "null"} <= ls(box, "/k/dev")
    assert box.run("devfs", "-m", "/k/dev", "ruleset", "4").returncode == 0
    assert ls(box, "/k/dev") == JAIL_DEV
    assert box.run("umount", "/k/dev").returncode == 0
    assert ls(box, "/k/dev") == set()


def test_custom_ruleset_unhides_bpf(box):
    box.write(
        "/etc/devfs.rules",
        "[devfsrules_jail_bpf=10]\nadd include $devfsrules_jail  # the jail set\nadd path 'bpf*' unhide\n",
    )
    cp = box.run("service", "devfs", "restart")
    assert cp.returncode == 0, cp.stderr
    assert box.run("devfs", "rule", "-s", "10", "show").stdout == "100 include 4\n200 path bpf* unhide\n"
    # rc.subr deletes each ruleset before re-adding it: a second restart does not duplicate rules
    assert box.run("service", "devfs", "restart").returncode == 0
    assert box.run("devfs", "rule", "-s", "10", "show").stdout == "100 include 4\n200 path bpf* unhide\n"
    box.run("mkdir", "-p", "/j/dev")
    assert box.sh("mount -t devfs devfs /j/dev && devfs -m /j/dev ruleset 10").returncode == 0
    assert ls(box, "/j/dev") == JAIL_DEV | {"bpf", "bpf0"}
    # applying one ad-hoc rule (rule apply SPEC) hides bpf0 only
    assert box.run("devfs", "-m", "/j/dev", "rule", "apply", "path", "bpf0", "hide").returncode == 0
    assert ls(box, "/j/dev") == JAIL_DEV | {"bpf"}


def test_system_ruleset_warning_for_unknown_name(box):
    box.sh("sysrc devfs_system_ruleset=nosuch >/dev/null")
    cp = box.run("service", "devfs", "restart")
    assert "devfs_set_ruleset: you must specify a ruleset number" in cp.stderr
