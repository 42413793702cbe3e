"""RACCT/RCTL in the kernel: the rules rctl(8) adds, removes and lists, and resource usage.

# src: sys/kern/kern_rctl.c (subjectnames[], resourcenames[], actionnames[], str2value(),
#      str2id(), str2int64(), rctl_string_to_rule(), rctl_rule_fully_specified(),
#      rctl_rule_matches(), rctl_rule_add(), rctl_rule_remove(), rctl_rule_to_sbuf(),
#      rctl_racct_to_sbuf(), sys_rctl_get_racct(), sys_rctl_get_rules(), sys_rctl_get_limits(),
#      sys_rctl_add_rule(), sys_rctl_remove_rule()); sys/kern/kern_racct.c (racct_types[],
#      kern.racct.enable, CTLFLAG_RDTUN).
Kernel state key ``rctl``: the rules, oldest first, each
``{subject, id, resource, action, amount, per}`` (``id`` a string: pid, uid, login class or jail
name; ``amount`` as the rule was given, not in millions).  The rules live in the kernel only:
gone at reboot (rc.d/rctl loads /etc/rctl.conf again).

A jail rule is bound to the jail's *name* (``prison_racct_find()`` makes the name's racct on
demand, jail running or not) and holds a reference to it (``rctl_rule_acquire_subject()`` ->
``prison_racct_hold()``), so removing a jail does not remove its rules: they apply again to the
next jail of that name.
"""

import errno

from . import kstate, pwdb

SUBJECTS = ("process", "user", "loginclass", "jail")
# resourcenames[] with racct_types[] flags: (deniable, decaying, in_millions, sloppy)
RESOURCES = {
    "cputime": (False, False, True, False),
    "datasize": (True, False, False, False),
    "stacksize": (True, False, False, False),
    "coredumpsize": (True, False, False, False),
    "memoryuse": (False, False, False, False),
    "memorylocked": (True, False, False, False),
    "maxproc": (True, False, False, False),
    "openfiles": (True, False, False, False),
    "vmemoryuse": (True, False, False, False),
    "pseudoterminals": (True, False, False, True),
    "swapuse": (True, False, False, True),
    "nthr": (True, False, False, False),
    "msgqqueued": (True, False, False, True),
    "msgqsize": (True, False, False, True),
    "nmsgq": (True, False, False, True),
    "nsem": (True, False, False, True),
    "nsemop": (True, False, False, False),
    "nshm": (True, False, False, True),
    "shmsize": (True, False, False, True),
    "wallclock": (False, False, True, False),
    "pcpu": (True, True, True, False),
    "readbps": (False, True, False, False),
    "writebps": (False, True, False, False),
    "readiops": (False, True, False, False),
    "writeiops": (False, True, False, False),
}
SIGNALS = [
    "sighup",
    "sigint",
    "sigquit",
    "sigill",
    "sigtrap",
    "sigabrt",
    "sigemt",
    "sigfpe",
    "sigkill",
    "sigbus",
    "sigsegv",
    "sigsys",
    "sigpipe",
    "sigalrm",
    "sigterm",
    "sigurg",
    "sigstop",
    "sigtstp",
    "sigchld",
    "sigttin",
    "sigttou",
    "sigio",
    "sigxcpu",
    "sigxfsz",
    "sigvtalrm",
    "sigprof",
    "sigwinch",
    "siginfo",
    "sigusr1",
    "sigusr2",
    "sigthr",
]
ACTIONS = (*SIGNALS, "deny", "log", "devctl", "throttle")
INT64_MAX = 2**63 - 1

# What a simulated process accounts for (the simulator runs no real programs): rctl -u shows
# these per process of the subject, every other resource reads 0.  Not FreeBSD figures.
PER_PROCESS = {"memoryuse": 4 * 1024 * 1024, "vmemoryuse": 16 * 1024 * 1024, "nthr": 1, "openfiles": 8}


class RctlError(Exception):
    def __init__(self, err):
        super().__init__(err)
        self.errno = err


