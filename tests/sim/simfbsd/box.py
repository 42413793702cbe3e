"""Host (Linux) side of the simulator: boxes and how to get into them.

A box is $SIMHOST_DIR/NAME/:
  upper/ work/ merged/   the overlay of / (upper holds everything the box wrote)
  kernel/                box.json, state.json, lock, calls.log, faults.json
                         (bind-mounted at /.simhost/kernel inside the box)
  holder.pid             pid of the process that keeps the namespace
  python                 the interpreter wrapper Ansible uses for this host
  ssh/                   the transport sshd's config, keys and log (simfbsd/transport.py)
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from . import kernel, paths, tool, transport

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
RELEASE_RE = re.compile(r"^1[3-5]\.[0-9]+-(RELEASE|STABLE|CURRENT|RC[0-9]+|BETA[0-9]+)(-p[0-9]+)?$")


class SimError(Exception):
    pass


def boxdir(name):
    return os.path.join(paths.sim_dir(), name)


def names():
    d = paths.sim_dir()
    if not os.path.isdir(d):
        return []
    return sorted(n for n in os.listdir(d) if os.path.exists(os.path.join(d, n, "kernel", kernel.BOX)))


def config(name):
    return kernel.box_config(os.path.join(boxdir(name), "kernel"))


def holder_pid(name):
    try:
        with open(os.path.join(boxdir(name), "holder.pid"), encoding="utf-8") as f:
            pid = int(f.read().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid):
    """True while pid runs; a zombie (our own exited child, not yet reaped) is reaped and dead."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    if state == "Z":
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        return False
    return True


def _host_dir(path):
    """Where a FreeBSD path lands on this Linux root (/bin -> /usr/bin on merged-/usr Debian)."""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def _install_tree(src, upper):
    """Copy data/ (FreeBSD files, laid out from /) into the upper dir."""
    for dirpath, _dirs, files in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        for fname in files:
            dest = _host_dir("/" + os.path.normpath(os.path.join(rel, fname)))
            target = os.path.join(upper, dest.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(dirpath, fname), target)


