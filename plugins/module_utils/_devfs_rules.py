# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""devfs.rules(5) files, ``devfs rule`` output and the rc way of loading rulesets.

A file is a list of lines kept byte for byte (``render(parse(text)) == text``).
rc.subr ``devfs_rulesets_from_file`` reads it with ``while read line``: a line
starting with ``#`` is a comment, ``[name=N]`` starts ruleset N and sets the
shell variable ``name=N`` (then runs ``devfs rule -s N delset``), any other
line is cut at its first ``#`` and run as ``eval devfs rule -s N LINE`` (so
``$name`` references expand to numbers of rulesets read before, quotes are
removed, globbing is off).  rc reads /etc/defaults/devfs.rules, then
/etc/devfs.rules (``devfs_rulesets`` in /etc/defaults/rc.conf).

``devfs rule -s N show`` prints ``NUM [type T] [path P] [hide|unhide] [user U]
[group G] [mode M] [include N]`` per rule (src: sbin/devfs/rule.c rulespec_outfp()).
"""

from __future__ import annotations

import re
import shlex

HEADER_RE = re.compile(r"^\[(?P<name>.*)=(?P<number>[0-9]*)\]")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
USER_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
VAR_RE = re.compile(r"\$\{(?P<b>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<n>[A-Za-z_][A-Za-z0-9_]*)")
DEFAULT_RULESETS = {
    1: "devfsrules_hide_all",
    2: "devfsrules_unhide_basic",
    3: "devfsrules_unhide_login",
    4: "devfsrules_jail",
    5: "devfsrules_jail_vnet",
}
TYPES = ("disk", "mem", "tape", "tty")
# Devices that give a jail the host's storage or kernel memory when visible (jail(8): "exposing disks
# to a jail breaks it"): one sample name per driver and GEOM class, with the type devfs(8)'s ``type``
# condition sees (``disk``: GEOM providers, D_DISK in geom_dev.c; ``mem``: mem and kmem, D_MEM) or None.
# A ruleset is judged by which of these it leaves visible, rules evaluated in order as devfs does.
SENSITIVE_DEVICES = (
    ("disk", "disk", ("ada0", "ada0p1", "ada0s1a", "da0", "da0p2", "nvd0", "nvd0p2", "nda0", "nda0p2", "vtbd0",
                      "vtbd0p1", "md0", "md10", "cd0", "mmcsd0", "mmcsd0s1", "sdda0", "xbd0", "mfid0", "mfisyspd0",
                      "aacd0", "ipsd0", "twed0", "ada0.eli", "ada0p1.eli", "gpt/rootfs", "gptid/0f1e2d3c-4b5a-6978",
                      "diskid/DISK-S3Z9NB0K", "label/data", "ufs/rootfs", "ufsid/5f1e2d3c4b5a6978", "msdosfs/EFISYS",
                      "iso9660/CDROM", "ext2fs/data", "zvol/zroot/vol", "mirror/gm0", "raid/r0", "stripe/st0",
                      "concat/c0", "raid3/r0", "graid5/r0", "linux_lvm/vg-lv", "nop/ada0.nop")),
    ("disk", None, ("pass0", "xpt0", "sg0", "geom.ctl")),
    ("memory", "mem", ("mem", "kmem")),
    ("memory", None, ("io",)),
)  # fmt: skip


class DevfsRulesError(ValueError):
    """A rule or file that cannot be read; the message names the line or field."""


class Ruleset:
    """One ``[name=N]`` block: header line index, end (exclusive) and its rule lines."""

    def __init__(self, name, number, start, end):
        self.name = name
        self.number = number
        self.start = start
        self.end = end

    def __repr__(self):
        return "Ruleset(%r, %r, %d, %d)" % (self.name, self.number, self.start, self.end)


class DevfsRules:
    """A devfs.rules(5) file, edited losslessly."""

    def __init__(self, text, path="devfs.rules"):
        self.path = path
        self.lines = (text or "").splitlines(True)
        self._index()

    def _index(self):
        self.rulesets = []
        current = None
        for i, raw in enumerate(self.lines):
            line = raw.strip()
            if line.startswith("[") and "]" in line:
                m = HEADER_RE.match(line)
                if not m or not m.group("number") or not m.group("name"):
                    raise DevfsRulesError("%s line %d: cannot read the ruleset header %r" % (self.path, i + 1, line))
                if current is not None:
                    current.end = i
                current = Ruleset(m.group("name"), int(m.group("number")), i, len(self.lines))
                self.rulesets.append(current)

    def render(self):
        return "".join(self.lines)

    def get(self, name):
        for rs in self.rulesets:
            if rs.name == name:
                return rs
        return None

    def commands(self, ruleset):
        """The rule commands of a ruleset as rc runs them (comment cut, trimmed, empty dropped)."""
        out = []
        for raw in self.lines[ruleset.start + 1 : ruleset.end]:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            cmd = line.split("#", 1)[0].strip()
            if cmd:
                out.append(cmd)
        return out

    def _block_end(self, ruleset):
        """End of a block without its trailing blank/comment lines (they separate blocks)."""
        end = ruleset.end
        while end > ruleset.start + 1 and (
            not self.lines[end - 1].strip() or self.lines[end - 1].strip().startswith("#")
        ):
            end -= 1
        return end

    def set_ruleset(self, name, number, commands):
        """Replace the block ``name`` (or append one) with header + commands; other lines stay."""
        block = ["[%s=%d]\n" % (name, number)] + ["%s\n" % c for c in commands]
        rs = self.get(name)
        if rs is None:
            if self.lines and not self.lines[-1].endswith("\n"):
                self.lines[-1] += "\n"
            if self.lines and self.lines[-1].strip():
                block.insert(0, "\n")
            self.lines.extend(block)
        else:
            end = self._block_end(rs)
            self.lines[rs.start : end] = block
        self._index()

    def remove_ruleset(self, name):
        rs = self.get(name)
        if rs is None:
            return
        end = rs.end
        # drop one blank separator line before the block when the block is the last
        start = rs.start
        if end == len(self.lines) and start > 0 and not self.lines[start - 1].strip():
            start -= 1
        del self.lines[start:end]
        self._index()


def variables(*files):
    """``{name: number}`` as rc would have set them after reading ``files`` in order."""
    out = {}
    for f in files:
        for rs in f.rulesets:
            out[rs.name] = rs.number
    return out


def expand_vars(cmd, names, where="rule"):
    """``$name`` / ``${name}`` -> number; an unknown name fails (rc would pass an empty word)."""

    def sub(m):
        var = m.group("b") or m.group("n")
        if var not in names:
            raise DevfsRulesError("%s: %r refers to $%s, which no ruleset defines" % (where, cmd, var))
        return str(names[var])

    return VAR_RE.sub(sub, cmd)


def tokenize(cmd, where="rule"):
    try:
        return shlex.split(cmd, comments=False, posix=True)
    except ValueError as exc:
        raise DevfsRulesError("%s: %r: %s" % (where, cmd, exc)) from None


def parse_rule(tokens, where="rule"):
    """Tokens of a ``devfs rule`` command -> dict (number, type, path, action, user, group, mode, include).

    Accepts ``add [rulenum] rulespec`` or a bare rulespec.
    """
    toks = list(tokens)
    if toks and toks[0] == "add":
        toks = toks[1:]
    rule = {"number": None}
    if toks and toks[0].isdigit():
        rule["number"] = int(toks.pop(0))
    if not toks:
        raise DevfsRulesError("%s: empty rule" % where)
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok in ("hide", "unhide"):
            rule["action"] = tok
            i += 1
            continue
        if tok in ("path", "type", "user", "group", "mode", "include"):
            if i + 1 >= len(toks):
                raise DevfsRulesError("%s: expecting argument for %s" % (where, tok))
            arg = toks[i + 1]
            if tok == "type" and arg not in TYPES:
                raise DevfsRulesError("%s: unknown type: %s" % (where, arg))
            if tok == "mode":
                try:
                    arg = "%o" % int(arg, 8)
                except ValueError:
                    raise DevfsRulesError("%s: invalid mode: %s" % (where, arg)) from None
            if tok in ("user", "group") and not USER_RE.match(arg):
                raise DevfsRulesError("%s: invalid %s: %s" % (where, tok, arg))
            if tok == "path" and not arg:
                raise DevfsRulesError("%s: empty path pattern" % where)
            if tok == "include" and not arg.isdigit():
                raise DevfsRulesError("%s: include needs a ruleset number, got %s" % (where, arg))
            rule[tok] = arg
            i += 2
            continue
        raise DevfsRulesError("%s: unknown argument: %s" % (where, tok))
    return rule


def format_rule(rule):
    """A rule in ``devfs rule show`` form, without its number."""
    parts = []
    for key in ("type", "path"):
        if rule.get(key) is not None:
            parts.append("%s %s" % (key, rule[key]))
    if rule.get("action"):
        parts.append(rule["action"])
    for key in ("user", "group", "mode", "include"):
        if rule.get(key) is not None:
            parts.append("%s %s" % (key, rule[key]))
    return " ".join(parts)


def parse_show(text):
    """``devfs rule -s N show`` -> list of (rule number, rule in show form)."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        num, _sep, rest = line.partition(" ")
        if not num.isdigit():
            continue
        out.append((int(num), format_rule(parse_rule(rest.split(), where="show"))))
    return out


