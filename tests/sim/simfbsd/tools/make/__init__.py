"""make(1) (bmake) for the two Makefiles the simulator models: /etc/mail and /usr/src.

/etc/mail (src: etc/mail/Makefile): targets all (cf maps
aliases), cf, install (install-cf install-submit-cf), start/stop/restart
(+ -mta/-mspq), clean, depend.  SENDMAIL_MC = `hostname`.mc, copied from
freebsd.mc when missing (likewise .submit.mc); ``.mc.cf`` runs "m4" - here
a cf.m4 subset (``cf_from_mc``) that records each DAEMON_OPTIONS and
FEATURE(no_default_msa) as sendmail.cf's ``O DaemonPortOptions=`` lines
(cf/README: the first DAEMON_OPTIONS replaces the default MTA daemon, the
MSA ``Port=587, Name=MSA, M=E`` is added unless no_default_msa).  Commands
are echoed as bmake does (``@`` lines are not); a target is rebuilt when
missing or older than its source.

/usr/src (``simhost create --with-src``; world.py): buildworld, installworld,
distribution, world, buildkernel, installkernel, kernel.  Each step sleeps
``build_seconds`` (box.json, default 2; env SIMHOST_BUILD_SECONDS overrides).
installworld needs a prior buildworld (marker in /usr/obj).  Without DESTDIR
the install targets would overwrite the box's own (Linux) root: they only
print their banners (documented simulator limit).

Errors as bmake prints them (src: contrib/bmake compat.c/main.c, from
memory - UNVERIFIED): ``*** Error code 1`` on stdout, then ``\\nStop.`` and
``make: stopped in DIR`` on stderr; exit 1.  Unknown target:
``make: don't know how to make T. Stop``.

Options: bmake parses its command line itself (contrib/bmake/main.c MainParseArgs(): "Can't
actually use getopt(3) because rescanning is not portable"; options may follow targets), so
main() walks argv itself instead of using bsdgetopt.

Split: ``__init__.py`` main() (bmake's command line), ``_common.py`` (errors, freshness),
``mail.py`` + ``cf.py`` (/etc/mail and the cf.m4 subset), ``src.py`` (/usr/src).
"""

import os

from .mail import mail
from .src import src


def main(ctx, argv):
    where = None
    targets, variables = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("-C"):
            where = a[2:] or (argv[i + 1] if i + 1 < len(argv) else None)
            i += 1 if a[2:] else 2
            continue
        if a in ("-j", "-f", "-D", "-m", "-V", "-I", "-T", "-d"):
            if a == "-D" and i + 1 < len(argv):
                variables[argv[i + 1]] = "1"
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        if "=" in a:
            k, v = a.split("=", 1)
            variables[k] = v
        else:
            targets.append(a)
        i += 1
    cwd = os.getcwd()  # the shim runs in the caller's cwd
    if where is not None:
        where = os.path.normpath(os.path.join(cwd, where)) if not where.startswith("/") else os.path.normpath(where)
        if not os.path.isdir(ctx.path(where)):
            ctx.err.write(f"make: chdir {where}: No such file or directory\n")
            return 2
    else:
        where = cwd
        if ctx.root not in ("/", "") and where.startswith(ctx.root.rstrip("/") + "/"):
            where = where[len(ctx.root.rstrip("/")) :]
    if where == "/etc/mail" and os.path.exists(ctx.path("/etc/mail/Makefile")):
        return mail(ctx, where, targets, variables)
    if where == "/usr/src" and os.path.exists(ctx.path("/usr/src/Makefile")):
        return src(ctx, where, targets, variables)
    if not any(os.path.exists(os.path.join(ctx.path(where), m)) for m in ("Makefile", "makefile", "BSDmakefile")):
        if targets:
            ctx.err.write(f"make: don't know how to make {targets[0]}. Stop\n\nmake: stopped in {where}\n")
        else:
            ctx.err.write("make: no target to make.\n\nmake: stopped in " + where + "\n")
        return 2
    ctx.err.write(f"make: simulator: only /etc/mail and /usr/src Makefiles are modelled (in {where})\n")
    return 2
