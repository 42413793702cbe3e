"""etcupdate(8) on a base's /etc: extract, the three-way update, conflicts, resolve, status, diff.

src: usr.sbin/etcupdate/etcupdate.sh (usage(), extract_cmd(), update_cmd(), handle_modified_file(),
merge_file(), handle_added_file(), resolve_conflict(), status_cmd(), diff_cmd())."""

import pytest

D = ["-D", "/jails/b"]
NEW = ["-t", "/tmp/new.tar"]


@pytest.fixture
def eb(make_box):
    """/jails/b from base.txz, and /tmp/new.tar: that tree with a changed newsyslog.conf and group, a new file."""
    b = make_box(release="14.2-RELEASE")
    cp = b.sh(
        "mkdir -p /jails/b /tmp/new && tar -xf /usr/freebsd-dist/base.txz -C /jails/b"
        " && tar -xf /usr/freebsd-dist/base.txz -C /tmp/new"
        " && echo '/var/log/daemon.log 644 5 1000 @0101T JC' >> /tmp/new/etc/newsyslog.conf"
        " && echo '# new' > /tmp/new/etc/new.conf && sed -i 's/^tty:/ttyX:/' /tmp/new/etc/group"
        " && tar -cf /tmp/new.tar -C /tmp/new ."
    )
    assert cp.returncode == 0, cp.stderr
    return b


def test_update_needs_a_previous_tree(eb):
    cp = eb.run("etcupdate", *D, *NEW)
    assert (cp.stdout, cp.returncode) == (
        "No previous tree to compare against, a sane comparison is not possible.\n",
        1,
    )


def test_merge_update_add_and_conflict(eb):
    assert eb.run("etcupdate", "extract", *D, "-t", "/usr/freebsd-dist/base.txz").returncode == 0
    eb.sh("sed -i 's/all.log\t\t\t600/all.log\t\t\t640/' /jails/b/etc/newsyslog.conf")  # local, mergeable
    eb.sh("sed -i 's/^tty:/ttyY:/' /jails/b/etc/group")  # local, conflicts with the new tree's change
    cp = eb.run("etcupdate", *D, *NEW)
    assert (cp.stdout, cp.returncode) == ("  C /etc/group\n  M /etc/newsyslog.conf\n  A /etc/new.conf\n", 0)
    conf = eb.read("/jails/b/etc/newsyslog.conf")
    assert "all.log\t\t\t640" in conf and "daemon.log" in conf
    assert eb.read("/jails/b/etc/new.conf") == "# new\n"
    assert "ttyY:*:4:" in eb.read("/jails/b/etc/group")  # left as it was until resolved
    assert "<<<<<<< yours\nttyY:*:4:\n||||||| original\ntty:*:4:\n=======\nttyX:*:4:\n>>>>>>> new\n" in eb.read(
        "/jails/b/var/db/etcupdate/conflicts/etc/group"
    )
    assert eb.run("etcupdate", "status", *D).stdout == "  C /etc/group\n"
    cp = eb.run("etcupdate", *D, *NEW)
    assert (cp.stdout, cp.returncode) == ("Conflicts remain from previous update, aborting.\n", 1)
    # resolve: end of input postpones; tf takes the new file
    cp = eb.run("etcupdate", "resolve", *D, input="")
    assert cp.stdout.startswith(
        "Resolving conflict in '/etc/group':\nSelect: (p) postpone, (df) diff-full, (e) edit,\n"
    )
    assert eb.run("etcupdate", "status", *D).stdout == "  C /etc/group\n"
    assert eb.run("etcupdate", "resolve", *D, input="tf\n").returncode == 0
    assert "ttyX:*:4:" in eb.read("/jails/b/etc/group")
    assert eb.run("etcupdate", "status", *D).stdout == ""


def test_diff_against_the_stock_tree(eb):
    eb.run("etcupdate", "extract", *D, "-t", "/usr/freebsd-dist/base.txz")
    eb.sh("echo '# mine' >> /jails/b/etc/newsyslog.conf")
    cp = eb.run("etcupdate", "diff", *D)
    assert cp.stdout.startswith(
        "Index: /etc/newsyslog.conf\n"
        + "=" * 67
        + "\n--- /etc/newsyslog.conf (stock)\n+++ /etc/newsyslog.conf (local)\n"
    )
    assert cp.stdout.endswith("+# mine\n")


def test_dry_run_changes_nothing_in_destdir(eb):
    eb.run("etcupdate", "extract", *D, "-t", "/usr/freebsd-dist/base.txz")
    before = eb.sh("cat /jails/b/etc/newsyslog.conf /jails/b/etc/group").stdout
    cp = eb.run("etcupdate", "-n", *D, *NEW)
    assert cp.stdout == "  U /etc/group\n  U /etc/newsyslog.conf\n  A /etc/new.conf\n"
    assert eb.sh("cat /jails/b/etc/newsyslog.conf /jails/b/etc/group").stdout == before
    assert eb.run("test", "-e", "/jails/b/etc/new.conf").returncode == 1


def test_usage(eb):
    cp = eb.run("etcupdate", "bogus")
    assert cp.returncode == 1 and cp.stdout.startswith("usage: etcupdate [-npBF] [-d workdir]")
    cp = eb.run("etcupdate", "-x")
    assert (cp.stderr, cp.returncode) == ("Illegal option -x\n", 1)
    assert cp.stdout.startswith("\nusage: etcupdate")
