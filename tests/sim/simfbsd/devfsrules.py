"""devfs rules: the kernel's rulesets (state["devfs_rulesets"]) and devfs.rules(5) files.

Kernel side (src: sys/fs/devfs/devfs_rule.c), all on an already locked state:
  add_rule(state, rsnum, rule)      DEVFSIO_RADD; rule["num"] 0 = auto-number
                                    (last rule's number + 100, 100 for the first;
                                    devfs_rule_autonumber()); raises DevfsError
                                    ("File exists", "Input/output error" for ruleset 0,
                                    "No such process" for include of a missing set)
  del_rule(state, rsnum, num)       DEVFSIO_RDEL ("No such file or directory")
  delset(state, rsnum)              every rule of the set (rule.c rule_delset)
  rules(state, rsnum) -> [rule]     in rule-number order
  showsets(state) -> [int]          existing rulesets, ascending, never 0
  use(state, rec, rsnum)            DEVFSIO_SUSE: make rsnum the mount's ruleset and apply it
  applyset(state, rec, rsnum)       DEVFSIO_SAPPLY ("No such process" if missing)
  apply_rule(state, rec, rule)      DEVFSIO_RAPPLY of an ad-hoc rule
A ruleset exists while it has rules or is referenced (a mount's current
ruleset, or an ``include``); it is reaped otherwise (devfs_ruleset_reap()).

Rules are dicts: {num, types: [disk|mem|tape|tty], path, hide: bool, unhide: bool,
user, group, mode (int), include (int)} - absent keys are absent conditions/actions.

Userland side (src: sbin/devfs/rule.c rulespec_intok()/rulespec_outfp()):
  parse_rulespec(words, root="/") -> rule      raising RuleError(msg) with rule.c's errx texts
  format_rule(rule, root="/") -> str            ``devfs rule show`` line
Files (src: libexec/rc/rc.subr devfs_rulesets_from_file()):
  parse_file(text) -> [(name, number, [rulecmd words...]), ...]
  load_files(state, paths, root="/") -> list of error messages; deletes and
      re-adds each ruleset found, like rc.subr (``devfs rule -s N delset`` then
      ``devfs rule -s N add ...`` per line, ``$name`` expanded to the numbers
      of rulesets seen so far).
"""

import os
import re
import shlex

from . import devfsnodes, pwdb

TYPES = ("disk", "mem", "tape", "tty")


class RuleError(Exception):
    """A rulespec that rule.c rejects with errx(1, msg)."""


class DevfsError(Exception):
    """An ioctl failure; ``str()`` is the strerror text."""


# ------------------------------------------------------------------ users/groups of the system


def atonum(s):
    """atonum(): decimal (or 0x hex / 0 octal like strtoul base 0); None if not a number."""
    try:
        return int(s, 0) if not re.fullmatch(r"0[0-7]+", s) else int(s, 8)
    except ValueError:
        return None


def eatoi(s):
    n = atonum(s)
    if n is None:
        # src: sbin/devfs/devfs.c eatoi(): errx(1, "error converting to number: %s") (UNVERIFIED text)
        raise RuleError(f"error converting to number: {s}")
    return n


def _mode(s):
    """setmode(3) for the forms rules use: octal, or symbolic u/g/o/a +-= rwx (from 0)."""
    if re.fullmatch(r"[0-7]{1,4}", s):
        return int(s, 8)
    mode = 0
    for clause in s.split(","):
        m = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if not m:
            return None
        who = m.group(1) or "a"
        bits = 0
        for p in m.group(3):
            for w in "ugo" if "a" in who else who:
                shift = {"u": 6, "g": 3, "o": 0}[w]
                bits |= {"r": 4, "w": 2, "x": 1, "X": 1}.get(p, 0) << shift
        if m.group(2) == "+":
            mode |= bits
        elif m.group(2) == "-":
            mode &= ~bits
        else:
            mode = bits
    return mode


