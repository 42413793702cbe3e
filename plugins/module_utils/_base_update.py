# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Patch levels of a FreeBSD base directory: what freebsd-version and freebsd-update say, read without I/O.

- ``userland_version(text)``: the ``USERLAND_VERSION="..."`` line FreeBSD bakes into /bin/freebsd-version
  when the world is built (bin/freebsd-version/freebsd-version.sh.in); ``freebsd-version -u`` prints it.
  Reading it, instead of running the base's own script, runs nothing from a jail's root on the host.
- ``parse_fetch(stdout)``: what ``freebsd-update fetch`` reported (usr.sbin/freebsd-update/freebsd-update.sh
  fetch_create_manifest()): "No updates needed to update system to R-pN.", or the files that "will be
  updated/added/removed as part of updating to" R-pN, and those "modified locally" it leaves alone.
- ``check_not_newer(base, kernel)``: a userland newer than the running kernel's release is refused.
- ``jails_using(basedir, running, nullfs)``: the running jails that run programs from a base.
- ``upgrade_kind(base, target, kernel)``: what a target release asks of a base (patch or upgrade), or a refusal.
- ``conf_without_merges(text)``: freebsd-update.conf(5) without its MergeChanges lines, for an upgrade whose
  /etc is merged by etcupdate(8) instead of freebsd-update's interactive merge.
- ``parse_etcupdate(stdout)``: what ``etcupdate`` reported per file (usr.sbin/etcupdate/etcupdate.sh).
- ``parse_boottime(stdout)``, ``jails_not_restarted(record, boottime, running, users)``: which running jails
  still run the programs they started with before an install into their base (a restart a failed run lost).
- ``FREEBSD_UPDATE``, ``ETCUPDATE``: the command lines, declared once.
"""

from __future__ import annotations

import re

from ansible_collections.bsd.jails.plugins.module_utils._runner import CommandLine, JailsError, fixed, flag, opt_val

VERSION_RE = re.compile(r"^(\d+)\.(\d+)-(RELEASE|RC\d+|BETA\d+|ALPHA\d+|STABLE|CURRENT)(?:-p(\d+))?$")
USERLAND_RE = re.compile(r'^USERLAND_VERSION="([^"\n]*)"', re.M)
UP_TO_DATE_RE = re.compile(r"^No updates needed to update system to (\S+)\.$", re.M)
WILL_RE = re.compile(r"^The following files will be (updated|added|removed) as part of updating to$")
MODIFIED_HEAD = "The following files are affected by updates. No changes have"

# freebsd-update's parse_cmdline() reads the word after -b, -d, -j and --currently-running as their value,
# whatever it starts with; the command words come last.  -j JAIL (config_TargetJail()) sets BASEDIR from
# ``jls -j JAIL -h path`` and the version from ``freebsd-version -j JAIL``, passing JAIL unquoted to both:
# a name must be one no shell splits and no getopt(3) reads as an option (see _jail_params.check_name()).
FREEBSD_UPDATE = CommandLine(
    "freebsd-update",
    basedir=opt_val("-b"),
    jail=opt_val("-j"),
    workdir=opt_val("-d"),
    running=opt_val("--currently-running"),
    conffile=opt_val("-f"),
    release=opt_val("-r"),
    nocron=fixed("--not-running-from-cron"),
    fetch=fixed("fetch"),
    upgrade=fixed("upgrade"),
    install=fixed("install"),
    updatesready=fixed("updatesready"),
)

# etcupdate.sh: the first word is the command (``extract``; none is ``update``), then getopts
# "d:nprs:t:A:BD:FI:L:M:": the word after -d, -t and -D is their value, whatever it starts with.
ETCUPDATE = CommandLine(
    "etcupdate",
    extract=fixed("extract"),
    dryrun=flag("-n"),
    workdir=opt_val("-d"),
    tarball=opt_val("-t"),
    destdir=opt_val("-D"),
    ignore=opt_val("-I"),
)
# The files of a release's base.txz that are not configuration: etcupdate leaves them to freebsd-update, which
# installed them already (etcupdate.sh ignore(): ``case $1 in $pattern)``, so ``*`` matches across ``/``).
# Without them a tarball of the whole base would compare every program with the release's -p0.
ETCUPDATE_IGNORE = "/bin/* /boot/* /lib/* /libexec/* /rescue/* /sbin/* /usr/*"
# update_cmd()/handle_*_file(): "  X /path" for each file it acted on (D removed, U updated, M merged,
# C conflict kept in WORKDIR/conflicts, A added), then "Warnings:" and "  text" lines.
ETCUPDATE_LINE_RE = re.compile(r"^  ([DUMCA]) (/\S.*)$")
RELEASE_RE = re.compile(r"^(\d+)\.(\d+)-RELEASE$")


def parse_version(text, field="version"):
    """``"14.2-RELEASE-p3"`` -> (14, 2, 3); raises JailsError naming ``field``."""
    m = VERSION_RE.match(text or "")
    if not m:
        raise JailsError("%s: %r is not a FreeBSD version such as 14.2-RELEASE-p3" % (field, text))
    return int(m.group(1)), int(m.group(2)), int(m.group(4) or 0)


def userland_version(script_text, basedir, field="basedir"):
    """USERLAND_VERSION of a base's /bin/freebsd-version; raises JailsError naming ``field``."""
    if script_text is None:
        raise JailsError("%s: %s has no bin/freebsd-version: not a FreeBSD base" % (field, basedir))
    m = USERLAND_RE.search(script_text)
    if not m:
        raise JailsError("%s: %s/bin/freebsd-version has no USERLAND_VERSION line" % (field, basedir.rstrip("/")))
    parse_version(m.group(1), "%s: %s/bin/freebsd-version" % (field, basedir.rstrip("/")))
    return m.group(1)


