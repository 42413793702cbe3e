"""Run the collection against simulated FreeBSD hosts and look at what it left behind.

The reliability suite tries the collection as a careless or hostile user would:
bad inputs (the task must fail, name the field, and leave the host byte-identical),
injected faults (valid configuration afterwards, convergence with changed=0 on the
run after), symlinks planted in a jail's root, and ownership (what the collection
did not write is never touched).  Everything goes through ``ansible-playbook`` and
the real collection; the hosts are the simulator's boxes (tests/sim/simhost).
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SIMHOST = os.path.join(REPO, "tests", "sim", "simhost")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

WORLD = "/usr/local/jails"
GOOD = "good1"
HAND = "handj"
GOOD_IP = "192.0.2.61"

# A jail.conf written by hand: a comment, a global setting and a jail the collection never declared.
HAND_CONF = """# written by hand
exec.clean;

handj {
    path = "/usr/local/jails/handj";
    host.hostname = "handj.example.org";
    ip4.addr = 192.0.2.62;
    persist;
}
"""


# Parts of a box's overlay that are not the host's configuration: scratch space,
# Ansible's own temp files, the simulator's mounts.
_VOLATILE = ("tmp/", "var/tmp/", "root/.ansible/", ".simhost/")
# Kernel state that changes without any change to the host (counters).
_VOLATILE_STATE = ("next_pid",)
_VOLATILE_KERNEL_FILES = ("calls.log", "faults.json", "lock", "stats_since")


def simhost(*argv, check=True, **kw):
    return subprocess.run([sys.executable, SIMHOST, *argv], capture_output=True, text=True, check=check, **kw)


class Host:
    """One simulated FreeBSD host."""

    def __init__(self, name, ip):
        self.name = name
        self.ip = ip

    @property
    def dir(self):
        return os.path.join(os.environ["SIMHOST_DIR"], self.name)

    # -------------------------------------------------------------- inside
    def run(self, *argv, input=None, check=False):
        cp = subprocess.run([sys.executable, SIMHOST, "run", self.name, "--", *argv],
                            input=input, capture_output=True, text=True, check=False)  # fmt: skip
        if check and cp.returncode != 0:
            raise AssertionError(f"{argv!r} failed ({cp.returncode}): {cp.stdout}{cp.stderr}")
        return cp

    def sh(self, script, check=True):
        return self.run("/bin/sh", "-c", script, check=check)

    def read(self, path):
        return self.run("cat", path, check=True).stdout

    def write(self, path, text):
        self.run("/bin/sh", "-c", 'cat > "$1"', "sh", path, input=text, check=True)

    def fault(self, tool, match=None, times=1, rc=1, stderr=None):
        argv = ["fault", self.name, tool, "--times", str(times), "--rc", str(rc)]
        if match:
            argv += ["--match", match]
        if stderr:
            argv += ["--stderr", stderr]
        simhost(*argv)

    # -------------------------------------------------------------- state
    def snapshot(self):
        """Every file the box wrote (content hash, mode, link target, whiteouts) and the kernel state."""
        upper = os.path.join(self.dir, "upper")
        files = {}
        for dirpath, dirs, names in os.walk(upper):
            dirs.sort()
            for n in sorted(dirs) + sorted(names):
                p = os.path.join(dirpath, n)
                rel = os.path.relpath(p, upper)
                if (rel + "/").startswith(_VOLATILE):
                    continue
                st = os.lstat(p)
                if os.path.islink(p):
                    files[rel] = ("link", os.readlink(p))
                elif os.path.isdir(p):
                    files[rel] = ("dir", oct(st.st_mode), st.st_uid, st.st_gid)
                elif os.path.isfile(p):
                    with open(p, "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                    files[rel] = ("file", oct(st.st_mode), st.st_uid, st.st_gid, digest)
                else:  # an overlay whiteout: the file was deleted
                    files[rel] = ("other", oct(st.st_mode), st.st_rdev)
        # The kernel's state: state.json without its volatile keys, and every other file of the kernel
        # directory (one file per jail, per mount, the indexes, the interfaces, pf: tests/sim/simfbsd) as
        # text, whatever the simulator's layout of its own state; the call log and the lock are not state.
        kdir = os.path.join(self.dir, "kernel")
        state = {}
        for dirpath, dirs, names in os.walk(kdir):
            dirs.sort()
            for n in sorted(names):
                rel = os.path.relpath(os.path.join(dirpath, n), kdir)
                if rel in _VOLATILE_KERNEL_FILES:
                    continue
                with open(os.path.join(dirpath, n), encoding="utf-8", errors="surrogateescape") as f:
                    state[rel] = f.read()
        kstate = json.loads(state.pop("state.json"))
        for k in _VOLATILE_STATE:
            kstate.pop(k, None)
        state["state.json"] = kstate
        jls = self.run("jls", "-n", check=True).stdout
        return {"files": files, "kernel": state, "jls -n": jls}

    # -------------------------------------------------------------- ansible
    def play(self, tasks, check=False, diff=False, extra_vars=None, roles_path=None, play_vars=None):
        """Run ``tasks`` (a list of task dicts) in one play; returns a PlayResult."""
        inv = simhost("inventory", self.name).stdout
        with tempfile.TemporaryDirectory(prefix="rel-") as d:
            with open(os.path.join(d, "inv.yml"), "w", encoding="utf-8") as f:
                f.write(inv)
            play = {"hosts": "all", "gather_facts": False, "tasks": tasks}
            if play_vars:
                play["vars"] = play_vars
            with open(os.path.join(d, "play.yml"), "w", encoding="utf-8") as f:
                json.dump([play], f)  # JSON is YAML
            argv = [ANSIBLE_PLAYBOOK, "-i", os.path.join(d, "inv.yml"), os.path.join(d, "play.yml")]
            if check:
                argv.append("--check")
            if diff:
                argv.append("--diff")
            if extra_vars:
                argv += ["-e", json.dumps(extra_vars)]
            env = dict(os.environ)
            env.update(
                ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
                ANSIBLE_CALLBACK_RESULT_FORMAT="json",
                ANSIBLE_NOCOLOR="1",
                ANSIBLE_RETRY_FILES_ENABLED="0",
                ANSIBLE_ROLES_PATH=roles_path or os.path.join(REPO, "roles"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"),
                ANSIBLE_DEPRECATION_WARNINGS="0",
            )
            cp = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=d, check=False)
        return PlayResult(self.name, cp)


class PlayResult:
    def __init__(self, host, cp):
        self.rc = cp.returncode
        self.stdout = cp.stdout
        self.stderr = cp.stderr
        self.tasks = []
        try:
            data = json.loads(cp.stdout)
        except ValueError:
            data = {"plays": []}
        for play in data.get("plays", []):
            for t in play.get("tasks", []):
                res = t.get("hosts", {}).get(host)
                if res is not None:
                    self.tasks.append((t["task"]["name"], res))
        self.stats = data.get("stats", {}).get(host, {})

    @property
    def failed(self):
        return self.rc != 0

    @property
    def changed(self):
        return self.stats.get("changed", 0)

    def failure(self):
        """(task name, message) of the first failed task."""
        for name, res in self.tasks:
            if res.get("failed") or res.get("unreachable"):
                msg = res.get("msg", "")
                if not isinstance(msg, str):
                    msg = json.dumps(msg)
                return name, msg
        return None, self.stderr[-2000:]

    def __repr__(self):
        return f"PlayResult(rc={self.rc}, failure={self.failure()!r}, stats={self.stats!r})"


def diff_snapshots(before, after):
    """Human-readable differences between two snapshots (empty: byte-identical)."""
    out = []
    bf, af = before["files"], after["files"]
    for k in sorted(set(bf) | set(af)):
        if bf.get(k) != af.get(k):
            out.append(f"{k}: {bf.get(k)} -> {af.get(k)}")
    for k in sorted(set(before["kernel"]) | set(after["kernel"])):
        if before["kernel"].get(k) != after["kernel"].get(k):
            out.append(f"kernel {k} changed")
    if before["jls -n"] != after["jls -n"]:
        out.append(f"jls -n: {before['jls -n']!r} -> {after['jls -n']!r}")
    return out


def prepare(host):
    """Worlds for good1 and handj, the hand-written jail running, good1 managed by the collection."""
    host.sh(f"for j in {GOOD} {HAND}; do mkdir -p {WORLD}/$j && tar -xf /usr/freebsd-dist/base.txz -C {WORLD}/$j; done")
    host.write("/etc/jail.conf", HAND_CONF)
    host.run("jail", "-c", HAND, check=True)
    host.run("sysrc", f"jail_list={HAND}", "jail_enable=YES", check=True)
    res = host.play(
        [
            {
                "name": "good1",
                "bsd.jails.jail": {
                    "name": GOOD,
                    "path": f"{WORLD}/{GOOD}",
                    "hostname": f"{GOOD}.example.org",
                    "ip4_addr": [GOOD_IP],
                    "rc_enable": True,
                },
            }
        ]
    )
    assert not res.failed, res
    return host
