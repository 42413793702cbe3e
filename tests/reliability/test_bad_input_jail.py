"""Bad input to bsd.jails.jail: the task fails, names the field, and the host stays byte-identical.

Also: the options that widen a jail warn (read from the task result), and settings written by hand at
the top of jail.conf that a managed jail would inherit are named in a warning and in diff mode.
"""

import pytest
from harness import GOOD, WORLD, diff_snapshots


def jail(**args):
    args.setdefault("name", "newj")
    args.setdefault("path", f"{WORLD}/good1")
    return [{"name": "jail", "bsd.jails.jail": args}]


def batch(*items, **top):
    return [{"name": "jail", "bsd.jails.jail": dict(top, jails=list(items))}]


def item(name, **args):
    return dict({"name": name, "path": f"{WORLD}/{GOOD}", "state": "present"}, **args)


CASES = [
    pytest.param({"name": "42"}, "name: '42' is numeric", id="numeric-name"),
    pytest.param({"path": "relative/dir"}, "path: 'relative/dir' is not an absolute path", id="relative-path"),
    pytest.param({"ip4_addr": ["10.0.0.300"]}, "ip4_addr: '10.0.0.300' is not IPv4", id="bad-ipv4"),
    pytest.param({"securelevel": 7}, "securelevel: 7 is out of range", id="securelevel-7"),
    pytest.param({"exec_start": ["echo a; reboot"]}, "exec_start[0]", id="exec-semicolon"),
    # argument injection into jail(8): a name jail(8) would read as an option, in every state
    pytest.param({"name": "-r"}, "name: '-r' starts with '-'", id="name-option-r"),
    pytest.param({"name": "-r", "state": "absent"}, "name: '-r' starts with '-'", id="name-option-r-absent"),
    pytest.param({"name": "-c", "state": "stopped"}, "name: '-c' starts with '-'", id="name-option-c"),
    pytest.param({"depend": ["-r"]}, "depend[0]: '-r' starts with '-'", id="depend-option"),
    pytest.param({"name": "a\x01"}, "name: 'a\\x01' is not a valid jail name", id="name-control-char"),
    pytest.param({"name": "n" * 256}, "name: 'nnnnnnnn", "is too long", id="name-256"),
    pytest.param({"name": "web.5"}, "name: 'web.5' ends in a number", id="name-numeric-child"),
    pytest.param({"hostname": "h" * 300}, "hostname: 'hhhhhhhh", "is too long", id="hostname-300"),
    pytest.param({"hostname": "a\x1bb"}, "hostname: ", "control character", id="hostname-escape"),
    # addresses: a scope id is an interface name; nothing can smuggle a line into jail.conf
    pytest.param(
        {"ip6_addr": ['fe80::1%lo0\nexec.poststart = "touch pwn"']},
        "ip6_addr: ",
        "control character",
        id="ip6-scope-newline",
    ),
    pytest.param({"ip6_addr": ["fe80::1%lo 0"]}, "ip6_addr: ", "is not an interface name", id="ip6-scope-space"),
    pytest.param({"ip4_addr": ["em0\n|192.0.2.9"]}, "ip4_addr: ", id="ip4-iface-newline"),
    pytest.param({"ip4_addr": ["192.0.2.9/24\n"]}, "ip4_addr: ", id="ip4-mask-newline"),
    pytest.param({"interface": "em0;lo0"}, "interface: 'em0;lo0' is not an interface name", id="interface-semicolon"),
    # kernel parameters: known to the running kernel, typed
    pytest.param(
        {"params": {"no.such.param": 1}}, "params: 'no.such.param' is not a jail parameter", id="param-unknown"
    ),
    pytest.param({"params": {"children.cur": 3}}, "params: 'children.cur' is read-only", id="param-read-only"),
    pytest.param({"params": {"children.max": "lots"}}, "params.children.max: 'lots' is not an integer", id="param-int"),
    pytest.param({"params": {"sysvshm": "maybe"}}, "params.sysvshm: 'maybe' is not one of", id="param-jailsys"),
    pytest.param({"params": {"exec.consolelog": "/var/log/j\n"}}, "params.exec.consolelog", id="param-newline"),
    pytest.param({"allow": {"sysvipc": "maybe"}}, "allow.sysvipc: 'maybe' is not a boolean", id="allow-maybe"),
    pytest.param({"allow": {"nomount": True}}, "allow: 'nomount': write 'mount': false", id="allow-no-form"),
    pytest.param({"allow": {"vmm": True}}, "allow: 'vmm' is not a known allow.* parameter", id="allow-not-in-kernel"),
    pytest.param(
        {"devfs_ruleset": 70000}, "devfs_ruleset: 70000 is not a ruleset number (0-65535)", id="ruleset-70000"
    ),
    pytest.param(
        {"config": "relative/jail.conf"}, "config: 'relative/jail.conf' is not an absolute path", id="config-rel"
    ),
    # FreeBSD refuses a jail that neither persists nor runs a command ("new jail must persist or attach")
    pytest.param(
        {"persist": False, "exec_start": []}, "persist: false, and the jail has no exec_start", id="no-persist"
    ),
]