def enabled(state):
    """kern.racct.enable: set from /boot/loader.conf at boot (loader.py), 0 on GENERIC."""
    return bool(int(kstate.sysctl_value(state, "kern.racct.enable", 0) or 0))


def _str2value(s, table):
    # str2value(): strcasecmp against the table
    for name in table:
        if name == s.lower():
            return name
    raise RctlError(errno.EINVAL)


def _strtoul(s):
    # str2id()/str2int64(): strtoul(s, &end, 10) must read the whole string
    t = s.lstrip(" \t\n\v\f\r")
    if t[:1] in "+-":
        t = t[1:]
    if not t or not t.isdigit() or not t.isascii():
        raise RctlError(errno.EINVAL)
    n = int(t) % 2**64
    return -n % 2**64 if s.lstrip(" \t\n\v\f\r")[:1] == "-" else n


def _strsep(s, delims):
    """strsep(3): (token, rest); rest None when no delimiter was found; token None for None."""
    if s is None:
        return None, None
    for i, c in enumerate(s):
        if c in delims:
            return s[:i], s[i + 1 :]
    return s, None


def parse(state, text):
    """rctl_string_to_rule(): a rule or filter, undefined fields None; RctlError(errno)."""
    subject, rest = _strsep(text, ":")
    sid, rest = _strsep(rest, ":")
    resource, rest = _strsep(rest, ":")
    action, rest = _strsep(rest, "=/")
    amount, per = _strsep(rest, "/")
    rule = dict.fromkeys(("subject", "id", "resource", "action", "amount", "per"))
    if subject:
        rule["subject"] = _str2value(subject, SUBJECTS)
    if sid:
        if rule["subject"] is None:
            raise RctlError(errno.EINVAL)
        if rule["subject"] in ("process", "user"):
            n = _strtoul(sid)
            if rule["subject"] == "process" and not any(p["pid"] == n for p in kstate.procs(state)):
                raise RctlError(errno.ESRCH)  # pfind()
            sid = str(n)
        elif len(sid) > 255:  # loginclass_find()/prison_racct_find(): MAXPATHLEN-ish names
            raise RctlError(errno.ENAMETOOLONG)
        rule["id"] = sid
    if resource:
        rule["resource"] = _str2value(resource, RESOURCES)
    if action:
        rule["action"] = _str2value(action, ACTIONS)
    if amount:
        n = _strtoul(amount)
        if n > INT64_MAX:
            raise RctlError(errno.ERANGE)
        if rule["resource"] and RESOURCES[rule["resource"]][2] and n > INT64_MAX // 1000000:
            raise RctlError(errno.ERANGE)
        rule["amount"] = n
    if per:
        rule["per"] = _str2value(per, SUBJECTS)
    return rule


def to_text(rule):
    """rctl_rule_to_sbuf(): ``subject:id:resource:action=amount[/per]`` (per only if it differs)."""
    text = f"{rule['subject']}:{rule['id'] or ''}:{rule['resource']}:{rule['action']}={rule['amount']}"
    if rule["per"] != rule["subject"]:
        text += f"/{rule['per']}"
    return text


def matches(rule, flt):
    """rctl_rule_matches(): every field the filter defines must be equal."""
    if flt["subject"] is not None:
        if rule["subject"] != flt["subject"]:
            return False
        if flt["id"] is not None and rule["id"] != flt["id"]:
            return False
    return all(flt[k] is None or rule[k] == flt[k] for k in ("resource", "action", "amount", "per"))


def _rules(state):
    return state.setdefault("rctl", [])


def _check(state):
    if not enabled(state):  # every rctl syscall: ``if (!racct_enable) return (ENOSYS);``
        raise RctlError(errno.ENOSYS)


