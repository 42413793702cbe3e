# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.


"""A jail.conf and the files it ``.include``s, read as jail(8) reads them (pure: the caller reads files)."""

from __future__ import annotations

from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConf
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_lexer import JailConfError
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_parser import Block, Include


def include_target(pattern, including_path):
    """The file name ``.include "pattern";`` in ``including_path`` refers to.

    Absolute names are taken as written.  A relative name is taken from the
    including file's directory -- what the simulator does too; UNVERIFIED
    against jail(8) itself (the FreeBSD sources in our search index predate
    ``.include``).  Globs are expanded by the caller (sorted, no match = nothing).
    """
    if pattern.startswith("/") or "/" not in including_path:
        return pattern
    return including_path.rsplit("/", 1)[0] + "/" + pattern


class JailConfTree:
    """A jail.conf together with the files it ``.include``s, read as jail(8) reads them.

    ``confs`` is ``{path: JailConf}`` for every file; ``resolved`` is
    ``{path: [[paths], ...]}``: for each ``.include`` of that file, in order,
    the files it names (glob matches sorted).  An include is textual: the
    named files' statements take its place, so a global parameter before it
    applies to the jails inside, and the last block of a name wins.
    """

    MAX_DEPTH = 32

    def __init__(self, root, confs, resolved):
        self.root = root
        self.confs = confs
        self.resolved = resolved
        self._flat = None

    def _check_depth(self, path, depth):
        if depth > self.MAX_DEPTH:
            raise JailConfError(f"{path}: .include nested more than {self.MAX_DEPTH} deep (an include loop?)")

    def _items(self, path, depth=0):
        """(path, item) for every top-level item in reading order, includes followed."""
        self._check_depth(path, depth)
        conf = self.confs.get(path)
        if conf is None:
            return
        subs = iter(self.resolved.get(path, []))
        for it in conf.items:
            if isinstance(it, Include):
                for sub in next(subs, []):
                    yield from self._items(sub, depth + 1)
            else:
                yield path, it

    def owners(self):
        """{jail name: [files with a block for it, in reading order]} (wildcard blocks left out)."""
        out = {}
        for path, it in self._items(self.root):
            if isinstance(it, Block):
                for b in (it, *self.confs[path]._blocks(it.items)):
                    name = b.full_name
                    if "*" not in name and path not in out.setdefault(name, []):
                        out[name].append(path)
        return out

    def jails(self):
        """Names of the jail blocks in reading order."""
        return list(self.owners())

    def flat(self):
        """One JailConf with every ``.include`` replaced by the text of the files it names."""
        if self._flat is None:
            self._flat = JailConf.parse(self._text(self.root, 0))
        return self._flat

    def _text(self, path, depth):
        self._check_depth(path, depth)
        conf = self.confs.get(path)
        if conf is None:
            return ""
        parts = []
        pos = 0
        subs = iter(self.resolved.get(path, []))
        for it in conf.items:
            if not isinstance(it, Include):
                continue
            parts.extend(t.text for t in conf.toks[pos : it.first])
            for sub in next(subs, []):
                parts.append("\n" + self._text(sub, depth + 1) + "\n")
            pos = it.last + 1
        parts.extend(t.text for t in conf.toks[pos:])
        return "".join(parts)

    def effective(self, name):
        """jail(8)'s parameters for ``name`` over the whole tree (KeyError if no file defines it)."""
        return self.flat().effective(name)
