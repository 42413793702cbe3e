# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planner and jail(8)'s dependencies (usr.sbin/jail/state.c dep_check())."""

from __future__ import annotations

import pytest
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import desired_jails
from ansible_collections.bsd.jails.plugins.module_utils._jail_plan import (
    ConfFiles,
    Placed,
    Plan,
    RunState,
    _plan_rc,
    decide,
    edit_actions,
    exclusive_removals,
    make_plan,
    place_edits,
)
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


def test_new_jails_in_an_empty_config_start_dependencies_first():
    # the dependencies are only in the task: jail -c app would start web and db itself, and their own
    # jail -c would then fail with "already exists"
    items = [APP, {"name": "web", "path": "/j/web", "depend": ["db"], "persist": True}, db()]
    p = plan(items, text="", running={})
    assert [s[1] for s in p.starts] == ["db", "web", "app"]
    loop = [db(depend=["app"]), *items[:2]]
    with pytest.raises(JailsError, match=r"dependency loop"):
        plan(loop, text="", running={})


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


# The steps of make_plan, each on its own: place edits -> decide per jail -> rc.conf.

INC = "/etc/jail.conf.d/web.conf"
MARKED_WWW = '# managed by bsd.jails\nwww {\n\tpath = "/j/www";\n\tpersist;\n}\n'


def wanted_of(*jails):
    return desired_jails({"jails": list(jails), "config": CONF})[0]


def test_place_edits_edits_an_included_jail_where_it_is_and_new_jails_in_config():
    texts = {CONF: '.include "/etc/jail.conf.d/*.conf";\n', INC: 'web {\n\tpath = "/j/web";\n\tpersist;\n}\n'}
    files = ConfFiles(CONF, False, texts, {CONF: [[INC]]})
    placed = place_edits(files, wanted_of(dict(name="web", path="/j/web", persist=True, securelevel=2), db()))
    assert [(p.wanted.name, p.path, p.where) for p in placed] == [("web", CONF, [INC]), ("db", CONF, [CONF])]
    assert files.edited == {INC: {"web"}, CONF: {"db"}}
    assert "securelevel = 2;" in files.new[INC].render() and "db {" in files.new[CONF].render()
    assert files.effective_after(placed[0])["securelevel"] == "2" and files.effective_before(placed[1]) == {}


def test_place_edits_in_directory_mode_gives_each_jail_its_file():
    files = ConfFiles("/etc/jail.conf.d", True, {}, None)
    (p,) = place_edits(files, wanted_of(db()))
    assert p.path == p.where[0] == "/etc/jail.conf.d/db.conf"
    assert list(files.changed_files()) == ["/etc/jail.conf.d/db.conf"]


def test_changed_files_deletes_a_jails_own_file_it_empties():
    path = "/etc/jail.conf.d/db.conf"
    files = ConfFiles("/etc/jail.conf.d", True, {path: MARKED_WWW.replace("www", "db")}, None)
    place_edits(files, wanted_of(dict(name="db", state="absent")))
    assert files.changed_files() == {path: (MARKED_WWW.replace("www", "db"), None)}


def test_edit_actions_name_add_update_mark_and_remove():
    files = ConfFiles(CONF, False, {CONF: TEXT + MARKED_WWW}, None)
    placed = place_edits(
        files,
        wanted_of(db(securelevel=1), dict(name="www", state="absent"), dict(name="new", path="/j/new", persist=True)),
    )
    p = Plan()
    for one in placed:
        edit_actions(p, files, one)
    assert p.actions == [
        "update db in /etc/jail.conf",
        "mark db in /etc/jail.conf as managed by bsd.jails",
        "remove www from /etc/jail.conf",
        "add new in /etc/jail.conf",
    ]


def test_exclusive_removes_only_marked_unlisted_jails():
    files = ConfFiles(CONF, False, {CONF: TEXT + MARKED_WWW}, None)
    p = Plan()
    out = exclusive_removals(p, files, wanted_of(db()))
    assert [(w.name, w.state) for w in out] == [("www", "absent")]
    assert p.unmanaged == ["web", "app"] and p.actions == ["exclusive: www is not listed"]


def decided(w, running, old_eff, new_eff, **kw):
    p, state = Plan(), RunState()
    decide(p, state, Placed(w, CONF, [CONF]), running, old_eff, new_eff, **kw)
    return p, state


def test_decide_changes_a_kernel_parameter_live_with_jail_m():
    (w,) = wanted_of(db(securelevel=2))
    run = {"db": {"jid": "1", "name": "db", "path": "/j/db", "securelevel": "1"}}
    p, state = decided(w, run, {"path": "/j/db"}, {"path": "/j/db", "securelevel": "2"})
    assert p.modifies == [("db", ["securelevel=2"])] and p.actions == ["modify db: securelevel"]
    assert state.stop_by_conf == {} and state.starts == []
    assert p.before["db"]["securelevel"] == "1" and p.after["db"]["securelevel"] == "2"


