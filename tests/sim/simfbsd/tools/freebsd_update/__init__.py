"""freebsd-update(8): binary updates of a base system from the simulated mirror (patchlevels.py).

Split as the script is: this file is its command line, configuration and ``cmd_*`` functions
(src: usr.sbin/freebsd-update/freebsd-update.sh parse_cmdline(), parse_conffile(), default_params(),
get_params(), cmd_fetch(), cmd_upgrade(), cmd_install(), cmd_rollback(), cmd_updatesready(), and
the entry point); ``fetch.py`` is fetch_run()/upgrade_run() and their helpers, ``workdir.py`` the
working directory (files/, tag, the ``BDHASH-install`` / ``BDHASH-rollback`` manifests) with
install_run() and rollback_run().

Modelled: -b -d -f -F -j -k -r -s --not-running-from-cron --currently-running; fetch, upgrade,
install, rollback, updatesready, showconfig.  Not modelled (says so, exit 1): cron, IDS, -t, -v;
the kernel component (a base directory has none; the host's kernel is the box's), BASEDIR ``/``
(the host's own userland is the simulator's), boot environments, pwd_mkdb/cap_mkdb/makewhatis
after install.  The mirror is unreachable while ``update-mirror-down`` exists in the box's kernel
state directory (``simhost``'s ``kernel/``; ``/.simhost/kernel`` inside the box).  The mirror serves
the catalogue's newest patch level of a release, or the mirror as it stood on an earlier day: a line
``RELEASE LEVEL`` in ``update-mirror-published`` (same directory) caps what it serves of RELEASE at LEVEL.
"""

import os
import re

from ... import kernel, patchlevels

USAGE = """usage: freebsd-update [options] command ...

Options:
  -b basedir   -- Operate on a system mounted at basedir
                  (default: /)
  -d workdir   -- Store working files in workdir
                  (default: /var/db/freebsd-update/)
  -f conffile  -- Read configuration options from conffile
                  (default: /etc/freebsd-update.conf)
  -F           -- Force a fetch operation to proceed in the
                  case of an unfinished upgrade
  -j jail      -- Operate on the given jail specified by jid or name
  -k KEY       -- Trust an RSA key with SHA256 hash of KEY
  -r release   -- Target for upgrade (e.g., 13.2-RELEASE)
  -s server    -- Server from which to fetch updates
                  (default: update.FreeBSD.org)
  -t address   -- Mail output of cron command, if any, to address
                  (default: root)
  --not-running-from-cron
               -- Run without a tty, for use by automated tools
  --currently-running release
               -- Update as if currently running this release
Commands:
  fetch        -- Fetch updates from server
  cron         -- Sleep rand(3600) seconds, fetch updates, and send an
                  email if updates were found
  upgrade      -- Fetch upgrades to FreeBSD version specified via -r option
  updatesready -- Check if there are fetched updates ready to install
  install      -- Install downloaded updates or upgrades
  rollback     -- Uninstall most recently installed updates
  IDS          -- Compare the system against an index of "known good" files
  showconfig   -- Show configuration
"""

COMMANDS = ("cron", "fetch", "upgrade", "updatesready", "install", "rollback", "IDS", "showconfig")
CONFIGOPTIONS = ["KEYPRINT", "WORKDIR", "SERVERNAME", "MAILTO", "ALLOWADD", "ALLOWDELETE", "KEEPMODIFIEDMETADATA",
                 "COMPONENTS", "IGNOREPATHS", "UPDATEIFUNMODIFIED", "BASEDIR", "VERBOSELEVEL", "TARGETRELEASE",
                 "STRICTCOMPONENTS", "MERGECHANGES", "IDSIGNOREPATHS", "BACKUPKERNEL", "BACKUPKERNELDIR",
                 "BACKUPKERNELSYMBOLFILES"]  # fmt: skip
# config_X functions that take one value and refuse a second one (return 1 -> usage / config error)
SINGLE = {"KeyPrint": "KEYPRINT", "WorkDir": "WORKDIR", "ServerName": "SERVERNAME", "MailTo": "MAILTO",
          "BaseDir": "BASEDIR", "TargetRelease": "TARGETRELEASE"}  # fmt: skip
YESNO = {"AllowAdd": "ALLOWADD", "AllowDelete": "ALLOWDELETE", "KeepModifiedMetadata": "KEEPMODIFIEDMETADATA",
         "StrictComponents": "STRICTCOMPONENTS", "BackupKernel": "BACKUPKERNEL",
         "BackupKernelSymbolFiles": "BACKUPKERNELSYMBOLFILES", "CreateBootEnv": "BOOTENV"}  # fmt: skip
