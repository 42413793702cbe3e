"""A small FreeBSD-like world: what buildworld/installworld/distribution produce, and base.txz.

Used on both sides:
  * Linux side, ``simhost create``: ``create_hook(box, upper)`` puts
    ``/usr/freebsd-dist/base.txz`` + ``MANIFEST`` in every box (the tarball is
    built once per $SIMHOST_DIR and release, cached in ``$SIMHOST_DIR/.cache``), and with
    ``--dist R`` the same for release R in ``/usr/freebsd-dist/R/``,
    ``/usr/src`` for ``--with-src`` boxes and BIND's files for ``--with-named``.
  * inside a box, make(1) (tools/make/): ``install_world(dest, release)``,
    ``install_distribution(dest, release)``.

The world is real enough to run: ``bin/sh`` is a copy of the static busybox
(Debian package busybox-static) and ``ls cat echo mkdir rm cp mv test sleep``
are links to it in ``bin/`` (``env``, ``id`` in ``usr/bin/``), so
``chroot D /bin/sh -c ...`` and a jail's ``exec.start="/bin/sh /etc/rc"`` work.

Interface:
  WORLD_FILES / DIST_FILES      what installworld / distribution install (relative paths)
  install_world(dest, release, defaults_rc)   bin/, usr/bin, etc/rc, etc/rc.shutdown,
                                etc/defaults/rc.conf (text given), bin/freebsd-version,
                                JAIL_TOOLS (usr/sbin/pkg, sysrc, service)
  install_distribution(dest, release)         etc/passwd, group, master.passwd,
                                services, dev/, tmp/, var/run/, root/
  build_base_txz(path, release, defaults_rc) -> (sha256, nentries)
  manifest_line(sha256, nentries) -> str       release/scripts/make-manifest.sh format
  create_hook(box, upper)
"""

import hashlib
import io
import os
import shutil
import tarfile
import tempfile

from . import patchlevels

BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
BIN_APPLETS = ("ls", "cat", "echo", "mkdir", "rm", "cp", "mv", "test", "[", "sleep", "hostname", "kill", "ln")
USR_BIN_APPLETS = ("env", "id", "true", "false", "head", "tail", "grep", "sed", "wc")
# Base tools that run inside a jail as programs (a module's subprocess in a jail finds them at these paths):
# FreeBSD's base.txz holds them (usr.sbin/pkg, usr.sbin/sysrc, usr.sbin/service).  In the simulated world they
# are shims that run the simulator's tool with the jail's python311 package (tools/pkg/db.py, tool.jail_main).
JAIL_TOOLS = {"pkg": "usr/sbin/pkg", "sysrc": "usr/sbin/sysrc", "service": "usr/sbin/service"}
JAIL_TOOL_SHIM = """#!/bin/sh
# simulated FreeBSD {name}(8) in a jail's world: the simulator's tool (tests/sim/simfbsd/tools/), run by
# the jail's python311 package with the simulator bound at /.simhost (tests/sim/simfbsd/tools/pkg/db.py)
if [ ! -x /usr/local/bin/python3.11 ] || [ ! -d /.simhost/lib/simfbsd ]; then
\techo "{name}: simulator: {name} runs inside a jail once the jail has its python311 package" >&2
\texit 127
fi
exec /usr/local/bin/python3.11 -S -c \\
\t'import sys; sys.path.insert(0, "/.simhost/lib"); from simfbsd.tool import jail_main; jail_main()' \\
\t{name} "$@"
"""
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
MTIME = 1717200000  # fixed file times in base.txz, so the tarball is reproducible

ETC_RC = """#!/bin/sh
#
# System startup script run by init on autoboot or after single-user
# (simulator's small world: runs the rc.d scripts that exist, in name order).
#
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
HOME=/
export HOME
if [ -r /etc/rc.conf ]; then
\t. /etc/rc.conf
fi
for _rc_elem in /etc/rc.d/*; do
\t[ -x "$_rc_elem" ] && "$_rc_elem" start
done
date 2>/dev/null
exit 0
"""

