"""pkg(8): binary packages from a small local catalogue (data/pkg/catalogue.json).

Modelled on freebsd/pkg (ports-mgmt/pkg, the real package manager, /usr/local/sbin/pkg;
usr.sbin/pkg of the base system only bootstraps it):
  * global options, src: src/main.c main() (getopt_long(3) ``+dj:c:C:R:r:lNvo:46`` with
    POSIXLY_CORRECT set, so no permutation: bsdgetopt.parse with ``longopts``; a bad option:
    getopt_long's complaint, then ``pkg: Invalid argument provided``, exit 1); ``-j`` attaches
    to the jail (jail_getid() / jail_attach(), ``jail "NAME" not found``), ``-c`` chroots, ``-r``
    installs under a root; two of them: ``pkg: -j, -c and/or -r cannot be used at the same
    time!``.  ``-v`` prints the version.  No command: ``pkg: no commands specified`` and the
    usage (usage(): EXIT_FAILURE); an unknown command: ``pkg: unknown command: NAME`` and the
    help hint, exit 1; a unique prefix of a command name runs it (main()'s strncmp loop).
    ``-N``: src/main.c do_activation_test(): no database ->
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
Manual pages: pkg(8) (global options, commands), pkg-install(8), pkg-info(8) (``-e``: exit 0
when installed, 1 otherwise), pkg-delete(8), pkg-query(8) (format escapes), pkg.conf(5)
(ASSUME_ALWAYS_YES).  Layout: this file = src/main.c, commands.py = the commands' exec_*(),
db.py = the database and the files a package installs (by the simulator's own means).
"""

import os

from ... import bsdgetopt, jails, kernel
from . import db as pkgdb
from .commands import COMMANDS

VERSION = "1.21.3"
USAGE = (
    "Usage: pkg [-v] [-d] [-l] [-N] [-j <jail name or id>|-c <chroot path>|-r <rootdir>] "
    "[-C <configuration file>] [-R <repo config dir>] [-o var=value] [-4|-6] <command> [<args>]\n"
    """
For more information on available commands and options see 'pkg help'.
"""
)
HINT = "\nFor more information on available commands and options see 'pkg help'.\n"
# src/main.c cmd[]: every command name, for the prefix match (the simulator runs COMMANDS' only)
NAMES = (
    "add", "alias", "annotate", "audit", "autoremove", "check", "clean", "config", "create", "delete", "fetch",
    "help", "info", "install", "key", "lock", "plugins", "query", "register", "remove", "repo", "repositories",
    "rquery", "search", "set", "ssh", "shell", "shlib", "stats", "triggers", "unlock", "update", "updating",
    "upgrade", "version", "which",
)  # fmt: skip
LONGS = {
    "debug": ("d", False), "jail": ("j", True), "chroot": ("c", True), "config": ("C", True),
    "repo-conf-dir": ("R", True), "rootdir": ("r", True), "list": ("l", False), "version": ("v", False),
    "option": ("o", True), "only-ipv4": ("4", False), "only-ipv6": ("6", False),
}  # fmt: skip


def _usage(ctx, why):
    """src/main.c usage(PKG_USAGE_INVALID_ARGUMENTS): ``pkg: WHY``, the usage, the hint; EXIT_FAILURE."""
    ctx.err.write(f"pkg: {why}\n" + USAGE + HINT)
    return 1


def _command(word):
    """main()'s lookup: the exact name, else the one name ``word`` is a prefix of (None if 0 or 2+)."""
    if word in NAMES:
        return word
    hits = [n for n in NAMES if n.startswith(word)]
    return hits[0] if len(hits) == 1 else None


def main(ctx, argv):
    if not argv:
        return _usage(ctx, "not enough arguments")
    got = bsdgetopt.parse(ctx, argv, "dj:c:C:R:r:lNvo:46", longopts=LONGS)
    if got is None:
        ctx.errx(1, "Invalid argument provided")
    opts, args = got
    o = dict(opts)
    if "v" in o:
        ctx.print(VERSION)
        return 0
    if not args and "N" not in o:
        return _usage(ctx, "no commands specified")
    if sum(k in o for k in "jcr") > 1:
        return _usage(ctx, "-j, -c and/or -r cannot be used at the same time!\n")
    root = ctx.path("/")
    if "c" in o or "r" in o:
        root = ctx.path(o.get("c") or o["r"])
        if not os.path.isdir(root):
            ctx.errx(
                1,
                "chroot failed: No such file or directory"
                if "c" in o
                else "Invalid rootdir: No such file or directory",
            )
    elif "j" in o:
        # src/main.c: jail_getid(jail_str) < 0 -> errx(1, "%s", jail_errmsg)
        rec = jails.find(kernel.read_state(), o["j"], ctx.jid)
        if rec is None:
            ctx.errx(1, f"jail {int(o['j'])} not found" if o["j"].isdigit() else f'jail "{o["j"]}" not found')
        root = rec["path"]
    if "N" in o:  # src/main.c do_activation_test()
        db = pkgdb.load_db(root)
        if db is None:
            ctx.errx(1, "package database non-existent")
        if not db:
            ctx.errx(1, "no packages registered")
        if not args:
            ctx.warnx(f"{len(db)} packages installed")
            return 0
    name = _command(args[0])
    if name is None:
        ctx.err.write(f"pkg: unknown command: {args[0]}\n{HINT}")
        return 1
    if name not in COMMANDS:  # a real command the simulator does not model: said, not pretended
        ctx.errx(1, f"{name}: not modelled by the simulator (tests/sim/simfbsd/tools/pkg)")
    return COMMANDS[name](ctx, root, args[1:])
