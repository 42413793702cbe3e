"""jexec(8): run a command inside an existing jail (tests/fixtures/freebsd/BEHAVIOUR.md §5).

src: usr.sbin/jexec/jexec.c main(), get_user_info(), usage() (the ``-l -n -u -U`` version):
  * ``-u user`` (or ``-l`` without ``-U``): user from the HOST's passwd, looked up before the
    jail; ``-U user``: from the jail's passwd, after attaching.  Unknown user:
    ``jexec: NAME: no such user``.  ``-l`` without a user: the caller (root).
  * jail lookup: libjail jail_getid() -> kernel message ``jail "NAME" not found`` /
    ``jail N not found`` (sys/kern/kern_jail.c), ``errx(1, "%s", jail_errmsg)``.
  * ``-l``: environment emptied except TERM, PATH=/bin:/usr/bin (jexec.8), then USER, HOME,
    SHELL from the passwd entry; working directory = HOME (else ``/``).  With only ``-u``/``-U``
    the environment is kept and USER/HOME/SHELL are set.
  * no command: ``$SHELL -i`` (or /bin/sh); execvp failure: ``jexec: execvp: CMD: strerror``.
Simulated tools run in this process with the jail's view (``Ctx(jid, root)``); anything else
runs chrooted into the jail's path.  Exit status = the command's.
"""

import os
import subprocess

from .. import bsdgetopt, jails, kernel, pwdb, tool

USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]\n"


def main(ctx, argv):
    opts, args = bsdgetopt.parse(ctx, argv, "lnu:U:") or (None, None)
    if opts is None:
        ctx.err.write(USAGE)
        return 1
    clean = uflag = Uflag = False
    username = None
    for o, v in opts:
        if o == "l":
            clean = True
        elif o == "u":
            username, uflag = v, True
        elif o == "U":
            username, Uflag = v, True
    if not args or (uflag and Uflag):
        ctx.err.write(USAGE)
        return 1
    pw = None
    host_root = ctx.path("/")
    if uflag or (clean and not Uflag):
        pw = _user(ctx, host_root, username)
    state = kernel.read_state()
    rec = jails.find(state, args[0], ctx.jid)
    if rec is None:
        key = args[0]
        ctx.errx(1, f"jail {int(key)} not found" if key.isdigit() else f'jail "{key}" not found')
    jid = rec["jid"]
    root = rec["path"]
    env = jails.caller_environ(ctx.env)
    home = "/"
    if clean or username is not None:
        if Uflag:
            pw = _user(ctx, root, username)
        if clean:
            env = {"PATH": "/bin:/usr/bin"}
            if "TERM" in ctx.env:
                env["TERM"] = ctx.env["TERM"]
        env.update({"USER": pw[0], "HOME": pw[5], "SHELL": pw[6] or "/bin/sh"})
        if clean:
            home = pw[5]
            if not os.path.isdir(os.path.join(root, home.lstrip("/"))):
                ctx.errx(1, f"chdir: {home}: No such file or directory")
    cmd = args[1:]
    if not cmd:
        shell = env.get("SHELL") or "/bin/sh"
        cmd = [shell, "-i"]
    name = os.path.basename(cmd[0])
    if name in tool.TOOLS and name != "sh":
        jctx = tool.Ctx(name, jid=jid, root=root, stdout=ctx.out, stderr=ctx.err, env=env)
        return tool.run(name, cmd[1:], jctx)
    for s in (ctx.out, ctx.err):
        try:
            s.flush()
        except (OSError, ValueError):
            pass
    uid = int(pw[2]) if pw else None
    gid = int(pw[3]) if pw else None

    def child():
        os.chroot(root)
        os.chdir("/")
        if uid is not None:
            os.setgid(gid)
            os.setuid(uid)
        if home != "/":
            os.chdir(home)

    exe = cmd[0]
    if "/" in exe and not os.path.exists(os.path.join(root, exe.lstrip("/"))):
        ctx.errx(1, f"execvp: {exe}: No such file or directory")
    try:
        return subprocess.run(cmd, env=env, preexec_fn=child, check=False).returncode
    except OSError as exc:
        ctx.errx(1, f"execvp: {exe}: {exc.strerror}")


def _user(ctx, root, username):
    """jexec.c get_user_info(): by name, or the caller's uid (always root here)."""
    pw = pwdb.getpwnam(root, username or "root")
    if pw is None:
        if username:
            ctx.errx(1, f"{username}: no such user")
        ctx.errx(1, f"unknown uid: {os.getuid()}")
    return pw
