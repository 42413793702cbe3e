#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_info
short_description: List the FreeBSD jails a host has configured or running
version_added: 0.1.0
description:
  - Reads O(config) (a jail.conf(5) file, or a directory of C(*.conf) files) and runs C(jls -n -q) once.
  - Returns every jail that is configured or running, its effective parameters (what jail(8) would apply, with
    global and wildcard parameters, variables and C(+=) resolved), whether it runs, its jid and the parameters
    the kernel reports for it. What dynamic inventories and audits need, in one call.
author:
  - bsd.jails developers (@bsd-jails)
extends_documentation_fragment:
  - bsd.jails._attributes
  - bsd.jails._attributes.platform
  - bsd.jails._attributes.info_module
options:
  config:
    description:
      - The jail.conf(5) file, or a directory whose C(*.conf) files are all read (for example V(/etc/jail.conf.d)).
      - A missing file or directory means no configured jails.
      - A file is read with the files it C(.include)s (globs too), as jail(8) reads it; a relative name is taken
        from the including file's directory.
    type: path
    default: /etc/jail.conf
  name:
    description:
      - Only this jail.
    type: str
seealso:
  - module: bsd.jails.jail
"""

EXAMPLES = r"""
- name: Every jail of the host
  bsd.jails.jail_info:
  register: jail_info

- name: Jails that are configured but not running
  ansible.builtin.debug:
    msg: "{{ jail_info.jails | dict2items | rejectattr('value.running') | map(attribute='key') | list }}"

- name: One jail, configured in /etc/jail.conf.d
  bsd.jails.jail_info:
    config: /etc/jail.conf.d
    name: www
"""

RETURN = r"""
jails:
  description:
    - Every configured or running jail by name.
    - C(params) are the effective jail.conf parameters (empty for a jail that only runs); booleans are true/false,
      C(ip4.addr), C(ip6.addr), C(mount), C(depend) and C(exec.*) commands are lists.
    - C(running_params) are the kernel's parameters from C(jls -n -q) (empty when not running).
    - C(conf_file) is the file that holds the jail's block (an included file when it is defined there).
  returned: always
  type: dict
  sample:
    www:
      configured: true
      conf_file: /etc/jail.conf
      running: true
      jid: 3
      params: {name: www, path: /usr/jails/www, host.hostname: www.example.org, ip4.addr: [192.0.2.23]}
      running_params: {jid: "3", name: www, path: /usr/jails/www, host.hostname: www.example.org,
                       ip4.addr: [192.0.2.23], persist: true}
names:
  description: The jail names, configured ones in file order first, then running ones not configured.
  returned: always
  type: list
  elements: str
  sample: [www, db]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._host_state import configured, running_jails
from ansible_collections.bsd.jails.plugins.module_utils._runner import JailsError


def collect(defined, running):
    jails = {}
    for name, path, params in defined:
        jails[name] = {"configured": True, "conf_file": path, "params": params}
    for name, run in running.items():
        entry = jails.setdefault(name, {"configured": False, "conf_file": None, "params": {}})
        entry["running_params"] = run
    for entry in jails.values():
        run = entry.setdefault("running_params", {})
        entry["running"] = bool(run)
        jid = run.get("jid")
        entry["jid"] = int(jid) if jid and str(jid).isdigit() else None
    return jails


def main():
    module = AnsibleModule(
        argument_spec=dict(config=dict(type="path", default="/etc/jail.conf"), name=dict(type="str")),
        supports_check_mode=True,
    )
    try:
        defined = configured(module.params["config"])
        running = running_jails(module)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    jails = collect(defined, running)
    if module.params["name"] is not None:
        jails = {k: v for k, v in jails.items() if k == module.params["name"]}
    module.exit_json(changed=False, jails=jails, names=list(jails))


if __name__ == "__main__":
    main()
