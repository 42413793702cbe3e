# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""sysctl(8) output, sysctl.conf(5) text and the ``security.jail.*`` catalogue.

Output forms (sysctl.8; sbin/sysctl/sysctl.c): ``name: value`` (default and
``-a``), ``name=value`` (``-e``), ``value`` (``-n``).  Errors go to stderr as
``sysctl: unknown oid 'x'`` and friends, and sysctl exits with the number of
arguments that failed, so a read of several names reports all bad ones at once.

sysctl.conf(5) is applied at boot by /etc/rc.d/sysctl with ``sysctl -i -f FILE``,
so a line means what sysctl(8) makes of it (sbin/sysctl/sysctl.c parsefile() and
parse()): the first ``#`` ends the line (a ``#`` after a quote ends it after the
closing quote instead, and ``\\#`` is not a comment), blanks at both ends are
ignored, the line is split at its first ``=`` or ``:``, blanks around the separator
are dropped and one pair of quotes around the value is stripped.  So
``kern.maxfiles = 100`` sets kern.maxfiles like ``kern.maxfiles=100``; a line with
no separator only reads a value.  Edits replace the value as written and keep
every other line, comment and blank byte for byte.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

NAME_RE = re.compile(r"^[A-Za-z0-9_%-]+(\.[A-Za-z0-9_%-]+)+$")
CONF_SPACE = " \t\n\v\f\r"  # isspace(3): what sysctl.c trims

ERROR_PATTERNS = (
    ("unknown", re.compile(r"^sysctl: unknown oid '(?P<name>[^']*)'")),
    ("tunable", re.compile(r"^sysctl: oid '(?P<name>[^']*)' is a read only tunable")),
    ("read_only", re.compile(r"^sysctl: oid '(?P<name>[^']*)' is read only")),
    ("not_leaf", re.compile(r"^sysctl: oid '(?P<name>[^']*)' isn't a leaf node")),
    ("invalid", re.compile(r"^sysctl: invalid (?P<type>[\w ]+?) '(?P<value>[^']*)'")),
    ("eperm", re.compile(r"^sysctl: (?P<name>[^=\s]+)=(?P<value>.*): Operation not permitted")),
)

# security.jail.* (src: sys/kern/kern_jail.c, its security.jail sysctls).  "param" is the
# jail(8) parameter that replaces a deprecated host-wide knob; "inverse" when the
# parameter means the opposite (socket_unixiproute_only=1 is allow.socket_af=false).
SECURITY_JAIL = {
    "security.jail.jailed": {"type": "int", "writable": False, "default": "0"},
    "security.jail.vnet": {"type": "int", "writable": False, "default": "0"},
    "security.jail.list": {"type": "opaque", "writable": False, "default": None},
    "security.jail.jail_max_af_ips": {"type": "uint", "writable": True, "default": "255"},
    "security.jail.set_hostname_allowed": {
        "type": "int",
        "writable": True,
        "default": "1",
        "param": "allow.set_hostname",
    },
    "security.jail.socket_unixiproute_only": {
        "type": "int",
        "writable": True,
        "default": "1",
        "param": "allow.socket_af",
        "inverse": True,
    },
    "security.jail.sysvipc_allowed": {"type": "int", "writable": True, "default": "0", "param": "allow.sysvipc"},
    "security.jail.allow_raw_sockets": {
        "type": "int",
        "writable": True,
        "default": "0",
        "param": "allow.raw_sockets",
    },
    "security.jail.chflags_allowed": {"type": "int", "writable": True, "default": "0", "param": "allow.chflags"},
    "security.jail.mount_allowed": {"type": "int", "writable": True, "default": "0", "param": "allow.mount"},
    "security.jail.enforce_statfs": {"type": "int", "writable": True, "default": "2", "param": "enforce_statfs"},
    "security.jail.devfs_ruleset": {"type": "int", "writable": False, "default": "0", "param": "devfs_ruleset"},
}
# security.jail.mount_<fs>_allowed and security.jail.<flag>_allowed appear when the
# file system or module registers; they map to allow.mount.<fs> and allow.<flag>.
MOUNT_FS_RE = re.compile(r"^security\.jail\.mount_(?P<fs>[a-z0-9]+)_allowed$")
FLAG_RE = re.compile(r"^security\.jail\.(?P<flag>[a-z0-9_]+)_allowed$")

