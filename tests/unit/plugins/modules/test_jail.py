# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import parse
from ansible_collections.bsd.jails.plugins.modules import jail
from ansible_collections.bsd.jails.tests.unit.plugins.modules._harness import Call, run_module

JLS = ["/testbin/jls", "-n", "-q"]
# Read once when a task names kernel parameters (allow, params): the running kernel's list.
SYSCTL_PARAMS = Call(["/testbin/sysctl", "-N", "security.jail.param"], out_file="sysctl/security_jail_param_N.txt")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def jls_line(jid, name, path, ip="", hostname=None, securelevel=-1, persist=True):
    return (
        f"devfs_ruleset=4 enforce_statfs=2 host=new ip4=new jid={jid} name={name} osreldate=1403000 "
        f"osrelease=14.3-RELEASE parent=0 path={path} {'persist' if persist else 'nopersist'} "
        f"securelevel={securelevel} allow.nomount allow.noraw_sockets allow.set_hostname children.cur=0 "
        f'children.max=0 host.domainname="" host.hostname={hostname or name} ip4.addr={ip} ip6.addr= nodying\n'
    )


@pytest.fixture
def world(tmp_path):
    """A config path and a function making jail roots with a /bin/sh."""

    def make(name):
        root = tmp_path / "jails" / name
        (root / "bin").mkdir(parents=True, exist_ok=True)
        (root / "bin" / "sh").write_text("")
        return str(root)

    return str(tmp_path / "jail.conf"), make


def test_create_check_mode_predicts_and_changes_nothing(world):
    conf, make = world
    params = {"name": "www", "path": make("www"), "ip4_addr": ["192.0.2.23"], "config": conf}
    res = run_module(jail.main, params, calls=[Call(JLS)], check=True, diff=True)
    assert res.changed and res.writes == 0
    assert res["actions"] == [f"add www in {conf}", "start www"]
    assert not os.path.exists(conf)
    assert "ip4.addr = 192.0.2.23;" in res["diff"][0]["after"]
    assert res["diff"][1] == {"before": {"www": {"running": False, "jid": None}},
                              "after": {"www": {"running": True, "jid": "unknown"}}}  # fmt: skip
    assert res["jails"]["www"]["jid"] == "unknown"


def test_create_then_idempotent(world):
    conf, make = world
    path = make("www")
    params = {"name": "www", "path": path, "ip4_addr": ["192.0.2.23"], "config": conf}
    res = run_module(
        jail.main, params, calls=[Call(JLS), Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "www"], out="7\n")]
    )
    assert res.changed and res.writes == 1
    assert res["jails"]["www"]["jid"] == 7 and res["conf_file"] == conf
    text = read(conf)
    assert text == (
        f"# managed by bsd.jails\nwww {{\n\tpath = {path};\n\tip4.addr = 192.0.2.23;\n"
        "\tmount.devfs;\n\tdevfs_ruleset = 4;\n"
        '\tenforce_statfs = 2;\n\tpersist;\n\texec.start = "/bin/sh /etc/rc";\n'
        '\texec.stop = "/bin/sh /etc/rc.shutdown jail";\n}\n'
    )
    for check in (True, False):
        res = run_module(jail.main, params, calls=[Call(JLS, out=jls_line(7, "www", path, "192.0.2.23"))], check=check)
        assert not res.changed and res.writes == 0 and res["actions"] == []
        assert res["jails"]["www"]["jid"] == 7


def test_converged_batch_of_50_is_one_jls_call_and_no_write(world):
    conf, make = world
    items = [
        {"name": f"j{i}", "path": make(f"j{i}"), "ip4_addr": [f"10.0.{i // 200}.{i % 200 + 1}"]} for i in range(50)
    ]
    c = parse("# fleet\n")
    c.apply([(it["name"], jail_block(it)) for it in items], mark=True)
    with open(conf, "w", encoding="utf-8") as f:
        f.write(c.render())
    out = "".join(jls_line(i + 1, it["name"], it["path"], it["ip4_addr"][0]) for i, it in enumerate(items))
    res = run_module(jail.main, {"jails": items, "config": conf}, calls=[Call(JLS, out=out)])
    assert not res.changed and res.writes == 0 and res["actions"] == []
    assert res.calls_made == [JLS]
    assert len(res["jails"]) == 50 and all(j["running"] for j in res["jails"].values())


