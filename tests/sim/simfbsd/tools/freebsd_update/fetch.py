"""freebsd-update fetch and upgrade: what the mirror has, against what BASEDIR holds.

src: usr.sbin/freebsd-update/freebsd-update.sh
  * cmd_fetch(): without a terminal on stdin and without --not-running-from-cron:
    ``freebsd-update fetch should not be run non-interactively.`` / ``Run freebsd-update cron instead.``, 1.
  * fetchupgrade_check_params(): ServerName, KeyPrint (64 hex digits), WorkDir checks; RELNUM is
    ``uname -r`` (the running kernel, or UNAME_r: --currently-running, -j) without ``-pN``.  So
    ``-b BASE`` alone compares BASE with the *host's* release.
  * fetch_check_params(): ``'-r' option is meaningless with 'fetch' command.``; a pending upgrade
    (``kerneldone``) stops fetch unless -F.  upgrade_check_params(): ``Release target must be
    specified via '-r' option.``, ``Cannot upgrade from X to itself``.
  * fetch_pick_server_init(), fetch_key(), fetch_tag(), fetch_pick_server() (``No mirrors remaining,
    giving up.``), fetch_tagsanity(), fetch_metadata(), fetch_inspect_system(),
    fetch_filter_unmodified_notpresent() (UpdateIfUnmodified: a locally changed file is left alone
    and listed), fetch_filter_uptodate(), fetch_files_prepare(), fetch_files(), fetch_create_manifest()
    (``No updates needed to update system to R-pN.``, ``The following files will be updated as part
    of updating to`` ...), fetch_warn_eol(); upgrade_run(): upgrade_guess_components() and its
    question, fetch_filter_mergechanges(), upgrade_merge() (``diff3 -E -m``), the ``kernelfirst`` note.
  * continuep(): ``read -p "Does this look reasonable (y/n)? "``; at end of input the loop ends
    with status 0, so a closed stdin is a yes.
Simplified: one mirror answers (the first of the catalogue's list); fetch_progress() prints a dot
for every second file; the metadata lines (``Fetching 2 metadata files...``) appear when the
workdir's tINDEX.present is not for this tag.  A merge conflict in an upgrade needs the editor on
/dev/tty: not modelled (exit 1, nothing installed).
"""

import difflib
import os
import re
import sys
import time

from ... import diff3, patchlevels
from . import Exit, mirror_down, published, workdir

BIN = "freebsd-update"
ARCH = "amd64"
COMPONENTS_ALL = [
    "kernel/generic",
    "kernel/generic-dbg",
    "world/base",
    "world/base-dbg",
    "world/lib32",
    "world/lib32-dbg",
]  # fmt: skip  (the simulator's mirror; 14.x INDEX-ALL not read)


def _relnum(p):
    from ... import kernel

    uname_r = p.uname_r or kernel.box_config()["release"]
    relnum = re.sub(r"-p[0-9]+", "", uname_r, count=1).replace("-SECURITY", "-RELEASE")
    m = re.search(r"-p([0-9]+)$", uname_r)
    return uname_r, relnum, int(m.group(1)) if m else 0


def _check_params(p, command):
    """fetchupgrade_check_params()."""
    if not p.get("SERVERNAME"):
        p.line(f"{BIN}: SERVERNAME must be given via command line or configuration file.")
        raise Exit(1)
    if not p.get("KEYPRINT"):
        p.line(f"{BIN}: Key must be given via -k option or configuration file.")
        raise Exit(1)
    if not re.fullmatch(r"[0-9a-f]{64}", p.get("KEYPRINT")):
        p.line(f"{BIN}: Invalid key fingerprint: {p.get('KEYPRINT')}")
        raise Exit(1)
    wd = workdir.check_workdir(p)
    uname_r, relnum, relpx = _relnum(p)
    if not re.search(r"-(RELEASE|ALPHA|BETA|RC)", relnum):
        p.out(f"{BIN}: ")
        p.line("Cannot upgrade from a version that is not a release")
        p.line("(including alpha, beta and release candidates)")
        p.line(f"using {BIN}. Instead, FreeBSD can be directly")
        p.line("upgraded by source or upgraded to a RELEASE/RELENG version")
        p.line(f"prior to running {BIN}.")
        p.line(f"Currently running: {relnum}")
        raise Exit(1)
    return wd, uname_r, relnum, relpx


