"""freebsd-update(8) against the simulated mirror (data/freebsd-update/catalogue.json, patchlevels.py).

src: usr.sbin/freebsd-update/freebsd-update.sh (cmd_fetch(), fetch_run(), fetch_create_manifest(),
install_check_params(), install_run(), rollback_run(), upgrade_run(), upgrade_merge(), usage())."""

import pytest

FETCH = "freebsd-update -b /jails/b --not-running-from-cron"
LOOKUP = "Looking up update.FreeBSD.org mirrors... 2 mirrors found.\n"


@pytest.fixture
def b142(make_box):
    """A 14.2-RELEASE host with a 14.2-RELEASE base in /jails/b (its base.txz)."""
    b = make_box(release="14.2-RELEASE")
    assert b.sh("mkdir -p /jails/b && tar -xf /usr/freebsd-dist/base.txz -C /jails/b").returncode == 0
    return b


def version(b, root="/jails/b"):
    return b.run("chroot", root, "freebsd-version").stdout


def test_fetch_install_to_latest_patch_then_nothing_to_do(b142):
    assert version(b142) == "14.2-RELEASE\n"
    cp = b142.sh(f"{FETCH} fetch")
    assert cp.returncode == 0, cp.stdout
    assert cp.stdout == (
        "src component not installed, skipped\n" + LOOKUP + "Fetching public key from update1.freebsd.org... done.\n"
        "Fetching metadata signature for 14.2-RELEASE from update1.freebsd.org... done.\n"
        "Fetching metadata index... done.\nFetching 2 metadata files... done.\nInspecting system... done.\n"
        "Preparing to download files... done.\nFetching 3 files... . done.\n"
        "The following files will be updated as part of updating to\n14.2-RELEASE-p3:\n"
        "/bin/freebsd-version\n/usr/lib/libcrypto.so.30\n/usr/lib/libsim.so.1\n"
    )
    assert version(b142) == "14.2-RELEASE\n"  # fetch alone changes nothing in the base
    assert (
        "\nThere are updates available to install.\n"
        in b142.run("freebsd-update", "-b", "/jails/b", "updatesready").stdout
    )
    cp = b142.sh(f"{FETCH} install")
    assert (cp.stdout, cp.returncode) == ("src component not installed, skipped\nInstalling updates... done.\n", 0)
    assert version(b142) == "14.2-RELEASE-p3\n"
    assert "patched at -p3" in b142.read("/jails/b/usr/lib/libcrypto.so.30")
    cp = b142.sh(f"{FETCH} fetch install")
    assert cp.returncode == 0
    assert cp.stdout.endswith(
        "\nNo updates needed to update system to 14.2-RELEASE-p3.\nNo updates are available to install.\n"
    )
    cp = b142.sh(f"{FETCH} install")  # not fetched in this run: exit 2
    assert cp.returncode == 2
    assert cp.stdout.endswith("No updates are available to install.\nRun 'freebsd-update [options] fetch' first.\n")


def test_rollback_restores_the_previous_files(b142):
    before = b142.read("/jails/b/usr/lib/libsim.so.1")
    assert b142.sh(f"{FETCH} fetch install").returncode == 0
    cp = b142.sh(f"{FETCH} rollback")
    assert (cp.stdout, cp.returncode) == ("src component not installed, skipped\nUninstalling updates... done.\n", 0)
    assert version(b142) == "14.2-RELEASE\n"
    assert b142.read("/jails/b/usr/lib/libsim.so.1") == before
    cp = b142.sh(f"{FETCH} rollback")
    assert (cp.stdout.splitlines()[-1], cp.returncode) == ("No rollback directory found.", 1)


def test_locally_modified_etc_file_is_left_and_listed(b142):
    b142.sh("echo '# mine' >> /jails/b/etc/newsyslog.conf")
    cp = b142.sh(f"{FETCH} fetch install")
    assert (
        "The following files are affected by updates. No changes have\n"
        "been downloaded, however, because the files have been modified\nlocally:\n/etc/newsyslog.conf\n"
    ) in cp.stdout
    assert b142.read("/jails/b/etc/newsyslog.conf").endswith("# mine\n")


def test_unreachable_mirror_leaves_base_untouched(b142):
    b142.run("touch", "/.simhost/kernel/update-mirror-down")
    listing = b142.sh("ls -lR /jails/b | sha256sum").stdout
    cp = b142.sh(f"{FETCH} fetch install")
    assert cp.returncode == 1
    assert "Looking up update.FreeBSD.org mirrors... none found.\n" in cp.stdout
    assert "Fetching public key from update.FreeBSD.org... failed.\nNo mirrors remaining, giving up.\n" in cp.stdout
    assert "Installing" not in cp.stdout
    assert b142.sh("ls -lR /jails/b | sha256sum").stdout == listing
    assert version(b142) == "14.2-RELEASE\n"


