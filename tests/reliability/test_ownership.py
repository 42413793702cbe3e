"""Only what the collection wrote is ever touched: a hand-written jail, its block (bytes) and its jail_list
entry survive ``exclusive``; a hand-written jail goes only when the task names it (``state: absent``)."""

from harness import GOOD, GOOD_IP, HAND, HAND_CONF, WORLD

MARKER = "# managed by bsd.jails"
HAND_BLOCK = HAND_CONF[HAND_CONF.index("handj {") :]


def good(**extra):
    return dict(
        {"name": GOOD, "path": f"{WORLD}/{GOOD}", "hostname": f"{GOOD}.example.org", "ip4_addr": [GOOD_IP]}, **extra
    )


def jail_task(*items, **top):
    top.setdefault("rc_enable", True)
    return [{"name": "jails", "bsd.jails.jail": dict(top, jails=list(items)), "register": "out"}]


def role_task(*items, **role_vars):
    return [
        {
            "name": "jails role",
            "ansible.builtin.include_role": {"name": "bsd.jails.jails"},
            "vars": dict(role_vars, jails_list=list(items)),
        }
    ]


def running(host):
    return sorted(host.run("jls", "name", check=True).stdout.split())


def jail_list(host):
    return host.run("sysrc", "-n", "jail_list", check=True).stdout.split()


def module_result(res):
    return next(r for name, r in res.tasks if name == "jails")


def test_exclusive_leaves_a_hand_written_jail_byte_identical(make_host):
    host = make_host()
    before = host.snapshot()
    res = host.play(jail_task(good(), exclusive=True))
    assert not res.failed, res
    assert module_result(res)["unmanaged"] == [HAND]
    assert res.changed == 0 and host.snapshot() == before
    assert HAND_BLOCK in host.read("/etc/jail.conf") and running(host) == [GOOD, HAND]
    assert jail_list(host) == [HAND, GOOD]


def test_exclusive_role_leaves_a_hand_written_jail(make_host):
    host = make_host()
    res = host.play(role_task(good(), jails_exclusive=True))
    assert not res.failed, res
    conf = host.read("/etc/jail.conf")
    assert conf.startswith(HAND_CONF) and running(host) == [GOOD, HAND] and jail_list(host) == [HAND, GOOD]
    assert host.play(role_task(good(), jails_exclusive=True)).changed == 0


def test_exclusive_removes_a_jail_the_collection_wrote(make_host):
    host = make_host()
    other = dict(good(), name="m2", hostname="m2.example.org", ip4_addr=["192.0.2.63"])
    assert not host.play(jail_task(good(), other)).failed
    assert f"{MARKER}\nm2 {{" in host.read("/etc/jail.conf") and "m2" in jail_list(host)
    res = host.play(jail_task(good(), exclusive=True))
    assert not res.failed, res
    assert "exclusive: m2 is not listed" in module_result(res)["actions"]
    conf = host.read("/etc/jail.conf")
    assert "m2" not in conf and conf.count(MARKER) == 1 and conf.startswith(HAND_CONF)
    assert running(host) == [GOOD, HAND] and jail_list(host) == [HAND, GOOD]


def test_a_hand_written_jail_goes_only_when_named(make_host):
    host = make_host()
    res = host.play(jail_task(good(), {"name": HAND, "state": "absent"}, exclusive=True))
    assert not res.failed, res
    conf = host.read("/etc/jail.conf")
    assert conf.startswith("# written by hand\nexec.clean;\n") and "handj" not in conf
    assert running(host) == [GOOD] and jail_list(host) == [GOOD]
    assert host.play(jail_task(good(), {"name": HAND, "state": "absent"}, exclusive=True)).changed == 0


def test_upgrade_a_block_without_the_marker_is_left_alone_until_listed(make_host):
    """A block an older version wrote has no marker: exclusive leaves it; listing it marks it (once)."""
    host = make_host()
    conf = host.read("/etc/jail.conf")
    host.write("/etc/jail.conf", conf.replace(MARKER + "\n", ""))
    res = host.play(jail_task(exclusive=True))
    assert not res.failed, res
    assert sorted(module_result(res)["unmanaged"]) == [GOOD, HAND] and res.changed == 0
    res = host.play(jail_task(good(), exclusive=True))
    assert not res.failed, res
    assert module_result(res)["actions"] == [f"mark {GOOD} in /etc/jail.conf as managed by bsd.jails"]
    assert host.read("/etc/jail.conf") == conf
    assert host.play(jail_task(good(), exclusive=True)).changed == 0


def test_a_marker_written_by_hand_elsewhere_claims_nothing(make_host):
    """The marker counts only alone on the line right above a block: a comment a blank line away does not."""
    host = make_host()
    host.write("/etc/jail.conf", host.read("/etc/jail.conf").replace("\nhandj {", f"\n{MARKER}\n\nhandj {{"))
    before = host.snapshot()
    res = host.play(jail_task(good(), exclusive=True))
    assert not res.failed, res
    assert module_result(res)["unmanaged"] == [HAND] and host.snapshot() == before
