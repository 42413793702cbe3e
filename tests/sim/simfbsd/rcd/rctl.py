"""rc.d/rctl: load the rctl(8) rules of $rctl_rules (/etc/rctl.conf) at boot; ``stop`` removes all.

# src: libexec/rc/rc.d/rctl rctl_start(): when the file exists, ``while read var comments`` keeps
# the first word of every line (sh(1) read: leading blanks dropped, the rest of the line -- a
# trailing comment -- goes to ``comments``), skips lines whose word starts with ``#`` and empty
# ones, and pipes the words to ``xargs rctl -a`` (one rctl run for all of them here: xargs(1)
# packs the arguments); rctl_stop(): ``rctl -r :``.  rcvar rctl_enable, YES in
# libexec/rc/rc.conf (``rctl_rules="/etc/rctl.conf"``); ``# KEYWORD: nojail``.
"""

import os

NAME = "rctl"
RCVAR = "rctl_enable"
DESC = "Manage resource limits"
COMMANDS = ()


def rules(text):
    """The words rctl_start() hands to ``xargs rctl -a``."""
    words = []
    for line in text.split("\n"):
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            words.append(parts[0])
    return words


def _rctl(ctx, argv):
    from .. import tool

    run_ctx = tool.Ctx("rctl", jid=ctx.jid, root=ctx.root, stdout=ctx.out, stderr=ctx.err)
    return tool.run("rctl", argv, ctx=run_ctx, record=False)


def start(ctx, rc, args):
    path = rc.get("rctl_rules", "/etc/rctl.conf")
    if not os.path.isfile(ctx.path(path)):
        return 0
    with open(ctx.path(path), encoding="utf-8", errors="replace") as f:
        words = rules(f.read())
    if not words:
        return 0  # FreeBSD's xargs(1) runs nothing on empty input (usr.bin/xargs/xargs.c, its -r note)
    return 1 if _rctl(ctx, ["-a", *words]) else 0


def stop(ctx, rc, args):
    return 1 if _rctl(ctx, ["-r", ":"]) else 0
