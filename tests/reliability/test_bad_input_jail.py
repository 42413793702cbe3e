"""Bad input to bsd.jails.jail: the task fails, names the field, and the host stays byte-identical."""

import pytest
from harness import WORLD


def jail(**args):
    args.setdefault("name", "newj")
    args.setdefault("path", f"{WORLD}/good1")
    return [{"name": "jail", "bsd.jails.jail": args}]


CASES = [
    pytest.param({"name": "42"}, "name: '42' is numeric", id="numeric-name"),
    pytest.param({"path": "relative/dir"}, "path: 'relative/dir' is not an absolute path", id="relative-path"),
    pytest.param({"ip4_addr": ["10.0.0.300"]}, "ip4_addr: '10.0.0.300' is not IPv4", id="bad-ipv4"),
    pytest.param({"securelevel": 7}, "securelevel: 7 is out of range", id="securelevel-7"),
    pytest.param({"exec_start": ["echo a; reboot"]}, "exec_start[0]", id="exec-semicolon"),
]


@pytest.mark.parametrize("args,expected", CASES)
def test_refused(refused, args, expected):
    refused(jail(**args), expected)


def test_baseline_host(baseline):
    """The shared host is what the cases assume: handj (by hand) and good1 (by the collection) running."""
    names = sorted(line.split()[0] for line in baseline.run("jls", "name").stdout.split())
    assert names == ["good1", "handj"]
    assert 'jail_list="handj good1"' in baseline.read("/etc/rc.conf") or "good1" in baseline.read("/etc/rc.conf")
