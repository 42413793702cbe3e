"""Bad input to bsd.jails.jail_rctl: every limit is checked before the first change.

Each case fails, names the field, and leaves the host byte-identical: no rule added or removed, no
rctl.conf or loader.conf written.  A good jail comes first, so a module that applied it before checking
the second one would change the host.
"""

import pytest
from harness import GOOD


def rctl(second, **args):
    jails = [{"name": GOOD, "limits": {"memoryuse": "1G"}}, second]
    return [{"name": "jail_rctl", "bsd.jails.jail_rctl": dict(args, jails=jails, racct_enable=True)}]


# fmt: off
CASES = [
    pytest.param(rctl({"name": "r1", "limits": {"memoryuze": 1}}),
                 ["jails[1].limits.memoryuze: unknown resource"], id="unknown-resource"),
    pytest.param(rctl({"name": "r2", "limits": {"memoryuse": "2X"}}),
                 ["jails[1].limits.memoryuse: '2X' is not an amount"], id="bad-amount"),
    pytest.param(rctl({"name": "r3", "limits": {"memoryuse": "-1"}}),
                 ["jails[1].limits.memoryuse: '-1' is not an amount"], id="negative-amount"),
    pytest.param(rctl({"name": "r4", "limits": {"cputime": 10}}),
                 ["jails[1].limits.cputime: cputime cannot be denied"], id="deny-not-deniable"),
    pytest.param(rctl({"name": "r5", "limits": {"maxproc": {"amount": 1, "action": "throttle"}}}),
                 ["jails[1].limits.maxproc: throttle works only"], id="throttle-not-decaying"),
    pytest.param(rctl({"name": "r6", "limits": {"swapuse": {"amount": 1, "per": "process"}}}),
                 ["jails[1].limits.swapuse.per: swapuse cannot be limited per process"], id="per-process-sloppy"),
    pytest.param(rctl({"name": "r7:x", "limits": {"maxproc": 1}}),
                 ["jails[1].name: 'r7:x' cannot name a jail in an rctl rule"], id="name-with-colon"),
    pytest.param(rctl({"name": "-a", "limits": {"maxproc": 1}}),
                 ["jails[1].name: '-a' cannot name a jail"], id="name-like-an-option"),
    pytest.param(rctl({"name": "r8", "limits": {"maxproc": 1}}, rctl_conf="rctl.conf"),
                 ["rctl_conf: 'rctl.conf' is not an absolute path"], id="relative-rctl-conf"),
]
# fmt: on


@pytest.mark.parametrize("tasks,expected", CASES)
def test_refused(refused, tasks, expected):
    refused(tasks, *expected)