def check_not_newer(base_version, kernel_version, basedir, field="basedir"):
    """Refuse a userland of a newer release than the host's kernel (jail(8): the kernel runs it)."""
    b = parse_version(base_version, field)
    k = parse_version(kernel_version, "freebsd-version -k")
    if b[:2] > k[:2]:
        raise JailsError(
            "%s: %s holds FreeBSD %s, newer than the host's kernel (%s): a jail's userland must not be "
            "newer than the kernel it runs on" % (field, basedir, base_version, kernel_version)
        )


def upgrade_kind(base_version, target, kernel_version, field="release"):
    """ "patch" when ``target`` is the base's own release, "upgrade" when it is a newer one; raises JailsError
    for a target that is not an X.Y-RELEASE, is newer than the host's kernel, or is older than the base."""
    if not RELEASE_RE.match(target or ""):
        raise JailsError("%s: %r is not a FreeBSD release such as 14.3-RELEASE" % (field, target))
    t = parse_version(target, field)
    b = parse_version(base_version, "base")
    k = parse_version(kernel_version, "freebsd-version -k")
    if t[:2] > k[:2]:
        raise JailsError(
            "%s: %s is newer than the host's kernel (%s): a jail's userland must not be newer than the kernel "
            "it runs on; upgrade the host first" % (field, target, kernel_version)
        )
    if t[:2] < b[:2]:
        raise JailsError(
            "%s: %s is older than the base's %s: freebsd-update does not downgrade (freebsd-update rollback "
            "undoes the last install)" % (field, target, base_version)
        )
    return "patch" if t[:2] == b[:2] else "upgrade"


def conf_without_merges(text):
    """freebsd-update.conf(5) text without its MergeChanges lines.

    upgrade_run() merges the MergeChanges files itself and, on a conflict, opens an editor on the terminal
    (freebsd-update.sh upgrade_merge()), which an unattended run has not. Without them, a locally modified
    file under UpdateIfUnmodified (/etc/ in the default configuration) is left alone and listed, and
    etcupdate(8) merges it afterwards, keeping a conflict aside instead of overwriting the file.
    """
    out = []
    for line in text.splitlines(True):
        words = line.split("#", 1)[0].split()
        if words and words[0] == "MergeChanges":
            continue
        out.append(line)
    return "".join(out)


def parse_etcupdate(stdout):
    """{"updated"/"merged"/"conflicts"/"added"/"removed": [paths], "warnings": [text]} of an etcupdate run."""
    keys = {"U": "updated", "M": "merged", "C": "conflicts", "A": "added", "D": "removed"}
    out = {k: [] for k in keys.values()}
    out["warnings"] = []
    in_warnings = False
    for line in stdout.splitlines():
        if line == "Warnings:":
            in_warnings = True
            continue
        m = ETCUPDATE_LINE_RE.match(line)
        if m and not in_warnings:
            out[keys[m.group(1)]].append(m.group(2))
        elif in_warnings and line.startswith("  "):
            out["warnings"].append(line[2:])
    return out


