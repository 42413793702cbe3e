"""kstate.py: the named accessors tools use for the kernel state (kernel.py lists the keys)."""

import os
import sys

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simfbsd import kstate  # noqa: E402


def _state():
    return {
        "hostname": "h.example",
        "jails": {"3": {"jid": 3, "name": "web", "path": "/j/web"}, "7": {"jid": 7, "name": "db", "path": "/j/db"}},
        "procs": [{"pid": 40, "jid": 0}, {"pid": 12, "jid": 3}, {"pid": 25, "jid": 7}],
        "ifaces": {"vtnet0": {}, "lo0": {}},
    }


def test_jails_by_jid_and_by_command_line_word():
    st = _state()
    assert kstate.jail(st, 3)["name"] == "web"
    assert kstate.jail(st, "7")["name"] == "db"
    assert kstate.jail(st, 4) is None
    assert kstate.find_jail(st, "db") == (7, st["jails"]["7"])
    assert kstate.find_jail(st, "3") == (3, st["jails"]["3"])
    assert kstate.find_jail(st, "nosuch") == (None, None)
    assert len(kstate.jails(st)) == 2


def test_procs_in_pid_order_without_touching_the_state():
    st = _state()
    assert [p["pid"] for p in kstate.procs(st)] == [12, 25, 40]
    assert [p["pid"] for p in st["procs"]] == [40, 12, 25]
    assert kstate.procs({}) == []


def test_host_values():
    st = _state()
    assert kstate.hostname(st) == "h.example"
    kstate.set_hostname(st, "other")
    assert st["hostname"] == "other"
    assert kstate.boottime(st) is None
    kstate.set_boottime(st, 1700000000)
    assert kstate.boottime(st) == 1700000000
    assert kstate.sysctl_value(st, "kern.securelevel", -1) == -1
    kstate.set_sysctl(st, "kern.securelevel", 1)
    assert kstate.sysctl_value(st, "kern.securelevel", -1) == 1
    assert st["sysctl"] == {"kern.securelevel": 1}
    assert kstate.host_ifaces(st) is st["ifaces"]
