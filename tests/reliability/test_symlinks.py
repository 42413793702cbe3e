"""Links planted in a jail's root never redirect the collection to the host's files.

A jail's root user owns everything below the jail's path: it can replace ``etc``
with a link to the host's ``/etc``, or a file with a link to any host file.  For
every place the collection reads or writes inside a jail's root, a link there
makes the task fail, naming the link, and the host stays byte-identical (the
host's target file included: the snapshot holds every file the box wrote).
"""

import contextlib

import pytest
from harness import GOOD, WORLD

ROOT = f"{WORLD}/{GOOD}"


@contextlib.contextmanager
def planted(host, plant, restore):
    """Run shell ``plant`` in the jail's root before the case and ``restore`` after it, whatever happens."""
    host.sh(f"cd {ROOT} && {plant}")
    try:
        yield
    finally:
        host.sh(f"cd {ROOT} && {restore}")


def sysctl(**args):
    args.setdefault("jail", GOOD)
    args.setdefault("name", "kern.securelevel")
    args.setdefault("value", 1)
    return [{"name": "jail_sysctl", "bsd.jails.jail_sysctl": args}]


ETC_SAVED = "mv etc etc.saved"
ETC_BACK = "rm -f etc && mv etc.saved etc"
# the jail's own etc/sysctl.conf may not exist: it is put aside when it does, and put back after
CONF_SAVED = "{ [ ! -e etc/sysctl.conf ] || mv etc/sysctl.conf etc/sysctl.conf.saved; }"
CONF_BACK = "rm -f etc/sysctl.conf && { [ ! -e etc/sysctl.conf.saved ] || mv etc/sysctl.conf.saved etc/sysctl.conf; }"

# fmt: off
SYSCTL_CASES = [
    pytest.param(f"{ETC_SAVED} && ln -s /etc etc", ETC_BACK, {}, "jail good1: etc is a symbolic link (to /etc)",
                 id="etc-to-host-etc"),
    pytest.param(f"{CONF_SAVED} && ln -s /etc/rc.conf etc/sysctl.conf", CONF_BACK, {},
                 "jail good1: etc/sysctl.conf is a symbolic link (to /etc/rc.conf)",
                 id="conf-to-host-file"),
    pytest.param(f"{CONF_SAVED} && ln -s ../../../../../etc/sysctl.conf etc/sysctl.conf",
                 CONF_BACK, {}, "jail good1: etc/sysctl.conf is a symbolic link (to ../../../../../etc/sysctl.conf)",
                 id="conf-dotdot-link"),
    pytest.param("[ ! -e srv ] && mkdir -p srv/conf && ln -s /etc srv/conf/etc", "rm -rf srv",
                 {"sysctl_file": "/srv/conf/etc/sysctl.conf"}, "jail good1: srv/conf/etc is a symbolic link (to /etc)",
                 id="deeper-dir-to-absolute"),
    pytest.param("true", "true", {"sysctl_file": "/../../../../etc/sysctl.conf"},
                 "sysctl_file: '/../../../../etc/sysctl.conf' has a '..' component",
                 id="dotdot-sysctl-file"),
]
# fmt: on


@pytest.mark.parametrize("plant,restore,args,expected", SYSCTL_CASES)
def test_jail_sysctl_never_follows_a_link(baseline, refused, plant, restore, args, expected):
    with planted(baseline, plant, restore):
        msg = refused(sysctl(**args), expected, diff=True)
    assert "PermitRootLogin" not in msg and "jail_enable" not in msg


def test_jail_sysctl_diff_never_shows_a_host_file(baseline):
    """Check mode with --diff: the host file behind the link is neither read into the diff nor changed."""
    with planted(baseline, f"{CONF_SAVED} && ln -s /etc/rc.conf etc/sysctl.conf", CONF_BACK):
        res = baseline.play(sysctl(), check=True, diff=True)
    assert res.failed and "etc/sysctl.conf is a symbolic link" in res.failure()[1]
    assert "jail_list" not in res.stdout  # /etc/rc.conf's content is not in any diff


def test_jail_sysctl_without_links_still_persists(make_host):
    """The same task on a jail with no link writes the jail's own file and converges."""
    host = make_host()
    res = host.play(sysctl())
    assert not res.failed, res
    assert "kern.securelevel=1" in host.read(f"{ROOT}/etc/sysctl.conf")
    assert "kern.securelevel" not in host.read("/etc/sysctl.conf")
    assert host.play(sysctl()).changed == 0


def test_jail_devfs_never_mounts_through_a_link(make_host, refused):
    """A jail whose dev is a link to the host's /dev: mount(8) and devfs -m would act on the host's /dev."""
    host = make_host()
    host.sh(f"umount {ROOT}/dev 2>/dev/null; rm -rf {ROOT}/dev && ln -s /dev {ROOT}/dev")
    task = [
        {
            "name": "jail_devfs",
            "bsd.jails.jail_devfs": {
                "name": "devfsrules_jail_bpf",
                "number": 170,
                "rules": ["path 'bpf*' unhide"],
                "jail": GOOD,
            },
        }
    ]
    refused(task, "jail good1: dev is a symbolic link (to /dev)", host=host)


WORLD_ROLE = [{"name": "world", "ansible.builtin.include_role": {"name": "bsd.jails.world"}}]


@pytest.mark.parametrize(
    "plant,shown",
    [
        pytest.param("mv etc etc.saved && ln -s /etc etc", "etc is a symbolic link (to /etc)", id="etc"),
        pytest.param(
            "rm etc/rc.conf && ln -s /etc/rc.conf etc/rc.conf", "etc/rc.conf is a symbolic link", id="rc.conf"
        ),
        pytest.param(
            "rm -f etc/resolv.conf && ln -s /etc/resolv.conf etc/resolv.conf",
            "etc/resolv.conf is a symbolic link",
            id="resolv.conf",
        ),
        pytest.param("rm -f etc/fstab && ln -s /etc/fstab etc/fstab", "etc/fstab is a symbolic link", id="fstab"),
        pytest.param("rmdir dev && ln -s /dev dev", "dev is a symbolic link (to /dev)", id="dev"),
    ],
)
def test_world_finishing_steps_never_write_through_a_link(make_host, refused, plant, shown):
    """A base that is also a jail's root (world_dest == world_base_dir): a directory or file there turned into
    a link to the host's must not have the finishing steps write the host's rc.conf, fstab or resolv.conf."""
    host = make_host(prepared=False)
    base = f"{WORLD}/w1"
    world_vars = {"world_dest": base, "world_base_dir": base}
    res = host.play(WORLD_ROLE, play_vars=world_vars)
    assert not res.failed, res
    host.sh(f"cd {base} && {plant}")
    # the host's files differ from what the finishing steps write: a write through the link would show
    host.sh("echo 'sendmail_enable=\"YES\"' >> /etc/rc.conf && echo '# host' >> /etc/fstab")
    refused(WORLD_ROLE, f"{base}: {shown}", host=host, play_vars=world_vars)