def add(state, text):
    """sys_rctl_add_rule() + rctl_rule_add()."""
    _check(state)
    rule = parse(state, text)
    if rule["per"] is None and rule["subject"] is not None:
        rule["per"] = rule["subject"]  # "The 'per' part of a rule is optional."
    if rule["subject"] is None or rule["id"] is None or None in (rule["resource"], rule["action"], rule["amount"]):
        raise RctlError(errno.EINVAL)  # rctl_rule_fully_specified()
    deniable, decaying, _millions, sloppy = RESOURCES[rule["resource"]]
    if rule["action"] == "deny" and not deniable and rule["resource"] not in ("memoryuse", "pcpu"):
        raise RctlError(errno.EOPNOTSUPP)
    if rule["action"] == "throttle" and (not decaying or rule["resource"] == "pcpu"):
        raise RctlError(errno.EOPNOTSUPP)
    if rule["per"] == "process" and sloppy:
        raise RctlError(errno.EOPNOTSUPP)
    # no duplicates; a deny rule replaces the ones differing only by amount
    flt = dict(rule, amount=None) if rule["action"] == "deny" else rule
    state["rctl"] = [r for r in _rules(state) if not matches(r, flt)]
    state["rctl"].append(rule)


def remove(state, text):
    """sys_rctl_remove_rule() + rctl_rule_remove(): every matching rule; ESRCH if none."""
    _check(state)
    flt = parse(state, text)
    kept = [r for r in _rules(state) if not matches(r, flt)]
    if len(kept) == len(_rules(state)):
        raise RctlError(errno.ESRCH)
    state["rctl"] = kept


def _order(rules):
    """sys_rctl_get_rules(): process rules, then each loginclass, user and jail racct; a racct
    lists its newest rule first (LIST_INSERT_HEAD in rctl_racct_add_rule())."""
    out = []
    for subject in ("process", "loginclass", "user", "jail"):
        out += [r for r in reversed(rules) if r["subject"] == subject]
    return out


def get_rules(state, text):
    _check(state)
    flt = parse(state, text)
    return [to_text(r) for r in _order(_rules(state)) if matches(r, flt)]


def get_limits(state, text):
    """sys_rctl_get_limits(): only for a process: the rules linked to it."""
    _check(state)
    flt = parse(state, text)
    if flt["subject"] is None:
        raise RctlError(errno.EINVAL)
    if flt["subject"] != "process":
        raise RctlError(errno.EOPNOTSUPP)
    if flt["id"] is None:
        raise RctlError(errno.EINVAL)
    proc = next(p for p in kstate.procs(state) if str(p["pid"]) == flt["id"])
    names = _jail_names(state, proc.get("jid", 0))
    pw = pwdb.getpwnam("/", proc.get("user", "root"))
    uid = pw[2] if pw else None
    linked = []
    for r in _order(_rules(state)):
        if (
            (r["subject"] == "process" and r["id"] == flt["id"])
            or (r["subject"] == "jail" and r["id"] in names)
            or (r["subject"] == "user" and r["id"] == uid)
        ):
            linked.append(to_text(r))
    return linked


def _jail_names(state, jid):
    """The prison_racct names of a jail and its ancestors (rctl_rule_add(): pr->pr_parent loop)."""
    names = []
    while jid:
        rec = kstate.jail(state, jid)
        if rec is None:
            break
        names.append(rec.get("name") or str(jid))
        jid = rec.get("parent", 0)
    return names


def _jids_named(state, name):
    return [int(j) for j, rec in kstate.jails(state).items() if name in _jail_names(state, int(j))]


def get_racct(state, text):
    """sys_rctl_get_racct() + rctl_racct_to_sbuf(sloppy=1): every resource, ``name=value``."""
    _check(state)
    flt = parse(state, text)
    if flt["subject"] is None or flt["id"] is None:
        raise RctlError(errno.EINVAL)
    procs = kstate.procs(state)
    if flt["subject"] == "process":
        mine = [p for p in procs if str(p["pid"]) == flt["id"]]
        sloppy = False
    elif flt["subject"] == "jail":
        jids = _jids_named(state, flt["id"])
        mine = [p for p in procs if p.get("jid", 0) in jids]
        sloppy = True
    else:
        mine = []
        sloppy = True
    out = []
    for name, flags in RESOURCES.items():
        if flags[3] and not sloppy:
            continue
        if name == "maxproc":
            value = len(mine)
        else:
            value = PER_PROCESS.get(name, 0) * len(mine)
        out.append(f"{name}={value}")
    return out
