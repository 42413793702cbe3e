"""loader(8): the kernel environment read from /boot/loader.conf, applied to the tunables at boot.

# src: stand/lua/config.lua (loader_conf_files "/boot/loader.conf /boot/loader.conf.local",
#      the generic ``name=value`` line: ``^%s*([%w%p]+)%s*=%s*`` followed by a double-quoted value
#      QVALEXPR ``"([%w%s%p]-)"`` or a bare word WORDEXPR ``([%w]+)``, then optional blanks and a
#      ``#`` comment; a later line wins); stand/defaults/loader.conf.
# A tunable (TUNABLE_* / CTLFLAG_RDTUN / CTLFLAG_RWTUN, sys/kern/kern_sysctl.c
# sysctl_load_tunable_by_oid_locked()) takes the kernel environment's value of its name at boot;
# a value that is not a number leaves the default (getenv_int() fails).  Only the tunables in
# sysctls.MIB are modelled; every other variable is read and ignored.
"""

import os
import re

from . import kstate, sysctls

FILES = ("/boot/loader.conf", "/boot/loader.conf.local")
LINE = re.compile(r'\s*([^\s=]+)\s*=\s*(?:"([^"]*)"|([A-Za-z0-9]+))\s*(?:#.*)?')


def environment(root="/"):
    """The ``name=value`` assignments of the loader's configuration files, later ones winning."""
    env = {}
    for name in FILES:
        try:
            with open(os.path.join(root, name.lstrip("/")), encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            m = LINE.fullmatch(line)
            if m:
                env[m.group(1)] = m.group(2) if m.group(2) is not None else m.group(3)
    return env


def _number(text):
    """getenv_quad()-style: a decimal, 0x hex or 0 octal integer, else None."""
    try:
        return int(text, 0)
    except ValueError:
        return None


def apply_tunables(state, root="/"):
    """Set every modelled tunable named in the loader environment (the kernel's boot)."""
    env = environment(root)
    for oid, (typ, access, _default, _descr) in sysctls.MIB.items():
        if access.split()[0] not in ("RDTUN", "RWTUN") or oid not in env or typ == "A":
            continue
        value = _number(env[oid])
        if value is not None:
            if typ == "CU":  # SYSCTL_BOOL: any non-zero value is true
                value = 1 if value else 0
            kstate.set_sysctl(state, oid, value)
