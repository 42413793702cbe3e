# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""The one reader of a host's jail state, used by every module.

The jail configuration (a file with the files it ``.include``s, or a
directory of ``NAME.conf`` files), the running jails (``jls -n -q``), a
running jail's root (``jls -j J path``), the rc.conf jail settings
(``sysrc``) and the kernel's jail parameters (``sysctl -N``).
"""

from __future__ import annotations

import os
import re

from ansible_collections.bsd.jails.plugins.module_utils._fileio import read_text
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConf, JailConfError
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_files import read_conf_tree
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import parse_kernel_params
from ansible_collections.bsd.jails.plugins.module_utils._jail_plan import conf_path_for
from ansible_collections.bsd.jails.plugins.module_utils._jls import parse_jls_n
from ansible_collections.bsd.jails.plugins.module_utils._runner import CommandError, JailsError, Runner

RC_VARIABLES = ("jail_enable", "jail_list", "jail_conf", "jail_parallel_start")
_UNKNOWN_VAR = re.compile(r"sysrc: unknown variable '[^']*'\Z")


# ---------------------------------------------------------------------------
# Configuration


def is_directory_mode(config):
    """Whether ``config`` is a directory of ``NAME.conf`` files (an existing one, or a name ending in / or .d)."""
    return os.path.isdir(config) or config.endswith("/") or config.endswith(".d")


def read_configs(config, names, every):
    """Directory mode: {path: text or None} for NAME.conf of each jail (every *.conf with ``every``)."""
    paths = {conf_path_for(config, True, n) for n in names}
    if every and os.path.isdir(config):
        paths.update(os.path.join(config, f) for f in os.listdir(config) if f.endswith(".conf"))
    return {p: read_text(p) for p in sorted(paths)}


def parse_configs(texts):
    """{path: text or None} -> {path: JailConf}; a syntax error names its file."""
    confs = {}
    for path, text in texts.items():
        try:
            confs[path] = JailConf.parse(text or "")
        except JailConfError as exc:
            raise JailsError(f"{path}: {exc}") from exc
    return confs


def jail_configuration(config, names, every):
    """(texts, defined, includes, parsed) of the jail configuration the jail module edits.

    texts: {path: text or None} of each file read; defined: the jail names they define; includes:
    file mode, when the file ``.include``s others, what each include names (JailConfTree.resolved),
    else None; parsed: {path: JailConf} of each text (make_plan's ``parsed``: read once).  Directory
    mode reads NAME.conf of each of ``names`` (every *.conf with ``every``).
    """
    if is_directory_mode(config):
        texts = read_configs(config, names, every)
        confs = parse_configs(texts)
        return texts, [n for conf in confs.values() for n in conf.jails()], None, confs
    texts, tree = read_conf_tree(config)
    return texts, tree.jails(), tree.resolved if any(tree.resolved.values()) else None, tree.confs


def configured(config):
    """[(name, conf_file, params)] of the jails defined in ``config``.

    A directory: each of its ``*.conf`` files on its own.  A file: read with
    the files it ``.include``s, as jail(8) reads it; ``conf_file`` is the file
    holding the jail's (last) block.
    """
    if is_directory_mode(config):
        texts = {p: t for p, t in read_configs(config, (), True).items() if t is not None}
        return [
            (name, path, conf.effective(name)) for path, conf in parse_configs(texts).items() for name in conf.jails()
        ]
    _texts, tree = read_conf_tree(config)
    owners = tree.owners()
    return [(name, owners[name][-1], tree.effective(name)) for name in tree.jails()]


# ---------------------------------------------------------------------------
# Running jails and the host's settings


def running_jails(module):
    """{name: jls parameters} of every running jail (one ``jls -n -q`` call)."""
    return {j.get("name"): j for j in parse_jls_n(Runner(module, "jls").out("-n", "-q"))}


def jail_root_path(module, jail):
    """The root directory of running jail ``jail`` (name or jid), as ``jls -j J path`` prints it."""
    return Runner(module, "jls").out("-j", jail, "path").strip()


def nullfs_mounts(module):
    """[(source, mount point)] of the host's nullfs mounts, from ``mount -p -t nullfs``.

    ``-p`` prints the mount table as fstab(5) lines (sbin/mount/mount.c putfsent()): the source, the mount
    point, the type, the options, then dump and pass numbers, separated by blanks.
    """
    out = Runner(module, "mount").out("-p", "-t", "nullfs")
    return [tuple(w[:2]) for w in (line.split() for line in out.splitlines()) if len(w) >= 3 and w[2] == "nullfs"]


def parse_sysrc(out):
    """``sysrc NAME...`` output (``name: value`` lines) -> {name: value}."""
    values = {}
    for line in (out or "").splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            values[name.strip()] = value
        elif line.endswith(":"):
            values[line[:-1].strip()] = ""
    return values


def read_rc(module):
    """jail_enable, jail_list, jail_conf and jail_parallel_start as sysrc(8) reads them.

    sysrc exits 1 for a variable that is set nowhere (not even in /etc/defaults/rc.conf) and still
    prints the others: such a variable reads as unset.  Any other failure fails the task before
    anything changes, with sysrc's own message: an rc.conf that cannot be read is not an empty one.
    """
    sysrc = Runner(module, "sysrc")
    rc, out, err = sysrc.run(*RC_VARIABLES, check=False)
    if rc != 0:
        lines = [line for line in (err or "").splitlines() if line.strip()]
        if not lines or not all(_UNKNOWN_VAR.match(line.strip()) for line in lines):
            raise CommandError([sysrc.binary, *RC_VARIABLES], rc, out, err)
    return parse_sysrc(out)


def read_kernel_params(module):
    """The running kernel's jail parameters (sysctl -N security.jail.param), or None if unreadable."""
    sysctl = Runner(module, "sysctl", required=False)
    if sysctl.binary is None:
        return None
    rc, out, _err = sysctl.run("-N", "security.jail.param", check=False)
    return parse_kernel_params(out) if rc == 0 else None
