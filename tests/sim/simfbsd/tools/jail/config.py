"""jail(8)'s config.c: loading jail.conf and the parameters of one job.

src: usr.sbin/jail/config.c load_config(), bool_param(), import_params(), check_intparams().
"""

from ... import jailconf, jails

CONF = "/etc/jail.conf"


class Failed(Exception):
    """This jail failed; the message (if any) was already printed."""


class Job:
    """One jail to act on: its config name (None for command-line jails) and parameters."""

    def __init__(self, cname, params):
        self.cname = cname
        self.params = params  # [[name, [values]]]

    def get(self, name):
        for pname, vals in self.params:
            if pname == name:
                return vals
        return None

    def string(self, name):
        v = self.get(name)
        return v[-1] if v else None

    def boolean(self, name):
        """src: config.c bool_param()."""
        for pname, vals in self.params:
            if jailconf.equalopts(pname, name):
                neg = pname.rpartition(".")[2].startswith("no") and pname != name
                val = not vals or vals[-1].lower() == "true" or _atoi(vals[-1]) != 0
                return val ^ neg
        return False

    def set(self, name, values):
        for p in self.params:
            if jailconf.equalopts(p[0], name):
                p[0] = name
                p[1] = values
                return
        self.params.append([name, values])


def _atoi(s):
    n = ""
    for ch in s.strip():
        if ch.isdigit() or (not n and ch in "+-"):
            n += ch
        else:
            break
    try:
        return int(n)
    except ValueError:
        return 0


def load(ctx, cfname):
    """src: config.c load_config()."""
    path = cfname or CONF
    try:
        confjails = jailconf.load(path if path == "-" else ctx.path(path))
    except jailconf.ConfError as exc:
        for m in exc.messages:
            ctx.warnx(m.replace(ctx.path(path), path, 1) if path != "-" else m)
        raise SystemExit(1) from None
    # src: config.c load_config(): bad variables/parameters are reported while loading and mark
    # that jail failed; the other jails go on
    for c in confjails:
        for m in c.errors:
            ctx.warnx(m)
    return confjails


def cmdline_params(args, opts_params):
    """Style 3 / jail.c main(): name=value args; ``command=`` takes the rest; ip lists split on ','."""
    params = []
    i = 0
    while i < len(args):
        a = args[i]
        name, eq, value = a.partition("=")
        if name == "command" and eq:
            params.append(["command", [value, *args[i + 1 :]]])
            break
        if not eq:
            vals = []
        elif name in ("ip4.addr", "ip6.addr"):
            vals = value.split(",")
        else:
            vals = [value]
        for p in params:
            if jailconf.equalopts(p[0], name) and name not in ("command",):
                p[0] = name
                p[1] = p[1] + vals if name in ("ip4.addr", "ip6.addr") else vals
                break
        else:
            params.append([name, vals])
        i += 1
    return opts_params + params


class ConfigOps:
    """The parameter checks of config.c, for the jail(8) run object."""

    def split(self, job):
        """Separate kernel params (imported, {name: value}) from jail(8)'s own; checks types."""
        kparams = {}
        ok = True
        for name, vals in job.params:
            # jail(8)'s own parameters, also in their "no" forms (mount.nodevfs, exec.noclean)
            pname = next((p for p in jails.PSEUDO if p == name or jailconf.equalopts(name, p)), None)
            if pname is not None:
                typ = jails.PSEUDO[pname]
                if vals and typ == "bool":
                    v = vals[-1]
                    if v.lower() not in ("true", "false") and not v.lstrip("-").isdigit():
                        self.warn(job, f'{name}: unknown boolean value "{v}"')
                        ok = False
                elif vals and typ == "int" and not vals[-1].lstrip("-").isdigit():
                    self.warn(job, f'{name}: non-integer value "{vals[-1]}"')
                    ok = False
                continue
            if name in ("ip4.addr", "ip6.addr"):
                vals = [v.split("|", 1)[-1].split("/", 1)[0].split(" ", 1)[0] for v in vals]
            try:
                base, value = jails.import_value(name, vals)
            except jails.JailError as exc:
                self.warn(job, str(exc))
                ok = False
                continue
            kparams[base] = value
        if not ok:
            raise Failed
        return kparams
