"""freebsd-version(1): -k -r -u -j, the userland version baked into each root's /bin/freebsd-version.

src: bin/freebsd-version/freebsd-version.sh.in main(), kernel_version(), running_version(),
userland_version(), jail_version(), usage()."""

import pytest

USAGE = "usage: freebsd-version [-kru] [-j jail]\n"


@pytest.fixture
def jailbox(make_box):
    b = make_box(release="14.2-RELEASE")
    cp = b.sh(
        "mkdir -p /jails/a /jails/b && tar -xf /usr/freebsd-dist/base.txz -C /jails/a"
        " && tar -xf /usr/freebsd-dist/base.txz -C /jails/b"
        " && jail -c name=a path=/jails/a persist && jail -c name=b path=/jails/b persist"
    )
    assert cp.returncode == 0, cp.stderr
    return b


def test_host_flags_print_in_fixed_order(box):
    # k, r, u whatever the command-line order; -u is the default
    assert box.run("freebsd-version").stdout == "14.3-RELEASE\n"
    cp = box.run("freebsd-version", "-u", "-r", "-k")
    assert (cp.stdout, cp.returncode) == ("14.3-RELEASE\n" * 3, 0)


def test_operand_and_bad_option_are_usage(box):
    cp = box.run("freebsd-version", "x")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", USAGE, 1)
    cp = box.run("freebsd-version", "-j")
    assert (cp.stderr, cp.returncode) == ("No arg for -j option\n" + USAGE, 1)


def test_userland_is_the_base_scripts_own(jailbox):
    # a patched base (its script rewritten by freebsd-update) reports its -pN; the other base does not
    jailbox.write(
        "/jails/a/bin/freebsd-version", '#!/bin/sh\nUSERLAND_VERSION="14.2-RELEASE-p3"\necho "$USERLAND_VERSION"\n'
    )
    assert jailbox.run("chroot", "/jails/a", "freebsd-version").stdout == "14.2-RELEASE-p3\n"
    assert jailbox.run("jexec", "a", "freebsd-version").stdout == "14.2-RELEASE-p3\n"
    cp = jailbox.run("freebsd-version", "-j", "a", "-j", "b", "-u")
    assert (cp.stdout, cp.returncode) == ("14.2-RELEASE\n14.2-RELEASE-p3\n14.2-RELEASE\n", 0)


def test_jail_has_no_kernel_and_its_own_osrelease(jailbox):
    cp = jailbox.run("jexec", "a", "freebsd-version", "-k", "-u")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("", "freebsd-version: unable to locate kernel\n", 1)
    assert jailbox.run("jexec", "a", "freebsd-version", "-r").stdout == "14.2-RELEASE\n"
    assert jailbox.run("jail", "-c", "name=c", "path=/jails/b", "persist", "osrelease=13.5-RELEASE").returncode == 0
    assert jailbox.run("jexec", "c", "freebsd-version", "-r").stdout == "13.5-RELEASE\n"


def test_unknown_jail_stops_with_jexecs_complaint(jailbox):
    cp = jailbox.run("freebsd-version", "-j", "a", "-j", "nope", "-j", "b")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("14.2-RELEASE\n", 'jexec: jail "nope" not found\n', 1)
