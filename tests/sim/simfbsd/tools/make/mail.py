"""/etc/mail's Makefile (src: etc/mail/Makefile): the targets and rules the package docstring lists."""

import os
import shutil
import subprocess

from ._common import MakeError, _hostname, _newer, _stop
from .cf import CF_DIR, M4, M4Error, cf_from_mc, render_cf

MAIL_TARGETS = {
    "all", "cf", "maps", "aliases", "install", "install-cf", "install-submit-cf", "clean", "depend",
    "start", "start-mta", "start-mspq", "stop", "stop-mta", "stop-mspq", "restart", "restart-mta", "restart-mspq",
}  # fmt: skip


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
