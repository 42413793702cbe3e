"""The transport sshd: a real SSH session lands in the simulated FreeBSD host (simfbsd/transport.py)."""

import json
import os
import subprocess

import pytest
from simfbsd import box as boxlib
from simfbsd import transport

SIMHOST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simhost")


def ssh(name, command):
    return subprocess.run(boxlib.ssh_argv(name, [command]), capture_output=True, text=True, check=False, timeout=60)


def test_session_is_the_simulated_host(make_box):
    b = make_box(ip="192.0.2.31")
    cp = ssh(b.name, "uname -s; hostname; sysctl -n kern.ostype; echo $PATH")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.split("\n")[:3] == ["FreeBSD", b.name, "FreeBSD"]
    assert cp.stdout.split("\n")[3].startswith("/sbin:/bin:")
    # files written over SSH are the box's files, not the Linux side's
    assert ssh(b.name, "echo hello > /etc/simhost-ssh-probe").returncode == 0
    assert b.read("/etc/simhost-ssh-probe") == "hello\n"
    assert not os.path.exists("/etc/simhost-ssh-probe")


def test_jails_seen_over_ssh(make_box):
    b = make_box(ip="192.0.2.32")
    b.run("mkdir", "-p", "/jails/j1", check=True)
    b.run("jail", "-c", "name=j1", "path=/jails/j1", "host.hostname=j1", "ip4.addr=192.0.2.33", "persist",
          check=True)  # fmt: skip
    cp = ssh(b.name, "jls name ip4.addr")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "j1 192.0.2.33\n"
    # SSH_CONNECTION names the simulated host's address and sshd port (what sockstat shows for
    # sshd); SIMHOST_SSH_CONNECTION the transport address the session really came in on.
    conn = ssh(b.name, "echo $SSH_CONNECTION; echo $SIMHOST_SSH_CONNECTION").stdout.split("\n")
    assert conn[0].split()[2:] == ["192.0.2.32", "22"]
    assert conn[1].split()[2:] == [boxlib.config(b.name)["ssh_addr"], str(transport.PORT)]


def test_reboot_keeps_sshd_and_stop_ends_it(make_box):
    b = make_box(ip="192.0.2.34")
    boxlib.reboot(b.name)
    cp = ssh(b.name, "jls; uname -s")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.endswith("FreeBSD\n")
    pid = transport._pid(boxlib.boxdir(b.name))
    assert pid
    boxlib.stop(b.name)  # what destroy does first
    assert not boxlib._alive(pid)


def test_no_ssh_box(make_box):
    b = make_box(ip="192.0.2.35", ssh=False)
    with pytest.raises(boxlib.SimError, match="no transport sshd"):
        boxlib.ssh_argv(b.name, ["true"])
    inv = boxlib.inventory([b.name])
    assert inv["all"]["hosts"][b.name]["ansible_connection"] == "local"


def test_inventory_ssh_and_ansible_ping(make_box, tmp_path):
    a = make_box(ip="192.0.2.36")
    b = make_box(ip="192.0.2.37")
    assert boxlib.config(a.name)["ssh_addr"] != boxlib.config(b.name)["ssh_addr"]
    inv = subprocess.run([SIMHOST, "inventory", a.name, b.name, "--ssh", "--group", "fleet"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    path = tmp_path / "hosts.yml"
    path.write_text(inv)
    hv = subprocess.run(["ansible-inventory", "-i", str(path), "--host", a.name],
                        capture_output=True, text=True, check=True).stdout  # fmt: skip
    hv = json.loads(hv)
    assert hv["ansible_host"] == boxlib.config(a.name)["ssh_addr"]
    assert hv["ansible_port"] == transport.PORT
    assert hv["ansible_user"] == "root"
    cp = subprocess.run(["ansible", "-i", str(path), "fleet", "-m", "ansible.builtin.command", "-a", "uname -s"],
                        capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert cp.stdout.count("FreeBSD") == 2
    ini = tmp_path / "hosts.ini"
    ini.write_text(subprocess.run([SIMHOST, "inventory", a.name, "--ssh", "--ini"],
                                  capture_output=True, text=True, check=True).stdout)  # fmt: skip
    cp = subprocess.run(["ansible", "-i", str(ini), a.name, "-m", "ansible.builtin.ping"],
                        capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
    assert cp.returncode == 0, cp.stdout + cp.stderr
