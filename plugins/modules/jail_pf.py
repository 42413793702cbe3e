#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail_pf
short_description: NAT and port forwards for FreeBSD jails on a private network, in a pf anchor
version_added: 0.1.0
description:
  - Owns one C(pf) anchor (O(anchor), default V(bsd.jails)) holding outbound NAT for the jails' private networks
    (O(nat_networks), for example jails on a cloned loopback C(lo1)) and C(rdr) port forwards from the host's
    external interface to jails (O(forwards)).
  - The rules are written to O(anchor_file) (atomically) and loaded with C(pfctl -a ANCHOR -f FILE). The anchor is
    reloaded only when the loaded rules (C(pfctl -P -a ANCHOR -s nat)) differ from the wanted ones.
  - Before anything is written or loaded, the rules are checked with C(pfctl -n -a ANCHOR -f -) and the host's
    O(pf_conf) with the anchor lines added is checked with C(pfctl -n -f -). A rule C(pfctl) rejects, or a syntax
    error in the host's own part of O(pf_conf), fails the task; nothing is changed and the loaded rules stay.
  - The host's O(pf_conf) is touched only to add, once, the four lines that call and load the anchor
    (C(nat-anchor), C(rdr-anchor), C(anchor) and C(load anchor ... from ...)), so a reboot loads the same rules.
    The translation anchors go before the first translation or filter rule, the others at the end. When
    O(pf_conf) does not exist it is created with these lines only (pf then passes all other traffic).
  - When O(pf_conf) changed, or the loaded main ruleset does not call the anchor, the whole O(pf_conf) is loaded
    (C(pfctl -f)), which loads the anchor too; the host's own rules are loaded as they are written.
  - With O(enable=true), C(pf_enable=YES) is set in C(rc.conf) and pf is enabled (C(pfctl -e)) when it is not.
  - Every option is checked before anything runs; the task fails naming the field, for example
    C(forwards[1].port).
author:
  - bsd.jails developers (@bsd-jails)
extends_documentation_fragment:
  - bsd.jails._attributes
  - bsd.jails._attributes.platform
  - bsd.jails._attributes.actiongroup_jails
attributes:
  check_mode:
    support: full
    details:
      - The C(pfctl -n) checks run in check mode too; they change nothing.
  diff_mode:
    support: full
    details:
      - O(anchor_file) and O(pf_conf) as text diffs, and the anchor's loaded rules before and after as text.
options:
  anchor:
    description:
      - The anchor the collection owns. Rules loaded into it by anything else are replaced.
    type: str
    default: bsd.jails
  anchor_file:
    description:
      - The file holding the anchor's rules, loaded at boot by the C(load anchor) line of O(pf_conf).
      - Default C(/etc/pf.anchors/ANCHOR) (a C(/) in the anchor name becomes C(_)); its directory is created.
    type: path
  pf_conf:
    description:
      - The host's pf configuration (C(pf_rules) in C(rc.conf)).
    type: path
    default: /etc/pf.conf
  external_interface:
    description:
      - The host's external interface, on which NAT and the forwards apply, for example V(vtnet0) or V(em0).
      - Required with O(nat_networks) or O(forwards).
    type: str
  nat_networks:
    description:
      - IPv4 networks (or addresses) whose outbound connections are translated to the address of
        O(external_interface), for example V(10.17.0.0/24) for jails on C(lo1).
    type: list
    elements: str
    default: []
  nat_address:
    description:
      - Translate to this IPv4 address instead of the interface's current address.
    type: str
  forwards:
    description:
      - Port forwards (C(rdr pass)) from the external interface to a jail.
    type: list
    elements: dict
    default: []
    suboptions:
      jail:
        description:
          - A running jail whose first IPv4 address receives the connections. Give O(forwards[].jail) or
            O(forwards[].address).
        type: str
      address:
        description: The IPv4 address receiving the connections.
        type: str
      proto:
        description: The protocol.
        type: str
        choices: [tcp, udp]
        default: tcp
      port:
        description: The port on the host's external address.
        type: int
        required: true
      to:
        description: The port in the jail; default the same as O(forwards[].port).
        type: int
      external_address:
        description:
          - Forward only connections to this address of the host; default any address of O(external_interface).
        type: str
  enable:
    description:
      - Set C(pf_enable=YES) in C(rc.conf) and enable pf now when it is disabled.
      - With V(false) (the default) neither is touched; rules loaded while pf is disabled apply once it is enabled.
    type: bool
    default: false
  backup:
    description:
      - Keep a copy of O(anchor_file) and O(pf_conf) before changing them.
    type: bool
    default: false
  validate_only:
    description:
      - Only check the options, running nothing and changing nothing; the task fails naming the field. The role
        C(bsd.jails.jails) calls it before it changes anything. A forward's O(forwards[].jail) is not resolved.
    type: bool
    default: false
