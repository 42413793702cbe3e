"""bench/addrplan.py: one distinct documentation/benchmarking IPv4 address per jail, for any N."""

import ipaddress
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "bench"))

import addrplan  # noqa: E402

# RFC 5737 TEST-NET-1/2/3 and RFC 2544's benchmarking block: nothing routable.
ALLOWED = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15")]


def test_first_404_are_the_addresses_earlier_results_used():
    for i in range(1, 405):
        old = f"192.0.2.{100 + i}" if i <= 150 else f"198.51.100.{i - 150}"
        assert addrplan.jail_ip4(i) == old


def test_jail_405_has_an_address():
    # the address that used to be '198.51.100.256'
    assert addrplan.jail_ip4(405) == "203.0.113.1"


@pytest.mark.parametrize("n", [1, 100, 1000, 5000])
def test_distinct_valid_documentation_addresses(n):
    addrs = [ipaddress.IPv4Address(addrplan.jail_ip4(i)) for i in range(1, n + 1)]
    assert len(set(addrs)) == n
    for a in addrs:
        assert any(a in net for net in ALLOWED), a
        assert a.packed[-1] not in (0, 255) or a in ALLOWED[3], a  # no .0/.255 in a /24 block


def test_hosts_range_left_free():
    # the simulated hosts take 192.0.2.1-99
    first = ipaddress.IPv4Address("192.0.2.101")
    assert all(ipaddress.IPv4Address(addrplan.jail_ip4(i)) >= first for i in range(1, 151))


def test_whole_capacity_and_beyond():
    last = addrplan.jail_ip4(addrplan.CAPACITY)
    assert last == "198.19.255.254"
    with pytest.raises(ValueError, match="has 131728 addresses"):
        addrplan.jail_ip4(addrplan.CAPACITY + 1)
    with pytest.raises(ValueError, match="positive integer"):
        addrplan.jail_ip4(0)
