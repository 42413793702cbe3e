# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: jails
short_description: The jails of FreeBSD jail hosts as inventory hosts, reached with bsd.jails.jexec
version_added: 0.1.0
author:
  - bsd.jails developers (@bsd-jails)
description:
  - Reads the jail hosts already in the inventory (from the sources before this one, as
    P(ansible.builtin.constructed#inventory) does) and adds each of their jails as a host whose connection is
    P(bsd.jails.jexec#connection) through its jail host.
  - A jail host's jails are those it declares in C(jails_list) (the variable of the C(bsd.jails.jails) role,
    O(declared)) and, with O(live), those C(jls) lists as running on it, read over SSH with the jail host's
    SSH variables or with O(live_command).
  - Each jail added gets the variables C(ansible_connection=bsd.jails.jexec), C(ansible_jexec_jail), C(jail_name),
    C(jail_host) (the inventory name of its jail host), C(jail_state) (V(running) or V(stopped) with O(live),
    V(declared) without), C(jail_jid) and C(jail_path) when C(jls) reported them, the SSH variables of
    its jail host (C(ansible_host), C(ansible_port), C(ansible_user), C(ansible_ssh_private_key_file),
    C(ansible_ssh_common_args), C(ansible_ssh_extra_args), C(ansible_ssh_executable),
    C(ansible_ssh_pipelining), C(ansible_pipelining), C(ansible_jexec_host_become)), and
    C(ansible_python_interpreter) from O(python_interpreter).
  - The SSH variables of a jail are templates that read those of its jail host when a task runs, for example
    C(ansible_host) reads C(hostvars[jail_host].ansible_host), or is the jail host's inventory name when that is
    not set, and C(ansible_port) reads C(hostvars[jail_host].ansible_port), or is unset when that is not set. The
    jail hosts' connection may therefore come from an inventory source read after this one, or change later;
    C(ansible-inventory --list) shows the templates, C(ansible -m ansible.builtin.debug -a var=ansible_host)
    their values. O(compose), O(groups) and O(keyed_groups) see the templates, not their values.
  - With ansible-core older than 2.19, the SSH variables are copied from the jail host when this source is read
    instead, so the jail hosts' connection must be given by an earlier inventory source.
  - O(live) asks each jail host while this source is read, with the jail host's SSH variables as they stand then,
    so with O(live) (and without O(live_command)) the jail hosts' connection must be given by an earlier inventory
    source.
  - "Groups: O(group) (every jail), O(group)C(_on_)HOST (the jails of one jail host, every character of HOST
    that cannot be in a group name replaced by C(_)) and O(group)C(_)STATE (C(_running), C(_stopped),
    C(_declared)), plus those of O(groups) and O(keyed_groups)."
  - The inventory file's name must end in C(jails.yml) or C(jails.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; this inventory source is read by it only when set so.
    type: str
    required: true
    choices: [bsd.jails.jails]
  jail_hosts:
    description:
      - Inventory names of jail hosts.
      - With neither O(jail_hosts) nor O(jail_host_groups), every host that has a C(jails_list) variable.
    type: list
    elements: str
    default: []
  jail_host_groups:
    description: Groups whose hosts are jail hosts (added to O(jail_hosts)).
    type: list
    elements: str
    default: []
  declared:
    description: Add the jails a jail host declares in its C(jails_list) variable (those with C(state=absent) left out).
    type: bool
    default: true
  live:
    description:
      - Ask each jail host which jails run (C(jls -n -q jid name path host.hostname)), adding the running jails
        that C(jails_list) does not declare, and setting C(jail_state) of every jail to V(running) or V(stopped).
      - A jail host that cannot be asked fails the inventory source, naming the host and the command.
    type: bool
    default: false
  live_command:
    description:
      - The command run on the controller to reach a jail host; the words of C(jls) are appended to it.
        Each word is templated with the jail host's variables (C(inventory_hostname) included).
      - "When not set: C(ssh -o BatchMode=yes) with the jail host's C(ansible_port), C(ansible_user),
        C(ansible_ssh_private_key_file), C(ansible_ssh_common_args), C(ansible_ssh_extra_args), then
        C(ansible_host) (or its inventory name)."
    type: list
    elements: str
  live_timeout:
    description: Seconds that one jail host may take to answer O(live).
    type: int
    default: 30
  host_name:
    description:
      - Template of a jail's inventory name, with C(jail_name), C(jail_host) and C(jail_jid).
      - When not set, the jail's name (C({{ jail_name }})).
      - Two jails (or a jail and another host) with the same inventory name fail the source, naming both.
    type: str
  group:
    description: Name of the group of every jail, and prefix of the per-host and per-state groups.
    type: str
    default: jails
  python_interpreter:
    description:
      - C(ansible_python_interpreter) of each jail (where FreeBSD's C(python3) package installs it).
      - Empty to leave it to the jail's own variables or interpreter discovery.
    type: str
    default: /usr/local/bin/python3
  use_vars_plugins:
    description: Read the jail hosts' variables from vars plugins (host_vars/, group_vars/) as well.
    type: bool
    default: false
"""

EXAMPLES = r"""
# jails.yml, after the inventory of the jail hosts (ansible-inventory -i hosts.yml -i jails.yml --graph);
# live: true asks the jail hosts over SSH, so their connection comes before this source as well.
plugin: bsd.jails.jails
jail_host_groups: [jail_hosts]
live: true
keyed_groups:
  - key: jail_state
    prefix: state
compose:
  ansible_pipelining: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-jails
cache_timeout: 300
"""

import re
import shlex
import subprocess

from ansible.errors import AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.inventory.helpers import get_group_vars
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import combine_vars
from ansible.vars.plugins import get_vars_from_inventory_sources
from ansible_collections.bsd.jails.plugins.module_utils._jls import JlsParseError, parse_jls_n

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: no templating at task time of variables set by inventory plugins
    trust_as_template = None

# The jail host's variables a jail inherits: how the SSH session to its host is made.
SSH_VARS = (
    "ansible_port",
    "ansible_user",
    "ansible_ssh_private_key_file",
    "ansible_ssh_common_args",
    "ansible_ssh_extra_args",
    "ansible_ssh_executable",
    "ansible_ssh_pipelining",
    "ansible_pipelining",
    "ansible_jexec_host_become",
)
JLS_ARGV = ["jls", "-n", "-q", "jid", "name", "path", "host.hostname"]
_JAIL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*")


def declared_jails(jails_list, where):
    """Names of the jails a ``jails_list`` declares, in order, leaving out those with state absent."""
    if jails_list is None:
        return []
    if not isinstance(jails_list, list):
        raise AnsibleParserError(f"{where}: jails_list is not a list")
    names = []
    for i, jail in enumerate(jails_list):
        if not isinstance(jail, dict) or not jail.get("name"):
            raise AnsibleParserError(f"{where}: jails_list[{i}] has no name")
        if jail.get("state", "started") == "absent":
            continue
        names.append(to_text(jail["name"]))
    return names


def ssh_argv(hostname, hostvars):
    """ssh(1) argv that reaches a jail host the way ansible.builtin.ssh would, from its variables."""
    argv = [to_text(hostvars.get("ansible_ssh_executable") or "ssh"), "-o", "BatchMode=yes"]
    if hostvars.get("ansible_port"):
        argv += ["-p", to_text(hostvars["ansible_port"])]
    if hostvars.get("ansible_user"):
        argv += ["-l", to_text(hostvars["ansible_user"])]
    if hostvars.get("ansible_ssh_private_key_file"):
        argv += ["-i", to_text(hostvars["ansible_ssh_private_key_file"])]
    for key in ("ansible_ssh_common_args", "ansible_ssh_extra_args"):
        if hostvars.get(key):
            argv += shlex.split(to_text(hostvars[key]))
    return [*argv, "--", to_text(hostvars.get("ansible_host") or hostname)]


def connection_vars(host, hostvars):
    """The SSH variables of a jail of ``host``: templates that ansible-core resolves when a task runs, reading
    those of its jail host (``hostvars[jail_host]``) then; copies of ``hostvars`` (the jail host's variables now)
    where ansible-core cannot template them later."""
    if trust_as_template is None:
        copied = {k: hostvars[k] for k in SSH_VARS if k in hostvars}
        return {"ansible_host": hostvars.get("ansible_host") or host, **copied}
    # default(None): a variable that is None is unset for the connection's options (ansible-core's ConfigManager)
    return {
        "ansible_host": trust_as_template("{{ hostvars[jail_host].ansible_host | default(jail_host, true) }}"),
        **{k: trust_as_template(f"{{{{ hostvars[jail_host].{k} | default(None) }}}}") for k in SSH_VARS},
    }


def merge(host, declared, running, live):
    """Jail records of one jail host: declared first (in order), then running jails not declared."""
    by_name = {j.get("name"): j for j in running or []}
    records = []
    for name in declared:
        rec = {"jail_host": host, "jail_name": name, "jail_state": "declared"}
        if live:
            jls = by_name.get(name)
            rec["jail_state"] = "running" if jls else "stopped"
            if jls:
                rec.update(jail_jid=int(jls["jid"]), jail_path=jls.get("path"))
        records.append(rec)
    if live:
        for jls in running:
            if jls.get("name") not in declared:
                records.append(
                    {
                        "jail_host": host,
                        "jail_name": jls.get("name"),
                        "jail_state": "running",
                        "jail_jid": int(jls["jid"]),
                        "jail_path": jls.get("path"),
                    }
                )
    return records


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "bsd.jails.jails"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("jails.yml", "jails.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        self.load_cache_plugin()
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        records = None
        update_cache = False
        if use_cache and cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        elif use_cache:
            update_cache = True
        if records is None:
            records = self._collect(loader)
        if update_cache:
            self._cache[cache_key] = records
        self._populate(records, loader)

    # -- reading the jail hosts ------------------------------------------------------------------------------

    def _host_vars(self, name, loader):
        """Group variables, then host variables (each from the inventory, then from vars plugins if asked)."""
        host = self.inventory.get_host(name)
        gvars = get_group_vars(host.get_groups())
        hvars = host.get_vars()
        if self.get_option("use_vars_plugins"):
            sources = getattr(self.inventory, "processed_sources", [])
            gvars = combine_vars(gvars, get_vars_from_inventory_sources(loader, sources, host.get_groups(), "all"))
            hvars = combine_vars(hvars, get_vars_from_inventory_sources(loader, sources, [host], "all"))
        return combine_vars(gvars, hvars)

    def _jail_hosts(self, loader):
        names = list(self.get_option("jail_hosts"))
        for group in self.get_option("jail_host_groups"):
            if group not in self.inventory.groups:
                raise AnsibleParserError(f"bsd.jails.jails: jail_host_groups: no group {group!r} in the inventory")
            names += [h.name for h in self.inventory.groups[group].get_hosts()]
        if not self.get_option("jail_hosts") and not self.get_option("jail_host_groups"):
            names = [h for h in self.inventory.hosts if "jails_list" in self._host_vars(h, loader)]
        out = []
        for name in names:
            if self.inventory.get_host(name) is None:
                raise AnsibleParserError(f"bsd.jails.jails: jail_hosts: no host {name!r} in the inventory")
            if name not in out:
                out.append(name)
        return out

    def _template(self, value, variables):
        self.templar.available_variables = variables
        return self.templar.template(value)

    def _collect(self, loader):
        records = []
        for host in self._jail_hosts(loader):
            hostvars = self._host_vars(host, loader)
            declared = []
            if self.get_option("declared") and "jails_list" in hostvars:
                jails_list = self._template(hostvars["jails_list"], {**hostvars, "inventory_hostname": host})
                declared = declared_jails(jails_list, f"bsd.jails.jails: host {host}")
            running = self._running(host, hostvars) if self.get_option("live") else []
            records += merge(host, declared, running, self.get_option("live"))
        return records

    def _running(self, host, hostvars):
        prefix = self.get_option("live_command")
        if prefix:
            variables = {**hostvars, "inventory_hostname": host}
            argv = [to_text(self._template(w, variables)) for w in prefix]
            argv += JLS_ARGV
        else:
            argv = [*ssh_argv(host, hostvars), " ".join(JLS_ARGV)]
        try:
            timeout = self.get_option("live_timeout")
            cp = subprocess.run(argv, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            msg = f"bsd.jails.jails: could not ask jail host {host} ({shlex.join(argv)}): {exc}"
            raise AnsibleParserError(msg) from exc
        if cp.returncode != 0:
            err = to_text(cp.stderr, errors="surrogate_or_replace").strip()
            raise AnsibleParserError(
                f"bsd.jails.jails: jls on jail host {host} failed (rc={cp.returncode}, {shlex.join(argv)}): {err}"
            )
        try:
            return parse_jls_n(to_text(cp.stdout, errors="surrogate_or_replace"))
        except JlsParseError as exc:
            raise AnsibleParserError(f"bsd.jails.jails: jls output of jail host {host} not understood: {exc}") from exc

    # -- adding the jails ------------------------------------------------------------------------------------

    def _populate(self, records, loader):
        group = self.get_option("group")
        strict = self.get_option("strict")
        self.inventory.add_group(group)
        owner = {}
        for rec in records:
            host = rec["jail_host"]
            name = rec["jail_name"]
            if not _JAIL_NAME.fullmatch(name or ""):
                raise AnsibleParserError(f"bsd.jails.jails: host {host}: {name!r} is not a jail name")
            hostvars = self._host_vars(host, loader)
            variables = {"jail_name": name, "jail_host": host, "jail_jid": rec.get("jail_jid")}
            template = self.get_option("host_name")
            inv_name = to_text(self._template(template, variables)) if template else name
            if inv_name in owner:
                raise AnsibleParserError(
                    f"bsd.jails.jails: jail {name!r} of {host} and jail {owner[inv_name][1]!r} of {owner[inv_name][0]} "
                    f"would both be the inventory host {inv_name!r}; "
                    "set host_name, e.g. '{{ jail_host }}-{{ jail_name }}'"
                )
            if self.inventory.get_host(inv_name) is not None:
                raise AnsibleParserError(
                    f"bsd.jails.jails: jail {name!r} of {host} would be the inventory host {inv_name!r}, "
                    "which is already in the inventory; set host_name"
                )
            owner[inv_name] = (host, name)
            self.inventory.add_host(inv_name, group=group)
            # a group name is an identifier: every other character of a host's name becomes "_"
            on_host = to_safe_group_name(f"{group}_on_{host}", force=True, silent=True)
            by_state = to_safe_group_name(f"{group}_{rec['jail_state']}", force=True, silent=True)
            for g in (on_host, by_state):
                self.inventory.add_group(g)
                self.inventory.add_host(inv_name, group=g)
            setvars = {
                "ansible_connection": "bsd.jails.jexec",
                "ansible_jexec_jail": name,
                **connection_vars(host, hostvars),
                **{k: v for k, v in rec.items() if v is not None},
            }
            if self.get_option("python_interpreter"):
                setvars["ansible_python_interpreter"] = self.get_option("python_interpreter")
            for key, value in setvars.items():
                self.inventory.set_variable(inv_name, key, value)
            jailvars = combine_vars(self.inventory.get_host(inv_name).get_vars(), {})
            self._set_composite_vars(self.get_option("compose"), jailvars, inv_name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), jailvars, inv_name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), jailvars, inv_name, strict=strict)
