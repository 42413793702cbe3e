"""rc.d/mountlate: mount the fstab entries marked "late" (``mount -a -L``), after the network.

src: libexec/rc/rc.d/mountlate (KEYWORD: nojail); nullfs mounts of thin jails are
listed in /etc/fstab and come back at boot this way.
"""

from ..tools.mount import mount_all

NAME = "mountlate"
RCVAR = None
COMMANDS = ()
JAIL_BOOT = False


def start(ctx, rc, args):
    return mount_all(ctx, only_late=True)


def stop(ctx, rc, args):
    return 0