def jail_block(it):
    return {
        "path": it["path"],
        "ip4.addr": it["ip4_addr"],
        "mount.devfs": True,
        "devfs_ruleset": "4",
        "enforce_statfs": "2",
        "persist": True,
        "exec.start": ["/bin/sh /etc/rc"],
        "exec.stop": ["/bin/sh /etc/rc.shutdown jail"],
    }


def test_batch_fresh_start_and_one_stop_call(world):
    conf, make = world
    items = [{"name": n, "path": make(n)} for n in ("a", "b", "c")]
    res = run_module(
        jail.main,
        {"jails": items, "config": conf},
        calls=[Call(JLS)]
        + [Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", n], out=f"{i}\n") for i, n in enumerate("abc", 1)],
    )
    assert res.changed and res.writes == 1
    assert parse(read(conf)).jails() == ["a", "b", "c"]
    running = "".join(jls_line(i, n, it["path"]) for i, (n, it) in enumerate(zip("abc", items), 1))
    res = run_module(
        jail.main,
        {"jails": items, "config": conf, "state": "stopped"},
        calls=[Call(JLS, out=running), Call(["/testbin/jail", "-f", conf, "-r", "--", "a", "b", "c"])],
    )
    assert res.changed and res.writes == 0 and res["actions"] == ["stop a", "stop b", "stop c"]


def test_live_change_is_jail_m_and_diff(world):
    conf, make = world
    path = make("www")
    params = {"name": "www", "path": path, "config": conf}
    run_module(
        jail.main, params, calls=[Call(JLS), Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "www"], out="1\n")]
    )
    before = read(conf)
    running = jls_line(1, "www", path)
    res = run_module(jail.main, dict(params, securelevel=2), calls=[Call(JLS, out=running)], check=True, diff=True)
    assert res.changed and res.writes == 0 and read(conf) == before
    assert res["actions"] == [f"update www in {conf}", "modify www: securelevel"]
    assert res["diff"][1] == {"before": {"www": {"running": True, "jid": 1, "securelevel": "-1"}},
                              "after": {"www": {"running": True, "jid": 1, "securelevel": "2"}}}  # fmt: skip
    res = run_module(
        jail.main,
        dict(params, securelevel=2),
        calls=[Call(JLS, out=running), Call(["/testbin/jail", "-m", "--", "name=www", "securelevel=2"])],
    )
    assert res.changed and res.writes == 1
    assert read(conf) == before.replace("}\n", "\tsecurelevel = 2;\n}\n")


def test_restart_pending_or_restart_on_change(world):
    conf, make = world
    path = make("www")
    params = {"name": "www", "path": path, "config": conf}
    run_module(
        jail.main, params, calls=[Call(JLS), Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "www"], out="1\n")]
    )
    running = jls_line(1, "www", path)
    new = dict(params, exec_start=["/bin/sh /etc/rc", "/usr/local/bin/app"])
    res = run_module(jail.main, new, calls=[Call(JLS, out=running)], check=True)
    assert res["actions"] == [f"update www in {conf}", "restart pending www: exec.start"]
    assert res["jails"]["www"]["restart_pending"] == ["exec.start"]
    assert any("restart_on_change" in w for w in res["warnings"])
    res = run_module(
        jail.main,
        dict(new, restart_on_change=True),
        calls=[
            Call(JLS, out=running),
            Call(["/testbin/jail", "-f", conf, "-r", "--", "www"]),
            Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "www"], out="2\n"),
        ],
    )
    assert res["actions"] == [f"update www in {conf}", "restart www: exec.start changed"]
    assert res["jails"]["www"]["jid"] == 2


def test_jail_c_failure_returns_jail_message_and_leaves_valid_config(world):
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write("# keep me\nother { path = /x; }\n")
    params = {"name": "www", "path": make("www"), "config": conf, "jid_file": "/var/run/www.jid"}
    argv = ["/testbin/jail", "-i", "-J", "/var/run/www.jid", "-f", conf, "-c", "--", "www"]
    res = run_module(
        jail.main, params, calls=[Call(JLS), Call(argv, rc=1, err="jail: www: mount.devfs: Operation not permitted\n")]
    )
    assert res.failed and res["rc"] == 1 and res["cmd"] == argv
    assert "Operation not permitted" in res["msg"] and res["stderr"].startswith("jail: www:")
    text = read(conf)
    assert text.startswith("# keep me\nother { path = /x; }\n") and parse(text).jails() == ["other", "www"]
    res = run_module(jail.main, params, calls=[Call(JLS), Call(argv, out="4\n")])
    assert res.changed and res.writes == 0 and res["actions"] == ["start www"]


