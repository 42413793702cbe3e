# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: jexec
short_description: Run tasks inside FreeBSD jails, over SSH to the jail host and jexec(8) there
version_added: 0.1.0
author:
  - bsd.jails developers (@bsd-jails)
description:
  - Reaches the jail host with ansible-core's P(ansible.builtin.ssh#connection) connection, so every SSH option of
    that plugin applies, set by the same variables (C(ansible_host), C(ansible_port), C(ansible_user),
    C(ansible_ssh_private_key_file), C(ansible_ssh_common_args), ControlPersist, jump hosts, ...).
  - Runs every command inside the jail with C(jexec -l [-U user] -- JAIL /bin/sh -c COMMAND), one SSH session per
    command; the jail needs C(/bin/sh), and Python for modules other than M(ansible.builtin.raw).
  - Files are transferred inside the jail, one SSH session per file, by C(/bin/sh) and C(cat) run in the jail
    through jexec(8), never by a write or read on the host below the jail's root. A symbolic link planted in
    the jail therefore resolves inside the jail, and a transfer whose jail-side path is a symbolic link is
    refused.
  - Supports pipelining (O(pipelining)); with it a module runs without any file transfer, its code fed to the
    jail's Python on standard input.
  - Privilege escalation (C(become)) happens inside the jail, with the become method the jail has (C(su) in
    FreeBSD's base system, C(sudo) or C(doas) from packages). Privileges on the host, which jexec(8) needs,
    come from the SSH user being C(root) or from O(host_become).
  - A jail that is not running, or that does not exist, fails the task with a connection failure naming the
    jail and the host.
notes:
  - jexec(8) attaches to a running jail only; start it first, for example with M(bsd.jails.jail).
  - A transferred file passes through the controller's memory (the SSH session's standard input or output).
  - The C(bsd.jails.jails) inventory plugin sets this connection and its variables for each jail it adds.
seealso:
  - plugin: ansible.builtin.ssh
    plugin_type: connection
  - module: bsd.jails.jail
extends_documentation_fragment:
  - connection_pipelining
options:
  jail:
    description:
      - The jail to run in, by name or by jid, as jexec(8) takes it; a name of a child jail is C(parent.child).
      - A name must consist of letters, digits, C(_) and C(-) (dot-separated for child jails) and must not start
        with C(-); a jid must be a positive integer.
    type: str
    required: true
    vars:
      - name: ansible_jexec_jail
  jail_user:
    description:
      - The user, from the jail's own password database, that commands run as inside the jail (C(jexec -U)).
      - When not set, commands run as the host user that runs jexec(8), normally C(root).
    type: str
    vars:
      - name: ansible_jexec_user
  clean_env:
    description:
      - Run commands in a clean environment (C(jexec -l)), in the home directory of the user in the jail, with
        C(PATH=/bin:/usr/bin), C(HOME), C(SHELL), C(USER) and C(TERM) only.
      - When V(false), the environment of the SSH session on the host is passed into the jail.
    type: bool
    default: true
    vars:
      - name: ansible_jexec_clean_env
  host_become:
    description:
      - How jexec(8) gets root on the jail host when the SSH user is not C(root).
      - V(sudo) runs C(sudo -n jexec ...), V(doas) runs C(doas -n jexec ...); both must be allowed without a
        password for jexec(8). V(none) runs jexec(8) directly.
      - This is independent of C(become), which acts inside the jail.
    type: str
    default: none
    choices: [none, sudo, doas]
    vars:
      - name: ansible_jexec_host_become
  jexec_path:
    description: Absolute path of jexec(8) on the jail host.
    type: str
    default: /usr/sbin/jexec
    vars:
      - name: ansible_jexec_path
"""

EXAMPLES = r"""
# inventory.yml: a jail "www1" on the host jailhost.example.org, reached over SSH as root.
# all:
#   hosts:
#     www1:
#       ansible_connection: bsd.jails.jexec
#       ansible_host: jailhost.example.org
#       ansible_user: root
#       ansible_jexec_jail: www1
#       ansible_python_interpreter: /usr/local/bin/python3
#       ansible_pipelining: true