def test_decide_leaves_a_create_only_change_pending_or_restarts_when_asked():
    (w,) = wanted_of(db())
    run = {"db": {"jid": "1", "name": "db", "path": "/j/old"}}
    p, state = decided(w, run, {"path": "/j/old"}, {"path": "/j/db"})
    assert p.pending == {"db": ["path"]} and p.jails["db"]["restart_pending"] == ["path"] and not state.starts
    assert p.actions == ["restart pending db: path"] and "restart_on_change" in p.warnings[0]
    p, state = decided(w, run, {"path": "/j/old"}, {"path": "/j/db"}, restart_on_change=True)
    assert p.actions == ["restart db: path changed"] and p.pending == {}
    assert state.stop_by_conf == {CONF: ["db"]} and state.starts == [(CONF, "db", None)]
    assert p.jails["db"]["jid"] == "unknown"


def test_decide_a_start_change_of_a_pseudo_parameter_needs_a_restart():
    (w,) = wanted_of(db())
    run = {"db": {"jid": "1", "name": "db", "path": "/j/db"}}
    p, _state = decided(w, run, {"path": "/j/db"}, {"path": "/j/db", "exec.start": ["/bin/sh /etc/rc"]})
    assert p.pending == {"db": ["exec.start"]}


def test_decide_starts_stops_or_leaves_a_jail_by_its_state():
    p, state = decided(wanted_of(db())[0], {}, {}, {"path": "/j/db"})
    assert p.actions == ["start db"] and p.after["db"] == {"running": True, "jid": "unknown"}
    run = {"db": {"jid": "7", "name": "db", "path": "/j/db"}}
    p, state = decided(wanted_of(db(state="stopped"))[0], run, {}, {"path": "/j/db"})
    assert p.actions == ["stop db"] and state.stop_by_conf == {CONF: ["db"]}
    assert p.before["db"] == {"running": True, "jid": 7} and p.after["db"] == {"running": False, "jid": None}
    p, state = decided(wanted_of(db(state="present"))[0], {}, {}, {"path": "/j/db"})
    assert p.actions == [] and p.before == {} and p.jails["db"]["running"] is False


def test_rc_conf_adds_started_jails_and_drops_stopped_ones():
    p = Plan()
    w = wanted_of(db(), dict(name="web", state="absent"))
    _plan_rc(p, CONF, False, w, {"jail_enable": "YES", "jail_list": "web other"})
    assert p.sysrc == ["jail_list=other db"] and p.actions == ["rc.conf: jail_list=other db"]
    assert p.before["rc.conf"] == {"jail_list": "web other"}
    p = Plan()
    _plan_rc(p, "/etc/jails.conf", False, wanted_of(db()), {})
    assert p.sysrc == ["jail_enable=YES", "jail_list=db", "jail_conf=/etc/jails.conf"]
    p = Plan()
    _plan_rc(p, "/usr/local/etc/jails.d", True, wanted_of(db(state="stopped")), {"jail_enable": "YES"})
    assert p.sysrc == [] and "/etc/jail.conf.d only" in p.warnings[0]


# jail_list in boot order (rc.d/jail runs jail -c NAME for each listed name in turn) and jail_parallel_start.
ENABLED = {"jail_enable": "YES", "jail_conf": CONF, "jail_parallel_start": "NO"}
APP = {"name": "app", "path": "/j/app", "depend": ["web"], "persist": True}


def rc_plan(jails, rc, text=TEXT, running=None, **kw):
    return plan(jails, text=text, running={} if running is None else running, rc_current=dict(ENABLED, **rc), **kw)


def test_jail_list_puts_a_new_dependent_after_its_listed_dependencies():
    p = rc_plan([APP], {"jail_list": "other web db"}, rc_enable=True)
    # web depends on db: db moves up to just before web; app goes after both; other keeps its place
    assert p.sysrc == ["jail_list=other db web app"]
    assert p.before["rc.conf"] == {"jail_list": "other web db"}
    assert p.after["rc.conf"] == {"jail_list": "other db web app"}


def test_jail_list_already_in_boot_order_is_not_rewritten():
    p = rc_plan([APP], {"jail_list": "db x web app"}, rc_enable=True, running=RUNNING)
    assert p.sysrc == [] and "rc.conf" not in p.before and not any(a.startswith("rc.conf") for a in p.actions)


def test_jail_list_follows_dependencies_through_unlisted_jails():
    # app -> web -> db with web not listed: jail -c app starts web and db, so db must come first
    p = rc_plan([APP], {"jail_list": "app db"}, rc_enable=True, running=RUNNING)
    assert p.sysrc == ["jail_list=db app"]


