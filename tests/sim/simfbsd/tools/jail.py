"""jail(8): create, modify and remove jails (tests/fixtures/freebsd/BEHAVIOUR.md §1-3).

src: usr.sbin/jail/jail.c main()/create_jail()/update_jail()/print_jail()/quoted_print(),
usr.sbin/jail/command.c next_command()/run_command(), config.c check_intparams().
The kernel lock is held only around record changes, never while exec.* commands run.
"""

import getopt
import os
import stat
import subprocess
import sys

from .. import jailconf, jails, kernel, pwdb, tool

USAGE = """usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            -[cmr] param=value ... [command=command ...]
       jail [-dqv] [-f file] -[cmr] [jail]
       jail [-qv] [-f file] -[rR] ['*' | jail ...]
       jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            [-n jailname] [-s securelevel]
            path hostname [ip[,...]] command ...
"""  # src: usr.sbin/jail/jail.c usage() (13.x text; tests/fixtures/freebsd/BEHAVIOUR.md §1.1)

CONF = "/etc/jail.conf"
SHELL_META = set("!\"$&'()*;<>?[\\]`{|}~")  # src: command.c run_command() strpbrk set

try:
    from .. import mounts
except ImportError:  # the devfs/mount helper's module
    mounts = None
try:
    from .. import netif
except ImportError:  # the network helper's module
    netif = None


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


def quoted(value):
    """src: jail.c quoted_print(): "" for empty; ' inside -> "..."; " inside -> '...'; blanks -> "..."."""
    if value == "":
        return '""'
    if "'" in value:
        q = '"'
    elif '"' in value:
        q = "'"
    elif " " in value or "\t" in value:
        q = '"'
    else:
        return value
    return q + value.replace("\\", "\\\\").replace(q, "\\" + q) + q