def cmd_fetch(p):
    if not sys.stdin.isatty() and not p.nottyok:
        p.line(f"{BIN} fetch should not be run non-interactively.")
        p.line(f"Run {BIN} cron instead.")
        raise Exit(1)
    wd, uname_r, relnum, relpx = _check_params(p, "fetch")
    if p.get("TARGETRELEASE"):
        p.out(f"{BIN}: ")
        p.line("'-r' option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)")
        raise Exit(1)
    link = os.path.join(wd, workdir.bdhash(p.basedir) + "-install")
    if os.path.exists(os.path.join(link, "kerneldone")) and not p.forcefetch:
        p.line("You have a partially completed upgrade pending")
        p.line(f"Run '{BIN} [options] install' first.")
        p.line(f"Run '{BIN} [options] fetch -F' to proceed anyway.")
        raise Exit(1)
    server = _server_and_tag(p, wd, relnum, relpx, uname_r)
    level = published(relnum)
    _metadata(p, wd, relnum, level, ("INDEX-NEW", "INDEX-OLD"))
    new = patchlevels.release_files(relnum, level)
    old = patchlevels.old_values(relnum, max(level - 1, 0))
    present = _inspect(p, new)
    updates, modified = _filter(p, new, old, present)
    _prepare_and_fetch(p, wd, server, present, updates)
    _manifest(p, wd, relnum, level, present, updates, modified)
    _warn_eol(p, uname_r, relnum)


def _server_and_tag(p, wd, relnum, relpx, uname_r):
    """fetch_pick_server_init(), fetch_key(), fetch_tag(), fetch_tagsanity(): the server used."""
    name = p.get("SERVERNAME")
    p.out(f"Looking up {name} mirrors... ")
    servers = [] if mirror_down() else patchlevels.mirrors()
    p.line(f"{len(servers)} mirrors found." if servers else "none found.")
    server = servers[0] if servers else name
    if not os.path.exists(os.path.join(wd, "pub.ssl")):
        p.out(f"Fetching public key from {server}... ")
        if not servers:
            p.line("failed.")
            _no_mirrors(p, relnum)
        _write(os.path.join(wd, "pub.ssl"), "simulated update signing key\n")
        p.line("done.")
    _tag(p, wd, relnum, server, bool(servers))
    level = published(relnum)
    if level < relpx:
        p.line()
        p.line(f"Files on mirror ({relnum}-p{level}) appear older than what")
        p.line(f"we are currently running ({uname_r})!")
        p.line("Cowardly refusing to proceed any further.")
        raise Exit(1)
    return server


def _tag(p, wd, relnum, server, reachable=True):
    """fetch_tag(): ``Fetching metadata signature for R from S... done.``; tag.new."""
    p.out(f"Fetching metadata signature for {relnum} from {server}... ")
    if not reachable or relnum not in patchlevels.releases():
        p.line("failed.")
        _no_mirrors(p, relnum)
    p.line("done.")
    level = published(relnum)
    tag = f"freebsd-update|{ARCH}|{relnum}|{level}|{workdir.sha(relnum + str(level))}|{patchlevels.eol(relnum)}"
    _write(os.path.join(wd, "tag.new"), tag + "\n")


def _no_mirrors(p, relnum):
    """fetch_pick_server() with nothing left to try."""
    p.line("No mirrors remaining, giving up.")
    p.line()
    p.line(f"This may be because upgrading from this platform ({ARCH})")
    p.line(f"or release ({relnum}) is unsupported by {BIN}. Only")
    p.line(f"platforms with Tier 1 support can be upgraded by {BIN}.")
    p.line("See https://www.freebsd.org/platforms/ for more info.")
    p.line()
    p.line("If unsupported, FreeBSD must be upgraded by source.")
    raise Exit(1)


def _metadata(p, wd, relnum, level, names):
    """fetch_metadata(): the index, then the metadata files this workdir lacks; tag.new -> tag."""
    p.line("Fetching metadata index... done.")
    want = "".join(f"{n}|{workdir.sha(relnum + str(level) + n)}\n" for n in names)
    path = os.path.join(wd, "tINDEX.present")
    have = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            have = f.read()
    missing = [line for line in want.splitlines() if line not in have.splitlines()]
    if missing:
        p.line(f"Fetching {len(missing)} metadata files... done.")
    _write(path, want)
    os.replace(os.path.join(wd, "tag.new"), os.path.join(wd, "tag"))