def _write(upper, path, text, mode=0o644):
    target = os.path.join(upper, _host_dir(path).lstrip("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(target, mode)


def _rc_conf(box):
    lines = [
        f'hostname="{box["name"]}"',
        f'ifconfig_vtnet0="inet {box["ip"]} netmask 255.255.255.0"',
        f'defaultrouter="{box["gateway"]}"',
    ]
    if box.get("ip6"):
        lines.append(f'ifconfig_vtnet0_ipv6="inet6 {box["ip6"]} prefixlen 64"')
    # What bsdinstall(8) writes for a server install: sshd on, no crash dumps.
    lines += ['sshd_enable="YES"', 'dumpdev="NO"']
    return "\n".join(lines) + "\n"


def create(
    name, ip="192.0.2.10", ip6=None, release="14.3-RELEASE", with_src=False, with_named=False, ssh=True, dists=()
):
    if not NAME_RE.match(name or ""):
        raise SimError(f"invalid box name {name!r}: lower-case letters, digits and '-', starting with a letter")
    for r in (release, *dists):
        if not RELEASE_RE.match(r):
            raise SimError(f"invalid release {r!r} (e.g. 14.3-RELEASE)")
    if os.geteuid() != 0:
        raise SimError("simhost needs root (it uses Linux mount and UTS namespaces)")
    d = boxdir(name)
    if os.path.exists(d):
        raise SimError(f"box {name} already exists ({d})")
    octets = ip.split(".")
    box = {
        "name": name,
        "ip": ip,
        "ip6": ip6,
        "gateway": ".".join([*octets[:3], "1"]),
        "release": release,
        "with_src": with_src,
        "with_named": with_named,
        "dists": sorted(set(dists)),
        "ether": "58:9c:fc:%02x:%02x:%02x" % tuple(int(o) for o in octets[1:4]),
        "lib": paths.SIM_ROOT,
        "created": time.time(),
        # The transport sshd's loopback address (None: the box is reached by the local connection only).
        "ssh_addr": transport.pick_address({config(n).get("ssh_addr") for n in names()}) if ssh else None,
    }
    for sub in ("upper", "work", "merged", "kernel"):
        os.makedirs(os.path.join(d, sub))
    upper = os.path.join(d, "upper")
    _install_tree(os.path.join(paths.DATA_DIR, "root"), upper)
    # master.passwd holds the password hashes: mode 600 as on FreeBSD (git keeps only the x bit)
    os.chmod(os.path.join(upper, "etc/master.passwd"), 0o600)
    # var/db/freebsd-update: freebsd-update(8)'s default WorkDir (src: etc/mtree/BSD.var.dist)
    for empty in ("etc/jail.conf.d", "var/run", "usr/local/etc/rc.d", "var/db/freebsd-update"):
        os.makedirs(os.path.join(upper, empty), exist_ok=True)
    for tname, tpath in tool.TOOLS.items():
        _write(upper, tpath, tool.SHIM.format(python=paths.BOX_PYTHON, name=tname), 0o755)
    rel = release
    _write(upper, "/etc/rc.conf", _rc_conf(box))
    _write(
        upper,
        "/etc/os-release",
        f'NAME=FreeBSD\nVERSION="{rel}"\nVERSION_ID="{rel.split("-")[0]}"\nID=freebsd\nANSI_COLOR="0;31"\n'
        f'PRETTY_NAME="FreeBSD {rel}"\nCPE_NAME="cpe:/o:freebsd:freebsd:{rel.split("-")[0]}"\n'
        'HOME_URL="https://FreeBSD.org/"\nBUG_REPORT_URL="https://bugs.FreeBSD.org/"\n',
    )
    kdir = os.path.join(d, "kernel")
    kernel.write_json_atomic(os.path.join(kdir, kernel.BOX), box)
    kernel.write_json_atomic(os.path.join(kdir, kernel.STATE), kernel.fresh_state(box))
    _write_wrapper(name)
    if ssh:
        transport.setup(d, box)
    _precompile()
    for hook in _create_hooks():
        hook(box, upper)
    start(name)
    boot(name)
    reset_stats(name)
    return os.path.join(d, "python")


def _create_hooks():
    """Extra set-up steps contributed by simulator parts (e.g. the src tree for --with-src)."""
    hooks = []
    try:
        from . import world

        hooks.append(world.create_hook)
    except ImportError:
        pass
    return hooks


def _precompile():
    """Byte-compile the simulator once, with the boxes' interpreter.

    The code is bind-mounted read-only into every box, so a tool call could not
    cache its bytecode there and compiled every module it imported on every call
    (~60 ms for jail(8)).  compileall skips up-to-date files; a checkout we may
    not write to only loses the speed.
    """
    subprocess.run(
        [paths.BOX_PYTHON, "-m", "compileall", "-q", os.path.join(paths.SIM_ROOT, "simfbsd")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def _write_wrapper(name):
    d = boxdir(name)
    merged = os.path.join(d, "merged")
    text = f"""#!/bin/sh
# Python interpreter of the simulated FreeBSD host {name} (generated by simhost).
# Enters the box's namespace and root, then runs Python with os.uname() reporting FreeBSD.
pid=$(cat '{d}/holder.pid' 2>/dev/null)
if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
    echo "simhost: box {name} is not running (simhost create/reboot)" >&2
    exit 127
fi
exec nsenter -t "$pid" -m -u chroot '{merged}' /usr/bin/env PATH='{paths.FREEBSD_PATH}' \\
    PYTHONPATH=/.simhost/lib/simfbsd/pyshim SIMFBSD_CWD="$PWD" {paths.BOX_PYTHON} "$@"
"""
    path = os.path.join(d, "python")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o755)


def start(name):
    d = boxdir(name)
    if holder_pid(name):
        return
    try:
        os.unlink(os.path.join(d, "holder.pid"))
    except FileNotFoundError:
        pass
    log = open(os.path.join(d, "holder.log"), "ab")  # noqa: SIM115 - handed to the child
    subprocess.Popen(
        ["unshare", "--mount", "--uts", "--propagation", "private", sys.executable, "-S",
         os.path.join(paths.SIM_ROOT, "simfbsd", "holder.py"), d],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True,
    )  # fmt: skip
    log.close()
    deadline = time.time() + 10
    while time.time() < deadline:
        pid = holder_pid(name)
        if pid:
            try:
                transport.start(d, config(name), pid)
            except transport.TransportError as exc:
                raise SimError(f"box {name}: {exc}") from exc
            return
        time.sleep(0.01)
    raise SimError(f"box {name}: holder did not start, see {d}/holder.log")


def stop(name):
    pid = holder_pid(name)
    transport.stop(boxdir(name), pid)
    if not pid:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 10
    while time.time() < deadline and _alive(pid):
        time.sleep(0.01)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def enter_argv(name, argv, env=None):
    """argv that runs ``argv`` inside the box, as root at /, with FreeBSD's PATH."""
    pid = holder_pid(name)
    if not pid:
        raise SimError(f"box {name} is not running")
    merged = os.path.join(boxdir(name), "merged")
    envs = [f"PATH={paths.FREEBSD_PATH}", "HOME=/root", "USER=root", "SHELL=/bin/sh"]
    envs += [f"{k}={v}" for k, v in (env or {}).items()]
    return ["nsenter", "-t", str(pid), "-m", "-u", "chroot", merged, "/usr/bin/env", "-i", *envs, *argv]


def ssh_argv(name, argv):
    """ssh(1) argv that runs argv in the box through its transport sshd."""
    if not os.path.isdir(boxdir(name)):
        raise SimError(f"no such box: {name}")
    cfg = config(name)
    if not cfg.get("ssh_addr"):
        raise SimError(f"box {name} has no transport sshd (made with create --no-ssh)")
    return transport.ssh_argv(cfg, argv)


def run(name, argv, env=None, **kw):
    if not os.path.isdir(boxdir(name)):
        raise SimError(f"no such box: {name}")
    check = kw.pop("check", False)
    return subprocess.run(enter_argv(name, argv, env), check=check, **kw)


def boot(name):
    """Run the boot sequence FreeBSD's rc(8) would, inside the box (simfbsd.boot)."""
    cp = run(
        name,
        [paths.BOX_PYTHON, "-SE", "-c", "import sys; sys.path.insert(0, '/.simhost/lib'); "
         "from simfbsd.boot import main; sys.exit(main())"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    with open(os.path.join(boxdir(name), "boot.log"), "a", encoding="utf-8") as f:
        f.write(cp.stdout + cp.stderr)
    if cp.returncode != 0:
        raise SimError(f"box {name}: boot failed (rc {cp.returncode}):\n{cp.stdout}{cp.stderr}")
    return cp.stdout


def connect(name, addr, port, proto="tcp", from_jail=None):
    """``simhost connect``: pf.connect_in / pf.connect_out on the box's kernel state, as JSON."""
    code = (
        "import sys, json; sys.path.insert(0, '/.simhost/lib'); from simfbsd import kernel, pf; "
        "st = kernel.read_state(); a = json.loads(sys.argv[1]); "
        "ext = pf.iface_of(st, kernel.box_config()['ip']); "
        "r = pf.connect_out(st, a[3], a[0], a[1], a[2], ext) if a[3] else pf.connect_in(st, a[0], a[1], a[2]); "
        "print(json.dumps(r, indent=1, sort_keys=True)); sys.exit(0 if r['reached'] else 1)"
    )
    arg = json.dumps([addr, port, proto, from_jail])
    return run(name, [paths.BOX_PYTHON, "-SE", "-c", code, arg], capture_output=True, text=True, check=False)


def reboot(name):
    """Power-cycle: processes, jails, mounts and runtime sysctls are gone; files stay; rc runs again."""
    cfg = config(name)
    stop(name)
    kdir = os.path.join(boxdir(name), "kernel")
    kernel.write_json_atomic(os.path.join(kdir, kernel.STATE), kernel.fresh_state(cfg))
    start(name)
    return boot(name)


def destroy(name):
    d = boxdir(name)
    if not os.path.isdir(d):
        raise SimError(f"no such box: {name}")
    stop(name)
    # The namespace is gone with its holder; nothing of the box is mounted on the Linux side.
    shutil.rmtree(d)


def inventory(box_names, group=None, ssh=False):
    hosts = {}
    for n in box_names:
        if not os.path.isdir(boxdir(n)):
            raise SimError(f"no such box: {n}")
        cfg = config(n)
        if ssh:
            if not cfg.get("ssh_addr"):
                raise SimError(f"box {n} has no transport sshd (made with create --no-ssh)")
            hosts[n] = {"ansible_connection": "ssh", **transport.inventory_vars(cfg)}
        else:
            hosts[n] = {
                "ansible_connection": "local",
                "ansible_python_interpreter": os.path.join(boxdir(n), "python"),
            }
        hosts[n]["sim_ip"] = cfg["ip"]
        if cfg.get("ip6"):
            hosts[n]["sim_ip6"] = cfg["ip6"]
    inv = {"all": {"hosts": hosts}} if not group else {"all": {"children": {group: {"hosts": hosts}}}}
    return inv


def add_fault(name, tool_name, match=None, times=1, rc=1, stderr=None):
    if tool_name not in tool.TOOLS:
        raise SimError(f"unknown tool {tool_name!r}; known: {', '.join(sorted(tool.TOOLS))}")
    if match:
        re.compile(match)
    kdir = os.path.join(boxdir(name), "kernel")
    path = os.path.join(kdir, kernel.FAULTS)
    with kernel.Kernel(kdir):  # the same lock the tools take
        try:
            with open(path, encoding="utf-8") as f:
                faults = json.load(f)
        except FileNotFoundError:
            faults = []
        faults.append({"tool": tool_name, "match": match, "times": times, "rc": rc, "stderr": stderr})
        kernel.write_json_atomic(path, faults)


# ------------------------------------------------------------------ stats

_SKIP_WRITES = ("tmp/", "root/.ansible/", ".simhost/")


def reset_stats(name):
    kdir = os.path.join(boxdir(name), "kernel")
    with kernel.Kernel(kdir):
        open(os.path.join(kdir, kernel.CALLS), "w").close()
        with open(os.path.join(kdir, "stats_since"), "w", encoding="utf-8") as f:
            f.write(repr(time.time()))


def stats(name):
    """Tool calls and files written in the box since the last reset.

    Files written are the files of the overlay's upper dir whose change time
    is after the reset: any write, create, rename into place or chmod counts,
    once per file.
    """
    d = boxdir(name)
    kdir = os.path.join(d, "kernel")
    try:
        with open(os.path.join(kdir, "stats_since"), encoding="utf-8") as f:
            since = float(f.read())
    except FileNotFoundError:
        since = 0.0
    calls = {}
    total = 0
    try:
        with open(os.path.join(kdir, kernel.CALLS), encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                calls[rec["tool"]] = calls.get(rec["tool"], 0) + 1
                total += 1
    except FileNotFoundError:
        pass
    upper = os.path.join(d, "upper")
    written = []
    for dirpath, _dirs, files in os.walk(upper):
        for fname in files:
            p = os.path.join(dirpath, fname)
            rel = os.path.relpath(p, upper)
            if rel.startswith(_SKIP_WRITES):
                continue
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            if st.st_ctime > since:
                written.append("/" + rel)
    return {"calls": dict(sorted(calls.items())), "calls_total": total, "writes": len(written),
            "written": sorted(written), "since": since}  # fmt: skip