@pytest.mark.parametrize("args,expected", [(p.values[0], p.values[1:]) for p in CASES], ids=[p.id for p in CASES])
def test_refused(refused, args, expected):
    refused(jail(**args), *expected)


@pytest.mark.parametrize(
    "bad,expected",
    [
        pytest.param({"name": "-r"}, "jails[2].name: '-r' starts with '-'", id="name"),
        pytest.param({"params": {"no.such.param": 1}}, "jails[2].params: 'no.such.param'", id="params"),
        pytest.param({"allow": {"sysvipc": "maybe"}}, "jails[2].allow.sysvipc: 'maybe'", id="allow"),
        pytest.param({"persist": False, "exec_start": []}, "jails[2].persist: false", id="persist"),
    ],
)
def test_batch_third_item_bad_changes_nothing(refused, bad, expected):
    """Two valid new jails first (one would start), the third bad: nothing at all is written or started."""
    third = dict(item("newc"), **bad)
    refused(batch(item("newa", state="started"), item("newb"), third, rc_enable=True), expected)


def test_widening_options_warn(baseline):
    """Each widening option is named in a warning (check mode: the host is left alone)."""
    args = {
        "name": "widej",
        "path": f"{WORLD}/{GOOD}",
        "state": "present",
        "mount_devfs": False,
        "devfs_ruleset": 0,
        "enforce_statfs": 1,
        "allow": {"raw_sockets": True, "mount.nullfs": True},
        "params": {
            "children.max": 3,
            "ip4": "inherit",
            "sysvshm": "inherit",
            "sysvmsg": "inherit",
            "sysvsem": "inherit",
            "mount.fstab": "/etc/fstab.widej",
            "mount": ["/usr/ports /usr/local/jails/good1/usr/ports nullfs ro 0 0"],
        },
    }
    before = baseline.snapshot()
    res = baseline.play(jail(**args), check=True)
    assert not res.failed, res
    warnings = " | ".join(res.tasks[0][1].get("warnings", []))
    for text in (
        "mount.nodevfs",
        "devfs_ruleset=0",
        "enforce_statfs=1",
        "allow.raw_sockets",
        "allow.mount.nullfs",
        "children.max=3",
        "ip4=inherit",
        "sysvshm=inherit",
        "sysvmsg=inherit",
        "sysvsem=inherit",
        "mount.fstab=/etc/fstab.widej",
        "mount=/usr/ports",
    ):
        assert text in warnings, (text, warnings)
    assert diff_snapshots(before, baseline.snapshot()) == []
    quiet = baseline.play(jail(name="quietj", state="present"), check=True)
    assert not quiet.failed and not quiet.tasks[0][1].get("warnings"), quiet.tasks[0][1].get("warnings")


def test_global_settings_of_jail_conf_are_named(baseline):
    """Hand-written global settings that a managed jail would inherit are named (warning and diff mode)."""
    conf = "/tmp/rel-globals.conf"  # scratch space: not part of the host's snapshot
    baseline.write(conf, "# by hand\nallow.raw_sockets;\nchildren.max = 50;\nexec.clean;\n")
    before = baseline.snapshot()
    res = baseline.play(jail(name="inheritj", state="present", config=conf), check=True, diff=True)
    assert not res.failed, res
    result = res.tasks[0][1]
    warnings = [w for w in result.get("warnings", []) if "global settings" in w]
    assert len(warnings) == 1, result.get("warnings")
    assert "allow.raw_sockets, children.max=50" in warnings[0] and conf in warnings[0]
    assert "exec.clean" not in warnings[0]  # not widening
    prepared = [d["prepared"] for d in result["diff"] if "prepared" in d]
    assert prepared and "+ allow.raw_sockets;" in prepared[0] and "+ children.max = 50;" in prepared[0]
    assert diff_snapshots(before, baseline.snapshot()) == []


def test_baseline_host(baseline):
    """The shared host is what the cases assume: handj (by hand) and good1 (by the collection) running."""
    names = sorted(line.split()[0] for line in baseline.run("jls", "name").stdout.split())
    assert names == ["good1", "handj"]
    assert 'jail_list="handj good1"' in baseline.read("/etc/rc.conf") or "good1" in baseline.read("/etc/rc.conf")
