"""Where things live, on the Linux side and inside a box."""

import os

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # tests/sim
REPO_ROOT = os.path.dirname(os.path.dirname(SIM_ROOT))
DATA_DIR = os.path.join(SIM_ROOT, "simfbsd", "data")

# Inside a box: the simulator's code and the box's kernel state are bind-mounted here.
BOX_LIB = "/.simhost/lib"
BOX_KERNEL = os.environ.get("SIMFBSD_KERNEL", "/.simhost/kernel")

# FreeBSD's default PATH for root (/etc/login.conf, service(8) sets the same without /usr/local).
FREEBSD_PATH = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"

# The interpreter used for the tools inside a box (Debian's, always at this path).
BOX_PYTHON = "/usr/bin/python3"


def sim_dir():
    """Directory holding all boxes: $SIMHOST_DIR or .simhosts/ at the repository root."""
    return os.path.abspath(os.environ.get("SIMHOST_DIR") or os.path.join(REPO_ROOT, ".simhosts"))