@pytest.mark.parametrize(
    "extra, msg",
    [
        ({"name": ""}, "name: a jail name must not be empty"),
        ({"name": "123"}, "name: '123' is numeric"),
        ({"name": "a.b"}, "name: 'a.b' contains '.'"),
        ({"name": "a b"}, "name: 'a b' is not a valid jail name"),
        ({"name": 'a"b'}, "is not a valid jail name"),
        ({"name": "a;b"}, "is not a valid jail name"),
        ({"path": "rel/dir"}, "path: 'rel/dir' is not an absolute path"),
        ({"path": "/"}, "path: '/' cannot be a jail's root"),
        ({"ip4_addr": ["10.0.0.300"]}, "ip4_addr: '10.0.0.300' is not IPv4"),
        ({"ip6_addr": ["192.0.2.1"]}, "ip6_addr: '192.0.2.1' is not IPv6"),
        ({"securelevel": 4}, "securelevel: 4 is out of range"),
        ({"hostname": "a\nb"}, "hostname: 'a\\nb' contains a newline"),
        ({"exec_start": ["echo a; rm"]}, "exec_start[0]: 'echo a; rm' contains ';'"),
        ({"exec_stop": ["echo {"]}, "exec_stop[0]: 'echo {' contains '{'"),
        ({"exec_start": ["echo 'open"]}, "has an unbalanced quote"),
        ({"allow": {"bogus": True}}, "allow: 'bogus' is not a known allow.* parameter"),
        ({"params": {"path": "/x"}}, "params: 'path' is set by the option 'path'"),
        ({"params": {"allow.nope": True}}, "is not a known allow.* parameter"),
        ({"name": "-r"}, "name: '-r' starts with '-'"),
        ({"name": "a\x01"}, "name: 'a\\x01' is not a valid jail name"),
        ({"name": "x" * 256}, "name: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (256 characters) is too long"),
        ({"name": "web.5"}, "name: 'web.5' ends in a number"),
        ({"hostname": "h" * 300}, "hostname: 'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh'... (300 characters) is too long"),
        ({"ip6_addr": ['fe80::1%lo0\nexec.poststart = "touch pwn"']}, "ip6_addr: "),
        ({"ip6_addr": ["fe80::1%lo 0"]}, "is not an interface name"),
        ({"ip4_addr": ["em0\n|192.0.2.1"]}, "ip4_addr: "),
        ({"ip4_addr": ["192.0.2.1/²"]}, "is not a netmask"),
        ({"interface": "averyveryverylongifname0"}, "interface: 'averyveryverylongifname0' is not an interface name"),
        ({"devfs_ruleset": 70000}, "devfs_ruleset: 70000 is not a ruleset number (0-65535)"),
        ({"allow": {"sysvipc": "maybe"}}, "allow.sysvipc: 'maybe' is not a boolean"),
        ({"allow": {"vmm": True}}, "allow: 'vmm' is not a known allow.* parameter (not in the running kernel's"),
        ({"allow": {"nomount": True}}, "allow: 'nomount': write 'mount': false"),
        ({"params": {"no.such.param": 1}}, "params: 'no.such.param' is not a jail parameter"),
        ({"params": {"children.cur": 1}}, "params: 'children.cur' is read-only"),
        ({"params": {"children.max": "lots"}}, "params.children.max: 'lots' is not an integer"),
        ({"params": {"sysvshm": "maybe"}}, "params.sysvshm: 'maybe' is not one of new, inherit, disable"),
        ({"params": {"ip4.saddrsel": "maybe"}}, "params.ip4.saddrsel: 'maybe' is not a boolean"),
        ({"persist": False, "exec_start": []}, "persist: false, and the jail has no exec_start"),
        ({"config": "relative/jail.conf"}, "config: 'relative/jail.conf' is not an absolute path"),
        ({"exclusive": True}, "exclusive is True but all of the following are missing: jails"),
    ],
)
def test_bad_input_fails_before_anything_changes(world, extra, msg):
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write("keep { path = /k; }\n")
    params = dict({"name": "www", "path": make("www"), "config": conf}, **extra)
    names_params = "allow" in extra or any(k != "path" for k in extra.get("params", {}))
    calls = [] if "config" in extra or "exclusive" in extra else [Call(JLS)] + ([SYSCTL_PARAMS] if names_params else [])
    res = run_module(jail.main, params, calls=calls)
    assert res.failed and msg in res["msg"], res["msg"]
    assert res.writes == 0 and read(conf) == "keep { path = /k; }\n"