def parse_rulespec(words, root="/"):
    """argv of a rulespec (optional number, conditions, actions) -> rule dict."""
    if not words:
        raise RuleError("unexpected end of rulespec")
    rule = {}
    num = atonum(words[0])
    i = 0
    if num is not None:
        rule["num"] = num
        i = 1
    else:
        rule["num"] = 0
    while i < len(words):
        w = words[i]
        if w == "type":
            if i + 1 >= len(words):
                raise RuleError("expecting argument for type")
            if words[i + 1] not in TYPES:
                raise RuleError(f"unknown type: {words[i + 1]}")
            rule.setdefault("types", [])
            if words[i + 1] not in rule["types"]:
                rule["types"].append(words[i + 1])
            i += 2
        elif w == "path":
            if i + 1 >= len(words):
                raise RuleError("expecting argument for path")
            rule["path"] = words[i + 1]
            i += 2
        else:
            break
    while i < len(words):
        w = words[i]
        if w in ("hide", "unhide"):
            rule[w] = True
            i += 1
        elif w in ("user", "group", "mode", "include"):
            if i + 1 >= len(words):
                raise RuleError(f"expecting argument for {w}")
            arg = words[i + 1]
            if w == "user":
                # src: sbin/devfs/rule.c rulespec_intok(): getpwnam(), else a number (eatoi())
                pw = pwdb.getpwnam(root, arg)
                rule["user"] = int(pw[2]) if pw else eatoi(arg)
            elif w == "group":
                gr = pwdb.getgrnam(root, arg)
                rule["group"] = int(gr[2]) if gr else eatoi(arg)
            elif w == "mode":
                m = _mode(arg)
                if m is None:
                    raise RuleError(f"invalid mode: {arg}")
                rule["mode"] = m
            else:
                rule["include"] = eatoi(arg)
            i += 2
        else:
            raise RuleError(f"unknown argument: {w}")
    return rule


def format_rule(rule, root="/"):
    """One ``devfs rule show`` line.  src: sbin/devfs/rule.c rulespec_outfp()"""
    out = [str(rule["num"])]
    for t in TYPES:
        if t in rule.get("types", ()):
            out.append(f"type {t}")
    if rule.get("path") is not None:
        out.append(f"path {rule['path']}")
    if rule.get("hide"):
        out.append("hide")
    if rule.get("unhide"):
        out.append("unhide")
    if rule.get("user") is not None:
        pw = pwdb.getpwuid(root, rule["user"])
        out.append(f"user {pw[0] if pw else rule['user']}")
    if rule.get("group") is not None:
        gr = pwdb.getgrgid(root, rule["group"])
        out.append(f"group {gr[0] if gr else rule['group']}")
    if rule.get("mode") is not None:
        out.append(f"mode {rule['mode']:o}")
    if rule.get("include") is not None:
        out.append(f"include {rule['include']}")
    return " ".join(out)


# ------------------------------------------------------------------ kernel rulesets


def _sets(state):
    return state.setdefault("devfs_rulesets", {})


def rules(state, rsnum):
    return list(_sets(state).get(str(rsnum), []))


def exists(state, rsnum):
    return str(rsnum) in _sets(state)


def _referenced(state, rsnum):
    for rec in state.get("mounts", []):
        if rec.get("fstype") == "devfs" and rec.get("ruleset") == rsnum:
            return True
    for rs in _sets(state).values():
        for r in rs:
            if r.get("include") == rsnum:
                return True
    return False


def reap(state, rsnum):
    """devfs_ruleset_reap(): drop an empty ruleset nobody references."""
    sets = _sets(state)
    if str(rsnum) in sets and not sets[str(rsnum)] and not _referenced(state, rsnum):
        del sets[str(rsnum)]


def add_rule(state, rsnum, rule):
    if rsnum == 0:
        raise DevfsError("Input/output error")  # EIO: rid2rsn(dr_id) == 0 in DEVFSIO_RADD
    inc = rule.get("include")
    if inc is not None and not exists(state, inc):
        raise DevfsError("No such process")  # ESRCH: devfs_rule_insert()
    sets = _sets(state)
    rs = sets.setdefault(str(rsnum), [])
    rule = dict(rule)
    num = rule.get("num") or 0
    if num == 0:
        num = rs[-1]["num"] + 100 if rs else 100  # devfs_rule_autonumber()
    elif any(r["num"] == num for r in rs):
        reap(state, rsnum)
        raise DevfsError("File exists")
    rule["num"] = num
    rs.append(rule)
    rs.sort(key=lambda r: r["num"])
    return rule