notes:
  - pf must be available (C(pf.ko) loaded, for example by C(rc.d/pf) with C(pf_enable=YES), or C(pf_load="YES") in
    C(/boot/loader.conf)); otherwise the load fails with pfctl's message.
  - The loaded rules are read with C(pfctl -P) (port numbers, not service names).
  - IPv4 only. Filter rules for the jails' traffic are the host's (in O(pf_conf)); C(rdr pass) forwards need none.
  - The private network itself (a cloned C(lo1) with the jails' addresses) is the host's configuration.
seealso:
  - name: pfctl(8)
    description: Loading and showing rules and anchors.
    link: https://man.freebsd.org/pfctl/8
  - name: pf.conf(5)
    description: The rule syntax, C(nat), C(rdr), anchors and C(load anchor).
    link: https://man.freebsd.org/pf.conf/5
  - module: bsd.jails.host_bind_audit
"""

EXAMPLES = r"""
- name: NAT for the jails on lo1 and two forwards
  bsd.jails.jail_pf:
    external_interface: vtnet0
    nat_networks: [10.17.0.0/24]
    forwards:
      - {jail: www, port: 443}
      - {address: 10.17.0.3, proto: tcp, port: 2222, to: 22}
    enable: true

- name: No forwards any more, NAT only
  bsd.jails.jail_pf:
    external_interface: vtnet0
    nat_networks: [10.17.0.0/24]
"""

RETURN = r"""
rules:
  description: The anchor's rules after the task, as C(pfctl -P -a ANCHOR -s nat) prints them.
  returned: always
  type: list
  elements: str
  sample: ["nat on vtnet0 inet from 10.17.0.0/24 to any -> (vtnet0) round-robin",
           "rdr pass on vtnet0 inet proto tcp from any to (vtnet0) port = 443 -> 10.17.0.2 port 443"]
anchor:
  description: The anchor.
  returned: always
  type: str
  sample: bsd.jails
anchor_file:
  description: The anchor's file.
  returned: always
  type: str
  sample: /etc/pf.anchors/bsd.jails
actions:
  description: The C(pfctl) and C(sysrc) commands that changed something (in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["pfctl -a bsd.jails -f /etc/pf.anchors/bsd.jails"]
pf_enabled:
  description: Whether pf is enabled after the task.
  returned: always
  type: bool
  sample: true
backup_file:
  description: The backups of the files changed, when O(backup=true).
  returned: changed and backup made
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._fileio import file_diff, read_text, write_atomic
from ansible_collections.bsd.jails.plugins.module_utils._host_state import running_jails
from ansible_collections.bsd.jails.plugins.module_utils._jls import addresses_by_jail
from ansible_collections.bsd.jails.plugins.module_utils._pf import (
    anchor_file,
    anchor_text,
    calls_anchor,
    check_inputs,
    edit_pf_conf,
    is_enabled,
    render_rules,
    resolve_forwards,
    rule_lines,
    without_load,
)
from ansible_collections.bsd.jails.plugins.module_utils._runner import CommandError, JailsError, Runner


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            anchor=dict(type="str", default="bsd.jails"),
            anchor_file=dict(type="path"),
            pf_conf=dict(type="path", default="/etc/pf.conf"),
            external_interface=dict(type="str"),
            nat_networks=dict(type="list", elements="str", default=[]),
            nat_address=dict(type="str"),
            forwards=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    jail=dict(type="str"),
                    address=dict(type="str"),
                    proto=dict(type="str", choices=["tcp", "udp"], default="tcp"),
                    port=dict(type="int", required=True),
                    to=dict(type="int"),
                    external_address=dict(type="str"),
                ),
            ),
            enable=dict(type="bool", default=False),
            backup=dict(type="bool", default=False),
            validate_only=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )


