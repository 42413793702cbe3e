"""jail(8)'s command.c: running exec.* hooks, mounts and interface aliases.

src: usr.sbin/jail/command.c next_command()/run_command()/check_path().
"""

import os
import stat
import subprocess

from ... import jails, kernel, pwdb, tool
from .config import Failed, _atoi

TIMED_OUT = "timed out"  # what _exec() returns when exec.timeout passed

SHELL_META = set("!\"$&'()*;<>?[\\]`{|}~")  # src: command.c run_command() strpbrk set

try:
    from ... import mounts
except ImportError:  # the devfs/mount helper's module
    mounts = None
try:
    from ... import netif
except ImportError:  # the network helper's module
    netif = None


class Commands:
    """jail(8) run: options plus the helpers every operation uses."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.verbose = 0
        self.iflag = False
        self.jfile = None
        self.separator = "\t"  # src: jail.c: const char *separator = "\\t"; -e sets it (print_jail())
        self.docf = False
        self.note_remove = False
        self.error = 0

    # ---------------------------------------------------------------- output
    def flush(self):
        for s in (self.ctx.out, self.ctx.err):
            try:
                s.flush()
            except (ValueError, OSError):
                pass

    def warn(self, job, msg):
        """src: jail.c jail_warnx(): ``jail: NAME: msg`` for config jails, else ``jail: msg``."""
        self.ctx.warnx(f"{job.cname}: {msg}" if job is not None and job.cname else msg)

    def note(self, job, msg):
        self.ctx.print(f"{job.cname}: {msg}" if job.cname else msg)

    def qwarn(self, job, msg):
        """src: jail.c jail_quoted_warnx(): the name (or jid) in double quotes."""
        key = job.string("name") or job.string("jid") or job.cname
        if key is None:
            self.ctx.warnx("no jail specified")
        else:
            self.ctx.warnx(f'"{key}" {msg}')

    # ---------------------------------------------------------------- commands
    def passwd(self, root, user):
        """command.c get_user_info(): getpwnam(user), or getpwuid(0) without exec.*_user (pwdb.py)."""
        pw = pwdb.getpwnam(root, user) if user is not None else pwdb.getpwuid(root, 0)
        if pw is None and user in (None, "root"):
            return ["root", "*", "0", "0", "Charlie &", "/root", "/bin/sh"]
        return pw

    def run(self, job, rec, which, cmd, argv=None):
        """Run one exec.* string (command.c run_command()); raise Failed on error.

        ``argv``: the ``command`` of a command-line (unnamed) jail, whose values are the
        argument vector itself (src: command.c run_command() IP_COMMAND, ``j->name == NULL``).
        """
        injail = which in ("exec.start", "command", "exec.stop")
        jid = rec["jid"] if rec else 0
        root = rec["path"] if rec else job.string("path") or "/"
        text = " ".join(argv) if argv is not None else cmd
        if argv is None and not text:
            return  # src: command.c next_command(): empty strings are skipped
        user = job.string("exec.jail_user" if injail else "exec.system_user")
        if argv is None:
            # src: command.c run_command() default_command: sh -c when shell metacharacters
            # appear (a lone trailing "&" means background instead), else split on blanks
            meta = next((i for i, ch in enumerate(text) if ch in SHELL_META), None)
            if meta is not None and not (text[meta] == "&" and meta == len(text) - 1):
                argv = ["/bin/sh", "-c", text]
            else:
                argv = (text[:meta] if meta is not None else text).split()
            if not argv:
                return
        comline = " ".join(argv)
        if self.verbose > 0:
            # src: command.c run_command(): "run command%s%s%s: %s"
            who = f" as {user}" if user else ""
            self.note(job, f"run command{' in jail' if injail else ''}{who}: {comline}")
        text = text.strip()
        if injail and text in ("/bin/sh /etc/rc", "/bin/sh /etc/rc.shutdown", "/bin/sh /etc/rc.shutdown jail"):
            if not os.path.exists(os.path.join(root, "bin/sh")):
                # src: command.c run_command(): execvp failure in the child
                self.warn(job, "exec /bin/sh: No such file or directory")
                self.warn(job, f"{comline}: failed")
                raise Failed
            # The jail's rc(8): the rc helper starts/stops the jail's enabled services as processes
            # with its jid (rc.d in the jail root are simulated, not run by a real /bin/sh).
            try:
                from ... import rc
            except ImportError:
                return
            self.flush()
            fn = rc.boot_jail if text == "/bin/sh /etc/rc" else rc.shutdown_jail
            status = fn(jid, root, self.ctx.out, self.ctx.err)
            if status:
                self.warn(job, f"{text}: failed")
                raise Failed
            return
        clean = job.boolean("exec.clean")
        sjuser = job.boolean("exec.system_jail_user")
        env = jails.caller_environ(os.environ)
        pw = None
        if clean or user:
            pw_root = root if injail and not sjuser else self.ctx.path("/")
            pw = self.passwd(pw_root, user)
            if pw is None:
                # src: command.c get_user_info(): "%s: no such user"
                self.warn(job, f"{user}: no such user")
                raise Failed
            if clean:
                env = {"PATH": "/bin:/usr/bin"}
                if "TERM" in os.environ:
                    env["TERM"] = os.environ["TERM"]
            env.update({"USER": pw[0], "HOME": pw[5], "SHELL": pw[6] or "/bin/sh"})
        if not injail and not clean:
            env.update(self.jail_environ(job, rec))
        conslog = job.string("exec.consolelog") if injail else None
        out = err = None
        if conslog:
            try:
                out = err = open(conslog, "a")  # noqa: SIM115 - closed below
            except OSError as exc:
                self.warn(job, f"open {conslog}: {exc.strerror}")
                raise Failed from None
        try:
            status = self._exec(job, argv, injail, jid, root, env, pw, clean, out, err)
        finally:
            if out:
                out.close()
        if status == TIMED_OUT:
            # src: command.c run_command() arms j->timeout from exec.timeout; next_proc() flags
            # JF_TIMEOUT when it passes and clear_procs() stops watching the command (it is not
            # killed); finish_command(): "%s: timed out", the jail fails
            self.warn(job, f"{comline}: timed out")
            raise Failed
        if status and status < 0:
            # src: command.c finish_command(): WIFSIGNALED
            self.warn(job, f"{comline}: exited on signal {-status}")
            raise Failed
        if status:
            # src: command.c finish_command(): "%s: failed" with the command line
            self.warn(job, f"{comline}: failed")
            raise Failed

    @staticmethod
    def jail_environ(job, rec):
        """JID, JNAME and JPATH for the exec.* commands run on the host (not in the jail).

        src: freebsd/freebsd-src pull request #1609 "jail: add JID, JNAME and JPATH to environment
        for exec.* commands" (opened 2025-03-05): command.c run_command() sets them for the
        commands jail(8) runs on the system; "These variables are not added when using
        exec.clean.  Neither are they for commands executed inside jails".  FreeBSD's own
        usr.sbin/jail/tests/jail_basic_test.sh checks them: commands (exec.poststart's env has
        ``JID=<n>``, ``JNAME=basejail``, ``JPATH=<path>``) and param_consistency (exec.poststop
        still sees the ``JID`` of the jail just removed: the jid jail(8) resolved, not j->jid,
        which is -1 by then).  The command.c versions in the search index (1ca35de, 2a17823)
        predate the change; whether a variable whose value is unknown (JID before the jail
        exists, in exec.prepare/exec.prestart) is left out or set empty is UNVERIFIED: left out.
        """
        out = {}
        jid = job.string("jid") or (str(rec["jid"]) if rec else None)
        name = job.string("name") or (rec.get("name") if rec else None) or jid
        path = job.string("path") or (rec.get("path") if rec else None)
        for var, value in (("JID", jid), ("JNAME", name), ("JPATH", path)):
            if value is not None:
                out[var] = str(value)
        return out

    def _exec(self, job, argv, injail, jid, root, env, pw, clean, out, err):
        name = os.path.basename(argv[0])
        if name in tool.TOOLS and argv[0] != "/bin/sh":
            c = tool.Ctx(
                name,
                jid=jid if injail else self.ctx.jid,
                root=root if injail else self.ctx.root,
                stdout=out or self.ctx.out,
                stderr=err or self.ctx.err,
                env=env,
            )
            return tool.run(name, argv[1:], c)
        self.flush()
        uid = int(pw[2]) if pw else None
        gid = int(pw[3]) if pw else None
        home = pw[5] if pw and clean else None

        def child():
            if injail:
                os.chroot(root)
                os.chdir("/")
            if gid is not None:
                os.setgid(gid)
                os.setuid(uid)
            if home:
                try:
                    os.chdir(home)
                except OSError:
                    pass

        exe = argv[0]
        check = os.path.join(root, exe.lstrip("/")) if injail and exe.startswith("/") else exe
        if exe.startswith("/") and not os.path.exists(check):
            self.warn(job, f"exec {exe}: No such file or directory")
            return 1
        timeout = _atoi(job.string("exec.timeout") or "0")  # src: command.c int_param(IP_EXEC_TIMEOUT)
        try:
            proc = subprocess.Popen(argv, env=env, preexec_fn=child, stdout=out, stderr=err)
        except OSError as exc:
            self.warn(job, f"exec {exe}: {exc.strerror}")
            return 1
        try:
            return proc.wait(timeout=timeout if timeout > 0 else None)
        except subprocess.TimeoutExpired:
            return TIMED_OUT

    # ---------------------------------------------------------------- checks
    def check_mount_path(self, job, pname, path):
        """src: command.c check_path(): absolute, and no symlink/missing component below the jail's path."""
        if not path.startswith("/"):
            self.warn(job, f"{pname}: {path}: not an absolute pathname")
            raise Failed
        jpath = job.string("path") or ""
        if path.startswith(jpath) and path[len(jpath) : len(jpath) + 1] == "/":
            parts = path[len(jpath) :].strip("/").split("/")
            cur = jpath
            for part in parts:
                cur = f"{cur}/{part}"
                try:
                    st = os.lstat(self.ctx.path(cur))
                except OSError as exc:
                    self.warn(job, f"{pname}: {cur}: {exc.strerror}")
                    raise Failed from None
                if stat.S_ISLNK(st.st_mode):
                    self.warn(job, f"{pname}: {cur} is a symbolic link")
                    raise Failed

    def aliases(self, job):
        """ip4.addr/ip6.addr entries that carry an interface (``IF|addr`` or ``interface``).

        Returns ([ifname, addr, prefix, family], ifconfig argv) pairs; the argv is what jail(8)
        runs (src: config.c check_intparams() IP__IP4_IFADDR, command.c run_command()).
        """
        out = []
        defif = job.string("interface")
        for fam, pname in (("inet", "ip4.addr"), ("inet6", "ip6.addr")):
            for v in job.get(pname) or []:
                if "|" not in v and not defif:
                    continue
                ifname, _unused, rest = v.partition("|") if "|" in v else (defif, "", v)
                rest, _unused, extra = rest.partition(" ")
                addr, slash, mask = rest.partition("/")
                argv = ["/sbin/ifconfig", ifname, fam]
                if fam == "inet":
                    if not slash:
                        prefix = 32
                        argv += [addr, "netmask", "255.255.255.255"]
                    elif "." in mask:
                        prefix = sum(bin(int(o)).count("1") for o in mask.split(".") if o.isdigit())
                        argv += [addr, "netmask", mask]
                    else:
                        prefix = int(mask) if mask.isdigit() else 32
                        argv.append(rest)
                else:
                    argv.append(rest)
                    if not slash:
                        argv += ["prefixlen", "128"]
                    prefix = int(mask) if mask.isdigit() else 128
                # src: command.c run_command() IP__IP4_IFADDR: the extra words only going up
                out.append(([ifname, addr, prefix, fam], [*argv, *extra.split(), "alias"], [*argv, "-alias"]))
        return out

    @staticmethod
    def mount_argv(fstype, source, target, opts):
        """The mount(8) command jail(8) runs (src: command.c run_command() IP_MOUNT*, IP_MOUNT_DEVFS...)."""
        if target[0] == "mount.devfs":
            return ["/sbin/mount", "-t", "devfs", f"-oruleset={target[2].get('ruleset', 4)}", ".", target[1]]
        if target[0] in ("mount.fdescfs", "mount.procfs"):
            return ["/sbin/mount", "-t", fstype, ".", target[1]]
        argv = ["/sbin/mount", "-t", fstype]
        if opts:
            argv += ["-o", ",".join(opts)]
        return [*argv, source, target[1]]

    # ---------------------------------------------------------------- operations
    def mount_list(self, job):
        """(what, target), fstype, source, opts for mount, mount.fstab, mount.devfs/fdescfs/procfs."""
        out = []
        path = job.string("path") or "/"
        for what in ("mount", "mount.fstab"):
            lines = []
            if what == "mount":
                lines = job.get("mount") or []
            else:
                for f in job.get("mount.fstab") or []:
                    try:
                        with open(self.ctx.path(f), encoding="utf-8") as fh:
                            lines += [ln.split("#", 1)[0] for ln in fh]
                    except OSError as exc:
                        self.warn(job, f"mount.fstab: {f}: {exc.strerror}")
                        raise Failed from None
            for ln in lines:
                w = ln.split()
                if not w:
                    continue
                if len(w) < 3:
                    self.warn(job, f"{what}: {ln}: missing information")
                    raise Failed
                opts = tuple(w[3].split(",")) if len(w) > 3 else ()
                out.append(((what, w[1], {}), w[2], w[0], opts))
        if job.boolean("mount.devfs"):
            rs = job.string("devfs_ruleset")
            out.append(
                (("mount.devfs", path.rstrip("/") + "/dev", {"ruleset": int(rs) if rs else 4}), "devfs", "devfs", ())
            )
        if job.boolean("mount.fdescfs"):
            out.append((("mount.fdescfs", path.rstrip("/") + "/dev/fd", {}), "fdescfs", "fdescfs", ()))
        if job.boolean("mount.procfs"):
            out.append((("mount.procfs", path.rstrip("/") + "/proc", {}), "procfs", "proc", ()))
        return out

    def undo(self, job, stage, verbose_errors=False):
        for kind, what in reversed(stage):
            with kernel.Kernel() as k:
                if kind == "mount" and mounts is not None:
                    try:
                        mounts.unmount(k.state, what)
                    except mounts.MountError as exc:
                        if verbose_errors:
                            self.warn(job, f"umount {what}: {exc}")
                elif kind == "alias" and netif is not None:
                    # ifconfig IF inet ADDR -alias (netif.remove_alias(state, ifname, addr, family))
                    try:
                        netif.remove_alias(k.state, what[0], what[1], what[3])
                    except netif.NetifError as exc:
                        if verbose_errors:
                            self.ctx.err.write(f"ifconfig: {exc}\n")

    def stop_mounts_and_aliases(self, job):
        """The stop half of command.c next_command() after IP__OP, from the CURRENT configuration.

        src: jail.c stopcommands[] (exec.poststop, mount.procfs, mount.fdescfs, mount.devfs,
        mount.fstab, mount, ip6 then ip4 aliases; values backwards, config.c PF_REV), command.c
        run_command() and check_path() with umount_type: jail(8) re-derives every mount and
        alias from the parameters it reads now, not from what was set up at creation.  A failed
        step marks the jail failed (exit 1) but, the jail being gone already, the next steps
        still run (jail.c main(): JF_FAILED with jid < 0 goes on with next_command()).
        """
        failed = False
        try:
            plan = list(reversed(self.mount_list(job)))
        except Failed:
            plan, failed = [], True
        for target, fstype, _source, _opts in plan:
            try:
                self.umount(job, target, fstype)
            except Failed:
                failed = True
        for alias, _up, down in reversed(self.aliases(job)):
            try:
                self.unalias(job, alias, down)
            except Failed:
                failed = True
        if failed:
            raise Failed

    def umount(self, job, target, fstype):
        """src: command.c run_command() IP_MOUNT*/IP_MOUNT_DEVFS... going down, check_path(umount_type)."""
        pname, path = target[0], target[1]
        self.check_mount_path(job, pname, path)
        with kernel.Kernel() as k:
            m = mounts.mounted(k.state, path) if mounts is not None else None
        if not os.path.exists(self.ctx.path(path)):
            self.warn(job, f"{pname}: {path}: No such file or directory")
            raise Failed
        if m is None:
            self.warn(job, f"{pname}: {path}: not a mount point")
            raise Failed
        if m["fstype"] != fstype:
            self.warn(job, f"{pname}: {path}: not a {fstype} mount")
            raise Failed
        if pname in ("mount", "mount.fstab"):
            argv = ["/sbin/umount", "-t", fstype, path]
        else:
            argv = ["/sbin/umount", path]
        if self.verbose > 0:
            self.note(job, f"run command: {' '.join(argv)}")
        with kernel.Kernel() as k:
            try:
                mounts.unmount(k.state, path)
            except mounts.MountError as exc:
                # umount(8)'s warn() "unmount of %s failed", then finish_command()
                self.ctx.err.write(f"umount: unmount of {path} failed: {exc}\n")
                self.warn(job, f"{' '.join(argv)}: failed")
                raise Failed from None

    def unalias(self, job, alias, argv):
        """src: command.c run_command() IP__IP4_IFADDR/IP__IP6_IFADDR going down: ifconfig ... -alias."""
        if self.verbose > 0:
            self.note(job, f"run command: {' '.join(argv)}")
        if netif is None:
            return
        with kernel.Kernel() as k:
            try:
                netif.remove_alias(k.state, alias[0], alias[1], alias[3])
            except netif.NetifError as exc:
                self.ctx.err.write(f"ifconfig: {exc}\n")
                self.warn(job, f"{' '.join(argv)}: failed")
                raise Failed from None
