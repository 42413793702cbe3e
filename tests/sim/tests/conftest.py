"""Fixtures for the simulator's own tests: real boxes, destroyed afterwards.

Boxes go to a temporary $SIMHOST_DIR per test session, so these tests never
touch boxes a developer has open in .simhosts/.
"""

import itertools
import os
import subprocess
import sys
import tempfile

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simbox import Box  # noqa: E402
from simfbsd import box as boxlib  # noqa: E402

_counter = itertools.count()


@pytest.fixture(scope="session")
def simhost_dir():
    d = tempfile.mkdtemp(prefix="simhost-test-")
    old = os.environ.get("SIMHOST_DIR")
    os.environ["SIMHOST_DIR"] = d
    yield d
    for name in boxlib.names():
        boxlib.destroy(name)
    subprocess.run(["rm", "-rf", d], check=False)
    if old is None:
        os.environ.pop("SIMHOST_DIR", None)
    else:
        os.environ["SIMHOST_DIR"] = old


@pytest.fixture
def make_box(simhost_dir):
    """make_box(ip="192.0.2.10", **create_kwargs) -> Box; destroyed at the end of the test."""
    made = []

    def _make(ip=None, **kw):
        n = next(_counter)
        name = f"t{os.getpid() % 10000}-{n}"
        ip = ip or f"192.0.2.{10 + n % 200}"
        boxlib.create(name, ip=ip, **kw)
        made.append(name)
        return Box(name, ip)

    yield _make
    for name in made:
        boxlib.destroy(name)


@pytest.fixture
def box(make_box):
    """One fresh default box (192.0.2.10)."""
    return make_box(ip="192.0.2.10")
