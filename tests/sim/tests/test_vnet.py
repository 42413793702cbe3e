"""VNET networking: cloned interfaces (epair, lo, bridge), bridge members, interfaces moved into a
vnet jail and back, the jail's own stack, kern.features.vimage, cloned_interfaces at boot.

Each test names the FreeBSD source it follows (see simfbsd/netif/ and tools/ifconfig.py).
"""

from simfbsd import box as boxlib


def _names(box, *jexec):
    return box.run(*jexec, "ifconfig", "-l").stdout.split()


def test_epair_create_prints_a_end_and_makes_both(box):
    # sys/net/if_epair.c epair_clone_create(); sbin/ifconfig/ifclone.c ifclonecreate() prints the
    # name the kernel gave
    cp = box.run("ifconfig", "epair", "create")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("epair0a\n", "", 0)
    assert _names(box) == ["vtnet0", "lo0", "epair0a", "epair0b"]
    assert box.run("ifconfig", "epair", "create").stdout == "epair1a\n"
    out = box.run("ifconfig", "epair0b").stdout.splitlines()
    assert out[0] == "epair0b: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500"
    assert out[1] == "\toptions=8<VLAN_MTU>"
    assert out[2].startswith("\tether 02:") and out[2].endswith(":0b")
    assert out[3:6] == ["\tgroups: epair", "\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)", "\tstatus: active"]
    a_mac = box.run("ifconfig", "epair0a").stdout.splitlines()[2]
    assert a_mac[:-2] == out[2][:-2] and a_mac.endswith(":0a")
    # a unit given by name: printed only when the name changed (epair5 -> epair5a)
    assert box.run("ifconfig", "epair5", "create").stdout == "epair5a\n"
    cp = box.run("ifconfig", "epair5", "create")
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCIFCREATE2: File exists\n", 1)
    # epair_clone_match() takes epair and epair<n> only
    cp = box.run("ifconfig", "epair7a", "create")
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCIFCREATE2: Invalid argument\n", 1)


def test_lo_and_bridge_create(box):
    # sys/net/if_loop.c lo_clone_create(): lo1 (lo0 is unit 0), down, LOOPBACK|MULTICAST
    assert box.run("ifconfig", "lo", "create").stdout == "lo1\n"
    lines = box.run("ifconfig", "lo1").stdout.splitlines()
    assert lines[0] == "lo1: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384"
    assert box.run("ifconfig", "lo1", "up").returncode == 0
    assert box.run("ifconfig", "lo1").stdout.splitlines()[0].startswith("lo1: flags=1008049<UP,LOOPBACK,RUNNING,")
    # sys/net/if_bridge.c bridge_clone_create()
    assert box.run("ifconfig", "bridge", "create").stdout == "bridge0\n"
    cp = box.run("ifconfig", "bridge3", "create")
    assert (cp.stdout, cp.returncode) == ("", 0)  # same name back: nothing printed
    out = box.run("ifconfig", "bridge0").stdout.splitlines()
    assert out[0] == "bridge0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500"
    assert out[2].startswith("\tether 58:9c:fc:")
    assert out[-2:] == ["\tgroups: bridge", "\tnd6 options=9<PERFORMNUD,IFDISABLED>"]
    assert _names(box) == ["vtnet0", "lo0", "lo1", "bridge0", "bridge3"]


def test_destroy(box):
    box.run("ifconfig", "epair", "create")
    box.run("ifconfig", "lo", "create")
    # sys/net/if_epair.c epair_clone_destroy(): both ends go, from either end
    assert box.run("ifconfig", "epair0b", "destroy").returncode == 0
    assert _names(box) == ["vtnet0", "lo0", "lo1"]
    assert box.run("ifconfig", "lo1", "destroy").returncode == 0
    for name in ("lo0", "vtnet0"):  # lo_clone_destroy() refuses unit 0; vtnet0 has no cloner
        cp = box.run("ifconfig", name, "destroy")
        assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCIFDESTROY: Invalid argument\n", 1)
    cp = box.run("ifconfig", "epair0a", "destroy")
    assert (cp.stderr, cp.returncode) == ("ifconfig: interface epair0a does not exist\n", 1)
    # the unit is free again
    assert box.run("ifconfig", "epair", "create").stdout == "epair0a\n"


