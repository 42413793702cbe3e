"""pkg(8): binary packages from a small local catalogue (data/pkg/catalogue.json).

Modelled on freebsd/pkg (the real package manager, /usr/local/sbin/pkg; /usr/sbin/pkg of the base
system only bootstraps it):
  * global options, src: src/main.c main() (getopt_long "dj:c:C:lNvq46o:r:R:" and --jail=,
    --chroot=, --rootdir=, --version); ``-j`` attaches to the jail (jail_getid() /
    jail_attach(), ``jail "NAME" not found``), ``-c`` chroots, ``-r`` installs under a root.
    ``-v`` prints the version.  ``-N``: src/main.c do_activation_test(): no database ->
    ``pkg: package database non-existent``, empty -> ``pkg: no packages registered`` (EXIT_FAILURE);
    with no command ``pkg: N packages installed`` on stderr, exit 0.
  * ``install [-AfgIMnqRUxy] [-r repo] pkg...`` (src/install.c exec_install(), libpkg's
    pkg_jobs summary print_jobs_summary(): ``New packages to be INSTALLED:``, ``Number of
    packages to be installed: N``, ``[i/n] Installing NAME-VERSION...``; a name matching no
    package: ``pkg: No packages available to install matching 'NAME' have been found in the
    repositories``, exit 1; nothing to do: ``The most recent versions of packages are already
    installed``, exit 0).  Without ``-y`` and without ASSUME_ALWAYS_YES the question ``Proceed
    with this action? [y/N]:`` is asked on stdin; BATCH=yes answers no-questions-with-yes as
    pkg.conf(5) documents (``BATCH``: "in batch mode ... the answer is assumed yes").
  * ``info [-aeAq] [pkg]`` (src/info.c exec_info(): ``-e`` prints nothing, exit 0 iff installed;
    without arguments ``NAME-VERSION<pad>COMMENT`` for every package; ``-A`` annotations).
  * ``delete|remove [-fgnqRxy] pkg...`` (src/delete.c exec_delete(): ``Installed packages to be
    REMOVED:``, ``[i/n] Deinstalling NAME-VERSION...``; no match: ``No packages matched for
    pattern 'NAME'`` then ``Checking integrity... done (0 conflicting)`` / ``Nothing to do.``,
    exit 1 (EXIT_FAILURE as for install; see tests/sim/README.md, Fidelity)).
  * ``update [-fq]``: the catalogue is local: ``Updating FreeBSD repository catalogue...``,
    ``FreeBSD repository is up to date.``, ``All repositories are up to date.`` (src/update.c
    pkgcli_update()).  ``upgrade [-ny] [pkg...]``: the catalogue holds one version of each
    package, so nothing is ever upgradable: ``Your packages are up to date.``, exit 0
    (community.general.pkgng reads exit 1 as "an upgrade is available").
  * ``autoremove [-ny]``: ``Nothing to do.`` (no orphaned automatic packages are modelled).
  * ``query FORMAT [pkg]``: %n %v %o %c %a (src/query.c, pkg-query(8)); exit 1 when no package
    matches.
The database is ``var/db/pkg/local.json`` under the target root (the real one is
local.sqlite); a root is "activated" once a package is registered there.

Files a package installs are made by the simulator's means (data/pkg/catalogue.json ``files``):
``text:F``/``script:F`` copy data/pkg/files/F, ``sample:F`` copies it unless the file exists
(the ports' @sample keyword), ``link:T`` is a symbolic link, and ``python`` is the interpreter:
Debian's own /usr (read-only bind mount, as mount_nullfs -o ro would) at
``usr/local/libexec/simpython`` of the target root, run by a small /bin/sh wrapper through the
dynamic loader under that mount, so that it works chrooted in a jail (jexec(8)).
"""

import datetime
import getopt
import json
import os
import shutil
import sys

from .. import jails, kernel, mounts

VERSION = "1.21.3"
ABI = "FreeBSD:14:amd64"
DB = "var/db/pkg/local.json"
CATALOGUE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "pkg")
SIMPYTHON = "usr/local/libexec/simpython"
PYSHIM = "usr/local/libexec/simpython-shim"
# The wrapper run as /usr/local/bin/python3.11: the Debian interpreter of the box through its loader,
# with its prefix under the bind mount (Python's getpath reads PYTHONHOME).
PYTHON_WRAPPER = """#!/bin/sh
# python3.11 (simulated FreeBSD package lang/python311): the box's interpreter, bound read-only
# at /{lib}; see tests/sim/simfbsd/tools/pkg.py
P=/{lib}
PYTHONHOME=$P PYTHONPATH=/{shim}${{PYTHONPATH:+:$PYTHONPATH}} exec \
$P/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $P/lib/x86_64-linux-gnu \
$P/bin/python3.11 "$@"
"""

