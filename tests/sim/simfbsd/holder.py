"""The process that keeps a box's namespace alive.

Started by box.start() as ``unshare --mount --uts --propagation private
python3 holder.py BOXDIR``: it mounts the box's overlay of / once (two
overlay mounts sharing one upper dir are undefined behaviour, so never once
per call), bind-mounts what must be shared with the Linux side, sets the
box's hostname and then sleeps until ``simhost destroy``/``reboot`` ends it.
Every call into the box enters this namespace with nsenter(1).
"""

import json
import os
import signal
import socket
import subprocess
import sys


def sh(*argv):
    subprocess.run(argv, check=True)


def main(boxdir):
    with open(os.path.join(boxdir, "kernel", "box.json"), encoding="utf-8") as f:
        box = json.load(f)
    merged = os.path.join(boxdir, "merged")
    sh(
        "mount", "-t", "overlay", "overlay", "-o",
        f"lowerdir=/,upperdir={boxdir}/upper,workdir={boxdir}/work", merged,
    )  # fmt: skip
    for d in ("proc", "sys", "dev", "tmp"):
        sh("mount", "--rbind", f"/{d}", os.path.join(merged, d))
    # Ansible's local connection keeps module files in ~/.ansible/tmp.
    home_ansible = os.path.join(os.path.expanduser("~"), ".ansible")
    os.makedirs(home_ansible, exist_ok=True)
    target = os.path.join(merged, home_ansible.lstrip("/"))
    os.makedirs(target, exist_ok=True)
    sh("mount", "--bind", home_ansible, target)
    shared = ((box["lib"], ".simhost/lib", True), (os.path.join(boxdir, "kernel"), ".simhost/kernel", False))
    for src, dst, ro in shared:
        target = os.path.join(merged, dst)
        os.makedirs(target, exist_ok=True)
        sh("mount", "--bind", src, target)
        if ro:
            sh("mount", "-o", "remount,bind,ro", target)
    socket.sethostname(box["name"])
    with open(os.path.join(boxdir, "holder.pid.tmp"), "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(os.path.join(boxdir, "holder.pid.tmp"), os.path.join(boxdir, "holder.pid"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main(sys.argv[1])
