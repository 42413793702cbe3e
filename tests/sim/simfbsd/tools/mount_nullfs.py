"""mount_nullfs(8): ``mount_nullfs [-o options] target mount-point`` (src: sbin/mount_nullfs/mount_nullfs.c)."""

from .. import bsdgetopt
from . import mount


def main(ctx, argv):
    opts, args = bsdgetopt.parse(ctx, argv, "o:") or (None, [])
    if opts is None or len(args) != 2:
        ctx.err.write("usage: mount_nullfs [-o options] target mount-point\n")
        return 64  # EX_USAGE
    return mount.do_mount(ctx, "nullfs", args[0], args[1], [a for _o, a in opts], prog="mount_nullfs")