class Jail:
    """jail(8) run: options plus the helpers every operation uses."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.verbose = 0
        self.iflag = False
        self.jfile = None
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
                from .. import rc
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
        if status:
            # src: command.c finish_command(): "%s: failed" with the command line
            self.warn(job, f"{comline}: failed")
            raise Failed

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
        try:
            cp = subprocess.run(argv, env=env, preexec_fn=child, stdout=out, stderr=err, check=False)
        except OSError as exc:
            self.warn(job, f"exec {exe}: {exc.strerror}")
            return 1
        return cp.returncode

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

    def check_path(self, job, what, path, must_dir=True):
        """src: jail.c create_jail() / command.c check_path() messages."""
        if not path.startswith("/"):
            self.warn(job, f"{what} {path}: not an absolute pathname")
            raise Failed
        p = self.ctx.path(path)
        if not os.path.exists(p):
            self.warn(job, f"{what} {path}: No such file or directory")
            raise Failed
        if must_dir and not os.path.isdir(p):
            self.warn(job, f"{what} {path}: Not a directory")
            raise Failed

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
                argv += extra.split()
                out.append(([ifname, addr, prefix, fam], [*argv, "alias"]))
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
    def create(self, job, ctx_jid):
        name = job.string("name")
        kparams = self.split(job)
        path = job.string("path")
        with kernel.Kernel() as k:
            if name is not None and jails.find(k.state, name, ctx_jid, dying=True) is not None:
                self.qwarn(job, "already exists")
                raise Failed
            if kparams.get("jid") and jails.find(k.state, kparams["jid"], ctx_jid, dying=True):
                self.qwarn(job, "already exists")
                raise Failed
        if path is not None:
            self.check_path(job, "path", path)
        persist = job.boolean("persist")
        starts = [w for w in ("exec.start", "command") if any(v.strip() for v in job.get(w) or [])]
        if not persist and not starts and not job.get("exec.poststart"):
            # jail.8: a jail with no persist and no commands would die at once
            pass
        stage = []
        rec = None
        try:
            for c in job.get("exec.prepare") or []:
                self.run(job, None, "exec.prepare", c)
            for alias, argv in self.aliases(job):
                if self.verbose > 0:
                    self.note(job, f"run command: {' '.join(argv)}")
                if netif is not None:
                    with kernel.Kernel() as k:
                        try:
                            netif.add_alias(k.state, alias[0], alias[1], alias[2], alias[3])
                        except netif.NetifError as exc:
                            # what /sbin/ifconfig prints, then command.c finish_command()
                            self.ctx.err.write(f"ifconfig: {exc}\n")
                            self.warn(job, f"{' '.join(argv)}: failed")
                            raise Failed from None
                stage.append(("alias", alias))
            for target, fstype, source, opts in self.mount_list(job):
                self.check_mount_path(job, target[0], target[1])
                argv = self.mount_argv(fstype, source, target, opts)
                if self.verbose > 0:
                    self.note(job, f"run command: {' '.join(argv)}")
                if mounts is not None:
                    with kernel.Kernel() as k:
                        try:
                            mounts.mount(k.state, fstype, source, target[1], opts, **target[2])
                        except mounts.MountError as exc:
                            # mount(8)'s own complaint (layout UNVERIFIED), then finish_command()
                            self.ctx.err.write(f"mount: {target[1]}: {exc}\n")
                            self.warn(job, f"{' '.join(argv)}: failed")
                            raise Failed from None
                stage.append(("mount", target[1]))
            for c in job.get("exec.prestart") or []:
                self.run(job, None, "exec.prestart", c)
            temp_persist = bool(starts) and not persist
            kp = dict(kparams)
            if temp_persist or persist:
                kp["persist"] = True
            with kernel.Kernel() as k:
                if name is not None and jails.find(k.state, name, ctx_jid, dying=True) is not None:
                    self.qwarn(job, "already exists")
                    raise Failed
                try:
                    rec = jails.new_record(k.state, k.box, ctx_jid, kp)
                except jails.JailError as exc:
                    self.warn(job, str(exc))
                    raise Failed from None
                rec["_conf"] = {n: list(v) for n, v in job.params}
                rec["_mounts"] = [s[1] for s in stage if s[0] == "mount"]
                rec["_aliases"] = [s[1] for s in stage if s[0] == "alias"]
                rec = dict(rec)
            if self.verbose > 0:
                # tests/fixtures/freebsd/BEHAVIOUR.md §1.2: the kernel parameters, written like -J
                # (bare booleans by name); exact layout UNVERIFIED
                kp_names = [n for n, _v in job.params if jails.canonical(n) is not None]
                args = " ".join(
                    n if not job.get(n) else f"{n}={','.join(quoted(x) for x in job.get(n))}" for n in kp_names
                )
                self.ctx.print(f"jail_set(JAIL_CREATE) {args}".rstrip())
            if self.iflag:
                self.ctx.print(rec["jid"])
            if self.verbose >= 0 and (job.cname or self.verbose > 0):
                self.note(job, "created")
            self.write_jfile(job, rec)
            for w in ("exec.created", "exec.start", "command", "exec.poststart"):
                if w == "command" and job.cname is None and job.get("command"):
                    self.run(job, rec, w, None, argv=list(job.get("command")))
                    continue
                for c in job.get(w) or []:
                    self.run(job, rec, w, c)
            with kernel.Kernel() as k:
                cur = k.state["jails"].get(str(rec["jid"]))
                if cur is not None and temp_persist:
                    cur["persist"] = False
                if cur is not None and not cur["persist"] and not jails.jail_procs(k.state, rec["jid"]):
                    jails.remove_record(k.state, rec["jid"])  # no process left: the jail dies
        except Failed:
            # src: command.c next_command(): on failure the steps done are undone in reverse
            if rec is not None:
                with kernel.Kernel() as k:
                    jails.remove_record(k.state, rec["jid"])
                # src: command.c run_command() IP__OP going down after a failed create:
                # "removed" for a named (config) jail, or with -v
                if self.verbose > 0 or (self.verbose == 0 and job.cname):
                    self.note(job, "removed")
            self.undo(job, stage)
            raise
        return rec

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

    def remove(self, job, rec, use_conf):
        """jail -r: prestop, stop, kill, remove, poststop, unmount, aliases, release."""
        conf = job if use_conf else Job(job.cname, [])
        for w in ("exec.prestop", "exec.stop"):
            for c in conf.get(w) or []:
                self.run(conf, rec, w, c)
        with kernel.Kernel() as k:
            cur = k.state["jails"].get(str(rec["jid"]))
            if cur is None:
                return
            stage = [("alias", a) for a in cur.get("_aliases", [])] + [("mount", m) for m in cur.get("_mounts", [])]
            jails.remove_record(k.state, rec["jid"])
        if self.verbose > 0 or (self.verbose == 0 and self.note_remove):
            self.note(job, "removed")
        for c in conf.get("exec.poststop") or []:
            self.run(conf, rec, "exec.poststop", c)
        self.undo(conf, stage, True)
        for c in conf.get("exec.release") or []:
            self.run(conf, rec, "exec.release", c)

    def modify(self, job, rec, ctx_jid):
        kparams = self.split(job)
        with kernel.Kernel() as k:
            cur = k.state["jails"].get(str(rec["jid"]))
            for pname, value in kparams.items():
                flag = jails.PARAMS[pname][1]
                if flag in ("RDTUN", "RD") and cur.get(pname) != value and pname not in ("jid", "name"):
                    self.warn(job, f"{pname} cannot be changed after creation")
                    raise Failed
            kparams.pop("jid", None)
            if "name" in kparams and kparams["name"] == jails.relname(k.state, ctx_jid, cur):
                kparams.pop("name")
            try:
                jails.apply(cur, kparams)
            except jails.JailError as exc:
                self.warn(job, str(exc))
                raise Failed from None
            cur["_conf"].update({n: list(v) for n, v in job.params})
        if self.verbose >= 0 and (job.cname or self.verbose > 0):
            self.note(job, "updated")

    def write_jfile(self, job, rec):
        """src: jail.c print_jail(): ``jid=N`` then every parameter except jid."""
        if not self.jfile:
            return
        if getattr(job, "legacy", False):
            # src: jail.c print_jail(): jid, path, hostname, addresses, command, tab-separated
            ips = ",".join((job.get("ip4.addr") or []) + (job.get("ip6.addr") or []))
            cmd = " ".join(job.get("command") or [])
            self.jfile.write(f"{rec['jid']}\t{rec['path']}\t{rec['host.hostname']}\t{ips}\t{cmd}\n")
            self.jfile.flush()
            return
        parts = [f"jid={rec['jid']}"]
        for n, vals in job.params:
            if n == "jid":
                continue
            parts.append(n if not vals else f"{n}={','.join(quoted(v) for v in vals)}")
        self.jfile.write(" ".join(parts) + "\n")
        self.jfile.flush()


def _cmdline_params(args, opts_params):
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


def main(ctx, argv):
    j = Jail(ctx)
    try:
        opts, args = getopt.getopt(argv, "cde:f:hiJ:lmn:p:qrRs:u:U:v")
    except getopt.GetoptError:
        ctx.err.write(USAGE)
        return 1
    op = set()
    cfname = None
    optparams = []
    noconf = False
    sep = None
    for o, v in opts:
        if o in ("-c", "-m", "-r", "-R"):
            op.add(o[1])
        elif o == "-e":
            sep = v
        elif o == "-f":
            cfname = v
        elif o == "-h":
            optparams.append(["ip_hostname", []])
            noconf = True
        elif o == "-i":
            j.iflag = True
            j.verbose = -1
        elif o == "-J":
            try:
                j.jfile = open(ctx.path(v) if v.startswith("/") else v, "w")  # noqa: SIM115
            except OSError as exc:
                ctx.errx(1, f"open {v}: {exc.strerror}")
        elif o == "-l":
            optparams.append(["exec.clean", []])
            noconf = True
        elif o == "-n":
            optparams.append(["name", [v]])
            noconf = True
        elif o == "-q":
            j.verbose = -1
        elif o == "-s":
            optparams.append(["securelevel", [v]])
            noconf = True
        elif o == "-u":
            optparams += [["exec.jail_user", [v]], ["exec.system_jail_user", []]]
            noconf = True
        elif o == "-U":
            optparams += [["exec.jail_user", [v]], ["exec.system_jail_user", ["false"]]]
            noconf = True
        elif o == "-v":
            j.verbose = 1
    try:
        return _dispatch(ctx, j, op, args, cfname, optparams, noconf, sep)
    finally:
        if j.jfile:
            j.jfile.close()


def _load(ctx, j, cfname):
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


def _dispatch(ctx, j, op, args, cfname, optparams, noconf, sep):
    if sep is not None:
        for cj in _load(ctx, j, cfname):
            ctx.print(sep.join(n if not v else f"{n}={','.join(quoted(x) for x in v)}" for n, v in cj.params))
        return 0
    if not op:
        # legacy style: path hostname ip[,ip...] command...
        if len(args) < 4 or not args[0].startswith("/"):
            ctx.err.write(USAGE)
            return 1
        params = [["path", [args[0]]], ["host.hostname", [args[1]]]]
        ip4 = [a for a in args[2].split(",") if a and ":" not in a]
        ip6 = [a for a in args[2].split(",") if a and ":" in a]
        if ip4:
            params.append(["ip4.addr", ip4])
        if ip6:
            params.append(["ip6.addr", ip6])
        params = optparams + params + [["command", args[3:]]]
        job = Job(None, params)
        job.legacy = True
        return _create_one(ctx, j, job)
    cmdline = ("c" in op or "m" in op) and (len(args) > 1 or (len(args) == 1 and "=" in args[0]))
    if op <= {"r", "R"} and not ("c" in op or "m" in op):
        if not args:
            ctx.err.write(USAGE)
            return 1
        if "r" in op and any("=" in a for a in args):
            ctx.err.write(USAGE)
            return 1
        confjails = []
        path = cfname or CONF
        if "R" not in op and (path == "-" or os.path.exists(ctx.path(path))):
            confjails = _load(ctx, j, cfname)
            j.docf = True
        wildcard = any(jailconf.wild_jail_name(a) for a in args)
        j.note_remove = j.docf or len(args) > 1 or wildcard
        return _remove_args(ctx, j, args, confjails, "R" not in op)
    if cmdline or noconf:
        if "R" in op:
            ctx.err.write(USAGE)
            return 1
        job = Job(None, _cmdline_params(args, optparams))
        if "r" in op:
            return _restart_or_modify(ctx, j, job, op)
        return _create_one(ctx, j, job) if op == {"c"} else _restart_or_modify(ctx, j, job, op)
    # from the config file
    confjails = _load(ctx, j, cfname)
    j.docf = True
    if len(args) > 1:
        ctx.err.write(USAGE)
        return 1
    if args and jailconf.wild_jail_name(args[0]):
        sel = [c for c in confjails if jailconf.wild_jail_match(c.name, args[0]) or args[0] == "*"]
    elif args:
        sel = [c for c in confjails if c.name == args[0]]
        if not sel:
            if "r" in op and "c" not in op:
                return _remove_args(ctx, j, args, [], True)
            # src: jail.c main(): a named jail missing from the file
            ctx.warnx(f'"{args[0]}" not found')
            return 1
    else:
        sel = confjails
    j.note_remove = True
    rc = 0
    for c in sel:
        if c.errors:
            rc = 1
            continue
        job = Job(c.name, [[n, list(v)] for n, v in c.params])
        rc |= _restart_or_modify(ctx, j, job, op) if op != {"c"} else _create_one(ctx, j, job)
    return rc


def _create_one(ctx, j, job):
    try:
        j.create(job, ctx.jid)
    except Failed:
        return 1
    return 0


def _lookup(ctx, job):
    key = job.string("jid") or job.string("name") or job.cname
    state = kernel.read_state()
    return jails.find(state, key, ctx.jid) if key is not None else None


def _restart_or_modify(ctx, j, job, op):
    try:
        rec = _lookup(ctx, job)
        if "r" in op and "c" in op and "m" not in op:
            if rec is not None:
                j.remove(job, rec, True)
            j.create(job, ctx.jid)
            return 0
        if "m" in op:
            if rec is None:
                if "c" in op:
                    j.create(job, ctx.jid)
                    return 0
                j.qwarn(job, "not found")
                return 1
            if "r" in op:
                kparams = j.split(job)
                if any(jails.PARAMS[p][1] == "RDTUN" and rec.get(p) != v for p, v in kparams.items() if p != "jid"):
                    j.remove(job, rec, True)
                    j.create(job, ctx.jid)
                    return 0
            j.modify(job, rec, ctx.jid)
            return 0
        if "r" in op:
            if rec is None:
                if j.verbose >= 0:
                    j.qwarn(job, "not found")
                return 1
            j.remove(job, rec, True)
            return 0
        return _create_one(ctx, j, job)
    except Failed:
        return 1


def _remove_args(ctx, j, args, confjails, use_conf):
    state = kernel.read_state()
    rc = 0
    for a in args:
        if jailconf.wild_jail_name(a):
            recs = [
                r
                for r in jails.visible(state, ctx.jid).values()
                if a == "*" or jailconf.wild_jail_match(jails.relname(state, ctx.jid, r), a)
            ]
            recs.sort(key=lambda r: r["jid"], reverse=True)
        else:
            r = jails.find(state, a, ctx.jid)
            if r is None:
                if j.verbose >= 0:
                    ctx.warnx(f'"{a}" not found')
                rc = 1
                continue
            recs = [r]
        for rec in recs:
            name = jails.relname(state, ctx.jid, rec)
            conf = next((c for c in confjails if c.name == name), None)
            if conf is not None:
                job = Job(conf.name, [[n, list(v)] for n, v in conf.params])
            else:
                job = Job(name if j.docf else None, [["name", [name]]])
                if use_conf and not j.docf:
                    job = Job(None, [["name", [name]]])
            try:
                j.remove(job, rec, use_conf)
            except Failed:
                rc = 1
    return rc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(tool.Ctx("jail"), sys.argv[1:]))
