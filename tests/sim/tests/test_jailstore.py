"""The kernel's jail table (simfbsd/jailstore.py): one file per jail and an index, so a call
reads only the jails it touches; a write touches only what changed.

In-process, on a scratch kernel directory: what is checked is the on-disk layout the
simulator's tools share under the kernel lock (tests/sim/README.md), not FreeBSD behaviour
(test_kernel_jail.py and test_jail.py check that through real boxes).
"""

import json
import os
import sys

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simfbsd import jails, jailstore, kernel  # noqa: E402

BOX = {"name": "js", "ip": "192.0.2.10", "release": "14.3-RELEASE"}


@pytest.fixture
def kdir(tmp_path):
    with open(tmp_path / kernel.BOX, "w", encoding="utf-8") as f:
        json.dump(BOX, f)
    kernel.write_json_atomic(str(tmp_path / kernel.STATE), kernel.fresh_state(BOX))
    return str(tmp_path)


def _create(kdir, name, parent=None):
    with kernel.Kernel(kdir) as k:
        ctx_jid = parent or 0
        return jails.new_record(k.state, k.box, ctx_jid, {"name": name, "path": "/", "persist": True})["jid"]


def _jdir(kdir):
    return os.path.join(kdir, jailstore.JAILS_DIR)


def test_records_live_in_their_own_files_not_in_state_json(kdir):
    a, b = _create(kdir, "a"), _create(kdir, "b")
    with open(os.path.join(kdir, kernel.STATE), encoding="utf-8") as f:
        assert "jails" not in json.load(f)
    assert sorted(os.listdir(_jdir(kdir))) == sorted([f"{a}.json", f"{b}.json", jailstore.INDEX])
    with open(os.path.join(_jdir(kdir), jailstore.INDEX), encoding="utf-8") as f:
        assert json.load(f) == {str(a): ["a", 0, False], str(b): ["b", 0, False]}
    assert kernel.full_state(kdir)["jails"][str(b)]["name"] == "b"


def test_lookup_reads_only_the_jail_found(kdir):
    for n in range(5):
        _create(kdir, f"j{n}")
    with kernel.Kernel(kdir, shared=True) as k:
        rec = jails.find(k.state, "j3")
        assert rec["name"] == "j3"
        assert [r["name"] for r in k.state["jails"]._cache.values()] == ["j3"]


def test_unchanged_call_writes_nothing_and_removal_unlinks(kdir):
    a, b = _create(kdir, "a"), _create(kdir, "b")
    idx = os.path.join(_jdir(kdir), jailstore.INDEX)
    before = {p: os.stat(os.path.join(_jdir(kdir), p)).st_mtime_ns for p in os.listdir(_jdir(kdir))}
    with kernel.Kernel(kdir) as k:
        assert jails.find(k.state, "a")["jid"] == a
    after = {p: os.stat(os.path.join(_jdir(kdir), p)).st_mtime_ns for p in os.listdir(_jdir(kdir))}
    assert after == before
    with kernel.Kernel(kdir) as k:
        assert [r["name"] for r in jails.remove_record(k.state, a)] == ["a"]
    assert not os.path.exists(os.path.join(_jdir(kdir), f"{a}.json"))
    with open(idx, encoding="utf-8") as f:
        assert list(json.load(f)) == [str(b)]


def test_children_and_names_follow_changes_made_in_the_same_call(kdir):
    p = _create(kdir, "p")
    with kernel.Kernel(kdir) as k:
        table = k.state["jails"]
        rec = table[str(p)]
        rec["dying"] = True  # not yet in the index on disk
        assert table.brief(str(p)) == ("p", 0, True)
        assert jails.find(k.state, "p") is None
        assert jails.find(k.state, "p", dying=True) is rec
    with open(os.path.join(_jdir(kdir), jailstore.INDEX), encoding="utf-8") as f:
        assert json.load(f) == {str(p): ["p", 0, True]}


def test_fresh_state_forgets_every_jail(kdir):
    _create(kdir, "a")
    _create(kdir, "a2")
    kernel.write_json_atomic(os.path.join(kdir, kernel.STATE), kernel.fresh_state(BOX))  # a reboot
    with kernel.Kernel(kdir, shared=True) as k:
        assert len(k.state["jails"]) == 0
    b = _create(kdir, "b")
    assert {k: r["name"] for k, r in kernel.full_state(kdir)["jails"].items()} == {str(b): "b"}
    assert sorted(os.listdir(_jdir(kdir))) == sorted([f"{b}.json", jailstore.INDEX])  # a2's file unlinked
