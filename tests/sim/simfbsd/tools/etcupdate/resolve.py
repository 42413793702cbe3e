"""etcupdate resolve, status and diff: what is left after an update (src: usr.sbin/etcupdate/etcupdate.sh
resolve_cmd(), resolve_conflict(), has_conflicts(), status_cmd(), diff_cmd(), diffnode()); see __init__.py."""

import difflib
import os
import shutil
import sys

from . import Exit, _exists, _install_new, _kind, _nodes, _read, _same


def _conflict_files(r):
    return [q for q in _nodes(r.conflicts) if not os.path.isdir(r.conflicts + q)] if os.path.isdir(r.conflicts) else []


def status_cmd(r):
    for rel in _conflict_files(r):
        r.line(f"  C {rel}")
    path = r.p(r.workdir + "/warnings")
    if os.path.exists(path) and os.path.getsize(path):
        r.line("Warnings:")
        r.ctx.out.write(_read(path))


def _has_conflicts(text):
    """has_conflicts(): egrep '^(<{7}|\\|{7}|={7}|>{7}) '."""
    return any(line[:8] in ("<<<<<<< ", "||||||| ", "======= ", ">>>>>>> ") for line in text.splitlines())


def resolve_cmd(r):
    if not os.path.isdir(r.conflicts):
        return
    if not os.path.isdir(r.current):
        r.line("The current tree is not present to resolve conflicts.")
        raise Exit(1)
    for rel in _conflict_files(r):
        _resolve_conflict(r, rel)


def _resolve_conflict(r, rel):
    cpath = r.conflicts + rel
    r.line(f"Resolving conflict in '{rel}':")
    while True:
        r.ctx.out.write("Select: (p) postpone, (df) diff-full, (e) edit,")
        if not _has_conflicts(_read(cpath)):
            r.ctx.out.write(" (r) resolved,")
        r.ctx.out.write("\n        (h) help for more options: ")
        r.ctx.out.flush()
        answer = sys.stdin.readline()
        if not answer:
            r.line()
            return  # end of input: postponed (the script would loop on "Invalid command.")
        command = answer.strip()
        if command == "p":
            return
        if command == "df":
            lines = difflib.unified_diff(_read(r.dest(rel)).splitlines(True), _read(cpath).splitlines(True))
            r.ctx.out.write("".join(lines))
        elif command == "h":
            r.ctx.out.write(
                "  (p)  postpone    - ignore this conflict for now\n"
                "  (df) diff-full   - show all changes made to merged file\n"
                "  (e)  edit        - change merged file in an editor\n"
                "  (r)  resolved    - accept merged version of file\n"
                "  (mf) mine-full   - accept local version of entire file (ignore new changes)\n"
                "  (tf) theirs-full - accept new version of entire file (lose local changes)\n"
                "  (h)  help        - show this list\n"
            )
        elif command == "mf":
            os.unlink(cpath)
            return
        elif command == "r":
            if _has_conflicts(_read(cpath)):
                r.line(f"File '{rel}' still has conflicts, are you sure? (y/n) ")
                if sys.stdin.readline().strip() != "y":
                    continue
            os.makedirs(os.path.dirname(r.dest(rel)), exist_ok=True)
            shutil.copy2(cpath, r.dest(rel))  # install_resolved(): cp -Rp
            os.unlink(cpath)
            return
        elif command == "tf":
            _install_new(r, r.current, rel)
            os.unlink(cpath)
            return
        elif command == "e":
            r.ctx.err.write("etcupdate: e: an editor is not modelled by the simulator\n")
        else:
            r.line("Invalid command.")


def diff_cmd(r):
    if not os.path.isdir(r.current):
        r.line("Reference tree to diff against unavailable.")
        raise Exit(1)
    for rel in _nodes(r.current):
        if r.ignored(rel):
            continue
        stock, local = r.current + rel, r.dest(rel)
        if _same(stock, local):
            continue
        if not _exists(local):
            r.line(f"\nRemoved: {rel}\n")
        elif _kind(stock) != _kind(local):
            r.line(f"\nNode changed from a {_kind(stock)} to a {_kind(local)}: {rel}\n")
        elif os.path.isfile(stock) and not os.path.islink(stock):
            r.line(f"Index: {rel}")
            r.line("=" * 67)
            lines = difflib.unified_diff(
                _read(stock).splitlines(True), _read(local).splitlines(True), f"{rel} (stock)", f"{rel} (local)"
            )
            r.ctx.out.write("".join(lines))
