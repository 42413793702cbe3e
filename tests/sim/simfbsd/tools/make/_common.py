"""What make(1)'s two modelled Makefiles share: bmake's error output, target freshness, the host name."""

import os
import socket

from ... import kernel, kstate


class MakeError(Exception):
    """A failed recipe line: ``stderr`` text already printed by the command, exit code."""

    def __init__(self, code=1, msg=None):
        super().__init__(msg or "")
        self.code = code
        self.msg = msg


def _hostname(ctx):
    if ctx.jid:
        j = kstate.jail(kernel.read_state(), ctx.jid) or {}
        return j.get("host.hostname") or j.get("name") or ""
    return socket.gethostname()


def _newer(src, target):
    """True if target must be (re)made from src."""
    try:
        t = os.stat(target).st_mtime
    except FileNotFoundError:
        return True
    try:
        return os.stat(src).st_mtime > t
    except FileNotFoundError:
        return False


def _stop(ctx, where, code=1):
    ctx.print(f"*** Error code {code}")
    ctx.err.write(f"\nStop.\nmake: stopped in {where}\n")
    return 1


def _build_seconds(ctx):
    v = ctx.env.get("SIMHOST_BUILD_SECONDS")
    if v is None:
        try:
            v = kernel.box_config().get("build_seconds", 2)
        except (OSError, ValueError):
            v = 2
    try:
        return max(0.0, float(v))
    except ValueError:
        return 2.0
