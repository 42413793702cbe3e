"""etcupdate(8): three-way merge of a tree's /etc (and every other file of a stock tree) into DESTDIR.

src: usr.sbin/etcupdate/etcupdate.sh
  * command line: the first word may be ``diff|extract|status|resolve`` (``build``, ``revert``: not
    modelled), an option starts the default ``update``, anything else is usage() (on stdout, exit 1);
    ``getopts "d:nprs:t:A:BD:FI:L:M:"``; a bad option is sh's complaint, a blank line and usage.
    WORKDIR defaults to ``$DESTDIR/var/db/etcupdate`` with ``current``, ``old``, ``conflicts``,
    ``warnings`` and ``log`` in it.
  * extract_cmd(): the stock tree from ``-t tarball`` becomes ``current`` (building from ``-s``/SRCDIR
    is not modelled: ``Failed to build new tree.``).
  * update_cmd(): ``Conflicts remain from previous update, aborting.``; ``No previous tree to compare
    against, a sane comparison is not possible.``; handle_removed_file() (``  D``, ``Modified regular
    file remains``), handle_modified_file() (``  U`` for an unmodified file, merge_file(): ``diff3 -E -m``
    DESTDIR OLD NEW, ``  M`` merged or ``  C`` with ``diff3 -m -L yours -L original -L new`` kept in
    ``conflicts/``; ``Removed file changed``), handle_added_file() (``  A``, or ``  C`` with
    new_conflict()'s ``<<<<<<< (local)`` / ``>>>>>>> (stock)`` file), ``Warnings:``, then the trees
    rotate (current -> old, new -> current).  ``-n`` changes nothing in DESTDIR and writes no
    conflict; the trees still rotate, as update_cmd() reads.  ``-I`` patterns are ignored paths.
  * (resolve.py) resolve_cmd()/resolve_conflict(): per conflict ``Resolving conflict in 'FILE':`` and the prompt;
    commands p, df, h, mf, r (with ``still has conflicts, are you sure? (y/n)``), tf; ``e`` (an editor)
    is not modelled; at end of input the simulator postpones (the script would loop on
    ``Invalid command.``).  status_cmd(): ``  C FILE`` lines, then ``Warnings:``.  diff_cmd():
    ``Index:`` + 67 ``=`` + ``diff -u -L "F (stock)" -L "F (local)"``, ``Removed:``/``Added:``.
Not modelled: -A, -F, -M, -B, -p (pre-world), -r (rerun), -L, /etc/etcupdate.conf, post-install
commands (pwd_mkdb, cap_mkdb, services_mkdb, newaliases, tzsetup), symbolic links' own comparison.
"""

import difflib
import fnmatch
import os
import shutil
import tarfile
import tempfile

from ... import bsdgetopt, diff3

USAGE = """usage: etcupdate [-npBF] [-d workdir] [-r | -s source | -t tarball]
                 [-A patterns] [-D destdir] [-I patterns] [-L logfile]
                 [-M options]
       etcupdate build [-B] [-d workdir] [-s source] [-L logfile] [-M options]
                 <tarball>
       etcupdate diff [-d workdir] [-D destdir] [-I patterns] [-L logfile]
       etcupdate extract [-B] [-d workdir] [-s source | -t tarball]
                 [-D destdir] [-L logfile] [-M options]
       etcupdate resolve [-p] [-d workdir] [-D destdir] [-L logfile]
       etcupdate revert [-d workdir] [-D destdir] [-L logfile] file ...
       etcupdate status [-d workdir] [-D destdir]
"""


