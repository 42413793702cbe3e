# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import glob
import os

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import JailConfError, parse
from ansible_collections.bsd.jails.plugins.module_utils._jail_conf_tree import JailConfTree, include_target
from conftest import FIXTURES, FREEBSD_TESTS, REFERENCE

JAIL_FIXTURES = sorted(glob.glob(os.path.join(FIXTURES, "jail", "*.conf")))


def read(name):
    with open(os.path.join(FIXTURES, "jail", name), encoding="utf-8") as f:
        return f.read()


def test_fixtures_are_the_reference_files():
    with open(os.path.join(FREEBSD_TESTS, "usr.sbin", "jail", "tests", "commands.jail.conf"), encoding="utf-8") as f:
        assert f.read() == read("commands.jail.conf")
    with open(os.path.join(REFERENCE, "jail.conf.5"), encoding="utf-8") as f:
        assert read("jail.conf.5-example.conf").replace(".include", "\\[char46]include") in f.read()
    with open(os.path.join(REFERENCE, "jail.8"), encoding="utf-8") as f:
        assert read("jail.8-testjail.conf") in f.read()


@pytest.mark.parametrize("path", JAIL_FIXTURES, ids=os.path.basename)
def test_round_trip_byte_for_byte(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    assert parse(text).render() == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "a{}",
        "a {}\n;;\n",
        "  # only a comment",
        "/* c */a/* d */{/* e */persist/* f */;/* g */}/* h */",
        "a {\n\tip4.addr = 1.2.3.4,\n\t\t// c\n\t\t5.6.7.8;\n}\n",
        "x = a\\\nb;\n",
        "x = 'it''s', \"q\\\"uote\";\n",
        'p = "multi\nline";\n',
    ],
)
def test_round_trip_written_styles(text):
    assert parse(text).render() == text


def test_jails_in_file_order_without_wildcards():
    assert parse(read("style-mixed.conf")).jails() == ["www", "db", "last"]
    assert parse(read("jail.conf.5-example.conf")).jails() == ["foo", "bar"]
    assert parse(read("style-wildcards.conf")).jails() == ["web", "web.child", "mail"]


def test_defines_answers_as_jails_does():
    c = parse(read("style-wildcards.conf"))
    assert [n for n in ("web", "web.child", "mail", "child", "web.*", "*", "nope") if c.defines(n)] == c.jails()
    assert parse(read("style-mixed.conf")).defines("db") and not parse("").defines("db")


def test_effective_jail_conf_5_example():
    c = parse(read("jail.conf.5-example.conf"))
    assert c.includes()[0] == "/etc/jail.conf.d/*.conf"
    assert c.effective("foo") == {
        "name": "foo",
        "exec.start": ["/bin/sh /etc/rc"],
        "exec.stop": ["/bin/sh /etc/rc.shutdown jail"],
        "exec.clean": True,
        "mount.devfs": True,
        "path": "/var/jail/foo",
        "host.hostname": "foo.com",
        "ip4.addr": ["10.1.1.1", "10.1.1.2", "10.1.1.3"],
    }
    bar_jail = c.effective("bar")
    assert bar_jail["path"] == "/"
    assert bar_jail["mount.devfs"] is False
    assert bar_jail["persist"] is True
    assert bar_jail["exec.start"] == [""]


def test_effective_commands_jail_conf():
    assert parse(read("commands.jail.conf")).effective("basejail") == {
        "name": "basejail",
        "exec.prestop": ["echo STOP"],
        "exec.prestart": ["echo START"],
        "exec.poststart": ["env"],
        "persist": True,
    }


def test_effective_jail_8_testjail():
    e = parse(read("jail.8-testjail.conf")).effective("testjail")
    assert e["path"] == "/tmp/jail/testjail"
    assert e["ip4.addr"] == ["192.0.2.100"]
    assert e["interface"] == "em0"
    assert e["mount.devfs"] is True