def parse_fetch(stdout):
    """{"target": "R-pN" or None, "up_to_date": bool, "updated"/"added"/"removed"/"modified": [paths]}."""
    out = {"target": None, "up_to_date": False, "updated": [], "added": [], "removed": [], "modified": []}
    m = UP_TO_DATE_RE.search(stdout)
    if m:
        out["target"], out["up_to_date"] = m.group(1), True
    lines = stdout.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        w = WILL_RE.match(line)
        if w and i + 1 < len(lines) and lines[i + 1].endswith(":"):
            out["target"] = lines[i + 1][:-1]
            i = _paths(lines, i + 2, out[w.group(1)])
            continue
        if line == MODIFIED_HEAD and i + 2 < len(lines) and lines[i + 2] == "locally:":
            i = _paths(lines, i + 3, out["modified"])
            continue
        i += 1
    if not out["up_to_date"] and out["target"] is None:
        raise JailsError("freebsd-update fetch: found neither updates nor 'No updates needed' in its output")
    return out


def _paths(lines, i, into):
    while i < len(lines) and lines[i].startswith("/"):
        into.append(lines[i])
        i += 1
    return i


def version_after(before, fetched):
    """The userland version the base will report once the fetched updates are installed."""
    if fetched["up_to_date"]:
        return before
    if "/bin/freebsd-version" in fetched["updated"] + fetched["added"]:
        return fetched["target"]
    return before


def _under(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


def jails_using(basedirs, running, nullfs):
    """Sorted names of the running jails that use a base: their root (``jls`` path) is one of ``basedirs``,
    or a nullfs mount of the base (or of a directory in it) sits in their root, as a thin jail's /bin does.

    running: {name: jls parameters}; nullfs: [(source, mount point)] of the nullfs mounts.
    """
    names = set()
    for name, params in running.items():
        root = params.get("path") or ""
        if not root:
            continue
        if any(root == b for b in basedirs) or any(
            _under(target, root) and any(_under(source, b) for b in basedirs) for source, target in nullfs
        ):
            names.add(name)
    return sorted(names)


def thin_source(root, nullfs):
    """The source of the nullfs mount on ``root``'s /bin (or on the root itself), if any: a thin jail's base."""
    for source, target in nullfs:
        if target in (root, root.rstrip("/") + "/bin"):
            return source
    return None


# sbin/sysctl/sysctl.c S_timeval(): "{ sec = N, usec = N } " and ctime(3) of it.
BOOTTIME_RE = re.compile(r"^\{ sec = (\d+), usec = \d+ \}")
# kern.boottime is the time of day minus the uptime: stepping the clock moves it (sys/kern/kern_tc.c
# tc_setclock()). Two boots lie minutes apart at least (the jails of the first ran, the host rebooted); a
# step of the running clock is far smaller. UNVERIFIED: the size of the steps ntpd makes on a given host.
BOOT_SLACK = 60


def parse_boottime(stdout):
    """``sysctl -n kern.boottime`` -> its seconds; raises JailsError."""
    m = BOOTTIME_RE.match(stdout or "")
    if not m:
        raise JailsError("sysctl -n kern.boottime: %r is not a boot time ({ sec = N, usec = N })" % stdout)
    return int(m.group(1))


def jails_not_restarted(record, boottime, running, users):
    """Sorted names of the jails in ``users`` that still run the programs of before an install into their base.

    record: {"boottime": seconds, "jails": {name: jid}}, the running jails that used the base just before the
    install, as this collection recorded them. A jail runs the programs it started with until it is removed
    and created again, which gives it a new jid (sys/kern/kern_jail.c kern_jail_set(), "Find the next free
    jid": lastprid + 1, wrapping only at JAIL_MAX); after a reboot every jail was created anew, and
    jids start again, hence the boot time. So a jail of ``users`` with the recorded jid, in the same boot, was
    not restarted since the install.
    """
    if not record or not isinstance(record.get("jails"), dict):
        return []
    try:
        if abs(int(record.get("boottime")) - boottime) > BOOT_SLACK:
            return []
    except (TypeError, ValueError):
        return []
    return sorted(
        name
        for name, jid in record["jails"].items()
        if name in users and name in running and str(running[name].get("jid")) == str(jid)
    )
