"""Bad input to the bsd.jails.world role: the play fails, names the field, and the host stays byte-identical.

Every input is checked before the role's first change (roles/world/tasks/validate.yml and
meta/argument_specs.yml).
"""

import pytest
from harness import WORLD


def role():
    return [{"name": "world", "ansible.builtin.include_role": {"name": "bsd.jails.world"}}]


CASES = [
    pytest.param({"world_dest": f"{WORLD}/."}, "world_dest", id="dest-dot-is-the-root"),
    pytest.param({"world_dest": WORLD}, "world_dest", id="dest-is-the-root"),
    pytest.param({"world_dest": f"{WORLD}/new\nj"}, "world_dest", id="dest-newline"),
    pytest.param({"world_dest": f"{WORLD}/a/../../../etc"}, "world_dest", id="dest-dotdot"),
    pytest.param({"world_dest": "/var/tmp/elsewhere"}, "world_dest", id="dest-outside-root"),
    pytest.param(
        {"world_dest": "relative/jail"}, "world_dest: 'relative/jail' is not an absolute path", id="dest-relative"
    ),
    pytest.param(
        {"world_dest": f"{WORLD}/newj", "world_dist_sets": ["../../etc/passwd"]},
        "world_dist_sets[0]: '../../etc/passwd'",
        id="dist-set-path",
    ),
    pytest.param(
        {"world_dest": f"{WORLD}/newj", "world_dist_sets": ["base.txz", "-rf"]},
        "world_dist_sets[1]",
        id="dist-set-option",
    ),
    pytest.param(
        {"world_dest": f"{WORLD}/newj", "world_rc_conf": {"sshd_flags": "-4\nsshd_enable=YES"}},
        "world_rc_conf.sshd_flags",
        id="rc-conf-value-newline",
    ),
    pytest.param(
        {"world_dest": f"{WORLD}/newj", "world_rc_conf": {"cron;reboot": "YES"}},
        "world_rc_conf[cron;reboot]",
        id="rc-conf-bad-name",
    ),
    pytest.param(
        {"world_dest": f"{WORLD}/newj", "world_layout": "thin", "world_thin_rw_dirs": ["etc", "../../../etc"]},
        "world_thin_rw_dirs[1]",
        id="thin-rw-dir-escapes-base",
    ),
    pytest.param(
        {"world_dest": f"{WORLD}/newj", "world_release": "14.3-RELEASE\n"}, "world_release", id="release-newline"
    ),
    pytest.param({"world_dest": f"{WORLD}/newj", "world_layout": "fat"}, "world_layout", id="layout-choice"),
    pytest.param(
        {"world_dest": f"{WORLD}/.base", "world_base_dir": f"{WORLD}/.base/14.3-RELEASE"},
        "world_dest",
        id="dest-holds-the-base",
    ),
]


@pytest.mark.parametrize("play_vars,expected", CASES)
def test_refused(refused, play_vars, expected):
    refused(role(), expected, play_vars=play_vars)
