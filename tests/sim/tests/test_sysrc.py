"""sysrc(8): every case of FreeBSD's usr.sbin/sysrc/tests/sysrc_test.sh, with its exact outputs
(FreeBSD's usr.sbin/sysrc/tests/sysrc_test.sh, in tests/conformance/freebsd/;
tests/fixtures/freebsd/BEHAVIOUR.md §9)."""

C = "/root/sysrc_test.conf"
C2 = "/root/sysrc2.conf"


def sysrc(box, *args):
    return box.run("sysrc", *args)


def check(cp, out="", err="", rc=0):
    assert (cp.stdout, cp.stderr, cp.returncode) == (out, err, rc)


def test_check_variable(box):
    box.write(C, 'test_enable="NO"\ntest_list="item1 item2"\ntest2_list=""\n')
    check(sysrc(box, "-f", C, "test_enable"), "test_enable: NO\n")
    check(sysrc(box, "-f", C, "test2_list"), "test2_list: \n")
    check(sysrc(box, "-f", C, "test_enable", "test_list"), "test_enable: NO\ntest_list: item1 item2\n")
    check(sysrc(box, "-f", C, "noexist"), err="sysrc: unknown variable 'noexist'\n", rc=1)
    check(sysrc(box, "-f", C, "test_enable", "noexist"), "test_enable: NO\n", "sysrc: unknown variable 'noexist'\n", 1)


def test_set_variable(box):
    check(sysrc(box, "-f", C, "test_enable=YES"), "test_enable:  -> YES\n")
    assert box.read(C) == 'test_enable="YES"\n'
    check(sysrc(box, "-f", C, "test_enable=YES"), "test_enable: YES -> YES\n")
    assert box.read(C) == 'test_enable="YES"\n'
    check(sysrc(box, "-f", C, "test_enable=NO"), "test_enable: YES -> NO\n")
    assert box.read(C) == 'test_enable="NO"\n'
    check(sysrc(box, "-f", C, "test2_enable="), "test2_enable:  -> \n")
    assert box.read(C) == 'test_enable="NO"\ntest2_enable=""\n'


def test_remove_variable_x_flag(box):
    box.write(C, 'test1_enable="YES"\ntest2_enable="NO"\ntest3_enable=""\n')
    check(sysrc(box, "-f", C, "-x", "test1_enable"))
    assert box.read(C) == 'test2_enable="NO"\ntest3_enable=""\n'
    check(sysrc(box, "-f", C, "-x", "test2_enable", "test3_enable"))
    assert box.read(C) == ""
    check(sysrc(box, "-f", C, "-x", "noexist"), err="sysrc: unknown variable 'noexist'\n", rc=1)


def test_append_list(box):
    check(sysrc(box, "-f", C, "test_list+=item1"), "test_list:  -> item1\n")
    assert box.read(C) == 'test_list="item1"\n'
    check(sysrc(box, "-f", C, "test_list+=item1"), "test_list: item1 -> item1\n")
    assert box.read(C) == 'test_list="item1"\n'
    check(sysrc(box, "-f", C, "test_list+=item2"), "test_list: item1 -> item1 item2\n")
    assert box.read(C) == 'test_list="item1 item2"\n'


def test_subtract_list(box):
    box.write(C, 'test_list="item1 item2"\n')
    check(sysrc(box, "-f", C, "test_list-=item2"), "test_list: item1 item2 -> item1\n")
    assert box.read(C) == 'test_list="item1"\n'
    check(sysrc(box, "-f", C, "test_list-=item1"), "test_list: item1 -> \n")
    assert box.read(C) == 'test_list=""\n'
    check(sysrc(box, "-f", C, "test_list-=item3"), "test_list:  -> \n")
    assert box.read(C) == 'test_list=""\n'
    assert box.run("grep", "test2_list", C).returncode == 1
    check(sysrc(box, "-f", C, "test2_list-=item1"), "test2_list:  -> \n")
    assert box.read(C) == 'test_list=""\ntest2_list=""\n'


