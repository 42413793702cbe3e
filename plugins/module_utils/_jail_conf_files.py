# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""Reading a jail.conf and the files it ``.include``s (the I/O half of JailConfTree)."""

from __future__ import annotations

import glob
import os

from ansible_collections.bsd.jails.plugins.module_utils._fileio import read_text
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConf, JailConfError
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_tree import JailConfTree, include_target
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


def read_conf_tree(config):
    """Read ``config`` and, recursively, what it includes.

    Returns ``(texts, tree)``: ``texts`` is ``{path: text or None}`` (None:
    ``config`` does not exist yet), ``tree`` a JailConfTree over them.  A glob
    that matches nothing names no file, as in jail.conf(5)'s own example
    (``.include "/usr/local/etc/jail[.]conf";``); a plain name that does not
    exist, a syntax error in any file, and an include loop fail here, before
    anything is planned: jail(8) would refuse the whole configuration.  A
    file included twice (not in a loop) is read once and appears twice.
    """
    texts, confs, resolved = {}, {}, {}

    def visit(path, stack):
        if path in stack:
            raise JailsError(f"{path}: .include loop: {' -> '.join((*stack, path))}")
        if path in confs:
            return
        if len(stack) > JailConfTree.MAX_DEPTH:
            raise JailsError(f"{path}: .include nested more than {JailConfTree.MAX_DEPTH} deep")
        text = read_text(path)
        try:
            conf = JailConf.parse(text or "")
        except JailConfError as exc:
            raise JailsError(f"{path}: {exc}") from exc
        texts[path], confs[path], resolved[path] = text, conf, []
        for pattern in conf.includes():
            target = include_target(pattern, path)
            if glob.has_magic(target):
                matches = sorted(glob.glob(target))
            elif os.path.exists(target):
                matches = [target]
            else:
                raise JailsError(f'{path}: .include "{pattern}": {target} does not exist (jail(8) would not start)')
            resolved[path].append(matches)
            for m in matches:
                visit(m, (*stack, path))

    visit(config, ())
    return texts, JailConfTree(config, confs, resolved)
