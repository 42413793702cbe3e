"""Fixtures of the reliability suite: simulated hosts, destroyed at the end.

``baseline`` is one host per test worker that every bad-input case shares: a
case compares the host before and after itself, so cases never depend on each
other.  ``make_host`` gives a case a host of its own (faults, ownership).
"""

import itertools
import os
import shutil
import tempfile

import pytest
from harness import Host, diff_snapshots, prepare, simhost

_counter = itertools.count()


@pytest.fixture(scope="session")
def simhost_dir():
    d = tempfile.mkdtemp(prefix="simhost-rel-")
    old = os.environ.get("SIMHOST_DIR")
    os.environ["SIMHOST_DIR"] = d
    yield d
    simhost("destroy", "--all", check=False)
    shutil.rmtree(d, ignore_errors=True)
    if old is None:
        os.environ.pop("SIMHOST_DIR", None)
    else:
        os.environ["SIMHOST_DIR"] = old


def _new_host(ip=None):
    n = next(_counter)
    name = f"r{os.getpid() % 100000}-{n}"
    ip = ip or f"192.0.2.{10 + n % 40}"
    simhost("create", name, "--ip", ip)
    return Host(name, ip)


@pytest.fixture
def make_host(simhost_dir):
    """make_host(prepared=True) -> Host of the test's own, destroyed afterwards."""
    made = []

    def _make(prepared=True, ip=None):
        h = _new_host(ip)
        made.append(h)
        return prepare(h) if prepared else h

    yield _make
    for h in made:
        simhost("destroy", h.name, check=False)


@pytest.fixture(scope="session")
def baseline(simhost_dir):
    """One prepared host per test worker, shared by the bad-input cases."""
    h = prepare(_new_host())
    yield h
    simhost("destroy", h.name, check=False)


@pytest.fixture
def refused(baseline):
    """refused(tasks, *expected, host=baseline, **play_kw): the play fails, its message holds every
    expected text (the field first), and the host is byte-identical afterwards."""

    def _check(tasks, *expected, host=None, **kw):
        host = host or baseline
        before = host.snapshot()
        res = host.play(tasks, **kw)
        after = host.snapshot()
        assert res.failed, f"accepted: {res!r}"
        _name, msg = res.failure()
        for text in expected:
            assert text in msg, f"{text!r} not in {msg!r}"
        changes = diff_snapshots(before, after)
        assert changes == [], f"failed, but changed the host: {changes}"
        return msg

    return _check


def pytest_terminal_summary(terminalreporter):
    st = terminalreporter.stats
    passed = len([r for r in st.get("passed", []) if r.when == "call"])
    failed = len(st.get("failed", []))
    terminalreporter.write_line(f"reliability: {passed} passed, {failed} failed")
