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

from simfbsd import ifstore, jails, jailstore, kernel, mounts, mountstore, netif  # noqa: E402

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
    assert sorted(os.listdir(_jdir(kdir))) == sorted(
        [f"{a}.json", f"{b}.json", jailstore.JAIL_INDEX, jailstore.JAIL_LOG]
    )
    # [name, parent, dying, vnet, own ip4 list, own ip6 list]: a new jail has ip4/ip6=disable (own, empty)
    assert jailstore.read_jail_index(os.path.join(_jdir(kdir), jailstore.JAIL_INDEX)) == {
        str(a): ["a", 0, False, False, [], []],
        str(b): ["b", 0, False, False, [], []],
    }
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
    idx = os.path.join(_jdir(kdir), jailstore.JAIL_INDEX)
    before = {p: os.stat(os.path.join(_jdir(kdir), p)).st_mtime_ns for p in os.listdir(_jdir(kdir))}
    with kernel.Kernel(kdir) as k:
        assert jails.find(k.state, "a")["jid"] == a
    after = {p: os.stat(os.path.join(_jdir(kdir), p)).st_mtime_ns for p in os.listdir(_jdir(kdir))}
    assert after == before
    with kernel.Kernel(kdir) as k:
        assert [r["name"] for r in jails.remove_record(k.state, a)] == ["a"]
    assert not os.path.exists(os.path.join(_jdir(kdir), f"{a}.json"))
    assert list(jailstore.read_jail_index(idx)) == [str(b)]


def test_children_and_names_follow_changes_made_in_the_same_call(kdir):
    p = _create(kdir, "p")
    with kernel.Kernel(kdir) as k:
        table = k.state["jails"]
        rec = table[str(p)]
        rec["dying"] = True  # not yet in the index on disk
        assert table.brief(str(p)) == ("p", 0, True)
        assert jails.find(k.state, "p") is None
        assert jails.find(k.state, "p", dying=True) is rec
    assert jailstore.read_jail_index(os.path.join(_jdir(kdir), jailstore.JAIL_INDEX)) == {
        str(p): ["p", 0, True, False, [], []]
    }


def test_fresh_state_forgets_every_jail(kdir):
    _create(kdir, "a")
    _create(kdir, "a2")
    kernel.write_json_atomic(os.path.join(kdir, kernel.STATE), kernel.fresh_state(BOX))  # a reboot
    with kernel.Kernel(kdir, shared=True) as k:
        assert len(k.state["jails"]) == 0
    b = _create(kdir, "b")
    assert {k: r["name"] for k, r in kernel.full_state(kdir)["jails"].items()} == {str(b): "b"}
    assert sorted(os.listdir(_jdir(kdir))) == sorted(
        [f"{b}.json", jailstore.JAIL_INDEX, jailstore.JAIL_LOG]
    )  # a2's file unlinked


# ---------------------------------------------------------------- the mount table (mountstore.py)
# procfs and fdescfs are recorded only (mounts.py): nothing is mounted on this machine.


def _mdir(kdir):
    return os.path.join(kdir, mountstore.MOUNTS_DIR)


def _mount(kdir, target):
    os.makedirs(target, exist_ok=True)
    with kernel.Kernel(kdir) as k:
        return mounts.mount(k.state, "procfs", "proc", target)


def _mtimes(d):
    return {
        p: os.stat(os.path.join(d, p)).st_mtime_ns for p in os.listdir(d) if p not in (mountstore.INDEX, mountstore.LOG)
    }


def test_mounts_live_in_their_own_files_and_an_unmount_touches_only_its_own(kdir, tmp_path):
    targets = [str(tmp_path / f"j{n}" / "proc") for n in range(4)]
    for t in targets:
        _mount(kdir, t)
    with open(os.path.join(kdir, kernel.STATE), encoding="utf-8") as f:
        assert "mounts" not in json.load(f)
    index = mountstore.read_mount_index(os.path.join(_mdir(kdir), mountstore.INDEX))
    assert [t for _id, t in index] == ["/", "/dev", *targets]  # mount order, the system's first
    before = _mtimes(_mdir(kdir))
    with kernel.Kernel(kdir) as k:
        assert mounts.unmount(k.state, targets[1])["target"] == targets[1]
        assert len(k.state["mounts"]._orig) == 1  # the one record unmounted was the only one read
    after = _mtimes(_mdir(kdir))
    assert len(after) == len(before) - 1
    assert all(after[p] == before[p] for p in after)  # the other records were not rewritten
    assert [m["target"] for m in kernel.full_state(kdir)["mounts"]] == ["/", "/dev", targets[0], *targets[2:]]


