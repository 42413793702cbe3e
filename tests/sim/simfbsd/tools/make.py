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
"""

import os
import re
import shutil
import socket
import subprocess
import time

from .. import kernel

CF_DIR = "/usr/share/sendmail/cf"
M4 = "/usr/bin/m4"
OBJDIR = "/usr/obj/usr/src/amd64.amd64"
MAIL_TARGETS = {
    "all", "cf", "maps", "aliases", "install", "install-cf", "install-submit-cf", "clean", "depend",
    "start", "start-mta", "start-mspq", "stop", "stop-mta", "stop-mspq", "restart", "restart-mta", "restart-mspq",
}  # fmt: skip
SRC_TARGETS = ("buildworld", "installworld", "distribution", "world", "buildkernel", "installkernel", "kernel")


class MakeError(Exception):
    """A failed recipe line: ``stderr`` text already printed by the command, exit code."""

    def __init__(self, code=1, msg=None):
        super().__init__(msg or "")
        self.code = code
        self.msg = msg


# ------------------------------------------------------------------ a cf.m4 subset

_FEATURES = """
access_db allmasquerade always_add_domain authinfo badmx bestmx_is_local bitdomain blacklist_recipients
blocklist_recipients block_bad_helo compat_check conncontrol delay_checks dnsbl domaintable enhdnsbl
genericstable greet_pause ldap_routing limited_masquerade local_lmtp local_no_masquerade local_procmail
local_ratecontrol lookupdotdomain loose_relay_check mailertable masquerade_entire_domain masquerade_envelope
msp mtamark no_default_msa nocanonify nopercenthack notsticky nouucp nullclient preserve_local_plus_detail
preserve_luser_host prefixmod promiscuous_relay queuegroup ratecontrol redirect relay_based_on_MX
relay_entire_domain relay_hosts_only relay_local_from relay_mail_from require_rdns smrsh stickyhost
use_client_ptr use_ct_file use_cw_file uucpdomain virtuser_entire_domain virtusertable
accept_unqualified_senders accept_unresolvable_domains
"""
FEATURES = frozenset(_FEATURES.split())
OSTYPES = frozenset(("freebsd4", "freebsd5", "freebsd6", "bsd4.4", "bsd4.3", "linux", "openbsd", "netbsd"))
DOMAINS = {"generic"}
MAILERS = frozenset(("local", "smtp", "procmail", "uucp", "usenet", "fax", "pop", "cyrus", "cyrusv2", "lmtp"))


class M4Error(Exception):
    pass


def _m4_args(text, i, name, line):
    """Parse ``(a, b, ...)`` from text[i] == '('; returns (args, index after ')')."""
    args, cur, depth, q = [], [], 0, 0
    i += 1
    while i < len(text):
        c = text[i]
        if q:
            if c == "`":
                q += 1
            elif c == "'":
                q -= 1
                if q == 0:
                    i += 1
                    continue
            cur.append(c)
        elif c == "`":
            q = 1
        elif c == "(":
            depth += 1
            cur.append(c)
        elif c == ")":
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i + 1
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if q:
        raise M4Error(f"m4: unexpected end of input, unclosed quote:\n   {name} at line {line}")
    raise M4Error(f"m4: unexpected end of input, unclosed parenthesis:\n   {name} at line {line}")


def cf_from_mc(text, mcname):
    """Evaluate the .mc the way cf.m4 would, for the parts that matter; returns a dict.

    Raises M4Error(msg) (m4's message, UNVERIFIED wording: BSD m4 usr.bin/m4) on
    unbalanced quotes/parentheses, and for an unknown FEATURE/OSTYPE/DOMAIN/MAILER
    (cf.m4 includes ``_CF_DIR_/feature/NAME.m4``, missing -> m4 cannot open it).
    """
    res = {"daemons": [], "features": [], "defines": {}, "mailers": [], "versionid": None,
           "ostype": None, "domain": None, "client": []}  # fmt: skip
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":  # comment to end of line (dropped: divert(-1) or harmless)
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "`":
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"`": 1, "'": -1}.get(text[j], 0)
                j += 1
            if depth:
                line = text.count("\n", 0, i) + 1
                raise M4Error(f"m4: unexpected end of input, unclosed quote:\n   quoted string at line {line}")
            i = j
            continue
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, i)
        if not m:
            i += 1
            continue
        name = m.group(0)
        i = m.end()
        if name == "dnl":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        args = []
        if i < n and text[i] == "(":
            line = text.count("\n", 0, m.start()) + 1
            args, i = _m4_args(text, i, name, line)
        a0 = args[0] if args else ""
        if name == "DAEMON_OPTIONS":
            res["daemons"].append(a0)
        elif name == "CLIENT_OPTIONS":
            res["client"].append(a0)
        elif name == "FEATURE":
            if a0 not in FEATURES:
                raise M4Error(f"m4: {CF_DIR}/feature/{a0}.m4: No such file or directory")
            res["features"].append(a0)
        elif name == "OSTYPE":
            if a0 not in OSTYPES:
                raise M4Error(f"m4: {CF_DIR}/ostype/{a0}.m4: No such file or directory")
            res["ostype"] = a0
        elif name == "DOMAIN":
            if a0 not in DOMAINS:
                raise M4Error(f"m4: {CF_DIR}/domain/{a0}.m4: No such file or directory")
            res["domain"] = a0
        elif name == "MAILER":
            if a0 not in MAILERS:
                raise M4Error(f"m4: {CF_DIR}/mailer/{a0}.m4: No such file or directory")
            res["mailers"].append(a0)
        elif name == "define" and args:
            res["defines"][a0] = args[1] if len(args) > 1 else ""
        elif name == "undefine" and args:
            res["defines"].pop(a0, None)
        elif name == "VERSIONID":
            res["versionid"] = a0
    return res


def render_cf(res, host, mcname):
    """A sendmail.cf-like file: the header and option lines proto.m4 writes for what was recorded."""
    when = time.strftime("%a %b %d %H:%M:%S %Z %Y")
    out = [
        "#",
        "# Copyright (c) 1998-2004, 2009, 2010 Proofpoint, Inc. and its suppliers.",
        "#\tAll rights reserved.",
        "#",
        "######################################################################",
        "######################################################################",
        "#####",
        "#####\t\tSENDMAIL CONFIGURATION FILE",
        "#####",
        f"##### built by root@{host} on {when}",
        "##### in /etc/mail",
        f"##### using {CF_DIR}/ as configuration include directory",
        "##### (simulated cf.m4: see tests/sim/simfbsd/tools/make.py)",
        "#####",
        "######################################################################",
        "######################################################################",
        "",
    ]
    if res["versionid"]:
        out.append(f"#####  {res['versionid']}  #####")
    if res["ostype"]:
        out.append(f"#####  OSTYPE {res['ostype']}  #####")
    for f in res["features"]:
        out.append(f"#####  FEATURE {f}  #####")
    out += ["", "# level 10 config file format", "V10/Berkeley", ""]
    if "msp" not in res["features"]:
        out += ["# SMTP daemon options", ""]
        daemons = list(res["daemons"]) or ["Name=MTA"]
        if "no_default_msa" not in res["features"]:
            daemons.append("Port=587, Name=MSA, M=E")
        for d in daemons:
            out.append(f"O DaemonPortOptions={d}")
        out.append("")
    else:
        out += ["# SMTP daemon options (msp: submission only, no daemon)", ""]
    for c in res["client"]:
        out.append(f"O ClientPortOptions={c}")
    opts = {"confPRIVACY_FLAGS": "PrivacyOptions", "confBIND_OPTS": "ResolverOptions",
            "confTIME_ZONE": "TimeZoneSpec", "confCF_VERSION": None}  # fmt: skip
    for k, v in res["defines"].items():
        if opts.get(k):
            out.append(f"O {opts[k]}={v}")
    for m in res["mailers"]:
        out.append(f"#####  MAILER {m}  #####")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ helpers


def _hostname(ctx):
    if ctx.jid:
        j = kernel.read_state().get("jails", {}).get(str(ctx.jid), {})
        return j.get("host.hostname") or j.get("name") or ""
    return socket.gethostname()


def _newer(src, target):
    """True if target must be (re)made from src."""
    try:
        t = os.stat(target).st_mtime
    except FileNotFoundError:
        return True
    try:
        return os.stat(src).st_mtime > t
    except FileNotFoundError:
        return False


def _stop(ctx, where, code=1):
    ctx.print(f"*** Error code {code}")
    ctx.err.write(f"\nStop.\nmake: stopped in {where}\n")
    return 1


def _build_seconds(ctx):
    v = ctx.env.get("SIMHOST_BUILD_SECONDS")
    if v is None:
        try:
            v = kernel.box_config().get("build_seconds", 2)
        except (OSError, ValueError):
            v = 2
    try:
        return max(0.0, float(v))
    except ValueError:
        return 2.0


# ------------------------------------------------------------------ /etc/mail


def mail(ctx, where, targets, variables):
    d = ctx.path(where)
    host = _hostname(ctx)
    mc = variables.get("SENDMAIL_MC") or f"{host}.mc"
    submit_mc = variables.get("SENDMAIL_SUBMIT_MC") or f"{host}.submit.mc"
    install_cf = mc[:-3] + ".cf" if mc.endswith(".mc") else mc + ".cf"
    install_submit_cf = submit_mc[:-3] + ".cf" if submit_mc.endswith(".mc") else submit_mc + ".cf"

    def p(name):
        return os.path.join(d, name)

    def make_mc(name, sample):
        if not os.path.exists(p(name)):
            ctx.print(f"cp {sample} {name}")
            if not os.path.exists(p(sample)):
                ctx.err.write(f"cp: {sample}: No such file or directory\n")
                raise MakeError()
            shutil.copyfile(p(sample), p(name))

    def make_cf(cf, mcfile, sample):
        make_mc(mcfile, sample)
        if not _newer(p(mcfile), p(cf)):
            return
        ctx.print(f"{M4} -D_CF_DIR_={CF_DIR}/ {variables.get('SENDMAIL_M4_FLAGS', '')} {CF_DIR}/m4/cf.m4 "
                  f"{cf[:-3]}.mc > {cf}")  # fmt: skip
        with open(p(mcfile), encoding="utf-8", errors="replace") as f:
            text = f.read()
        # The shell redirection creates (truncates) the .cf before m4 runs, as on FreeBSD.
        with open(p(cf), "w", encoding="utf-8") as out:
            try:
                res = cf_from_mc(text, mcfile)
            except M4Error as exc:
                ctx.err.write(str(exc) + "\n")
                raise MakeError() from None
            out.write(render_cf(res, host, mcfile))

    def install(src, dst):
        if src == dst:
            return
        ctx.print(f"install -m 444 {src} {dst}")
        tmp = f"{ctx.path(dst)}.{os.getpid()}"
        shutil.copyfile(p(src), tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, ctx.path(dst))

    def aliases():
        for a in (variables.get("SENDMAIL_ALIASES") or "/etc/mail/aliases").split():
            src = ctx.path(a)
            if not os.path.exists(src):
                ctx.err.write(f"make: don't know how to make {a}. Stop\n")
                raise MakeError(2)
            if _newer(src, src + ".db"):
                ctx.print(f"/usr/sbin/sendmail -bi -OAliasFile={a}")
                ctx.print(f"chmod 0640 {a}.db")
                with open(src + ".db", "w", encoding="utf-8") as f:
                    f.write("# simulated aliases database\n")
                os.chmod(src + ".db", 0o640)

    def rc(word, cmd):
        script = ctx.path("/etc/rc.sendmail")
        if os.access(script, os.R_OK):
            ctx.out.write(f"{word}:")
            ctx.out.flush()
            subprocess.run(["/bin/sh", script, cmd], check=False)
            ctx.print(".")

    for t in targets or ["all"]:
        if t not in MAIL_TARGETS:
            ctx.err.write(f"make: don't know how to make {t}. Stop\n\nmake: stopped in {where}\n")
            return 2
        try:
            if t in ("all", "cf", "install", "install-cf", "install-submit-cf"):
                if t != "install-submit-cf":
                    make_cf(install_cf, mc, "freebsd.mc")
                if t in ("all", "cf", "install", "install-submit-cf"):
                    make_cf(install_submit_cf, submit_mc, "freebsd.submit.mc")
                if t in ("install", "install-cf"):
                    install(install_cf, "/etc/mail/sendmail.cf")
                if t in ("install", "install-submit-cf"):
                    install(install_submit_cf, "/etc/mail/submit.cf")
                if t == "all":
                    aliases()
            elif t == "aliases":
                aliases()
            elif t.startswith(("start", "stop", "restart")):
                word = {"start": "Starting", "stop": "Stopping", "restart": "Restarting"}[t.split("-")[0]]
                rc(word, t)
        except MakeError as exc:
            if exc.code == 2:
                ctx.err.write(f"\nmake: stopped in {where}\n")
                return 2
            return _stop(ctx, where)
    return 0


# ------------------------------------------------------------------ /usr/src


def _banner(ctx, text):
    ctx.print("--------------------------------------------------------------")
    ctx.print(f">>> {text}")
    ctx.print("--------------------------------------------------------------")


def _now():
    return time.strftime("%a %b %d %H:%M:%S %Z %Y")


def src(ctx, where, targets, variables):
    from .. import world

    release = world.release_of_src(ctx.path("/")) or "14.3-RELEASE"
    destdir = variables.get("DESTDIR") or ctx.env.get("DESTDIR") or ""
    secs = _build_seconds(ctx)
    obj = ctx.path(OBJDIR)
    marker = os.path.join(obj, ".buildworld")
    stage = os.path.join(obj, "worldstage")
    if not targets:
        ctx.err.write("make: no target to make.\n\nmake: stopped in " + where + "\n")
        return 2
    for t in targets:
        if t not in SRC_TARGETS:
            ctx.err.write(f"make: don't know how to make {t}. Stop\n\nmake: stopped in {where}\n")
            return 2
    for t in targets:
        steps = {"world": ["buildworld", "installworld"], "kernel": ["buildkernel", "installkernel"]}.get(t, [t])
        for step in steps:
            if step == "buildworld":
                start = time.time()
                _banner(ctx, f"World build started on {_now()}")
                time.sleep(secs)
                if os.path.isdir(stage):
                    shutil.rmtree(stage)
                os.makedirs(stage, exist_ok=True)
                with open(ctx.path("/etc/defaults/rc.conf"), encoding="utf-8", errors="replace") as f:
                    defaults_rc = f.read()
                world.install_world(stage, release, defaults_rc)
                with open(marker, "w", encoding="utf-8") as f:
                    f.write(f"{release}\n")
                ctx.print("--------------------------------------------------------------")
                ctx.print(f">>> World build completed on {_now()}")
                ctx.print(f">>> World built in {int(time.time() - start)} seconds, ncpu: {os.cpu_count() or 1}")
                ctx.print("--------------------------------------------------------------")
            elif step in ("installworld", "distribution"):
                if step == "installworld" and not os.path.exists(marker):
                    # UNVERIFIED wording (Makefile.inc1 installcheck not read)
                    _banner(ctx, "Install check world")
                    ctx.err.write("ERROR: Please run make buildworld first\n")
                    return _stop(ctx, where)
                dest = ctx.path(destdir) if destdir else None
                if dest is not None and not os.path.isdir(dest):
                    ctx.err.write(f"mtree: {destdir}/: No such file or directory\n")  # distrib-dirs
                    return _stop(ctx, where)
                label = "Installing everything" if step == "installworld" else "Making distribution"
                _banner(ctx, f"{label} started on {_now()}")
                time.sleep(secs)
                if dest is not None:
                    if step == "installworld":
                        shutil.copytree(stage, dest, symlinks=True, dirs_exist_ok=True)
                    else:
                        world.install_distribution(dest, release)
                ctx.print("--------------------------------------------------------------")
                ctx.print(f">>> {label} completed on {_now()}")
                ctx.print("--------------------------------------------------------------")
            elif step == "buildkernel":
                _banner(ctx, f"Kernel build for GENERIC started on {_now()}")
                time.sleep(secs)
                os.makedirs(os.path.join(obj, "sys/GENERIC"), exist_ok=True)
                open(os.path.join(obj, "sys/GENERIC/kernel"), "w").close()
                _banner(ctx, f"Kernel build for GENERIC completed on {_now()}")
            elif step == "installkernel":
                if not os.path.exists(os.path.join(obj, "sys/GENERIC/kernel")):
                    ctx.err.write('ERROR: No kernel "GENERIC" to install.\n')  # UNVERIFIED wording
                    return _stop(ctx, where)
                _banner(ctx, f"Installing kernel GENERIC on {_now()}")
                time.sleep(secs)
                if destdir and os.path.isdir(ctx.path(destdir)):
                    os.makedirs(os.path.join(ctx.path(destdir), "boot/kernel"), exist_ok=True)
                    open(os.path.join(ctx.path(destdir), "boot/kernel/kernel"), "w").close()
                _banner(ctx, f"Installing kernel GENERIC completed on {_now()}")
    return 0


# ------------------------------------------------------------------ main


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
