"""freebsd-update's working directory, install and rollback.

src: usr.sbin/freebsd-update/freebsd-update.sh
  * layout: ``files/HASH.gz`` (every old and new file, gzipped, by SHA256), ``tag`` (the last
    metadata signature: ``freebsd-update|ARCH|RELNUM|PATCHNUM|TINDEXHASH|EOLTIME``),
    ``BDHASH-install`` -> ``install.XXXXXX/`` with ``INDEX-OLD`` and ``INDEX-NEW`` (fetch_create_manifest()),
    ``BDHASH-rollback`` (install_setup_rollback(), a previous one moved inside as ``rollback``);
    BDHASH is ``echo ${BASEDIR} | sha256 -q``.
  * INDEX lines ``/path|type|uid|gid|perm|flags|hash|hardlink`` (fetch_inspect_system()); a file
    that is not there is ``/path|-||||||``.
  * install_check_params(), install_run() (``Installing updates...`` `` done.``), install_files()
    (the ``kernelfirst`` note of an upgrade; this catalogue has no kernel files, so there is never
    the reboot stop), rollback_check_params(), rollback_run() (``Uninstalling updates...`` `` done.``),
    rollback_setup_rollback(), cmd_updatesready().
"""

import gzip
import hashlib
import os
import shutil
import tempfile

from ... import kernel

BIN = "freebsd-update"


