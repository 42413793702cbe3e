"""rc.d/jail (src: libexec/rc/rc.d/jail; reference copy rc.d-jail, tests/fixtures/freebsd/BEHAVIOUR.md §10).

Modelled: jail_start/jail_stop/jail_status, ``${jail_list:-_ALL}``, jail_conf,
jail_flags, jail_parallel_start (run one after another here: same output),
jail_reverse_stop, the per-jail config choice of parse_options()
(jail_NAME_conf or /etc/jail.NAME.conf, /etc/jail.conf.d/NAME.conf unless
jail.conf .includes that directory, $jail_conf) and /var/run/jail_NAME.id.
Not modelled: the obsolete jail_NAME_rootdir/hostname/ip variables, config
and console.  jail(8), jls(8) run in this process through ``tool.run``.

Start order (src: jail_start(); jail(8)'s usr.sbin/jail/state.c and jail.c main()): without
jail_list, the one ``jail -c`` orders every jail by ``depend`` (-p1: one at a time).  With
jail_list, each ``jail -c NAME`` in list order starts what NAME depends on first, so a listed
dependency that comes later fails with ``"NAME" already exists`` and gets no jail_NAME.id.
With jail_parallel_start=YES FreeBSD runs those jail(8)s at once (each in a subshell, then
``wait``); here they run in list order, so two of them racing to create the same dependency
is not modelled.
"""

import io
import os
import re

from .. import rcconf, tool

NAME = "jail"
DESC = "Manage system jails"
RCVAR = "jail_enable"
COMMANDS = ("status",)
JAIL_BOOT = False  # KEYWORD: nojail

_INCLUDE_D = re.compile(r"^\s*\.include\s*[\"']?/etc/jail.conf.d/", re.M)


def _tool(ctx, name, argv):
    out, err = io.StringIO(), io.StringIO()
    c = tool.Ctx(name, jid=ctx.jid, root=ctx.root, stdout=out, stderr=err)
    status = tool.run(name, argv, c)
    return status, out.getvalue(), err.getvalue()


def _msg(ctx, rc, text, end="\n"):
    """rc.subr startmsg: quiet under rc_quiet unless rc_startmsgs."""
    if rc.get("rc_quiet") == "yes" and not rcconf.yes(rc.get("rc_startmsgs", "YES")):
        return
    ctx.out.write(text + end)


def _conf(ctx, rc, j, jv):
    """parse_options(): which file describes jail ``j``."""
    jail_conf = rc.get("jail_conf") or "/etc/jail.conf"
    jconf = rc.get(f"jail_{jv}_conf") or f"/etc/jail.{j}.conf"
    jconfdir = f"/etc/jail.conf.d/{j}.conf"
    if os.access(ctx.path(jconf), os.R_OK):
        return jconf
    if os.access(ctx.path(jconfdir), os.R_OK) and not _INCLUDE_D.search(rcconf.read(ctx.path(jail_conf))):
        return jconfdir
    if os.access(ctx.path(jail_conf), os.R_OK):
        return jail_conf
    # warn "Invalid configuration for $_j " "(no jail.conf, ...).  " "Jail $_j was ignored.": rc.subr
    # warn() prints "$0: WARNING: $*", the three words joined by single blanks
    ctx.err.write(
        f"/etc/rc.d/jail: WARNING: Invalid configuration for {j}  (no jail.conf, no hostname, or no path).   "
        f"Jail {j} was ignored.\n"
    )
    return None


def _names(j):
    j = j.replace("/", "_").replace(".", "_")
    return j, re.sub(r"[^A-Za-z0-9]", "_", j)


def _write_id(ctx, name, jid):
    try:
        with open(ctx.path(f"/var/run/jail_{name}.id"), "w", encoding="utf-8") as f:
            f.write(f"{jid}\n")
    except OSError:
        pass


def _rm_id(ctx, name):
    try:
        os.unlink(ctx.path(f"/var/run/jail_{name}.id"))
    except OSError:
        pass


def _list(rc, args):
    if args:
        return list(args)
    return rc.get("jail_list", "").split() or ["_ALL"]


def start(ctx, rc, args):
    names = _list(rc, args)
    flags = rc.get("jail_flags", "").split()
    _msg(ctx, rc, "Starting jails:", end="")
    if names[0] == "_ALL":
        argv = [*flags, "-f", rc.get("jail_conf") or "/etc/jail.conf", "-c"]
        if not rcconf.yes(rc.get("jail_parallel_start")):
            argv.append("-p1")
        status, out, err = _tool(ctx, "jail", argv)
        if status == 0:
            _s, listing, _e = _tool(ctx, "jls", ["jid", "name"])
            for line in listing.splitlines():
                jid, _unused, name = line.partition(" ")
                _msg(ctx, rc, f" {name}", end="")
                _write_id(ctx, name, jid)
        else:
            ctx.out.write(out + err)
        _msg(ctx, rc, ".")
        return 0
    for j in names:
        j, jv = _names(j)
        conf = _conf(ctx, rc, j, jv)
        if conf is None:
            continue
        jflags = (rc.get(f"jail_{jv}_flags") or rc.get("jail_flags", "")).split()
        status, out, err = _tool(ctx, "jail", [*jflags, "-i", "-f", conf, "-c", j])
        if status == 0:
            _msg(ctx, rc, f" {j}", end="")
            _s, jid, _e = _tool(ctx, "jls", ["-j", j, "jid"])
            _write_id(ctx, j, jid.strip())
        else:
            # startmsg " cannot start jail " "\"${_hostname:-${_j}}\": ": rc.subr startmsg() echoes "$@",
            # so the two words are joined by a space (two blanks before the name)
            _msg(ctx, rc, f' cannot start jail  "{j}": ')
            ctx.out.write(out + err)
    _msg(ctx, rc, ".")
    return 0


def stop(ctx, rc, args):
    names = _list(rc, args)
    ctx.out.write("Stopping jails:")
    if names[0] == "_ALL":
        flags = rc.get("jail_flags", "").split()
        _s, listing, _e = _tool(ctx, "jls", ["name"])
        running = listing.split()
        if rcconf.yes(rc.get("jail_reverse_stop")) and not args:
            running.reverse()
        for j in running:
            ctx.out.write(f" {j}")
            _st, out, err = _tool(ctx, "jail", [*flags, "-f", rc.get("jail_conf") or "/etc/jail.conf", "-r", j])
            if _tool(ctx, "jls", ["-j", j])[0] == 0:
                ctx.out.write(out + err)
            else:
                _rm_id(ctx, j)
        ctx.out.write(".\n")
        return 0
    if rcconf.yes(rc.get("jail_reverse_stop")) and not args:
        names.reverse()
    for j in names:
        j, jv = _names(j)
        conf = _conf(ctx, rc, j, jv)
        if conf is None or _tool(ctx, "jls", ["-j", j])[0] != 0:
            continue
        ctx.out.write(f" {j}")
        _st, out, err = _tool(ctx, "jail", ["-q", "-f", conf, "-r", j])
        if _tool(ctx, "jls", ["-j", j])[0] == 0:
            ctx.out.write(out + err)
        else:
            _rm_id(ctx, j)
    ctx.out.write(".\n")
    return 0


def status(ctx, rc, args):
    """jail_status(): ``jls -N``."""
    st, out, err = _tool(ctx, "jls", ["-N"])
    ctx.out.write(out)
    ctx.err.write(err)
    return st
