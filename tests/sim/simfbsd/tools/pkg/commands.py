"""pkg(8)'s commands (install, info, delete, update, upgrade, autoremove, query, bootstrap).

Sources (freebsd/pkg, src/): each command's exec_*() in install.c, info.c, delete.c, update.c,
upgrade.c, autoremove.c, query.c; the job summaries of libpkg's pkg_jobs (print_jobs_summary()).
A command's options are getopt_long(3) without permutation (main.c sets POSIXLY_CORRECT and
the optstrings start with ``+``); a bad option or a missing operand prints the command's usage
on stderr and returns EXIT_FAILURE (install.c exec_install(): ``usage_install(); return
(EXIT_FAILURE);``).  See the package's __init__.py for what each command prints.
"""

import sys

from ... import bsdgetopt
from . import db as pkgdb


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


def _longs(spec):
    """``"yes=y dry-run=n repository=r:"`` -> getopt_long(3)'s table {name: (letter, takes_arg)}."""
    out = {}
    for word in spec.split():
        name, _sep, letter = word.partition("=")
        out[name] = (letter[0], letter.endswith(":"))
    return out


def _opts(ctx, argv, optstring, longs, usage):
    """``({letter: argument}, operands)``; None after the complaint and the usage (EXIT_FAILURE)."""
    got = bsdgetopt.parse(ctx, argv, optstring, longopts=_longs(longs))
    if got is None:
        ctx.err.write(usage)
        return None, None
    return dict(got[0]), got[1]


# ------------------------------------------------------------------ commands


INSTALL_USAGE = (
    "Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...\n\n"
    "For more information see 'pkg help install'.\n"
)  # src: install.c usage_install()
INSTALL_LONGS = (
    "automatic=A case-sensitive=C force=f fetch-only=F glob=g case-insensitive=i no-scripts=I local-only=l "
    "ignore-missing=M dry-run=n quiet=q repository=r: recursive=R no-repo-update=U regex=x yes=y"
)  # src: install.c exec_install() longopts


def cmd_install(ctx, root, argv):
    o, args = _opts(ctx, argv, "ACfFgiIlMnqr:RUxy", INSTALL_LONGS, INSTALL_USAGE)
    if o is None or not args:
        if o is not None:
            ctx.err.write(INSTALL_USAGE)
        return 1
    quiet = "q" in o
    if "U" not in o:
        _update(ctx, quiet)
    cat = pkgdb.catalogue()["packages"]
    for name in args:
        if name not in cat:
            ctx.warnx(f"No packages available to install matching '{name}' have been found in the repositories")
            return 1
    db = pkgdb.load_db(root) or {}
    todo = [(n, auto) for n, auto in pkgdb.closure(cat, args) if n not in db or "f" in o]
    if not todo:
        if not quiet:
            ctx.print("Checking integrity... done (0 conflicting)")
            ctx.print("The most recent versions of packages are already installed")
        return 0
    size = sum(cat[n].get("flatsize", 0) for n, _auto in todo)
    if not quiet:
        ctx.print("Checking integrity... done (0 conflicting)")
        ctx.print(f"The following {len(todo)} package(s) will be affected (of 0 checked):\n")
        ctx.print("New packages to be INSTALLED:")
        for n, _auto in todo:
            ctx.print(f"\t{n}: {cat[n]['version']}")
        ctx.print(f"\nNumber of packages to be installed: {len(todo)}\n")
        ctx.print(f"The process will require {_human(size)} more space.")
    if "n" in o:
        return 0
    if not quiet and not _yes(ctx, "y" in o):  # install.c: the question only when not quiet
        return 1
    for i, (n, auto) in enumerate(todo, 1):
        if not quiet:
            ctx.print(f"[{i}/{len(todo)}] Installing {pkgdb.pkgname(n, cat[n])}...")
            ctx.print(f"[{i}/{len(todo)}] Extracting {pkgdb.pkgname(n, cat[n])}: 100%")
        pkgdb.install_files(root, cat[n])
        pkgdb.register(db, n, cat[n], auto)
        pkgdb.save_db(root, db)
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
    o, _ops = _opts(ctx, argv, "fqr:", "force=f quiet=q repository=r:", "Usage: pkg update [-fq] [-r reponame]\n\n")
    if o is None:
        return 1
    return _update(ctx, "q" in o)