def bdhash(basedir):
    return hashlib.sha256((basedir + "\n").encode()).hexdigest()


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def store(wd, text):
    """Put a file's contents into files/ (gzip -c < tmpfile > files/HASH.gz); returns HASH."""
    h = sha(text)
    path = os.path.join(wd, "files", h + ".gz")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with gzip.open(path + ".tmp", "wt", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return h


def load(wd, h):
    with gzip.open(os.path.join(wd, "files", h + ".gz"), "rt", encoding="utf-8") as f:
        return f.read()


def index_line(path, text, perm="0644"):
    if text is None:
        return f"{path}|-||||||"
    return f"{path}|f|0|0|{perm}|0|{sha(text)}|"


def read_index(path):
    """{path: hash or None (absent), perm}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            fields = line.split("|")
            out[fields[0]] = (fields[6] if fields[1] == "f" else None, fields[4])
    return out


def write_manifest(p, wd, old_lines, new_lines, kernelfirst=False):
    """fetch_create_manifest(): a fresh install.XXXXXX linked as BDHASH-install."""
    link = os.path.join(wd, bdhash(p.basedir) + "-install")
    _remove_link(link)
    mdir = tempfile.mkdtemp(prefix="install.", dir=wd)
    for name, lines in (("INDEX-OLD", old_lines), ("INDEX-NEW", new_lines)):
        with open(os.path.join(mdir, name), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in sorted(lines)))
    if kernelfirst:
        open(os.path.join(mdir, "kernelfirst"), "w").close()
    os.symlink(os.path.basename(mdir), link)


def _remove_link(link):
    """``rm -r LINK/; rm LINK``."""
    if os.path.islink(link):
        shutil.rmtree(os.path.join(os.path.dirname(link), os.readlink(link)), ignore_errors=True)
        os.unlink(link)


def check_workdir(p):
    wd = p.host_path(p.workdir)
    if not (os.path.isdir(wd) and os.access(wd, os.W_OK)):
        p.line(f"{BIN}: Directory does not exist or is not writable: {p.workdir}")
        raise _exit(1)
    return wd


def _exit(code):
    from . import Exit

    return Exit(code)


def _securelevel(p):
    from .. import sysctl

    with kernel.Kernel(shared=True) as k:
        return int(sysctl.value(p.ctx, k.state, "kern.securelevel"))


def cmd_install(p):
    """install_check_params(), install_run()."""
    if _securelevel(p) > 0:
        p.line("Updates cannot be installed when the system securelevel")
        p.line("is greater than zero.")
        raise _exit(1)
    wd = check_workdir(p)
    link = os.path.join(wd, bdhash(p.basedir) + "-install")
    if not os.path.islink(link):
        p.line("No updates are available to install.")
        if not p.isfetched:
            p.line(f"Run '{BIN} [options] fetch' first.")
            raise _exit(2)
        raise _exit(0)
    mdir = os.path.join(wd, os.readlink(link))
    if not (os.path.isfile(os.path.join(mdir, "INDEX-OLD")) and os.path.isfile(os.path.join(mdir, "INDEX-NEW"))):
        p.line("Update manifest is corrupt -- this should never happen.")
        p.line(f"Re-run '{BIN} [options] fetch'.")
        raise _exit(1)
    p.out("Installing updates...")
    old = read_index(os.path.join(mdir, "INDEX-OLD"))
    new = read_index(os.path.join(mdir, "INDEX-NEW"))
    if not _verify(p, wd, old, new):
        raise _exit(1)
    _apply(p, wd, new, old)
    for flag in ("kernelfirst", "kerneldone", "worlddone"):  # install_setup_rollback()
        if os.path.exists(os.path.join(mdir, flag)):
            os.unlink(os.path.join(mdir, flag))
    rb = os.path.join(wd, bdhash(p.basedir) + "-rollback")
    if os.path.islink(rb):
        os.rename(rb, os.path.join(mdir, "rollback"))
    os.rename(link, rb)
    p.line(" done.")


def _verify(p, wd, *indexes):
    """install_verify(): every hash has its files/HASH.gz."""
    for index in indexes:
        for h, _perm in index.values():
            if h and not os.path.exists(os.path.join(wd, "files", h + ".gz")):
                p.out("Update files missing -- ")
                p.line("this should never happen.")
                p.line(f"Re-run '{BIN} [options] fetch'.")
                return False
    return True


def _apply(p, wd, install, remove):
    """install_from_index() for ``install``, install_delete() for what ``remove`` has and ``install`` lacks."""
    base = p.host_path(p.basedir)
    for path, (h, perm) in sorted(install.items()):
        target = os.path.join(base, path.lstrip("/"))
        if h is None:
            if os.path.lexists(target):
                os.unlink(target)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = target + ".fbsdupd"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(load(wd, h))
        os.chmod(tmp, int(perm, 8) & 0o7777 if perm else 0o644)
        os.replace(tmp, target)
    for path, (h, _perm) in sorted(remove.items()):
        if path not in install and h is not None:
            target = os.path.join(base, path.lstrip("/"))
            if os.path.lexists(target):
                os.unlink(target)


def cmd_rollback(p):
    """rollback_check_params(), rollback_run(), rollback_setup_rollback()."""
    wd = check_workdir(p)
    h = bdhash(p.basedir)
    rb = os.path.join(wd, h + "-rollback")
    if not os.path.islink(rb):
        p.line("No rollback directory found.")
        raise _exit(1)
    mdir = os.path.join(wd, os.readlink(rb))
    if not (os.path.isfile(os.path.join(mdir, "INDEX-OLD")) and os.path.isfile(os.path.join(mdir, "INDEX-NEW"))):
        p.line("Update manifest is corrupt -- this should never happen.")
        raise _exit(1)
    p.out("Uninstalling updates...")
    _remove_link(os.path.join(wd, h + "-install"))  # fetched updates are dropped: fetch again
    old = read_index(os.path.join(mdir, "INDEX-OLD"))
    new = read_index(os.path.join(mdir, "INDEX-NEW"))
    if not _verify(p, wd, new, old):
        raise _exit(1)
    _apply(p, wd, old, new)
    inner = os.path.join(mdir, "rollback")
    if os.path.islink(inner):
        tmp = os.path.join(wd, "rollback-tmp")
        os.rename(inner, tmp)
        _remove_link(rb)
        os.rename(tmp, rb)
    else:
        _remove_link(rb)
    p.line(" done.")


def cmd_updatesready(p):
    wd = p.host_path(p.workdir)
    if not os.path.exists(wd) or not os.path.islink(os.path.join(wd, bdhash(p.basedir) + "-install")):
        p.line("No updates are available to install.")
        raise _exit(2)
    p.line("There are updates available to install.")
    p.line(f"Run '{BIN} [options] install' to proceed.")