def _check(pfctl, args, text, what):
    """``pfctl -n ... -f -`` with ``text`` on stdin; fails with pfctl's own message."""
    try:
        pfctl.run(*args, data=text)
    except CommandError as exc:
        raise JailsError(
            "%s: pfctl rejects it, nothing was changed and the loaded rules stay: %s"
            % (what, (exc.stderr or exc.stdout or "").strip()),
            cmd=exc.argv,
            rc=exc.rc,
            stderr=exc.stderr,
        ) from None


def main():
    module = build_module()
    p = module.params
    result = dict(changed=False, actions=[], rules=[])
    try:
        anchor, ext_if, nat, nat_address, forwards = check_inputs(p)
        path = p["anchor_file"] or anchor_file(anchor)
        for key, value in (("anchor_file", path), ("pf_conf", p["pf_conf"])):
            if not value.startswith("/"):
                raise JailsError("%s: %r is not an absolute path" % (key, value))
        result.update(anchor=anchor, anchor_file=path)
        if p["validate_only"]:
            result.update(pf_enabled=False)
            module.exit_json(**result)
        if any(fw["jail"] for fw in forwards):
            jails = {name: addrs for _jid, name, addrs in addresses_by_jail(running_jails(module).values())}
            forwards = resolve_forwards(forwards, jails)
        rules = render_rules(ext_if, nat, nat_address, forwards)
        new_anchor = anchor_text(anchor, rules)
        old_anchor = read_text(path)
        old_conf = read_text(p["pf_conf"])
        new_conf = edit_pf_conf(old_conf, anchor, path)
        pfctl = Runner(module, "pfctl")
        # the checks: our rules, then the host's pf.conf with our lines (its load line needs the file: left out)
        _check(pfctl, ("-n", "-a", anchor, "-f", "-"), new_anchor, "the rules of anchor %s" % anchor)
        _check(pfctl, ("-n", "-f", "-"), without_load(new_conf, anchor, path), p["pf_conf"])
        live = rule_lines(pfctl.out("-P", "-a", anchor, "-s", "nat", check=False))
        live_filter = rule_lines(pfctl.out("-a", anchor, "-s", "rules", check=False))
        called = calls_anchor(pfctl.out("-s", "nat", check=False), anchor)
        enabled = is_enabled(pfctl.out("-s", "info", check=False))
        anchor_changed = new_anchor != old_anchor
        conf_changed = new_conf != old_conf
        load_main = conf_changed or not called
        load_anchor = not load_main and (live != rules or bool(live_filter))
        if load_main:
            result["actions"].append("pfctl -f %s" % p["pf_conf"])
        elif load_anchor:
            result["actions"].append("pfctl -a %s -f %s" % (anchor, path))
        sysrc = None
        rc_enable = True
        if p["enable"]:
            sysrc = Runner(module, "sysrc")
            rc_enable = sysrc.out("-n", "pf_enable", check=False).strip().upper() == "YES"
            if not rc_enable:
                result["actions"].append("sysrc pf_enable=YES")
            if not enabled:
                result["actions"].append("pfctl -e")
        result["rules"] = rules
        result["pf_enabled"] = enabled or p["enable"]
        result["changed"] = bool(anchor_changed or conf_changed or result["actions"])
        if module._diff:
            result["diff"] = [
                file_diff(path, old_anchor, new_anchor),
                file_diff(p["pf_conf"], old_conf, new_conf),
                dict(before_header="pf anchor %s (loaded)" % anchor, after_header="pf anchor %s (loaded)" % anchor,
                     before="".join(r + "\n" for r in live + live_filter), after="".join(r + "\n" for r in rules)),
            ]  # fmt: skip
        if not module.check_mode:
            backups = []
            if anchor_changed:
                directory = os.path.dirname(path)
                if not os.path.isdir(directory):
                    try:
                        os.makedirs(directory, 0o755)
                    except OSError as exc:
                        raise JailsError("cannot create %s: %s" % (directory, exc.strerror or exc)) from exc
                backups.append(write_atomic(module, path, new_anchor, backup=p["backup"]))
            if conf_changed:
                backups.append(write_atomic(module, p["pf_conf"], new_conf, backup=p["backup"]))
            if load_main:
                pfctl.run("-f", p["pf_conf"])
            elif load_anchor:
                pfctl.run("-a", anchor, "-f", path)
            if p["enable"]:
                if not rc_enable:
                    sysrc.run("pf_enable=YES")
                if not enabled:
                    pfctl.run("-e")
            if any(backups):
                result["backup_file"] = [b for b in backups if b]
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
