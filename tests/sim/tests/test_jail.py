"""jail(8), jls(8), jexec(8) in a box: formats, errors and exit codes of tests/fixtures/freebsd/BEHAVIOUR.md §1-5."""

import json
import os
import sys
import threading
import time

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SIM_ROOT)

from simfbsd import jailconf  # noqa: E402

# FreeBSD's files, kept in the repository (tests/fixtures/freebsd/README.md; FreeBSD's own tests in
# tests/conformance/freebsd/ under their freebsd-src paths).
REPO = os.path.dirname(os.path.dirname(SIM_ROOT))
REF = os.path.join(REPO, "tests", "fixtures", "freebsd")
COMMANDS_JAIL_CONF = os.path.join(
    REPO, "tests", "conformance", "freebsd", "usr.sbin", "jail", "tests", "commands.jail.conf"
)

USAGE = (
    "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
    "            -[cmr] param=value ... [command=command ...]\n"
    "       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]\n"
    "       jail [-qv] [-f file] -[rR] ['*' | jail ...]\n"
    "       jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
    "            [-n jailname] [-s securelevel]\n"
    "            path hostname [ip[,...]] command ...\n"
)


def test_jailconf_parser_rules():
    # jail.conf.5: wildcards before a jail are defaults, $name per jail, += appends, no substitution in '...'
    text = """
    path = "/var/jail/$name";   # top-level = wildcard
    $v = 'x$y';
    foo { host.hostname = "${name}.com"; ip4.addr = 10.1.1.1; ip4.addr += 10.1.1.2; allow.nomount; p = $v/z; }
    /* c */ // c++
    bar { path = /; }
    """
    jail_foo, jail_bar = jailconf.loads(text)
    assert jail_foo.get("path") == ["/var/jail/foo"]
    assert jail_foo.get("host.hostname") == ["foo.com"]
    assert jail_foo.get("ip4.addr") == ["10.1.1.1", "10.1.1.2"]
    assert jail_foo.get("allow.nomount") == []
    assert jail_foo.get("p") == ["x$y/z"]
    assert jail_bar.get("path") == ["/"]


def test_jailconf_errors():
    try:
        jailconf.loads("foo { a = ; }", "/etc/jail.conf")
    except jailconf.ConfError as exc:
        assert exc.messages == ["/etc/jail.conf line 1: ;: syntax error"]
    else:
        raise AssertionError("no error")
    (jail_foo,) = jailconf.loads("foo { a = $nope; }")
    assert jail_foo.errors == ['foo: a: variable "nope" not found']  # src: config.c load_config()


def test_jailconf_man_examples_parse():
    with open(os.path.join(REF, "jail.conf.5"), encoding="utf-8") as f:
        text = f.read()
    example = text.split(".Sh EXAMPLES\n.Bd -literal\n", 1)[1].split(".Ed", 1)[0]
    example = "\n".join(ln for ln in example.splitlines() if "include" not in ln)
    jail_foo, jail_bar = jailconf.loads(example)
    assert jail_foo.get("ip4.addr") == ["10.1.1.1", "10.1.1.2", "10.1.1.3"]
    assert jail_bar.get("exec.start") == [""]
    assert jail_bar.get("mount.nodevfs") == []


def test_create_list_remove(box):
    # tests/jail_basic_test.sh basic_body
    r = box.run("jail", "-c", "name=basejail", "persist", "ip4.addr=192.0.1.1")
    # tests/fixtures/freebsd/BEHAVIOUR.md §1.2: no config name -> silent
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = box.run("jls")
    assert r.stdout == (
        f"   JID  IP Address      Hostname                      Path\n     1  192.0.1.1       {box.name:<29} /\n"
    )  # tests/fixtures/freebsd/BEHAVIOUR.md §4 default table
    r = box.run("jls", "-j", "basejail", "jid")
    assert r.stdout == "1\n"
    r = box.run("jail", "-c", "name=basejail", "persist")
    assert (r.returncode, r.stderr) == (1, 'jail: "basejail" already exists\n')  # §1.3
    r = box.run("jail", "-r", "basejail")
    assert (r.returncode, r.stdout) == (0, "")  # §1.2: no jail.conf, one name -> nothing printed
    r = box.run("jail", "-r", "basejail")
    assert (r.returncode, r.stderr) == (1, 'jail: "basejail" not found\n')
    r = box.run("jail", "-c", "name=basejail", "persist")
    assert r.returncode == 0
    assert box.run("jls", "-j", "basejail", "jid").stdout == "2\n"  # kern_jail.c: first free jid after the last