def test_batch_messages_name_the_item(world):
    conf, make = world
    items = [{"name": "a", "path": make("a")}, {"name": "b", "path": make("b"), "ip4_addr": ["10.0.0.300"]}]
    res = run_module(jail.main, {"jails": items, "config": conf}, calls=[Call(JLS)])
    assert res.failed and res["msg"] == "jails[1].ip4_addr: '10.0.0.300' is not IPv4"


def test_started_without_world_fails(world):
    conf, _make = world
    res = run_module(jail.main, {"name": "www", "path": "/nonexistent/www", "config": conf}, calls=[Call(JLS)])
    assert res.failed and res["msg"] == "path: /nonexistent/www has no /bin/sh: build or extract a world there first"
    assert res.writes == 0 and not os.path.exists(conf)


def test_widening_warns(world):
    conf, make = world
    params = {
        "name": "www", "path": make("www"), "config": conf, "state": "present", "devfs_ruleset": 0,
        "enforce_statfs": 1, "allow": {"raw_sockets": True, "mount.nullfs": True, "sysvipc": True},
    }  # fmt: skip
    res = run_module(jail.main, params, calls=[Call(JLS), SYSCTL_PARAMS], check=True)
    w = " | ".join(res["warnings"])
    assert "devfs_ruleset=0" in w and "enforce_statfs=1" in w
    assert "allow.raw_sockets" in w and "allow.mount.nullfs" in w and "allow.sysvipc" not in w
    more = {"children.max": 2, "ip4": "inherit", "sysvshm": "inherit", "mount.fstab": "/etc/fstab.www"}
    params = {"name": "www", "path": params["path"], "config": conf, "state": "present", "mount_devfs": False,
              "params": more, "allow": {"mount.zfs": True}}  # fmt: skip
    res = run_module(jail.main, params, calls=[Call(JLS), SYSCTL_PARAMS], check=True)
    w = res["warnings"]
    texts = ("children.max=2", "ip4=inherit", "sysvshm=inherit", "mount.fstab=", "mount.nodevfs", "allow.mount.zfs")
    for text in texts:
        assert any(text in x for x in w), (text, w)
    res = run_module(jail.main, dict(params, allow={}, params={}, mount_devfs=True), calls=[Call(JLS)], check=True)
    assert not res.get("warnings")


def test_kernel_params_unreadable_falls_back_to_the_catalogue(world):
    conf, make = world
    params = {"name": "www", "path": make("www"), "config": conf, "state": "present", "allow": {"vmm": True}}
    unreadable = Call(SYSCTL_PARAMS.argv, rc=1, err="sysctl: unknown oid 'security.jail.param'")
    res = run_module(jail.main, params, calls=[Call(JLS), unreadable], check=True)
    assert not res.failed and any("allow.vmm" in w for w in res["warnings"])
    res = run_module(jail.main, dict(params, allow={"flying": True}), calls=[Call(JLS), unreadable], check=True)
    assert res.failed and "not in FreeBSD 14's security.jail.param" in res["msg"]


def test_global_settings_of_jail_conf_are_named(world):
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write("allow.raw_sockets;\nchildren.max = 50;\nexec.clean;\n")
    params = {"name": "www", "path": make("www"), "config": conf, "state": "present"}
    res = run_module(jail.main, params, calls=[Call(JLS)], check=True, diff=True)
    w = [x for x in res["warnings"] if "global settings" in x]
    assert len(w) == 1 and "allow.raw_sockets, children.max=50" in w[0] and "exec.clean" not in w[0], w
    prepared = res["diff"][-1]["prepared"]
    assert "+ allow.raw_sockets;" in prepared and "+ children.max = 50;" in prepared
    assert "  enforce_statfs" in prepared


RC_READ = ["/testbin/sysrc", "jail_enable", "jail_list", "jail_conf", "jail_parallel_start"]


