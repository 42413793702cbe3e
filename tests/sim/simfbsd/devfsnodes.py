"""The nodes of a devfs mount and the rules that hide them.

src: sys/fs/devfs/devfs_rule.c (devfs_rule_match(), devfs_rule_matchpath(), devfs_rule_run()), the
device list of a 14.x amd64 VM.  mounts.py mounts devfs and calls devfs_apply(); devfsrules.py keeps
the rulesets and calls devfs_apply() when they change.  Nothing here locks the state.

How a devfs mount looks inside the box: a tmpfs mounted for real on the target holds one entry per
device node visible under its ruleset (char devices for null, zero, random, urandom: Linux's, so they
work; empty files for the rest, directories for pts/ and fd/); when the kernel refuses (not root),
the entries are created in the directory itself and removed again on unmount (_clear()).
"""

import os
import re

# The device nodes of the host's devfs (a 14.x amd64 VM on virtio/AHCI/NVMe).
# (name, devtype) with devtype one of disk, mem, tape, tty or "" - the
# D_DISK/D_MEM/D_TAPE/D_TTY cdevsw flag that devfs rules' "type" matches.
# Directories end in "/".
DEVICES = [
    ("acpi", ""), ("apm", ""), ("apmctl", ""), ("audit", ""), ("auditpipe", ""), ("bpf", ""), ("bpf0", ""),
    ("bpsm0", ""), ("console", "tty"), ("consolectl", ""), ("crypto", ""), ("ctty", "tty"),
    ("cuau0", "tty"), ("cuau0.init", "tty"), ("cuau0.lock", "tty"), ("devctl", ""), ("devctl2", ""),
    ("devstat", ""), ("fd/", ""), ("fd/0", ""), ("fd/1", ""), ("fd/2", ""), ("fido/", ""), ("full", ""),
    ("fuse", ""), ("geom.ctl", ""), ("gpt/", ""), ("gpt/gptboot0", "disk"), ("io", "mem"), ("kbd0", ""),
    ("kbd1", ""), ("kbdmux0", ""), ("klog", ""), ("kmem", "mem"), ("log", ""), ("mdctl", ""),
    ("md0", "disk"), ("mem", "mem"), ("midistat", ""), ("mlx5ctl", ""), ("netdump", ""), ("netmap", ""),
    ("null", ""), ("nvme0", ""), ("nvme0ns1", ""), ("nda0", "disk"), ("nvd0", "disk"), ("ada0", "disk"),
    ("ada0p1", "disk"), ("ada0p2", "disk"), ("ada0p3", "disk"), ("da0", "disk"), ("pass0", ""), ("pci", ""),
    ("pf", ""), ("ptmx", ""), ("pts/", ""), ("pts/0", "tty"), ("random", ""), ("reroot/", ""),
    ("reroot/reroot", ""), ("sa0", "tape"), ("sndstat", ""), ("stderr", ""), ("stdin", ""), ("stdout", ""),
    ("sysmouse", ""), ("tcp_log", ""), ("ttyu0", "tty"), ("ttyu0.init", "tty"), ("ttyu0.lock", "tty"),
    ("ttyv0", "tty"), ("ttyv1", "tty"), ("ttyv2", "tty"), ("ttyv3", "tty"), ("ttyv4", "tty"),
    ("ttyv5", "tty"), ("ttyv6", "tty"), ("ttyv7", "tty"), ("ufssuspend", ""), ("urandom", ""),
    ("usb/", ""), ("usbctl", ""), ("vtbd0", "disk"), ("vtbd0p1", "disk"), ("vtbd0p2", "disk"),
    ("vtbd0p3", "disk"), ("xpt0", ""), ("zero", ""), ("zfs", ""),
]  # fmt: skip
DEVTYPE = dict(DEVICES)
# Nodes that are real character devices in the box (Linux major, minor), so they work in a jail.
CHARDEVS = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9)}
# devfs symlinks: stdin/stdout/stderr -> fd/0..2, log -> /var/run/log, urandom is a node in 14.x
SYMLINKS = {"stdin": "fd/0", "stdout": "fd/1", "stderr": "fd/2", "log": "/var/run/log"}


_GLOB_CACHE = {}


