# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""bsd.jails.input_errors: the roles' input checks (plugins/module_utils/_role_inputs.py) as a filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.bsd.jails.plugins.module_utils._role_inputs import input_errors as _input_errors


def input_errors(value, kind, field):
    try:
        return _input_errors(value, kind, field)
    except ValueError as exc:
        raise AnsibleFilterError("bsd.jails.input_errors: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"input_errors": input_errors}
