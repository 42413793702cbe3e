"""Bad input to bsd.jails.jail_sysctl: the whole batch is checked before the first change.

Each case fails, names the field or the oid, and leaves the host byte-identical: no live value set,
no sysctl.conf written (on the host or in the jail).
"""

import pytest
from harness import GOOD


def sysctl(**args):
    return [{"name": "jail_sysctl", "bsd.jails.jail_sysctl": args}]


# fmt: off
CASES = [
    pytest.param({"name": "kern.maxfiles", "value": "99999999999999999999"},
                 ["kern.maxfiles: 99999999999999999999 is out of range for the oid's type integer"],
                 id="integer-overflow"),
    pytest.param({"name": "kern.maxfiles", "value": 2147483648},
                 ["kern.maxfiles: 2147483648 is out of range", "(-2147483648 to 2147483647)"],
                 id="integer-just-over"),
    pytest.param({"name": "kern.maxvnodes", "value": -5},
                 ["kern.maxvnodes: -5 is negative, and the oid is of type unsigned long"], id="unsigned-negative"),
    pytest.param({"sysctls": {"kern.maxfiles": 300000, "kern.maxvnodes": -5}},
                 ["kern.maxvnodes: -5 is negative"], id="batch-second-bad"),
    pytest.param({"sysctls": {"kern.maxfiles": 300000, "no.such.oid": 1}}, ["no.such.oid: unknown oid"],
                 id="batch-unknown-oid"),
    pytest.param({"name": "kern.maxfiles", "value": 300000, "sysctl_file": "relative/sysctl.conf"},
                 ["sysctl_file: 'relative/sysctl.conf' is not an absolute path"], id="relative-sysctl-file"),
    pytest.param({"name": "kern.maxfiles", "value": "lots"}, ["kern.maxfiles: 'lots' is not an integer"],
                 id="not-a-number"),
    pytest.param({"name": "kern.maxproc", "value": 4000}, ["kern.maxproc: it is a boot-time tunable"],
                 id="tunable"),
    pytest.param({"name": "kern.ostype", "value": "Linux"}, ["kern.ostype: oid 'kern.ostype' is read only"],
                 id="read-only"),
    pytest.param({"name": "kern.boottime", "value": 1}, ["kern.boottime: "], id="opaque"),
    pytest.param({"jail": GOOD, "name": "kern.securelevel", "value": "1",
                  "sysctl_file": "/etc/../../etc/sysctl.conf"},
                 ["sysctl_file: '/etc/../../etc/sysctl.conf' has a '..' component"], id="jail-dotdot"),
    pytest.param({"sysctls": {"kern.maxfiles": 300000, "kern.maxvnodes": [1, 2]}},
                 ["sysctls.kern.maxvnodes: the value must be a string or a number, not list"], id="list-value"),
    pytest.param({"name": "kern.hostname", "value": "a\nb"}, ["name: value 'a\\nb' cannot be written"],
                 id="newline-value"),
]
# fmt: on


@pytest.mark.parametrize("args,expected", CASES)
def test_refused(refused, args, expected):
    refused(sysctl(**args), *expected)


def test_good_batch_is_applied_and_converges(make_host):
    host = make_host()
    task = sysctl(sysctls={"kern.maxfiles": 300000, "kern.maxvnodes": 600000})
    res = host.play(task)
    assert not res.failed, res
    assert host.run("sysctl", "-n", "kern.maxfiles", "kern.maxvnodes").stdout == "300000\n600000\n"
    assert host.play(task).changed == 0
