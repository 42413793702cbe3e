# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""rctl(8) resource limits of jails: validation, rule text, rctl.conf and loader.conf edits, the plan.

Pure: no AnsibleModule, no I/O.  A rule is ``jail:NAME:RESOURCE:ACTION=AMOUNT[/PER]`` written as
rctl(8) lists it (amount in bytes or units, ``/per`` only when it is not ``jail``), so a rule read
back with ``rctl jail:`` compares equal to the one the collection wrote.  The collection owns the
lines of rctl.conf that end with MARKER; rc.d/rctl reads only the first word of a line, so the
marker comment does not reach rctl(8).
"""

from __future__ import annotations

import re

from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

MARKER = "# bsd.jails: managed"
RACCT_OID = "kern.racct.enable"

# rctl(8) RESOURCES and kern_racct.c racct_types[]: (deniable, decaying, sloppy)
RESOURCES = {
    "cputime": (False, False, False),
    "datasize": (True, False, False),
    "stacksize": (True, False, False),
    "coredumpsize": (True, False, False),
    "memoryuse": (True, False, False),  # not deniable in racct, but rctl enforces deny (kern_rctl.c)
    "memorylocked": (True, False, False),
    "maxproc": (True, False, False),
    "openfiles": (True, False, False),
    "vmemoryuse": (True, False, False),
    "pseudoterminals": (True, False, True),
    "swapuse": (True, False, True),
    "nthr": (True, False, False),
    "msgqqueued": (True, False, True),
    "msgqsize": (True, False, True),
    "nmsgq": (True, False, True),
    "nsem": (True, False, True),
    "nsemop": (True, False, False),
    "nshm": (True, False, True),
    "shmsize": (True, False, True),
    "wallclock": (False, False, False),
    "pcpu": (True, False, False),  # decaying, but rctl refuses throttle for pcpu
    "readbps": (False, True, False),
    "writebps": (False, True, False),
    "readiops": (False, True, False),
    "writeiops": (False, True, False),
}
SIGNALS = (
    "sighup sigint sigquit sigill sigtrap sigabrt sigemt sigfpe sigkill sigbus sigsegv sigsys sigpipe sigalrm "
    "sigterm sigurg sigstop sigtstp sigchld sigttin sigttou sigio sigxcpu sigxfsz sigvtalrm sigprof sigwinch "
    "siginfo sigusr1 sigusr2 sigthr"
)
ACTIONS = ("deny", "log", "devctl", "throttle", *SIGNALS.split())
PERS = ("jail", "process", "user", "loginclass")
UNITS = {"": 0, "b": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}
AMOUNT = re.compile(r"([0-9]+)([bkmgtpe]?)(b?)", re.IGNORECASE)
JAIL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
INT64_MAX = 2**63 - 1


def parse_amount(value, field):
    """An amount as expand_number(3) reads it (``2G``, ``512m``, ``200``) -> int; JailsError naming ``field``."""
    if isinstance(value, bool) or value is None:
        raise JailsError("%s: %r is not an amount" % (field, value))
    text = str(value).strip()
    m = AMOUNT.fullmatch(text)
    if not m or (m.group(3) and not m.group(2)) or (m.group(2).lower() == "b" and m.group(3)):
        raise JailsError("%s: %r is not an amount (a number, optionally with k, m, g, t, p or e)" % (field, value))
    n = int(m.group(1)) << UNITS[m.group(2).lower()]
    if n > INT64_MAX:
        raise JailsError("%s: %r is too large" % (field, value))
    return n


def rule_text(jail, resource, action, amount, per):
    """The rule as rctl(8) lists it."""
    text = "jail:%s:%s:%s=%d" % (jail, resource, action, amount)
    return text if per == "jail" else "%s/%s" % (text, per)


def one_limit(jail, resource, spec, field):
    """A validated rule for ``limits[resource]`` (an amount or a dict amount/action/per)."""
    if resource not in RESOURCES:
        raise JailsError("%s: unknown resource %r; rctl(8) knows %s" % (field, resource, ", ".join(RESOURCES)))
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - {"amount", "action", "per"})
        if unknown:
            raise JailsError("%s: unknown key %s (amount, action, per)" % (field, ", ".join(unknown)))
        if "amount" not in spec:
            raise JailsError("%s.amount: required" % field)
        amount = parse_amount(spec["amount"], field + ".amount")
        action = spec.get("action") or "deny"
        per = spec.get("per") or "jail"
    else:
        amount, action, per = parse_amount(spec, field), "deny", "jail"
    if action not in ACTIONS:
        raise JailsError("%s.action: %r is not an rctl(8) action (%s)" % (field, action, ", ".join(ACTIONS)))
    if per not in PERS:
        raise JailsError("%s.per: %r is not one of %s" % (field, per, ", ".join(PERS)))
    deniable, decaying, sloppy = RESOURCES[resource]
    # the kernel refuses these with EOPNOTSUPP (sys/kern/kern_rctl.c rctl_rule_add())
    if action == "deny" and not deniable:
        raise JailsError("%s: %s cannot be denied, only logged or signalled" % (field, resource))
    if action == "throttle" and not decaying:
        raise JailsError("%s: throttle works only for readbps, writebps, readiops, writeiops" % field)
    if per == "process" and sloppy:
        raise JailsError("%s.per: %s cannot be limited per process" % (field, resource))
    return rule_text(jail, resource, action, amount, per)


def desired(jails, single=False):
    """{jail: [rule, ...]} from the module's jail list, every field checked before anything runs.

    Fields are named ``jails[N].limits.RESOURCE``, or ``limits.RESOURCE`` for the O(name) form (``single``).
    """
    out = {}
    for i, entry in enumerate(jails):
        where = "" if single else "jails[%d]." % i
        name = entry.get("name")
        if not isinstance(name, str) or not JAIL_NAME.fullmatch(name):
            raise JailsError("%sname: %r cannot name a jail in an rctl rule" % (where, name))
        if name in out:
            raise JailsError("%sname: jail %s is listed twice" % (where, name))
        limits = entry.get("limits") or {}
        if not isinstance(limits, dict):
            raise JailsError("%slimits: must be a dict of resource and amount" % where)
        out[name] = [one_limit(name, res, spec, "%slimits.%s" % (where, res)) for res, spec in limits.items()]
    return out


def parse_rules(text):
    """The rules of ``rctl`` output, one a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def rule_jail(rule):
    parts = rule.split(":")
    return parts[1] if len(parts) > 3 and parts[0] == "jail" else None