def del_rule(state, rsnum, num):
    rs = _sets(state).get(str(rsnum))
    if not rs or not any(r["num"] == num for r in rs):
        raise DevfsError("No such file or directory")
    victim = next(r for r in rs if r["num"] == num)
    rs.remove(victim)
    if victim.get("include") is not None:
        reap(state, victim["include"])
    reap(state, rsnum)


def delset(state, rsnum):
    for r in rules(state, rsnum):
        del_rule(state, rsnum, r["num"])


def showsets(state):
    return sorted(int(n) for n in _sets(state) if int(n) != 0)


def use(state, rec, rsnum):
    """DEVFSIO_SUSE: set and apply (devfs_ruleset_use creates a missing ruleset)."""
    old = rec.get("ruleset") or 0
    if rsnum and not exists(state, rsnum):
        _sets(state)[str(rsnum)] = []
    rec["ruleset"] = rsnum
    if old and old != rsnum:
        reap(state, old)
    devfsnodes.devfs_apply(state, rec)


def applyset(state, rec, rsnum):
    if rsnum == 0:
        return
    if not exists(state, rsnum):
        raise DevfsError("No such process")
    saved = rec.get("ruleset")
    rec["ruleset"] = rsnum
    try:
        devfsnodes.devfs_apply(state, rec)
    finally:
        rec["ruleset"] = saved


def apply_rule(state, rec, rule):
    if rule.get("include") is not None and not exists(state, rule["include"]):
        raise DevfsError("No such process")
    devfsnodes.devfs_apply(state, rec, rules=[rule])


# ------------------------------------------------------------------ devfs.rules(5) files


def _expand(text, env):
    def sub(m):
        return env.get(m.group(1) or m.group(2), "")

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, text)


def parse_file(text, env=None):
    """[(name, number, [words, ...])] in file order, as devfs_rulesets_from_file() reads it.

    ``env`` maps ruleset names to numbers (``$name`` references); it is updated as
    ``[name=N]`` headers are read, so later files see earlier files' names.
    """
    env = {} if env is None else env
    out = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()  # read(1) strips leading/trailing IFS white space
        if line.startswith("#"):
            continue
        m = re.match(r"\[(.*)=([0-9]*)\]", line)
        if line.startswith("[") and "]" in line:
            if not m or not m.group(2):
                raise RuleError(f"devfs_rulesets_from_file: cannot extract rule number ({line})")
            if not m.group(1):
                raise RuleError(f"devfs_rulesets_from_file: cannot extract rule name ({line})")
            env[m.group(1)] = m.group(2)
            current = (m.group(1), int(m.group(2)), [])
            out.append(current)
            continue
        cmd = line.split("#", 1)[0]
        if not cmd.strip():
            continue
        if current is None:
            current = ("", 0, [])
            out.append(current)
        try:
            words = shlex.split(_expand(cmd, env))
        except ValueError as exc:
            raise RuleError(f"syntax error: {exc}") from None
        current[2].append(words)
    return out


def run_rule_command(state, rsnum, words, root="/"):
    """``devfs rule -s N <words>`` for the add/delset forms a rules file holds."""
    if not words:
        return
    if words[0] == "add":
        add_rule(state, rsnum, parse_rulespec(words[1:], root))
    elif words[0] == "delset":
        delset(state, rsnum)
    elif words[0] == "del" and len(words) > 1:
        del_rule(state, rsnum, eatoi(words[1]))
    else:
        raise RuleError(f"unknown command: {words[0]}")


def load_files(state, paths, root="/", env=None):
    """rc.subr devfs_init_rulesets(): each file in turn; returns ([warnings], env of names)."""
    env = {} if env is None else env
    warnings = []
    for path in paths:
        try:
            with open(os.path.join(root, path.lstrip("/")), encoding="utf-8", errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            continue  # "no such file" is only a debug message
        try:
            for _name, number, cmds in parse_file(text, env):
                delset(state, number)
                for words in cmds:
                    run_rule_command(state, number, words, root)
        except (RuleError, DevfsError) as exc:
            warnings.append(f"devfs rule: {exc}")
            warnings.append(f"devfs_init_rulesets: could not read rules from {path}")
            break
    return warnings, env
