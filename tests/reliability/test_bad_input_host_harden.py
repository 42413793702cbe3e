"""Bad input to the bsd.jails.host_harden role: the play fails, names the field, and the host stays byte-identical.

Every input is checked before the role's first change (roles/host_harden/tasks/validate.yml and
meta/argument_specs.yml): a value that reaches sshd_config or rc.conf cannot carry a second line or
anything sh(1) or rc.subr(8) would read as syntax.
"""

import pytest


def role():
    return [{"name": "host_harden", "ansible.builtin.include_role": {"name": "bsd.jails.host_harden"}}]


CASES = [
    # config injection through an address: the second line would land in sshd_config
    pytest.param(
        {"host_harden_addresses": ["192.0.2.10\nPermitRootLogin yes"]},
        "host_harden_addresses[0]",
        id="address-newline-sshd-injection",
    ),
    pytest.param({"host_harden_addresses": ["300.1.1.1"]}, "host_harden_addresses[0]: '300.1.1.1'", id="address-300"),
    pytest.param(
        {"host_harden_addresses": ["192.0.2.10", "not-an-ip"]},
        "host_harden_addresses[1]: 'not-an-ip'",
        id="address-not-an-ip",
    ),
    pytest.param({"host_harden_addresses": ["192.0.2.0/24"]}, "host_harden_addresses[0]", id="address-with-mask"),
    pytest.param({"host_harden_addresses": []}, "host_harden_addresses: no address", id="no-address"),
    # rc.conf injection through daemon flags
    pytest.param(
        {"host_harden_ntpd_flags": "-g\nsshd_enable=NO"},
        "host_harden_ntpd_flags",
        id="ntpd-flags-newline-disables-sshd",
    ),
    pytest.param(
        {"host_harden_inetd_flags": "-wW -C 60\ninetd_enable=NO"}, "host_harden_inetd_flags", id="inetd-flags-newline"
    ),
    pytest.param(
        {"host_harden_rpcbind_flags": "-s; reboot"}, "host_harden_rpcbind_flags", id="rpcbind-flags-semicolon"
    ),
    pytest.param(
        {"host_harden_mountd_flags": "-r $(touch /tmp/pwned)"}, "host_harden_mountd_flags", id="mountd-flags-subst"
    ),
    pytest.param({"host_harden_nfsd_flags": "-u `id`"}, "host_harden_nfsd_flags", id="nfsd-flags-backquote"),
    pytest.param(
        {"host_harden_ntpd_flags": "-g -c '/etc/ntp.conf'"}, "host_harden_ntpd_flags", id="ntpd-flags-quote-breaks-su"
    ),
    # paths and the other inputs
    pytest.param(
        {"host_harden_sshd_config": "etc/ssh/sshd_config"},
        "host_harden_sshd_config: 'etc/ssh/sshd_config' is not an absolute path",
        id="sshd-config-relative",
    ),
    pytest.param({"host_harden_audit_ignore": ["sshd:"]}, "host_harden_audit_ignore[0]", id="audit-ignore-no-port"),
    pytest.param({"host_harden_sendmail_mode": "maybe"}, "host_harden_sendmail_mode", id="sendmail-mode-choice"),
    pytest.param({"host_harden_syslogd": "perhaps"}, "host_harden_syslogd", id="syslogd-toggle-not-bool"),
    pytest.param({"host_harden_pending_file": "pending"}, "host_harden_pending_file", id="pending-file-relative"),
    pytest.param(
        {"host_harden_sysctls": {"kern.securelevel": "high"}}, "kern.securelevel", id="sysctl-checked-before-sshd"
    ),
]


@pytest.mark.parametrize("play_vars,expected", CASES)
def test_refused(refused, play_vars, expected):
    refused(role(), expected, play_vars=play_vars)
