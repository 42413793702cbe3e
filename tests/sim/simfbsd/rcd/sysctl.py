"""rc.d/sysctl: apply /etc/sysctl.conf and /etc/sysctl.conf.local (``sysctl -i -f FILE``).

# src: libexec/rc/rc.d/sysctl (parse_file runs sysctl on each file; output to the console)
"""

import io
import os

NAME = "sysctl"
RCVAR = None
COMMANDS = ("reload", "lastload")


def start(ctx, rc, args):
    from ..tools import sysctl

    for f in ("/etc/sysctl.conf", "/etc/sysctl.conf.local"):
        if os.path.isfile(ctx.path(f)):
            out = io.StringIO()
            sysctl.main(_Quiet(ctx, out), ["-i", "-f", f])
    return 0


class _Quiet:
    """The ctx of the sysctl run: same system, output kept from boot's stdout."""

    def __init__(self, ctx, out):
        self.__dict__.update(ctx.__dict__)
        self.out = out
        self._ctx = ctx

    def print(self, *a, **kw):
        print(*a, file=self.out, **kw)

    def warnx(self, msg):
        print(f"sysctl: {msg}", file=self._ctx.err)

    def path(self, p):
        return self._ctx.path(p)


def stop(ctx, rc, args):
    return 0


def reload(ctx, rc, args):
    return start(ctx, rc, args)


lastload = reload