def parse_showsets(text):
    """``devfs rule showsets`` -> list of ruleset numbers."""
    return [int(line.strip()) for line in (text or "").splitlines() if line.strip().isdigit()]


def ruleset_rules(files, name):
    """The rules of ruleset ``name`` in ``files`` (a list of DevfsRules, rc order), $vars expanded.

    Returns (number, [rule dicts]); the last definition wins as it does in the kernel.
    """
    names = {}
    found = None
    for f in files:
        for rs in f.rulesets:
            names[rs.name] = rs.number
            if rs.name == name:
                where = "%s [%s=%d]" % (f.path, rs.name, rs.number)
                rules = [parse_rule(tokenize(expand_vars(c, names, where), where), where) for c in f.commands(rs)]
                found = (rs.number, rules)
    return found


def rules_by_number(files):
    """{ruleset number: [rule dicts]} for every ruleset of ``files``."""
    out = {}
    for f in files:
        for rs in f.rulesets:
            out[rs.number] = ruleset_rules(files, rs.name)[1]
    return out


def expand_includes(rules, by_number, seen=None):
    """Flatten ``include N`` rules recursively (each ruleset once)."""
    seen = set() if seen is None else seen
    out = []
    for rule in rules:
        if rule.get("include") is not None:
            n = int(rule["include"])
            if n in seen:
                continue
            seen.add(n)
            out.extend(expand_includes(by_number.get(n, []), by_number, seen))
        else:
            out.append(rule)
    return out


