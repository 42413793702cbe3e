"""pfctl(8): control the packet filter (the kernel side: simfbsd/pf.py; the grammar: pfparse.py).

# src: sbin/pfctl/pfctl.c main() (getopt "a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:St:T:vx:z"; the order of
#      work: -d, -s, -F, -f, -e; "Unknown show modifier '%s'", "Unknown flush modifier '%s'",
#      "unknown command line argument: %s ...", "anchor name must not be empty", "anchors apply to -f,
#      -F, -s, and -T only", "anchor names beginning with '_' cannot be modified from the command
#      line"; with -n nothing but the parse: -d/-e/-s/-F are turned off), usage(),
#      pfctl_lookup_option() (a modifier is any prefix of a name of the list), pfctl_enable() /
#      pfctl_disable() ("pf enabled"/"pf disabled" on stderr unless -q; errx "pf already enabled",
#      "pf not enabled"), pfctl_rules() (yyerror lines, then without -n "Syntax error in config file:
#      pf rules not loaded", exit 1, the transaction rolled back: the old rules stay; "load anchors"
#      when a ``load anchor`` file fails), pfctl_show_rules() (an unknown anchor: warnx "Anchor does
#      not exist", exit 0), pfctl_show_nat() (nat, rdr, binat in that order; an unknown anchor: warnc
#      "DIOCGETRULES: Invalid argument"), pfctl_show_anchors()/pfctl_walk_show() ("  NAME"; "Anchor
#      '%s' not found."), pfctl_show_status(), pfctl_flush_rules()/pfctl_flush_nat() ("rules
#      cleared"/"nat cleared" on stderr unless -q), pf_strerror(); parse.y parse_config() ("cannot open
#      the main config file!").
Not modelled (``pfctl: -X: not modelled by the simulator``, exit 1): altq, states, tables (-t/-T),
-k/-K, -x, -z, -i, -o, -v, -g, -A/-N/-O/-R/-m/-M/-r/-S/-p, the -s modifiers other than rules, nat,
Anchors, info, Running, and the -F modifiers other than rules, nat, Tables, all.
"""

import sys

from .. import bsdgetopt, kernel, kstate, pf, pfparse

OPTSTRING = "a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:St:T:vx:z"
# usage()  UNVERIFIED: FreeBSD 14.3's exact option letters in the first line
USAGE = (
    "usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n"
    "\t[-f file] [-i interface] [-K host | network]\n"
    "\t[-k host | network | gateway | label | id] [-o level] [-p device]\n"
    "\t[-s modifier] [-t table -T command [address ...]] [-x level]\n"
)
SHOWOPT = ("queue", "rules", "Anchors", "Sources", "nat", "info", "states", "labels", "timeouts", "memory",
           "Tables", "osfp", "Running", "Interfaces", "all", "creatorids", "ether")  # fmt: skip
CLEAROPT = ("nat", "queue", "rules", "Sources", "states", "info", "Tables", "osfp", "all", "ethernet", "Reset")
MODELLED_SHOW = ("rules", "nat", "Anchors", "info", "Running")
MODELLED_CLEAR = ("rules", "nat", "Tables", "all")
UNMODELLED_OPTS = "AgiKkmMNOopRrSTtvxz"


def lookup(cmd, names):
    """pfctl_lookup_option(): the first name ``cmd`` is a prefix of."""
    if cmd:
        for n in names:
            if n.startswith(cmd):
                return n
    return None


def _usage(ctx):
    ctx.err.write(USAGE)
    return 1


def host_view(state, root):
    """What the parser sees of the machine: the host's interfaces and addresses, /etc/services."""
    ifaces = {}
    for name in kstate.host_ifaces(state):
        ifaces[name] = [e["addr"] for e in pf._iface_addrs(state, name)]
    return pfparse.Host(ifaces, root)


def main(ctx, argv):
    if not argv:
        return _usage(ctx)
    parsed = bsdgetopt.parse(ctx, argv, OPTSTRING)
    if parsed is None:
        return _usage(ctx)
    opts, args = parsed
    f = {}
    macros = {}
    for o, a in opts:
        if o in UNMODELLED_OPTS:
            ctx.errx(1, f"-{o}: not modelled by the simulator")
        if o == "h":
            return _usage(ctx)
        if o == "D":
            name, eq, value = (a or "").partition("=")
            if not eq:
                ctx.warnx(f"could not parse macro definition {a}")
            else:
                macros[name] = value
            continue
        f[o] = a
    showopt = clearopt = None
    if "s" in f:
        showopt = lookup(f["s"], SHOWOPT)
        if showopt is None:
            ctx.warnx(f"Unknown show modifier '{f['s']}'")
            return _usage(ctx)
    if "F" in f:
        clearopt = lookup(f["F"], CLEAROPT)
        if clearopt is None:
            ctx.warnx(f"Unknown flush modifier '{f['F']}'")
            return _usage(ctx)
    if args:
        ctx.warnx(f"unknown command line argument: {args[0]} ...")
        return _usage(ctx)
    for opt, name, modelled in (("s", showopt, MODELLED_SHOW), ("F", clearopt, MODELLED_CLEAR)):
        if name is not None and name not in modelled:
            ctx.errx(1, f"-{opt} {name}: not modelled by the simulator")
    quiet, noaction, numeric = "q" in f, "n" in f, "P" in f
    rdwr = any(k in f for k in "deFf")
    anchor = ""
    if "a" in f:
        anchor = f["a"]
        if anchor == "":
            ctx.errx(1, "anchor name must not be empty")
        if not rdwr and showopt is None:
            ctx.warnx("anchors apply to -f, -F, -s, and -T only")
            return _usage(ctx)
        if rdwr and (anchor.startswith("_") or "/_" in anchor):
            ctx.errx(1, "anchor names beginning with '_' cannot be modified from the command line")
        if anchor.endswith("*"):
            ctx.errx(1, "-a ANCHOR*: recursion not modelled by the simulator")
        anchor = anchor.strip("/")
    if noaction:
        f.pop("d", None)
        f.pop("e", None)
        showopt = clearopt = None
    elif ctx.jid:
        ctx.errx(1, "/dev/pf: No such file or directory")  # no pf device in a jail without its vnet
    exit_val = 0
    if "d" in f:
        with kernel.Kernel() as k:
            pfs = pf.pf_state(k.state)
            if not pfs["running"]:
                ctx.errx(1, "pf not enabled")
            pf.set_running(pfs, False)
        if not quiet:
            ctx.err.write("pf disabled\n")
    if showopt is not None:
        exit_val |= _show(ctx, showopt, anchor, numeric)
    if clearopt is not None:
        _clear(ctx, clearopt, anchor, quiet)
    if "f" in f and _rules(ctx, f["f"], anchor, noaction, macros):
        return 1
    if "e" in f:
        with kernel.Kernel() as k:
            pfs = pf.pf_state(k.state)
            if pfs["running"]:
                ctx.errx(1, "pf already enabled")
            pf.set_running(pfs, True)
        if not quiet:
            ctx.err.write("pf enabled\n")
    return exit_val


