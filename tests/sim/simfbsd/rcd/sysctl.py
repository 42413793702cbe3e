"""rc.d/sysctl: apply /etc/sysctl.conf and /etc/sysctl.conf.local.

# src: libexec/rc/rc.d/sysctl sysctl_start(): ``start`` runs ``sysctl -i -f FILE``, ``reload`` and
# ``lastload`` (``sysctl_start last``) run ``sysctl -f FILE`` (unknown oids are then errors), for each
# readable file; stdout to /dev/null, stderr to the console.  The function's status is the last
# ``if``'s: that of the sysctl of sysctl.conf.local, or 0 when that file is not readable; rc.subr
# _run_rc_doit() turns a failure into 1.
"""

import io
import os

NAME = "sysctl"
RCVAR = None
COMMANDS = ("reload", "lastload")


def _sysctl_start(ctx, last):
    from ..tools import sysctl

    status = 0
    for f in ("/etc/sysctl.conf", "/etc/sysctl.conf.local"):
        status = 0
        if os.access(ctx.path(f), os.R_OK):
            argv = ["-f", f] if last else ["-i", "-f", f]
            try:
                rc = sysctl.main(_Quiet(ctx, io.StringIO()), argv)
            except SystemExit as exc:  # err()/errx() in sysctl
                rc = exc.code
            status = 1 if rc else 0
    return status


def start(ctx, rc, args):
    return _sysctl_start(ctx, last=False)


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

    def errx(self, code, msg):
        self.warnx(msg)
        raise SystemExit(code)

    def path(self, p):
        return self._ctx.path(p)


def stop(ctx, rc, args):
    return 0


def reload(ctx, rc, args):
    return _sysctl_start(ctx, last=True)


lastload = reload
