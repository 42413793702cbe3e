"""sysrc(8): query and change rc.conf(5) variables.

Behaviour from sysrc.8 and FreeBSD's usr.sbin/sysrc/tests/sysrc_test.sh (exact
outputs, ported in tests/test_sysrc.py); tests/fixtures/freebsd/BEHAVIOUR.md §9.
  query   ``name: value`` (-n value, -N name, -e ``name="value"``, -F file, -v ``file: name: value``)
  set     ``name: old -> new``; file gets ``name="value"``: the last occurrence in the
          last file holding it is replaced in place, else appended to the first file.
  +=, -=  list items; the delimiter is the value's first char if not alphanumeric, else space.
  -x      delete every assignment of name; -c check only; -a/-A dump; -d description.
Unknown variables: ``sysrc: unknown variable 'NAME'`` on stderr, exit 1, the other
arguments are still processed.
"""

import os
import re

from .. import bsdgetopt, kernel, kstate, rcconf

USAGE = "Usage: sysrc [OPTIONS] name[[+|-]=value] ...\nTry `sysrc --help' for more information.\n"
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULTS = "/etc/defaults/rc.conf"


class Conf:
    """The rc.conf files of one sysrc invocation and what they define."""

    def __init__(self, ctx, root, files, defaults, errors=True):
        self.ctx = ctx
        self.root = root
        self.defaults = defaults
        self.env = {}
        self.where = {}  # name -> last file assigning it
        self.in_files = []  # names assigned in the rc_conf_files, in order
        for _assignment in rcconf.parse_assignments(rcconf.read(self.rpath(defaults)), self.env):
            pass
        self.default_env = dict(self.env)
        if files is None:
            text = rcconf.read(self.rpath(defaults))
            if defaults != DEFAULTS and "source_rc_confs" not in text:
                if errors:
                    # the shell error of sysrc calling the missing function (sysrc_test.sh A_flag)
                    ctx.err.write("/usr/sbin/sysrc: source_rc_confs: not found\n")
                files = []
            else:
                files = self.env.get("rc_conf_files", "/etc/rc.conf /etc/rc.conf.local").split()
        self.files = files
        for f in files:
            for name, _value in rcconf.parse_assignments(rcconf.read(self.rpath(f)), self.env):
                self.where[name] = f
                if name not in self.in_files:
                    self.in_files.append(name)

    def rpath(self, path):
        if self.root in ("/", "") or not path.startswith("/"):
            return path
        return os.path.join(self.root, path.lstrip("/"))

    def defined(self, name):
        return name in self.env

    def description(self, name):
        for line in rcconf.read(self.rpath(self.defaults)).splitlines():
            m = re.match(r"^\s*" + re.escape(name) + r"=.*?#\s?(.*)$", line)
            if m:
                return m.group(1).strip()
        return ""


def _quote(value):
    return '"' + re.sub(r'(["\\$`])', r"\\\1", value) + '"'


def _assign_re(name):
    return re.compile(r"^[ \t]*" + re.escape(name) + r"=")


def write_var(conf, name, value):
    """Replace the last assignment in the last file holding ``name``, else append to the first file."""
    target = conf.where.get(name) or (conf.files[0] if conf.files else "/etc/rc.conf")
    path = conf.rpath(target)
    text = rcconf.read(path)
    lines = text.splitlines(keepends=True)
    pat = _assign_re(name)
    new = f"{name}={_quote(value)}\n"
    for i in range(len(lines) - 1, -1, -1):
        if pat.match(lines[i]):
            lines[i] = new
            break
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(new)
    _write(path, "".join(lines))
    conf.where[name] = target
    conf.env[name] = value
    return target


def delete_lines(conf, name):
    """-x: drop every assignment of ``name`` from every file; returns the files changed."""
    pat = _assign_re(name)
    changed = []
    for f in conf.files:
        path = conf.rpath(f)
        if not os.path.exists(path):
            continue
        lines = rcconf.read(path).splitlines(keepends=True)
        keep = [ln for ln in lines if not pat.match(ln)]
        if len(keep) != len(lines):
            _write(path, "".join(keep))
            changed.append(f)
    return changed


def _write(path, text):
    d = os.path.dirname(path) or "."
    tmp = os.path.join(d, f".sysrc.{os.getpid()}.tmp")
    mode = None
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        pass
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def _items(value, delim):
    return [x for x in (value.split(delim) if delim != " " else value.split()) if x != ""]


def _combine(old, op, value):
    if op == "=":
        return value
    delim = value[:1] if value[:1] and not value[:1].isalnum() else " "
    items = _items(old, delim)
    new_items = _items(value, delim)
    if op == "+":
        for it in new_items:
            if it not in items:
                items.append(it)
    else:
        items = [it for it in items if it not in new_items]
    return delim.join(items)


# Helpers for rc.subr's enable/disable/delete (rc.py).
def set_var(ctx, name, value, root=None):
    conf = Conf(ctx, root or ctx.root, None, DEFAULTS, errors=False)
    return write_var(conf, name, value)