def test_bridge_addm_deletem(box):
    box.run("ifconfig", "bridge", "create")
    box.run("ifconfig", "epair", "create")
    assert box.run("ifconfig", "bridge0", "addm", "epair0a", "up").returncode == 0
    out = box.run("ifconfig", "bridge0").stdout.splitlines()
    assert out[0] == "bridge0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500"
    assert "\tmember: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>" in out
    assert "\t        ifmaxaddr 0 port 4 priority 128 path cost 2000" in out  # if_index: bridge0 3, epair0a 4
    assert "PROMISC" in box.run("ifconfig", "epair0a").stdout.splitlines()[0]
    cp = box.run("ifconfig", "bridge0", "addm", "epair0a")
    assert (cp.stderr, cp.returncode) == ("ifconfig: BRDGADD epair0a: File exists\n", 1)
    cp = box.run("ifconfig", "bridge0", "addm", "epair9a")
    assert (cp.stderr, cp.returncode) == ("ifconfig: BRDGADD epair9a: No such file or directory\n", 1)
    cp = box.run("ifconfig", "bridge0", "addm", "lo0")
    assert (cp.stderr, cp.returncode) == ("ifconfig: BRDGADD lo0: Invalid argument\n", 1)
    assert box.run("ifconfig", "bridge0", "deletem", "epair0a").returncode == 0
    assert "member:" not in box.run("ifconfig", "bridge0").stdout
    assert "PROMISC" not in box.run("ifconfig", "epair0a").stdout
    cp = box.run("ifconfig", "bridge0", "deletem", "epair0a")
    assert (cp.stderr, cp.returncode) == ("ifconfig: BRDGDEL epair0a: No such file or directory\n", 1)
    # a destroyed member leaves its bridge (bridge_ifdetach())
    box.run("ifconfig", "bridge0", "addm", "epair0a")
    box.run("ifconfig", "epair0a", "destroy")
    assert "member:" not in box.run("ifconfig", "bridge0").stdout


def test_vnet_move_in_and_back(box):
    box.run("ifconfig", "epair", "create")
    box.run("ifconfig", "bridge", "create")
    box.run("ifconfig", "bridge0", "addm", "epair0b")
    box.run("ifconfig", "epair0b", "inet", "10.9.0.1/24")
    assert box.run("jail", "-c", "name=vj", "vnet", "persist").returncode == 0
    # sbin/ifconfig/ifconfig.c setifvnet(); sys/net/if.c if_vmove_loan() / if_vmove()
    assert box.run("ifconfig", "epair0b", "vnet", "vj").returncode == 0
    assert _names(box) == ["vtnet0", "lo0", "epair0a", "bridge0"]
    assert "member:" not in box.run("ifconfig", "bridge0").stdout  # left its bridge
    # the jail's own stack: its lo0 first, then what was moved in, down and without addresses
    assert _names(box, "jexec", "vj") == ["lo0", "epair0b"]
    inside = box.run("jexec", "vj", "ifconfig", "epair0b").stdout
    assert inside.startswith("epair0b: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP>")
    assert "inet " not in inside
    assert box.run("jexec", "vj", "ifconfig", "lo0").stdout.startswith("lo0: flags=8008<LOOPBACK,MULTICAST>")
    cp = box.run("ifconfig", "epair0b")
    assert (cp.stderr, cp.returncode) == ("ifconfig: interface epair0b does not exist\n", 1)
    # if_vmove_reclaim(): back with -vnet, appended to the host's list
    assert box.run("ifconfig", "epair0b", "-vnet", "vj").returncode == 0
    assert _names(box) == ["vtnet0", "lo0", "epair0a", "bridge0", "epair0b"]
    assert _names(box, "jexec", "vj") == ["lo0"]
    cp = box.run("ifconfig", "epair0b", "-vnet", "vj")
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCSIFRVNET: Device not configured\n", 1)