def path_match(pattern, path):
    """fnmatch(3) with FNM_PATHNAME: ``*``/``?``/``[..]`` never match ``/``.

    src: sys/fs/devfs/devfs_rule.c devfs_rule_matchpath() - fnmatch(pattern, path, FNM_PATHNAME)
    """
    rx = _GLOB_CACHE.get(pattern)
    if rx is None:
        parts = []
        i = 0
        while i < len(pattern):
            c = pattern[i]
            if c == "*":
                parts.append("[^/]*")
            elif c == "?":
                parts.append("[^/]")
            elif c == "[":
                j = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
                if j < 0:
                    parts.append(re.escape(c))
                else:
                    body = pattern[i + 1 : j]
                    if body.startswith("!"):
                        body = "^" + body[1:]
                    parts.append("(?!/)[" + body.replace("\\", "\\\\") + "]")
                    i = j
            elif c == "\\" and i + 1 < len(pattern):
                i += 1
                parts.append(re.escape(pattern[i]))
            else:
                parts.append(re.escape(c))
            i += 1
        rx = re.compile("".join(parts) + r"\Z")
        _GLOB_CACHE[pattern] = rx
    return rx.match(path) is not None


def rule_matches(rule, name):
    """Conditions of one rule against one node (``name`` without the trailing / of directories)."""
    types = rule.get("types") or ([rule["type"]] if rule.get("type") else [])
    # Directories and symlinks have no cdev: a type condition never matches them.
    # src: sys/fs/devfs/devfs_rule.c devfs_rule_match()
    if types and (name + "/" in DEVTYPE or name in SYMLINKS or DEVTYPE.get(name, "") not in types):
        return False
    return rule.get("path") is None or path_match(rule["path"], name)


def run_rules(rulesets, number, name, hidden, depth=0):
    """Apply ruleset ``number`` to node ``name``; returns the new hidden flag.

    src: sys/fs/devfs/devfs_rule.c devfs_rule_run(): hide, then unhide, then include.
    """
    if depth > 100:  # devfs_rule_depth guard against include loops
        return hidden
    for rule in rulesets.get(str(number), []):
        if not rule_matches(rule, name):
            continue
        if rule.get("hide") or rule.get("action") == "hide":
            hidden = True
        if rule.get("unhide") or rule.get("action") == "unhide":
            hidden = False
        if rule.get("include") is not None:
            hidden = run_rules(rulesets, rule["include"], name, hidden, depth + 1)
    return hidden


def devfs_apply(state, rec, rules=None):
    """Run the mount's ruleset (or the given ad-hoc ``rules`` list) on every node, then re-populate."""
    rulesets = state.get("devfs_rulesets", {})
    hidden = set(rec.get("hidden", []))
    if rules is not None:
        rulesets = dict(rulesets, **{"__apply__": rules})
        number = "__apply__"
    else:
        number = rec.get("ruleset") or 0
    if number:
        for dev, _t in DEVICES:
            name = dev.rstrip("/")
            if run_rules(rulesets, number, name, name in hidden):
                hidden.add(name)
            else:
                hidden.discard(name)
    rec["hidden"] = sorted(hidden)
    if not rec.get("system"):
        _populate(rec)


def visible(rec):
    """Device names visible in a devfs mount: a node is reachable only if its directories are."""
    hidden = set(rec.get("hidden", []))
    out = []
    for dev, _t in DEVICES:
        name = dev.rstrip("/")
        parts = name.split("/")
        if any("/".join(parts[: i + 1]) in hidden for i in range(len(parts))):
            continue
        out.append(dev)
    return out


def _populate(rec):
    target = rec["target"]
    want = visible(rec)
    have = set()
    for dirpath, dirs, files in os.walk(target):
        rel = os.path.relpath(dirpath, target)
        for d in dirs:
            have.add(os.path.normpath(os.path.join(rel, d)) + "/")
        for f in files:
            have.add(os.path.normpath(os.path.join(rel, f)))
    _clear(target, have - set(want))
    for dev in want:
        if dev in have:
            continue
        p = os.path.join(target, dev.rstrip("/"))
        try:
            if dev.endswith("/"):
                os.makedirs(p, exist_ok=True)
            elif dev in SYMLINKS:
                os.symlink(SYMLINKS[dev], p)
            elif dev in CHARDEVS:
                try:
                    os.mknod(p, 0o20666, os.makedev(*CHARDEVS[dev]))
                    os.chmod(p, 0o666)
                except OSError:
                    open(p, "w").close()
            else:
                open(p, "w").close()
        except FileExistsError:
            pass
        except FileNotFoundError:
            pass


def _clear(target, entries):
    """Remove these entries of a devfs mount's directory, deepest first."""
    for dev in sorted(entries, key=len, reverse=True):
        p = os.path.join(target, dev.rstrip("/"))
        try:
            if dev.endswith("/") and not os.path.islink(p):
                os.rmdir(p)
            else:
                os.unlink(p)
        except OSError:
            pass