def test_errors_and_usage(box):
    cases = [
        (["-c", "path=rel", "persist"], "jail: path rel: not an absolute pathname\n"),
        (["-c", "path=/nonexist", "persist"], "jail: path /nonexist: No such file or directory\n"),
        (["-c", "path=/etc/passwd", "persist"], "jail: path /etc/passwd: Not a directory\n"),
        (["-c", "name=x", "persist", "xyz=1"], "jail: unknown parameter: xyz\n"),  # lib/libjail/jail.c
        (["-c", "name=x", "persist", "ip4.addr=1.2.3"], "jail: ip4.addr: not an IPv4 address: 1.2.3\n"),
        (["-c", "name=x", "persist", "securelevel=abc"], 'jail: securelevel: non-integer value "abc"\n'),
        ([], USAGE),
    ]
    for argv, err in cases:
        r = box.run("jail", *argv)
        assert (r.returncode, r.stdout, r.stderr) == (1, "", err), argv


def test_config_jail_messages_and_jid_file(box):
    box.run("mkdir", "-p", "/jails/web")
    box.write(
        "/etc/jail.conf",
        'path = "/jails/$name";\nweb { host.hostname = "web.example"; persist; exec.start = \'\'; }\n',
    )
    r = box.run("jail", "-J", "/tmp/web.jid", "-c", "web")
    assert (r.returncode, r.stdout) == (0, "web: created\n")  # §1.2
    # src: jail.c print_jail(): parameters joined by separator, a tab by default (14.x)
    fields = ["jid=1", "name=web", "path=/jails/web", "host.hostname=web.example", "persist", 'exec.start=""']
    assert box.read("/tmp/web.jid") == "\t".join(fields) + "\n"
    r = box.run("jail", "-m", "name=web", "path=/tmp")
    assert (r.returncode, r.stderr) == (1, "jail: path cannot be changed after creation\n")
    r = box.run("jail", "-r", "web")
    assert (r.returncode, r.stdout) == (0, "web: removed\n")  # jail.conf exists -> docf
    r = box.run("jail", "-ic", "web")
    assert r.stdout == "2\n"  # -i: only the jid


def test_commands_conf(box):
    # tests/jail_basic_test.sh commands_body: exec.prestart / exec.prestop output
    with open(COMMANDS_JAIL_CONF, encoding="utf-8") as f:
        box.write("/tmp/commands.jail.conf", f.read())
    r = box.run("jail", "-f", "/tmp/commands.jail.conf", "-qc", "basejail")
    assert r.returncode == 0
    assert r.stdout.startswith("START\n")  # exec.poststart "env" output follows (see report)
    r = box.run("jail", "-f", "/tmp/commands.jail.conf", "-qr", "basejail")
    assert (r.returncode, r.stdout) == (0, "STOP\n")


def test_jexec_and_devfs_root(box):
    box.sh(
        "mkdir -p /jails/w/bin /jails/w/dev /jails/w/etc && cp /bin/busybox /jails/w/bin/sh && ln -s sh /jails/w/bin/ls"
    )
    r = box.run("jail", "-c", "name=w", "path=/jails/w", "host.hostname=w.example", "persist")
    assert r.returncode == 0
    assert box.run("jexec", "w", "hostname").stdout == "w.example\n"
    r = box.run("jexec", "w", "/bin/sh", "-c", "ls /; exit 3")
    assert (r.returncode, r.stdout) == (3, "bin\ndev\netc\n")
    r = box.run("jexec", "nope", "ls")
    assert (r.returncode, r.stderr) == (1, 'jexec: jail "nope" not found\n')


def test_jls_formats(box):
    long_host = "h" * 40
    box.run("jail", "-c", "name=a", f"host.hostname={long_host}", "persist", "ip4.addr=192.0.2.70,192.0.2.71")
    r = box.run("jls")
    assert r.stdout.splitlines()[1] == f"     1  192.0.2.70      {'h' * 29} /"  # %-29.29s truncation
    r = box.run("jls", "-n", "name", "persist", "allow.mount", "ip4.addr")
    assert r.stdout == "name=a persist allow.nomount ip4.addr=192.0.2.70,192.0.2.71\n"
    r = box.run("jls", "--libxo", "json")
    data = json.loads(r.stdout)
    assert data["jail-information"]["jail"][0]["ipv4"] == "192.0.2.70"
    r = box.run("jls", "-j", "zzz")
    assert (r.returncode, r.stderr) == (1, 'jls: jail "zzz" not found\n')