USAGE = (
    "Usage: pkg [-v] [-d] [-l] [-N] [-j <jail name or id>|-c <chroot path>|-r <rootdir>] "
    "[-C <configuration file>] [-R <repo config dir>] [-o var=value] [-4|-6] <command> [<args>]\n"
    """
For more information on available commands and options see 'pkg help'.
"""
)


def catalogue():
    with open(os.path.join(CATALOGUE, "catalogue.json"), encoding="utf-8") as f:
        return json.load(f)


def load_db(root):
    try:
        with open(os.path.join(root, DB), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def save_db(root, db):
    path = os.path.join(root, DB)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(db, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _yes(ctx, yflag):
    """pkg.conf(5) ASSUME_ALWAYS_YES / BATCH, -y; else the question on stdin (src: libpkg/utils.c query_yesno())."""
    if yflag:
        return True
    for var in ("ASSUME_ALWAYS_YES", "BATCH"):
        if ctx.env.get(var, "").lower() in ("yes", "true", "1", "on"):
            return True
    ctx.out.write("\nProceed with this action? [y/N]: ")
    ctx.out.flush()
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def _pkgname(name, meta):
    return f"{name}-{meta['version']}"


def _closure(cat, names):
    """Install order: dependencies first (libpkg's solver, flattened)."""
    out = []

    def visit(n, automatic):
        for d in cat[n].get("deps", []):
            visit(d, True)
        if n not in [o for o, _ in out]:
            out.append((n, automatic))
        elif not automatic:
            out[:] = [(o, a and o != n) for o, a in out]

    for n in names:
        visit(n, False)
    return out


def _bind_python(root):
    """The interpreter under ``root``: Debian's /usr bound read-only at SIMPYTHON (idempotent)."""
    target = os.path.join(root, SIMPYTHON)
    if not os.path.ismount(target):
        os.makedirs(target, exist_ok=True)
        if mounts._sys_mount("/usr", target, None, mounts.MS_BIND) != 0:
            raise OSError(f"cannot bind the interpreter at {target}")
        mounts._sys_mount("/usr", target, None, mounts.MS_BIND | mounts.MS_REMOUNT | mounts.MS_RDONLY)
    shim = os.path.join(root, PYSHIM)
    os.makedirs(shim, exist_ok=True)
    # sitecustomize.py of the box (os.uname() says FreeBSD), so Ansible's facts in a jail say FreeBSD too.
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyshim", "sitecustomize.py")
    shutil.copyfile(src, os.path.join(shim, "sitecustomize.py"))


def restore(root):
    """After a reboot (a new mount namespace) the interpreter of an installed python311 is bound again."""
    db = load_db(root) or {}
    for name, meta in catalogue()["packages"].items():
        if name in db and "python" in meta.get("files", {}).values():
            try:
                _bind_python(root)
            except OSError:
                pass


def _unbind_python(root):
    target = os.path.join(root, SIMPYTHON)
    if os.path.ismount(target):
        mounts._sys_umount(target, True)
    for d in (target, os.path.join(root, PYSHIM)):
        shutil.rmtree(d, ignore_errors=True) if d.endswith("shim") else _rmdir(d)


def _rmdir(d):
    try:
        os.rmdir(d)
    except OSError:
        pass


def _install_files(root, meta):
    for path, spec in meta.get("files", {}).items():
        dest = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        kind, _, arg = spec.partition(":")
        if kind == "link":
            if os.path.lexists(dest):
                os.unlink(dest)
            os.symlink(arg, dest)
        elif kind == "python":
            _bind_python(root)
            _write(dest, PYTHON_WRAPPER.format(lib=SIMPYTHON, shim=PYSHIM), 0o755)
        elif kind == "sample" and os.path.exists(dest):
            continue
        else:
            with open(os.path.join(CATALOGUE, "files", arg), encoding="utf-8") as f:
                _write(dest, f.read(), 0o755 if kind == "script" else 0o644)


def _remove_files(root, meta):
    for path, spec in meta.get("files", {}).items():
        kind = spec.partition(":")[0]
        dest = os.path.join(root, path.lstrip("/"))
        if kind == "python":
            _unbind_python(root)
        if kind == "sample":
            # @sample: the configuration is removed only when unchanged from the sample
            sample = os.path.join(CATALOGUE, "files", spec.partition(":")[2])
            try:
                with open(dest, encoding="utf-8") as a, open(sample, encoding="utf-8") as b:
                    if a.read() != b.read():
                        continue
            except OSError:
                continue
        if os.path.islink(dest) or (os.path.lexists(dest) and not os.path.isdir(dest)):
            os.unlink(dest)


def _write(dest, text, mode):
    tmp = dest + ".pkgtmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, dest)


def _getopt(ctx, argv, spec, longs=()):
    try:
        return getopt.getopt(argv, spec, list(longs))
    except getopt.GetoptError as exc:
        ctx.warnx(f"illegal option -- {exc.opt}" if len(exc.opt) == 1 else f"unrecognized option '--{exc.opt}'")
        return None, None


# ------------------------------------------------------------------ commands


def cmd_install(ctx, root, argv):
    opts, args = _getopt(ctx, argv, "AfgIMnqRUxyr:", ("yes", "repository=", "no-repo-update", "quiet", "dry-run"))
    if opts is None:
        ctx.err.write("Usage: pkg install [-AfIMnFqRUy] [-r reponame] [-Cgix] <pkg-name> ...\n\n")
        return 64  # EX_USAGE
    o = {k.lstrip("-"): v for k, v in opts}
    if not args:
        ctx.err.write("Usage: pkg install [-AfIMnFqRUy] [-r reponame] [-Cgix] <pkg-name> ...\n\n")
        return 64
    quiet = "q" in o or "quiet" in o
    if "U" not in o and "no-repo-update" not in o:
        _update(ctx, quiet)
    cat = catalogue()["packages"]
    for name in args:
        if name not in cat:
            ctx.warnx(f"No packages available to install matching '{name}' have been found in the repositories")
            return 1
    db = load_db(root) or {}
    todo = [(n, auto) for n, auto in _closure(cat, args) if n not in db or "f" in o]
    if not todo:
        if not quiet:
            ctx.print("Checking integrity... done (0 conflicting)")
            ctx.print("The most recent versions of packages are already installed")
        return 0
    size = sum(cat[n].get("flatsize", 0) for n, _ in todo)
    if not quiet:
        ctx.print("Checking integrity... done (0 conflicting)")
        ctx.print(f"The following {len(todo)} package(s) will be affected (of 0 checked):\n")
        ctx.print("New packages to be INSTALLED:")
        for n, _ in todo:
            ctx.print(f"\t{n}: {cat[n]['version']}")
        ctx.print(f"\nNumber of packages to be installed: {len(todo)}\n")
        ctx.print(f"The process will require {_human(size)} more space.")
    if "n" in o or "dry-run" in o:
        return 0
    if not _yes(ctx, "y" in o or "yes" in o):
        return 1
    for i, (n, auto) in enumerate(todo, 1):
        if not quiet:
            ctx.print(f"[{i}/{len(todo)}] Installing {_pkgname(n, cat[n])}...")
            ctx.print(f"[{i}/{len(todo)}] Extracting {_pkgname(n, cat[n])}: 100%")
        _install_files(root, cat[n])
        db[n] = {
            "version": cat[n]["version"],
            "origin": cat[n]["origin"],
            "comment": cat[n]["comment"],
            "automatic": bool(auto and db.get(n, {}).get("automatic", True)),
            "annotations": {"repository": "FreeBSD", "repo_type": "binary"},
            "timestamp": int(datetime.datetime.now(datetime.timezone.utc).timestamp()),
        }
        save_db(root, db)
    return 0


def _human(n):
    # libpkg humanize_number(3) of the flat size with HN_AUTOSCALE | HN_IEC_PREFIXES
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n} B"


def _update(ctx, quiet):
    """src/update.c pkgcli_update(): the local catalogue is always current."""
    if not quiet:
        ctx.print("Updating FreeBSD repository catalogue...")
        ctx.print("FreeBSD repository is up to date.")
        ctx.print("All repositories are up to date.")
    return 0


def cmd_update(ctx, root, argv):
    opts, _ = _getopt(ctx, argv, "fqr:", ("force", "quiet", "repository="))
    if opts is None:
        ctx.err.write("Usage: pkg update [-fq] [-r reponame]\n\n")
        return 64
    return _update(ctx, any(k in ("-q", "--quiet") for k, _ in opts))


def cmd_info(ctx, root, argv):
    opts, args = _getopt(ctx, argv, "aeAqgxEIdrlo", ("exists", "annotations", "quiet", "all", "glob"))
    if opts is None:
        ctx.err.write("Usage: pkg info <pkg-name>\n       pkg info -a\n       pkg info [options] <pkg-name>\n")
        return 64
    o = {k.lstrip("-") for k, _ in opts}
    db = load_db(root) or {}
    if "e" in o or "exists" in o:
        return 0 if args and all(a in db or a in [_pkgname(n, m) for n, m in db.items()] for a in args) else 1
    names = sorted(db) if not args else [a for a in args if a in db]
    if args and len(names) != len(args):
        missing = next(a for a in args if a not in db)
        ctx.warnx(f"No package(s) matching {missing}")
        return 1
    if "A" in o or "annotations" in o:
        for n in names:
            ctx.print(_pkgname(n, db[n]))
            ctx.print("Annotations        :")
            for k, v in sorted(db[n].get("annotations", {}).items()):
                ctx.print(f"\t{k:<15}: {v}")
        return 0
    if "q" in o or "quiet" in o:
        for n in names:
            ctx.print(_pkgname(n, db[n]))
        return 0
    if args:  # full information (src/info.c print_info() INFO_FULL, the first fields)
        for n in names:
            ctx.print(_pkgname(n, db[n]))
            ctx.print(f"{'Name':<19}: {n}")
            ctx.print(f"{'Version':<19}: {db[n]['version']}")
            ctx.print(f"{'Origin':<19}: {db[n]['origin']}")
            ctx.print(f"{'Comment':<19}: {db[n]['comment']}")
        return 0
    width = max((len(_pkgname(n, db[n])) for n in names), default=0)
    for n in names:
        ctx.print(f"{_pkgname(n, db[n]):<{max(width, 31)}} {db[n]['comment']}")
    return 0


def cmd_delete(ctx, root, argv):
    opts, args = _getopt(ctx, argv, "aDfgnqRxy", ("yes", "quiet", "dry-run", "force", "all"))
    if opts is None or not args:
        ctx.err.write("Usage: pkg delete [-DfnqRy] [-Cgx] <pkg-name> ...\n       pkg delete [-Dnqy] -a\n\n")
        return 64
    o = {k.lstrip("-") for k, _ in opts}
    quiet = "q" in o or "quiet" in o
    db = load_db(root) or {}
    found = []
    for a in args:
        if a in db:
            found.append(a)
        else:
            ctx.print(f"No packages matched for pattern '{a}'\n")
    if not found:
        ctx.print("Checking integrity... done (0 conflicting)")
        ctx.print("Nothing to do.")
        return 1
    if not quiet:
        ctx.print("Checking integrity... done (0 conflicting)")
        ctx.print(f"Deinstallation has been requested for the following {len(found)} packages "
                  f"(of 0 packages in the universe):\n")  # fmt: skip
        ctx.print("Installed packages to be REMOVED:")
        for n in found:
            ctx.print(f"\t{n}: {db[n]['version']}")
        ctx.print(f"\nNumber of packages to be removed: {len(found)}")
    if "n" in o or "dry-run" in o:
        return 0
    if not _yes(ctx, "y" in o or "yes" in o):
        return 1
    cat = catalogue()["packages"]
    for i, n in enumerate(found, 1):
        if not quiet:
            ctx.print(f"[{i}/{len(found)}] Deinstalling {_pkgname(n, db[n])}...")
        if n in cat:
            _remove_files(root, cat[n])
        del db[n]
        save_db(root, db)
    return 0


def cmd_upgrade(ctx, root, argv):
    opts, _ = _getopt(ctx, argv, "fgIinqUxyFr:", ("yes", "quiet", "dry-run", "repository="))
    if opts is None:
        ctx.err.write("Usage: pkg upgrade [-fInFqUy] [-r reponame] [-Cgix] <pkg-name> ...\n\n")
        return 64
    o = {k.lstrip("-") for k, _ in opts}
    if "U" not in o:
        _update(ctx, "q" in o)
    ctx.print("Checking for upgrades (0 candidates): 100%")
    ctx.print("Processing candidates (0 candidates): 100%")
    ctx.print("Checking integrity... done (0 conflicting)")
    ctx.print("Your packages are up to date.")
    return 0


def cmd_autoremove(ctx, root, argv):
    opts, _ = _getopt(ctx, argv, "nqy", ("yes", "quiet", "dry-run"))
    if opts is None:
        ctx.err.write("Usage: pkg autoremove [-ynq]\n\n")
        return 64
    ctx.print("Checking integrity... done (0 conflicting)")
    ctx.print("Nothing to do.")
    return 0


def cmd_query(ctx, root, argv):
    opts, args = _getopt(ctx, argv, "aegix", ("all",))
    if opts is None or not args:
        ctx.err.write("Usage: pkg query <query-format> <pkg-name>\n")
        return 64
    fmt, names = args[0], args[1:]
    db = load_db(root) or {}
    if not names:
        names = sorted(db)
    hits = [n for n in names if n in db]
    for n in hits:
        m = db[n]
        vals = {"n": n, "v": m["version"], "o": m["origin"], "c": m["comment"], "a": "1" if m.get("automatic") else "0"}
        out, i = [], 0
        while i < len(fmt):
            if fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] in vals:
                out.append(vals[fmt[i + 1]])
                i += 2
            elif fmt[i] == "\\" and i + 1 < len(fmt) and fmt[i + 1] == "n":
                out.append("\n")
                i += 2
            else:
                out.append(fmt[i])
                i += 1
        ctx.print("".join(out))
    return 0 if hits else 1


