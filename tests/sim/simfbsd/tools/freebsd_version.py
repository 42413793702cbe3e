"""freebsd-version(1): -k kernel, -r running kernel, -u userland; default -u."""

import getopt

from .. import kernel


def main(ctx, argv):
    try:
        opts, _args = getopt.getopt(argv, "kru")
    except getopt.GetoptError as exc:
        ctx.err.write(f"freebsd-version: illegal option -- {exc.opt}\nusage: freebsd-version [-kru] [-j jail]\n")
        return 1
    release = kernel.box_config()["release"]
    flags = [o[1] for o, _arg in opts] or ["u"]
    for _flag in flags:
        ctx.print(release)
    return 0