def test_multiple_operations(box):
    check(
        sysrc(box, "-f", C, "test1_enable=YES", "test1_list+=item1"), "test1_enable:  -> YES\ntest1_list:  -> item1\n"
    )
    assert box.read(C) == 'test1_enable="YES"\ntest1_list="item1"\n'
    expected = (
        "test1_enable: YES\ntest1_enable: YES -> NO\ntest2_enable:  -> YES\n"
        "test1_list: item1 -> \ntest2_list:  -> item3\n"
    )
    cp = sysrc(
        box, "-f", C, "test1_enable", "test1_enable=NO", "noexist", "test2_enable=YES", "test1_list-=item1",
        "test2_list+=item3",
    )  # fmt: skip
    check(cp, expected, "sysrc: unknown variable 'noexist'\n", 1)
    assert box.read(C) == 'test1_enable="NO"\ntest1_list=""\ntest2_enable="YES"\ntest2_list="item3"\n'


def test_a_flag(box):
    box.write(C, 'test_enable="YES"\n')
    check(sysrc(box, "-f", C, "-a"), "test_enable: YES\n")


def test_A_flag(box):
    box.write("/root/rc_defaults.conf", f'rc_conf_files="{C}"\ntest_enable="NO"\n')
    box.write(C, 'test_enable="YES"\n')
    cp = box.sh("RC_DEFAULTS=/root/rc_defaults.conf sysrc -A")
    check(cp, f"rc_conf_files: {C}\ntest_enable: NO\n", "/usr/sbin/sysrc: source_rc_confs: not found\n")


def test_c_flag(box):
    box.write(C, 'test_enable="NO"\ntest_list="item1 item2"\n')

    def ok(*a):
        check(sysrc(box, "-f", C, "-c", *a))

    def fail(*a):
        check(sysrc(box, "-f", C, "-c", *a), rc=1)

    ok("test_enable")
    ok("test_list")
    ok("test_enable", "test_list")
    check(sysrc(box, "-f", C, "-c", "noexist"), err="sysrc: unknown variable 'noexist'\n", rc=1)
    check(sysrc(box, "-f", C, "-c", "test_enable", "noexist"), err="sysrc: unknown variable 'noexist'\n", rc=1)
    check(
        sysrc(box, "-f", C, "-c", "noexist1", "noexist2"),
        err="sysrc: unknown variable 'noexist1'\nsysrc: unknown variable 'noexist2'\n",
        rc=1,
    )
    ok("test_enable=NO")
    fail("test_enable=YES")
    fail("noexist=YES")
    ok("test_list+=item1")
    fail("test_list+=item3")
    fail("noexist+=item1")
    ok("test_enable=NO", "test_list+=item1")
    fail("test_enable=YES", "test_list+=item1")
    fail("test_enable=NO", "test_list+=item3")
    fail("test_enable=YES", "test_list+=item3")
    ok("test_list-=item3")
    fail("test_list-=item1")
    fail("noexist-=item1")
    ok("test_enable=NO", "test_list-=item3")
    fail("test_enable=YES", "test_list-=item3")
    fail("test_enable=NO", "test_list-=item1")
    fail("test_enable=YES", "test_list-=item1")
    assert box.read(C) == 'test_enable="NO"\ntest_list="item1 item2"\n'


def test_d_flag(box):
    box.write(C, 'test_enable="NO" # Test Description\n')
    check(box.sh(f"RC_DEFAULTS={C} sysrc -d test_enable"), "test_enable: Test Description\n")