def test_rc_enable_through_sysrc(world):
    conf, make = world
    params = {"name": "www", "path": make("www"), "config": conf, "state": "present", "rc_enable": True}
    sysrc_read = Call(RC_READ,
                      out="jail_enable: NO\njail_list: db\njail_conf: /etc/jail.conf\n")  # fmt: skip
    res = run_module(jail.main, dict(params, state="started"), calls=[Call(JLS), sysrc_read], check=True)
    assert res["actions"][-1] == f"rc.conf: jail_enable=YES, jail_list=db www, jail_conf={conf}"
    res = run_module(
        jail.main,
        dict(params, state="started"),
        calls=[
            Call(JLS),
            sysrc_read,
            Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "www"], out="1\n"),
            Call(["/testbin/sysrc", "jail_enable=YES", "jail_list=db www", f"jail_conf={conf}"]),
        ],
    )
    assert res.changed


def test_rc_parallel_start_through_sysrc(world):
    conf, make = world
    params = {"name": "www", "path": make("www"), "config": conf, "state": "present", "rc_parallel_start": True}
    read_no = Call(RC_READ, out="jail_enable: NO\njail_list: \njail_conf: /etc/jail.conf\njail_parallel_start: NO\n")
    res = run_module(
        jail.main,
        params,
        calls=[Call(JLS), read_no, Call(["/testbin/sysrc", "jail_parallel_start=YES"])],
        diff=True,
    )
    assert res.changed and res["actions"][-1] == "rc.conf: jail_parallel_start=YES"
    assert res["diff"][-1]["before"]["rc.conf"] == {"jail_parallel_start": "NO"}
    # rc_enable is false: jail_enable and jail_list stay as they are; YES already: no write at all
    read_yes = Call(RC_READ, out="jail_enable: NO\njail_list: \njail_conf: /etc/jail.conf\njail_parallel_start: YES\n")
    res = run_module(jail.main, params, calls=[Call(JLS), read_yes])
    assert not res.changed and res.writes == 0
    # unset: rc.conf is not even read
    res = run_module(jail.main, dict(params, rc_parallel_start=None), calls=[Call(JLS)])
    assert not res.changed


def test_directory_mode_one_file_per_jail_and_absent_deletes_it(tmp_path):
    d = tmp_path / "jail.conf.d"
    d.mkdir()
    root = tmp_path / "www"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "sh").write_text("")
    params = {"name": "www", "path": str(root), "config": str(d), "state": "present"}
    res = run_module(jail.main, params, calls=[Call(JLS)])
    assert res.writes == 1 and res["conf_file"] == str(d / "www.conf")
    assert parse((d / "www.conf").read_text()).jails() == ["www"]
    res = run_module(
        jail.main,
        {"name": "www", "config": str(d), "state": "absent"},
        calls=[
            Call(JLS, out=jls_line(3, "www", str(root))),
            Call(["/testbin/jail", "-f", str(d / "www.conf"), "-r", "--", "www"]),
        ],
    )
    assert res.calls_made[-1] == ["/testbin/jail", "-f", str(d / "www.conf"), "-r", "--", "www"]
    assert not (d / "www.conf").exists()


def test_exclusive_removes_unlisted(world):
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write("# fleet\n\n# managed by bsd.jails\nold {\n\tpath = /jails/old;\n}\n")
    items = [{"name": "new", "path": make("new"), "state": "present"}]
    res = run_module(
        jail.main,
        {"jails": items, "config": conf, "exclusive": True},
        calls=[Call(JLS, out=jls_line(9, "old", "/jails/old")), Call(["/testbin/jail", "-f", conf, "-r", "--", "old"])],
    )
    assert res["actions"] == [
        "exclusive: old is not listed",
        f"add new in {conf}",
        f"remove old from {conf}",
        "stop old",
    ]
    assert res.calls_made[1] == ["/testbin/jail", "-f", conf, "-r", "--", "old"]
    assert parse(read(conf)).jails() == ["new"]
    assert read(conf).startswith("# fleet\n\n# managed by bsd.jails\nnew {\n") and read(conf).count("managed") == 1


HAND = "# by hand\nexec.clean;\n\nhandj {\n    path = /jails/handj;  # mine\n}\n"