LISTS = {"Components": "COMPONENTS", "IgnorePaths": "IGNOREPATHS", "IDSIgnorePaths": "IDSIGNOREPATHS",
         "UpdateIfUnmodified": "UPDATEIFUNMODIFIED", "MergeChanges": "MERGECHANGES"}  # fmt: skip
MIRROR_DOWN = "update-mirror-down"
MIRROR_PUBLISHED = "update-mirror-published"


class Usage(Exception):
    pass


class Exit(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Params:
    """The script's shell variables, set as get_params() sets them."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.cfg = {}
        self.conffile = ""
        self.commands = []
        self.forcefetch = False
        self.nottyok = False
        self.isfetched = False
        # uname(1) answers UNAME_r when it is set (usr.bin/uname/uname.c setup_get(), CHECK_ENV)
        self.uname_r = ctx.env.get("UNAME_r") or None
        self.jail = None

    def out(self, text=""):
        self.ctx.out.write(text)

    def line(self, text=""):
        self.ctx.out.write(text + "\n")

    # config_X ---------------------------------------------------------------------------
    def config(self, name, values):
        """configline(): False when config_NAME returns 1 (or does not exist)."""
        if name in SINGLE:
            var = SINGLE[name]
            if self.cfg.get(var):
                return False
            value = values[0] if values else ""
            if name == "TargetRelease" and re.fullmatch(r"[0-9.]+", value):
                value += "-RELEASE"  # config_TargetRelease()
            self.cfg[var] = value
            return True
        if name in YESNO:
            var = YESNO[name]
            if self.cfg.get(var) or not values or values[0].lower() not in ("yes", "no"):
                return False
            self.cfg[var] = values[0].lower()
            return True
        if name in LISTS:
            var = LISTS[name]
            self.cfg[var] = (self.cfg.get(var, "") + " " + " ".join(values)).strip()
            return True
        if name == "VerboseLevel":
            if self.cfg.get("VERBOSELEVEL") or not values or values[0].lower() not in ("debug", "nostats", "stats"):
                return False
            self.cfg["VERBOSELEVEL"] = values[0].lower()
            return True
        if name == "BackupKernelDir":
            if self.cfg.get("BACKUPKERNELDIR") or not values:
                return False
            self.cfg["BACKUPKERNELDIR"] = values[0]
            return True
        return False

    def get(self, var):
        return self.cfg.get(var, "")

    def listed(self, var):
        return self.get(var).split()

    @property
    def basedir(self):
        return self.get("BASEDIR")

    @property
    def workdir(self):
        return self.get("WORKDIR")

    def host_path(self, p):
        """A path on the host (where freebsd-update runs) as this process sees it."""
        return self.ctx.path(p)


def parse_cmdline(p, argv):
    """src: parse_cmdline(): words, not getopt; anything unknown is usage (exit 0)."""
    i = 0
    while i < len(argv):
        a = argv[i]
        rest = len(argv) - i
        if a == "-f":
            if rest == 1 or p.conffile:
                raise Usage
            i += 1
            p.conffile = argv[i]
        elif a == "-F":
            p.forcefetch = True
        elif a == "--not-running-from-cron":
            p.nottyok = True
        elif a == "--currently-running":
            i += 1
            value = argv[i] if i < len(argv) else ""
            p.uname_r = value + "-RELEASE" if re.fullmatch(r"[0-9.]+", value) else value  # config_SourceRelease()
        elif a in ("-b", "-d", "-j", "-k", "-r", "-s", "-t", "-v"):
            if rest == 1:
                raise Usage
            i += 1
            value = argv[i]
            if a == "-j":
                target_jail(p, value)
            else:
                name = {"-b": "BaseDir", "-d": "WorkDir", "-k": "KeyPrint", "-r": "TargetRelease",
                        "-s": "ServerName", "-t": "MailTo", "-v": "VerboseLevel"}[a]  # fmt: skip
                if not p.config(name, [value]):
                    raise Usage
        elif a in ("--debug", "--no-stats"):
            if not p.config("VerboseLevel", ["debug" if a == "--debug" else "nostats"]):
                raise Usage
        elif a in COMMANDS:
            p.commands.append(a)
        else:
            raise Usage
        i += 1
    if not p.commands:
        raise Usage


def target_jail(p, name):
    """config_TargetJail(): UNAME_r from ``freebsd-version -j``, BASEDIR from ``jls -j J -h path``."""
    from ... import jails
    from .. import freebsd_version

    state = kernel.read_state()
    rec = jails.find(state, name, p.ctx.jid)
    version = None
    if rec is not None:
        from ... import tool

        version = freebsd_version.userland(tool.Ctx("freebsd-version", rec["jid"], rec["path"]))
    if rec is None or not version:
        if rec is None:
            # freebsd-version -j: jexec's complaint (usr.sbin/jexec/jexec.c)
            shown = name if name.isdigit() else f'"{name}"'
            p.ctx.err.write(f"jexec: jail {shown} not found\n")
        p.line("The specified jail either doesn't exist or does not have freebsd-version.")
        raise Exit(1)
    p.jail = name
    p.uname_r = version
    p.cfg["BASEDIR"] = rec["path"]  # BASEDIR=$(jls ...): set whether or not -b was given


def parse_conffile(p):
    """src: parse_conffile(): command-line values win; ``#`` starts a comment."""
    if p.conffile and not os.access(p.host_path(p.conffile), os.R_OK):
        p.line(f"File does not exist or is not readable: {p.conffile}")
        raise Exit(1)
    conffile = p.conffile or "/etc/freebsd-update.conf"
    if not os.access(p.host_path(conffile), os.R_OK):
        return
    saved, p.cfg = p.cfg, {}
    with open(p.host_path(conffile), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if words and not p.config(words[0], words[1:]):
                p.line(f"Error processing configuration file, line {n}:")
                p.line(f"==> {line.rstrip(chr(10)).strip()}")
                raise Exit(1)
    p.cfg.update({k: v for k, v in saved.items() if v})


def default_params(p):
    """src: default_params()."""
    defaults = {"WORKDIR": "/var/db/freebsd-update", "MAILTO": "root", "ALLOWADD": "yes", "ALLOWDELETE": "yes",
                "KEEPMODIFIEDMETADATA": "yes", "BASEDIR": "/", "VERBOSELEVEL": "stats", "STRICTCOMPONENTS": "no",
                "BACKUPKERNEL": "yes", "BACKUPKERNELDIR": "/boot/kernel.old", "BACKUPKERNELSYMBOLFILES": "no",
                "BOOTENV": "yes"}  # fmt: skip
    for k, v in defaults.items():
        if not p.cfg.get(k):
            p.cfg[k] = v


def finalize_components(p):
    """src: finalize_components_config(): src only when BASEDIR/usr/src/COPYRIGHT exists."""
    comps = []
    for c in p.listed("COMPONENTS"):
        if c == "src" and not os.path.exists(os.path.join(p.host_path(p.basedir), "usr/src/COPYRIGHT")):
            p.line("src component not installed, skipped")
            continue
        comps.append(c)
    p.cfg["COMPONENTS"] = " ".join(comps)


def main(ctx, argv):
    from . import fetch, workdir

    p = Params(ctx)
    try:
        try:
            parse_cmdline(p, argv)
        except Usage:
            ctx.out.write(USAGE)  # usage(): cat <<EOF ... exit 0
            return 0
        parse_conffile(p)
        default_params(p)
        if os.path.normpath(p.basedir) == "/":
            ctx.err.write("freebsd-update: BASEDIR / (the host itself): not modelled by the simulator\n")
            return 1
        for command in p.commands:
            finalize_components(p)
            if command == "fetch":
                fetch.cmd_fetch(p)
                p.isfetched = True
            elif command == "upgrade":
                fetch.cmd_upgrade(p)
            elif command == "install":
                workdir.cmd_install(p)
            elif command == "rollback":
                workdir.cmd_rollback(p)
            elif command == "updatesready":
                workdir.cmd_updatesready(p)
            elif command == "showconfig":
                for var in CONFIGOPTIONS:
                    p.line(f"{var}={' '.join(p.get(var).split())}")
            else:
                ctx.err.write(f"freebsd-update: {command}: not modelled by the simulator\n")
                return 1
    except Exit as exc:
        return exc.code
    return 0


def mirror_down():
    return os.path.exists(os.path.join(kernel.kdir(), MIRROR_DOWN))


def published(release):
    """The newest patch level of ``release`` the mirror serves (see the module's docstring)."""
    level = patchlevels.latest(release)
    try:
        with open(os.path.join(kernel.kdir(), MIRROR_PUBLISHED), encoding="utf-8") as f:
            lines = [ln.split() for ln in f]
    except FileNotFoundError:
        return level
    caps = [int(w[1]) for w in lines if len(w) == 2 and w[0] == release and w[1].isdigit()]
    return min([level, *caps])