def test_vnet_move_errors(box):
    box.run("ifconfig", "epair", "create")
    box.run("jail", "-c", "name=plain", "persist")
    cp = box.run("ifconfig", "epair0b", "vnet", "nosuch")
    assert (cp.stderr, cp.returncode) == ('ifconfig: jail "nosuch" not found\n', 1)
    # a jail without vnet shares the host's stack: the same vnet -> EEXIST
    cp = box.run("ifconfig", "epair0b", "vnet", "plain")
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCSIFVNET: File exists\n", 1)
    box.run("jail", "-c", "name=vj", "vnet", "persist")
    box.run("ifconfig", "lo", "create")
    cp = box.run("ifconfig", "lo0", "vnet", "vj")  # the jail has its own lo0
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCSIFVNET: File exists\n", 1)
    assert box.run("ifconfig", "lo1", "vnet", "vj").returncode == 0
    # a jail without vnet has no network privileges
    cp = box.run("jexec", "plain", "ifconfig", "epair", "create")
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCIFCREATE2: Operation not permitted\n", 1)


def test_jail_removal_returns_interfaces(box):
    box.run("ifconfig", "epair", "create")
    box.run("jail", "-c", "name=vj", "vnet", "persist")
    box.run("ifconfig", "epair0b", "vnet", "vj")
    # the jail's epair cloner starts at unit 0, but epair0b is there: epair_handle_unit() -> EEXIST
    cp = box.run("jexec", "vj", "ifconfig", "epair", "create")
    assert (cp.stderr, cp.returncode) == ("ifconfig: SIOCIFCREATE2: File exists\n", 1)
    # made inside the jail: destroyed with its vnet (vnet_epair_uninit())
    assert box.run("jexec", "vj", "ifconfig", "epair3", "create").stdout == "epair3a\n"
    assert _names(box, "jexec", "vj") == ["lo0", "epair0b", "epair3a", "epair3b"]
    assert box.run("jexec", "vj", "ifconfig", "lo", "create").stdout == "lo1\n"
    box.run("jexec", "vj", "ifconfig", "epair0b", "inet", "10.9.0.2/24")
    # sys/net/if.c vnet_if_return(): the kernel gives moved interfaces back when the jail dies
    assert box.run("jail", "-r", "vj").returncode == 0
    assert _names(box) == ["vtnet0", "lo0", "epair0a", "epair0b"]
    back = box.run("ifconfig", "epair0b").stdout
    assert "<BROADCAST," in back.splitlines()[0] and "10.9.0.2" not in back  # down, no address


def test_vnet_jail_own_addresses(box):
    box.run("ifconfig", "epair", "create")
    box.run("jail", "-c", "name=vj", "vnet", "persist")
    box.run("ifconfig", "epair0b", "vnet", "vj")
    assert box.run("jexec", "vj", "ifconfig", "epair0b", "inet", "10.9.0.2/24").returncode == 0
    assert box.run("jexec", "vj", "ifconfig", "lo0", "inet", "127.0.0.1/8").returncode == 0
    out = box.run("jexec", "vj", "ifconfig").stdout
    assert "\tinet 10.9.0.2 netmask 0xffffff00 broadcast 10.9.0.255" in out
    assert "epair0b: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP>" in out
    assert "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP>" in out
    assert "10.9.0.2" not in box.run("ifconfig", "-a").stdout
    # the same address on the host's side is no clash: another stack
    assert box.run("ifconfig", "epair0a", "inet", "10.9.0.2/24").returncode == 0


def test_kern_features_vimage(box):
    assert box.run("sysctl", "-n", "kern.features.vimage").stdout == "1\n"


def test_children_max_cur_of_the_caller(box):
    # sysctl_security_jail_children.sh max_cur: the calling prison's values
    box.run("jail", "-c", "name=childfree", "persist")
    box.run("jail", "-c", "name=maxallowed", "children.max=5", "persist")
    box.run("jexec", "maxallowed", "jail", "-c", "name=family", "children.max=4", "persist")
    ask = ("sysctl", "-n", "security.jail.children.max", "security.jail.children.cur")
    assert box.run("jexec", "childfree", *ask).stdout == "0\n0\n"
    assert box.run("jexec", "maxallowed", *ask).stdout == "5\n1\n"
    assert box.run("jexec", "maxallowed.family", *ask).stdout == "4\n0\n"
    assert box.run(*ask).stdout == "999999\n3\n"


def test_cloned_interfaces_at_boot(box):
    # rc.d/netif -> network.subr clone_up() and ifconfig_up()
    box.run("sysrc", "cloned_interfaces=bridge0 epair0", "ifconfig_bridge0=addm epair0a up", "ifconfig_epair0a=up")
    boxlib.reboot(box.name)
    assert _names(box) == ["vtnet0", "lo0", "bridge0", "epair0a", "epair0b"]
    out = box.run("ifconfig", "bridge0").stdout
    assert out.startswith("bridge0: flags=1008843<UP,BROADCAST,RUNNING,")
    assert "\tmember: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>" in out
    assert box.run("ifconfig", "epair0a").stdout.startswith("epair0a: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,")


