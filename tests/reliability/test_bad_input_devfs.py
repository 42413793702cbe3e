"""Bad input to bsd.jails.jail_devfs: the task fails, names the field or value, the host stays byte-identical.

Two families: rulesets that would leave disk or memory devices visible in a jail (judged by what the
expanded rules show, not by name prefixes), and rule text that is no devfs rule -- in particular shell
syntax, which /etc/rc.subr would run with eval at every boot.
"""

import pytest


def devfs(**args):
    args.setdefault("name", "devfsrules_rel")
    args.setdefault("number", 150)
    return [{"name": "jail_devfs", "bsd.jails.jail_devfs": args}]


DISKS = "unhides disk or memory devices"

# fmt: off
CASES = [
    # what the ruleset shows
    pytest.param({"rules": ["unhide"]}, [DISKS, "(unhide: ada0, ada0p1, "], id="bare-unhide"),
    pytest.param({"rules": ["path 'gpt/*' unhide"]}, [DISKS, "(path gpt/* unhide: gpt/rootfs)"], id="gpt-labels"),
    pytest.param({"rules": ["path 'pass*' unhide"]}, [DISKS, "(path pass* unhide: pass0)"], id="cam-pass"),
    pytest.param({"rules": ["path 'vtbd[0-9]*' unhide"]}, [DISKS, "vtbd0"], id="bracket-glob"),
    pytest.param({"rules": ["type mem unhide"]}, [DISKS, "(type mem unhide: mem, kmem)"], id="type-mem"),
    pytest.param({"rules": ["path '?mem' unhide", "path io unhide"]}, [DISKS, "kmem", "path io unhide: io"],
                 id="kmem-and-io"),
    pytest.param({"base": "", "rules": ["path 'bpf*' unhide"]}, [DISKS, "not hidden by any rule: ada0"],
                 id="no-hide-all"),
    pytest.param({"include": ["devfsrules_unhide_basic"], "base": "", "rules": ["path pf unhide"]},
                 [DISKS, "not hidden by any rule"], id="include-without-hide-all"),
    # rule text that is no devfs rule, or shell
    pytest.param({"rules": ["path bpf unhide; reboot"]}, ["rules[0]: ", "';' cannot be part of a devfs rule"],
                 id="semicolon"),
    pytest.param({"rules": ["path 'bpf*' unhide", "path $(touch /tmp/pwn) unhide"]},
                 ["rules[1]: ", "'$' cannot be part of a devfs rule"], id="command-substitution"),
    pytest.param({"rules": ["path `id` unhide"]}, ["rules[0]: ", "'`' cannot be part of a devfs rule"],
                 id="backticks"),
    pytest.param({"rules": ['path "bpf*" unhide']}, ["rules[0]: ", "'\"' cannot be part of a devfs rule"],
                 id="double-quotes"),
    pytest.param({"rules": ["path bpf unhide > /etc/rc.conf"]}, ["rules[0]: ", "'>' cannot be part"], id="redirect"),
    pytest.param({"rules": ["path bpf shown"]}, ["rules[0]: unknown argument: shown"], id="unknown-keyword"),
    pytest.param({"rules": ["type floppy unhide"]}, ["rules[0]: unknown type: floppy"], id="unknown-type"),
    pytest.param({"rules": ["path tun0 mode 9z"]}, ["rules[0]: invalid mode: 9z"], id="bad-mode"),
    pytest.param({"rules": ["path tun0 user a/b"]}, ["rules[0]: invalid user: a/b"], id="bad-user"),
    pytest.param({"number": 70000}, ["number: 70000 is not a ruleset number"], id="number-too-big"),
    pytest.param({"name": "bad-name"}, ["name: 'bad-name' is not a ruleset name"], id="bad-name"),
    pytest.param({"include": ["nosuch"]}, ["include[0]: no ruleset named nosuch"], id="unknown-include"),
]
# fmt: on


@pytest.mark.parametrize("args,expected", CASES)
def test_refused(refused, args, expected):
    refused(devfs(**args), *expected)


def test_allow_disks_still_warns_and_names_the_devices(make_host):
    """The explicit choice works, and says which devices the jail will see."""
    host = make_host()
    res = host.play(devfs(rules=["path 'gpt/*' unhide"], allow_disks=True))
    assert not res.failed, res
    warnings = [w for _n, r in res.tasks for w in r.get("warnings", [])]
    assert any("gpt/rootfs" in w for w in warnings), warnings
    assert "add path 'gpt/*' unhide" in host.read("/etc/devfs.rules")