def cmd_info(ctx, root, argv):
    o, args = _opts(
        ctx, argv, "aeAqgxEIdrlo", "all=a exists=e annotations=A quiet=q glob=g",
        "Usage: pkg info <pkg-name>\n       pkg info -a\n       pkg info [options] <pkg-name>\n",
    )  # fmt: skip
    if o is None:
        return 1
    db = pkgdb.load_db(root) or {}
    if "e" in o:
        return 0 if args and all(a in db or a in [pkgdb.pkgname(n, m) for n, m in db.items()] for a in args) else 1
    names = sorted(db) if not args else [a for a in args if a in db]
    if args and len(names) != len(args):
        missing = next(a for a in args if a not in db)
        ctx.warnx(f"No package(s) matching {missing}")
        return 1
    if "A" in o:
        for n in names:
            ctx.print(pkgdb.pkgname(n, db[n]))
            ctx.print("Annotations        :")
            for k, v in sorted(db[n].get("annotations", {}).items()):
                ctx.print(f"\t{k:<15}: {v}")
        return 0
    if "q" in o:
        for n in names:
            ctx.print(pkgdb.pkgname(n, db[n]))
        return 0
    if args:  # full information (src/info.c print_info() INFO_FULL, the first fields)
        for n in names:
            ctx.print(pkgdb.pkgname(n, db[n]))
            ctx.print(f"{'Name':<19}: {n}")
            ctx.print(f"{'Version':<19}: {db[n]['version']}")
            ctx.print(f"{'Origin':<19}: {db[n]['origin']}")
            ctx.print(f"{'Comment':<19}: {db[n]['comment']}")
        return 0
    width = max((len(pkgdb.pkgname(n, db[n])) for n in names), default=0)
    for n in names:
        ctx.print(f"{pkgdb.pkgname(n, db[n]):<{max(width, 31)}} {db[n]['comment']}")
    return 0


def cmd_delete(ctx, root, argv):
    usage = "Usage: pkg delete [-DfnqRy] [-Cgx] <pkg-name> ...\n       pkg delete [-Dnqy] -a\n\n"
    o, args = _opts(ctx, argv, "aDfgnqRxy", "all=a force=f dry-run=n quiet=q yes=y", usage)
    if o is None or not args:
        if o is not None:
            ctx.err.write(usage)
        return 1
    quiet = "q" in o
    db = pkgdb.load_db(root) or {}
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
    if "n" in o:
        return 0
    if not _yes(ctx, "y" in o):
        return 1
    cat = pkgdb.catalogue()["packages"]
    for i, n in enumerate(found, 1):
        if not quiet:
            ctx.print(f"[{i}/{len(found)}] Deinstalling {pkgdb.pkgname(n, db[n])}...")
        if n in cat:
            pkgdb.remove_files(root, cat[n])
        del db[n]
        pkgdb.save_db(root, db)
    return 0


def cmd_upgrade(ctx, root, argv):
    o, _ops = _opts(
        ctx, argv, "fgIinqUxyFr:", "dry-run=n quiet=q repository=r: yes=y",
        "Usage: pkg upgrade [-fInFqUy] [-r reponame] [-Cgix] <pkg-name> ...\n\n",
    )  # fmt: skip
    if o is None:
        return 1
    if "U" not in o:
        _update(ctx, "q" in o)
    ctx.print("Checking for upgrades (0 candidates): 100%")
    ctx.print("Processing candidates (0 candidates): 100%")
    ctx.print("Checking integrity... done (0 conflicting)")
    ctx.print("Your packages are up to date.")
    return 0


def cmd_autoremove(ctx, root, argv):
    o, _ops = _opts(ctx, argv, "nqy", "dry-run=n quiet=q yes=y", "Usage: pkg autoremove [-ynq]\n\n")
    if o is None:
        return 1
    ctx.print("Checking integrity... done (0 conflicting)")
    ctx.print("Nothing to do.")
    return 0


def cmd_query(ctx, root, argv):
    usage = "Usage: pkg query <query-format> <pkg-name>\n"
    o, args = _opts(ctx, argv, "aegix", "all=a", usage)
    if o is None or not args:
        if o is not None:
            ctx.err.write(usage)
        return 1
    fmt, names = args[0], args[1:]
    db = pkgdb.load_db(root) or {}
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
    """src/main.c main(): ``pkg bootstrap`` without -f once pkg is installed."""
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
