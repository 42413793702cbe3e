"""jail(8)'s dependencies on a simulated host: what jail(8) stops on its own is started again."""

from harness import WORLD


def jails(state_db="started", **kw):
    items = [
        {"name": "db", "path": f"{WORLD}/db", "persist": True, "state": state_db},
        {"name": "web", "path": f"{WORLD}/web", "persist": True, "depend": ["db"]},
        {"name": "app", "path": f"{WORLD}/app", "persist": True, "depend": ["web"]},
    ]
    return [{"name": "jails", "bsd.jails.jail": dict({"jails": items}, **kw)}]


def running(host):
    return sorted(host.run("jls", "name").stdout.split())


def test_restarting_a_dependency_keeps_its_dependents_running(make_host):
    host = make_host(prepared=False)
    host.sh(f"for j in db web app; do mkdir -p {WORLD}/$j && tar -xf /usr/freebsd-dist/base.txz -C {WORLD}/$j; done")
    assert not host.play(jails()).failed
    assert running(host) == ["app", "db", "web"]
    res = host.play(jails(state_db="restarted"))
    assert not res.failed, res
    actions = res.tasks[0][1]["actions"]
    assert "restart web: it depends on db" in actions and "restart app: it depends on web" in actions
    assert running(host) == ["app", "db", "web"]
    assert host.play(jails()).changed == 0


def test_stopping_a_dependency_says_what_else_stops(make_host):
    host = make_host(prepared=False)
    host.sh(f"for j in db web app; do mkdir -p {WORLD}/$j && tar -xf /usr/freebsd-dist/base.txz -C {WORLD}/$j; done")
    assert not host.play(jails()).failed
    only_db = [{"name": "db", "bsd.jails.jail": {"name": "db", "path": f"{WORLD}/db", "state": "stopped"}}]
    res = host.play(only_db)
    assert not res.failed, res
    out = res.tasks[0][1]
    assert "stop web: it depends on db" in out["actions"]
    assert any("web depends on db" in w for w in out.get("warnings", []))
    assert running(host) == []
    refused = host.play(jails(state_db="stopped"))
    assert (
        refused.failed and "jails[1].state: jail 'web' depends on 'db', which this task stops" in refused.failure()[1]
    )
