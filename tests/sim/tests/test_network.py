"""ifconfig(8), route(8) -n get default, sshd -t."""


def test_ifconfig_format(box):
    out = box.run("ifconfig", "vtnet0").stdout
    lines = out.splitlines()
    assert lines[0] == "vtnet0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500"
    assert "\tinet 192.0.2.10 netmask 0xffffff00 broadcast 192.0.2.255" in lines
    assert "\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)" in lines and "\tstatus: active" in lines
    assert box.run("ifconfig", "-l").stdout == "vtnet0 lo0\n"
    cp = box.run("ifconfig", "em9")
    assert (cp.stderr, cp.returncode) == ("ifconfig: interface em9 does not exist\n", 1)


def test_alias_add_remove(box):
    assert box.run("ifconfig", "vtnet0", "inet", "192.0.2.23/32", "alias").returncode == 0
    assert "\tinet 192.0.2.23 netmask 0xffffffff broadcast 192.0.2.23" in box.run("ifconfig", "vtnet0").stdout
    cp = box.run("ifconfig", "lo0", "inet", "192.0.2.23/32", "alias")
    assert (cp.stderr, cp.returncode) == ("ifconfig: ioctl (SIOCAIFADDR): File exists\n", 1)
    assert box.run("ifconfig", "vtnet0", "inet", "192.0.2.23", "-alias").returncode == 0
    assert "192.0.2.23" not in box.run("ifconfig", "vtnet0").stdout
    cp = box.run("ifconfig", "vtnet0", "inet", "192.0.2.23", "-alias")
    assert cp.returncode == 1 and cp.stderr == "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n"


def test_route_get_default(box):
    cp = box.run("route", "-n", "get", "default")
    assert cp.stdout == (
        "   route to: default\ndestination: default\n       mask: default\n    gateway: 192.0.2.1\n"
        "        fib: 0\n  interface: vtnet0\n      flags: <UP,GATEWAY,DONE,STATIC>\n"
        " recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire\n"
        "       0         0         0         0      1500         1         0 \n"
    )
    assert box.run("route", "-n", "get", "-inet6", "default").returncode == 1


def test_sshd_t(box):
    assert box.run("sshd", "-t").returncode == 0
    box.write("/root/s", "Port 22\nFoo bar\nListenAddress 192.0.2.10\n")
    cp = box.run("sshd", "-t", "-f", "/root/s")
    assert cp.returncode == 255
    assert (
        cp.stderr
        == "/root/s: line 2: Bad configuration option: Foo\n/root/s: terminating, 1 bad configuration options\n"
    )
    box.write("/root/s", "Port abc\n")
    assert box.run("sshd", "-t", "-f", "/root/s").returncode == 255