def owned_rules(conf_text):
    """The rules of the collection's lines in rctl.conf, in file order."""
    out = []
    for line in (conf_text or "").splitlines():
        words = line.split()
        if words and line.rstrip().endswith(MARKER) and not words[0].startswith("#"):
            out.append(words[0])
    return out


def _resource(rule):
    return rule.split(":")[2]


def edit_conf(conf_text, want):
    """rctl.conf with the collection's lines of the jails in ``want`` replaced by ``want`` (others kept).

    A changed rule keeps its line's place (same jail and resource); new rules are appended.
    """
    lines = (conf_text or "").splitlines(True)
    out, present = [], set()
    for line in lines:
        words = line.split()
        jail = rule_jail(words[0]) if words and line.rstrip().endswith(MARKER) else None
        if jail not in want:
            out.append(line)
            continue
        rule = words[0]
        if rule not in want[jail]:
            rule = next((r for r in want[jail] if _resource(r) == _resource(words[0]) and r not in present), None)
        if rule is not None and rule not in present:
            out.append(line if rule == words[0] else "%s %s\n" % (rule, MARKER))
            present.add(rule)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    for rules in want.values():
        out += ["%s %s\n" % (rule, MARKER) for rule in rules if rule not in present]
    return "".join(out)


def _key(rule):
    """(jail, resource, action, per): what a deny rule replaces in the kernel (kern_rctl.c rctl_rule_add())."""
    head, _sep, tail = rule.partition("=")
    return head, tail.partition("/")[2]


def live_after(live, remove, add):
    """The live rules once ``remove`` is removed and ``add`` added (a deny rule replacing its old amount)."""
    replaced = {_key(r) for r in add if ":deny=" in r}
    kept = [r for r in live if r not in remove and not (":deny=" in r and _key(r) in replaced)]
    return kept + [r for r in add if r not in kept]


def plan_live(live, previous, want):
    """(remove, add): the rctl -r / rctl -a rules that turn ``live`` into ``want`` for the listed jails.

    Only rules the collection wrote before (``previous``, its rctl.conf lines) are removed; a deny
    rule whose replacement is added is not removed first (``rctl -a`` replaces it in one step).
    """
    live_set = set(live)
    add = [r for rules in want.values() for r in rules if r not in live_set]
    replaced = {_key(r) for r in add if ":deny=" in r}
    remove = []
    for rule in previous:
        jail = rule_jail(rule)
        dropped = jail in want and rule not in want[jail] and rule in live_set and rule not in remove
        if dropped and not (":deny=" in rule and _key(rule) in replaced):
            remove.append(rule)
    return remove, add


LOADER_LINE = re.compile(r"\s*kern\.racct\.enable\s*=\s*(\"[^\"]*\"|\S+)")


def loader_enabled(text):
    """Whether loader.conf's last kern.racct.enable line sets it to 1."""
    value = None
    for line in (text or "").splitlines():
        m = LOADER_LINE.match(line)
        if m:
            value = m.group(1).strip('"')
    return value is not None and value.isdigit() and int(value) != 0


def edit_loader(text):
    """loader.conf with ``kern.racct.enable="1"``: the setting's lines replaced, or one line added."""
    if loader_enabled(text):
        return text or ""
    lines = (text or "").splitlines(True)
    out = [line for line in lines if not LOADER_LINE.match(line)]
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    out.append('%s="1"\n' % RACCT_OID)
    return "".join(out)
