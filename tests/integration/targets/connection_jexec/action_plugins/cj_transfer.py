# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helper of the connection_jexec target: one put_file or fetch_file of the task's connection, with the
exact jail-side path given (Ansible's own actions transfer to a random temporary path)."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        try:
            if args["direction"] == "put":
                self._connection.put_file(args["src"], args["dest"])
            else:
                self._connection.fetch_file(args["src"], args["dest"])
        except AnsibleError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(changed=True, msg="transferred")
        return result
