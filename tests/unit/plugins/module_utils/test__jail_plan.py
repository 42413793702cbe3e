# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planner and jail(8)'s dependencies (usr.sbin/jail/state.c dep_check())."""

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import desired_jails
from ansible_collections.bsd.jails.plugins.module_utils._jail_plan import make_plan
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError

CONF = "/etc/jail.conf"
TEXT = """db {
    path = "/j/db";
    persist;
}
web {
    path = "/j/web";
    depend = db;
    persist;
}
app {
    path = "/j/app";
    depend = web;
    persist;
}
"""
RUNNING = {n: {"jid": str(i + 1), "name": n, "path": f"/j/{n}"} for i, n in enumerate(("db", "web", "app"))}


def plan(jails, text=TEXT, running=None, **kw):
    wanted, _w = desired_jails({"jails": jails, "config": CONF})
    return make_plan(CONF, False, {CONF: text}, RUNNING if running is None else running, wanted, **kw)


def db(**kw):
    return dict({"name": "db", "path": "/j/db", "persist": True}, **kw)


def test_restarting_a_dependency_starts_its_dependents_again():
    p = plan([db(state="restarted")])
    assert p.stops == [(CONF, ["db", "web", "app"])]
    assert [s[1] for s in p.starts] == ["db", "web", "app"]
    assert "restart web: it depends on db" in p.actions
    assert "restart app: it depends on web" in p.actions


def test_stopping_a_dependency_stops_unmanaged_dependents_with_a_warning():
    p = plan([db(state="stopped")])
    assert p.stops == [(CONF, ["db", "web", "app"])]
    assert p.starts == []
    assert "stop web: it depends on db" in p.actions
    assert any("web depends on db" in w for w in p.warnings)


def test_a_started_dependent_of_a_stopped_jail_is_refused():
    web = {"name": "web", "path": "/j/web", "depend": ["db"], "persist": True, "state": "started"}
    with pytest.raises(JailsError, match=r"^jails\[1\]\.state: jail 'web' depends on 'db', which this task stops"):
        plan([db(state="stopped"), web])


def test_starting_a_dependent_starts_its_dependencies_first():
    app = {"name": "app", "path": "/j/app", "depend": ["web"], "persist": True}
    p = plan([app], running={})
    assert [s[1] for s in p.starts] == ["db", "web", "app"]
    assert "start web: app depends on it" in p.actions


def test_running_dependencies_are_not_started_twice():
    app = {"name": "app", "path": "/j/app", "depend": ["web"], "persist": True}
    running = {k: v for k, v in RUNNING.items() if k != "app"}
    p = plan([app], running=running)
    assert [s[1] for s in p.starts] == ["app"]


def test_an_undefined_dependency_is_refused_before_anything_changes():
    web = {"name": "web", "path": "/j/web", "depend": ["nosuch"], "persist": True}
    with pytest.raises(JailsError, match=r"^jails\[0\]\.depend\[0\]: jail 'nosuch' is not defined in /etc/jail.conf"):
        plan([web])


def test_a_dependency_loop_is_refused_naming_it():
    loop = TEXT.replace('path = "/j/db";', 'path = "/j/db";\n    depend = app;')
    with pytest.raises(JailsError, match=r"dependency loop (app -> web -> db -> app|db -> app -> web -> db)"):
        plan([db(depend=["app"])], text=loop)


def test_without_dependencies_nothing_is_added():
    p = plan(
        [db(state="restarted")], text='db {\n    path = "/j/db";\n    persist;\n}\n', running={"db": RUNNING["db"]}
    )
    assert p.stops == [(CONF, ["db"])]
    assert [s[1] for s in p.starts] == ["db"]


def test_depend_in_directory_mode_is_refused():
    wanted, _w = desired_jails({"jails": [db(depend=["web"])], "config": "/etc/jail.conf.d"})
    with pytest.raises(JailsError, match=r"^jails\[0\]\.depend: with config a directory"):
        make_plan("/etc/jail.conf.d", True, {}, {}, wanted)


def test_ip4_new_is_what_the_kernel_reports_as_disable():
    text = '# managed by bsd.jails\ndb {\n    path = "/j/db";\n    ip4.addr = 192.0.2.5;\n    ip4 = new;\n'
    text += "    persist;\n}\n"
    running = {"db": dict(RUNNING["db"], **{"ip4": "disable", "ip4.addr": "192.0.2.5", "persist": True})}
    p = plan([db(ip4_addr=["192.0.2.5"], params={"ip4": "new"})], text=text, running=running)
    assert not p.changed and p.warnings == [] and p.pending == {}
    p = plan([db(ip4_addr=["192.0.2.5"], params={"ip4": "inherit"})], text=text, running=running)
    assert p.pending == {"db": ["ip4"]}