def test_devfs_ruleset_5_for_vnet_jails(box):
    # etc/defaults/devfs.rules [devfsrules_jail_vnet=5]: ruleset 4 plus pf
    out = box.run("devfs", "rule", "-s", "5", "show").stdout
    assert "path pf unhide" in out and "include 4" in out


def test_netif_runs_in_a_vnet_jails_rc(box):
    # libexec/rc/rc skips "nojailvnet" scripts (rc.d/netif, rc.d/routing) only in a jail without
    # its own vnet: a vnet jail's /etc/rc configures its interfaces and default route
    r = box.sh("mkdir -p /j/vj && tar -xf /usr/freebsd-dist/base.txz -C /j/vj")
    assert r.returncode == 0, r.stderr
    box.run("sysrc", "-f", "/j/vj/etc/rc.conf", "ifconfig_epair0b=inet 10.9.0.2/24", "defaultrouter=10.9.0.1")
    box.run("ifconfig", "epair", "create")
    box.write(
        "/etc/jail.conf",
        'vj { path = /j/vj; vnet; persist; exec.created = "ifconfig epair0b vnet vj";\n'
        '  exec.start = "/bin/sh /etc/rc"; exec.stop = "/bin/sh /etc/rc.shutdown jail"; }\n',
    )
    r = box.run("jail", "-c", "vj")
    assert r.returncode == 0, r.stderr
    out = box.run("jexec", "vj", "ifconfig").stdout
    assert "\tinet 10.9.0.2 netmask 0xffffff00 broadcast 10.9.0.255" in out
    assert "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP>" in out and "\tinet 127.0.0.1 " in out
    assert "    gateway: 10.9.0.1\n" in box.run("jexec", "vj", "route", "-n", "get", "default").stdout
    assert "    gateway: 192.0.2.1\n" in box.run("route", "-n", "get", "default").stdout
    # a jail without vnet: netif is not run, the host's interfaces are untouched
    box.sh("mkdir -p /j/plain && tar -xf /usr/freebsd-dist/base.txz -C /j/plain")
    box.run("sysrc", "-f", "/j/plain/etc/rc.conf", "ifconfig_vtnet0=inet 10.7.0.1/24")
    r = box.run("jail", "-c", "path=/j/plain", "name=plain", "persist", "exec.start=/bin/sh /etc/rc")
    assert r.returncode == 0, r.stderr
    assert "10.7.0.1" not in box.run("ifconfig", "vtnet0").stdout


def test_daemon_in_a_vnet_jail_binds_its_own_address(box):
    # a vnet jail has no address restriction: a daemon binds the addresses of its own stack
    # (kern_jail.c: "vnet jails cannot have IP address restrictions"); the host's sockstat reads
    # the host's pcblists only, sockstat -j of a vnet jail attaches to it (sockstat.c main())
    r = box.sh("mkdir -p /j/vj && tar -xf /usr/freebsd-dist/base.txz -C /j/vj")
    assert r.returncode == 0, r.stderr
    box.run("sysrc", "-f", "/j/vj/etc/rc.conf", "ifconfig_epair0b=inet 10.9.0.2/24", "sshd_enable=YES")
    box.sh("echo 'ListenAddress 10.9.0.2' >> /j/vj/etc/ssh/sshd_config")
    box.run("ifconfig", "epair", "create")
    box.write(
        "/etc/jail.conf",
        'vj { path = /j/vj; vnet; persist; exec.created = "ifconfig epair0b vnet vj";\n'
        '  exec.start = "/bin/sh /etc/rc"; }\n',
    )
    r = box.run("jail", "-c", "vj")
    assert r.returncode == 0, r.stderr
    inside = box.run("jexec", "vj", "sockstat", "-4l").stdout
    assert "tcp4   10.9.0.2:22 " in inside
    assert "10.9.0.2" in box.run("sockstat", "-4l", "-j", "vj").stdout
    assert "10.9.0.2" not in box.run("sockstat", "-4l").stdout