def _show(ctx, showopt, anchor, numeric):
    state = kernel.read_state()
    pfs = pf.pf_state(state)
    by_port = pfparse.services(ctx.root)[1]
    if showopt == "info":
        for line in pf.status_lines(pfs):
            ctx.print(line)
        return 0
    if showopt == "Running":
        ctx.print("Enabled" if pfs["running"] else "Disabled")
        return 0 if pfs["running"] else 1
    if showopt == "Anchors":
        if not pf.exists(pfs, anchor):
            ctx.err.write(f"Anchor '{anchor}' not found.\n")
            return 0
        _walk_show(ctx, pfs, anchor)
        return 0
    if not pf.exists(pfs, anchor):
        if showopt == "rules":
            ctx.warnx("Anchor does not exist")  # pf_strerror(EINVAL)
        else:
            ctx.warnx("DIOCGETRULES: Invalid argument")
        return 0
    rs = pf.ruleset(pfs, anchor)
    kinds = ("filter",) if showopt == "rules" else ("nat", "rdr")
    for kind in kinds:
        for r in rs[kind]:
            ctx.print(pf.fmt_rule(r, numeric, by_port))
    return 0


def _walk_show(ctx, pfs, path):
    for name in pf.children(pfs, path):
        sub = f"{path}/{name}" if path else name
        ctx.print(f"  {sub}")
        _walk_show(ctx, pfs, sub)


def _clear(ctx, clearopt, anchor, quiet):
    say = [] if quiet else None
    with kernel.Kernel() as k:
        pfs = pf.pf_state(k.state)
        ntables = len(pf.ruleset(pfs, anchor)["tables"])
        if clearopt == "rules":
            pf.flush(pfs, anchor, ("filter",))
            lines = ["rules cleared"]
        elif clearopt == "nat":
            pf.flush(pfs, anchor, ("nat", "rdr"))
            lines = ["nat cleared"]
        elif clearopt == "Tables":
            pf.flush(pfs, anchor, ("tables",))
            lines = [f"{ntables} tables deleted."]
        else:  # all: eth rules, rules, nat, tables, rules again; main: states, sources, stats  UNVERIFIED texts
            pf.flush(pfs, anchor, ("filter", "nat", "rdr", "tables"))
            lines = ["Ethernet rules cleared", "rules cleared", "nat cleared", f"{ntables} tables deleted."]
            lines.append("rules cleared")
            if not anchor:
                lines += ["0 states cleared", "source tracking entries cleared", "pf: statistics cleared"]
    if say is None:
        for line in lines:
            ctx.err.write(line + "\n")


def _read(ctx, filename):
    if filename == "-":
        return sys.stdin.read()
    try:
        with open(ctx.path(filename), encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError as exc:
        ctx.warnx(f"cannot open the main config file!: {exc.strerror}")
        return None


def _rules(ctx, filename, anchor, noaction, macros):
    """pfctl_rules() + pfctl_load_anchors(): parse everything, then commit all or nothing."""
    state = kernel.read_state()
    host = host_view(state, ctx.root)
    text = _read(ctx, filename)
    failed = text is None
    loads = []
    if not failed:
        main = pfparse.parse(text, filename if filename != "-" else "stdin", host, macros)
        for line in main.errors:
            ctx.err.write(line + "\n")
        failed = bool(main.errors)
    if failed:
        if not noaction:
            ctx.warnx("Syntax error in config file: pf rules not loaded")
        return 1
    for name, path in main.loads:
        sub = _read(ctx, path)
        parsed = None if sub is None else pfparse.parse(sub, path, host, macros)
        if parsed is None or parsed.errors:
            for line in parsed.errors if parsed else []:
                ctx.err.write(line + "\n")
            ctx.warnx("load anchors")
            return 1
        loads.append((pf.join(anchor, name), parsed))
    if noaction:
        return 0
    with kernel.Kernel() as k:
        pfs = pf.pf_state(k.state)
        pf.commit(pfs, anchor, main)
        for path, parsed in loads:
            pf.commit(pfs, path, parsed)
    return 0
