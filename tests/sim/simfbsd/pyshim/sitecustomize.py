"""Loaded by the box's Python (PYTHONPATH): make os.uname() report FreeBSD.

Ansible's facts ask Python (platform.system(), platform.release()), not
uname(1), so the interpreter Ansible uses in a box must see FreeBSD too.
The release comes from the box's kernel (box.json), the node name from the
box's UTS namespace.
"""

import json
import os

try:
    with open("/.simhost/kernel/box.json", encoding="utf-8") as _f:
        _RELEASE = json.load(_f)["release"]
except (OSError, ValueError, KeyError):
    _RELEASE = "14.3-RELEASE"

_real_uname = os.uname


def _uname():
    node = _real_uname().nodename
    return os.uname_result(("FreeBSD", node, _RELEASE, f"FreeBSD {_RELEASE} GENERIC", "amd64"))


os.uname = _uname

_cwd = os.environ.pop("SIMFBSD_CWD", None)
if _cwd:
    try:
        os.chdir(_cwd)
    except OSError:
        os.chdir("/")