def _glob_re(pattern):
    """fnmatch(3) with FNM_PATHNAME as a regular expression: ``*``, ``?`` and ``[...]`` never match ``/``.

    src: sys/fs/devfs/devfs_rule.c devfs_rule_matchpath() matches ``fnmatch(pattern, name, FNM_PATHNAME)``
    against the device's name below /dev (``gpt/rootfs``).
    """
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] in "!^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                j += 1
            if j >= len(pattern):  # no closing bracket: a literal [
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : j]
                neg = body[:1] in ("!", "^")
                if neg:
                    body = body[1:]
                body = body.replace("\\", "\\\\").replace("^", "\\^")
                out.append("(?!/)[%s%s]" % ("^" if neg else "", body))
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.S)


def rule_matches(rule, device, devtype):
    """Does ``rule`` (its path and type conditions) select ``device`` (whose type is ``devtype``)?"""
    if rule.get("type") is not None and rule["type"] != devtype:
        return False
    return rule.get("path") is None or bool(_glob_re(rule["path"]).match(device))


def exposed_devices(rules):
    """The disk and memory devices ``rules`` (includes expanded) leave visible in a jail's /dev.

    devfs shows every device until a rule hides it; each ``hide``/``unhide`` rule whose conditions match
    a device sets its visibility, in order (devfs_rule.c devfs_rule_run()).  Returns a list of
    ``(device, class, rule)`` where ``rule`` is the last rule that unhid the device, or None when no
    rule ever hid it (the ruleset does not start by hiding everything).
    """
    out = []
    for klass, devtype, names in SENSITIVE_DEVICES:
        for device in names:
            visible, by = True, None
            for rule in rules:
                if rule.get("action") in ("hide", "unhide") and rule_matches(rule, device, devtype):
                    visible = rule["action"] == "unhide"
                    by = rule if visible else None
            if visible:
                out.append((device, klass, by))
    return out


