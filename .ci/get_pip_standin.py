"""Offline stand-in for the get-pip bootstrap script ansible-test downloads.

ansible-test bootstraps every venv it makes with a get-pip script fetched
from a host outside the package registries; this machine reaches only the
registries, so sanity.sh installs this file at the cache path ansible-test
looks at first (~/.ansible/test/cache/get_pip_<version>.py).  It installs pip
from the interpreter's bundled wheel (ensurepip) and then runs pip with the
arguments ansible-test passed, minus the two flags only get-pip knows.
"""

import ensurepip
import os
import subprocess
import sys


def main():
    # ensurepip sets PIP_CONFIG_FILE=/dev/null in os.environ: keep the real environment for pip.
    env = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    if args:
        sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args], env=env))


if __name__ == "__main__":
    main()
