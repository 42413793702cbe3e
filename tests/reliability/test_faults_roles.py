"""Injected faults in the host_harden and world roles: after the failed run the configuration is valid,
the next run (fault gone) finishes what the failed one left, and the run after that reports changed=0."""

from harness import WORLD


def host_harden():
    return [{"name": "host_harden", "ansible.builtin.include_role": {"name": "bsd.jails.host_harden"}}]


def world(dest):
    return [{"name": "world", "ansible.builtin.include_role": {"name": "bsd.jails.world"}}], {"world_dest": dest}


def listening(host, daemon):
    """The local address:port pairs ``daemon`` listens on (sockstat -46l on the host)."""
    out = host.run("sockstat", "-46l", check=True).stdout
    return sorted({line.split()[5] for line in out.splitlines()[1:] if line.split() and line.split()[1] == daemon})


def converges(host, tasks, play_vars=None):
    """The run without the fault succeeds; the run after it changes nothing."""
    res = host.play(tasks, play_vars=play_vars)
    assert not res.failed, res
    again = host.play(tasks, play_vars=play_vars)
    assert not again.failed, again
    assert again.changed == 0, again.tasks
    return res


def sshd_config_valid(host):
    assert host.run("/usr/sbin/sshd", "-t", check=False).returncode == 0


def test_sshd_restart_fails_then_next_run_restarts_sshd_and_syslogd(make_host):
    """The handler failed after sshd_config and syslogd_flags changed: the next run, which changes no file,
    still restarts sshd and syslogd, so both run with the new configuration."""
    host = make_host(prepared=False)
    assert listening(host, "sshd") == ["*:22"]
    host.fault("service", match=r"sshd.*restart", times=1, rc=1, stderr="/etc/rc.d/sshd: WARNING: failed to start sshd")
    res = host.play(host_harden())
    assert res.failed, res
    assert res.failure()[0].endswith("Restart sshd"), res
    # the configuration is valid and already says the host address; sshd and syslogd still run the old one
    sshd_config_valid(host)
    assert f"ListenAddress {host.ip}" in host.read("/etc/ssh/sshd_config")
    assert 'syslogd_flags="-ss"' in host.read("/etc/rc.conf")
    assert listening(host, "sshd") == ["*:22"]
    assert listening(host, "syslogd") != []
    converges(host, host_harden())
    assert listening(host, "sshd") == [f"{host.ip}:22"]
    assert listening(host, "syslogd") == []
    assert host.run("test", "-e", "/var/db/bsd_jails/host_harden.pending").returncode == 1


def test_sysrc_write_fails_after_sshd_config_changed(make_host):
    """syslogd_flags cannot be written after sshd_config changed: the failed run restarts nothing, the next
    run writes syslogd_flags and restarts sshd too (its configuration no longer changes)."""
    host = make_host(prepared=False)
    host.fault("sysrc", match=r"syslogd_flags=", times=1, rc=1, stderr="sysrc: /etc/rc.conf: Read-only file system")
    res = host.play(host_harden())
    assert res.failed, res
    sshd_config_valid(host)
    assert 'syslogd_flags="-ss"' not in host.read("/etc/rc.conf")
    assert listening(host, "sshd") == ["*:22"]
    converges(host, host_harden())
    assert listening(host, "sshd") == [f"{host.ip}:22"]
    assert listening(host, "syslogd") == []


def test_syslogd_restart_fails(make_host):
    host = make_host(prepared=False)
    host.fault("service", match=r"syslogd.*restart", times=1, rc=1)
    res = host.play(host_harden())
    assert res.failed, res
    sshd_config_valid(host)
    assert listening(host, "syslogd") != []
    converges(host, host_harden())
    assert listening(host, "syslogd") == []
    assert listening(host, "sshd") == [f"{host.ip}:22"]


def test_sshd_config_check_fails(make_host):
    """sshd -t fails on the candidate file: sshd_config stays as it was, nothing is owed."""
    host = make_host(prepared=False)
    before = host.read("/etc/ssh/sshd_config")
    host.fault("sshd", match=r" -t", times=1, rc=255, stderr="/tmp/x: terminating, 1 bad configuration options")
    res = host.play(host_harden())
    assert res.failed, res
    assert host.read("/etc/ssh/sshd_config") == before
    converges(host, host_harden())
    assert listening(host, "sshd") == [f"{host.ip}:22"]


def test_world_extract_fails(make_host):
    """tar fails half-way through a corrupt base.txz (verification off): no stamp is written, so once the set
    is good again the next run extracts again, and the run after changes nothing."""
    host = make_host(prepared=False)
    tasks, play_vars = world(f"{WORLD}/w1")
    play_vars.update(world_dist_dir="/root/dist", world_dist_verify=False)
    host.sh("mkdir -p /root/dist && cp /usr/freebsd-dist/* /root/dist/")
    host.sh("head -c 20000 /usr/freebsd-dist/base.txz > /root/dist/base.txz")
    res = host.play(tasks, play_vars=play_vars)
    assert res.failed, res
    assert "tar" in res.failure()[0].lower() or "extract" in res.failure()[0].lower(), res
    assert host.sh(f"ls -a {WORLD}/.base/*/", check=False).stdout.count(".bsd_jails_world.json") == 0
    host.sh("cp /usr/freebsd-dist/base.txz /root/dist/base.txz")
    converges(host, tasks, play_vars)
    assert host.run("test", "-x", f"{WORLD}/w1/bin/sh").returncode == 0
    # jail(8): the jails root is not reachable by unprivileged host users
    assert host.sh(f"ls -ld {WORLD}").stdout.startswith("drwx------")
