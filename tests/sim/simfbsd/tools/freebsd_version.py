"""freebsd-version(1): -k kernel, -r running kernel, -u userland; default -u."""

from .. import bsdgetopt, kernel


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "kru", sh=True)  # freebsd-version.sh: getopts
    if parsed is None:
        ctx.err.write("usage: freebsd-version [-kru] [-j jail]\n")
        return 1
    opts, _args = parsed
    release = kernel.box_config()["release"]
    flags = [o for o, _arg in opts] or ["u"]
    for _flag in flags:
        ctx.print(release)
    return 0