def test_f_flag(box):
    box.write(C2, 'test_list="item1"\ntest_enable="NO"\n')
    assert box.run("test", "!", "-f", C).returncode == 0
    check(sysrc(box, "-f", C, "noexist"), err="sysrc: unknown variable 'noexist'\n", rc=1)
    assert box.run("test", "!", "-f", C).returncode == 0
    check(sysrc(box, "-f", C, "test_enable=YES"), "test_enable:  -> YES\n")
    assert box.run("test", "-f", C).returncode == 0
    check(sysrc(box, "-f", C, "test_enable"), "test_enable: YES\n")
    check(sysrc(box, "-f", C2, "-f", C, "test_enable"), "test_enable: YES\n")
    check(sysrc(box, "-f", C, "-f", C2, "test_enable"), "test_enable: NO\n")
    check(sysrc(box, "-f", C2, "-f", C, "-a"), "test_enable: YES\ntest_list: item1\n")


def test_F_flag(box):
    box.write(C2, 'test_list="item1"\n')
    box.write(C, 'test_enable="NO"\n')
    check(sysrc(box, "-f", C, "-F", "test_enable"), f"test_enable: {C}\n")
    check(sysrc(box, "-f", C2, "-F", "test_list"), f"test_list: {C2}\n")
    check(sysrc(box, "-f", C, "-f", C2, "-F", "test_enable", "test_list"), f"test_enable: {C}\ntest_list: {C2}\n")


def test_default_files_and_in_place_replace(box):
    # sysrc.8: the last occurrence in the last file holding the variable is replaced in place
    box.write("/etc/rc.conf", 'a="1"\nsshd_enable="YES"\nb="2"\nsshd_enable="NO"\n')
    check(box.run("sysrc", "sshd_enable=YES"), "sshd_enable: NO -> YES\n")
    assert box.read("/etc/rc.conf") == 'a="1"\nsshd_enable="YES"\nb="2"\nsshd_enable="YES"\n'
    check(box.run("sysrc", "-n", "sshd_enable"), "YES\n")
    check(box.run("sysrc", "cron_enable"), "cron_enable: YES\n")  # from /etc/defaults/rc.conf
    check(box.run("sysrc", "-e", "a"), 'a="1"\n')
    check(box.run("sysrc", "new_var=x"), "new_var:  -> x\n")
    assert box.read("/etc/rc.conf").endswith('new_var="x"\n')


def test_verbose_prefixes_the_file_for_every_output_form(box):
    # usr.sbin/sysrc/sysrc (freebsd-src), argument loop: -v prints "FILE: " before the
    # rest; -n only drops "NAME: " (community.general.sysrc reads `sysrc -v -n NAME`).
    box.run("sysrc", "jail_enable=YES", check=True)
    assert box.run("sysrc", "-v", "jail_enable").stdout == "/etc/rc.conf: jail_enable: YES\n"
    assert box.run("sysrc", "-v", "-n", "jail_enable").stdout == "/etc/rc.conf: YES\n"
    assert box.run("sysrc", "-f", "/etc/rc.conf", "-v", "-n", "jail_enable").stdout == "/etc/rc.conf: YES\n"
    assert box.run("sysrc", "-v", "-n", "sshd_flags").stdout == "/etc/defaults/rc.conf: \n"
    assert box.run("sysrc", "-e", "jail_enable").stdout == 'jail_enable="YES"\n'
    assert box.run("sysrc", "-v", "-e", "jail_enable").stdout == ': /etc/rc.conf; jail_enable="YES"\n'
    assert box.run("sysrc", "-v", "jail_list=www").stdout == "/etc/rc.conf: jail_list:  -> www\n"
    assert box.run("sysrc", "-v", "-n", "jail_list+=db").stdout == "/etc/rc.conf: www -> www db\n"


def test_check_only_verbose_messages(box):
    box.run("sysrc", "jail_enable=YES", check=True)
    cp = box.run("sysrc", "-c", "-v", "jail_enable=YES", "jail_enable=NO", "nosuchvar_x=1")
    assert cp.returncode == 1
    assert cp.stdout == (
        "/etc/rc.conf: jail_enable: already set to `YES'\n"
        "/etc/rc.conf: jail_enable: would change from `YES' to `NO'\n"
        "nosuchvar_x: not currently set\n"
    )
