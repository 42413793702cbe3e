"""Boot and reboot: rc.conf services come back, runtime sysctls are gone; ansible -m setup works."""

import json
import os
import subprocess

from simfbsd import box as boxlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_reboot(box):
    box.run("sysctl", "net.inet.ip.forwarding=1", check=True)
    box.run("sysrc", "inetd_enable=YES", check=True)
    box.run("service", "sshd", "stop", check=True)
    boxlib.reboot(box.name)
    assert box.run("sysctl", "-n", "net.inet.ip.forwarding").stdout == "0\n"
    assert box.run("service", "sshd", "status").returncode == 0
    assert box.run("service", "inetd", "status").returncode == 0
    assert box.run("hostname").stdout == f"{box.name}\n"


def test_ansible_setup(box, tmp_path):
    inv = tmp_path / "inv.json"
    inv.write_text(json.dumps(boxlib.inventory([box.name])))
    cp = subprocess.run(
        [os.path.join(REPO, ".venv/bin/ansible"), "-i", str(inv), box.name, "-m", "setup", "-o"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert cp.returncode == 0, cp.stdout + cp.stderr
    # only the -o deprecation notes; no warning about a failed command
    bad = [ln for ln in cp.stderr.splitlines() if "WARNING" in ln and "deprecation" not in ln.lower()]
    assert bad == []
    facts = json.loads(cp.stdout.split(" => ", 1)[1])["ansible_facts"]
    assert facts["ansible_system"] == "FreeBSD"
    assert facts["ansible_distribution"] == "FreeBSD"
    assert facts["ansible_distribution_version"] == "14.3"
    assert facts["ansible_default_ipv4"]["address"] == box.ip
    assert facts["ansible_hostname"] == box.name


def test_boot_mounts_fstab_nullfs_entries(box):
    # rc.d/mountcritlocal runs `mount -a`, rc.d/mountlate `mount -a -L` (sbin/mount/mount.c:
    # noauto skipped, late only with -l/-L): a thin jail's nullfs mounts come back at boot.
    box.sh("mkdir -p /base/bin /j/bin /j/lib /j/opt /base/lib /base/opt && touch /base/bin/sh")
    box.write(
        "/etc/fstab",
        box.read("/etc/fstab")
        + "/base/bin\t/j/bin\tnullfs\tro\t0\t0\n"
        + "/base/lib\t/j/lib\tnullfs\tro,late\t0\t0\n"
        + "/base/opt\t/j/opt\tnullfs\tro,noauto\t0\t0\n",
    )
    boxlib.reboot(box.name)
    table = box.run("mount").stdout
    assert "/base/bin on /j/bin (nullfs, local, read-only)" in table
    assert "/base/lib on /j/lib (nullfs, local, read-only)" in table
    assert "/j/opt" not in table
    assert box.run("test", "-e", "/j/bin/sh").returncode == 0
    # mount -a again mounts nothing twice; -a -L only the late ones
    assert box.run("mount", "-a").returncode == 0
    assert box.run("mount").stdout.count("/j/bin") == 1