def test_effective_mixed_styles():
    c = parse(read("style-mixed.conf"))
    www = c.effective("www")
    assert www["path"] == "/usr/jails/www"
    assert www["ip4.addr"] == ["10.0.0.1", "em0|10.0.0.2/24", "10.0.0.3", "10.0.0.4"]
    assert www["exec.start"] == ["/bin/sh /etc/rc"]
    assert www["exec.clean"] is True
    assert www["mount.devfs"] is False
    assert www["allow.mount"] is False
    assert www["allow.dying"] is False
    assert www["persist"] == "true"
    assert www["exec.stop"] == ["/bin/sh /etc/rc.shutdown jail"]
    db = c.effective("db")
    assert db["path"] == "/srv/db/root"
    assert db["host.hostname"] == "db.example.org"
    assert db["exec.prestart"] == ['echo "start db"', "echo two"]
    assert "$dbroot" not in db and "dbroot" not in db
    assert c.effective("last")["path"] == "/jails/last"


def test_effective_globals_and_wildcards():
    c = parse(read("style-wildcards.conf"))
    web = c.effective("web")
    # the one global pseudo-jail sits before web: web's own value wins over both global lines
    assert web["securelevel"] == "2"
    assert web["exec.start"] == ["/bin/sh /etc/rc", "/usr/local/bin/app"]
    assert c.effective("mail")["securelevel"] == "3"  # later global line replaces the earlier one
    child = c.effective("web.child")
    assert child["host.hostname"] == "web.child.nested"
    assert "host.hostname" not in web
    with pytest.raises(KeyError):
        c.effective("nosuch")


def test_variable_set_in_jail_used_by_global_parameter():
    c = parse('path = "/jails/$dir";\na { $dir = alpha; }\n')
    assert c.effective("a")["path"] == "/jails/alpha"


def test_crlf_line_ends_are_whitespace_as_in_freebsd_14():
    # usr.sbin/jail/jaillex.l (reentrant scanner, 14.0+): <_>[ \t\r\n]+ is whitespace
    text = "a {\r\n\tpath = /j/a;\r\n\tpersist;\r\n}\r\n"
    c = parse(text)
    assert c.render() == text
    assert c.effective("a") == {"name": "a", "path": "/j/a", "persist": True}
    assert c.set_jail("a", {"path": "/j/b", "persist": True})
    assert parse(c.render()).effective("a")["path"] == "/j/b"


def test_later_assignment_wins_and_no_booleans():
    c = parse("a { persist; nopersist; allow.mount; allow.nomount; x = 1; x = 2; }")
    e = c.effective("a")
    assert e["persist"] is False and e["allow.mount"] is False and e["x"] == "2"


@pytest.mark.parametrize(
    "text, line",
    [
        ("a {\n\tpath = /x\n}\n", 3),
        ("a {\n", 1),
        ('a {\n\tx = "open;\n}\n', 2),
        ("\n\n/* never closed", 3),
        ("}\n", 1),
        ("a {\n b = ;\n}", 2),
        ("a {\n\tx = caf\u00e9;\n}\n", 2),
    ],
)
def test_syntax_errors_name_the_line(text, line):
    with pytest.raises(JailConfError) as exc:
        parse(text)
    assert exc.value.line == line
    assert f"line {line}" in str(exc.value)


def test_set_jail_edits_only_its_block():
    text = read("style-mixed.conf")
    c = parse(text)
    c.set_jail("last", {"path": "/jails/last2", "persist": True})
    out = c.render()
    assert out == text.replace("last { path = /jails/last; }", "last { path = /jails/last2; \n\tpersist;\n}")
    head = text[: text.index("last {")]
    assert out.startswith(head)


def test_set_jail_keeps_unchanged_statements_and_rewrites_one_line():
    text = read("jail.8-testjail.conf")
    c = parse(text)
    want = c.effective("testjail")
    del want["name"]
    want["host.hostname"] = "new.example.org"
    c.set_jail("testjail", want)
    assert c.render() == text.replace("host.hostname = testhostname;", "host.hostname = new.example.org;")