def _inspect(p, *indexes):
    """fetch_inspect_system(): {path: text or None} for every path of the indexes."""
    p.out("Inspecting system... ")
    base = p.host_path(p.basedir)
    present = {}
    for path in sorted({q for index in indexes for q in index}):
        try:
            with open(os.path.join(base, path.lstrip("/")), encoding="utf-8", errors="surrogateescape") as f:
                present[path] = f.read()
        except FileNotFoundError:
            present[path] = None
    p.line("done.")
    return present


def _filter(p, new, old, present, merge_ok=()):
    """fetch_filter_unmodified_notpresent(), fetch_filter_uptodate(): (updates {path: text}, modified)."""
    updates, modified = {}, []
    unmodified_only = p.listed("UPDATEIFUNMODIFIED")
    for path, text in sorted(new.items()):
        cur = present.get(path)
        if cur == text:
            continue
        if cur is None and path in old:
            continue  # removed locally: not put back (a "-" entry in INDEX-PRESENT only)
        if any(re.match(x, path) for x in unmodified_only) and cur not in old.get(path, set()) and path not in merge_ok:
            modified.append(path)
            continue
        updates[path] = text
    return updates, modified


def _prepare_and_fetch(p, wd, server, present, updates):
    """fetch_files_prepare(), fetch_files(): old files kept for rollback, new files fetched."""
    p.out("Preparing to download files... ")
    for path in updates:
        if present.get(path) is not None:
            workdir.store(wd, present[path])
    p.line("done.")
    wanted = sorted({workdir.sha(t) for t in updates.values()} - _stored(wd))
    if wanted:
        p.out(f"Fetching {len(wanted)} files... ")
        p.out("".join(str(n) if n % 10 == 0 else "." for n in range(2, len(wanted) + 1, 2)) + " ")
        for text in updates.values():
            workdir.store(wd, text)
        p.line("done.")


def _stored(wd):
    d = os.path.join(wd, "files")
    return {n[: -len(".gz")] for n in os.listdir(d)} if os.path.isdir(d) else set()


def _manifest(p, wd, relnum, level, present, updates, modified, kernelfirst=False):
    """fetch_create_manifest()."""
    link = os.path.join(wd, workdir.bdhash(p.basedir) + "-install")
    if os.path.islink(link):
        workdir._remove_link(link)
    if modified:
        p.line("The following files are affected by updates. No changes have")
        p.line("been downloaded, however, because the files have been modified")
        p.line("locally:")
        for path in modified:
            p.line(path)
    if not updates:
        p.line()
        p.line(f"No updates needed to update system to {relnum}-p{level}.")
        return
    added = sorted(q for q in updates if present.get(q) is None)
    changed = sorted(q for q in updates if present.get(q) is not None)
    for what, paths in (("added", added), ("updated", changed)):
        if paths:
            p.line(f"The following files will be {what} as part of updating to")
            p.line(f"{relnum}-p{level}:")
            for path in paths:
                p.line(path)
    base = p.host_path(p.basedir)
    old_lines = [workdir.index_line(q, present.get(q), _perm(base, q)) for q in updates]
    new_lines = [
        workdir.index_line(q, t, _perm(base, q, "0444" if "/lib/" in q else "0644")) for q, t in updates.items()
    ]
    workdir.write_manifest(p, wd, old_lines, new_lines, kernelfirst=kernelfirst)


def _perm(base, path, default="0644"):
    try:
        return "0%o" % (os.stat(os.path.join(base, path.lstrip("/"))).st_mode & 0o7777)
    except FileNotFoundError:
        return default


def _warn_eol(p, uname_r, relnum):
    """fetch_warn_eol(): past the EoL, the warning and status 1 (the manifest is already made)."""
    if patchlevels.eol(relnum) < time.time():
        p.line()
        p.line(f"WARNING: FreeBSD {uname_r} HAS PASSED ITS END-OF-LIFE DATE.")
        p.line(f"Any security issues discovered after {time.ctime(patchlevels.eol(relnum))}")
        p.line("will not have been corrected.")
        raise Exit(1)