def describe_exposed(exposed, limit=6):
    """``path ada* unhide: ada0, ada0p1, ...; not hidden by any rule: mem`` for a message."""
    groups = []
    for device, _klass, rule in exposed:
        key = format_rule(rule) if rule is not None else "not hidden by any rule"
        for g in groups:
            if g[0] == key:
                g[1].append(device)
                break
        else:
            groups.append((key, [device]))
    parts = []
    for key, devices in groups:
        shown = ", ".join(devices[:limit]) + (", ..." if len(devices) > limit else "")
        parts.append("%s: %s" % (key, shown))
    return "; ".join(parts)


def clashes(files, name, number, redefine=False):
    """Messages for rulesets other than ``name`` in ``files`` that use ``number``, and ``name`` defined twice."""
    msgs = []
    seen_names = {}
    for f in files:
        for rs in f.rulesets:
            if rs.name != name and rs.number == number:
                msgs.append("ruleset number %d is already used by [%s=%d] in %s" % (number, rs.name, rs.number, f.path))
            if not redefine and rs.name == name and rs.name in seen_names and seen_names[rs.name][0] != f.path:
                msgs.append("ruleset name %s is defined in both %s and %s" % (rs.name, seen_names[rs.name][0], f.path))
            seen_names.setdefault(rs.name, (f.path, rs.number))
    return msgs


def normalize_command(spec, where="rules"):
    """A rule as the module takes it (``path 'bpf*' unhide`` or ``add path ...``) -> ``add ...`` line."""
    text = (spec or "").strip()
    if not text:
        raise DevfsRulesError("%s: empty rule" % where)
    if "#" in text or "\n" in text:
        raise DevfsRulesError("%s: %r: no comments or newlines in a rule" % (where, spec))
    check_shell_words(text, spec, where)
    if not text.startswith("add ") and text != "add":
        text = "add " + text
    return text


# What a rule line may hold outside single quotes: words of these characters, blanks and $ruleset
# references.  rc.subr devfs_rulesets_from_file() runs each line as ``eval /sbin/devfs rule -s N LINE``
# (with ``set -f``), so anything else -- $(...), backticks, ;, |, &, <, >, double quotes, backslashes --
# would be run by the shell at every boot, as root, before devfs(8) ever sees it.
_WORD_CHARS = re.compile(r"[A-Za-z0-9_./*?\[\]!:+,=@%^-]")


def check_shell_words(text, spec, where):
    i = 0
    while i < len(text):
        c = text[i]
        if c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise DevfsRulesError("%s: %r: unterminated quote" % (where, spec))
            i = j + 1
            continue
        if c == "$":
            m = VAR_RE.match(text, i)
            if m:
                i = m.end()
                continue
        if c in " \t" or _WORD_CHARS.match(c):
            i += 1
            continue
        raise DevfsRulesError(
            "%s: %r: %r cannot be part of a devfs rule: rc reads devfs.rules lines with eval "
            "(rc.subr devfs_rulesets_from_file), so the shell would run it at boot; quote a path "
            "pattern with single quotes" % (where, spec, c)
        )
