# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to bsd.jails: not a public API, may change without notice.

"""A small command runner: argv lists only, C locale, no expansion of ``$name``; and command lines
declared once (CommandLine: a format for each argument, which keeps every user value unambiguous)."""

from __future__ import annotations


class JailsError(Exception):
    """An error to report through ``fail_json``; ``details`` become extra result keys."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class CommandError(JailsError):
    """A command exited non-zero; carries cmd, rc, stdout and stderr."""

    def __init__(self, argv, rc, stdout, stderr):
        text = (stderr or stdout or "").strip()
        msg = "%s exited %d" % (" ".join(argv), rc)
        if text:
            msg += ": " + text
        super().__init__(msg, cmd=list(argv), rc=rc, stdout=stdout, stderr=stderr)
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


class Runner:
    """Runs one binary with argv lists through ``module.run_command``.

    ``$name`` in arguments stays literal (``expand_user_and_vars=False``):
    jail.conf commands such as ``exec.start`` legitimately contain it.
    """

    ENV = {"LANG": "C", "LC_ALL": "C", "LC_MESSAGES": "C"}

    def __init__(self, module, binary, required=True):
        self.module = module
        self.binary = module.get_bin_path(binary, required=required)

    def run(self, *args, check=True, check_mode_skip=False, data=None):
        """Run the binary with ``args``; returns (rc, stdout, stderr).

        In check mode with ``check_mode_skip`` nothing runs and (0, "", "") is
        returned.  With ``check`` a non-zero exit raises CommandError.
        """
        argv = [self.binary] + [str(a) for a in args]
        if check_mode_skip and self.module.check_mode:
            return 0, "", ""
        rc, out, err = self.module.run_command(
            argv, expand_user_and_vars=False, environ_update=self.ENV, data=data, binary_data=data is not None
        )
        if check and rc != 0:
            raise CommandError(argv, rc, out, err)
        return rc, out, err

    def out(self, *args, **kwargs):
        """stdout of a successful run."""
        return self.run(*args, **kwargs)[1]


# Argument formats: each turns one value into argv words (nothing for None, an empty list or False).
def fixed(*words):
    """Words that do not depend on the value (``-c``, ``-r``, ``-m``)."""
    return lambda _value: list(words)


def flag(option):
    """``option`` when the value is true (``-i``)."""
    return lambda value: [option] if value else []


def opt_val(option):
    """``option value``: getopt(3) takes the word after an option that has an argument as that argument,
    whatever it starts with, so the value is never read as an option."""
    return lambda value: [] if value is None else [option, str(value)]


def operands(value):
    """``--`` and then the operands: after ``--`` getopt(3) reads no word as an option."""
    return ["--", *(str(v) for v in value)] if value else []


class CommandLine:
    """A command's argument formats declared once (in the spirit of community.general's CmdRunner).

    ``line("config remove names", config=c, names=[...])`` is the argv, the arguments in the order
    named; every name must have a format and a value (None, [] or False for none).
    """

    def __init__(self, binary, **formats):
        self.binary = binary
        self.formats = formats

    def args(self, spec, **values):
        out = []
        for name in spec.split():
            out += self.formats[name](values.get(name))
        unknown = set(values) - set(spec.split())
        if unknown:
            raise KeyError(f"{self.binary}: {', '.join(sorted(unknown))} not in {spec!r}")
        return out

    def runner(self, module):
        """``run(spec, **values)`` for ``module``: runs the argv of ``spec`` (see Runner.run)."""
        runner = Runner(module, self.binary)
        return lambda spec, **values: runner.run(*self.args(spec, **values))
