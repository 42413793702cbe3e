"""freebsd-version(1): -k installed kernel, -r running kernel, -u userland, -j jail; default -u.

src: bin/freebsd-version/freebsd-version.sh.in main():
  * ``getopts "kruj:"``; an operand left over, or a bad option, is ``usage`` (exit 1);
    ``-j`` may be given more than once (the jails accumulate).
  * whatever the order on the command line, the output is -k, then -r, then -u, then one line per
    ``-j`` jail (jail_version(): ``jexec -- "$j" freebsd-version``, under ``set -e``: a jail that
    does not exist ends the script with jexec's complaint and status).
  * -u (userland_version()) prints USERLAND_VERSION, baked into the script when the world is built,
    so the userland version of a root is its own /bin/freebsd-version's (a jail's or a base
    directory's: ``chroot BASE freebsd-version``).  The host's /bin/freebsd-version is the
    simulator's shim: its userland is the box's release.
  * -k (kernel_version()) reads the installed kernel, ``$ROOT/boot/kernel/kernel``: the box's kernel
    on the host; a jail has no kernel, so ``freebsd-version: unable to locate kernel``, exit 1.
  * -r (running_version()) is ``sysctl -n kern.osrelease``: in a jail its ``osrelease`` parameter.
"""

from .. import bsdgetopt, kernel, kstate, patchlevels

USAGE = "usage: freebsd-version [-kru] [-j jail]\n"


def userland(ctx):
    """USERLAND_VERSION of the root ctx runs in, or None when that root has no freebsd-version."""
    path = ctx.path(patchlevels.VERSION_FILE)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(4096)
    except OSError:
        return None
    return patchlevels.userland_version(text) or kernel.box_config()["release"]


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "kruj:", sh=True)  # freebsd-version.sh: getopts "kruj:"
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, args = parsed
    if args:
        ctx.err.write(USAGE)
        return 1
    flags = {o for o, _arg in opts}
    jails = [a for o, a in opts if o == "j"]
    if not flags:
        flags = {"u"}
    if "k" in flags:
        if ctx.jid:
            ctx.err.write("freebsd-version: unable to locate kernel\n")
            return 1
        ctx.print(kernel.box_config()["release"])
    if "r" in flags:
        release = kernel.box_config()["release"]
        if ctx.jid:
            with kernel.Kernel(shared=True) as k:
                release = (kstate.jail(k.state, ctx.jid) or {}).get("osrelease", release)
        ctx.print(release)
    if "u" in flags:
        version = userland(ctx)
        if version is None:
            # only reachable in a jail without the script: jexec(8) finds nothing to run
            ctx.err.write("jexec: execvp: freebsd-version: No such file or directory\n")
            return 1
        ctx.print(version)
    for j in jails:
        rc = _jail_version(ctx, j)
        if rc:
            return rc
    return 0


def _jail_version(ctx, jail):
    """jail_version(): ``jexec -- "$j" freebsd-version``."""
    from .. import tool

    return tool.run("jexec", ["--", jail, "freebsd-version"], tool.Ctx("jexec", ctx.jid, ctx.root, ctx.out, ctx.err))