# Well-known read-only values and boot-time tunables outside security.jail (the
# kernel answers "is read only" / "is a read only tunable" for these).
READ_ONLY = {
    "kern.ostype",
    "kern.osrelease",
    "kern.osrevision",
    "kern.osreldate",
    "kern.version",
    "kern.hostuuid_is_set",
    "kern.bootfile",
    "hw.machine",
    "hw.machine_arch",
    "hw.model",
    "hw.ncpu",
    "hw.pagesize",
    "hw.physmem",
    "hw.realmem",
    "hw.usermem",
}
TUNABLES = {
    "kern.hz",
    "kern.maxusers",
    "kern.nbuf",
    "kern.ipc.nsfbufs",
    "kern.ipc.maxpipekva",
    "vm.kmem_size",
    "vm.kmem_size_max",
    "net.inet.tcp.tcbhashsize",
    "net.inet.tcp.syncache.hashsize",
    "net.inet.tcp.syncache.bucketlimit",
    "net.link.ifqmaxlen",
    "hw.memtest.tests",
}
INT_TYPES = ("int", "uint")
LOADER_CONF_MSG = "it is a boot-time tunable: it belongs in /boot/loader.conf"


def valid_name(name):
    return bool(NAME_RE.match(name or ""))


def _output_name(name):
    """A name as sysctl prints it (``security.jail.param.allow.mount.`` included)."""
    return bool(name) and "." in name and not any(c.isspace() for c in name)


def parse_sysctl_e(text):
    """``sysctl -e`` output -> {name: value}; a line without ``=`` continues the previous value."""
    values = {}
    last = None
    for line in (text or "").splitlines():
        name, sep, value = line.partition("=")
        if sep and _output_name(name):
            values[name] = value
            last = name
        elif last is not None:
            values[last] += "\n" + line
    return values


def parse_errors(stderr):
    """sysctl's stderr -> list of (kind, dict); kinds: unknown, tunable, read_only, not_leaf, invalid, eperm."""
    out = []
    for line in (stderr or "").splitlines():
        for kind, rx in ERROR_PATTERNS:
            m = rx.match(line)
            if m:
                out.append((kind, m.groupdict()))
                break
    return out


def _number(text):
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def values_equal(a, b):
    """``1``, `` 1`` and ``1.0`` are equal; lists of numbers compare item by item; strings exactly (trimmed)."""
    sa = ("" if a is None else str(a)).strip()
    sb = ("" if b is None else str(b)).strip()
    if sa == sb:
        return True
    ta = [t for t in re.split(r"[\s,]+", sa) if t]
    tb = [t for t in re.split(r"[\s,]+", sb) if t]
    if not ta or len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        nx, ny = _number(x), _number(y)
        if nx is None or ny is None or nx != ny:
            return False
    return True


def is_integer(text):
    return bool(re.match(r"^\s*-?\d+\s*$", text or ""))


def integer_text(text):
    """``"1.0"`` -> ``"1"``, ``" 3"`` -> ``"3"``; None when the text is not a whole number."""
    n = _number((text or "").strip())
    if n is None or not n.is_finite() or n != n.to_integral_value():
        return None
    return str(int(n))


def catalogue(name):
    """What we know about ``name``: dict with type/writable/default/param/inverse, or None."""
    if name in SECURITY_JAIL:
        return SECURITY_JAIL[name]
    m = MOUNT_FS_RE.match(name)
    if m:
        return {"type": "int", "writable": True, "default": "0", "param": "allow.mount.%s" % m.group("fs")}
    m = FLAG_RE.match(name)
    if m:
        return {"type": "int", "writable": True, "default": "0", "param": "allow.%s" % m.group("flag")}
    if name.startswith("security.jail.param."):
        return {"type": "node", "writable": False, "default": None}
    return None


