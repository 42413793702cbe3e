"""What usr.sbin/jail/config.c does with the parsed file: wildcard merging (add_param(),
equalopts(), wild_jail_match(), wild_jail_name()), variable substitution, load_config()."""

from .parse import _Parser


class Jail:
    def __init__(self, name, params, errors=()):
        self.name = name
        self.params = params  # [[name, [values]]] in jail(8)'s order
        self.errors = list(errors)  # what jail(8) prints (after "jail: ") while loading this jail

    def get(self, name, default=None):
        """The parameter's value list (None if not set), matched as equalopts() does (no ``no`` prefix)."""
        for pname, vals in self.params:
            if pname == name:
                return vals
        return default

    def __repr__(self):
        return f"Jail({self.name!r}, {self.params!r})"


def equalopts(a, b):
    """src: config.c equalopts(): equal, or equal but for a ``no`` prefix on one component
    (after identical leading components): ``persist``/``nopersist``, ``allow.mount``/``allow.nomount``."""
    if a == b:
        return True
    while True:
        if (a.startswith("no") and a[2:] == b) or (b.startswith("no") and b[2:] == a):
            return True
        dot = a.find(".")
        if dot < 0 or a[: dot + 1] != b[: dot + 1]:
            return False
        a, b = a[dot + 1 :], b[dot + 1 :]


def wild_jail_name(name):
    """src: config.c wild_jail_name(): a ``*`` forming a whole dotted component."""
    return any(c == "*" for c in name.split("."))


def wild_jail_match(jname, wname):
    """src: config.c wild_jail_match(): a non-final ``*`` matches one component, a final one the rest."""
    jc, wc = jname, wname
    while "." in jc and "." in wc:
        jd, wd = jc.index("."), wc.index(".")
        if jc[: jd + 1] != wc[: jd + 1] and not wc.startswith("*."):
            return False
        jc, wc = jc[jd + 1 :], wc[wd + 1 :]
    return jc == wc or wc == "*"


def _add(params, index, name, values, is_var, append, jname, errors):
    """config.c add_param(): replace (or with += append to) an existing parameter, else add it."""
    for p in params:
        if equalopts(p[0], name):
            if p[2] != is_var:
                errors.append(f'{jname}: variable "${name}" cannot have the same name as a parameter.')
                return
            if p[0] in ("name", "jid") and p[4]:
                errors.append(f'{jname}: cannot redefine parameter "{p[0]}".')
                return
            p[0] = name
            if not append or not values:
                p[1] = []
            p[1].extend(values)
            return
    params.append([name, list(values), is_var, append, False])


def resolve(entries):
    """config.c load_config() after parsing: wildcard merge and variable substitution.

    A jail with a bad parameter or variable is still returned, with its messages in
    ``Jail.errors`` (config.c marks it JF_FAILED and goes on with the others).
    """
    seq = list(enumerate(entries))
    wild = [(i, e) for i, e in seq if wild_jail_name(e[0])]
    jails = []
    for i, (jname, own) in seq:
        if wild_jail_name(jname):
            continue
        errors = []
        params = []
        key = "jid" if jname.isdigit() and int(jname) else "name"
        params.append([key, [[("s", jname)]], False, False, True])
        did_self = False
        for wi, (wname, wparams) in wild:
            if i < wi and not did_self:
                for p in own:
                    _add(params, i, p[0], p[1], p[2], p[3], jname, errors)
                did_self = True
            if wild_jail_match(jname, wname):
                for p in wparams:
                    _add(params, wi, p[0], p[1], p[2], p[3], jname, errors)
        if not did_self:
            for p in own:
                _add(params, i, p[0], p[1], p[2], p[3], jname, errors)
        if key == "jid" and not any(equalopts(p[0], "name") for p in params):
            # A jail whose block name is a jid also gets that name as its "name" when nothing
            # set one, so "${name}" expands to it and an explicit "name = x;" still wins.
            # src: FreeBSD's own usr.sbin/jail/tests/jail_basic_test.sh jid_name_set ("Confirm
            # that ${name} expanded and expanded correctly to the jid-implied name", "we didn't
            # override the explicitly-set name with the jid"); the config.c load_config() versions
            # in the search index predate it (they add only KP_JID for a numeric name), so where
            # the implied name goes in the parameter order is UNVERIFIED (added last here).
            params.append(["name", [[("s", jname)]], False, False, True])
        jails.append(_substitute(jname, params, errors))
    return jails


def _substitute(jname, params, errors):
    by_name = {}
    for p in params:
        by_name[p[0]] = p
    done = {}

    def value_of(pname, stack):
        if pname in done:
            return done[pname]
        p = by_name.get(pname)
        if p is None or not p[1]:
            return None
        if pname in stack:
            raise _VarErr(f"{jname}: {pname}: variable loop")
        out = [expand(s, p[0], (*stack, pname)) for s in p[1]]
        flat = []
        for o in out:
            flat.extend(o)
        done[pname] = flat
        return flat

    def expand(pieces, owner, stack):
        # a string with no text of its own and one variable takes the variable's whole list
        # (config.c: "array cannot be substituted inline" otherwise)
        if sum(k == "v" for k, _unused in pieces) == 1 and not any(v for k, v in pieces if k == "s"):
            pieces = [p for p in pieces if p[0] == "v"]
            v = value_of(pieces[0][1], stack)
            if v is None:
                raise _VarErr(f'{jname}: {owner}: variable "{pieces[0][1]}" not found')
            return list(v)
        out = []
        for k, v in pieces:
            if k == "s":
                out.append(v)
                continue
            val = value_of(v, stack)
            if val is None:
                raise _VarErr(f'{jname}: {owner}: variable "{v}" not found')
            if len(val) > 1:
                raise _VarErr(f"{jname}: {owner}: array cannot be substituted inline")
            out.append(val[0])
        return ["".join(out)]

    result = []
    try:
        for p in params:
            vals = value_of(p[0], ()) if p[1] else []
            if not p[2]:
                result.append([p[0], vals])
    except _VarErr as exc:
        errors.append(str(exc))
    j = Jail(jname, result)
    j.errors = errors
    return j


class _VarErr(Exception):
    pass


def load(path):
    """Parse ``path`` (``-`` = stdin) with its includes; returns the list of :class:`Jail`."""
    parser = _Parser()
    parser.parse_file(path)
    return resolve(parser.entries)


def loads(text, cfname="jail.conf", path="-"):
    parser = _Parser()
    parser.parse_text(text, cfname, path)
    return resolve(parser.entries)
