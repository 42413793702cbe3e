"""rctl(8): display and update the resource limits database (the kernel side: simfbsd/racct.py).

# src: usr.bin/rctl/rctl.c main(), usage(), expand_rule(), expand_amount(), parse_user(),
#      parse_group(), humanize_ids(), humanize_amount(), humanize_usage_amount(), print_rules(),
#      enosys(), add_rule(), remove_rule(), show_rules(), show_limits(), show_usage();
#      lib/libutil/expand_number.c expand_number(); lib/libutil/humanize_number.c
#      humanize_number() (buf[6], HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE: divisor 1024).
  * ``rctl`` alone lists every rule (filter ``::``) and exits 0; ``rctl FILTER``, ``-a RULE``,
    ``-r FILTER``, ``-l FILTER``, ``-u FILTER`` act on each operand; the exit status is the
    number of operands that failed.  ``-h`` humanizes amounts, ``-n`` keeps numeric uids.
  * Kernel errors: ``rctl: failed to add rule 'RULE': <strerror>`` (``remove``, ``get limits for``,
    ``show resource consumption for``, ``show rules for``); RACCT off (ENOSYS) ends rctl at once:
    ``rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable``, exit 1.
  * In a jail every rctl syscall fails ``priv_check(PRIV_RCTL_*)``: Operation not permitted.
"""

import errno

from .. import bsdgetopt, kernel, pwdb, racct

USAGE = "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]\n"
# strerror(3) as FreeBSD words it (lib/libc/gen/errlst.c)
STRERROR = {
    errno.EINVAL: "Invalid argument",
    errno.ESRCH: "No such process",
    errno.EOPNOTSUPP: "Operation not supported",
    errno.ERANGE: "Result too large",
    errno.ENAMETOOLONG: "File name too long",
    errno.EPERM: "Operation not permitted",
}
SHIFTS = {"b": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}


def expand_number(text):
    """expand_number(3): strtoumax(base 0) then one unit of bkmgtpe (a trailing b ignored); None
    when malformed or too large."""
    s = text.lstrip(" \t\n\v\f\r")
    neg = s[:1] == "-"
    if s[:1] in "+-":
        s = s[1:]
    if s[:2].lower() == "0x" and len(s) > 2 and s[2] in "0123456789abcdefABCDEF":
        digits, base = s[2:], 16
        end = next((i for i, c in enumerate(digits) if c not in "0123456789abcdefABCDEF"), len(digits))
    elif s[:1] == "0":
        digits, base = s, 8
        end = next((i for i, c in enumerate(digits) if c not in "01234567"), len(digits))
    else:
        digits, base = s, 10
        end = next((i for i, c in enumerate(digits) if c not in "0123456789"), len(digits))
    if end == 0:
        number, rest = 0, text  # no digits: strtoumax() reads nothing
    else:
        number, rest = int(digits[:end], base), digits[end:]
        if number > 2**64 - 1:
            return None  # ERANGE
        if neg:
            number = -number % 2**64
    if rest == "":
        return number
    shift = SHIFTS.get(rest[0].lower())
    if shift is None:
        return None
    rest = rest[1:]
    if shift and rest[:1].lower() == "b":
        rest = rest[1:]
    if rest or number << shift >= 2**64:
        return None
    return number << shift