ETC_RC_SHUTDOWN = """#!/bin/sh
#
# Site-specific actions on shutdown (simulator's small world).
#
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
for _rc_elem in /etc/rc.d/*; do
\t[ -x "$_rc_elem" ] && "$_rc_elem" stop
done
echo '.'
exit 0
"""

# /etc/passwd, /etc/master.passwd and /etc/group of a fresh FreeBSD 14 system: the box's own files
# (data/root/etc/, see pwdb.py), installed by ``make distribution`` into every world as well.
# src: etc/master.passwd, etc/group (root's shell is /bin/sh since d410b585b6f0, FreeBSD 14.0);
# /etc/passwd is what ``pwd_mkdb -p`` writes from master.passwd (usr.sbin/pwd_mkdb/pwd_mkdb.c main():
# comment lines copied, each entry as name:*:uid:gid:gecos:home:shell).
ACCOUNT_FILES = (("etc/passwd", 0o644), ("etc/master.passwd", 0o600), ("etc/group", 0o644))


def busybox():
    for p in BUSYBOX_CANDIDATES:
        if os.path.isfile(p):
            return p
    raise FileNotFoundError("busybox not found (Debian package busybox-static)")


def _write(dest, rel, text, mode=0o644):
    p = os.path.join(dest, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(p, mode)


def _symlink(dest, rel, target):
    p = os.path.join(dest, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if os.path.lexists(p):
        os.unlink(p)
    os.symlink(target, p)


def freebsd_version_script(release):
    return patchlevels.freebsd_version_script(release)


def install_world(dest, release, defaults_rc):
    """What installworld puts in DESTDIR (the parts the simulator models)."""
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "usr/lib", "usr/libexec", "usr/share", "libexec", "lib",
              "etc/defaults", "etc/rc.d", "boot"):  # fmt: skip
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    sh = os.path.join(dest, "bin/sh")
    if os.path.lexists(sh):
        os.unlink(sh)
    shutil.copy2(busybox(), sh)
    os.chmod(sh, 0o555)
    for a in BIN_APPLETS:
        _symlink(dest, f"bin/{a}", "sh")
    for a in USR_BIN_APPLETS:
        _symlink(dest, f"usr/bin/{a}", "../../bin/sh")
    _write(dest, "bin/freebsd-version", freebsd_version_script(release), 0o555)
    # The files the simulated update mirror tracks, at -p0 (patchlevels.py): what freebsd-update patches.
    if release in patchlevels.releases():
        for path, text in patchlevels.release_files(release, 0).items():
            if path != patchlevels.VERSION_FILE:
                _write(dest, path.lstrip("/"), text, 0o444 if "/lib/" in path else 0o644)
    for name, rel in JAIL_TOOLS.items():
        _write(dest, rel, JAIL_TOOL_SHIM.format(name=name), 0o555)
    _write(dest, "etc/rc", ETC_RC)
    _write(dest, "etc/rc.shutdown", ETC_RC_SHUTDOWN)
    _write(dest, "etc/defaults/rc.conf", defaults_rc)


def account_text(rel):
    with open(os.path.join(DATA_DIR, "root", rel), encoding="utf-8") as f:
        return f.read()


def services_text():
    with open(os.path.join(DATA_DIR, "root/etc/services"), encoding="utf-8") as f:
        return f.read()


def install_distribution(dest, release):
    """What ``make distribution`` adds: the /etc files of a fresh system and the empty directories."""
    for d in ("dev", "tmp", "var/run", "var/log", "var/tmp", "root", "etc/ssh", "etc/mail", "usr/local/etc"):
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    os.chmod(os.path.join(dest, "tmp"), 0o1777)
    os.chmod(os.path.join(dest, "var/tmp"), 0o1777)
    for rel, mode in ACCOUNT_FILES:
        _write(dest, rel, account_text(rel), mode)
    _write(dest, "etc/services", services_text())
    _write(dest, "etc/rc.conf", "")


def build_tree(dest, release, defaults_rc):
    install_world(dest, release, defaults_rc)
    install_distribution(dest, release)


def _tar_filter(ti):
    ti.uid = ti.gid = 0
    ti.uname, ti.gname = "root", "wheel"
    ti.mtime = MTIME
    return ti


def build_base_txz(path, release, defaults_rc):
    """A real xz tarball of the world (``./bin/sh`` ... like FreeBSD's); returns (sha256, entries)."""
    with tempfile.TemporaryDirectory(prefix="simworld-") as tmp:
        os.chmod(tmp, 0o755)
        build_tree(tmp, release, defaults_rc)
        names = []
        for dirpath, dirs, files in os.walk(tmp):
            dirs.sort()
            for n in sorted(dirs + files):
                names.append(os.path.relpath(os.path.join(dirpath, n), tmp))
        names.sort()
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:xz", format=tarfile.PAX_FORMAT, preset=1) as tar:
            tar.add(tmp, arcname=".", recursive=False, filter=_tar_filter)
            for n in names:
                tar.add(os.path.join(tmp, n), arcname="./" + n, recursive=False, filter=_tar_filter)
        data = buf.getvalue()
    tmp_path = f"{path}.{os.getpid()}.tmp"
    with open(tmp_path, "wb") as f:
        f.write(data)
    os.replace(tmp_path, path)
    return hashlib.sha256(data).hexdigest(), len(names) + 1


def manifest_line(sha256, nentries, name="base.txz"):
    """src: release/scripts/make-manifest.sh - name, sha256, ``tar tvf | wc -l``, dist, "desc", on."""
    dist = name[: -len(".txz")]
    desc = {"base": "Base system (MANDATORY)", "kernel": "Kernel (MANDATORY)"}.get(dist, dist)
    return f'{name}\t{sha256}\t{nentries}\t{dist}\t"{desc}"\ton'


def _cached_base(box, defaults_rc, release=None):
    from . import paths

    cache = os.path.join(paths.sim_dir(), ".cache")
    os.makedirs(cache, exist_ok=True)
    accounts = "".join(account_text(rel) for rel, _mode in ACCOUNT_FILES)
    with open(patchlevels.CATALOGUE, encoding="utf-8") as f:
        catalogue = f.read()
    release = release or box["release"]
    seed = release + defaults_rc + str(os.path.getsize(busybox())) + accounts + catalogue
    seed += JAIL_TOOL_SHIM + repr(sorted(JAIL_TOOLS.items()))  # a changed world is a new tarball
    key = hashlib.sha256(seed.encode()).hexdigest()[:16]
    txz = os.path.join(cache, f"base-{key}.txz")
    meta = txz + ".manifest"
    if not (os.path.exists(txz) and os.path.exists(meta)):
        import fcntl

        with open(os.path.join(cache, "lock"), "w") as lockf:
            fcntl.flock(lockf, fcntl.LOCK_EX)
            if not (os.path.exists(txz) and os.path.exists(meta)):
                sha, n = build_base_txz(txz, release, defaults_rc)
                with open(meta + ".tmp", "w", encoding="utf-8") as f:
                    f.write(manifest_line(sha, n) + "\n")
                os.replace(meta + ".tmp", meta)
    return txz, meta


# ------------------------------------------------------------------ /usr/src

SRC_MAKEFILE = """#
# The simulator's /usr/src: a stand-in for FreeBSD's top-level Makefile.
# make(1) of the simulated host implements the targets below (tools/make/src.py):
#
#   buildworld      - build the world (into /usr/obj)
#   installworld    - install it into ${DESTDIR} (needs buildworld first)
#   distribution    - install /etc and the empty directories into ${DESTDIR}
#   world           - buildworld + installworld
#   buildkernel, installkernel, kernel
#
"""

NEWVERS = """#!/bin/sh
#
# sys/conf/newvers.sh (simulator's /usr/src): the release this source tree builds.
#
TYPE="FreeBSD"
REVISION="{revision}"
BRANCH="{branch}"
if [ -n "${{BRANCH_OVERRIDE}}" ]; then
\tBRANCH=${{BRANCH_OVERRIDE}}
fi
RELEASE="${{REVISION}}-${{BRANCH}}"
VERSION="${{TYPE}} ${{RELEASE}}"
"""


def src_files(release):
    revision, _dash, branch = release.partition("-")
    return {
        "/usr/src/Makefile": SRC_MAKEFILE,
        "/usr/src/Makefile.inc1": "# see Makefile (simulator)\n",
        "/usr/src/sys/conf/newvers.sh": NEWVERS.format(revision=revision, branch=branch),
        "/usr/src/UPDATING": f"Updating Information for FreeBSD {release} users (simulator).\n",
    }


def release_of_src(root="/"):
    """REVISION-BRANCH from /usr/src/sys/conf/newvers.sh, or None."""
    import re

    try:
        with open(os.path.join(root, "usr/src/sys/conf/newvers.sh"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    rev = re.search(r'^REVISION="([^"]*)"', text, re.M)
    br = re.search(r'^BRANCH="([^"]*)"', text, re.M)
    if not rev or not br:
        return None
    return f"{rev.group(1)}-{br.group(1)}"


def _upper_path(upper, path):
    real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    return os.path.join(upper, real.lstrip("/"))


def create_hook(box, upper):
    """simhost create: base.txz + MANIFEST everywhere, /usr/src with --with-src, BIND with --with-named."""
    defaults_path = os.path.join(upper, "etc/defaults/rc.conf")
    try:
        with open(defaults_path, encoding="utf-8") as f:
            defaults_rc = f.read()
    except OSError:
        defaults_rc = ""
    txz, meta = _cached_base(box, defaults_rc)
    dist = _upper_path(upper, "/usr/freebsd-dist/base.txz")
    os.makedirs(os.path.dirname(dist), exist_ok=True)
    shutil.copyfile(txz, dist)
    shutil.copyfile(meta, os.path.join(os.path.dirname(dist), "MANIFEST"))
    # simhost create --dist R: another release's sets, laid out as FreeBSD's mirrors serve them, one directory
    # per release holding MANIFEST and the sets (https://download.freebsd.org/releases/amd64/amd64/R/;
    # src: release/Makefile.mirrors iso-images-stage: ``cp -p ${RELEASEDIR}/ftp/*.txz ${RELEASEDIR}/ftp/MANIFEST
    # ${FTP_DIR}`` with FTP_DIR=${TLD}/${TARGET}/${TARGET_ARCH}/${REVISION}-${BRANCH}), copied here as a host
    # keeps a downloaded release (the world role's world_dist_dir).
    for release in box.get("dists") or ():
        txz, meta = _cached_base(box, defaults_rc, release)
        dest = _upper_path(upper, f"/usr/freebsd-dist/{release}/base.txz")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(txz, dest)
        shutil.copyfile(meta, os.path.join(os.path.dirname(dest), "MANIFEST"))
    if box.get("with_src"):
        for path, text in src_files(box["release"]).items():
            p = _upper_path(upper, path)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
    if box.get("with_named"):
        src = os.path.join(DATA_DIR, "named")
        for rel, mode in (("named.conf", 0o644),):
            p = _upper_path(upper, f"/usr/local/etc/namedb/{rel}")
            os.makedirs(os.path.dirname(p), exist_ok=True)
            shutil.copyfile(os.path.join(src, rel), p)
            os.chmod(p, mode)
        p = _upper_path(upper, "/usr/local/etc/rc.d/named")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n#\n# PROVIDE: named\n# REQUIRE: SERVERS cleanvar\n# KEYWORD: shutdown\n"
                    "#\n# dns/bind9xx rc script (simulated: service(8) runs simfbsd/rcd/named.py)\n")  # fmt: skip
        os.chmod(p, 0o755)