def test_mounted_and_under_answer_from_the_index(kdir, tmp_path):
    a, a2, b = str(tmp_path / "a" / "proc"), str(tmp_path / "a" / "proc" / "x"), str(tmp_path / "b" / "proc")
    for t in (a, a2, b):
        _mount(kdir, t)
    with kernel.Kernel(kdir) as k:
        assert mounts.mounted(k.state, a)["target"] == a
        assert [m["target"] for m in mounts.under(k.state, str(tmp_path / "a"))] == [a, a2]
        assert sorted(m["target"] for m in k.state["mounts"]._cache.values()) == sorted([a, a2])
        with pytest.raises(mounts.MountError, match="Device busy"):
            mounts.unmount(k.state, a)  # a2 lies below it
        assert mounts.mounted(k.state, str(tmp_path / "none")) is None


def test_fresh_state_forgets_every_mount(kdir, tmp_path):
    _mount(kdir, str(tmp_path / "a" / "proc"))
    kernel.write_json_atomic(os.path.join(kdir, kernel.STATE), kernel.fresh_state(BOX))  # a reboot
    with kernel.Kernel(kdir, shared=True) as k:
        assert len(k.state["mounts"]) == 0
    _mount(kdir, str(tmp_path / "b" / "proc"))
    assert [m["target"] for m in kernel.full_state(kdir)["mounts"]] == ["/", "/dev", str(tmp_path / "b" / "proc")]
    assert len(os.listdir(_mdir(kdir))) == 5  # the index, its journal and three records: a's file unlinked


# ---------------------------------------------------------------- the host's interfaces (ifstore.py)


def test_aliases_are_stored_compact_and_read_back_as_entries(kdir):
    with kernel.Kernel(kdir) as k:
        netif.add_alias(k.state, "vtnet0", "198.51.100.7", 32)
        netif.add_alias(k.state, "vtnet0", "fe80::7", 64, "inet6")
    with open(os.path.join(kdir, kernel.STATE), encoding="utf-8") as f:
        assert "ifaces" not in json.load(f)
    with open(os.path.join(kdir, ifstore.IFACES), encoding="utf-8") as f:
        stored = json.load(f)["vtnet0"]
    assert stored["inet"] == ["198.51.100.7/32"] and stored["inet6"] == ["fe80::7/64%vtnet0"]
    ifc = kernel.full_state(kdir)["ifaces"]["vtnet0"]
    assert ifc["inet"] == [{"addr": "198.51.100.7", "prefix": 32}]
    assert ifc["inet6"] == [{"addr": "fe80::7", "prefix": 64, "scope": "vtnet0"}]
    with kernel.Kernel(kdir) as k:
        netif.add_alias(k.state, "vtnet0", "198.51.100.7", 24)  # same address: the prefix changes
        with pytest.raises(netif.NetifError, match="File exists"):
            netif.add_alias(k.state, "lo0", "198.51.100.7", 32)
    with kernel.Kernel(kdir) as k:
        assert list(k.state["ifaces"]["vtnet0"]["inet"]) == [{"addr": "198.51.100.7", "prefix": 24}]
        netif.remove_alias(k.state, "vtnet0", "198.51.100.7")
        with pytest.raises(netif.NetifError, match="Can't assign requested address"):
            netif.remove_alias(k.state, "vtnet0", "198.51.100.7")
    assert kernel.full_state(kdir)["ifaces"]["vtnet0"]["inet"] == []


def test_a_call_that_needs_no_interface_does_not_read_them(kdir):
    _create(kdir, "a")
    with kernel.Kernel(kdir) as k:
        assert jails.find(k.state, "a") is not None
        assert k.state["ifaces"]._data is None


# ---------------------------------------------------------------- address clashes from the index