def test_exclusive_leaves_a_hand_written_jail_and_its_jail_list_entry(world):
    """A block without the marker (written by hand, or by a version before it) is never removed by exclusive."""
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write(HAND)
    items = [{"name": "new", "path": make("new")}]
    sysrc_read = Call(RC_READ,
                      out=f"jail_enable: YES\njail_list: handj\njail_conf: {conf}\n")  # fmt: skip
    res = run_module(
        jail.main,
        {"jails": items, "config": conf, "exclusive": True, "rc_enable": True},
        calls=[
            Call(JLS, out=jls_line(9, "handj", "/jails/handj")),
            sysrc_read,
            Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "new"], out="10\n"),
            Call(["/testbin/sysrc", "jail_list=handj new"]),
        ],
    )
    assert not res.failed, res["msg"]
    assert res["actions"] == [f"add new in {conf}", "start new", "rc.conf: jail_list=handj new"]
    assert res["unmanaged"] == ["handj"]
    assert read(conf).startswith(HAND) and parse(read(conf)).jails() == ["handj", "new"]


def test_a_named_hand_written_jail_is_marked_and_an_absent_one_removed(world):
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write(HAND)
    path = make("handj")
    params = {"jails": [{"name": "handj", "path": path, "state": "present"}], "config": conf}
    res = run_module(jail.main, params, calls=[Call(JLS)])
    assert res["actions"] == [f"update handj in {conf}", f"mark handj in {conf} as managed by bsd.jails"]
    assert read(conf).startswith("# by hand\nexec.clean;\n\n# managed by bsd.jails\nhandj {\n")
    res = run_module(jail.main, params, calls=[Call(JLS)])
    assert not res.changed and res.writes == 0
    with open(conf, "w", encoding="utf-8") as f:
        f.write(HAND)
    res = run_module(
        jail.main,
        {"jails": [{"name": "handj", "state": "absent"}], "config": conf},
        calls=[
            Call(JLS, out=jls_line(9, "handj", "/jails/handj")),
            Call(["/testbin/jail", "-f", conf, "-r", "--", "handj"]),
        ],
    )
    assert res["actions"] == [f"remove handj from {conf}", "stop handj"]
    assert read(conf) == "# by hand\nexec.clean;\n"


def test_failed_rc_conf_read_fails_before_anything(world):
    conf, make = world
    params = {"name": "www", "path": make("www"), "config": conf, "rc_enable": True}
    argv = RC_READ
    res = run_module(
        jail.main, params, calls=[Call(JLS), Call(argv, rc=2, err="sysrc: /etc/rc.conf: Permission denied\n")]
    )
    assert res.failed and res.writes == 0 and not os.path.exists(conf)
    assert res["msg"] == " ".join(argv) + " exited 2: sysrc: /etc/rc.conf: Permission denied"
    # a variable set nowhere is unset, not a failure (sysrc still prints the others)
    res = run_module(
        jail.main,
        params,
        calls=[
            Call(JLS),
            Call(
                argv,
                rc=1,
                out="jail_enable: NO\njail_list: \njail_parallel_start: NO\n",
                err="sysrc: unknown variable 'jail_conf'\n",
            ),
            Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "www"], out="1\n"),
            Call(["/testbin/sysrc", "jail_enable=YES", "jail_list=www", f"jail_conf={conf}"]),
        ],
    )
    assert not res.failed, res["msg"]


def test_stale_temp_files_of_an_interrupted_write_are_removed(world, tmp_path):
    conf, make = world
    stale = tmp_path / ".jail.conf.ab12cd_9"
    stale.write_text("half")
    os.utime(stale, (1, 1))
    other = tmp_path / ".jail.conf.keep"  # not a name write_atomic makes
    other.write_text("mine")
    os.utime(other, (1, 1))
    link = tmp_path / ".jail.conf.zz99zz99"  # a symlink is never followed nor removed
    link.symlink_to(other)
    params = {"name": "www", "path": make("www"), "config": conf, "state": "present"}
    res = run_module(jail.main, params, calls=[Call(JLS)], check=True)
    assert res["actions"] == [f"remove {stale} (left by an interrupted write)", f"add www in {conf}"]
    assert stale.exists()
    res = run_module(jail.main, params, calls=[Call(JLS)])
    assert not stale.exists() and other.read_text() == "mine" and link.is_symlink()
    res = run_module(jail.main, params, calls=[Call(JLS)])
    assert not res.changed


