# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A strict call harness for module unit tests.

Runs a module's ``main()`` in-process.  Only the edges to the host are
replaced; none of our own code is mocked:

- ``AnsibleModule.run_command`` answers from a list of expected calls, in
  order.  Any call that is not the next expected one, and any expected call
  left over at the end, fails the test.
- ``AnsibleModule.get_bin_path`` returns ``/testbin/NAME``.
- ``AnsibleModule.atomic_move`` is counted (``writes``) and then really done,
  so tests can read the files the module wrote (point config paths at
  ``tmp_path``).

Usage::

    from ._harness import Call, run_module

    res = run_module(jail.main, {"name": "www", "path": "/j/www"},
                     calls=[Call(["/testbin/jls", "-n", "-q"], out="")],
                     check=True, diff=True)
    assert res.changed and res.writes == 0

Calls may also be plain dicts ``{argv, rc, out, err, out_file}`` (YAML
friendly); ``out_file`` is read relative to ``tests/unit/plugins/fixtures``.
"""

from __future__ import annotations

import json
import os
import shutil
from unittest import mock

from ansible.module_utils import _internal, basic
from ansible.module_utils.common import json as common_json
from ansible.module_utils.common import warnings as common_warnings
from ansible.module_utils.testing import patch_module_args

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")


class Call:
    """One expected ``run_command`` call and its answer."""

    def __init__(self, argv, rc=0, out="", err="", out_file=None, data=None):
        self.argv = [str(a) for a in argv]
        self.rc = rc
        if out_file is not None:
            with open(os.path.join(FIXTURES, out_file), encoding="utf-8") as f:
                out = f.read()
        self.out = out
        self.err = err
        self.data = data
        self.on_call = None

    @classmethod
    def make(cls, spec):
        if isinstance(spec, Call):
            return spec
        return cls(
            spec["argv"],
            rc=spec.get("rc", 0),
            out=spec.get("out", ""),
            err=spec.get("err", ""),
            out_file=spec.get("out_file"),
            data=spec.get("data"),
        )

    def __repr__(self):
        return f"Call({self.argv!r}, rc={self.rc!r})"


class HarnessError(AssertionError):
    """The module made a call the test did not expect (or missed one)."""


class Result:
    """What the module returned, plus what it did."""

    def __init__(self, result, calls_made, writes, moved):
        self.result = result
        self.calls_made = calls_made
        self.writes = writes
        self.moved = moved

    @property
    def failed(self):
        return bool(self.result.get("failed"))

    @property
    def changed(self):
        return bool(self.result.get("changed"))

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)

    def __repr__(self):
        return f"Result({json.dumps(self.result, sort_keys=True, default=str)[:2000]}, writes={self.writes})"


def run_module(main, params, calls=(), check=False, diff=False, bin_dir="/testbin"):
    """Run ``main()`` with ``params``; returns a Result.  Raises HarnessError on a call mismatch."""
    expected = [Call.make(c) for c in calls]
    made = []
    writes = []
    captured = {}
    errors = []

    args = dict(params)
    args["_ansible_check_mode"] = bool(check)
    args["_ansible_diff"] = bool(diff)
    # modules must not depend on the controller's temp dir
    args.setdefault("_ansible_remote_tmp", "/tmp")
    args.setdefault("_ansible_keep_remote_files", False)

    def fake_run_command(self, args, **kwargs):
        argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else [args]
        made.append(argv)
        if not expected:
            errors.append(f"unexpected call #{len(made)}: {argv!r} (no more calls expected)")
            raise HarnessError(errors[-1])
        nxt = expected.pop(0)
        if argv != nxt.argv:
            errors.append(f"call #{len(made)}: expected {nxt.argv!r}, got {argv!r}")
            raise HarnessError(errors[-1])
        if nxt.data is not None and kwargs.get("data") != nxt.data:
            errors.append(f"call #{len(made)} {argv!r}: expected stdin {nxt.data!r}, got {kwargs.get('data')!r}")
            raise HarnessError(errors[-1])
        if nxt.on_call is not None:  # what the command does to the host's files, when a test needs it
            nxt.on_call()
        return nxt.rc, nxt.out, nxt.err

    def fake_get_bin_path(self, arg, required=False, opt_dirs=None):
        return f"{bin_dir}/{arg}"

    def fake_atomic_move(self, src, dest, unsafe_writes=False, keep_dest_attrs=True):
        writes.append(dest)
        shutil.move(src, dest)

    def record(self, o):
        # warnings/deprecations as their plain message, as the controller shows them
        for key in ("warnings", "deprecations"):
            if key in o:
                o[key] = [getattr(getattr(w, "event", None), "msg", w) for w in o[key]]
        # serialise as the module would, so tests see plain data (warnings as strings, ...)
        encoder = common_json.get_module_encoder("legacy", common_json.Direction.MODULE_TO_CONTROLLER)
        captured.update(json.loads(json.dumps(o, cls=encoder)))

    # pytest plugins may have imported the controller (ansible._internal), which sends module
    # warnings to the controller's Display; a module run target-side returns them instead.
    # Each run starts with no warnings or deprecations left over from an earlier run in this process.
    with patch_module_args(args), mock.patch.object(_internal, "is_controller", False), mock.patch.dict(
        common_warnings._global_warnings, clear=True
    ), mock.patch.dict(common_warnings._global_deprecations, clear=True), mock.patch.multiple(
        basic.AnsibleModule,
        run_command=fake_run_command,
        get_bin_path=fake_get_bin_path,
        atomic_move=fake_atomic_move,
        _record_module_result=record,
    ):
        try:
            main()
        except SystemExit:
            pass
        except HarnessError:
            raise
    if errors:
        raise HarnessError("; ".join(errors))
    if not captured:
        raise HarnessError("the module returned without exit_json/fail_json")
    if expected:
        raise HarnessError(f"expected calls not made: {expected!r}")
    return Result(captured, made, len(writes), writes)
