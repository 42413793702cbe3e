"""bsd.jails.jexec: argument checks, the host-side command line, error mapping, and the jail-side transfer
scripts run by a real /bin/sh (the jail's shell runs them the same way)."""

import os
import shlex
import subprocess

import pytest
from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleOptionsError
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible_collections.bsd.jails.plugins.connection import jexec


@pytest.mark.parametrize("name", ["www", "web_1", "a-b", "parent.child", "7", "123"])
def test_jail_names_and_jids_accepted(name):
    assert jexec.check_jail(name) == name


@pytest.mark.parametrize(
    "name, words",
    [
        ("-l", "starts with '-'"),
        ("-U", "starts with '-'"),
        ("", "is not set"),
        (None, "is not set"),
        ("a b", "is not a jail name"),
        ("a;id", "is not a jail name"),
        ("$(id)", "is not a jail name"),
        ("a..b", "is not a jail name"),
        (".a", "is not a jail name"),
        ("0", "is not a jail name"),
        ("007", "is not a jail name"),
        ("x" * 256, "too long"),
    ],
)
def test_bad_jail_names_refused(name, words):
    with pytest.raises(AnsibleOptionsError, match=words):
        jexec.check_jail(name)


def test_users():
    assert jexec.check_user(None) is None
    assert jexec.check_user("www") == "www"
    assert jexec.check_user("machine$") == "machine$"
    for bad in ("-x", "a b", "a:b", "x" * 40):
        with pytest.raises(AnsibleOptionsError, match="not a FreeBSD user name"):
            jexec.check_user(bad)


def test_jexec_argv_forms():
    argv = ["/bin/sh", "-c", "echo hi"]
    assert jexec.jexec_argv("/usr/sbin/jexec", "www", argv) == ["/usr/sbin/jexec", "-l", "--", "www", *argv]
    assert jexec.jexec_argv("/usr/sbin/jexec", "3", argv, user="www", clean=False, host_become="sudo") == [
        "sudo", "-n", "--", "/usr/sbin/jexec", "-U", "www", "--", "3", *argv,
    ]  # fmt: skip
    assert jexec.jexec_argv("/usr/sbin/jexec", "www", argv, host_become="doas")[:4] == [
        "doas", "-n", "--", "/usr/sbin/jexec",
    ]  # fmt: skip
    with pytest.raises(AnsibleOptionsError, match="not an absolute path"):
        jexec.jexec_argv("jexec", "www", argv)
    with pytest.raises(AnsibleOptionsError, match="host_become"):
        jexec.jexec_argv("/usr/sbin/jexec", "www", argv, host_become="su")


@pytest.mark.parametrize(
    "rc, out, err, words",
    [
        (1, b"", b'jexec: jail "www" not found\n', "jail 'www' on h is not running"),
        (1, b'jexec: jail "www" not found\r\n', b"Shared connection to h closed.\r\n", "is not running"),
        (1, b"", b"jexec: www: no such user\n", "jexec(8) failed for jail 'www' on h"),
        (1, b"", b"jexec: execvp: /bin/sh: No such file or directory\n", "jexec(8) failed"),
        (1, b"", b"sudo: a password is required\n", "host_become could not run jexec(8) on h"),
        (1, b"", b"doas: Authentication failed\n", "host_become could not run jexec(8) on h"),
        (127, b"", b"sh: /usr/sbin/jexec: not found\n", "jexec(8) not found on h"),
    ],
)
def test_failures_of_jexec(rc, out, err, words):
    become = "doas" if err.startswith(b"doas") else "sudo"
    assert words in jexec.failure_of("www", "h", rc, out, err, host_become=become)


@pytest.mark.parametrize(
    "rc, out, err",
    [
        (0, b"", b'jexec: jail "www" not found\n'),
        (1, b"", b'jexec: jail "other" not found\n'),  # a command in the jail about another jail
        (1, b'x\njexec: jail "www" not found\n', b""),  # not before the command's own output
        (2, b"", b"grep: nothing\n"),
        (1, b"", b"sudo: a password is required\n"),  # sudo inside the jail (become), jexec run directly
    ],
)
def test_the_commands_own_failures_pass_through(rc, out, err):
    assert jexec.failure_of("www", "h", rc, out, err) is None


def _sh(script, path, data=None):
    return subprocess.run(["/bin/sh", "-c", script, "sh", path], input=data, capture_output=True, check=False)


