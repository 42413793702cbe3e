"""The base system's releases and patch levels: what the simulated update mirror serves.

``data/freebsd-update/catalogue.json`` lists, per release, the files freebsd-update(8) tracks at -p0
and the files each patch level changes.  Every level also rewrites ``/bin/freebsd-version``,
whose USERLAND_VERSION is baked in when the world is built
(src: bin/freebsd-version/freebsd-version.sh.in, ``USERLAND_VERSION="@@REVISION@@-@@BRANCH@@"``).
world.py installs a release's -p0 files into every world it makes; tools/freebsd_update/ compares a
base directory against these indexes.  Standard library only (runs in the boxes).

Interface:
  releases() -> [release]            release_files(release, level) -> {path: text}
  latest(release) -> int             version(release, level) -> "14.2-RELEASE-p3"
  old_values(release, level) -> {path: set(text)}   every value a path had from -p0 to level
  freebsd_version_script(version) -> text           mirrors() -> [server]      eol(release) -> int
"""

import json
import os
import re

CATALOGUE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "freebsd-update", "catalogue.json")
VERSION_FILE = "/bin/freebsd-version"
_cache = {}


def _cat():
    if "cat" not in _cache:
        with open(CATALOGUE, encoding="utf-8") as f:
            _cache["cat"] = json.load(f)
    return _cache["cat"]


def releases():
    return sorted(_cat()["releases"])


def mirrors():
    return list(_cat()["mirrors"])


def eol(release):
    return int(_cat()["releases"][release]["eol"])


def latest(release):
    patches = _cat()["releases"][release]["patches"]
    return max((p["level"] for p in patches), default=0)


def version(release, level):
    """newvers.sh: BRANCH gets ``-pN`` once a patch is applied (-p0 is the plain release)."""
    return f"{release}-p{level}" if level else release


def freebsd_version_script(version_string):
    # src: bin/freebsd-version/freebsd-version.sh.in - USERLAND_VERSION is substituted at build time;
    # the rest of the script (kernel_version(), jail_version()) is the simulated tool's.
    return (
        f'#!/bin/sh\n# freebsd-version (simulator world)\nUSERLAND_VERSION="{version_string}"\n'
        'echo "$USERLAND_VERSION"\n'
    )


def release_files(release, level):
    """{path: text} of the tracked files of ``release`` at patch ``level``."""
    rel = _cat()["releases"][release]
    files = dict(rel["files"])
    for p in sorted(rel["patches"], key=lambda p: p["level"]):
        if p["level"] <= level:
            files.update(p["files"])
    files[VERSION_FILE] = freebsd_version_script(version(release, level))
    return files


def old_values(release, level):
    """{path: set of texts} of every level from -p0 to ``level``: freebsd-update's INDEX-OLD."""
    out = {}
    for lv in range(level + 1):
        for path, text in release_files(release, lv).items():
            out.setdefault(path, set()).add(text)
    return out


USERLAND_RE = re.compile(r'^USERLAND_VERSION="([^"]*)"', re.M)


def userland_version(script_text):
    """The USERLAND_VERSION baked into a freebsd-version script, or None."""
    m = USERLAND_RE.search(script_text)
    return m.group(1) if m else None
