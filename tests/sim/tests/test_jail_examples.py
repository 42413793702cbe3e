"""Jails really started (jail -c) from every example configuration of jail.8 and jail.conf.5.

Each jail's path holds a world unpacked from the box's own /usr/freebsd-dist/base.txz
(simfbsd/world.py), so exec.start = "/bin/sh /etc/rc" and commands run for real.
Messages: tests/fixtures/freebsd/BEHAVIOUR.md §1.2 (``NAME: created`` / ``NAME: removed``), §1.5 (order of actions);
ifconfig argv and failure text: usr.sbin/jail/command.c run_command()/finish_command().
"""

import os
import re
import sys

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

# FreeBSD's files, kept in the repository (tests/fixtures/freebsd/README.md; FreeBSD's own tests in
# tests/conformance/freebsd/ under their freebsd-src paths).
REPO = os.path.dirname(os.path.dirname(SIM_ROOT))
REF = os.path.join(REPO, "tests", "fixtures", "freebsd")
COMMANDS_JAIL_CONF = os.path.join(
    REPO, "tests", "conformance", "freebsd", "usr.sbin", "jail", "tests", "commands.jail.conf"
)
RULESET4_DEV = sorted(
    ["null", "zero", "crypto", "random", "urandom", "ptmx", "pts", "fd", "stdin", "stdout", "stderr", "fuse", "zfs"]
)


