"""A simulated host as the simulator's tests use it (the fixtures in conftest.py make them)."""

import os

from simfbsd import box as boxlib


class Box:
    def __init__(self, name, ip):
        self.name = name
        self.ip = ip

    def run(self, *argv, input=None, check=False):
        """Run argv inside the box; returns CompletedProcess with text stdout/stderr."""
        return boxlib.run(self.name, list(argv), input=input, capture_output=True, text=True, check=check)

    def sh(self, script, check=False):
        return self.run("/bin/sh", "-c", script, check=check)

    def read(self, path):
        return self.run("cat", path, check=True).stdout

    def write(self, path, text):
        self.run("/bin/sh", "-c", 'cat > "$1"', "sh", path, input=text, check=True)

    def py(self, code):
        """Run Python ``code`` in the box with the simulator's modules importable (``kernel`` imported);
        its stdout.  The simulator's own tests use it to set up kernel state directly."""
        prog = "import sys, json; sys.path.insert(0, '/.simhost/lib')\nfrom simfbsd import kernel\n" + code
        cp = self.run("/usr/bin/python3", "-SE", "-c", prog)
        assert cp.returncode == 0, cp.stderr
        return cp.stdout

    @property
    def python(self):
        return os.path.join(boxlib.boxdir(self.name), "python")
