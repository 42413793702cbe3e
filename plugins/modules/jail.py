#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bsd.jails contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: jail
short_description: Define FreeBSD jails in jail.conf and converge them to present, started, stopped, restarted or absent
version_added: 0.1.0
description:
  - Writes each jail as a block of jail.conf(5) (O(config), a file or a directory of C(NAME.conf) files) and drives
    jail(8), so that FreeBSD's own C(service jail) and a reboot (with O(rc_enable=true)) keep honouring it.
  - Edits O(config) in place and touches only the blocks of the jails it manages; comments, spacing and every
    other block stay byte for byte. A new block uses jail.conf(5)'s style, one parameter per line.
  - 'Ownership: every block the module writes for a listed jail carries the line C(# managed by bsd.jails) right
    above it. A jail the task names with any state other than V(absent) is managed from then on (a hand-written
    block gets the marker); a jail written by hand is never touched unless a task names it, and O(exclusive)
    removes only jails whose block carries the marker.'
  - One task handles one jail (O(name)) or many (O(jails)) with a single C(jls -n -q) call, one read and at most one
    write of each config file, one plan; stops are batched into one C(jail -r) per config file, starts run one
    C(jail -c NAME) each because jail(8) takes one jail name per C(-c) from a config file.
  - jail(8)'s command-line options map to jail.conf parameters so C(service jail) honours them too. C(-l) is
    O(exec_clean), C(-s) is O(securelevel), C(-u)/C(-U) are O(exec_jail_user) and O(exec_system_jail_user).
    C(-J) is O(jid_file).
  - Safe defaults. C(devfs_ruleset=4), C(enforce_statfs=2), no C(allow.raw_sockets), no C(allow.mount*). Widening any
    of these needs the explicit option and emits a warning.
  - Values are literal. A C($) is written as C(\$) so jail(8) does not substitute it.
  - Bad input fails before anything changes, naming the field. The config file is replaced atomically. When jail(8)
    fails, its message, command and exit code are returned and the file is left valid; running the task again
    converges.
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
      - Runs only C(jls) (C(sysctl -N security.jail.param) when the task names kernel parameters, and C(sysrc)
        to read C(/etc/rc.conf) with O(rc_enable=true) or O(rc_parallel_start)); C(changed) and RV(actions) are
        exact. A jid that only a real start knows reads V(unknown).
      - Check mode with every item is a full validation and plan of the task (the jails role runs it first).
  diff_mode:
    support: full
    details:
      - A list, the text diff of each changed config file, then the running state (running, jid and changed
        parameters of each jail) as before/after dicts.
      - When a jail would get widening settings from the global settings of the config file, a last entry
        lists its effective parameters, the inherited ones marked V(+).
