"""jexec(8): run a command inside an existing jail (BEHAVIOUR.md §5; src: usr.sbin/jexec/jexec.c main()).

Simulated tools run in this process with the jail's view (``Ctx(jid, root)``);
anything else runs chrooted into the jail's path.  Exit status = the command's.
"""

import getopt
import os
import subprocess

from .. import jails, kernel, tool

USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]\n"


def _passwd(root, user):
    try:
        with open(os.path.join(root, "etc/passwd"), encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.rstrip("\n").split(":")
                if len(fields) >= 7 and fields[0] == user:
                    return fields
    except OSError:
        pass
    if user == "root":
        return ["root", "*", "0", "0", "Charlie &", "/root", "/bin/sh"]
    return None


def main(ctx, argv):
    try:
        opts, args = getopt.getopt(argv, "lnu:U:")
    except getopt.GetoptError:
        ctx.err.write(USAGE)
        return 1
    clean = False
    user = None
    jail_user = False
    for o, v in opts:
        if o == "-l":
            clean = True
        elif o == "-u":
            user, jail_user = v, False
        elif o == "-U":
            user, jail_user = v, True
    if ("-u" in dict(opts) and "-U" in dict(opts)) or not args:
        ctx.err.write(USAGE)
        return 1
    state = kernel.read_state()
    rec = jails.find(state, args[0], ctx.jid)
    if rec is None:
        # src: jexec.c: jail_getid() failure, errx(1, "%s", jail_errmsg); kernel text UNVERIFIED
        key = args[0]
        ctx.errx(1, f"jail {int(key)} not found" if key.isdigit() else f'jail "{key}" not found')
    jid = rec["jid"]
    root = rec["path"]
    pw = None
    if user or clean:
        who = user or "root"
        pw = _passwd(root if jail_user else ctx.path("/"), who)
        if pw is None:
            ctx.errx(1, f"{'getpwnam' if user else 'getpwuid'}: {who}: no such user")
    env = dict(ctx.env)
    if clean:
        env = {"PATH": "/bin:/usr/bin"}
        if "TERM" in ctx.env:
            env["TERM"] = ctx.env["TERM"]
    if pw:
        env.update({"USER": pw[0], "HOME": pw[5], "SHELL": pw[6] or "/bin/sh"})
    cmd = args[1:]
    if not cmd:
        shell = (pw or _passwd(root, "root") or [""] * 7)[6] or "/bin/sh"
        cmd = [shell]
    name = os.path.basename(cmd[0])
    if name in tool.TOOLS and cmd[0] not in ("/bin/sh", "sh"):
        jctx = tool.Ctx(name, jid=jid, root=root, stdout=ctx.out, stderr=ctx.err, env=env)
        return tool.run(name, cmd[1:], jctx)
    for s in (ctx.out, ctx.err):
        try:
            s.flush()
        except (OSError, ValueError):
            pass
    uid = int(pw[2]) if pw else None
    gid = int(pw[3]) if pw else None
    home = pw[5] if pw and clean else "/"

    def child():
        os.chroot(root)
        try:
            os.chdir(home)
        except OSError:
            os.chdir("/")
        if uid is not None:
            os.setgid(gid)
            os.setuid(uid)

    try:
        return subprocess.run(cmd, env=env, preexec_fn=child, check=False).returncode
    except OSError as exc:
        # src: jexec.c: err(1, "execvp: %s", argv[0])
        ctx.errx(1, f"execvp: {cmd[0]}: {exc.strerror}")
