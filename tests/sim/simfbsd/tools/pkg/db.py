"""pkg(8)'s local database and the files a package installs, by the simulator's own means.

The database is ``var/db/pkg/local.json`` under the target root (pkg's is local.sqlite,
libpkg/pkgdb.c); a root is "activated" (``pkg -N``) once a package is registered there.
Files come from data/pkg/catalogue.json ``files``: ``text:F``/``script:F`` copy data/pkg/files/F,
``sample:F`` copies it unless the file exists (the ports' @sample keyword, removed on delete only
when unchanged), ``link:T`` is a symbolic link, and ``python`` is the interpreter: Debian's own
/usr (read-only bind mount, as mount_nullfs -o ro would) at ``usr/local/libexec/simpython`` of
the target root, run by a small /bin/sh wrapper through the dynamic loader under that mount, so
that it works chrooted in a jail (jexec(8)).

The same bind gives a jail its base tools (world.JAIL_TOOLS: /usr/sbin/pkg, sysrc, service, which
FreeBSD's base.txz holds and its own programs run inside the jail): the simulator's code
(``/.simhost/lib``, read-only) and the box's kernel state (``/.simhost/kernel``) are bound at
``.simhost/`` of the jail's root, and the root's device and inode are recorded in the kernel's
``jailroots.json``, so a tool run chrooted in the jail finds its jail (tool.jail_main()) as the
kernel knows a process's prison.  Without python311 in the jail its base tools fail (the simulator
runs them with Python); through jexec(8) by name they run without it, as before.
"""

import datetime
import fcntl
import json
import os
import shutil

from ... import kernel, mounts, paths

SIMFBSD = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DB = "var/db/pkg/local.json"
CATALOGUE = os.path.join(SIMFBSD, "data", "pkg")
SIMPYTHON = "usr/local/libexec/simpython"
PYSHIM = "usr/local/libexec/simpython-shim"
# The simulator inside a jail's root (see the module's docstring): (box path, jail-relative path, read-only).
GATE = ((paths.BOX_LIB, paths.BOX_LIB.lstrip("/"), True), (kernel.kdir(), paths.BOX_KERNEL.lstrip("/"), False))
# The wrapper run as /usr/local/bin/python3.11: the Debian interpreter of the box through its loader,
# with its prefix under the bind mount (Python's getpath reads PYTHONHOME).
PYTHON_WRAPPER = """#!/bin/sh
# python3.11 (simulated FreeBSD package lang/python311): the box's interpreter, bound read-only
# at /{lib}; see tests/sim/simfbsd/tools/pkg/db.py
P=/{lib}
PYTHONHOME=$P PYTHONPATH=/{shim}${{PYTHONPATH:+:$PYTHONPATH}} exec \
$P/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $P/lib/x86_64-linux-gnu \
$P/bin/python3.11 "$@"
"""


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


def pkgname(name, meta):
    return f"{name}-{meta['version']}"


def closure(cat, names):
    """Install order: dependencies first (libpkg's solver, flattened)."""
    out = []

    def visit(n, automatic):
        for d in cat[n].get("deps", []):
            visit(d, True)
        if n not in [o for o, _auto in out]:
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
    src = os.path.join(SIMFBSD, "pyshim", "sitecustomize.py")
    shutil.copyfile(src, os.path.join(shim, "sitecustomize.py"))
    _bind_gate(root)


def _bind_gate(root):
    """The simulator's code and kernel state at ``.simhost/`` of the jail's root; the root recorded by device
    and inode in the kernel's JAIL_ROOTS (idempotent)."""
    if os.path.realpath(root) == "/":
        return
    for src, rel, ro in GATE:
        target = os.path.join(root, rel)
        if os.path.ismount(target) or not os.path.isdir(src):
            continue
        os.makedirs(target, exist_ok=True)
        if mounts._sys_mount(src, target, None, mounts.MS_BIND) != 0:
            raise OSError(f"cannot bind {src} at {target}")
        if ro:
            mounts._sys_mount(src, target, None, mounts.MS_BIND | mounts.MS_REMOUNT | mounts.MS_RDONLY)
    st = os.stat(root)
    path = os.path.join(kernel.kdir(), kernel.JAIL_ROOTS)
    # A lock of its own: this runs inside jail(8)'s and pkg(8)'s exclusive ``with Kernel()``.
    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with open(path, encoding="utf-8") as f:
                roots = json.load(f)
        except FileNotFoundError:
            roots = {}
        roots[f"{st.st_dev}:{st.st_ino}"] = os.path.realpath(root)
        kernel.write_json_atomic(path, roots)
    finally:
        os.close(fd)


def _unbind_gate(root):
    for _src, rel, _ro in reversed(GATE):
        target = os.path.join(root, rel)
        if os.path.ismount(target):
            mounts._sys_umount(target, True)
        _rmdir(target)
    _rmdir(os.path.join(root, ".simhost"))


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
    _unbind_gate(root)
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


def install_files(root, meta):
    for path, spec in meta.get("files", {}).items():
        dest = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        kind, _sep, arg = spec.partition(":")
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


def remove_files(root, meta):
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


def register(db, name, meta, automatic):
    """The database entry of an installed package (pkg-query(8) %n %v %o %c %a, annotations)."""
    db[name] = {
        "version": meta["version"],
        "origin": meta["origin"],
        "comment": meta["comment"],
        "automatic": bool(automatic and db.get(name, {}).get("automatic", True)),
        "annotations": {"repository": "FreeBSD", "repo_type": "binary"},
        "timestamp": int(datetime.datetime.now(datetime.timezone.utc).timestamp()),
    }


def _write(dest, text, mode):
    tmp = dest + ".pkgtmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, dest)