def test_hundred_jails_jls_fast(box):
    script = "for i in $(seq 1 100); do jail -c name=j$i persist; done"
    assert box.sh(script).returncode == 0
    t = time.time()
    r = box.run("jls")
    elapsed = time.time() - t
    assert len(r.stdout.splitlines()) == 101
    assert elapsed < 1.0


def test_parallel_create(box):
    results = []

    def worker(i):
        results.append(box.run("jail", "-ic", f"name=p{i}", "persist").stdout.strip())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(int(x) for x in results) == list(range(1, 9))


def test_command_argv_and_legacy_jid_file(box):
    # command.c run_command() IP_COMMAND: for a jail without a config name the values of
    # "command" are the argument vector itself (command= takes the rest of the command line)
    r = box.run("jail", "-c", "path=/", "command=/bin/echo", "hello", "world")
    assert (r.returncode, r.stdout, r.stderr) == (0, "hello world\n", "")
    # legacy style: path hostname ip command...; -J: jid, path, hostname, ip, command (tabs)
    r = box.run("jail", "-J", "/tmp/l.jid", "/", "lh", "192.0.2.80", "/bin/echo", "legacy", "style")
    assert (r.returncode, r.stdout) == (0, "legacy style\n")
    assert box.read("/tmp/l.jid") == "2\t/\tlh\t192.0.2.80\t/bin/echo legacy style\n"
    # a config jail's command is one string, split on blanks (no shell metacharacters)
    box.write("/tmp/c.conf", 'cj { path = /; command = "/bin/echo a  b"; }\n')
    r = box.run("jail", "-f", "/tmp/c.conf", "-c", "cj")
    assert (r.returncode, r.stdout) == (0, "cj: created\na b\n")
    assert box.run("jls", "name").stdout == ""  # no persist, no process left: gone


def test_verbose_command_lines(box):
    # command.c run_command(): "run command%s%s%s: %s" (" in jail", " as USER")
    r = box.run("jail", "-v", "-u", "root", "-c", "name=v", "path=/", "persist", "exec.start=/bin/echo hi")
    assert r.returncode == 0, r.stderr
    assert "run command in jail as root: /bin/echo hi\nhi\n" in r.stdout
    assert r.stdout.splitlines()[1] == "created"  # -v: noted without a config name
    r = box.run("jail", "-v", "-c", "name=v2", "path=/", "persist", "exec.prestart=echo pre; true")
    assert "run command: /bin/sh -c echo pre; true\npre\n" in r.stdout  # metacharacters: sh -c


def test_mount_path_checks_and_exec_failures(box):
    # command.c check_path(): "%s: %s: %s" on the first missing component below the jail's path,
    # "%s: %s is a symbolic link"
    box.sh("mkdir -p /tmp/m /tmp/s && ln -s /etc /tmp/s/dev")
    r = box.run("jail", "-c", "name=m", "path=/tmp/m", "mount.devfs", "persist")
    assert (r.returncode, r.stderr) == (1, "jail: mount.devfs: /tmp/m/dev: No such file or directory\n")
    r = box.run("jail", "-c", "name=s", "path=/tmp/s", "mount.devfs", "persist")
    assert (r.returncode, r.stderr) == (1, "jail: mount.devfs: /tmp/s/dev is a symbolic link\n")
    # a failing exec.start: the child's "exec CMD: strerror", finish_command()'s "CMD: failed";
    # the jail is removed again ("removed" noted for a config jail)
    box.write("/tmp/e.conf", "e { path = /tmp/m; persist; exec.start = /bin/nonexistent; }\n")
    r = box.run("jail", "-f", "/tmp/e.conf", "-c", "e")
    assert (r.returncode, r.stdout) == (1, "e: created\ne: removed\n")
    assert r.stderr == "jail: e: exec /bin/nonexistent: No such file or directory\njail: e: /bin/nonexistent: failed\n"
    r = box.run("jail", "-c", "name=x", "path=/", "persist", "exec.start=/bin/sh -c 'exit 3'")
    # the quote is a shell metacharacter: argv = /bin/sh -c "<the whole string>"
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "jail: /bin/sh -c /bin/sh -c 'exit 3': failed\n")
    assert box.run("jls", "name").stdout == ""
