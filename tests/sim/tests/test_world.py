"""The small world: /usr/freebsd-dist/base.txz + MANIFEST on every box, and make buildworld/installworld/
distribution/world in --with-src boxes (world.py, tools/make/).
MANIFEST format: src release/scripts/make-manifest.sh (name, sha256, `tar tvf | wc -l`, dist, "desc", on)."""

import re
import time

import pytest
from simfbsd import box as boxlib
from simfbsd import kernel

WORLD_PATHS = (
    "./bin/sh", "./bin/ls", "./usr/bin/env", "./etc/rc", "./etc/rc.shutdown", "./etc/defaults/rc.conf",
    "./etc/passwd", "./etc/group", "./etc/master.passwd", "./etc/services", "./dev", "./tmp", "./var/run", "./root",
)  # fmt: skip


def test_base_txz_and_manifest(box):
    manifest = box.read("/usr/freebsd-dist/MANIFEST")
    m = re.fullmatch(r'base\.txz\t([0-9a-f]{64})\t(\d+)\tbase\t"Base system \(MANDATORY\)"\ton\n', manifest)
    assert m, manifest
    sha = box.run("sha256sum", "/usr/freebsd-dist/base.txz").stdout.split()[0]
    assert sha == m.group(1)
    assert box.sh("tar -tvf /usr/freebsd-dist/base.txz | wc -l").stdout == f"{m.group(2)}\n"
    cp = box.sh("mkdir -p /jails/b && tar -xf /usr/freebsd-dist/base.txz -C /jails/b && echo done")
    assert (cp.stdout, cp.returncode) == ("done\n", 0)
    cp = box.run("chroot", "/jails/b", "/bin/sh", "-c", "echo ok; ls /bin/sh; freebsd-version; id -u")
    assert (cp.stdout, cp.returncode) == ("ok\n/bin/sh\n14.3-RELEASE\n0\n", 0)
    names = {n.rstrip("/") for n in box.sh("tar -tf /usr/freebsd-dist/base.txz").stdout.split()}
    for f in WORLD_PATHS:
        assert f in names, f
    assert box.read("/jails/b/etc/defaults/rc.conf") == box.read("/etc/defaults/rc.conf")
    # etc/master.passwd through pwd_mkdb -p (FreeBSD 14: root's shell is /bin/sh, toor's is empty)
    assert box.read("/jails/b/etc/passwd").splitlines()[:3] == [
        "#",
        "root:*:0:0:Charlie &:/root:/bin/sh",
        "toor:*:0:0:Bourne-again Superuser:/root:",
    ]
    assert box.read("/jails/b/etc/group") == box.read("/etc/group")  # the world's accounts are the host's


def test_base_txz_is_cached(make_box):
    a = make_box()
    t0 = time.time()
    b = make_box()
    assert time.time() - t0 < 2.0  # box creation stays under 2 s with the cached tarball
    assert a.read("/usr/freebsd-dist/MANIFEST") == b.read("/usr/freebsd-dist/MANIFEST")


@pytest.fixture
def srcbox(make_box):
    b = make_box(with_src=True)
    return b


def test_src_tree(srcbox):
    text = srcbox.read("/usr/src/sys/conf/newvers.sh")
    assert 'REVISION="14.3"' in text and 'BRANCH="RELEASE"' in text
    cp = srcbox.run("make", "-C", "/usr/src", "installworld", "DESTDIR=/tmp/w")
    assert cp.returncode == 1
    assert cp.stderr == "ERROR: Please run make buildworld first\n\nStop.\nmake: stopped in /usr/src\n"
    assert cp.stdout.endswith("*** Error code 1\n")


def test_buildworld_installworld_distribution(srcbox):
    env = {"SIMHOST_BUILD_SECONDS": "1"}
    t0 = time.time()
    cp = boxlib.run(srcbox.name, ["make", "-C", "/usr/src", "buildworld"], env=env, capture_output=True, text=True)
    assert cp.returncode == 0, cp.stderr
    assert time.time() - t0 >= 1.0  # each step takes build_seconds: a needless rebuild is measurable
    assert re.search(r"^>>> World build completed on .*\n>>> World built in \d+ seconds", cp.stdout, re.M)
    srcbox.run("mkdir", "-p", "/jails/w")
    for target in ("installworld", "distribution"):
        cp = boxlib.run(srcbox.name, ["make", "-C", "/usr/src", target, "DESTDIR=/jails/w"], env=env,
                        capture_output=True, text=True)  # fmt: skip
        assert cp.returncode == 0, cp.stderr
    cp = srcbox.run("chroot", "/jails/w", "/bin/sh", "-c", "echo ok; cat /etc/group | grep -c wheel")
    assert (cp.stdout, cp.returncode) == ("ok\n1\n", 0)
    cp = srcbox.run("make", "-C", "/usr/src", "installworld", "DESTDIR=/nonexist")
    assert cp.returncode == 1 and cp.stderr.startswith("mtree: /nonexist/: No such file or directory\n")


def test_world_target_and_fault(srcbox):
    kdir = boxlib.boxdir(srcbox.name) + "/kernel"
    cfg = kernel.box_config(kdir)
    cfg["build_seconds"] = 0
    kernel.write_json_atomic(kdir + "/box.json", cfg)
    srcbox.run("mkdir", "-p", "/jails/x")
    cp = srcbox.sh("cd /usr/src && make world DESTDIR=/jails/x >/dev/null && chroot /jails/x /bin/sh -c 'echo ok'")
    assert (cp.stdout, cp.returncode) == ("ok\n", 0)
    boxlib.add_fault(srcbox.name, "make", match="buildworld", rc=2, stderr="make: simulated failure")
    cp = srcbox.run("make", "-C", "/usr/src", "buildworld")
    assert (cp.stderr, cp.returncode) == ("make: simulated failure\n", 2)
    assert srcbox.run("make", "-C", "/usr/src", "buildworld").returncode == 0  # the fault fired once
    cp = srcbox.run("make", "-C", "/usr/src", "nosuch")
    assert (cp.stderr, cp.returncode) == ("make: don't know how to make nosuch. Stop\n\nmake: stopped in /usr/src\n", 2)