def test_set_jail_new_block_in_jail_conf_5_style_and_remove_restores():
    text = read("jail.conf.5-example.conf")
    c = parse(text)
    params = {
        "path": "/usr/jails/www",
        "host.hostname": "www",
        "ip4.addr": ["192.0.2.23", "em0|192.0.2.24/24"],
        "mount.devfs": True,
        "allow.raw_sockets": False,
        "exec.start": ["/bin/sh /etc/rc"],
        "exec.poststart": ["echo $HOME; done"],
    }
    assert c.set_jail("www", params)
    out = c.render()
    assert out.startswith(text)
    assert out[len(text) :] == (
        "\nwww {\n"
        "\tpath = /usr/jails/www;\n"
        "\thost.hostname = www;\n"
        "\tip4.addr = 192.0.2.23, em0|192.0.2.24/24;\n"
        "\tmount.devfs;\n"
        "\tallow.noraw_sockets;\n"
        '\texec.start = "/bin/sh /etc/rc";\n'
        '\texec.poststart = "echo \\$HOME; done";\n'
        "}\n"
    )
    e = parse(out).effective("www")
    assert e["exec.poststart"] == ["echo $HOME; done"]
    assert e["allow.raw_sockets"] is False
    assert not c.set_jail("www", params)
    assert c.remove_jail("www")
    assert c.render() == text


def test_set_jail_on_file_without_final_newline():
    text = read("style-no-final-newline.conf")
    c = parse(text)
    c.set_jail("b", {"path": "/jails/b"})
    assert c.render() == text + "\n\nb {\n\tpath = /jails/b;\n}\n"
    c.set_jail("a", {"path": "/jails/a"})
    assert c.render().startswith("a {\n\tpath = /jails/a;\n}")


def test_remove_jail_leaves_others_byte_identical():
    text = read("style-mixed.conf")
    c = parse(text)
    assert c.remove_jail("db")
    out = c.render()
    start = text.index('"db" {')
    end = text.index("}\n", start) + 2
    assert out == text[:start] + text[end:]
    assert not c.remove_jail("db")


# -- incremental edits: the edited object is what a fresh parse of its text gives ----------------


def structure(conf):
    """Everything a JailConf holds, as plain data: tokens, and items with their token indexes."""

    def item(it):
        if hasattr(it, "items"):  # Block
            return ("block", it.full_name, it.first, it.open, it.last, [item(x) for x in it.items])
        if hasattr(it, "op"):  # Param
            return ("param", it.name, it.op, it.first, it.last, [(v.first, v.last, v.segments) for v in it.values])
        return ("include", it.path, it.first, it.last)

    return [(t.kind, t.text, t.line) for t in conf.toks], [item(x) for x in conf.items]


EDGE_TEXTS = [
    "",
    "\n\n",
    "  ",
    "# only a comment",
    "/* block comment */",
    "persist;",
    "a { path = /j/a; }  ",
    "a { path = /j/a; }\n// trailing comment",
    'host.hostname = "$name.example.org";\n\n\na {\n}\n\n',
]
EDIT_TEXTS = [*(read(os.path.basename(p)) for p in JAIL_FIXTURES), *EDGE_TEXTS]


