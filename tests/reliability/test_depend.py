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


def boot_order(jails_kw):
    """app, web, db in the task (app depends on web, web on db), started at boot."""
    items = [
        {"name": "app", "path": f"{WORLD}/app", "persist": True, "depend": ["web"]},
        {"name": "web", "path": f"{WORLD}/web", "persist": True, "depend": ["db"]},
        {"name": "db", "path": f"{WORLD}/db", "persist": True},
    ]
    return [{"name": "jails", "bsd.jails.jail": dict({"jails": items, "rc_enable": True}, **jails_kw)}]


def rc_var(host, name):
    return host.run("sysrc", "-n", name, check=True).stdout.strip()


def reboot(host):
    """simhost reboot: the box boots again and its rc runs rc.d/jail; returns the boot's output."""
    from harness import simhost

    return simhost("reboot", host.name).stdout


def booted(host):
    """The jails in creation order (jids ascending) and the jail_NAME.id files rc.d/jail wrote."""
    jls = host.run("jls", "jid", "name", check=True).stdout.split()
    ids = host.sh("cd /var/run && ls jail_*.id", check=False).stdout.split()
    return jls[1::2], sorted(ids)


def test_jails_come_up_at_boot_in_dependency_order_with_and_without_parallel_start(make_host):
    host = make_host(prepared=False)
    host.sh(f"for j in db web app; do mkdir -p {WORLD}/$j && tar -xf /usr/freebsd-dist/base.txz -C {WORLD}/$j; done")
    res = host.play(boot_order({}))
    assert not res.failed, res
    # listed after what they depend on, although the task names app first
    assert rc_var(host, "jail_list") == "db web app"
    assert "rc.conf: jail_enable=YES, jail_list=db web app" in res.tasks[0][1]["actions"]
    assert host.play(boot_order({})).changed == 0
    out = reboot(host)
    assert "Starting jails: db web app.\n" in out and "cannot start" not in out
    ids = ["jail_app.id", "jail_db.id", "jail_web.id"]
    assert booted(host) == (["db", "web", "app"], ids)

    # jail_parallel_start: check mode predicts the change and writes nothing; the run sets it; again: nothing
    rc_before = host.read("/etc/rc.conf")
    check = host.play(boot_order({"rc_parallel_start": True}), check=True, diff=True)
    assert not check.failed and check.changed == 1
    assert check.tasks[0][1]["actions"] == ["rc.conf: jail_parallel_start=YES"]
    assert host.read("/etc/rc.conf") == rc_before
    res = host.play(boot_order({"rc_parallel_start": True}))
    assert not res.failed and res.changed == 1 and rc_var(host, "jail_parallel_start") == "YES"
    # web and db are both listed: in parallel, web's jail(8) and db's would both start db
    assert any(w.startswith("jail_parallel_start=YES:") for w in res.tasks[0][1].get("warnings", []))
    assert host.play(boot_order({"rc_parallel_start": True})).changed == 0
    out = reboot(host)
    assert "Starting jails: db web app.\n" in out and "cannot start" not in out
    assert booted(host) == (["db", "web", "app"], ids)

    # back to one at a time; unset leaves it as it is
    assert host.play(boot_order({"rc_parallel_start": False})).changed == 1
    assert rc_var(host, "jail_parallel_start") == "NO"
    assert host.play(boot_order({})).changed == 0 and rc_var(host, "jail_parallel_start") == "NO"


def test_a_jail_list_out_of_dependency_order_is_put_right(make_host):
    host = make_host(prepared=False)
    host.sh(f"for j in db web app; do mkdir -p {WORLD}/$j && tar -xf /usr/freebsd-dist/base.txz -C {WORLD}/$j; done")
    assert not host.play(boot_order({})).failed
    # an administrator lists them by hand, dependents first, and one more name the task does not know
    host.run("sysrc", "jail_list=app keep web db", check=True)
    out = reboot(host)
    # jail -c app started web and db first: their own jail -c fails and they get no id file
    assert 'cannot start jail  "web"' in out and 'cannot start jail  "db"' in out
    res = host.play(boot_order({}))
    assert not res.failed and res.changed == 1
    assert rc_var(host, "jail_list") == "db web app keep"
    out = reboot(host)
    assert "cannot start" not in out.replace('cannot start jail  "keep"', "")
    assert booted(host)[0] == ["db", "web", "app"]