def test_clash_check_follows_the_walk_of_kern_jail_set(kdir):
    def create(name, **kp):
        with kernel.Kernel(kdir) as k:
            return jails.new_record(k.state, k.box, 0, {"name": name, "path": "/", "persist": True, **kp})

    create("multi", **{"ip4.addr": ["192.0.2.1", "192.0.2.2"]})
    with pytest.raises(jails.JailError, match="IPv4 addresses clash"):
        create("one", **{"ip4.addr": ["192.0.2.2"]})
    create("other", **{"ip4.addr": ["192.0.2.3"]})
    create("other2", **{"ip4.addr": ["192.0.2.3"]})  # one address on each jail: permitted
    with kernel.Kernel(kdir) as k:
        assert k.state["jails"].holding("ip4", ["192.0.2.3"]) == [
            str(jails.find(k.state, n)["jid"]) for n in ("other", "other2")
        ]
    create("dying", **{"ip4.addr": ["192.0.2.20", "192.0.2.21"]})
    with kernel.Kernel(kdir) as k:
        jails.find(k.state, "dying")["dying"] = True
    create("after", **{"ip4.addr": ["192.0.2.21"]})  # a dying jail is skipped by the walk


# ---------------------------------------------------------------- the text indexes, searched as text


def test_jail_index_lines_keep_the_order_of_the_keys_as_strings(kdir):
    for n in range(12):  # jids 1..12: "10" < "11" < "12" < "2" as strings, the order a JSON index kept
        _create(kdir, f"j{n}")
    path = os.path.join(_jdir(kdir), jailstore.JAIL_INDEX)
    assert list(jailstore.read_jail_index(path)) == sorted(str(j) for j in range(1, 13))
    with kernel.Kernel(kdir) as k:
        jails.remove_record(k.state, 10)
    assert list(jailstore.read_jail_index(path)) == sorted(str(j) for j in range(1, 13) if j != 10)


def test_names_parents_and_addresses_are_found_whatever_the_name_holds(kdir):
    odd = 'a"b\\c'  # a quote and a backslash: escaped in the index line, found as written
    _create(kdir, "x")
    with kernel.Kernel(kdir) as k:
        parent = jails.new_record(k.state, k.box, 0, {"name": odd, "path": "/", "persist": True, "children.max": 1})
        parent = parent["jid"]
    with kernel.Kernel(kdir) as k:
        kid = jails.new_record(k.state, k.box, parent, {"name": "kid", "path": "/", "persist": True})["jid"]
        jails.new_record(k.state, k.box, 0, {"name": "ip", "path": "/", "persist": True, "ip4.addr": ["192.0.2.9"]})
    with kernel.Kernel(kdir, shared=True) as k:
        table = k.state["jails"]
        assert [table.brief(j)[0] for j in table.named(odd)] == [odd]
        assert table.named("a") == [] and table.named(odd + ".kid") == [str(kid)]
        assert table.children(parent) == [str(kid)]
        assert sorted(table.brief(j)[0] for j in table.children(0)) == sorted([odd, "x", "ip"])
        assert [table.brief(j)[0] for j in table.holding("ip4", ["192.0.2.9"])] == ["ip"]
        assert table.holding("ip4", ["192.0.2.90"]) == []


def test_mount_index_answers_last_on_and_under_from_its_lines(kdir, tmp_path):
    a, odd = str(tmp_path / "a"), str(tmp_path / 'we"ird\tdir')
    for t in (a, a + "/proc", str(tmp_path / "ab"), odd, a):  # a twice: the last one is found
        _mount(kdir, t)
    with kernel.Kernel(kdir) as k:
        table = k.state["mounts"]
        assert table.position(table.last_on(a)) == 6  # /, /dev, then the five in order
        assert [m["target"] for m in table.under(a)] == [a, a + "/proc", a]
        assert [m["target"] for m in table.under(a, 3)] == [a + "/proc", a]
        assert table.last_on(odd)["target"] == odd and table.last_on(str(tmp_path / "none")) is None
        assert len(table.under("/")) == 7
        mounts.unmount(k.state, a)  # the last one on a: nothing lies below it after it
    index = mountstore.read_mount_index(os.path.join(_mdir(kdir), mountstore.INDEX))
    assert [t for _id, t in index] == ["/", "/dev", a, a + "/proc", str(tmp_path / "ab"), odd]


# ---------------------------------------------------------------- the jail index's base and journal


def _files(kdir):
    base, log = (os.path.join(_jdir(kdir), n) for n in (jailstore.JAIL_INDEX, jailstore.JAIL_LOG))
    with open(base, encoding="utf-8") as f, open(log, encoding="utf-8") as g:
        return f.read(), g.read()