def test_jail_list_names_a_jail_once():
    p = rc_plan([APP], {"jail_list": "db app db"}, rc_enable=True, running=RUNNING)
    assert p.sysrc == ["jail_list=db app"]


def test_jail_list_order_is_refused_with_a_loop_before_anything_changes():
    loop = TEXT.replace('path = "/j/db";', 'path = "/j/db";\n    depend = app;')
    with pytest.raises(
        JailsError, match=r"^jails\[0\]\.depend: dependency loop (app -> web -> db -> app|db -> app -> web -> db)"
    ):
        rc_plan([db(depend=["app"])], {"jail_list": "app db"}, text=loop, rc_enable=True)


def test_parallel_start_is_set_only_when_asked_and_different():
    p = rc_plan([db()], {"jail_list": "db"}, rc_parallel_start=True, running=RUNNING)
    assert p.sysrc == ["jail_parallel_start=YES"] and p.actions[-1] == "rc.conf: jail_parallel_start=YES"
    assert p.before["rc.conf"] == {"jail_parallel_start": "NO"}
    assert rc_plan([db()], {"jail_parallel_start": "on"}, rc_parallel_start=True, running=RUNNING).sysrc == []
    assert rc_plan([db()], {"jail_parallel_start": "0"}, rc_parallel_start=False, running=RUNNING).sysrc == []
    # a value rc.subr's checkyesno warns about is no answer either way
    bad = rc_plan([db()], {"jail_parallel_start": "maybe"}, rc_parallel_start=False, running=RUNNING)
    assert bad.sysrc == ["jail_parallel_start=NO"]
    # unset: left alone; without rc_enable, jail_enable and jail_list are left alone
    assert rc_plan([db()], {"jail_parallel_start": "maybe"}, rc_enable=True, running=RUNNING).sysrc == ["jail_list=db"]
    off = rc_plan([db()], {"jail_enable": "NO", "jail_list": ""}, rc_parallel_start=True, running=RUNNING)
    assert off.sysrc == ["jail_parallel_start=YES"]


def test_parallel_start_with_a_listed_dependency_warns():
    p = rc_plan([APP], {"jail_list": "db"}, rc_enable=True, rc_parallel_start=True)
    assert p.sysrc == ["jail_list=db app", "jail_parallel_start=YES"]
    assert any(
        w.startswith("jail_parallel_start=YES: rc.d/jail starts every jail") and " starts db " in w for w in p.warnings
    )
    # already on in rc.conf, option unset: the same warning
    assert rc_plan([APP], {"jail_list": "db", "jail_parallel_start": "YES"}, rc_enable=True).warnings
    # off, or no two listed jails sharing a dependency: none
    assert not rc_plan([APP], {"jail_list": "db"}, rc_enable=True, rc_parallel_start=False).warnings
    assert not rc_plan([APP], {"jail_list": "other"}, rc_enable=True, rc_parallel_start=True).warnings


def _j(name, **kw):
    return dict(name=name, path="/j/" + name, persist=True, **kw)


# Globals, a wildcard between the blocks and a nested block: what an unedited jail's parameters depend on.
MIXED = """exec.clean;
host.hostname = "$name.example";
# managed by bsd.jails
db {
\tpath = /j/db;
\tpersist;
}
* { securelevel = 1; }
# managed by bsd.jails
web {
\tpath = /j/web;
\tpersist;
\tb { path = /j/web.b; persist; }
}
# managed by bsd.jails
app {
\tpath = /j/app;
\tpersist;
}
web.* { allow.mount; }
"""


@pytest.mark.parametrize(
    "jails",
    [
        [_j("db"), _j("web"), _j("app"), _j("web.b")],  # nothing changes
        [dict(name="db", state="absent"), _j("web"), _j("app", securelevel=3), _j("web.b"), _j("new")],
        [_j("db"), _j("web", securelevel=2), _j("app"), _j("web.b")],  # the parent of a nested block
        [_j("db"), _j("web"), _j("app"), _j("web.b", securelevel=2)],  # the nested block itself
    ],
    ids=["converged", "remove-update-add", "parent-edited", "child-edited"],
)
def test_effective_after_is_what_jail8_reads_in_the_new_file(jails):
    """effective_after() reuses a jail's parameters as read when no edit can change them: each must be
    what a fresh parse of the edited file gives."""
    files = ConfFiles(CONF, False, {CONF: MIXED}, None)
    placed = place_edits(files, wanted_of(*jails))
    fresh = ConfFiles(CONF, False, {CONF: files.new[CONF].render()}, None).old[CONF]
    for p in placed:
        if p.wanted.state != "absent":
            assert files.effective_after(p) == fresh.effective(p.wanted.name), p.wanted.name
    if jails[0].get("state") != "absent" and len(files.edited.get(CONF, ())) == 0:
        assert all(files.effective_after(p) is files.effective_before(p) for p in placed)