def test_mirror_as_it_stood_earlier_serves_an_older_patch_level(b142):
    # update-mirror-published: the mirror on the day 14.2-RELEASE-p1 was the newest; later, the newest again
    b142.write("/.simhost/kernel/update-mirror-published", "14.3-RELEASE 0\n14.2-RELEASE 1\n")
    cp = b142.sh(f"{FETCH} fetch install")
    assert cp.returncode == 0, cp.stdout
    assert "as part of updating to\n14.2-RELEASE-p1:\n/bin/freebsd-version\n/usr/lib/libcrypto.so.30\n" in cp.stdout
    assert version(b142) == "14.2-RELEASE-p1\n"
    assert b142.sh(f"{FETCH} fetch").stdout.endswith("No updates needed to update system to 14.2-RELEASE-p1.\n")
    b142.run("rm", "/.simhost/kernel/update-mirror-published")
    cp = b142.sh(f"{FETCH} fetch install")
    assert cp.returncode == 0, cp.stdout
    assert (
        "as part of updating to\n14.2-RELEASE-p3:\n"
        "/bin/freebsd-version\n/usr/lib/libcrypto.so.30\n/usr/lib/libsim.so.1\n" in cp.stdout
    )
    assert version(b142) == "14.2-RELEASE-p3\n"


def test_non_interactive_and_usage(b142):
    cp = b142.sh("freebsd-update -b /jails/b fetch </dev/null")
    assert cp.returncode == 1
    assert cp.stdout.endswith(
        "freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\n"
    )
    cp = b142.run("freebsd-update", "-b", "/jails/b")  # no command: usage on stdout, exit 0
    assert cp.returncode == 0 and cp.stdout.startswith("usage: freebsd-update [options] command ...\n")
    cp = b142.sh(f"{FETCH} -r 14.3-RELEASE fetch")
    assert cp.stdout.endswith(
        "freebsd-update: '-r' option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n"
    )
    cp = b142.sh(f"{FETCH} -d /nonexistent fetch")
    assert (cp.stdout.splitlines()[-1], cp.returncode) == (
        "freebsd-update: Directory does not exist or is not writable: /nonexistent",
        1,
    )


def test_release_comes_from_the_running_kernel_unless_told(make_box):
    # -b alone compares the base with `uname -r` (the host's 14.3): a 14.2 base would get 14.3's files;
    # --currently-running names the base's own release
    b = make_box()
    b.sh("mkdir -p /jails/b && tar -xf /usr/freebsd-dist/base.txz -C /jails/b")
    b.write("/jails/b/bin/freebsd-version", '#!/bin/sh\nUSERLAND_VERSION="14.2-RELEASE-p1"\necho "$USERLAND_VERSION"\n')
    cp = b.sh(f"{FETCH} --currently-running 14.2-RELEASE-p1 fetch")
    assert "14.2-RELEASE-p3:\n" in cp.stdout, cp.stdout
    cp = b.sh(f"{FETCH} fetch")
    assert "14.3-RELEASE-p2:\n" in cp.stdout
    cp = b.sh(f"{FETCH} --currently-running 14.2-RELEASE-p9 fetch")
    assert cp.returncode == 1
    assert cp.stdout.endswith(
        "Files on mirror (14.2-RELEASE-p3) appear older than what\nwe are currently running (14.2-RELEASE-p9)!\n"
        "Cowardly refusing to proceed any further.\n"
    )


def test_jail_form_patches_a_running_jails_root(b142):
    assert b142.run("jail", "-c", "name=web", "path=/jails/b", "persist").returncode == 0
    cp = b142.sh("freebsd-update -j web --not-running-from-cron fetch install")
    assert cp.returncode == 0 and cp.stdout.endswith("Installing updates... done.\n")
    assert b142.run("freebsd-version", "-j", "web").stdout == "14.2-RELEASE-p3\n"
    cp = b142.sh("freebsd-update -j nope fetch")
    assert cp.returncode == 1
    assert cp.stdout == "The specified jail either doesn't exist or does not have freebsd-version.\n"


def test_upgrade_merges_etc_and_installs_new_release(b142):
    b142.sh("sed -i 's/all.log\t\t\t600/all.log\t\t\t640/' /jails/b/etc/newsyslog.conf")
    cp = b142.sh(f"{FETCH} upgrade -r 14.3-RELEASE </dev/null")
    assert cp.returncode == 0, cp.stdout
    assert "The following components of FreeBSD seem to be installed:\nkernel/generic world/base\n" in cp.stdout
    assert "Attempting to automatically merge changes in files... done.\n" in cp.stdout
    assert "have been merged into /etc/newsyslog.conf:\n--- current version\n+++ new version\n" in cp.stdout
    assert cp.stdout.endswith("To install the downloaded upgrades, run 'freebsd-update [options] install'.\n")
    assert version(b142) == "14.2-RELEASE\n"
    assert b142.sh(f"{FETCH} install").returncode == 0
    assert version(b142) == "14.3-RELEASE-p2\n"
    conf = b142.read("/jails/b/etc/newsyslog.conf")
    assert "all.log\t\t\t640" in conf and "/var/log/daemon.log" in conf  # both sides' changes
    cp = b142.sh(f"{FETCH} upgrade -r 14.2-RELEASE")
    assert cp.stdout.endswith("freebsd-update: Cannot upgrade from 14.2-RELEASE to itself\n")
    cp = b142.sh(f"{FETCH} upgrade")
    assert cp.stdout.endswith("freebsd-update: Release target must be specified via '-r' option.\n")


