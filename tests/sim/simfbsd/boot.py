"""The boot sequence: what FreeBSD's /etc/rc does, for the parts the simulator models.

Runs inside the box (``simhost create`` and ``simhost reboot`` call it) on a
fresh kernel state.  The rc.d order is rcorder(8)'s for the scripts modelled
(rc.py); scripts whose rcvar is not enabled in rc.conf are skipped.
"""

import os
import socket
import time

from . import kernel, kstate, loader, rcconf, tool

RC_D_STUB = """#!{python} -SE
# simulated FreeBSD rc.d script: see tests/sim/simfbsd/rcd/
import sys; sys.path.insert(0, "/.simhost/lib"); from simfbsd.rc import script_main; script_main()
"""


def install_rc_d(rcmod):
    """/etc/rc.d/NAME stubs for the modelled base scripts (service -l, direct /etc/rc.d/NAME calls)."""
    os.makedirs("/etc/rc.d", exist_ok=True)
    for mod in rcmod.modules():
        path = rcmod.script_path(mod)
        if not path.startswith("/etc/rc.d/") or os.path.exists(path):
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(RC_D_STUB.format(python="/usr/bin/python3"))
        os.chmod(path, 0o555)


def set_hostname(k, rc):
    name = rc.get("hostname") or k.box["name"]
    kstate.set_hostname(k.state, name)
    try:
        socket.sethostname(name)
    except OSError:
        pass


def main():
    rc = rcconf.load("/")
    with kernel.Kernel() as k:
        loader.apply_tunables(k.state)  # the loader's environment, read by the kernel at boot
        set_hostname(k, rc)
        kstate.set_boottime(k.state, int(time.time()))
    try:
        from . import rc as rcd
    except ImportError:  # before the rc.d layer exists only the hostname is set
        return 0
    install_rc_d(rcd)
    return rcd.boot(tool.Ctx("rc"), rc)
