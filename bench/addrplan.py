"""The benchmark's address plan: one IPv4 address per jail, for any number of jails.

Documentation and benchmarking ranges only (RFC 5737, RFC 2544), never a routable
address: jail 1-150 take 192.0.2.101-250 (the simulated hosts themselves sit below
192.0.2.100), 151-404 take 198.51.100.1-254, 405-658 take 203.0.113.1-254, and from 659
on 198.18.0.1-198.19.255.254 (RFC 2544's 198.18.0.0/15), 131,070 more.  The first 404
are the addresses the benchmark has always used, so results stay comparable.
"""

import ipaddress

_BLOCKS = (
    # (first jail index, first address, how many)
    (1, ipaddress.IPv4Address("192.0.2.101"), 150),
    (151, ipaddress.IPv4Address("198.51.100.1"), 254),
    (405, ipaddress.IPv4Address("203.0.113.1"), 254),
    (659, ipaddress.IPv4Address("198.18.0.1"), 2**17 - 2),
)

CAPACITY = sum(count for _first, _addr, count in _BLOCKS)


def jail_ip4(i):
    """The address of jail ``i`` (1-based) as a string; ValueError past CAPACITY."""
    if not isinstance(i, int) or i < 1:
        raise ValueError(f"jail index must be a positive integer, got {i!r}")
    for first, addr, count in _BLOCKS:
        if first <= i < first + count:
            return str(addr + (i - first))
    raise ValueError(f"the address plan has {CAPACITY} addresses; jail {i} has none")