@pytest.mark.parametrize("text", EDIT_TEXTS, ids=lambda t: repr(t[:24]))
def test_edits_leave_the_same_structure_as_a_fresh_parse(text):
    c = parse(text)
    names = c.jails()
    steps = [
        ("set", f"new{i}", {"path": f"/j/new{i}", "ip4.addr": [f"192.0.2.{i + 1}"], "persist": True}) for i in range(3)
    ]
    for n in names[:2]:
        eff = dict(c.effective(n))
        eff.pop("name", None)
        steps.append(("set", n, {**eff, "securelevel": "3", "host.hostname": f"{n}.changed"}))
    steps += [("remove", "new1", None), ("set", "new1", {"path": "/j/again"}), ("set", "new0", {"path": "/j/new0"})]
    if names:
        steps.append(("remove", names[-1], None))
    for op, name, params in steps:
        if op == "set":
            c.set_jail(name, params)
        else:
            c.remove_jail(name)
        assert structure(c) == structure(parse(c.render())), (op, name)
        if op == "set":
            assert c.effective(name) == parse(c.render()).effective(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a {\n\tpersist;\n}\n"),
        ("\n\n", "\n\na {\n\tpersist;\n}\n"),
        ("  ", "  \na {\n\tpersist;\n}\n"),
        ("# c", "# c\n\na {\n\tpersist;\n}\n"),
        ("x;\n", "x;\n\na {\n\tpersist;\n}\n"),
        ("x;\n\n", "x;\n\na {\n\tpersist;\n}\n"),
        ("x;  ", "x;  \n\na {\n\tpersist;\n}\n"),
    ],
)
def test_new_block_spacing(text, expected):
    c = parse(text)
    assert c.set_jail("a", {"persist": True})
    assert c.render() == expected


def test_unchanged_set_and_identical_rewrite_report_no_change():
    text = read("jail.8-testjail.conf")
    c = parse(text)
    want = dict(c.effective("testjail"))
    del want["name"]
    assert not c.set_jail("testjail", want)
    assert c.render() == text


@pytest.mark.parametrize("text", EDIT_TEXTS, ids=lambda t: repr(t[:24]))
def test_apply_in_one_pass_equals_one_edit_at_a_time(text):
    names = parse(text).jails()
    changes = [(f"new{i}", {"path": f"/j/new{i}", "persist": True}) for i in range(2)]
    for k, n in enumerate(names):
        if k % 3 == 0:
            changes.append((n, None))
        else:
            changes.append((n, {"path": f"/j/{n}", "host.hostname": f"{n}.example.org", "securelevel": str(k)}))
    changes.append(("new2", {"path": "/j/new2"}))
    one_pass, each = parse(text), parse(text)
    changed = one_pass.apply(changes)
    assert changed == {n for n, p in changes if not (p is None and n not in names)}
    assert changed == {n for n, p in changes if (each.remove_jail(n) if p is None else each.set_jail(n, p))}
    # one at a time, removing the first block after an append leaves a blank first line; one pass does not
    assert one_pass.render() in (each.render(), each.render().lstrip("\n"))
    assert not one_pass.render().startswith("\n") or text.startswith("\n")
    assert structure(one_pass) == structure(parse(one_pass.render()))
    assert one_pass.jails() == each.jails()
    for n in one_pass.jails():
        assert one_pass.effective(n) == each.effective(n)
    again = parse(one_pass.render())
    assert again.apply([(n, p) for n, p in changes if p is not None]) == set()


def test_apply_falls_back_to_one_at_a_time_for_a_name_twice():
    c = parse("a {\n\tpath = /j/a;\n}\n")
    assert c.apply([("a", {"path": "/j/b"}), ("a", None)]) == {"a"}
    assert c.jails() == []


# -- .include: a file read with what it includes ------------------------------------------------


def tree(files, resolved, root="/etc/jail.conf"):
    return JailConfTree(root, {p: parse(t) for p, t in files.items()}, resolved)


