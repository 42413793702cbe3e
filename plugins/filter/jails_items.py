# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""bsd.jails.jails_items: the jails role's list merged once (plugins/module_utils/_jails_items.py) as a filter."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.bsd.jails.plugins.module_utils._jails_items import jails_items as _jails_items


def jails_items(jails_list, defaults, root, config=None):
    try:
        return _jails_items(jails_list, defaults, root, config)
    except ValueError as exc:
        raise AnsibleFilterError("bsd.jails.jails_items: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"jails_items": jails_items}
