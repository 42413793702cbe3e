"""The box itself: isolation, the interpreter wrapper, counters and faults."""

import hashlib
import json
import os
import subprocess
import threading
import time

from simfbsd import box as boxlib


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_uname_reports_freebsd(box):
    assert box.run("uname", "-sr").stdout == "FreeBSD 14.3-RELEASE\n"
    assert box.run("uname", "-m").stdout == "amd64\n"


def test_release_option(make_box):
    b = make_box(release="13.4-RELEASE")
    assert b.run("uname", "-r").stdout == "13.4-RELEASE\n"
    assert b.run("freebsd-version").stdout == "13.4-RELEASE\n"


def test_hostname_is_the_box_name_and_not_the_linux_one(box):
    assert box.run("hostname").stdout == f"{box.name}\n"
    assert subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout != f"{box.name}\n"


def test_writes_stay_in_the_box(make_box):
    a = make_box()
    b = make_box()
    real = "/etc/hostname" if os.path.exists("/etc/hostname") else "/etc/passwd"
    before = _sha(real)
    a.sh(f"echo changed >> {real}; echo a > /etc/rc.conf.local")
    assert _sha(real) == before
    assert not os.path.exists("/etc/rc.conf.local")
    assert b.run("cat", "/etc/rc.conf.local").returncode != 0
    assert a.read("/etc/rc.conf.local") == "a\n"


def test_python_wrapper_sees_freebsd(box):
    cp = subprocess.run(
        [box.python, "-c", "import platform, os; print(platform.system(), platform.release(), os.getcwd())"],
        capture_output=True, text=True, cwd="/usr/share", check=True,
    )  # fmt: skip
    assert cp.stdout == "FreeBSD 14.3-RELEASE /usr/share\n"


def test_create_is_fast(simhost_dir):
    t0 = time.time()
    boxlib.create("speedy", ip="192.0.2.99")
    try:
        assert time.time() - t0 < 2.0
    finally:
        boxlib.destroy("speedy")


def test_stats_count_calls_and_writes(box):
    boxlib.reset_stats(box.name)
    box.run("uname", "-a")
    box.run("uname", "-r")
    box.run("hostname")
    box.sh("echo x > /etc/motd.simtest")
    st = boxlib.stats(box.name)
    assert st["calls"] == {"hostname": 1, "uname": 2}
    assert "/etc/motd.simtest" in st["written"]
    boxlib.reset_stats(box.name)
    assert boxlib.stats(box.name)["calls_total"] == 0
    assert boxlib.stats(box.name)["writes"] == 0


def test_fault_injection_fails_matching_calls_only(box):
    boxlib.add_fault(box.name, "uname", match=r"-r", times=2, rc=3, stderr="uname: injected")
    assert box.run("uname", "-s").returncode == 0
    for _attempt in range(2):
        cp = box.run("uname", "-r")
        assert (cp.returncode, cp.stderr) == (3, "uname: injected\n")
    assert box.run("uname", "-r").stdout == "14.3-RELEASE\n"


def test_parallel_calls_on_one_box(box):
    results = []

    def call():
        results.append(box.run("hostname").stdout)

    threads = [threading.Thread(target=call) for _thread in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [f"{box.name}\n"] * 12
    with open(os.path.join(boxlib.boxdir(box.name), "kernel", "state.json"), encoding="utf-8") as f:
        state = json.load(f)
    assert state["hostname"] == box.name


def test_inventory_lists_local_connection_and_wrapper(box):
    inv = boxlib.inventory([box.name], group="web_hosts")
    host = inv["all"]["children"]["web_hosts"]["hosts"][box.name]
    assert host["ansible_connection"] == "local"
    assert host["ansible_python_interpreter"] == box.python
    assert host["sim_ip"] == box.ip


def test_destroy_removes_everything(simhost_dir):
    boxlib.create("gone", ip="192.0.2.98")
    d = boxlib.boxdir("gone")
    boxlib.destroy("gone")
    assert not os.path.exists(d)
    assert "gone" not in boxlib.names()
