"""mount(8): show the mount table, or mount devfs/nullfs/tmpfs/procfs/fdescfs (mounts.py).

src: sbin/mount/mount.c main() (getopt "adF:fLlno:prt:uvw"), prmount()
(``FROM on TO (TYPE, flag, ...)``), putfsent() (``-p``: fstab lines, tab padding),
mountfs() (the mount point goes through realpath(3) first: ``mount: realpath /x: No such file
or directory``); sbin/mount/mount_fs.c (``mount: DEV: strerror`` when nmount(2) fails).
nullfs is mounted by mount_nullfs(8), which mount(8) executes (its errors say
``mount_nullfs:``).
"""

import os

from .. import bsdgetopt, kernel, mounts

USAGE = (
    "usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]\n"
    "       mount [-dfpruvw] special | node\n"
    "       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node\n"
)  # src: sbin/mount/mount.c usage()


def _shown(ctx, table):
    """Mounts visible from ctx: inside a jail (enforce_statfs=2) only those under its root, paths relative."""
    if ctx.root in ("/", ""):
        return [dict(m) for m in table]
    root = ctx.root.rstrip("/")
    out = []
    for m in table:
        t = m["target"]
        if t == root or t.startswith(root + "/"):
            m = dict(m, target=t[len(root) :] or "/")
            out.append(m)
    return out


def prmount(m):
    flags = "".join(f", {f}" for f in m.get("flags", []))
    return f"{m['source']} on {m['target']} ({m['fstype']}{flags})"


def _pad(s):
    n = len(s)
    return s + ("\t" if n < 8 else "") + ("\t" if n < 16 else "") + ("\t" if n < 24 else " ")


def _fstab(root):
    out = {}
    try:
        with open(os.path.join(root, "etc/fstab"), encoding="utf-8", errors="replace") as f:
            for line in f:
                w = line.split("#")[0].split()
                if len(w) >= 4:
                    out[w[0]] = out[w[1]] = (w[4] if len(w) > 4 else "0", w[5] if len(w) > 5 else "0")
    except OSError:
        pass
    return out


def putfsent(m, fstab):
    opts = [] if "read-only" in m.get("flags", []) else ["rw"]
    opts += [mounts.FLAG_OPTS[f] for f in m.get("flags", []) if f in mounts.FLAG_OPTS]
    o = ",".join(opts)
    freq, passno = fstab.get(m["source"]) or fstab.get(m["target"]) or ("0", "0")
    return f"{_pad(m['source'])}{_pad(m['target'])}{m['fstype']}\t{o}{chr(9) if len(o) < 8 else ' '}\t{freq} {passno}"


def _realpath_failure(ctx, target):
    """The path realpath(3) leaves in its buffer on ENOENT: resolved so far plus the missing component."""
    parts = [p for p in os.path.normpath(os.path.join(os.getcwd(), target)).split("/") if p]
    done = ""
    for part in parts:
        done = f"{done}/{part}"
        if not os.path.lexists(ctx.path(done)):
            return done
    return done or "/"


def do_mount(ctx, fstype, source, target, opts, prog="mount"):
    path = ctx.path(target)
    if not os.path.exists(path):
        # src: sbin/mount/mount.c mountfs(): realpath() of the mount point, warn("realpath %s", mntpath)
        ctx.err.write(f"mount: realpath {_realpath_failure(ctx, target)}: No such file or directory\n")
        return 1
    if not os.path.isdir(path):
        # src: sbin/mount/mount_fs.c mount_fs(): nmount(2) fails, warn("%s", dev) (mount_nullfs: err(1, ...))
        ctx.err.write(f"{prog}: {source}: Not a directory\n")
        return 1
    if ctx.jid:
        ctx.err.write(f"{prog}: {source}: Operation not permitted\n")
        return 1
    src = ctx.path(source) if fstype == "nullfs" else source
    with kernel.Kernel() as k:
        try:
            mounts.mount(k.state, fstype, src, path, opts)
        except mounts.MountError as exc:
            if fstype == "nullfs":
                ctx.err.write(f"mount_nullfs: {source}: {exc.text}\n")  # checkpath() err(EX_USAGE)
                return 64
            ctx.err.write(f"{prog}: {source}: {exc.text}\n")
            return 1
    return 0


def fstab_entries(root):
    """(source, target, fstype, options) of each /etc/fstab line, in file order (fstab(5))."""
    out = []
    try:
        with open(os.path.join(root, "etc/fstab"), encoding="utf-8", errors="replace") as f:
            for line in f:
                w = line.split("#")[0].split()
                if len(w) >= 4:
                    out.append((w[0], w[1], w[2], w[3].split(",")))
    except OSError:
        pass
    return out


def mount_all(ctx, types=None, late=False, only_late=False):
    """mount -a: every fstab(5) entry not already mounted.

    src: sbin/mount/mount.c main(), the -a loop: skips "noauto" entries, entries
    of a type excluded by -t (``nonfs,...`` negates), file systems already mounted
    (ismounted()), and "late" ones unless -l; -L mounts only the "late" ones
    (rc.d/mountcritlocal runs ``mount -a``, rc.d/mountlate ``mount -a -L``).
    swap and the root file system are never mounted here.
    """
    neg = bool(types) and types.startswith("no")
    names = [w[2:] if neg else w for w in types.split(",")] if types else []
    status = 0
    for source, target, fstype, options in fstab_entries(ctx.root or "/"):
        if "noauto" in options or fstype in ("swap", "ufs", "zfs") or target in ("/", "none"):
            continue
        if names and ((fstype in names) == neg):
            continue
        is_late = "late" in options
        if (only_late and not is_late) or (is_late and not (late or only_late)):
            continue
        if mounts.mounted(kernel.read_state(), ctx.path(target)):
            continue
        if fstype not in mounts.FSTYPES:
            ctx.err.write(f"mount: {source}: Operation not supported by device\n")
            status = 1
            continue
        opts = [o for o in options if o not in ("rw", "late", "auto")]
        status |= do_mount(ctx, fstype, source, target, opts)
    return status


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "adF:fLlno:prt:uvw")
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, args = parsed
    fstype = None
    options = []
    pflag = False
    for o, a in opts:
        if o == "t":
            fstype = a
        elif o == "o":
            options.append(a)
        elif o == "p":
            pflag = True
        elif o == "r":
            options.append("ro")
    flags = {o for o, _a in opts}
    if "a" in flags:
        return mount_all(ctx, fstype, late="l" in flags, only_late="L" in flags)
    if not args:
        table = _shown(ctx, mounts.table(kernel.read_state()))
        if fstype:
            neg = fstype.startswith("no")
            names = [w[2:] if neg else w for w in fstype.split(",")]
            table = [m for m in table if (m["fstype"] in names) != neg]
        fstab = _fstab(ctx.root or "/") if pflag else None
        for m in table:
            ctx.print(putfsent(m, fstab) if pflag else prmount(m))
        return 0
    if len(args) != 2:
        ctx.err.write(USAGE)
        return 1
    if fstype is None:
        fstype = "ufs"
    if fstype not in mounts.FSTYPES:
        ctx.err.write(f"mount: {args[0]}: Operation not supported by device\n")
        return 1
    return do_mount(ctx, fstype, args[0], args[1], options)
