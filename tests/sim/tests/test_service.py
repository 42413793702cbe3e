"""service(8) and rc.subr messages/exit codes (src: libexec/rc/rc.subr run_rc_command(); service.sh)."""

import re


def test_status_stop_start(box):
    cp = box.run("service", "sshd", "status")
    m = re.fullmatch(r"sshd is running as pid (\d+)\.\n", cp.stdout)
    assert m and cp.returncode == 0
    pid = m.group(1)
    assert box.read("/var/run/sshd.pid") == f"{pid}\n"
    cp = box.run("service", "sshd", "stop")
    assert (cp.stdout, cp.returncode) == (f"Stopping sshd.\nWaiting for PIDS: {pid}.\n", 0)
    cp = box.run("service", "sshd", "status")
    assert (cp.stdout, cp.returncode) == ("sshd is not running.\n", 1)
    cp = box.run("service", "sshd", "stop")
    assert (cp.stderr, cp.returncode) == ("sshd not running? (check /var/run/sshd.pid).\n", 1)
    cp = box.run("service", "sshd", "start")
    assert cp.stdout == "Performing sanity check on sshd configuration.\nStarting sshd.\n" and cp.returncode == 0
    cp = box.run("service", "sshd", "start")
    assert cp.returncode == 1 and re.fullmatch(r"sshd already running\?  \(pid=\d+\)\.\n", cp.stderr)


def test_disabled_service(box):
    cp = box.run("service", "inetd", "start")
    assert cp.stdout == (
        "Cannot 'start' inetd. Set inetd_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n"
    )
    assert cp.returncode == 0  # rc.subr returns 0 here
    assert box.run("service", "inetd", "enabled").returncode == 1
    assert box.run("service", "sshd", "enabled").returncode == 0
    cp = box.run("service", "inetd", "onestart")
    assert (cp.stdout, cp.returncode) == ("Starting inetd.\n", 0)
    assert box.run("service", "inetd", "onestatus").returncode == 0
    cp = box.run("service", "inetd", "stop")  # running: stop allowed even with rcvar NO
    assert cp.stdout.startswith("Stopping inetd.\nWaiting for PIDS: ")


def test_rcvar_unknown_and_usage(box):
    cp = box.run("service", "sshd", "rcvar")
    assert cp.stdout == '# sshd : Secure Shell Daemon\n#\nsshd_enable="YES"\n#   (default: "")\n\n'
    cp = box.run("service", "nosuch", "start")
    assert cp.stdout == (
        "nosuch does not exist in /etc/rc.d or the local startup\n"
        "directories (/usr/local/etc/rc.d), or is not executable\n"
    )
    assert cp.returncode == 1
    cp = box.run("service", "sshd", "bogus")
    assert cp.returncode == 1
    assert cp.stderr.startswith(
        "/etc/rc.d/sshd: unknown directive 'bogus'.\nUsage: /etc/rc.d/sshd [fast|force|one|quiet]("
    )
    # rctl_enable="YES" in libexec/rc/rc.conf: rc.d/rctl is enabled on every FreeBSD host
    assert box.run("service", "-e").stdout == "/etc/rc.d/rctl\n/etc/rc.d/syslogd\n/etc/rc.d/sshd\n/etc/rc.d/cron\n"


def test_restart_and_sysrc_enable(box):
    cp = box.run("service", "sshd", "restart")
    assert re.fullmatch(
        r"Performing sanity check on sshd configuration\.\nStopping sshd\.\nWaiting for PIDS: \d+\.\n"
        r"Performing sanity check on sshd configuration\.\nStarting sshd\.\n",
        cp.stdout,
    )
    box.write("/etc/ssh/sshd_config", "Bogus yes\n")
    cp = box.run("service", "sshd", "restart")
    assert cp.returncode == 1 and "Bad configuration option: Bogus" in cp.stderr
    assert box.run("sysrc", "cron_enable=NO").returncode == 0
    assert box.run("service", "cron", "enabled").returncode == 1


def test_ps_and_pgrep(box):
    out = box.run("ps", "-ax", "-o", "pid=", "-o", "jid=", "-o", "command=").stdout
    assert re.search(r"^\s*\d+\s+0 /usr/sbin/sshd$", out, re.M)
    pid = box.run("pgrep", "-x", "sshd").stdout.strip()
    assert pid.isdigit()
    assert box.run("pgrep", "-j", "any", "sshd").returncode == 1
    assert box.run("pgrep", "nosuchproc").returncode == 1
    cp = box.run("ps", "-p", pid, "-o", "pid,comm")
    assert cp.stdout == f"  PID COMMAND\n{int(pid):5d} sshd\n"
