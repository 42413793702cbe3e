"""rc.d/mountcritlocal: mount the local file systems of /etc/fstab (``mount -a``), early in boot.

src: libexec/rc/rc.d/mountcritlocal (KEYWORD: nojail); nullfs mounts of thin jails are
listed in /etc/fstab and come back at boot this way.
"""

from ..tools.mount import mount_all

NAME = "mountcritlocal"
RCVAR = None
COMMANDS = ()
JAIL_BOOT = False


def start(ctx, rc, args):
    return mount_all(ctx)


def stop(ctx, rc, args):
    return 0