def _write(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def _continuep(p):
    """continuep(): y/n on stdin; end of input counts as yes (the while loop's status is 0)."""
    for answer in sys.stdin:
        if answer[:1] in "yY" and answer[:1]:
            return True
        if answer[:1] in "nN" and answer[:1]:
            return False
    return True


def cmd_upgrade(p):
    """upgrade_check_params(), upgrade_run()."""
    wd, uname_r, relnum, relpx = _check_params(p, "upgrade")
    target = p.get("TARGETRELEASE")
    if not target:
        p.line(f"{BIN}: Release target must be specified via '-r' option.")
        raise Exit(1)
    if target == relnum:
        p.line(f"{BIN}: Cannot upgrade from {relnum} to itself")
        raise Exit(1)
    _server_and_tag(p, wd, relnum, relpx, uname_r)
    old_level = published(relnum)
    _metadata(p, wd, relnum, old_level, ("INDEX-OLD", "INDEX-ALL"))
    _components(p)
    server = _lookup_done(p, wd, target)
    level = published(target)
    _metadata(p, wd, target, level, ("INDEX-ALL",))
    new = patchlevels.release_files(target, level)
    old = patchlevels.old_values(relnum, old_level)
    present = _inspect(p, new)
    merges = [
        q
        for q in sorted(new)
        if any(re.match(x, q) for x in p.listed("MERGECHANGES"))
        and present.get(q) is not None
        and present[q] not in old.get(q, set())
        and present[q] != new[q]
    ]
    updates, modified = _filter(p, new, old, present, merge_ok=merges)
    if merges:
        p.line(f"Fetching files from {relnum} for merging... done.")
    _prepare_and_fetch(p, wd, server, present, updates)
    if merges and not _merge(p, wd, relnum, target, old_level, present, updates, merges):
        raise Exit(1)
    _manifest(p, wd, target, level, present, updates, modified, kernelfirst=True)
    p.line(f"To install the downloaded upgrades, run '{BIN} [options] install'.")


def _lookup_done(p, wd, target):
    """upgrade_run(): the new release's tag from the server already picked."""
    server = patchlevels.mirrors()[0]
    _tag(p, wd, target, server, not mirror_down())
    return server


def _components(p):
    """upgrade_guess_components() with StrictComponents no: the question about what is installed."""
    if p.get("STRICTCOMPONENTS") != "no":
        return
    p.line("Inspecting system... done.")
    base = p.host_path(p.basedir)
    present = ["kernel/generic"]  # added whatever is on disk: it is the running kernel's component
    if os.path.exists(os.path.join(base, "bin/sh")):
        present.append("world/base")
    absent = [c for c in COMPONENTS_ALL if c not in present]
    p.line()
    p.line("The following components of FreeBSD seem to be installed:")
    p.line(" ".join(present))
    p.line()
    p.line("The following components of FreeBSD do not seem to be installed:")
    p.line(" ".join(absent))
    p.line()
    if sys.stdin.isatty():
        sys.stderr.write("Does this look reasonable (y/n)? ")
    if not _continuep(p):
        raise Exit(1)
    p.line()


def _merge(p, wd, relnum, target, old_level, present, updates, merges):
    """upgrade_merge(): diff3 -E -m of the current file, the old release's and the new one's."""
    p.out("Attempting to automatically merge changes in files...")
    merged, failed = {}, []
    for path in merges:
        base_text = patchlevels.release_files(relnum, old_level).get(path, "")
        text, conflict = diff3.merge(present[path], base_text, updates.get(path, base_text),
                                     labels=("current version", relnum, target))  # fmt: skip
        merged[path] = text
        if conflict:
            failed.append(path)
    p.line(" done.")
    for path in failed:
        p.line()
        p.line(f"The following file could not be merged automatically: {path}")
        p.line("Press Enter to edit this file in /usr/bin/vi and resolve the conflicts")
        p.line("manually...")
        p.ctx.err.write(f"{BIN}: editing a conflicting merge on /dev/tty: not modelled by the simulator\n")
        return False
    for path in merges:
        p.line()
        p.line(f"The following changes, which occurred between FreeBSD {relnum} and")
        p.line(f"FreeBSD {target} have been merged into {path}:")
        diff = difflib.unified_diff(present[path].splitlines(True), merged[path].splitlines(True),
                                    "current version", "new version", n=5)  # fmt: skip
        p.out("".join(diff))
        if not _continuep(p):
            return False
        updates[path] = merged[path]
        workdir.store(wd, merged[path])
    return True
