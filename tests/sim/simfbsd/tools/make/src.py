"""/usr/src's Makefile (Makefile, Makefile.inc1): buildworld, installworld, distribution, kernels."""

import os
import shutil
import time

from ._common import _build_seconds, _stop

OBJDIR = "/usr/obj/usr/src/amd64.amd64"


SRC_TARGETS = ("buildworld", "installworld", "distribution", "world", "buildkernel", "installkernel", "kernel")


def _banner(ctx, text):
    ctx.print("--------------------------------------------------------------")
    ctx.print(f">>> {text}")
    ctx.print("--------------------------------------------------------------")


def _now():
    return time.strftime("%a %b %d %H:%M:%S %Z %Y")


def src(ctx, where, targets, variables):
    from ... import world

    release = world.release_of_src(ctx.path("/")) or "14.3-RELEASE"
    destdir = variables.get("DESTDIR") or ctx.env.get("DESTDIR") or ""
    secs = _build_seconds(ctx)
    obj = ctx.path(OBJDIR)
    marker = os.path.join(obj, ".buildworld")
    stage = os.path.join(obj, "worldstage")
    if not targets:
        ctx.err.write("make: no target to make.\n\nmake: stopped in " + where + "\n")
        return 2
    for t in targets:
        if t not in SRC_TARGETS:
            ctx.err.write(f"make: don't know how to make {t}. Stop\n\nmake: stopped in {where}\n")
            return 2
    for t in targets:
        steps = {"world": ["buildworld", "installworld"], "kernel": ["buildkernel", "installkernel"]}.get(t, [t])
        for step in steps:
            if step == "buildworld":
                start = time.time()
                _banner(ctx, f"World build started on {_now()}")
                time.sleep(secs)
                if os.path.isdir(stage):
                    shutil.rmtree(stage)
                os.makedirs(stage, exist_ok=True)
                with open(ctx.path("/etc/defaults/rc.conf"), encoding="utf-8", errors="replace") as f:
                    defaults_rc = f.read()
                world.install_world(stage, release, defaults_rc)
                with open(marker, "w", encoding="utf-8") as f:
                    f.write(f"{release}\n")
                ctx.print("--------------------------------------------------------------")
                ctx.print(f">>> World build completed on {_now()}")
                ctx.print(f">>> World built in {int(time.time() - start)} seconds, ncpu: {os.cpu_count() or 1}")
                ctx.print("--------------------------------------------------------------")
            elif step in ("installworld", "distribution"):
                if step == "installworld" and not os.path.exists(marker):
                    # UNVERIFIED wording (Makefile.inc1 installcheck not read)
                    _banner(ctx, "Install check world")
                    ctx.err.write("ERROR: Please run make buildworld first\n")
                    return _stop(ctx, where)
                dest = ctx.path(destdir) if destdir else None
                if dest is not None and not os.path.isdir(dest):
                    ctx.err.write(f"mtree: {destdir}/: No such file or directory\n")  # distrib-dirs
                    return _stop(ctx, where)
                label = "Installing everything" if step == "installworld" else "Making distribution"
                _banner(ctx, f"{label} started on {_now()}")
                time.sleep(secs)
                if dest is not None:
                    if step == "installworld":
                        shutil.copytree(stage, dest, symlinks=True, dirs_exist_ok=True)
                    else:
                        world.install_distribution(dest, release)
                ctx.print("--------------------------------------------------------------")
                ctx.print(f">>> {label} completed on {_now()}")
                ctx.print("--------------------------------------------------------------")
            elif step == "buildkernel":
                _banner(ctx, f"Kernel build for GENERIC started on {_now()}")
                time.sleep(secs)
                os.makedirs(os.path.join(obj, "sys/GENERIC"), exist_ok=True)
                open(os.path.join(obj, "sys/GENERIC/kernel"), "w").close()
                _banner(ctx, f"Kernel build for GENERIC completed on {_now()}")
            elif step == "installkernel":
                if not os.path.exists(os.path.join(obj, "sys/GENERIC/kernel")):
                    ctx.err.write('ERROR: No kernel "GENERIC" to install.\n')  # UNVERIFIED wording
                    return _stop(ctx, where)
                _banner(ctx, f"Installing kernel GENERIC on {_now()}")
                time.sleep(secs)
                if destdir and os.path.isdir(ctx.path(destdir)):
                    os.makedirs(os.path.join(ctx.path(destdir), "boot/kernel"), exist_ok=True)
                    open(os.path.join(ctx.path(destdir), "boot/kernel/kernel"), "w").close()
                _banner(ctx, f"Installing kernel GENERIC completed on {_now()}")
    return 0
