"""rc.d/devfs: load the devfs rulesets and apply the system ruleset to /dev.

src: libexec/rc/rc.d/devfs devfs_start() (from memory, UNVERIFIED in detail):
when ``devfs_system_ruleset`` or ``devfs_set_rulesets`` is set, or
``devfs_load_rulesets`` is YES, run rc.subr's devfs_init_rulesets (every file
of ``devfs_rulesets``), then ``devfs_set_ruleset``/``devfs_apply_ruleset`` of
``devfs_system_ruleset`` on /dev and of each ``/dir=ruleset_name`` of
``devfs_set_rulesets``.  Prints nothing on success.
src: libexec/rc/rc.subr devfs_rulesets_from_file(): per ``[name=N]`` header
``devfs rule -s N delset`` then ``devfs rule -s N add ...`` for each line, with
``$name`` references expanded; devfs_set_ruleset() warns
``devfs_set_ruleset: you must specify a ruleset number`` for an unknown name.

Plain functions for other parts: ``load_rulesets(state, rc, root)`` and
``set_ruleset(state, name_or_number, mountpoint, env)``.
"""

from .. import devfsrules, kernel, mounts, rcconf

NAME = "devfs"
RCVAR = None
DESC = "Device filesystem"
COMMANDS = ()
JAIL_BOOT = False  # KEYWORD: nojail


def load_rulesets(state, rc, root="/"):
    """devfs_init_rulesets on a locked state; returns (warnings, {ruleset name: number})."""
    files = (rc.get("devfs_rulesets") or "/etc/defaults/devfs.rules /etc/devfs.rules").split()
    return devfsrules.load_files(state, files, root)


def set_ruleset(state, name, mountpoint, env):
    """devfs_set_ruleset + devfs_apply_ruleset; returns a list of warnings."""
    number = env.get(name)
    if number is None:
        return ["devfs_set_ruleset: you must specify a ruleset number",
                "devfs_apply_ruleset: you must specify a ruleset"]  # fmt: skip
    rec = mounts.mounted(state, mountpoint)
    if rec is None or rec["fstype"] != "devfs":
        return ["devfs ruleset: ioctl DEVFSIO_SUSE: Inappropriate ioctl for device",
                f"devfs_set_ruleset: unable to set ruleset {number} to {mountpoint}"]  # fmt: skip
    devfsrules.use(state, rec, int(number))
    devfsrules.applyset(state, rec, int(number))
    return []


def start(ctx, rc, args):
    system = rc.get("devfs_system_ruleset", "")
    sets = rc.get("devfs_set_rulesets", "")
    if not (system or sets or rcconf.yes(rc.get("devfs_load_rulesets"))):
        return 0
    warnings = []
    with kernel.Kernel() as k:
        w, env = load_rulesets(k.state, rc, ctx.root or "/")
        warnings += w
        if system:
            warnings += set_ruleset(k.state, system, "/dev", env)
        for item in sets.split():
            d, _eq, s = item.rpartition("=")
            warnings += set_ruleset(k.state, s, ctx.path(d), env)
    for w in warnings:
        ctx.err.write(f"/etc/rc.d/devfs: WARNING: {w}\n" if not w.startswith("devfs rule") else w + "\n")
    return 0


def stop(ctx, rc, args):
    return 0  # stop_cmd=':'