# -- a jail.conf that .includes others ---------------------------------------------------------


@pytest.fixture
def included(tmp_path, world):
    """A config with a global and ``.include "conf.d/*.conf"``; jail a lives in conf.d/a.conf, as the module
    would write it."""
    conf, make = world
    confd = tmp_path / "conf.d"
    confd.mkdir()
    c = parse("")
    c.apply(
        [
            (
                "a",
                {
                    "path": make("a"),
                    "persist": True,
                    **{
                        k: v
                        for k, v in jail_block({"path": "", "ip4_addr": []}).items()
                        if k not in ("path", "ip4.addr", "persist")
                    },
                },
            )
        ],
        mark=True,
    )
    (confd / "a.conf").write_text(c.render())
    with open(conf, "w", encoding="utf-8") as f:
        f.write('# site-wide\nexec.consolelog = "/var/log/jail.log";\n.include "conf.d/*.conf";\n')
    return conf, str(confd / "a.conf"), make


def test_jail_in_an_included_file_is_edited_there_and_new_ones_go_to_config(included):
    conf, a_conf, make = included
    conf_before, a_before = read(conf), read(a_conf)
    a_path = parse(a_before).effective("a")["path"]
    items = [{"name": "a", "path": a_path, "securelevel": 2}, {"name": "b", "path": make("b")}]
    running = jls_line(1, "a", a_path)
    args = {"jails": items, "config": conf, "state": "present"}
    res = run_module(jail.main, args, calls=[Call(JLS, out=running)], check=True, diff=True)
    assert not res.failed, res["msg"]
    assert res.changed and res.writes == 0 and read(conf) == conf_before and read(a_conf) == a_before
    assert res["actions"] == [f"update a in {a_conf}", "modify a: securelevel", f"add b in {conf}"]
    assert res["jails"]["a"]["conf_file"] == a_conf and res["jails"]["b"]["conf_file"] == conf
    # the global before the .include reaches a and b, as jail(8) reads the file
    assert res["jails"]["a"]["params"]["exec.consolelog"] == "/var/log/jail.log"
    assert res["jails"]["b"]["params"]["exec.consolelog"] == "/var/log/jail.log"
    res = run_module(
        jail.main, args, calls=[Call(JLS, out=running), Call(["/testbin/jail", "-m", "--", "name=a", "securelevel=2"])]
    )
    assert res.changed and res.writes == 2
    assert read(conf).startswith(conf_before) and "b {" in read(conf) and "a {" not in read(conf)
    assert read(a_conf) == a_before.replace("}\n", "\tsecurelevel = 2;\n}\n")
    res = run_module(jail.main, args, calls=[Call(JLS, out=jls_line(1, "a", a_path, securelevel=2))])
    assert not res.changed and res.writes == 0


def test_included_jail_is_started_through_config_and_removed_from_its_file(included):
    conf, a_conf, _make = included
    a_path = parse(read(a_conf)).effective("a")["path"]
    res = run_module(
        jail.main,
        {"name": "a", "path": a_path, "config": conf},
        calls=[Call(JLS), Call(["/testbin/jail", "-i", "-f", conf, "-c", "--", "a"], out="4\n")],
    )
    assert not res.failed, res["msg"]
    assert res.changed and res.writes == 0 and res["actions"] == ["start a"] and res["conf_file"] == a_conf
    res = run_module(
        jail.main,
        {"jails": [], "config": conf, "exclusive": True},
        calls=[Call(JLS, out=jls_line(4, "a", a_path)), Call(["/testbin/jail", "-f", conf, "-r", "--", "a"])],
    )
    assert res["actions"] == ["exclusive: a is not listed", f"remove a from {a_conf}", "stop a"]
    assert read(a_conf) == "" and ".include" in read(conf)


def test_missing_included_file_fails_before_anything(world):
    conf, make = world
    with open(conf, "w", encoding="utf-8") as f:
        f.write('.include "/nonexistent/jail.conf";\n')
    res = run_module(jail.main, {"name": "x", "path": make("x"), "config": conf}, calls=[])
    assert res.failed and res.writes == 0
    assert (
        res["msg"]
        == f'{conf}: .include "/nonexistent/jail.conf": /nonexistent/jail.conf does not exist (jail(8) would not start)'
    )