def jail_module_option(param, inverse=False):
    """How bsd.jails.jail sets a jail parameter: ``allow: {raw_sockets: true}``, ``enforce_statfs: N``."""
    if param.startswith("allow."):
        return "allow: {%s: %s}" % (param[len("allow.") :], "false" if inverse else "true")
    return "%s: N" % param


def deprecation_warning(name, jail=None):
    """A warning text for a deprecated host-wide security.jail knob, or None."""
    info = catalogue(name)
    if jail is not None or not info or not info.get("param") or not info.get("writable"):
        return None
    param = info["param"]
    return (
        "%s is deprecated: it only sets the default for jails created the legacy way; set the jail parameter "
        "%s per jail instead, with the bsd.jails.jail option %s"
        % (name, param, jail_module_option(param, info.get("inverse")))
    )


def normalize_value(value):
    """Module input -> the text sysctl takes (booleans as 1/0)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return str(value).strip()


def check_settable(name, value, current, jail=None, compare=True):
    """Reasons ``name=value`` cannot be set, checked before anything changes; returns a message or None.

    ``current`` is the live value (None when the oid is unknown).  ``compare=False`` skips what depends
    on the value of the place it is set in (a securelevel that may only be raised), for a check made
    against another place (the host's values for a jail's sysctls).
    """
    if current is None:
        return "%s: unknown oid '%s'" % (name, name)
    info = catalogue(name)
    if name in TUNABLES:
        return "%s: %s" % (name, LOADER_CONF_MSG)
    if name in READ_ONLY or (info and not info.get("writable")):
        return "%s: oid '%s' is read only" % (name, name)
    if (info and info["type"] in INT_TYPES) or is_integer(current):
        if integer_text(value) is None:
            return "%s: %r is not an integer (the oid holds an integer, now %s)" % (name, value, current.strip())
        value = integer_text(value)
        if info and info["type"] == "uint" and int(value) < 0:
            return "%s: %r is not an unsigned integer" % (name, value)
    lowered = is_integer(current) and is_integer(value) and int(value) < int(current)
    if compare and name == "kern.securelevel" and lowered:
        where = "inside jail %s" % jail if jail else "on the host"
        return "%s: the securelevel can only be raised %s (now %s, asked %s)" % (
            name,
            where,
            current.strip(),
            value,
        )
    return None


def _conf_line_end(body):
    """Where sysctl.c parsefile() ends a line: at the first ``#`` that starts a comment.

    A ``#`` after the line's first ``'`` (or else ``"``) ends the line just after the next ``'``
    (``"``) instead, or not at all when there is none; a ``#`` after a backslash is text.
    """
    single, double = body.find("'"), body.find('"')
    p = body.find("#")
    while p >= 0:
        if single >= 0 and p > single:
            q = body.find("'", single + 1)
            return q + 1 if q >= 0 else len(body)
        if double >= 0 and p > double:
            q = body.find('"', double + 1)
            return q + 1 if q >= 0 else len(body)
        if p == 0 or body[p - 1] != "\\":
            return p
        p = body.find("#", p + 1)
    return len(body)


def parse_conf_line(body):
    """One sysctl.conf line (without its newline) as ``sysctl -f`` reads it.

    Returns None when the line sets nothing (blank, comment, or a bare name, which sysctl only
    reads), else ``(name, value, start, end)``: ``value`` is what sysctl sets (one pair of quotes
    stripped) and ``body[start:end]`` the value as written, which an edit replaces.
    """
    content = body[: _conf_line_end(body)]
    last = len(content.rstrip(CONF_SPACE))
    first = len(content) - len(content.lstrip(CONF_SPACE))
    seps = [i for i in (content.find("=", first), content.find(":", first)) if 0 <= i < last]
    if not seps:
        return None
    sep = min(seps)
    start = sep + 1
    while start < last and content[start] in CONF_SPACE:
        start += 1
    if start >= last:
        start = last = sep + 1
    value = content[start:last]
    if value[:1] in ("'", '"'):
        value = value[1:-1] if value[-1] == value[0] else value[1:]
    return content[first:sep].rstrip(CONF_SPACE), value, start, last


class SysctlConf:
    """sysctl.conf(5) text as lines, edited losslessly."""

    def __init__(self, text):
        self.text = text or ""
        self.lines = self.text.splitlines(True)

    @staticmethod
    def _entry(line):
        """(name, value, start, end) of a line that sets a value, else None."""
        return parse_conf_line(line.rstrip("\r\n"))

    def entries(self):
        """{name: value} of the lines that set a value (the last one wins, as at boot)."""
        out = {}
        for line in self.lines:
            e = self._entry(line)
            if e:
                out[e[0]] = e[1]
        return out

    def get(self, name):
        return self.entries().get(name)

    def set(self, name, value):
        """Make ``name=value`` the persisted value; the value of every line setting ``name`` is replaced."""
        found = False
        for i, line in enumerate(self.lines):
            e = self._entry(line)
            if not e or e[0] != name:
                continue
            found = True
            self.lines[i] = line[: e[2]] + value + line[e[3] :]
        if not found:
            if self.lines and not self.lines[-1].endswith("\n"):
                self.lines[-1] += "\n"
            self.lines.append("%s=%s\n" % (name, value))

    def remove(self, name):
        self.lines = [line for line in self.lines if (self._entry(line) or (None,))[0] != name]

    def render(self):
        return "".join(self.lines)


# What ``sysctl -t`` prints for an oid (src: sbin/sysctl/sysctl.c ctl_typename[]) and the values a set
# of that type can take: sysctl.c parse_numeric() reads each word with strtol/strtoul/strtoimax/strtoumax
# (base 0), refusing only what overflows the C long; a value of a narrower type is then cut down without
# a word (an ``integer`` set to 4294967297 becomes 1) and strtoul takes ``-5`` as a huge number.  The
# collection refuses both before anything changes.  ``long`` is the 64-bit long of amd64 and arm64.
TYPE_RANGES = {
    "integer": (-(2**31), 2**31 - 1),
    "unsigned integer": (0, 2**32 - 1),
    "long integer": (-(2**63), 2**63 - 1),
    "unsigned long": (0, 2**64 - 1),
    "int8_t": (-(2**7), 2**7 - 1),
    "int16_t": (-(2**15), 2**15 - 1),
    "int32_t": (-(2**31), 2**31 - 1),
    "int64_t": (-(2**63), 2**63 - 1),
    "uint8_t": (0, 2**8 - 1),
    "uint16_t": (0, 2**16 - 1),
    "uint32_t": (0, 2**32 - 1),
    "uint64_t": (0, 2**64 - 1),
}
SETTABLE_TYPES = set(TYPE_RANGES) | {"string"}
HEX_RE = re.compile(r"^[+-]?0[xX][0-9a-fA-F]+$")


def integer_value(word):
    """A number word as the module sends it (decimal, ``0x`` hex, or a whole ``1.0``) -> int, or None."""
    word = (word or "").strip()
    if HEX_RE.match(word):
        return int(word, 16)
    text = integer_text(word)
    return None if text is None else int(text)


def check_type(name, value, typename):
    """Why ``value`` cannot be set on ``name`` whose ``sysctl -t`` type is ``typename``; None when it can.

    Numeric oids take one or more numbers separated by spaces or commas (sysctl.c parse()), each within
    the type's range.
    """
    if typename is None or typename == "string":
        return None
    if typename not in SETTABLE_TYPES:
        return "%s: the oid is of type %s, which sysctl cannot set" % (name, typename)
    low, high = TYPE_RANGES[typename]
    words = [w for w in re.split(r"[ ,]", value or "") if w]
    if not words:
        return "%s: an empty value for an oid of type %s" % (name, typename)
    for word in words:
        n = integer_value(word)
        if n is None:
            return "%s: %r is not a number (the oid is of type %s)" % (name, word, typename)
        if n < 0 and low == 0:
            return "%s: %s is negative, and the oid is of type %s (0 to %d)" % (name, word, typename, high)
        if not low <= n <= high:
            return "%s: %s is out of range for the oid's type %s (%d to %d)" % (name, word, typename, low, high)
    return None