class Exit(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Run:
    def __init__(self, ctx, opts):
        self.ctx = ctx
        self.destdir = ""
        self.workdir = None
        self.tarball = None
        self.dryrun = False
        self.ignore = []
        for o, v in opts:
            if o == "D":
                self.destdir = v
            elif o == "d":
                self.workdir = v
            elif o == "t":
                self.tarball = v
            elif o == "n":
                self.dryrun = True
            elif o == "I":
                self.ignore += v.split()
        self.workdir = self.workdir or f"{self.destdir}/var/db/etcupdate"
        self.warnings = []

    def p(self, path):
        return self.ctx.path(path)

    def line(self, text=""):
        self.ctx.out.write(text + "\n")

    def dest(self, rel):
        return self.p(self.destdir + rel) if self.destdir else self.p(rel)

    @property
    def current(self):
        return self.p(self.workdir + "/current")

    @property
    def old(self):
        return self.p(self.workdir + "/old")

    @property
    def conflicts(self):
        return self.p(self.workdir + "/conflicts")

    def ignored(self, rel):
        return any(fnmatch.fnmatchcase(rel, pat) for pat in self.ignore)


def main(ctx, argv):
    command = "update"
    if argv and argv[0] in ("build", "diff", "extract", "status", "resolve", "revert"):
        command, argv = argv[0], argv[1:]
    elif argv and not argv[0].startswith("-"):
        ctx.out.write(USAGE)
        return 1
    parsed = bsdgetopt.parse(ctx, argv, "d:nprs:t:A:BD:FI:L:M:", sh=True)
    if parsed is None:
        ctx.out.write("\n" + USAGE)
        return 1
    opts, args = parsed
    flags = {o for o, _v in opts}
    if command in ("diff", "status") and flags & {"n", "r", "t", "p"}:
        ctx.out.write(USAGE)
        return 1
    if (command == "resolve" and flags & {"n", "r", "t"}) or (command == "extract" and flags & {"n", "r", "p"}):
        ctx.out.write(USAGE)
        return 1
    if args:
        ctx.out.write(USAGE)
        return 1
    unmodelled = flags & set("prABFLM") or command in ("build", "revert")
    if unmodelled:
        what = command if command in ("build", "revert") else "-" + "".join(sorted(flags & set("prABFLM")))
        ctx.err.write(f"etcupdate: {what}: not modelled by the simulator\n")
        return 1
    r = Run(ctx, opts)
    os.makedirs(r.p(r.workdir), exist_ok=True)
    with open(r.p(r.workdir + "/log"), "a" if command in ("diff", "resolve", "status") else "w") as log:
        log.write(f">>> {command} command\n")
    from . import resolve

    try:
        {"update": update_cmd, "extract": extract_cmd, "resolve": resolve.resolve_cmd, "status": resolve.status_cmd,
         "diff": resolve.diff_cmd}[command](r)  # fmt: skip
    except Exit as exc:
        return exc.code
    return 0


# ------------------------------------------------------------------ trees


def _extract_tree(r, dest):
    """extract_tree(): ``tar xf TARBALL -C DIR``; without -t a tree is built from SRCDIR (not modelled)."""
    if not r.tarball:
        r.line("Failed to build new tree.")
        shutil.rmtree(dest, ignore_errors=True)
        raise Exit(1)
    try:
        with tarfile.open(r.p(r.tarball)) as tar:
            try:
                tar.extractall(dest, filter="tar")
            except TypeError:  # a Python without extraction filters
                tar.extractall(dest)
    except (OSError, tarfile.TarError):
        r.line("Failed to extract new tree.")
        shutil.rmtree(dest, ignore_errors=True)
        raise Exit(1) from None


def _nodes(tree):
    """``(cd TREE; find .) | sed -e 's/^\\.//'``: every node below the top, as /path."""
    out = []
    for dirpath, dirs, files in os.walk(tree):
        for n in dirs + files:
            out.append("/" + os.path.relpath(os.path.join(dirpath, n), tree))
    return sorted(out)


def _read(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def _exists(path):
    return os.path.lexists(path)


def _kind(path):
    """file_type(): stat -f %HT, lower case."""
    if os.path.islink(path):
        return "symbolic link"
    return "directory" if os.path.isdir(path) else "regular file"


def _same(a, b):
    """compare() == COMPARE_EQUAL."""
    if not _exists(a) or not _exists(b):
        return not _exists(a) and not _exists(b)
    if _kind(a) != _kind(b):
        return False
    if os.path.islink(a):
        return os.readlink(a) == os.readlink(b)
    if os.path.isfile(a):
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    return True


def _install_new(r, tree, rel):
    """install_new(): ``cp -Rp NEWTREE/F DESTDIR/F`` (parents made as needed)."""
    if r.dryrun:
        return
    target = r.dest(rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.lexists(target) and not os.path.isdir(target):
        os.unlink(target)
    if os.path.islink(tree + rel):
        os.symlink(os.readlink(tree + rel), target)
    else:
        shutil.copy2(tree + rel, target)


def _write_conflict(r, rel, text):
    if r.dryrun:
        return
    path = r.conflicts + rel
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)


# ------------------------------------------------------------------ commands


def extract_cmd(r):
    tmp = tempfile.mkdtemp(prefix="etcupdate-", dir=r.p(r.workdir))
    _extract_tree(r, tmp)
    if os.path.isdir(r.current):
        shutil.rmtree(r.current)
    os.rename(tmp, r.current)


def update_cmd(r):
    if os.path.isdir(r.conflicts):  # find -d CONFLICTS -type d -empty -delete; rmdir CONFLICTS
        for dirpath, _dirs, _files in sorted(os.walk(r.conflicts), reverse=True):
            if not os.listdir(dirpath):
                os.rmdir(dirpath)
    if os.path.isdir(r.conflicts):
        r.line("Conflicts remain from previous update, aborting.")
        raise Exit(1)
    tmp = tempfile.mkdtemp(prefix="etcupdate-", dir=r.p(r.workdir))
    _extract_tree(r, tmp)
    old, new = r.current, tmp
    if not os.path.isdir(old):
        r.line("No previous tree to compare against, a sane comparison is not possible.")
        shutil.rmtree(tmp)
        raise Exit(1)
    old_files, new_files = set(_nodes(old)), set(_nodes(new))
    os.makedirs(r.conflicts, exist_ok=True)
    for rel in sorted(old_files - new_files):
        _removed_file(r, old, rel)
    for rel in sorted(old_files - new_files, reverse=True):
        _removed_dir(r, old, rel)
    for rel in sorted(old_files & new_files):
        _modified_file(r, old, new, rel)
    for rel in sorted(new_files - old_files):
        _added_file(r, new, rel)
    with open(r.p(r.workdir + "/warnings"), "w", encoding="utf-8") as f:
        f.write("".join(f"  {w}\n" for w in r.warnings))
    if r.warnings:
        r.line("Warnings:")
        for w in r.warnings:
            r.line(f"  {w}")
    if os.path.isdir(r.old):  # rotate: old tree removed, current -> old, new -> current
        shutil.rmtree(r.old)
    os.rename(r.current, r.old)
    os.rename(tmp, r.current)


def _removed_file(r, old, rel):
    if r.ignored(rel) or (os.path.isdir(old + rel) and not os.path.islink(old + rel)):
        return
    dest = r.dest(rel)
    if not _exists(dest):
        return
    if _same(dest, old + rel):
        if not r.dryrun:
            os.unlink(dest)
        r.line(f"  D {rel}")
    else:
        r.warnings.append(f"Modified {_kind(dest)} remains: {rel}")


def _removed_dir(r, old, rel):
    dest = r.dest(rel)
    if r.ignored(rel) or not (os.path.isdir(dest) and os.path.isdir(old + rel)):
        return
    if not os.listdir(dest):
        if not r.dryrun:
            os.rmdir(dest)
        r.line(f"  D {rel}")
    else:
        r.warnings.append(f"Non-empty directory remains: {rel}")


def _modified_file(r, old, new, rel):
    """handle_modified_file() for regular files and directories."""
    if r.ignored(rel) or _same(old + rel, new + rel):
        return
    dest = r.dest(rel)
    if _same(new + rel, dest):
        return
    if _same(old + rel, dest):
        _install_new(r, new, rel)  # update_unmodified()
        r.line(f"  U {rel}")
        return
    if not _exists(dest):
        r.warnings.append(f"Removed file changed: {rel}")
        return
    if _kind(new + rel) != _kind(dest):
        r.warnings.append(f"Modified mismatch: {rel} ({_kind(new + rel)} vs {_kind(dest)})")
        return
    if not os.path.isfile(dest) or os.path.islink(dest):
        r.warnings.append(f"Modified {_kind(dest)} changed: {rel}")
        return
    mine, base, theirs = _read(dest), _read(old + rel), _read(new + rel)
    merged, conflict = diff3.merge(mine, base, theirs)
    if not conflict:
        if not r.dryrun:
            with open(dest, "w", encoding="utf-8", errors="surrogateescape") as f:  # "cat >": metadata kept
                f.write(merged)
        r.line(f"  M {rel}")
        return
    text, _c = diff3.merge(mine, base, theirs, labels=("yours", "original", "new"), show_base=True)
    _write_conflict(r, rel, text)
    r.line(f"  C {rel}")


def _added_file(r, new, rel):
    if r.ignored(rel):
        return
    dest = r.dest(rel)
    if _same(dest, new + rel):
        return
    if not _exists(dest):
        if not os.path.isdir(new + rel) or os.path.islink(new + rel):
            _install_new(r, new, rel)
            r.line(f"  A {rel}")
        return
    if _kind(dest) != _kind(new + rel):
        r.warnings.append(f"New file mismatch: {rel} ({_kind(new + rel)} vs {_kind(dest)})")
        return
    if os.path.islink(dest):
        r.warnings.append(f'New link conflict: {rel} ("{os.readlink(new + rel)}" vs "{os.readlink(dest)}")')
        return
    # new_conflict(): diff --changed-group-format='<<<<<<< (local)\n%<=======\n%>>>>>>>> (stock)\n'
    a, b = _read(dest).splitlines(True), _read(new + rel).splitlines(True)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(a[i1:i2])
        else:
            out += ["<<<<<<< (local)\n", *a[i1:i2], "=======\n", *b[j1:j2], ">>>>>>> (stock)\n"]
    _write_conflict(r, rel, "".join(out))
    r.line(f"  C {rel}")