# A task run in a jail from a play on its host, as an unprivileged SSH user with sudo for jexec only.
- name: Configure nginx inside the www1 jail
  ansible.builtin.template:
    src: nginx.conf.j2
    dest: /usr/local/etc/nginx/nginx.conf
    mode: "0644"
  delegate_to: www1
  vars:
    ansible_connection: bsd.jails.jexec
    ansible_jexec_jail: www1
    ansible_jexec_host_become: sudo
"""

import os
import re
import shlex

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound, AnsibleOptionsError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.plugins.loader import connection_loader
from ansible.utils.display import Display

display = Display()

# Jail names as jexec(8) looks them up: jail_getid() takes an all-digit argument for a jid and anything
# else for a name (lib/libjail/jail.c); the kernel's names are dot-separated for child jails
# (sys/kern/kern_jail.c kern_jail_set()).  The collection allows letters, digits, "_" and "-" in each part.
_NAME_PART = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
_JAIL_NAME = re.compile(rf"{_NAME_PART}(?:\.{_NAME_PART})*")
_JID = re.compile(r"[1-9][0-9]*")
# FreeBSD user names (pw(8), MAXLOGNAME 33 with the NUL): no leading "-", a trailing "$" allowed.
_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?")
MAXHOSTNAMELEN = 256

# What the jail-side transfer scripts print before refusing (checked in put_file/fetch_file).
_REFUSED = "bsd.jails.jexec: refused: "
_REFUSED_RC = 65

# put: the path (jail side) is $1; the file's bytes come on standard input.  "[ -h ]" refuses a symbolic link
# as the last component; "cat > PATH" runs inside the jail, so any link it still meets resolves in the jail.
_PUT_SCRIPT = (
    'if [ -h "$1" ]; then echo "' + _REFUSED + '$1 is a symbolic link" >&2; exit ' + str(_REFUSED_RC) + "; fi; "
    'if [ -d "$1" ]; then echo "' + _REFUSED + '$1 is a directory" >&2; exit ' + str(_REFUSED_RC) + "; fi; "
    'umask 077 && exec cat > "$1"'
)
# fetch: a regular file only (a device or FIFO could stream for ever), never a symbolic link.
_FETCH_SCRIPT = (
    'if [ -h "$1" ]; then echo "' + _REFUSED + '$1 is a symbolic link" >&2; exit ' + str(_REFUSED_RC) + "; fi; "
    'if [ ! -e "$1" ]; then echo "$1: No such file or directory" >&2; exit 1; fi; '
    'if [ ! -f "$1" ]; then echo "' + _REFUSED + '$1 is not a regular file" >&2; exit ' + str(_REFUSED_RC) + "; fi; "
    'exec cat < "$1"'
)


def check_jail(value):
    """The jail option as jexec(8) may take it: a jid, or a name that cannot be read as an option."""
    if value is None or value == "":
        raise AnsibleOptionsError("bsd.jails.jexec: jail (ansible_jexec_jail) is not set: name the jail to run in")
    text = to_text(value)
    if text.startswith("-"):
        raise AnsibleOptionsError(f"bsd.jails.jexec: jail {text!r} starts with '-': not a jail name")
    if len(text.encode("utf-8")) >= MAXHOSTNAMELEN:
        raise AnsibleOptionsError(f"bsd.jails.jexec: jail {text[:32]!r}... is too long for a jail name")
    if text.isdigit():
        if _JID.fullmatch(text):
            return text
    elif _JAIL_NAME.fullmatch(text):
        return text
    raise AnsibleOptionsError(
        f"bsd.jails.jexec: jail {text!r} is not a jail name (letters, digits, '_' and '-', "
        "dot-separated for a child jail) nor a jid"
    )


def check_user(value):
    if value is None or value == "":
        return None
    text = to_text(value)
    if not _USER.fullmatch(text):
        raise AnsibleOptionsError(f"bsd.jails.jexec: jail_user {text!r} is not a FreeBSD user name")
    return text


def jexec_argv(jexec_path, jail, argv, user=None, clean=True, host_become="none"):
    """The host-side command line: [sudo|doas -n --] jexec [-l] [-U user] -- JAIL ARGV..."""
    if not jexec_path.startswith("/"):
        raise AnsibleOptionsError(f"bsd.jails.jexec: jexec_path {jexec_path!r} is not an absolute path")
    out = []
    if host_become in ("sudo", "doas"):
        out += [host_become, "-n", "--"]
    elif host_become not in (None, "none"):
        raise AnsibleOptionsError(f"bsd.jails.jexec: host_become {host_become!r} is not one of none, sudo, doas")
    out.append(jexec_path)
    if clean:
        out.append("-l")
    if user:
        out += ["-U", user]
    return [*out, "--", jail, *argv]


def failure_of(jail, host, rc, stdout, stderr, host_become="none"):
    """The message for a failure of jexec(8) itself (or of host_become's sudo/doas before it); None otherwise.

    jexec(8) fails before the command starts, so its message is on standard error, or, with a tty (ssh -tt
    merges the streams), the first line of standard output.
    """
    if rc == 0:
        return None
    out = to_text(stdout, errors="surrogate_or_replace").strip().splitlines()
    err = to_text(stderr, errors="surrogate_or_replace").strip().splitlines()
    lines = [line.strip() for line in err + out[:1] if line.strip()]
    where = f"jail {jail!r} on {host}"
    for line in lines:
        if rc == 1 and line in (f'jexec: jail "{jail}" not found', f"jexec: jail {jail} not found"):
            return f"{where} is not running (it is stopped or does not exist): {line}"
    for line in lines:
        if (
            rc == 1
            and line.startswith("jexec: ")
            and (
                line.startswith(("jexec: jail_attach(", "jexec: execvp: /bin/sh", "jexec: chdir", "jexec: unknown uid"))
                or line.startswith("jexec: setusercontext")
                or line.endswith(": no such user")
            )
        ):
            return f"jexec(8) failed for {where}: {line}"
        if rc == 1 and host_become in ("sudo", "doas") and line.startswith(f"{host_become}:"):
            # only when jexec runs under it: a sudo inside the jail (become) says "sudo:" too
            return f"host_become could not run jexec(8) on {host} for {where}: {line}"
        if rc == 127 and "jexec" in line and ("not found" in line or "No such file" in line):
            return f"jexec(8) not found on {host}: {line}"
    return None


class Connection(ConnectionBase):
    """SSH to the jail host (ansible.builtin.ssh, as a sub-connection), jexec(8) into the jail there."""

    transport = "bsd.jails.jexec"
    has_pipelining = True

    def __init__(self, play_context, new_stdin, *args, **kwargs):
        super().__init__(play_context, new_stdin, *args, **kwargs)
        # ansible-core's TaskExecutor sets the options of a connection's `ssh_type_conn` from the task's
        # variables by that plugin's own option table: every ssh option works as it does for ssh itself.
        self.ssh_type_conn = connection_loader.get("ssh", play_context, "/dev/null")
        if self.ssh_type_conn is None:
            raise AnsibleError("bsd.jails.jexec: ansible.builtin.ssh connection plugin not found")

    # -- options ---------------------------------------------------------------------------------------------

    def get_option(self, option, hostvars=None):
        # The user commands run as is the user inside the jail (ActionBase reads remote_user for ~ and for
        # the permission fix-ups of become), not the SSH user on the host.
        if option == "remote_user":
            return self.get_option("jail_user", hostvars=hostvars) or "root"
        return super().get_option(option, hostvars=hostvars)

    def set_become_plugin(self, plugin):
        super().set_become_plugin(plugin)
        # the ssh connection watches for the become prompt (a password for su/sudo inside the jail)
        self.ssh_type_conn.set_become_plugin(plugin)

    @property
    def has_tty(self):
        try:
            return self.ssh_type_conn.has_tty
        except KeyError:
            return True

    def _host(self):
        try:
            return self.ssh_type_conn.get_option("host") or self._play_context.remote_addr
        except KeyError:
            return self._play_context.remote_addr

    def _jail(self):
        return check_jail(self.get_option("jail"))

    def _wrap(self, argv):
        """The command line run by the host's shell (every word quoted)."""
        line = jexec_argv(
            self.get_option("jexec_path"),
            self._jail(),
            argv,
            user=check_user(self.get_option("jail_user")),
            clean=self.get_option("clean_env"),
            host_become=self.get_option("host_become"),
        )
        return " ".join(shlex.quote(w) for w in line)

    # -- connection ------------------------------------------------------------------------------------------

    def _connect(self):
        if not self._connected:
            self.ssh_type_conn._connect()
            self._connected = True
        return self

    def _jexec(self, argv, in_data=None, sudoable=False):
        jail = self._jail()
        rc, out, err = self.ssh_type_conn.exec_command(self._wrap(argv), in_data=in_data, sudoable=sudoable)
        msg = failure_of(jail, self._host(), rc, out, err, self.get_option("host_become"))
        if msg:
            raise AnsibleConnectionFailure(f"bsd.jails.jexec: {msg}")
        return rc, out, err

    def exec_command(self, cmd, in_data=None, sudoable=True):
        """Run CMD (already wrapped for become by Ansible) with /bin/sh -c inside the jail."""
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        display.vvv(f"JEXEC {self.get_option('jail')}: {cmd}", host=self._host())
        return self._jexec(["/bin/sh", "-c", cmd], in_data=in_data, sudoable=sudoable)

    def put_file(self, in_path, out_path):
        """One SSH session: the file on standard input of a shell in the jail that refuses a link and writes."""
        super().put_file(in_path, out_path)
        display.vvv(f"PUT {in_path} TO {out_path} IN JAIL {self.get_option('jail')}", host=self._host())
        b_in = to_bytes(in_path, errors="surrogate_or_strict")
        if not os.path.isfile(b_in):
            raise AnsibleFileNotFound(f"file or module does not exist: {in_path}")
        with open(b_in, "rb") as f:
            data = f.read()
        rc, out, err = self._jexec(["/bin/sh", "-c", _PUT_SCRIPT, "sh", out_path], in_data=data)
        if rc != 0:
            raise AnsibleError(self._transfer_error("put", out_path, rc, out, err))
        return rc, out, err

    def fetch_file(self, in_path, out_path):
        """One SSH session: a shell in the jail refuses a link or a non-regular file, else cats the file."""
        super().fetch_file(in_path, out_path)
        display.vvv(f"FETCH {in_path} FROM JAIL {self.get_option('jail')} TO {out_path}", host=self._host())
        rc, out, err = self._jexec(["/bin/sh", "-c", _FETCH_SCRIPT, "sh", in_path])
        if rc == 1 and b"No such file or directory" in err:
            raise AnsibleFileNotFound(self._transfer_error("fetch", in_path, rc, out, err))
        if rc != 0:
            raise AnsibleError(self._transfer_error("fetch", in_path, rc, out, err))
        with open(to_bytes(out_path, errors="surrogate_or_strict"), "wb") as f:
            f.write(out)
        return rc, b"", err

    def _transfer_error(self, what, path, rc, out, err):
        text = to_text(err, errors="surrogate_or_replace").strip()
        where = f"jail {self.get_option('jail')!r} on {self._host()}"
        if rc == _REFUSED_RC and _REFUSED in text:
            reason = text.split(_REFUSED, 1)[1].splitlines()[0]
            return f"bsd.jails.jexec: {what} of {path} in {where} refused: {reason}"
        return f"bsd.jails.jexec: {what} of {path} in {where} failed (rc={rc}): {text}"

    def reset(self):
        try:
            self.ssh_type_conn.reset()
        except KeyError:
            # options not set (a reset before any task ran): nothing is open
            pass
        self.close()

    def close(self):
        self.ssh_type_conn.close()
        self._connected = False