def test_epair_destroy_takes_the_end_inside_a_jail(box):
    # sys/net/if_epair.c epair_clone_destroy(): the other end is destroyed in its own vnet
    box.run("ifconfig", "epair", "create")
    box.run("jail", "-c", "name=vj", "vnet", "persist")
    box.run("ifconfig", "epair0b", "vnet", "vj")
    assert box.run("ifconfig", "epair0a", "destroy").returncode == 0
    assert _names(box, "jexec", "vj") == ["lo0"]
    assert box.run("ifconfig", "epair", "create").stdout == "epair0a\n"


def test_jail_c_moves_vnet_interface_in_after_exec_created(box):
    # usr.sbin/jail/jail.c startcommands[]: IP_EXEC_CREATED, ..., IP_VNET_INTERFACE, IP_EXEC_START;
    # command.c run_command(): "/sbin/ifconfig IF vnet JID" per interface (a comma-separated list)
    box.run("ifconfig", "epair", "create", check=True)
    box.run("ifconfig", "epair", "create", check=True)
    cp = box.run(
        "jail", "-c", "name=v1", "path=/", "vnet", "persist", "vnet.interface=epair0b,epair1b",
        "exec.created=ifconfig -l", "exec.start=ifconfig -l",
    )  # fmt: skip
    assert cp.returncode == 0, cp.stderr
    created, start = cp.stdout.splitlines()[:2]
    # exec.created runs on the host before the move; exec.start runs inside, after it
    assert "epair0b" in created.split() and start.split() == ["lo0", "epair0b", "epair1b"]
    assert _names(box, "jexec", "v1") == ["lo0", "epair0b", "epair1b"]
    assert "epair0b" not in _names(box)
    assert box.run("jail", "-r", "v1").returncode == 0
    assert {"epair0b", "epair1b"} <= set(_names(box))  # returned by the kernel (vnet_if_return())
    cp = box.run("jail", "-c", "name=v2", "path=/", "vnet", "persist", "vnet.interface=nosuch0")
    assert cp.returncode == 1
    assert cp.stderr.endswith("jail: v2: /sbin/ifconfig nosuch0 vnet 2: failed\n") or "nosuch0" in cp.stderr
    assert box.run("jls", "-j", "v2").returncode != 0


def test_ifconfig_ether_sets_the_link_level_address(box):
    # sbin/ifconfig/af_link.c: "ether" (and "lladdr", "link") is an address family whose address is
    # set with SIOCSIFLLADDR; link_addr(3) takes hex bytes; sys/net/if.c if_setlladdr(): EINVAL for
    # a length other than the interface's
    box.run("ifconfig", "epair", "create", check=True)
    assert box.run("ifconfig", "epair0b", "ether", "06:AB:cd:1:2:3").returncode == 0
    assert "\tether 06:ab:cd:01:02:03" in box.run("ifconfig", "epair0b").stdout.splitlines()
    cp = box.run("ifconfig", "epair0b", "ether", "06:ab:cd")
    assert (cp.stderr, cp.returncode) == ("ifconfig: ioctl (SIOCAIFADDR): Invalid argument\n", 1)
    cp = box.run("ifconfig", "lo0", "ether", "06:ab:cd:01:02:03")  # no link-level address to set
    assert cp.returncode == 1
    assert "\tether 06:ab:cd:01:02:03" in box.run("ifconfig", "epair0b").stdout.splitlines()


