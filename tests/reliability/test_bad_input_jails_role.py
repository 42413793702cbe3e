"""Bad input to the bsd.jails.jails role: the play fails naming the field, and the host stays byte-identical.

Every case asks the role to build worlds (``jails_create_worlds: true``) and lists a good jail first, so
a role that extracted a world, copied a base or started a jail before validating would change the host.
"""

import pytest
from harness import GOOD, GOOD_IP, WORLD


def role(*items, **role_vars):
    role_vars.setdefault("jails_create_worlds", True)
    role_vars.setdefault("jails_world", {"dist_dir": "/usr/freebsd-dist", "async_poll": 1})
    good = {"name": GOOD, "path": f"{WORLD}/{GOOD}", "hostname": f"{GOOD}.example.org", "ip4_addr": [GOOD_IP]}
    return [
        {
            "name": "jails role",
            "ansible.builtin.include_role": {"name": "bsd.jails.jails"},
            "vars": dict(role_vars, jails_list=[good, *items]),
        }
    ]


CASES = [
    pytest.param(
        role({"name": "bad name", "ip4_addr": ["192.0.2.70"]}), ["jails_list[1].name", "'bad name'"], id="bad-name"
    ),
    # the default path jails_root/. is the jails root itself: a base used to be copied there
    pytest.param(role({"name": "."}), ["jails_list[1].path", "/usr/local/jails/."], id="dot-name"),
    pytest.param(role({"name": "w1", "path": f"{WORLD}/."}), ["jails_list[1].path", "component"], id="path-dot"),
    pytest.param(
        role({"name": "w2", "path": f"{WORLD}/../../etc"}), ["jails_list[1].path", "../../etc"], id="path-dotdot"
    ),
    pytest.param(role({"name": "w3", "path": WORLD}), ["jails_list[1].path", "jails_root itself"], id="path-root"),
    pytest.param(role({"name": "w4", "ip4_addr": ["300.1.1.1"]}), ["jails_list[1].ip4_addr", "300.1.1.1"], id="bad-ip"),
    pytest.param(role({"name": "w5", "securelevel": 9}), ["jails_list[1].securelevel", "9"], id="securelevel-9"),
    pytest.param(
        role({"name": "w6", "sysctls": {"not a name": 1}}), ["jails_list[1].sysctls", "not a name"], id="sysctl-name"
    ),
    pytest.param(
        role({"name": "w7", "sysctls": {"kern.securelevel": [1]}}),
        ["jails_list[1].sysctls.kern.securelevel", "string or a number"],
        id="sysctl-list-value",
    ),
    pytest.param(
        role({"name": "w8", "sysctls": {"kern.hostname": "a b"}}),
        ["jails_list[1].sysctls.kern.hostname", "sysctl.conf"],
        id="sysctl-space",
    ),
    pytest.param(
        role({"name": "w9"}, jails_config="relative.conf"), ["jails_config", "relative.conf"], id="relative-config"
    ),
    pytest.param(role({"name": "w10"}, jails_root="jails"), ["jails_root", "not an absolute path"], id="relative-root"),
    pytest.param(
        role({"name": "w11", "exec_start": ["echo a; reboot"]}), ["jails_list[1].exec_start[0]"], id="exec-semicolon"
    ),
    pytest.param(role({"name": GOOD, "state": "stopped"}), ["jails_list[1].name", "listed twice"], id="twice"),
    pytest.param(role({"name": "w12", "allow": {"bogus": True}}), ["jails_list[1].allow", "bogus"], id="allow-bogus"),
    pytest.param(role({"name": "w13", "nosuchkey": 1}), ["nosuchkey"], id="mistyped-key"),
    # checked against the kernel (the host's sysctl -t) before any world is built or jail started
    pytest.param(
        role({"name": "w14", "sysctls": {"no.such.oid": 1}}),
        ["jails_list[1].sysctls", "no.such.oid: unknown oid"],
        id="sysctl-unknown-oid",
    ),
    pytest.param(
        role({"name": "w15", "sysctls": {"kern.securelevel": "99999999999"}}),
        ["jails_list[1].sysctls", "kern.securelevel: 99999999999 is out of range"],
        id="sysctl-out-of-range",
    ),
    pytest.param(
        role({"name": "w16", "sysctls": {"kern.securelevel": "high"}}),
        ["jails_list[1].sysctls", "kern.securelevel: 'high' is not an integer"],
        id="sysctl-not-a-number",
    ),
    # rctl limits, checked by bsd.jails.jail_rctl (validate_only) before anything changes
    pytest.param(
        role({"name": "w17", "limits": {"memoryuze": "1G"}}),
        ["jails_list[1].limits.memoryuze", "unknown resource"],
        id="limits-unknown-resource",
    ),
    pytest.param(
        role({"name": "w18", "limits": {"maxproc": {"amount": 5, "action": "kill"}}}),
        ["jails_list[1].limits.maxproc.action", "'kill' is not an rctl(8) action"],
        id="limits-bad-action",
    ),
]


@pytest.mark.parametrize("tasks,expected", CASES)
def test_refused(refused, tasks, expected):
    refused(tasks, *expected)


def test_check_mode_predicts_absent_as_absent_when_a_world_is_missing(make_host):
    """In check mode a jail whose world is missing is planned as present; every other item keeps its state."""
    host = make_host()
    before = host.snapshot()
    res = host.play(
        role({"name": "neww", "ip4_addr": ["192.0.2.71"]}, {"name": "handj", "state": "absent"}), check=True
    )
    assert not res.failed, res
    plan = next(r for name, r in res.tasks if "Plan | Validate" in name)
    assert plan["jails"]["handj"]["state"] == "absent" and "stop handj" in plan["actions"]
    assert plan["jails"]["neww"]["state"] == "present"
    # nothing written but Ansible's own async job directory (the world role's async tasks run in check mode too)
    after = {k: v for k, v in host.snapshot()["files"].items() if k not in ("root", "root/.ansible_async")}
    assert after == {k: v for k, v in before["files"].items() if k != "root"}