def humanize_number(quotient):
    """humanize_number(buf, 6, n, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE)."""
    divisor, deccut, prefixes = 1024, 973, ["", "K", "M", "G", "T", "P", "E"]
    sign = -1 if quotient < 0 else 1
    quotient = abs(quotient)
    baselen = 1 + (2 if sign < 0 else 1)
    maxval = 10 ** (6 - baselen)
    i = remainder = 0
    while (
        quotient >= maxval or (quotient == maxval - 1 and (remainder >= deccut or remainder >= divisor // 2))
    ) and i < 7:
        remainder, quotient = quotient % divisor, quotient // divisor
        i += 1
    if ((quotient == 9 and remainder < deccut) or quotient < 9) and i > 0:
        s1 = quotient + (remainder * 10 + divisor // 2) // divisor // 10
        s2 = ((remainder * 10 + divisor // 2) // divisor) % 10
        return f"{sign * s1}.{s2}{prefixes[i]}"
    return f"{sign * (quotient + (remainder + divisor // 2) // divisor)}{prefixes[i]}"


def _strsep(s, delims):
    return racct._strsep(s, delims)  # strsep(3), as the kernel's parser uses it


def _numeric_id(ctx, kind, s, rule):
    """parse_user()/parse_group() after getpwnam()/getgrnam() failed."""
    if not s[:1].isdigit():
        ctx.warnx(f"malformed rule '{rule}': unknown {kind} '{s}'")
        return None
    if not s.isdigit():
        ctx.warnx(f"malformed rule '{rule}': trailing characters after numerical id")
        return None
    return s


def expand_rule(ctx, rule, resolve_ids):
    """expand_rule() + expand_amount(): the rule as the kernel gets it, or None (warned)."""
    subject, rest = _strsep(rule, ":")
    textid, rest = _strsep(rest, ":")
    if textid is None:
        ctx.warnx(f"malformed rule '{rule}': missing subject")
        return None
    rest = rest or ""
    abbrev = {"u": "user", "g": "group", "p": "process", "l": "loginclass", "c": "loginclass", "j": "jail"}
    subject = abbrev.get(subject.lower(), "loginclass" if subject.lower() == "class" else subject)
    if resolve_ids and subject.lower() in ("user", "group") and textid:
        entry = (pwdb.getpwnam if subject.lower() == "user" else pwdb.getgrnam)(ctx.root, textid)
        if entry is not None:
            textid = entry[2]
        else:
            textid = _numeric_id(ctx, subject.lower(), textid, rule)
            if textid is None:
                return None
    resolved = f"{subject}:{textid}:{rest}"
    subj, r = _strsep(resolved, ":")
    sid, r = _strsep(r, ":")
    res, r = _strsep(r, ":")
    action, r = _strsep(r, "=/")
    amount, per = _strsep(r, "/")
    if not amount:
        return resolved
    num = expand_number(amount)
    if num is None:
        ctx.warnx(f"malformed rule '{rule}': invalid numeric value '{amount}'")
        return None
    return f"{subj}:{sid}:{res}:{action}={num}" + ("" if per is None else f"/{per}")


def humanize_ids(ctx, rule):
    subject, rest = _strsep(rule, ":")
    textid, rest = _strsep(rest, ":")
    if subject.lower() == "user":
        entry = pwdb.getpwuid(ctx.root, textid) if textid.isdigit() else None
        textid = entry[0] if entry else textid
    return f"{subject}:{textid}:{rest or ''}"


def humanize_amount(rule):
    subject, r = _strsep(rule, ":")
    sid, r = _strsep(r, ":")
    res, r = _strsep(r, ":")
    action, r = _strsep(r, "=/")
    amount, per = _strsep(r, "/")
    if not amount or not amount.isdigit():
        return rule
    text = f"{subject}:{sid}:{res}:{action}={humanize_number(int(amount))}"
    return text if per is None else f"{text}/{per}"


def _fail(ctx, exc, what, rule):
    if exc.errno == errno.ENOSYS:
        # enosys(): kern.racct.enable exists (GENERIC has options RACCT and RCTL), so it is off
        ctx.errx(1, "RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable")
    ctx.warnx(f"failed to {what} '{rule}': {STRERROR.get(exc.errno, 'Unknown error')}")
    return 1


def _call(ctx, fn, rule, shared):
    with kernel.Kernel(shared=shared) as k:
        if not racct.enabled(k.state):
            raise racct.RctlError(errno.ENOSYS)
        if ctx.jid:
            raise racct.RctlError(errno.EPERM)  # priv_check(td, PRIV_RCTL_*) in a jail
        return fn(k.state, rule)


def main(ctx, argv):
    parsed = bsdgetopt.parse(ctx, argv, "ahlnru")
    if parsed is None:
        ctx.err.write(USAGE)
        return 1
    opts, args = parsed
    f = {o for o, _arg in opts}
    if len(f & set("alru")) > 1:
        ctx.errx(1, "at most one of -a, -l, -r, or -u may be specified")
    if not args:
        if not f & set("alru"):
            _show(ctx, "::", "::", f)
            return 0
        ctx.err.write(USAGE)
        return 1
    errors = 0
    for unexpanded in args:
        rule = expand_rule(ctx, unexpanded, not ("a" in f and "n" in f))
        if rule is None:
            errors += 1
            continue
        try:
            if "a" in f:
                _call(ctx, racct.add, rule, shared=False)
            elif "r" in f:
                _call(ctx, racct.remove, rule, shared=False)
            elif "l" in f:
                _print_rules(ctx, _call(ctx, racct.get_limits, rule, shared=True), f)
            elif "u" in f:
                for line in _call(ctx, racct.get_racct, rule, shared=True):
                    if "h" in f:
                        name, value = line.split("=", 1)
                        line = f"{name}={humanize_number(int(value))}"
                    ctx.print(line)
            else:
                errors += _show(ctx, rule, unexpanded, f)
        except racct.RctlError as exc:
            what = {"a": "add rule", "r": "remove rule", "l": "get limits for", "u": "show resource consumption for"}
            errors += _fail(ctx, exc, next((what[c] for c in "arlu" if c in f), "show rules for"), unexpanded)
    return errors


def _show(ctx, rule, unexpanded, f):
    try:
        _print_rules(ctx, _call(ctx, racct.get_rules, rule, shared=True), f)
    except racct.RctlError as exc:
        return _fail(ctx, exc, "show rules for", unexpanded)
    return 0


def _print_rules(ctx, rules, f):
    """print_rules(): one rule a line, uids as names unless -n, amounts humanized with -h."""
    for rule in rules:
        if "n" not in f:
            rule = humanize_ids(ctx, rule)
        if "h" in f:
            rule = humanize_amount(rule)
        ctx.print(rule)
