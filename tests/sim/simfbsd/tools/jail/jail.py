"""jail(8)'s jail.c: main(), create_jail(), update_jail(), print_jail(), usage().

src: usr.sbin/jail/jail.c main()/create_jail()/update_jail()/print_jail()/quoted_print().
"""

import os

from ... import bsdgetopt, jails, kernel, kstate
from . import config, state
from .command import Commands, mounts, netif
from .config import ConfigOps, Failed, Job, _atoi

USAGE = """usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            -[cmr] param=value ... [command=command ...]
       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]
       jail [-qv] [-f file] -[rR] ['*' | jail ...]
       jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            [-n jailname] [-s securelevel]
            path hostname [ip[,...]] command ...
"""  # src: usr.sbin/jail/jail.c usage() (14.x: the -e separator option)


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


class Jail(Commands, ConfigOps):
    """jail(8) run: create, remove, modify, write the -J file."""

    def usage(self):
        """src: jail.c usage(): the text on stderr, exit 1."""
        self.ctx.err.write(USAGE)
        return 1

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
        # src: jail.c create_jail(): dopersist = !persist && (exec.start || command || exec.poststart)
        # -- the parameter being there is enough, even with an empty value
        dopersist = not persist and any(job.get(w) is not None for w in ("exec.start", "command", "exec.poststart"))
        stage = []
        rec = None
        try:
            for c in job.get("exec.prepare") or []:
                self.run(job, None, "exec.prepare", c)
            for alias, argv, _down in self.aliases(job):
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
            temp_persist = dopersist
            kp = dict(kparams)
            if temp_persist or persist:
                kp["persist"] = True
            with kernel.Kernel() as k:
                if name is not None and jails.find(k.state, name, ctx_jid, dying=True) is not None:
                    self.qwarn(job, "already exists")
                    raise Failed
                if not kp.get("persist"):
                    # src: sys/kern/kern_jail.c kern_jail_set(): JAIL_CREATE without JAIL_ATTACH and
                    # without PR_PERSIST -> EINVAL "new jail must persist or attach"; jail.c
                    # create_jail(): jail_warnx("%s", jail_errmsg), failed() (exit 1, mounts undone)
                    self.warn(job, "new jail must persist or attach")
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
            # src: jail.c startcommands[]: ... IP__OP, IP_EXEC_CREATED, IP_ZFS_DATASET, IP_VNET_INTERFACE,
            # IP_EXEC_START, IP_COMMAND, IP_EXEC_POSTSTART
            for w in ("exec.created", "vnet.interface", "exec.start", "command", "exec.poststart"):
                if w == "vnet.interface":
                    self.vnet_interfaces(job, rec, ctx_jid)
                    continue
                if w == "command" and job.cname is None and job.get("command"):
                    self.run(job, rec, w, None, argv=list(job.get("command")))
                    continue
                for c in job.get(w) or []:
                    self.run(job, rec, w, c)
            with kernel.Kernel() as k:
                cur = kstate.jail(k.state, rec["jid"])
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

    def vnet_interfaces(self, job, rec, ctx_jid):
        """src: command.c run_command() IP_VNET_INTERFACE: "/sbin/ifconfig IF vnet JID" for each interface
        (the value is a comma-separated list, config.c splits it like the address lists).  Nothing at stop:
        the kernel returns the interfaces when the jail dies (netif.vnet_return_all())."""
        for ifname in [x for v in job.get("vnet.interface") or [] for x in v.split(",") if x]:
            argv = ["/sbin/ifconfig", ifname, "vnet", str(rec["jid"])]
            if self.verbose > 0:
                self.note(job, f"run command: {' '.join(argv)}")
            with kernel.Kernel() as k:
                try:
                    netif.vnet_move(k.state, ifname, rec["jid"], ctx_jid)
                except netif.NetifError as exc:
                    self.ctx.err.write(f"ifconfig: {exc}\n")
                    self.warn(job, f"{' '.join(argv)}: failed")
                    raise Failed from None

    def remove(self, job, rec, use_conf):
        """jail -r: src: jail.c stopcommands[]: exec.prestop, exec.stop, stop.timeout, IP__OP
        (jail_remove, "removed"), exec.poststop, then the mounts and aliases that the CURRENT
        parameters name (command.c next_command()/run_command(); see stop_mounts_and_aliases()).

        ``use_conf`` False: jail -R, or a running jail not in jail.conf (state.c start_state()
        add_jail() with no parameters): "no removal-related parameters for this jail will be
        used" (jail.8 -R) -- no exec.*, no unmount, no alias removal.
        """
        conf = job if use_conf else Job(job.cname, [])
        for w in ("exec.prestop", "exec.stop"):
            for c in conf.get(w) or []:
                self.run(conf, rec, w, c)
        # src: command.c term_procs() (IP_STOP_TIMEOUT, run even with no parameters, -R too):
        # SIGTERM to every process of the jail, then wait up to stop.timeout (default
        # DEFAULT_STOP_TIMEOUT 10; 0: no SIGTERM at all) before jail_remove(2).  A simulated
        # process has no handler, so SIGTERM ends it at once and the wait never runs out.
        timeout = conf.string("stop.timeout")
        if (_atoi(timeout) if timeout is not None else 10) != 0:
            with kernel.Kernel() as k:
                pids = sorted(p["pid"] for p in jails.jail_procs(k.state, rec["jid"]))
                for pid in pids:
                    kernel.kill(k.state, pid)
            if pids and self.verbose > 0:
                self.note(job, "sent SIGTERM to:" + "".join(f" {pid}" for pid in pids))
        with kernel.Kernel() as k:
            cur = kstate.jail(k.state, rec["jid"])
            if cur is None:
                return
            jails.remove_record(k.state, rec["jid"])
        if self.verbose > 0 or (self.verbose == 0 and self.note_remove):
            self.note(job, "removed")
        failed = False
        for c in conf.get("exec.poststop") or []:
            try:
                self.run(conf, rec, "exec.poststop", c)
            except Failed:
                failed = True
        try:
            self.stop_mounts_and_aliases(conf)
        except Failed:
            failed = True
        for c in conf.get("exec.release") or []:
            self.run(conf, rec, "exec.release", c)
        if failed:
            raise Failed

    def modify(self, job, rec, ctx_jid):
        kparams = self.split(job)
        with kernel.Kernel() as k:
            cur = kstate.jail(k.state, rec["jid"])
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
            if not cur.get("persist") and not jails.jail_procs(k.state, cur["jid"]):
                # src: sys/kern/kern_jail.c kern_jail_set(): a prison losing its persist flag
                # drops the references persist held (PD_DEREF | PD_DEUREF); with no process left,
                # prison_deref() kills it -- the jail leaves jls
                jails.remove_record(k.state, cur["jid"])
        if self.verbose >= 0 and (job.cname or self.verbose > 0):
            self.note(job, "updated")

    def write_jfile(self, job, rec):
        """src: jail.c print_jail(fp, j, oldcl, running=1): ``jid=N`` then every parameter
        except jid, joined by ``separator`` (a tab unless -e gave one, 14.x)."""
        if not self.jfile:
            return
        if getattr(job, "legacy", False):
            # src: jail.c print_jail() oldcl: jid, path, hostname, addresses, command
            ips = ",".join((job.get("ip4.addr") or []) + (job.get("ip6.addr") or []))
            cmd = " ".join(job.get("command") or [])
            fields = [str(rec["jid"]), rec["path"], rec["host.hostname"], ips, cmd]
            self.jfile.write(self.separator.join(fields) + "\n")
            self.jfile.flush()
            return
        parts = [f"jid={rec['jid']}"]
        for n, vals in job.params:
            if n == "jid":
                continue
            parts.append(n if not vals else f"{n}={','.join(quoted(v) for v in vals)}")
        self.jfile.write(self.separator.join(parts) + "\n")
        self.jfile.flush()


