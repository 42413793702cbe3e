"""Bad input to bsd.jails.host_bind_audit: the task fails, names the field, and the host stays byte-identical."""

import pytest


def audit(**args):
    return [{"name": "audit", "bsd.jails.host_bind_audit": args}]


CASES = [
    pytest.param({"host_addresses": ["300.1.1.1"]}, "host_addresses[0]: '300.1.1.1' is not IPv4", id="host-300"),
    pytest.param({"jail_addresses": ["not-an-ip"]}, "jail_addresses[0]: 'not-an-ip'", id="jail-not-an-ip"),
    pytest.param(
        {"host_addresses": ["192.0.2.10", "192.0.2.0/24"]}, "host_addresses[1]: '192.0.2.0/24'", id="host-with-mask"
    ),
    pytest.param({"jail_addresses": ["em0|192.0.2.5"]}, "jail_addresses[0]", id="jail-with-interface"),
    pytest.param({"host_addresses": ["2001:db8::zz"]}, "host_addresses[0]", id="host-bad-ipv6"),
    pytest.param({"ignore": ["sshd:"]}, "ignore[0]", id="ignore-no-port"),
]


@pytest.mark.parametrize("args,expected", CASES)
def test_refused(refused, args, expected):
    refused(audit(**args), expected)