def test_route_add_delete_default_in_a_vnet_jail(box):
    # sbin/route/route.c newroute(): "add net default: gateway GW"; EEXIST "route already in table";
    # rtmsg(): ESRCH warns "route has not been found"; each vnet has its own routing table
    box.run("ifconfig", "epair", "create", check=True)
    box.run("jail", "-c", "name=vj", "vnet", "persist", check=True)
    box.run("ifconfig", "epair0b", "vnet", "vj", check=True)
    cp = box.run("jexec", "vj", "route", "add", "default", "10.9.0.1")
    assert (cp.stdout, cp.returncode) == ("add net default: gateway 10.9.0.1 fib 0: Network is unreachable\n", 1)
    assert cp.stderr == "route: writing to routing socket: Network is unreachable\n"
    box.run("jexec", "vj", "ifconfig", "epair0b", "inet", "10.9.0.2/24", check=True)
    cp = box.run("jexec", "vj", "route", "add", "default", "10.9.0.1")
    assert (cp.stdout, cp.stderr, cp.returncode) == ("add net default: gateway 10.9.0.1\n", "", 0)
    get = box.run("jexec", "vj", "route", "-n", "get", "default").stdout
    assert "    gateway: 10.9.0.1\n" in get and "  interface: epair0b\n" in get
    assert "    gateway: 192.0.2.1\n" in box.run("route", "-n", "get", "default").stdout  # the host's own
    cp = box.run("jexec", "vj", "route", "add", "default", "10.9.0.1")
    assert (cp.stdout, cp.returncode) == ("add net default: gateway 10.9.0.1 fib 0: route already in table\n", 1)
    cp = box.run("jexec", "vj", "route", "delete", "default")
    assert (cp.stdout, cp.returncode) == ("delete net default\n", 0)
    cp = box.run("jexec", "vj", "route", "delete", "default")
    assert (cp.stdout, cp.stderr, cp.returncode) == (
        "delete net default fib 0: not in table\n", "route: route has not been found\n", 1
    )  # fmt: skip
    # a jail without its own vnet may not write to the routing socket (prison_priv_check())
    box.run("jail", "-c", "name=plain", "persist", check=True)
    cp = box.run("jexec", "plain", "route", "add", "default", "192.0.2.1")
    assert (cp.stderr, cp.returncode) == ("route: writing to routing socket: Operation not permitted\n", 1)


def test_handbook_vnet_jail_on_an_epair_joined_to_a_bridge(box):
    # The FreeBSD Handbook's VNET jail.conf (jails chapter, "Creating a VNET jail"): the epair is
    # made and joined to the bridge in exec.prestart, its b end moved in (vnet.interface), the
    # address and default route set inside by exec.start, the member removed and the epair
    # destroyed in exec.poststop
    r = box.sh("mkdir -p /j/vj && tar -xf /usr/freebsd-dist/base.txz -C /j/vj")
    assert r.returncode == 0, r.stderr
    box.run("ifconfig", "bridge0", "create", check=True)
    box.run("ifconfig", "bridge0", "inet", "10.9.0.1/24", "addm", "vtnet0", "up", check=True)
    box.write(
        "/etc/jail.conf",
        "vj {\n  path = /j/vj;\n  vnet;\n  vnet.interface = epair7b;\n  persist;\n"
        '  exec.prestart = "/sbin/ifconfig epair7 create up";\n'
        '  exec.prestart += "/sbin/ifconfig epair7b ether 06:00:00:00:00:07";\n'
        '  exec.prestart += "/sbin/ifconfig bridge0 addm epair7a up";\n'
        '  exec.start = "/sbin/ifconfig epair7b inet 10.9.0.7/24 up";\n'
        '  exec.start += "/sbin/route add default 10.9.0.1";\n'
        '  exec.start += "/bin/sh /etc/rc";\n'
        '  exec.stop = "/bin/sh /etc/rc.shutdown jail";\n'
        '  exec.poststop = "/sbin/ifconfig bridge0 deletem epair7a";\n'
        '  exec.poststop += "/sbin/ifconfig epair7a destroy";\n}\n',
    )
    r = box.run("jail", "-c", "vj")
    assert r.returncode == 0, r.stderr
    inside = box.run("jexec", "vj", "ifconfig", "epair7b").stdout
    assert "\tinet 10.9.0.7 netmask 0xffffff00 broadcast 10.9.0.255" in inside
    assert "\tether 06:00:00:00:00:07" in inside
    assert "    gateway: 10.9.0.1\n" in box.run("jexec", "vj", "route", "-n", "get", "default").stdout
    assert "10.9.0.7" not in box.run("ifconfig").stdout
    bridge = box.run("ifconfig", "bridge0").stdout
    assert "\tmember: epair7a " in bridge and "\tmember: vtnet0 " in bridge  # the words after the address too
    r = box.run("jail", "-r", "vj")
    assert r.returncode == 0, r.stderr
    names = _names(box)
    assert "epair7a" not in names and "epair7b" not in names
    assert "member: epair7a" not in box.run("ifconfig", "bridge0").stdout
    # started again: the same unit and MAC (nothing was left behind)
    assert box.run("jail", "-c", "vj").returncode == 0
    assert "\tether 06:00:00:00:00:07" in box.run("jexec", "vj", "ifconfig", "epair7b").stdout
