"""umount(8): unmount file systems (mounts.py).

src: sbin/umount/umount.c checkname() - a name not in the mount table:
``umount: PATH: statfs: No such file or directory`` (missing),
``umount: PATH: not a file system root directory`` (a directory that is no mount point),
``umount: PATH: unknown file system`` (anything else); umountfs():
``umount: unmount of TARGET failed: Device busy``; ``-v`` prints ``FROM: unmount from TARGET``.
"""

import os

from .. import bsdgetopt, kernel, mounts

USAGE = (
    "usage: umount [-fNnv] special ... | node ... | fsid ...\n"
    "       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]\n"
)  # UNVERIFIED text (umount.c usage() not read)


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "AaF:fh:Nnt:v")
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, args = parsed
    flags = {o for o, _unused in opts}
    if not args or flags & {"a", "A", "h"}:
        ctx.err.write(USAGE)
        return 1
    force = "f" in flags
    errs = 0
    for name in args:
        mnt = name.rstrip("/") or "/"
        path = ctx.path(mnt)
        with kernel.Kernel() as k:
            table = mounts.table(k.state)
            rec = next((m for m in reversed(table) if m["target"] == path), None)
            if rec is None:
                rec = next((m for m in reversed(table) if m["source"] == name and not m.get("system")), None)
            if rec is None:
                if not os.path.exists(path):
                    ctx.warnx(f"{name}: statfs: No such file or directory")
                elif os.path.isdir(path):
                    ctx.warnx(f"{name}: not a file system root directory")
                else:
                    ctx.warnx(f"{name}: unknown file system")
                errs = 1
                continue
            try:
                mounts.unmount(k.state, rec["target"], force=force)
            except mounts.MountError as exc:
                ctx.warnx(f"unmount of {rec['target']} failed: {exc.text}")
                errs = 1
                continue
        if "v" in flags:
            ctx.print(f"{rec['source']}: unmount from {rec['target']}")
    return errs