def test_include_is_textual_globals_reach_included_jails_and_last_block_wins():
    t = tree(
        {
            "/etc/jail.conf": (
                'exec.start = "/bin/sh /etc/rc";\n.include "/etc/jail.conf.d/*.conf";\nc { path = /j/c; }\n'
            ),
            "/etc/jail.conf.d/a.conf": "a {\n\tpath = /j/a;\n\tsecurelevel = 1;\n}\n",
            "/etc/jail.conf.d/b.conf": "b { path = /j/b; }\na { securelevel = 3; }\n",
        },
        {"/etc/jail.conf": [["/etc/jail.conf.d/a.conf", "/etc/jail.conf.d/b.conf"]]},
    )
    assert t.jails() == ["a", "b", "c"]
    assert t.owners() == {
        "a": ["/etc/jail.conf.d/a.conf", "/etc/jail.conf.d/b.conf"],
        "b": ["/etc/jail.conf.d/b.conf"],
        "c": ["/etc/jail.conf"],
    }
    a = t.effective("a")
    assert a["path"] == "/j/a" and a["securelevel"] == "3" and a["exec.start"] == ["/bin/sh /etc/rc"]
    assert t.effective("c")["exec.start"] == ["/bin/sh /etc/rc"]
    with pytest.raises(KeyError):
        t.effective("nope")


def test_include_that_matches_nothing_and_include_loop():
    t = tree({"/etc/jail.conf": '.include "/etc/jail.conf.d/*.conf";\n'}, {"/etc/jail.conf": [[]]})
    assert t.jails() == [] and t.flat().render().strip() == ""
    loop = tree(
        {"/etc/jail.conf": '.include "/etc/x.conf";\n', "/etc/x.conf": '.include "/etc/jail.conf";\n'},
        {"/etc/jail.conf": [["/etc/x.conf"]], "/etc/x.conf": [["/etc/jail.conf"]]},
    )
    with pytest.raises(JailConfError, match="include loop"):
        loop.flat()


def test_include_target_relative_to_the_including_file():
    assert include_target("/etc/x.conf", "/etc/jail.conf") == "/etc/x.conf"
    assert include_target("jail.conf.d/*.conf", "/etc/jail.conf") == "/etc/jail.conf.d/*.conf"
    assert include_target("x.conf", "jail.conf") == "x.conf"


# -- the collection's marker ---------------------------------------------------------------------


def test_marker_written_detected_and_removed_with_its_block():
    from ansible_collections.bsd.jails.plugins.module_utils._jail_conf import MARKER

    hand = "# by hand\nexec.clean;\n\nhandj {\n    path = /h;\n}\n"
    c = parse(hand)
    c.apply([("a", {"path": "/a"})], mark=True)
    assert c.render() == hand + f"\n{MARKER}\na {{\n\tpath = /a;\n}}\n"
    assert c.managed("a") and not c.managed("handj") and not c.managed("nosuch")
    c.apply([("a", None)])
    assert c.render() == hand


@pytest.mark.parametrize(
    "text",
    [
        "# managed by bsd.jails\n\nhandj { path = /h; }\n",  # a blank line between: not the marker of handj
        "x = 1; # managed by bsd.jails\nhandj { path = /h; }\n",  # not alone on its line
        "# managed by bsd.jails, says the admin\nhandj { path = /h; }\n",
        "outer {\n# managed by bsd.jails\nhandj { path = /h; }\n}\n",  # nested blocks are never the collection's
    ],
)
def test_marker_only_alone_on_the_line_right_above_a_top_level_block(text):
    c = parse(text)
    assert not any(c.managed(n) for n in c.jails())


def test_removing_a_marked_block_that_shares_its_line_leaves_no_marker_for_the_next():
    c = parse("# managed by bsd.jails\nfoo { path = /f; } bar { path = /b; }\n")
    assert c.managed("foo") and not c.managed("bar")
    c.apply([("foo", None)])
    assert "managed" not in c.render() and not c.managed("bar") and c.jails() == ["bar"]


def test_marking_an_existing_block_keeps_its_text():
    text = "// mine\nhandj {\n    path = /h;  # keep\n}\n"
    c = parse(text)
    assert c.apply([("handj", {"path": "/h"})], mark=True) == {"handj"}
    assert c.render() == "// mine\n# managed by bsd.jails\nhandj {\n    path = /h;  # keep\n}\n"
    assert c.marked == {"handj"} and c.rewritten == set()
    assert c.apply([("handj", {"path": "/h"})], mark=True) == set()
