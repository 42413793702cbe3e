# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""jail(8)'s command line, declared once, and what the module reads back from jail -i."""

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_apply import JAIL, parse_jid
from ansible_collections.bsd.jails.plugins.module_utils._runner import CommandLine, fixed, opt_val


def test_the_three_jail_command_lines():
    assert JAIL.args("config remove jails", config="/etc/jail.conf", jails=["a", "b"]) == [
        "-f", "/etc/jail.conf", "-r", "--", "a", "b"
    ]  # fmt: skip
    assert JAIL.args("modify jails", jails=["name=www", "securelevel=2"]) == ["-m", "--", "name=www", "securelevel=2"]
    spec = "print_jid jid_file config create jails"
    assert JAIL.args(spec, print_jid=True, config="/etc/jail.conf", jails=["www"]) == [
        "-i", "-f", "/etc/jail.conf", "-c", "--", "www"
    ]  # fmt: skip
    assert JAIL.args(spec, print_jid=True, jid_file="/var/run/www.jid", config="/c", jails=["www"])[:3] == [
        "-i", "-J", "/var/run/www.jid"
    ]  # fmt: skip


def test_no_user_value_stands_where_an_option_is_read():
    """Every user value is the argument of the option before it, or an operand after '--'."""
    argv = JAIL.args("print_jid jid_file config create jails", print_jid=True, jid_file="-r", config="-x", jails=["-c"])
    # getopt(3) takes the word after -J and -f as their arguments, and reads nothing after "--" as an option
    assert argv == ["-i", "-J", "-r", "-f", "-x", "-c", "--", "-c"]


def test_a_command_line_refuses_a_value_its_spec_does_not_name():
    line = CommandLine("x", config=opt_val("-f"), create=fixed("-c"))
    assert line.args("create") == ["-c"] and line.args("config create") == ["-c"]  # no value: no option
    with pytest.raises(KeyError):
        line.args("create", config="/etc/x")


@pytest.mark.parametrize("out,jid", [("7\n", 7), ("www: created\n12\n", 12), ("", None), (None, None)])
def test_parse_jid(out, jid):
    assert parse_jid(out) == jid