def cmd_bootstrap(ctx, root, argv):
    """src/main.c: ``pkg bootstrap`` once pkg is installed: ``pkg already bootstrapped at PATH``."""
    ctx.print("pkg(8) already installed, use -f to force.")
    return 0


COMMANDS = {
    "install": cmd_install,
    "info": cmd_info,
    "delete": cmd_delete,
    "remove": cmd_delete,
    "update": cmd_update,
    "upgrade": cmd_upgrade,
    "autoremove": cmd_autoremove,
    "query": cmd_query,
    "bootstrap": cmd_bootstrap,
}


def main(ctx, argv):
    opts, args = _getopt(
        ctx, argv, "dj:c:C:lNvq46o:r:R:", ("debug", "jail=", "chroot=", "config=", "list", "version", "rootdir=",
                                           "repo-conf-dir=", "option=", "only-ipv4", "only-ipv6"),
    )  # fmt: skip
    if opts is None:
        ctx.err.write(USAGE)
        return 64
    root = ctx.path("/")
    activation = False
    for k, v in opts:
        k = k.lstrip("-")
        if k in ("v", "version"):
            ctx.print(VERSION)
            return 0
        if k in ("N",):
            activation = True
        if k in ("j", "jail"):
            # src/main.c: jail_getid(jail_str) < 0 -> errx(EXIT_FAILURE, "%s", jail_errmsg)
            rec = jails.find(kernel.read_state(), v, ctx.jid)
            if rec is None:
                ctx.errx(1, f"jail {int(v)} not found" if v.isdigit() else f'jail "{v}" not found')
            root = rec["path"]
        elif k in ("c", "chroot", "r", "rootdir"):
            root = ctx.path(v)
            if not os.path.isdir(root):
                ctx.errx(
                    1,
                    f"chroot failed: {v}: No such file or directory"
                    if k[0] == "c"
                    else f"{v}: No such file or directory",
                )
    if activation:
        db = load_db(root)
        if db is None:
            ctx.errx(1, "package database non-existent")
        if not db:
            ctx.errx(1, "no packages registered")
        if not args:
            ctx.warnx(f"{len(db)} packages installed")
            return 0
    if not args:
        ctx.err.write(USAGE)
        return 1
    name = args[0]
    fn = COMMANDS.get(name)
    if fn is None:
        # src/main.c: ``pkg: unknown command: NAME`` then usage, EX_USAGE
        ctx.err.write(f"pkg: unknown command: {name}\n")
        ctx.err.write(USAGE)
        return 64
    return fn(ctx, root, args[1:])