def _names(kdir):
    return {k: v[0] for k, v in jailstore.read_jail_index(os.path.join(_jdir(kdir), jailstore.JAIL_INDEX)).items()}


def test_a_change_appends_to_the_journal_and_leaves_the_base(kdir):
    a = _create(kdir, "a")
    base, log = _files(kdir)
    _create(kdir, "b")
    with kernel.Kernel(kdir) as k:
        jails.remove_record(k.state, a)
    base2, log2 = _files(kdir)
    assert base2 == base  # not rewritten
    token = base.splitlines()[0]
    assert token.startswith("@") and log2.startswith(log) and log.splitlines()[0] == token
    assert log2[len(log) :] == '2\t["b",0,false,false,[],[]]\n1\t\n'  # a set, then a removal
    assert list(_names(kdir).values()) == ["b"]


def test_the_journal_is_folded_into_a_new_base_past_its_limit(kdir):
    made = [_create(kdir, f"j{n}") for n in range(jailstore.JOURNAL_MAX + 5)]
    with kernel.Kernel(kdir) as k:
        for jid in made[::2]:
            jails.remove_record(k.state, jid)
    base, log = _files(kdir)
    assert log.count("\n") <= jailstore.JOURNAL_MAX
    assert base.splitlines()[0] != "@" and len(base.splitlines()) > 2  # a base holding folded lines
    assert _names(kdir) == {str(j): f"j{n}" for n, j in sorted(enumerate(made), key=lambda x: str(x[1])) if n % 2}
    assert list(_names(kdir)) == sorted(str(j) for j in made[1::2])  # index order: jids as strings


def test_odd_names_and_many_entries_go_through_the_journal(kdir):
    odd = ['a"b', "back\\slash", "tab\there", "new\nline", "caf\u00e9", "x,1,", '["y",', 'a":1', "a:b"]
    jids = {}
    for n in odd:
        with kernel.Kernel(kdir) as k:
            jids[n] = jails.new_record(k.state, k.box, 0, {"name": n, "path": "/", "persist": True})["jid"]
    for n in range(200):
        _create(kdir, f"m{n}")
    with kernel.Kernel(kdir, shared=True) as k:
        table = k.state["jails"]
        for n in odd:
            assert table.named(n) == [str(jids[n])], n
        assert table.named("x") == [] and table.named("y") == [] and table.named("a") == []
        assert len(table) == len(odd) + 200 and list(table) == sorted(table, key=str)
        assert table._index.by is not None  # compacted: the base's names and parents by binary search
        assert sorted(table.children(0)) == sorted(table)
    with kernel.Kernel(kdir) as k:
        jails.remove_record(k.state, jids["a:b"])  # in the journal, over the base's secondary lines
        kid = jails.new_record(k.state, k.box, 0, {"name": "a:b", "path": "/", "persist": True})["jid"]
    with kernel.Kernel(kdir, shared=True) as k:
        assert k.state["jails"].named("a:b") == [str(kid)]
    with open(os.path.join(_jdir(kdir), jailstore.JAIL_LOG), "rb") as f:
        assert f.read().isascii()


def test_a_line_torn_by_a_crash_is_not_read_and_is_cut_before_the_next(kdir):
    a = _create(kdir, "a")
    log = os.path.join(_jdir(kdir), jailstore.JAIL_LOG)
    with open(log, "a", encoding="ascii") as f:
        f.write(f'{a}\t["gone",0,fal')  # a crash in the middle of an append
    assert _names(kdir) == {str(a): "a"}
    b = _create(kdir, "b")
    with open(log, encoding="ascii") as f:
        text = f.read()
    assert "gone" not in text and text.endswith(f'{b}\t["b",0,false,false,[],[]]\n')
    assert _names(kdir) == {str(a): "a", str(b): "b"}