def man_blocks(page):
    with open(os.path.join(REF, page), encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", text, re.S | re.M)
    return [b.replace("\\[char46]", ".").replace("\\\\", "\\") for b in blocks]


def world(b, path):
    r = b.sh(f"mkdir -p {path} && tar -xf /usr/freebsd-dist/base.txz -C {path}")
    assert r.returncode == 0, r.stderr


def inet_lines(b, ifname="vtnet0"):
    return [ln.strip() for ln in b.run("ifconfig", ifname).stdout.splitlines() if ln.strip().startswith("inet ")]


def test_jail_8_command_line_example(box):
    # jail.8 "Setting up a Jail": jail -c path=... mount.devfs host.hostname=... ip4.addr=... command=/bin/sh
    (block,) = [b for b in man_blocks("jail.8") if b.startswith("jail -c path=")]
    argv = block.replace("\\\n", " ").split()
    assert argv == [
        "jail",
        "-c",
        "path=/data/jail/testjail",
        "mount.devfs",
        "host.hostname=testhostname",
        "ip4.addr=192.0.2.100",
        "command=/bin/sh",
    ]
    world(box, "/data/jail/testjail")
    r = box.run(*argv, input="echo in-jail; head -2 /etc/passwd | tail -1; ls /dev | wc -l; exit 0\n")
    assert r.returncode == 0, r.stderr
    # no config name -> no "created"; the shell runs chrooted in the world with devfs mounted
    assert r.stdout == f"in-jail\nroot:*:0:0:Charlie &:/root:/bin/sh\n{len(RULESET4_DEV)}\n"
    # the jail had no persist: it died when its command ended.  jail(8) ran only the create
    # actions (tests/fixtures/freebsd/BEHAVIOUR.md §1.5), so its devfs stays mounted until someone unmounts it.
    assert box.run("jls", "jid").stdout == ""
    assert "devfs on /data/jail/testjail/dev (devfs)" in box.run("mount").stdout.splitlines()


def test_jail_8_testjail_block_as_written_fails_on_em0(box):
    # the box's interface is vtnet0: ifconfig fails, jail(8) reports the command and gives up
    (block,) = [b for b in man_blocks("jail.8") if b.startswith("testjail {")]
    world(box, "/tmp/jail/testjail")
    box.write("/etc/jail.conf", block)
    r = box.run("jail", "-c", "testjail")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == (
        "ifconfig: interface em0 does not exist\n"
        "jail: testjail: /sbin/ifconfig em0 inet 192.0.2.100 netmask 255.255.255.255 alias: failed\n"
    )
    assert box.run("jls", "jid").stdout == ""
    assert "/tmp/jail/testjail/dev" not in box.run("mount").stdout


def test_jail_8_testjail_block_on_vtnet0(box):
    (block,) = [b for b in man_blocks("jail.8") if b.startswith("testjail {")]
    world(box, "/tmp/jail/testjail")
    box.write("/etc/jail.conf", block.replace("interface = em0;", "interface = vtnet0;"))
    before = inet_lines(box)
    r = box.run("jail", "-c", "testjail")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("testjail: created\n")
    # the alias: ifconfig vtnet0 inet 192.0.2.100 netmask 255.255.255.255 alias
    assert inet_lines(box) == [*before, "inet 192.0.2.100 netmask 0xffffffff broadcast 192.0.2.100"]
    out = box.run("jls", "-n", "-j", "testjail", "name", "host.hostname", "ip4.addr", "path", "persist").stdout
    assert out == "name=testjail host.hostname=testhostname ip4.addr=192.0.2.100 path=/tmp/jail/testjail nopersist\n"
    # /etc/rc left processes in the jail (that is what keeps a non-persistent jail alive)
    assert box.run("pgrep", "-j", "testjail", ".").stdout.strip() != ""
    assert sorted(box.run("jexec", "testjail", "ls", "/dev").stdout.split()) == RULESET4_DEV
    assert box.run("jexec", "testjail", "hostname").stdout == "testhostname\n"
    r = box.run("jail", "-r", "testjail")
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("testjail: removed\n")  # /etc/jail.conf exists: docf
    assert inet_lines(box) == before  # -alias at stop
    assert "/tmp/jail/testjail/dev" not in box.run("mount").stdout
    assert box.run("jls", "jid").stdout == ""


def test_jail_conf_5_examples_section(box):
    example = man_blocks("jail.conf.5")[-1]
    world(box, "/var/jail/foo")
    box.run("mkdir", "-p", "/etc/jail.conf.d")
    # the example's first .include picks this file up
    box.write("/etc/jail.conf.d/baz.conf", "baz { path = /; persist; exec.start = ''; mount.nodevfs; }\n")
    box.write("/etc/jail.conf", example)
    r = box.run("jail", "-c")  # every jail of the file, in order
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "foo: created\nbar: created\nbaz: created\n"
    out = box.run("jls", "-n", "name", "path", "host.hostname", "ip4.addr", "persist").stdout
    assert out == (
        "name=foo path=/var/jail/foo host.hostname=foo.com ip4.addr=10.1.1.1,10.1.1.2,10.1.1.3 nopersist\n"
        f"name=bar path=/ host.hostname={box.name} ip4.addr= persist\n"
        f"name=baz path=/ host.hostname={box.name} ip4.addr= persist\n"
    )
    mounts = box.run("mount").stdout
    assert "on /var/jail/foo/dev (devfs" in mounts and "on /dev (devfs" in mounts  # bar: mount.nodevfs
    assert len(re.findall(r" \(devfs", mounts)) == 2
    r = box.run("jail", "-r", "bar")
    assert (r.returncode, r.stdout) == (0, "bar: removed\n")
    r = box.run("jail", "-r", "*")
    assert r.returncode == 0 and r.stdout.endswith("removed\n")
    assert box.run("jls", "jid").stdout == ""
    assert "/var/jail/foo/dev" not in box.run("mount").stdout


def test_jail_conf_5_inline_examples_together(box):
    # the small displays of jail.conf.5 (booleans, lists, variables) in one jail
    blocks = man_blocks("jail.conf.5")
    text = "\n".join(
        [
            blocks[4],  # $parentdir = "/var/jail"; path = "$parentdir/$name";
            "web {",
            blocks[1],  # allow.mount = "false"; allow.nomount;
            blocks[2].split("\n\n")[1],  # ip4.addr = ...; ip4.addr += ...; (twice)
            '\thost.hostname = "web.example.org";',
            "\tpersist;",
            "}",
        ]
    )
    world(box, "/var/jail/web")
    box.write("/etc/jail.conf", text)
    r = box.run("jail", "-c", "web")
    assert (r.returncode, r.stdout, r.stderr) == (0, "web: created\n", "")
    out = box.run("jls", "-n", "-j", "web", "path", "allow.mount", "ip4.addr", "host.hostname").stdout
    assert out == "path=/var/jail/web allow.nomount ip4.addr=10.1.1.1,10.1.1.2,10.1.1.3 host.hostname=web.example.org\n"


def test_commands_jail_conf(box):
    # tests/jail_basic_test.sh commands_body (exec.prestart / exec.prestop by name and by jid)
    with open(COMMANDS_JAIL_CONF, encoding="utf-8") as f:
        box.write("/tmp/commands.jail.conf", f.read())
    r = box.run("jail", "-f", "/tmp/commands.jail.conf", "-qc", "basejail")
    assert r.returncode == 0 and r.stdout.startswith("START\n")
    r = box.run("jail", "-f", "/tmp/commands.jail.conf", "-qr", "basejail")
    assert (r.returncode, r.stdout) == (0, "STOP\n")
    assert box.run("jail", "-f", "/tmp/commands.jail.conf", "-qc", "basejail").returncode == 0
    jid = box.run("jls", "-j", "basejail", "jid").stdout.strip()
    r = box.run("jail", "-f", "/tmp/commands.jail.conf", "-qr", jid)
    assert (r.returncode, r.stdout) == (0, "STOP\n")
