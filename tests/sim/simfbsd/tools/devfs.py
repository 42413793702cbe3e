"""devfs(8): rule subsystem and rulesets of devfs mounts (tests/fixtures/freebsd/BEHAVIOUR.md §7, devfs.8).

src: sbin/devfs/devfs.c main() (``-m mount-point``, keywords ``rule``/``ruleset``),
sbin/devfs/rule.c (commands, rulespec parsing, ``show`` format, error texts: the
program name becomes ``devfs rule`` / ``devfs ruleset`` - setprogname()).
"""

import sys

from .. import bsdgetopt, devfsrules, kernel, mounts

USAGE = "usage: devfs [-m mount-point] keyword argument ...\n"  # src: devfs.c usage() (UNVERIFIED text)
RULE_CMDS = ("add", "apply", "applyset", "del", "delset", "show", "showsets")


def _usage(ctx):
    ctx.err.write(USAGE)
    return 1


def _mount_rec(ctx, state, mp):
    """The devfs mount at ``mp`` (DEVFSIO_* ioctls on a non-devfs file fail with ENOTTY)."""
    rec = mounts.mounted(state, ctx.path(mp))
    if rec is None or rec["fstype"] != "devfs":
        return None
    return rec


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "m:")  # src: sbin/devfs/devfs.c main()
    if parsed is None:
        return _usage(ctx)
    opts, args = parsed
    mp = opts[-1][1] if opts else "/dev"
    if not args:
        return _usage(ctx)
    if args[0] == "rule":
        return rule_main(ctx, mp, args[1:])
    if args[0] == "ruleset":
        return ruleset_main(ctx, mp, args[1:])
    ctx.warnx(f"unknown keyword: {args[0]}")  # UNVERIFIED text (devfs.c)
    return _usage(ctx)


def _fail(ctx, prog, msg):
    ctx.err.write(f"{prog}: {msg}\n")
    return 1


def ruleset_main(ctx, mp, args):
    prog = "devfs ruleset"
    if not args:
        return _usage(ctx)
    try:
        rsnum = devfsrules.eatoi(args[0])
    except devfsrules.RuleError as exc:
        return _fail(ctx, prog, str(exc))
    with kernel.Kernel() as k:
        rec = _mount_rec(ctx, k.state, mp)
        if rec is None:
            return _fail(ctx, prog, "ioctl DEVFSIO_SUSE: Inappropriate ioctl for device")
        devfsrules.use(k.state, rec, rsnum)
    return 0


def _rule_args(ctx, args):
    """getopt("s:") of rule_main(); (None, None) after getopt's complaint."""
    parsed = bsdgetopt.parse(ctx, args, "s:")
    if parsed is None:
        return None, None
    opts, rest = parsed
    return (opts[-1][1] if opts else 0), rest


def _read_stdin_rules(ctx, root):
    out = []
    for line in sys.stdin.read().splitlines():
        words = line.split()
        out.append(devfsrules.parse_rulespec(words, root))
    return out


def rule_main(ctx, mp, args):
    prog = "devfs rule"
    rsnum, rest = _rule_args(ctx, args)
    if rsnum is None or not rest:
        return _usage(ctx)
    try:
        rsnum = devfsrules.eatoi(str(rsnum))
    except devfsrules.RuleError as exc:
        return _fail(ctx, prog, str(exc))
    cmd = rest[0]
    if cmd not in RULE_CMDS:
        return _fail(ctx, prog, f"unknown command: {cmd}")
    root = ctx.root or "/"
    try:
        # Parse before taking the lock: rulespec errors are errx() before any ioctl.
        specs = None
        if cmd == "add":
            if len(rest) < 2:
                return _usage(ctx)
            specs = _read_stdin_rules(ctx, root) if rest[1] == "-" else [devfsrules.parse_rulespec(rest[1:], root)]
        elif cmd == "apply":
            if len(rest) < 2:
                return _usage(ctx)
            if devfsrules.atonum(rest[1]) is None:
                specs = _read_stdin_rules(ctx, root) if rest[1] == "-" else [devfsrules.parse_rulespec(rest[1:], root)]
        elif (cmd in ("applyset", "delset", "showsets") and len(rest) != 1) or (cmd == "del" and len(rest) < 2):
            return _usage(ctx)
        num = devfsrules.eatoi(rest[1]) if cmd in ("del", "show") and len(rest) > 1 else None
        if cmd == "apply" and specs is None:
            num = devfsrules.eatoi(rest[1])
    except devfsrules.RuleError as exc:
        return _fail(ctx, prog, str(exc))
    with kernel.Kernel() as k:
        st = k.state
        rec = _mount_rec(ctx, st, mp)
        if rec is None:
            return _fail(ctx, prog, f"ioctl DEVFSIO_{_IOCTL[cmd]}: Inappropriate ioctl for device")
        # devfs_rid_input(): ruleset 0 means the mount-point's current ruleset.
        rs = rsnum or rec.get("ruleset") or 0
        try:
            if cmd == "add":
                for spec in specs:
                    devfsrules.add_rule(st, rs, spec)
            elif cmd == "apply":
                if specs is not None:
                    for spec in specs:
                        devfsrules.apply_rule(st, rec, spec)
                else:
                    rule = next((r for r in devfsrules.rules(st, rs) if r["num"] == num), None)
                    if rule is None:
                        raise devfsrules.DevfsError("No such file or directory")
                    devfsrules.apply_rule(st, rec, rule)
            elif cmd == "applyset":
                devfsrules.applyset(st, rec, rs)
            elif cmd == "del":
                devfsrules.del_rule(st, rs, num)
            elif cmd == "delset":
                devfsrules.delset(st, rs)
            elif cmd == "show":
                rules = devfsrules.rules(st, rs)
                if num is not None:
                    nxt = next((r for r in rules if r["num"] > num - 1), None)
                    if nxt is None:
                        raise devfsrules.DevfsError("No such file or directory")
                    rules = [nxt] if nxt["num"] == num else []
                for r in rules:
                    ctx.print(devfsrules.format_rule(r, root))
            elif cmd == "showsets":
                for n in devfsrules.showsets(st):
                    ctx.print(n)
        except devfsrules.DevfsError as exc:
            what = "" if len(rest) > 1 and rest[1] == "-" else f" DEVFSIO_{_IOCTL[cmd]}"
            return _fail(ctx, prog, f"ioctl{what}: {exc}")
    return 0


_IOCTL = {
    "add": "RADD", "apply": "RAPPLY", "applyset": "SAPPLY", "del": "RDEL", "delset": "RDEL",
    "show": "RGETNEXT", "showsets": "SGETNEXT",
}  # fmt: skip
