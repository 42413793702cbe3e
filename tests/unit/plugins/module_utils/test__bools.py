# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._bools import base_name, split_no, truthy


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("persist", ("persist", True)),
        ("nopersist", ("persist", False)),
        ("allow.nomount", ("allow.mount", False)),
        ("allow.mount.nozfs", ("allow.mount.zfs", False)),
        ("allow.mount", ("allow.mount", True)),
        ("no", ("no", True)),
        ("allow.no", ("allow.no", True)),
        ("node", ("de", False)),
    ],
)
def test_split_no(name, expected):
    assert split_no(name) == expected
    assert base_name(name) == expected[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        (" TRUE ", True),
        ("1", True),
        ("-1", True),
        ("0", False),
        ("false", False),
        ("yes", False),
        ("on", False),
        ("", False),
        (0, False),
        (2, True),
    ],
)
def test_truthy_reads_values_as_libjail(value, expected):
    assert truthy(value) is expected