options:
  name:
    description:
      - Name of the jail (the jail.conf block name and jail(8)'s C(name)).
      - Letters, digits, V(_) and V(-), not starting with V(-) (jail(8) would read an option); at most 255
        bytes (the kernel's C(MAXHOSTNAMELEN) less one); neither the name nor its last V(.) part only digits
        (the kernel would read a jid); a V(.) only for a child of a jail that is configured, running or
        listed (hierarchical jails).
      - Required unless O(jails) is given.
    type: str
  state:
    description:
      - 'V(present): the jail is defined in O(config); a running jail gets new live parameters, it is
        neither started nor stopped.'
      - 'V(started): defined and running. V(stopped): defined and not running. V(restarted): defined,
        and (re)started on every run.'
      - 'V(absent): stopped (with the old configuration, so C(exec.stop) runs) and its block removed.'
    type: str
    choices:
      - present
      - started
      - stopped
      - restarted
      - absent
    default: started
  path:
    description:
      - The jail's root directory (C(path)); absolute, not V(/). Required unless O(state=absent).
      - 'O(state=started) and O(state=restarted) need a world there: the module fails before changing
        anything when C(PATH/bin/sh) is missing.'
    type: path
  hostname:
    description:
      - C(host.hostname) of the jail. Not set when omitted (the jail then inherits the host's).
      - At most 255 bytes (C(MAXHOSTNAMELEN) less one), no control characters.
    type: str
  ip4_addr:
    description:
      - IPv4 addresses (C(ip4.addr)); the first is the jail's source address.
      - 'Items may be V(interface|address/mask) (jail(8)''s form: an alias is added to that interface
        while the jail runs).'
    type: list
    elements: str
  ip6_addr:
    description:
      - IPv6 addresses (C(ip6.addr)); items may be V(interface|address/prefixlen).
      - A scope id (V(fe80::1%lo0)) must be an interface name.
    type: list
    elements: str
  interface:
    description:
      - Network interface the addresses are added to as aliases (C(interface)); at most 15 characters
        (C(IFNAMSIZ)).
    type: str
  vnet:
    description:
      - Give the jail its own network stack (C(vnet = new)).
    type: bool
  vnet_interface:
    description:
      - Interfaces to move into a O(vnet) jail (C(vnet.interface)).
    type: list
    elements: str
  vnet_bridges:
    description:
      - Epairs joined to the host's bridges, one per item, for a O(vnet) jail (FreeBSD Handbook's VNET jail.conf).
      - 'Written into the jail''s block, so C(service jail) and a reboot work without Ansible: C(exec.prestart)
        runs C(/sbin/ifconfig epairN create up), C(/sbin/ifconfig epairNb ether MAC) and C(/sbin/ifconfig
        BRIDGE addm epairNa up) on the host; C(vnet.interface) moves C(epairNb) into the jail; C(exec.start)
        first runs C(/sbin/ifconfig epairNb inet ADDRESS up) (C(alias) for the others) and
        C(/sbin/route add default GATEWAY) inside the jail; C(exec.poststop) runs C(/sbin/ifconfig BRIDGE
        deletem epairNa) and C(/sbin/ifconfig epairNa destroy). These come before the commands of
        O(exec_prestart), O(exec_start) and after those of O(exec_poststop).'
      - The addresses are set by C(exec.start) rather than the jail's C(/etc/rc.conf) so the whole network
        setup lives in jail.conf on the host (the module never writes into the jail's root) and is in place
        before the jail's C(/etc/rc) starts its services. C(exec.start) runs as O(exec_jail_user), which must
        then be root (the default).
      - The bridge must exist when the jail starts (the C(jails) role's C(jails_host_interfaces) creates it
        and keeps it in C(rc.conf)); if C(epairN) is left on the host from elsewhere the start fails.
      - Needs O(vnet=true). Each jail needs its own epair units; the task fails before any change when two
        jails of the task name the same C(epairN) (in O(vnet_bridges) or as C(epairNb) in O(vnet_interface)),
        or when another jail of O(config) already moves C(epairNb) in.
      - O(devfs_ruleset) stays V(4) unless set. V(5) (C(devfsrules_jail_vnet), FreeBSD's ruleset for vnet
        jails, ruleset 4 plus C(/dev/pf)) is accepted for a vnet jail without a warning, since pf there sees
        only the jail's own network stack.
    type: list
    elements: dict
    suboptions:
      bridge:
        description:
          - The host's bridge the epair's C(a) end joins (for example V(bridge0)); an interface name.
        type: str
        required: true
      epair:
        description:
          - The epair(4) unit N, V(0) to V(32767). C(epairNa) stays on the host, C(epairNb) goes into the jail.
          - Fixed so jail.conf names both ends and they are the same at every start.
        type: int
        required: true
      addresses:
        description:
          - IPv4 addresses with their prefix length (V(192.0.2.50/24)) set on C(epairNb) inside the jail.
        type: list
        elements: str
      mac:
        description:
          - 'The MAC of C(epairNb): V(auto) derives a stable, locally administered unicast address from the jail''s
            name and the item''s position (laid out as FreeBSD''s C(jib) script does, C(x6:xx:xx:xx:xx:xx)),
            V(none) keeps the address the kernel generates, or a unicast MAC such as V(06:00:00:00:00:32).'
        type: str
        default: auto
  vnet_defaultrouter:
    description:
      - IPv4 default route inside a O(vnet) jail, set by C(exec.start) (C(/sbin/route add default ADDRESS)).
      - Must be on the network of one of the O(vnet_bridges) addresses.
    type: str
  devfs_ruleset:
    description:
      - devfs(8) ruleset enforced on the jail's C(/dev) (C(devfs_ruleset)).
      - 'Anything but V(4) (C(devfsrules_jail)) emits a warning: V(0) means no ruleset at all.'
      - V(0) to V(65535) (the kernel keeps it in 16 bits).
    type: int
    default: 4
  mount_devfs:
    description:
      - Mount devfs on the jail's C(/dev) when it starts (C(mount.devfs)).
      - V(false) emits a warning, since O(devfs_ruleset) then filters nothing in the jail's C(/dev).
    type: bool
    default: true
  enforce_statfs:
    description:
      - 'What the jail sees of mount points (C(enforce_statfs)): V(2) only its own root, V(1) those below
        it, V(0) all.'
      - A value below V(2) emits a warning.
    type: int
    default: 2
  securelevel:
    description:
      - The jail's C(kern.securelevel), V(-1) to V(3) (C(securelevel), C(jail -s) on the command line).
    type: int
  allow:
    description:
      - 'C(allow.*) permissions as a dict of booleans, with or without the C(allow.) prefix, for example
        V({sysvipc: true, mount.nullfs: true}).'
      - Names the running kernel does not know fail (see O(params)); the C(no) forms are refused, write
        V(false) instead. Values are booleans or Ansible's boolean strings (V(yes), V(no), V(on), V(off), ...).
      - C(allow.raw_sockets), C(allow.vmm) and C(allow.mount*) set to true emit a warning; none of them is
        set by default.
    type: dict
  persist:
    description:
      - Let the jail exist without processes (C(persist)). On by default so a jail whose services all
        exit is still running.
      - 'V(false) needs a command to run (O(exec_start), O(exec_poststart) or C(command) in O(params)):
        FreeBSD refuses to create a jail that neither persists nor runs one, so the module fails first.'
    type: bool
    default: true
  depend:
    description:
      - 'Jails this jail depends on (C(depend)): jail(8) starts them first and stops them last.'
      - Each must be defined in O(config), and the dependencies must not form a loop; otherwise the task fails
        before anything changes. Not available when O(config) is a directory (jail(8) reads one jail's file).
      - 'When this task stops or restarts a jail, jail(8) also stops every running jail that depends on it; the
        module starts those again afterwards (RV(actions) says C(restart NAME: it depends on ...)), unless they
        depend on a jail the task stops.'
      - With O(rc_enable=true), C(jail_list) lists this jail after the jails it depends on (see O(rc_enable)).
    type: list
    elements: str
  exec_prepare:
    description:
      - Commands for C(exec.prepare), run in order; see jail(8).
    type: list
    elements: str
  exec_prestart:
    description:
      - Commands for C(exec.prestart), run in order; see jail(8).
    type: list
    elements: str
  exec_created:
    description:
      - Commands for C(exec.created), run in order; see jail(8).
    type: list
    elements: str
  exec_start:
    description:
      - Commands for C(exec.start), run in order; see jail(8).
      - FreeBSD's usual value is the default; V([]) leaves the parameter out.
    type: list
    elements: str
    default:
      - /bin/sh /etc/rc
  exec_poststart:
    description:
      - Commands for C(exec.poststart), run in order; see jail(8).
    type: list
    elements: str
  exec_prestop:
    description:
      - Commands for C(exec.prestop), run in order; see jail(8).
    type: list
    elements: str
  exec_stop:
    description:
      - Commands for C(exec.stop), run in order; see jail(8).
      - FreeBSD's usual value is the default; V([]) leaves the parameter out.
    type: list
    elements: str
    default:
      - /bin/sh /etc/rc.shutdown jail
  exec_poststop:
    description:
      - Commands for C(exec.poststop), run in order; see jail(8).
    type: list
    elements: str
  exec_release:
    description:
      - Commands for C(exec.release), run in order; see jail(8).
    type: list
    elements: str
  exec_clean:
    description:
      - Run commands in a clean environment (C(exec.clean), C(jail -l) on the command line).
    type: bool
  exec_jail_user:
    description:
      - User to run commands in the jail as (C(exec.jail_user); with O(exec_system_jail_user) like
        C(jail -u), without it C(jail -U)).
    type: str
  exec_system_jail_user:
    description:
      - Look O(exec_jail_user) up in the host's passwd file (C(exec.system_jail_user)).
    type: bool
  exec_system_user:
    description:
      - User to run commands on the host as (C(exec.system_user)).
    type: str
  jid_file:
    description:
      - 'Write this file when the module starts the jail: jail(8)''s C(-J) (C(jid=N) and the parameters,
        jail(8)''s format).'
      - Only written when the module itself starts the jail.
    type: path
  params:
    description:
      - 'Any other jail(8) parameter, as a dict of name and value (booleans as true/false, lists as lists),
        for example V({children.max: 2, sysvshm: new}).'
      - Parameters that have their own option here are refused, and so are read-only ones (C(children.cur)).
      - 'Names are checked before anything changes: jail(8)''s own parameters, and the kernel parameters the
        running kernel lists under C(sysctl -N security.jail.param) (read once, also in check mode, when a
        task names parameters here or in O(allow)), plus those libjail loads a kernel module for
        (C(sysvmsg), C(sysvsem), C(sysvshm), C(linux*), C(allow.mount.<fs>)). When the list cannot be read,
        the FreeBSD 14 parameters are the reference.'
      - Values of known booleans, integers and C(new)/C(inherit)/C(disable) parameters are checked too.
      - 'Settings that widen the jail emit a warning: C(children.max) above 0, C(ip4)/C(ip6) or
        C(sysvmsg)/C(sysvsem)/C(sysvshm) V(inherit), C(mount) and C(mount.fstab).'
    type: dict
  jails:
    description:
      - 'Several jails in one task (batch mode): each item takes the per-jail options of this module.'
      - One C(jls) call, one read and at most one write of each config file, one plan, however many jails.
      - Top-level options other than O(name), O(path), O(hostname), O(ip4_addr), O(ip6_addr), O(interface),
        O(vnet_interface), O(vnet_bridges), O(vnet_defaultrouter) and O(jid_file) are defaults for every item.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the jail; see the top-level O(name).
        type: str
        required: true
      state:
        description:
          - 'V(present): the jail is defined in O(config); a running jail gets new live parameters, it
            is neither started nor stopped.'
          - 'V(started): defined and running. V(stopped): defined and not running. V(restarted): defined,
            and (re)started on every run.'
          - 'V(absent): stopped (with the old configuration, so C(exec.stop) runs) and its block removed.'
          - Defaults to the top-level O(state).
        type: str
        choices:
          - present
          - started
          - stopped
          - restarted
          - absent
      path:
        description:
          - The jail's root directory (C(path)); absolute, not V(/). Required unless O(state=absent).
          - 'O(state=started) and O(state=restarted) need a world there: the module fails before changing
            anything when C(PATH/bin/sh) is missing.'
        type: path
      hostname:
        description:
          - C(host.hostname) of the jail. Not set when omitted (the jail then inherits the host's).
        type: str
      ip4_addr:
        description:
          - IPv4 addresses (C(ip4.addr)); the first is the jail's source address.
          - 'Items may be V(interface|address/mask) (jail(8)''s form: an alias is added to that interface
            while the jail runs).'
        type: list
        elements: str
      ip6_addr:
        description:
          - IPv6 addresses (C(ip6.addr)); items may be V(interface|address/prefixlen).
        type: list
        elements: str
      interface:
        description:
          - Network interface the addresses are added to as aliases (C(interface)).
        type: str
      vnet:
        description:
          - Give the jail its own network stack (C(vnet = new)).
          - Defaults to the top-level O(vnet).
        type: bool
      vnet_interface:
        description:
          - Interfaces to move into a O(vnet) jail (C(vnet.interface)).
        type: list
        elements: str
      vnet_bridges:
        description:
          - Epairs joined to the host's bridges; see the top-level O(vnet_bridges).
        type: list
        elements: dict
        suboptions:
          bridge:
            description:
              - The host's bridge the epair's C(a) end joins.
            type: str
            required: true
          epair:
            description:
              - The epair(4) unit N (C(epairNa) on the host, C(epairNb) in the jail).
            type: int
            required: true
          addresses:
            description:
              - IPv4 addresses with their prefix length set on C(epairNb) inside the jail.
            type: list
            elements: str
          mac:
            description:
              - The MAC of C(epairNb), V(auto), V(none) or a unicast MAC.
            type: str
            default: auto
      vnet_defaultrouter:
        description:
          - IPv4 default route inside the jail; see the top-level O(vnet_defaultrouter).
        type: str
      devfs_ruleset:
        description:
          - devfs(8) ruleset enforced on the jail's C(/dev) (C(devfs_ruleset)).
          - 'Anything but V(4) (C(devfsrules_jail)) emits a warning: V(0) means no ruleset at all.'
          - Defaults to the top-level O(devfs_ruleset).
        type: int
      mount_devfs:
        description:
          - Mount devfs on the jail's C(/dev) when it starts (C(mount.devfs)).
          - Defaults to the top-level O(mount_devfs).
        type: bool
      enforce_statfs:
        description:
          - 'What the jail sees of mount points (C(enforce_statfs)): V(2) only its own root, V(1) those
            below it, V(0) all.'
          - A value below V(2) emits a warning.
          - Defaults to the top-level O(enforce_statfs).
        type: int
      securelevel:
        description:
          - The jail's C(kern.securelevel), V(-1) to V(3) (C(securelevel), C(jail -s) on the command line).
          - Defaults to the top-level O(securelevel).
        type: int
      allow:
        description:
          - 'C(allow.*) permissions as a dict of booleans, with or without the C(allow.) prefix, for example
            V({sysvipc: true, mount.nullfs: true}).'
          - Checked as the top-level O(allow).
          - Defaults to the top-level O(allow).
        type: dict
      persist:
        description:
          - Let the jail exist without processes (C(persist)). On by default so a jail whose services
            all exit is still running.
          - Defaults to the top-level O(persist).
        type: bool
      depend:
        description:
          - 'Jails this jail depends on (C(depend)): jail(8) starts them first and stops them last.'
          - See the top-level O(depend) for what the module checks and does.
          - Defaults to the top-level O(depend).
        type: list
        elements: str
      exec_prepare:
        description:
          - Commands for C(exec.prepare), run in order; see jail(8).
          - Defaults to the top-level O(exec_prepare).
        type: list
        elements: str
      exec_prestart:
        description:
          - Commands for C(exec.prestart), run in order; see jail(8).
          - Defaults to the top-level O(exec_prestart).
        type: list
        elements: str
      exec_created:
        description:
          - Commands for C(exec.created), run in order; see jail(8).
          - Defaults to the top-level O(exec_created).
        type: list
        elements: str
      exec_start:
        description:
          - Commands for C(exec.start), run in order; see jail(8).
          - FreeBSD's usual value is the default; V([]) leaves the parameter out.
          - Defaults to the top-level O(exec_start).
        type: list
        elements: str
      exec_poststart:
        description:
          - Commands for C(exec.poststart), run in order; see jail(8).
          - Defaults to the top-level O(exec_poststart).
        type: list
        elements: str
      exec_prestop:
        description:
          - Commands for C(exec.prestop), run in order; see jail(8).
          - Defaults to the top-level O(exec_prestop).
        type: list
        elements: str
      exec_stop:
        description:
          - Commands for C(exec.stop), run in order; see jail(8).
          - FreeBSD's usual value is the default; V([]) leaves the parameter out.
          - Defaults to the top-level O(exec_stop).
        type: list
        elements: str
      exec_poststop:
        description:
          - Commands for C(exec.poststop), run in order; see jail(8).
          - Defaults to the top-level O(exec_poststop).
        type: list
        elements: str
      exec_release:
        description:
          - Commands for C(exec.release), run in order; see jail(8).
          - Defaults to the top-level O(exec_release).
        type: list
        elements: str
      exec_clean:
        description:
          - Run commands in a clean environment (C(exec.clean), C(jail -l) on the command line).
          - Defaults to the top-level O(exec_clean).
        type: bool
      exec_jail_user:
        description:
          - User to run commands in the jail as (C(exec.jail_user); with O(exec_system_jail_user) like
            C(jail -u), without it C(jail -U)).
          - Defaults to the top-level O(exec_jail_user).
        type: str
      exec_system_jail_user:
        description:
          - Look O(exec_jail_user) up in the host's passwd file (C(exec.system_jail_user)).
          - Defaults to the top-level O(exec_system_jail_user).
        type: bool
      exec_system_user:
        description:
          - User to run commands on the host as (C(exec.system_user)).
          - Defaults to the top-level O(exec_system_user).
        type: str
      jid_file:
        description:
          - 'Write this file when the module starts the jail: jail(8)''s C(-J) (C(jid=N) and the parameters,
            jail(8)''s format).'
          - Only written when the module itself starts the jail.
        type: path
      params:
        description:
          - 'Any other jail(8) parameter, as a dict of name and value (booleans as true/false, lists as
            lists), for example V({children.max: 2, sysvshm: new}); checked as the top-level O(params).'
          - Defaults to the top-level O(params).
        type: dict
  config:
    description:
      - 'The jail.conf(5) file the jails are written to, or a directory (an existing one, or a path ending
        in V(.d) or V(/)): one C(NAME.conf) per jail, as C(/etc/jail.conf.d/NAME.conf) that C(service
        jail) reads.'
      - Only the blocks of the jails this task manages change; everything else in the file stays byte
        for byte.
      - The files a config file C(.include)s (globs too, as in C(.include "/etc/jail.conf.d/*.conf";)) are
        read the way jail(8) reads them. A jail whose block is in one of them is edited there, O(state=absent)
        removes its blocks from every file, and new jails are added to O(config). An included file that
        does not exist fails the task before anything changes (a glob that matches nothing is fine).
      - An absolute path.
    type: path
    default: /etc/jail.conf
  rc_enable:
    description:
      - 'Start the jails at boot: sets C(jail_enable=YES) and keeps C(jail_list) right (O(state=started)
        and O(state=restarted) jails are added, O(state=stopped) and O(state=absent) ones removed) through
        sysrc(8).'
      - With a config file other than C(/etc/jail.conf) also sets C(jail_conf).
      - Only the entries of the jails the task names (and those O(exclusive) removes) change; the others stay.
      - 'C(jail_list) is kept in boot order: rc.d/jail runs C(jail -c NAME) for each name in turn, and jail(8) starts
        what NAME depends on (O(depend)) first, so a dependency listed after its dependent would already run and
        fail to start with C("NAME" already exists). Each jail comes after the listed jails it depends on, directly
        or through jails the list leaves out; the order is otherwise the one the list had (a jail listed twice is
        listed once). A dependency loop fails the task before any change, naming the loop.'
      - A failed read of C(/etc/rc.conf) fails the task before any change, with sysrc's message.
      - V(false) leaves C(jail_enable), C(jail_list) and C(jail_conf) alone.
    type: bool
    default: false
  rc_parallel_start:
    description:
      - 'Sets rc.conf''s C(jail_parallel_start) through sysrc(8): V(true) writes C(YES), V(false) writes C(NO);
        a value rc.subr''s C(checkyesno) already reads that way (C(yes), C(on), C(1), ...) is left as it is.
        Unset leaves C(jail_parallel_start) alone. Independent of O(rc_enable).'
      - 'What it changes at boot: with an empty C(jail_list), rc.d/jail starts every jail of C(jail_conf) with one
        C(jail -c), ordered by O(depend), one jail at a time (C(-p1)) or, with C(YES), several at once (no C(-p)),
        still each after what it depends on. With a C(jail_list), it runs C(jail -c NAME) for each name in turn, or
        with C(YES) all at once, each in the background with its own jail(8).'
      - 'In that last case two of those jail(8) runs can start the same jail (a listed jail and a jail that depends
        on it, or two jails depending on one): only one of them creates it, the others fail, and a jail whose own
        run failed that way does not start. The module warns when the resulting C(jail_parallel_start) is on and
        C(jail_list) has such jails.'
    type: bool
  restart_on_change:
    description:
      - A running jail gets changed kernel parameters live with C(jail -m).
      - Changes that need a new jail (C(path), C(vnet), addresses on an O(interface), and the C(exec.*)/C(mount*)
        parameters used at start) restart it when this is V(true); otherwise RV(actions) and a warning
        say a restart is pending.
    type: bool
    default: false
  exclusive:
    description:
      - 'With O(jails): remove (stop, delete the block of, and drop from C(jail_list) with O(rc_enable)) every
        jail of O(config) that is not listed B(and whose block carries the C(# managed by bsd.jails) marker line),
        that is every jail the collection wrote.'
      - A jail written by hand has no marker and is left alone, with its block and its C(jail_list) entry; it is
        returned in RV(unmanaged). To remove it, name it in O(jails) with O(jails[].state=absent).
      - 'Upgrading: blocks written by versions of the collection before the marker have none. The first run that
        lists such a jail adds it (action C(mark NAME in FILE as managed by bsd.jails)); one that is no longer
        listed is left alone, as hand-written, until a task removes it by name with V(absent).'
    type: bool
    default: false
  backup:
    description:
      - Keep a timestamped copy of each config file before changing it.
    type: bool
    default: false
seealso:
  - module: bsd.jails.jail_info
  - name: jail(8)
    description: The jail manager and its parameters.
    link: https://man.freebsd.org/cgi/man.cgi?query=jail&sektion=8
  - name: jail.conf(5)
    description: The configuration file format.
    link: https://man.freebsd.org/cgi/man.cgi?query=jail.conf&sektion=5
notes:
  - C(jls) lists only running jails, so parameters jail(8) uses itself (C(exec.*), C(mount.*), C(interface)) are
    compared between the old and the new config file, and kernel parameters between the config and the running jail.
  - 'Settings written outside any block of the config file (global settings, as C(allow.raw_sockets;) at
    the top of C(/etc/jail.conf)) apply to every jail, the ones this module writes too. The module does not
    override them (they are the administrator''s), but names each widening one a jail would inherit in a
    warning: set the value in the task (O(allow), O(params)) to decide it for the jail.'
  - Options that widen a jail beyond the defaults emit a warning on every run; see O(devfs_ruleset),
    O(enforce_statfs), O(mount_devfs), O(allow) and O(params).
  - 'Nothing this module writes is secret: jail.conf is world-readable, and the C(exec.*) commands appear in
    RV(jails), the diff and C(ps). Do not put passwords or keys in them; give a command a file to read.'
  - Every jail name in a jail(8) command line follows C(--), and names cannot start with V(-).
  - A relative C(.include) name is taken from the including file's directory. In directory mode, C(.include)
    lines inside the C(NAME.conf) files are not followed.
  - The config file is replaced through a temporary file C(.NAME.XXXXXXXX) in its directory. One that an
    interrupted run left behind (a regular file of that name pattern, older than the run; never through a
    symlink) is removed by the next run, which reports it in RV(actions).
"""

EXAMPLES = r"""
- name: Define and start a jail (the world must already be at its path)
  bsd.jails.jail:
    name: www
    path: /usr/jails/www
    hostname: www.example.org
    ip4_addr: [192.0.2.23]
    interface: em0

- name: Classic jail(8) options, the jail.conf way (-l, -s 2, -u www, -J)
  bsd.jails.jail:
    name: app
    path: /usr/jails/app
    exec_clean: true
    securelevel: 2
    exec_jail_user: www
    exec_system_jail_user: true
    jid_file: /var/run/jail_app.jid

- name: Many jails in one task, started at boot; jails the collection wrote and no longer lists are removed
  bsd.jails.jail:
    rc_enable: true
    exclusive: true
    allow:
      sysvipc: true
    jails:
      - {name: db, path: /usr/jails/db, ip4_addr: ["em0|192.0.2.31/24"]}
      - {name: web, path: /usr/jails/web, ip4_addr: [192.0.2.32], depend: [db]}
      - {name: old, path: /usr/jails/old, state: stopped}
      # a jail written by hand in /etc/jail.conf is left alone by exclusive, unless named:
      - {name: legacy, state: absent}

- name: Started at boot one after the other, each jail after the jails it depends on in jail_list
  bsd.jails.jail:
    rc_enable: true
    rc_parallel_start: false
    jails:
      - {name: web, path: /usr/jails/web, depend: [db]}
      - {name: db, path: /usr/jails/db}

- name: One file per jail in /etc/jail.conf.d, restart when a change needs it
  bsd.jails.jail:
    name: mail
    path: /usr/jails/mail
    config: /etc/jail.conf.d
    restart_on_change: true
    params:
      children.max: 0
      sysvshm: new

- name: A VNET jail on an epair joined to bridge0, with its own address and default route
  bsd.jails.jail:
    name: vnetweb
    path: /usr/jails/vnetweb
    vnet: true
    vnet_bridges:
      - bridge: bridge0
        epair: 32
        addresses: [192.0.2.50/24]
    vnet_defaultrouter: 192.0.2.1

- name: Remove a jail (stopped with its old exec.stop first)
  bsd.jails.jail:
    name: old
    state: absent
"""

RETURN = r"""
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["add www in /etc/jail.conf", "start www", "rc.conf: jail_enable=YES, jail_list=www",
           "mark db in /etc/jail.conf as managed by bsd.jails"]
jails:
  description:
    - Each jail of the task by name; C(params) are the effective parameters from the new config
      (booleans as true/false, C(ip4.addr), C(ip6.addr), C(mount), C(depend) and C(exec.*) commands as lists).
    - C(restart_pending) lists the changed parameters that wait for a restart.
    - C(conf_file) is the file that holds the jail's block (an included file when it is defined there).
  returned: always
  type: dict
  sample:
    www:
      conf_file: /etc/jail.conf
      jid: 3
      running: true
      state: started
      params: {name: www, path: /usr/jails/www, host.hostname: www.example.org, ip4.addr: [192.0.2.23],
               mount.devfs: true, devfs_ruleset: "4", enforce_statfs: "2", persist: true,
               exec.start: [/bin/sh /etc/rc], exec.stop: [/bin/sh /etc/rc.shutdown jail]}
unmanaged:
  description:
    - With O(exclusive=true), the jails of O(config) that are not listed and carry no C(# managed by bsd.jails)
      marker (written by hand, or by a version of the collection before the marker). They are left alone.
  returned: with O(exclusive=true)
  type: list
  elements: str
  sample: [handj]
conf_file:
  description: The file that holds the jail's block (O(name)), or O(config) with O(jails).
  returned: always
  type: str
  sample: /etc/jail.conf
backup_file:
  description: The backup of the config file, with O(backup=true) and a change (the last one in directory mode).
  returned: changed and O(backup=true)
  type: str
  sample: /etc/jail.conf.12345.2024-01-01@00:00:00~
backup_files:
  description: Every backup made, by config file.
  returned: changed and O(backup=true)
  type: dict
  sample: {/etc/jail.conf: /etc/jail.conf.12345.2024-01-01@00:00:00~}
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.bsd.jails.plugins.module_utils._fileio import stale_temps
from ansible_collections.bsd.jails.plugins.module_utils._host_state import (
    is_directory_mode,
    jail_configuration,
    read_kernel_params,
    read_rc,
    running_jails,
)
from ansible_collections.bsd.jails.plugins.module_utils._jail_apply import apply_plan, check_worlds, report
from ansible_collections.bsd.jails.plugins.module_utils._jail_options import argument_spec
from ansible_collections.bsd.jails.plugins.module_utils._jail_params import STATES, check_absolute, desired_jails
from ansible_collections.bsd.jails.plugins.module_utils._jail_plan import make_plan
from ansible_collections.bsd.jails.plugins.module_utils._jail_vnet import check_epairs_elsewhere
from ansible_collections.bsd.jails.plugins.module_utils._runner import CommandError, JailsError


def build_module():
    spec = argument_spec(True, STATES)
    spec.update(
        jails=dict(type="list", elements="dict", options=argument_spec(False, STATES)),
        config=dict(type="path", default="/etc/jail.conf"),
        rc_enable=dict(type="bool", default=False),
        rc_parallel_start=dict(type="bool"),
        restart_on_change=dict(type="bool", default=False),
        exclusive=dict(type="bool", default=False),
        backup=dict(type="bool", default=False),
    )
    return AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=[("name", "jails")],
        required_one_of=[("name", "jails")],
        required_if=[("exclusive", True, ("jails",))],
        required_by={"jid_file": "name"},
        supports_check_mode=True,
    )


def main():
    module = build_module()
    p = module.params
    config = p["config"]
    result = dict(changed=False, actions=[], jails={}, conf_file=config)
    started = time.time()
    try:
        check_absolute("config", config)
        names = [j["name"] for j in p["jails"]] if p["jails"] is not None else [p["name"]]
        names = [n for n in names if isinstance(n, str) and n and "/" not in n]
        texts, defined, includes, parsed = jail_configuration(config, names, p["exclusive"])
        running = running_jails(module)
        known = set(running) | set(defined)
        wanted, warnings = desired_jails(p, known=known, kernel_params=lambda: read_kernel_params(module))
        check_epairs_elsewhere(wanted, parsed)
        check_worlds(wanted)
        plan = make_plan(
            config,
            is_directory_mode(config),
            texts,
            running,
            wanted,
            restart_on_change=p["restart_on_change"],
            exclusive=p["exclusive"],
            rc_enable=p["rc_enable"],
            rc_current=read_rc(module) if p["rc_enable"] or p["rc_parallel_start"] is not None else None,
            includes=includes,
            rc_parallel_start=p["rc_parallel_start"],
            stale=sorted({t for path in texts for t in stale_temps(path, started)}),
            parsed=parsed,
        )
        reported, plan_warnings = report(plan, wanted, p, module._diff)
        for msg in warnings + plan_warnings:
            module.warn(msg)
        result.update(reported)
        if plan.changed and not module.check_mode:
            apply_plan(module, plan, result, p["backup"])
    except CommandError as exc:
        module.fail_json(msg=exc.msg, actions=result["actions"], changed=result["changed"], **exc.details)
    except JailsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