def delete_var(ctx, name, root=None):
    conf = Conf(ctx, root or ctx.root, None, DEFAULTS, errors=False)
    if name not in conf.where:
        ctx.err.write(f"sysrc: unknown variable '{name}'\n")
        return None
    return delete_lines(conf, name)


def _jail_root(ctx, spec):
    _jid, rec = kstate.find_jail(kernel.read_state(), spec)
    return rec.get("path", "/") if rec is not None else None


def main(ctx, argv):
    flags = set()
    files = []
    root = ctx.root
    jail = None
    # src: usr.sbin/sysrc/sysrc: ``--help`` anywhere before ``--``, then getopts (sh(1)'s words
    # on a bad option), usage() on ``-h`` or ``?``
    for a in argv:
        if a == "--":
            break
        if a == "--help":
            ctx.err.write(USAGE)
            return 1
    parsed = bsdgetopt.parse(ctx, argv, "aAcdDeEf:Fhij:lLnNqR:s:vx", sh=True)
    if parsed is None or ("h", None) in parsed[0]:
        ctx.err.write(USAGE)
        return 1
    opts, args = parsed
    for c, optarg in opts:
        if c == "f":
            files.append(optarg)
        elif c == "j":
            jail = optarg
        elif c == "R":
            root = optarg
        elif c != "s":
            flags.add(c)
    if jail is not None:
        root = _jail_root(ctx, jail)
        if root is None:
            ctx.err.write(f'jexec: jail "{jail}" not found\n')
            return 1
    defaults = ctx.env.get("RC_DEFAULTS") or DEFAULTS
    if "D" in flags:
        files = []
    conf = Conf(ctx, root, files if (files or "D" in flags) else None, defaults, errors="d" not in flags)
    quiet = "q" in flags
    verbose = "v" in flags and not quiet

    # Output composition follows usr.sbin/sysrc/sysrc (freebsd-src 09711ccb, the argument
    # loop): `-v` prefixes "FILE: " (": FILE; " with -e) to whatever else is printed, `-n`
    # drops "NAME: ", `-e` prints NAME="VALUE", `-N` prints the name only, `-F` the file.
    show_name = "n" not in flags
    sep = '="' if "e" in flags else ": "
    close = '"' if "e" in flags else ""

    def vprefix(path):
        if not verbose:
            return ""
        return f": {path}; " if "e" in flags else f"{path}: "

    def show(name, value):
        where = conf.where.get(name, conf.defaults)
        if "F" in flags:
            ctx.print(f"{name}: {where}" if show_name else where)
        elif "N" in flags:
            ctx.print(vprefix(where) + name)
        else:
            ctx.print(vprefix(where) + (f"{name}{sep}" if show_name else "") + value + close)

    if "a" in flags or "A" in flags:
        names = sorted(set(conf.env) if "A" in flags else set(conf.in_files))
        for n in names:
            show(n, conf.env[n])
        return 0
    if not args:
        ctx.err.write(USAGE)
        return 1
    status = 0
    for arg in args:
        m = re.match(r"^([^=+-]*)([+-]?)=(.*)$", arg, re.S)
        if m and "x" not in flags:
            name, op, value = m.group(1), m.group(2) or "=", m.group(3)
            if not NAME_RE.match(name):
                ctx.err.write(f"sysrc: {name}: name contains characters not allowed in shell\n")
                status = 1
                continue
            defined = conf.defined(name)
            old = conf.env.get(name, "")
            new = _combine(old, op, value)
            if "c" in flags:
                where = conf.where.get(name, conf.defaults)
                if not defined:
                    status = 1
                    if verbose:
                        ctx.print(f"{name}: not currently set")
                elif new != old:
                    status = 1
                    if verbose:
                        ctx.print(f"{where}: {name}: would change from `{old}' to `{new}'")
                elif verbose:
                    ctx.print(f"{where}: {name}: already set to `{old}'")
                continue
            where = conf.where.get(name)
            target = write_var(conf, name, new)
            if where in (None, conf.defaults):
                where = target
            if "N" in flags:
                ctx.print(name)
            elif "e" in flags:
                ctx.print(vprefix(where) + (f"{name}{sep}" if show_name else "") + f'{old}" # -> "{new}"')
            else:
                ctx.print(vprefix(where) + (f"{name}{sep}" if show_name else "") + f"{old} -> {new}")
            continue
        name = arg
        if "x" in flags:
            if name not in conf.where:
                if "i" not in flags:
                    ctx.err.write(f"sysrc: unknown variable '{name}'\n")
                    status = 1
                continue
            delete_lines(conf, name)
            continue
        if "d" in flags:
            ctx.print(f"{name}: {conf.description(name)}")
            continue
        if not conf.defined(name):
            if "i" not in flags:
                if not quiet or "c" in flags:
                    ctx.err.write(f"sysrc: unknown variable '{name}'\n")
                status = 1
            continue
        if "c" in flags:
            continue
        show(name, conf.env[name])
    return status
