"""mount(8) / umount(8) / mount_nullfs(8) and the mounts.py interface.

src: sbin/mount/mount.c prmount()/putfsent(), mountfs(); sbin/umount/umount.c checkname()/umountfs();
sbin/mount_nullfs/mount_nullfs.c (checkpath -> err(EX_USAGE)).
"""

import json

BOOT_TABLE = "/dev/vtbd0p2 on / (ufs, local, soft-updates)\ndevfs on /dev (devfs)\n"


def py(box, code):
    prog = "import sys, json; sys.path.insert(0, '/.simhost/lib')\n" + code
    cp = box.run("/usr/bin/python3", "-SE", "-c", prog)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout


def test_table_formats(box):
    cp = box.run("mount")
    assert (cp.stdout, cp.returncode) == (BOOT_TABLE, 0)
    # putfsent(): name + tabs to column 24, type, tab, options (+tab if < 8), tab, dump/pass from /etc/fstab
    cp = box.run("mount", "-p")
    assert cp.stdout == "/dev/vtbd0p2\t\t/\t\t\tufs\trw\t\t1 1\ndevfs\t\t\t/dev\t\t\tdevfs\trw\t\t0 0\n"
    assert box.run("mount", "-t", "devfs").stdout == "devfs on /dev (devfs)\n"
    assert box.run("mount", "-t", "nodevfs").stdout == "/dev/vtbd0p2 on / (ufs, local, soft-updates)\n"


def test_nullfs_readonly_bind(box):
    box.sh("mkdir -p /srv/src /j/x && echo hello > /srv/src/f")
    cp = box.run("mount", "-t", "nullfs", "-o", "ro", "/srv/src", "/j/x")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", "", 0)
    assert box.run("mount").stdout == BOOT_TABLE + "/srv/src on /j/x (nullfs, local, read-only)\n"
    assert box.read("/j/x/f") == "hello\n"
    assert box.sh("echo no > /j/x/g").returncode != 0  # read-only
    cp = box.run("mount", "-p")
    assert cp.stdout.splitlines()[-1] == "/srv/src\t\t/j/x\t\t\tnullfs\tro\t\t0 0"
    cp = box.run("umount", "-v", "/j/x")
    assert (cp.stdout, cp.returncode) == ("/srv/src: unmount from /j/x\n", 0)
    assert box.run("ls", "/j/x").stdout == ""
    assert box.run("mount").stdout == BOOT_TABLE


def test_mount_nullfs_and_tmpfs(box):
    box.sh("mkdir -p /j/y /j/t")
    assert box.run("mount_nullfs", "/etc", "/j/y").returncode == 0
    assert box.run("test", "-f", "/j/y/rc.conf").returncode == 0
    cp = box.run("mount_nullfs", "/nonexist", "/j/y")
    assert (cp.stderr, cp.returncode) == ("mount_nullfs: /nonexist: No such file or directory\n", 64)
    assert box.run("mount", "-t", "tmpfs", "tmpfs", "/j/t").returncode == 0
    box.write("/j/t/file", "x")
    assert box.run("mount").stdout.endswith("/etc on /j/y (nullfs, local)\ntmpfs on /j/t (tmpfs, local)\n")
    assert box.run("umount", "/j/t").returncode == 0
    assert box.run("test", "-e", "/j/t/file").returncode == 1


def test_errors(box):
    box.sh("mkdir -p /j")
    cp = box.run("mount", "-t", "devfs", "devfs", "/nonexist/dev")
    # mount.c mountfs(): warn("realpath %s") with the path realpath(3) stopped at
    assert (cp.stderr, cp.returncode) == ("mount: realpath /nonexist: No such file or directory\n", 1)
    cp = box.run("mount", "-t", "devfs", "devfs", "/j/dev")
    assert (cp.stderr, cp.returncode) == ("mount: realpath /j/dev: No such file or directory\n", 1)
    cp = box.run("mount", "-t", "devfs", "devfs", "/etc/rc.conf")
    assert (cp.stderr, cp.returncode) == ("mount: devfs: Not a directory\n", 1)
    cp = box.run("umount", "/j")
    assert (cp.stderr, cp.returncode) == ("umount: /j: not a file system root directory\n", 1)
    cp = box.run("umount", "/nonexist")
    assert (cp.stderr, cp.returncode) == ("umount: /nonexist: statfs: No such file or directory\n", 1)
    cp = box.run("umount", "/etc/rc.conf")
    assert (cp.stderr, cp.returncode) == ("umount: /etc/rc.conf: unknown file system\n", 1)
    assert box.run("mount", "-Z").returncode == 1


def test_busy_and_interface(box):
    box.sh("mkdir -p /j/a")
    out = py(
        box,
        """
from simfbsd import kernel, mounts
res = {}
with kernel.Kernel() as k:
    try:
        mounts.mount(k.state, "devfs", "devfs", "/nonexist/dev", ruleset=4)
    except mounts.MountError as exc:
        res["missing"] = exc.text
    rec = mounts.mount(k.state, "tmpfs", "tmpfs", "/j/a")
    import os; os.makedirs("/j/a/dev")
    mounts.mount(k.state, "devfs", "devfs", "/j/a/dev", ruleset=4)
    try:
        mounts.unmount(k.state, "/j/a")
    except mounts.MountError as exc:
        res["busy"] = exc.text
    try:
        mounts.unmount(k.state, "/j")
    except mounts.MountError as exc:
        res["einval"] = exc.text
    res["under"] = [m["target"] for m in mounts.under(k.state, "/j/a")]
    res["ruleset"] = mounts.mounted(k.state, "/j/a/dev")["ruleset"]
    res["gone"] = [m["target"] for m in mounts.unmount_under(k.state, "/j/a")]
    res["left"] = [m["target"] for m in mounts.table(k.state)]
print(json.dumps(res))
""",
    )
    assert json.loads(out) == {
        "missing": "No such file or directory",
        "busy": "Device busy",
        "einval": "Invalid argument",
        "under": ["/j/a", "/j/a/dev"],
        "ruleset": 4,
        "gone": ["/j/a/dev", "/j/a"],
        "left": ["/", "/dev"],
    }