def test_put_script_writes_bytes_and_refuses_links(tmp_path):
    data = bytes(range(256)) * 100
    dest = tmp_path / "f"
    cp = _sh(jexec._PUT_SCRIPT, str(dest), data)
    assert cp.returncode == 0, cp.stderr
    assert dest.read_bytes() == data
    assert (dest.stat().st_mode & 0o777) == 0o600
    outside = tmp_path / "outside"
    outside.write_bytes(b"keep")
    link = tmp_path / "link"
    os.symlink(outside, link)
    cp = _sh(jexec._PUT_SCRIPT, str(link), b"evil")
    assert cp.returncode == jexec._REFUSED_RC
    assert f"refused: {link} is a symbolic link".encode() in cp.stderr
    assert outside.read_bytes() == b"keep"
    dangling = tmp_path / "dangling"
    os.symlink(tmp_path / "nothing", dangling)
    assert _sh(jexec._PUT_SCRIPT, str(dangling), b"evil").returncode == jexec._REFUSED_RC
    assert not (tmp_path / "nothing").exists()
    assert _sh(jexec._PUT_SCRIPT, str(tmp_path), b"x").returncode == jexec._REFUSED_RC


def test_fetch_script_reads_regular_files_only(tmp_path):
    data = bytes(range(256)) * 10
    src = tmp_path / "f"
    src.write_bytes(data)
    cp = _sh(jexec._FETCH_SCRIPT, str(src))
    assert cp.returncode == 0 and cp.stdout == data
    link = tmp_path / "link"
    os.symlink(src, link)
    cp = _sh(jexec._FETCH_SCRIPT, str(link))
    assert cp.returncode == jexec._REFUSED_RC and cp.stdout == b""
    cp = _sh(jexec._FETCH_SCRIPT, "/dev/zero")
    assert cp.returncode == jexec._REFUSED_RC and b"not a regular file" in cp.stderr
    cp = _sh(jexec._FETCH_SCRIPT, str(tmp_path / "missing"))
    assert cp.returncode == 1 and b"No such file or directory" in cp.stderr


class FakeSSH:
    """Stands in for ansible-core's ssh connection (not the collection's code): records what it is asked."""

    def __init__(self, results):
        self.results = list(results)
        self.calls = []

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self.calls.append((cmd, in_data, sudoable))
        return self.results.pop(0)

    def get_option(self, name):
        return "jailhost.example.org"

    def _connect(self):
        return self

    def close(self):
        pass

    def set_become_plugin(self, plugin):
        pass


def _conn(results, **options):
    conn = connection_loader.get("bsd.jails.jexec", PlayContext(), "/dev/null")
    conn.set_options(var_options={"ansible_jexec_jail": "www", **options})
    conn.ssh_type_conn = FakeSSH(results)
    return conn


def test_exec_command_runs_sh_in_the_jail():
    conn = _conn([(0, b"hi\n", b"")], ansible_jexec_user="www", ansible_jexec_host_become="sudo")
    assert conn.exec_command("echo 'hi'", in_data=b"code", sudoable=True) == (0, b"hi\n", b"")
    cmd, in_data, sudoable = conn.ssh_type_conn.calls[0]
    assert shlex.split(cmd) == ["sudo", "-n", "--", "/usr/sbin/jexec", "-l", "-U", "www", "--", "www",
                                "/bin/sh", "-c", "echo 'hi'"]  # fmt: skip
    assert (in_data, sudoable) == (b"code", True)
    assert conn.get_option("remote_user") == "www"


def test_a_stopped_jail_is_a_connection_failure():
    conn = _conn([(1, b"", b'jexec: jail "www" not found\n')])
    with pytest.raises(AnsibleConnectionFailure, match=r"jail 'www' on jailhost.example.org is not running"):
        conn.exec_command("id")


def test_put_and_fetch_are_one_session_each(tmp_path):
    src = tmp_path / "src"
    src.write_bytes(b"\x00\x01payload")
    conn = _conn([(0, b"", b""), (0, b"\x00fetched", b"")])
    conn.put_file(str(src), "/tmp/dest")
    conn.fetch_file("/etc/rc.conf", str(tmp_path / "got"))
    (put_cmd, put_in, put_sudo), (get_cmd, get_in, _get_sudo) = conn.ssh_type_conn.calls
    assert shlex.split(put_cmd)[:5] == ["/usr/sbin/jexec", "-l", "--", "www", "/bin/sh"]
    assert shlex.split(put_cmd)[-2:] == ["sh", "/tmp/dest"]
    assert (put_in, put_sudo) == (b"\x00\x01payload", False)
    assert shlex.split(get_cmd)[-1] == "/etc/rc.conf" and get_in is None
    assert (tmp_path / "got").read_bytes() == b"\x00fetched"


def test_refused_transfer_names_the_reason(tmp_path):
    src = tmp_path / "src"
    src.write_bytes(b"x")
    err = b"bsd.jails.jexec: refused: /tmp/evil is a symbolic link\n"
    conn = _conn([(jexec._REFUSED_RC, b"", err)])
    with pytest.raises(AnsibleError, match=r"put of /tmp/evil in jail 'www' on \S+ refused: /tmp/evil is a symbolic"):
        conn.put_file(str(src), "/tmp/evil")