def test_upgrade_conflict_installs_nothing(b142):
    b142.sh("echo '/var/log/local.log 644 3 * @T00 J' >> /jails/b/etc/newsyslog.conf")
    cp = b142.sh(f"{FETCH} upgrade -r 14.3 </dev/null")
    assert cp.returncode == 1
    assert "The following file could not be merged automatically: /etc/newsyslog.conf\n" in cp.stdout
    assert b142.sh(f"{FETCH} install").returncode == 2
    assert version(b142) == "14.2-RELEASE\n"


def test_uname_answers_uname_r(box):
    # freebsd-update's --currently-running exports UNAME_r; uname(1) prints it (usr.bin/uname/uname.c setup_get())
    assert box.sh("UNAME_r=14.2-RELEASE-p1 uname -r").stdout == "14.2-RELEASE-p1\n"
    assert box.run("uname", "-r").stdout == "14.3-RELEASE\n"


def test_dist_option_gives_another_release_s_sets(make_box):
    """simhost create --dist R: R's base.txz and MANIFEST in /usr/freebsd-dist/R/, as a mirror's release directory
    (https://download.freebsd.org/releases/amd64/amd64/R/) holds them; the box's own release stays at the top."""
    b = make_box(dists=["14.2-RELEASE"])
    manifest = b.read("/usr/freebsd-dist/14.2-RELEASE/MANIFEST")
    assert manifest.startswith("base.txz\t") and manifest.endswith('\tbase\t"Base system (MANDATORY)"\ton\n')
    assert b.sh("mkdir -p /j/o && tar -xf /usr/freebsd-dist/14.2-RELEASE/base.txz -C /j/o").returncode == 0
    assert version(b, "/j/o") == "14.2-RELEASE\n"
    assert b.sh("mkdir -p /j/n && tar -xf /usr/freebsd-dist/base.txz -C /j/n").returncode == 0
    assert version(b, "/j/n") == "14.3-RELEASE\n"


def test_upgrade_without_mergechanges_then_etcupdate(make_box):
    """An unattended upgrade of a jail's base (freebsd-update.sh upgrade_run() with no MergeChanges: a locally
    modified UpdateIfUnmodified file is listed and left alone), then etcupdate.sh update_cmd() merges /etc:
    `  M` for a clean three-way merge, `  C` with the local file kept when the same line changed on both sides."""
    b = make_box(dists=["14.2-RELEASE"])
    assert b.sh("mkdir -p /j/t /var/db/fu && tar -xf /usr/freebsd-dist/14.2-RELEASE/base.txz -C /j/t").returncode == 0
    b.sh("sed -i '1s/.*/# newsyslog (local)/' /j/t/etc/newsyslog.conf")
    b.sh("sed -i 's/^#VersionAddendum.*/VersionAddendum none/' /j/t/etc/ssh/sshd_config")
    b.sh("grep -v MergeChanges /etc/freebsd-update.conf > /var/db/fu/c.conf")
    fu = "freebsd-update -f /var/db/fu/c.conf -b /j/t -d /var/db/fu --not-running-from-cron"
    ex = b.sh("etcupdate extract -D /j/t -d /var/db/fu/etc -t /usr/freebsd-dist/14.2-RELEASE/base.txz")
    assert ex.returncode == 0
    cp = b.sh(f"{fu} --currently-running 14.2-RELEASE -r 14.3-RELEASE upgrade </dev/null")
    assert cp.returncode == 0, cp.stdout
    assert "locally:\n/etc/newsyslog.conf\n/etc/ssh/sshd_config\n" in cp.stdout
    assert "Attempting to automatically merge" not in cp.stdout
    assert b.sh(f"{fu} install").returncode == 0
    assert version(b, "/j/t") == "14.3-RELEASE-p2\n"
    ignore = "/bin/* /boot/* /lib/* /libexec/* /rescue/* /sbin/* /usr/*"
    cp = b.run("etcupdate", "-D", "/j/t", "-d", "/var/db/fu/etc", "-t", "/usr/freebsd-dist/base.txz", "-I", ignore)
    assert (cp.returncode, cp.stdout) == (0, "  M /etc/newsyslog.conf\n  C /etc/ssh/sshd_config\n")
    conf = b.read("/j/t/etc/newsyslog.conf")
    assert conf.startswith("# newsyslog (local)\n") and "/var/log/daemon.log" in conf
    assert "VersionAddendum none\n" in b.read("/j/t/etc/ssh/sshd_config")
    assert "<<<<<<< yours\n" in b.read("/var/db/fu/etc/conflicts/etc/ssh/sshd_config")