def main(ctx, argv):
    j = Jail(ctx)
    # src: jail.c main(): getopt(argc, argv, "cde:f:hiJ:lmn:p:qrRs:u:U:v"), usage() on '?'
    parsed = bsdgetopt.parse(ctx, argv, "cde:f:hiJ:lmn:p:qrRs:u:U:v")
    if parsed is None:
        return j.usage()
    opts, args = parsed
    op = set()
    cfname = None
    optparams = []
    noconf = False
    sep = None
    for o, v in opts:
        if o in "cmrR":
            op.add(o)
        elif o == "e":
            sep = j.separator = v
        elif o == "f":
            cfname = v
        elif o == "h":
            optparams.append(["ip_hostname", []])
            noconf = True
        elif o == "i":
            j.iflag = True
            j.verbose = -1
        elif o == "J":
            try:
                j.jfile = open(ctx.path(v) if v.startswith("/") else v, "w")  # noqa: SIM115
            except OSError as exc:
                ctx.errx(1, f"open {v}: {exc.strerror}")
        elif o == "l":
            optparams.append(["exec.clean", []])
            noconf = True
        elif o == "n":
            optparams.append(["name", [v]])
            noconf = True
        elif o == "q":
            j.verbose = -1
        elif o == "s":
            optparams.append(["securelevel", [v]])
            noconf = True
        elif o == "u":
            optparams += [["exec.jail_user", [v]], ["exec.system_jail_user", []]]
            noconf = True
        elif o == "U":
            optparams += [["exec.jail_user", [v]], ["exec.system_jail_user", ["false"]]]
            noconf = True
        elif o == "v":
            j.verbose = 1
    try:
        if sep is not None:
            # src: jail.c show_jails()
            for cj in config.load(ctx, cfname):
                ctx.print(sep.join(n if not v else f"{n}={','.join(quoted(x) for x in v)}" for n, v in cj.params))
            return 0
        return state.dispatch(ctx, j, op, args, cfname, optparams, noconf)
    finally:
        if j.jfile:
            j.jfile.close()