def test_a_compaction_cut_short_reads_the_same_and_is_finished_by_the_next_writer(kdir):
    a, b = _create(kdir, "a"), _create(kdir, "b")
    _base, old_log = _files(kdir)
    with kernel.Kernel(kdir) as k:  # fold the journal into a new base
        idx = k.state["jails"]._index
        idx._compact(os.path.join(_jdir(kdir), jailstore.JAIL_LOG))
    new_base, _log = _files(kdir)
    with open(os.path.join(_jdir(kdir), jailstore.JAIL_LOG), "w", encoding="ascii") as f:
        f.write(old_log)  # as if the crash came after the new base and before the new journal
    jailstore.forget()
    assert _names(kdir) == {str(a): "a", str(b): "b"}
    c = _create(kdir, "c")
    base, log = _files(kdir)
    assert log.splitlines()[0] == base.splitlines()[0] != new_base.splitlines()[0]  # a journal on a new base
    assert _names(kdir) == {str(a): "a", str(b): "b", str(c): "c"}


def test_a_lock_section_that_fails_changes_no_index_file(kdir):
    _create(kdir, "a")
    before = _files(kdir)
    with pytest.raises(RuntimeError), kernel.Kernel(kdir) as k:
        jails.new_record(k.state, k.box, 0, {"name": "b", "path": "/", "persist": True})
        raise RuntimeError("the call fails after the change")
    assert _files(kdir) == before
    assert list(_names(kdir).values()) == ["a"]


def test_a_base_read_in_a_call_is_reused_only_for_its_own_token(kdir):
    _create(kdir, "a")
    jailstore.forget()
    with kernel.Kernel(kdir, shared=True) as k:
        first = k.state["jails"]._index.base
    with kernel.Kernel(kdir, shared=True) as k:
        assert k.state["jails"]._index.base is first  # the same call: read once
    with kernel.Kernel(kdir) as k:
        k.state["jails"]._index._compact(os.path.join(_jdir(kdir), jailstore.JAIL_LOG))
    with kernel.Kernel(kdir, shared=True) as k:
        assert k.state["jails"]._index.base is not first
    jailstore.forget()
    with kernel.Kernel(kdir, shared=True) as k:
        assert k.state["jails"]._index.base is not first and list(k.state["jails"]) == ["1"]


def test_the_mount_journal_keeps_order_and_ids_across_compactions(kdir, tmp_path, monkeypatch):
    odd = [str(tmp_path / d) for d in ('we"ird', "back\\slash", "caf\u00e9", "sp ace")]
    targets = odd + [str(tmp_path / f"m{n}") for n in range(jailstore.JOURNAL_MAX + 10)]
    for t in targets:
        _mount(kdir, t)
    with kernel.Kernel(kdir) as k:
        for t in [*targets[::3], targets[-1]]:  # the last one too: its ID is not used again
            mounts.unmount(k.state, t)
        monkeypatch.setattr(jailstore, "JOURNAL_MAX", 0)  # folded at once: the next ID from the base
    left = [t for n, t in enumerate(targets[:-1]) if n % 3]
    index = mountstore.read_mount_index(os.path.join(_mdir(kdir), mountstore.INDEX))
    assert [t for _id, t in index] == ["/", "/dev", *left]  # mount order survives the folding
    ids = [i for i, _t in index]
    assert ids == sorted(ids)
    with open(os.path.join(_mdir(kdir), mountstore.LOG), encoding="ascii") as f:
        assert f.read().count("\n") == 1  # its first line alone
    monkeypatch.undo()
    last = _mount(kdir, targets[-1] + "x")
    with kernel.Kernel(kdir) as k:
        table = k.state["mounts"]
        assert table.last_on(targets[-1] + "x") == last
        assert table._id_of(table.last_on(targets[-1] + "x")) == len(targets) + 3  # no ID used twice
        for t in odd[1:3]:
            assert table.last_on(t)["target"] == t
        assert table.last_on(odd[0]) is None  # unmounted


def test_a_mount_line_torn_by_a_crash_is_not_read(kdir, tmp_path):
    a = str(tmp_path / "a")
    _mount(kdir, a)
    with open(os.path.join(_mdir(kdir), mountstore.LOG), "a", encoding="ascii") as f:
        f.write('9\t"/torn')
    jailstore.forget()
    assert [m["target"] for m in kernel.full_state(kdir)["mounts"]] == ["/", "/dev", a]
    _mount(kdir, str(tmp_path / "b"))
    assert [t for _i, t in mountstore.read_mount_index(os.path.join(_mdir(kdir), mountstore.INDEX))] == [
        "/",
        "/dev",
        a,
        str(tmp_path / "b"),
    ]
