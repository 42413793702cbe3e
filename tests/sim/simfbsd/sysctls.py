"""The MIB catalogue of the simulated kernel: type, access and default of every modelled sysctl.

Types (sysctl.c's format letters): ``CU`` uint8_t (SYSCTL_BOOL), ``I`` int, ``IU`` unsigned int, ``L`` long,
``LU`` unsigned long, ``Q``/``QU`` int64/uint64, ``A`` string, ``S,timeval``
(kern.boottime), ``S,opaque`` (hidden from -a, as sysctl does without -o).
Access: ``RW``, ``RD``, ``RDTUN`` (read-only tunable: loader.conf only),
``RWTUN``.  ``PRISON`` entries may be written from inside a jail (CTLFLAG_PRISON);
every other writable MIB gives EPERM in a jail.
Runtime values set with sysctl(8) live in kernel state ``sysctl`` (lost at
reboot); a few values are computed (hostname, boot time, jail view): see
tools/sysctl.py.
# src: sys/kern/kern_jail.c (security.jail.*), sys/kern/kern_mib.c (kern.*, hw.*)
"""

GB = 1024**3

# name: (type, access, default, description)
MIB = {
    "kern.ostype": ("A", "RD", "FreeBSD", "Operating system type"),
    "kern.osrelease": ("A", "RD", None, "Operating system release"),
    "kern.osrevision": ("I", "RD", 199506, "Operating system revision"),
    "kern.version": ("A", "RD", None, "Kernel version"),
    "kern.maxvnodes": ("LU", "RW", 536178, "Target for maximum number of vnodes"),
    "kern.maxproc": ("I", "RDTUN", 32768, "Maximum number of processes"),
    "kern.maxfiles": ("I", "RW", 262144, "Maximum number of files"),
    "kern.maxfilesperproc": ("I", "RW", 235917, "Maximum files allowed open per process"),
    "kern.argmax": ("I", "RD", 524288, "Maximum bytes of argument to execve(2)"),
    "kern.securelevel": ("I", "RW PRISON", -1, "Current secure level"),
    "kern.hostname": ("A", "RW PRISON", None, "Hostname"),
    "kern.domainname": ("A", "RW", "", "Name of the current YP/NIS domain"),
    "kern.hostuuid": ("A", "RW PRISON", "7d8f3c2a-5b1e-11ef-9a3c-589cfc000001", "Host UUID"),
    "kern.hostid": ("LU", "RW PRISON", 2106290730, "Host ID"),
    "kern.osreldate": ("I", "RD", None, "Kernel release date"),
    "kern.bootfile": ("A", "RW", "/boot/kernel/kernel", "Name of kernel file booted"),
    "kern.boottime": ("S,timeval", "RD", None, "Estimated system boottime"),
    "kern.vm_guest": ("A", "RD", "kvm", "Virtual machine guest detected?"),
    # src: sys/kern/kern_racct.c SYSCTL_BOOL(_kern_racct, OID_AUTO, enable, CTLFLAG_RDTUN, ...):
    # false with options RACCT_DEFAULT_TO_DISABLED, as GENERIC (13.x, 14.x) builds it
    "kern.racct.enable": ("CU", "RDTUN", 0, "Enable RACCT/RCTL"),
    "kern.ipc.maxsockbuf": ("LU", "RW", 2097152, "Maximum socket buffer size"),
    "kern.ipc.somaxconn": ("I", "RW", 4096, "Maximum listen socket pending connection accept queue size"),
    "kern.ipc.shmmax": ("LU", "RW", 8568090624, "Maximum shared memory segment size"),
    "kern.ipc.shmall": ("LU", "RW", 2091819, "Maximum number of pages available for shared memory"),
    "kern.ipc.semmni": ("I", "RDTUN", 50, "Number of semaphore identifiers"),
    "kern.ipc.semmns": ("I", "RDTUN", 340, "Maximum number of semaphores in the system"),
    # src: sys/net/vnet.c FEATURE(vimage, "VIMAGE kernel virtualization"): GENERIC has options
    # VIMAGE since 12.0, so kern.features.vimage is 1 (jail_basic_test.sh list checks it)
    "kern.features.vimage": ("I", "RD", 1, "VIMAGE kernel virtualization"),
    "hw.machine": ("A", "RD", "amd64", "Machine class"),
    "hw.model": ("A", "RD", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "Machine model"),
    "hw.ncpu": ("I", "RD", 4, "Number of active CPUs"),
    "hw.byteorder": ("I", "RD", 1234, "System byte order"),
    "hw.physmem": ("LU", "RD", 8 * GB - 1024 * 1024 * 172, "Amount of physical memory (in bytes)"),
    "hw.usermem": ("LU", "RD", 7 * GB, "Amount of memory (in bytes) which is not wired"),
    "hw.realmem": ("LU", "RD", 8 * GB, "Amount of memory (in bytes) reported by the firmware"),
    "hw.pagesize": ("I", "RD", 4096, "System memory page size"),
    "hw.machine_arch": ("A", "RD", "amd64", "System architecture"),
    "hw.hv_vendor": ("A", "RD", "KVMKVMKVM", "Hypervisor vendor"),
    "vm.stats.vm.v_page_size": ("IU", "RD", 4096, "Page size in bytes"),
    "vm.stats.vm.v_page_count": ("IU", "RD", 2045000, "Total number of pages in system"),
    "vm.stats.vm.v_free_count": ("IU", "RD", 1734000, "Free pages"),
    "vm.stats.vm.v_wire_count": ("IU", "RD", 120000, "Wired pages"),
    "vm.stats.vm.v_active_count": ("IU", "RD", 60000, "Active pages"),
    "vm.stats.vm.v_inactive_count": ("IU", "RD", 131000, "Inactive pages"),
    "vm.stats.vm.v_laundry_count": ("IU", "RD", 0, "Pages eligible for laundering"),
    "vm.swap_total": ("QU", "RD", 2 * GB, "Total amount of available swap storage."),
    "net.inet.ip.forwarding": ("I", "RW", 0, "Enable IP forwarding between interfaces"),
    "net.inet6.ip6.forwarding": ("I", "RW", 0, "Enable forwarding of IPv6 packets between interfaces"),
    "net.inet.tcp.blackhole": ("I", "RW", 0, "Do not send RST on segments to closed ports"),
    "net.inet.udp.blackhole": ("I", "RW", 0, "Do not send port unreachables for refused connects"),
    "security.bsd.see_other_uids": (
        "I",
        "RW",
        1,
        "Unprivileged processes may see subjects/objects with different real uid",
    ),
    "security.bsd.see_other_gids": (
        "I",
        "RW",
        1,
        "Unprivileged processes may see subjects/objects with different real gid",
    ),
    "security.bsd.see_jail_proc": (
        "I",
        "RW",
        1,
        "Unprivileged processes may see subjects/objects with different jail ids",
    ),
    "security.bsd.unprivileged_read_msgbuf": (
        "I",
        "RW",
        1,
        "Unprivileged processes may read the kernel message buffer",
    ),
    "security.bsd.hardlink_check_uid": (
        "I",
        "RW",
        0,
        "Unprivileged processes cannot create hard links to files owned by other users",
    ),
    # sys/kern/kern_jail.c (tests/fixtures/freebsd/BEHAVIOUR.md §6.1)
    "security.jail.jailed": ("I", "RD", 0, "Process in jail?"),
    "security.jail.vnet": ("I", "RD", 0, "Jail owns vnet?"),
    "security.jail.list": ("S,opaque", "RD", None, "List of active jails"),
    "security.jail.jail_max_af_ips": (
        "IU",
        "RW",
        255,
        "Number of IP addresses a jail may have at most per address family (deprecated)",
    ),
    "security.jail.set_hostname_allowed": ("I", "RW", 1, "Processes in jail can set their hostnames (deprecated)"),
    "security.jail.socket_unixiproute_only": (
        "I",
        "RW",
        1,
        "Processes in jail are limited to creating UNIX/IP/route sockets only (deprecated)",
    ),
    "security.jail.sysvipc_allowed": ("I", "RW", 0, "Processes in jail can use System V IPC primitives (deprecated)"),
    "security.jail.allow_raw_sockets": ("I", "RW", 0, "Prison root can create raw sockets (deprecated)"),
    "security.jail.chflags_allowed": ("I", "RW", 0, "Processes in jail can alter system file flags (deprecated)"),
    "security.jail.mount_allowed": (
        "I",
        "RW",
        0,
        "Processes in jail can mount/unmount jail-friendly file systems (deprecated)",
    ),
    "security.jail.mount_devfs_allowed": ("I", "RW", 0, "Jail may mount the devfs file system (deprecated)"),
    "security.jail.mount_fdescfs_allowed": ("I", "RW", 0, "Jail may mount the fdescfs file system (deprecated)"),
    "security.jail.mount_nullfs_allowed": ("I", "RW", 0, "Jail may mount the nullfs file system (deprecated)"),
    "security.jail.mount_procfs_allowed": ("I", "RW", 0, "Jail may mount the procfs file system (deprecated)"),
    "security.jail.mount_tmpfs_allowed": ("I", "RW", 0, "Jail may mount the tmpfs file system (deprecated)"),
    "security.jail.mount_zfs_allowed": ("I", "RW", 0, "Jail may mount the zfs file system (deprecated)"),
    "security.jail.enforce_statfs": (
        "I",
        "RW",
        2,
        "Processes in jail cannot see all mounted file systems (deprecated)",
    ),
    "security.jail.devfs_ruleset": ("I", "RD", 0, "Ruleset for the devfs filesystem in jail (deprecated)"),
    "security.jail.children.max": ("I", "RD", 999999, "Maximum number of child jails"),
    "security.jail.children.cur": ("I", "RD", 0, "Current number of child jails"),
}

# Jail parameters exposed as security.jail.param.* (sysctl -d security.jail.param): format and
# description, in the kernel's declaration order.
# src: sys/kern/kern_jail.c SYSCTL_JAIL_PARAM / SYSCTL_JAIL_PARAM_STRING / SYSCTL_JAIL_PARAM_STRUCT /
# SYSCTL_JAIL_PARAM_SYS_NODE list and prison_add_vfs(); a SYS_NODE ("host", "ip4", "ip6") is a node
# with an empty-named int child, printed "security.jail.param.host." (sys/sys/jail.h), as is
# allow.mount's SYSCTL_JAIL_PARAM(_allow_mount, , ...).  Booleans ("B") and jailsys ("E,jailsys")
# are ints to sysctl(8).
# Values (src: kern_jail.c sysctl_jail_param()): 0 for the int and long ones; for a string
# parameter its maximum length (arg2 of SYSCTL_JAIL_PARAM_STRING, counting the NUL) printed as a
# string, e.g. "security.jail.param.host.hostname: 256" (that is how libjail jailparam_type()
# learns the size of a string parameter); the address lists are opaque structs.
PARAMS = {
    "jid": ("I", "Jail ID"),
    "parent": ("I", "Jail parent ID"),
    "name": ("A", "Jail name"),
    "path": ("A", "Jail root path"),
    "securelevel": ("I", "Jail secure level"),
    "osreldate": ("I", "Jail value for kern.osreldate and uname -K"),
    "osrelease": ("A", "Jail value for kern.osrelease and uname -r"),
    "enforce_statfs": ("I", "Jail cannot see all mounted file systems"),
    "devfs_ruleset": ("I", "Ruleset for in-jail devfs mounts"),
    "persist": ("I", "Jail persistence"),
    "vnet": ("I", "Virtual network stack"),
    "dying": ("I", "Jail is in the process of shutting down"),
    "children.cur": ("I", "Current number of child jails"),
    "children.max": ("I", "Maximum number of child jails"),
    "host.": ("I", "Jail host info"),
    "host.hostname": ("A", "Jail hostname"),
    "host.domainname": ("A", "Jail NIS domainname"),
    "host.hostuuid": ("A", "Jail host UUID"),
    "host.hostid": ("LU", "Jail host ID"),
    "cpuset.id": ("I", "Jail cpuset ID"),
    "ip4.": ("I", "Jail IPv4 address virtualization"),
    "ip4.addr": ("S,in_addr", "Jail IPv4 addresses"),
    "ip4.saddrsel": ("I", "Do (not) use IPv4 source address selection rather than the primary jail IPv4 address."),
    "ip6.": ("I", "Jail IPv6 address virtualization"),
    "ip6.addr": ("S,in6_addr", "Jail IPv6 addresses"),
    "ip6.saddrsel": ("I", "Do (not) use IPv6 source address selection rather than the primary jail IPv6 address."),
    "allow.set_hostname": ("I", "Jail may set hostname"),
    "allow.sysvipc": ("I", "Jail may use SYSV IPC"),
    "allow.raw_sockets": ("I", "Jail may create raw sockets"),
    "allow.chflags": ("I", "Jail may alter system file flags"),
    "allow.quotas": ("I", "Jail may set file quotas"),
    "allow.socket_af": ("I", "Jail may create sockets other than just UNIX/IPv4/IPv6/route"),
    "allow.mlock": ("I", "Jail may lock (unlock) physical pages in memory"),
    "allow.reserved_ports": ("I", "Jail may bind sockets to reserved ports"),
    "allow.read_msgbuf": ("I", "Jail may read the kernel message buffer"),
    "allow.unprivileged_proc_debug": ("I", "Unprivileged processes may use process debugging facilities"),
    "allow.suser": ("I", "Processes in jail with uid 0 have privilege"),
    # 14.x additions: descriptions UNVERIFIED (the 14.x kern_jail.c was not read)
    "allow.nfsd": ("I", "Mountd/nfsd may run in the jail"),
    "allow.extattr": ("I", "Jail may set system-level filesystem extended attributes"),
    "allow.adjtime": ("I", "Jail may adjust system time"),
    "allow.settime": ("I", "Jail may set system time"),
    "allow.mount.": ("I", "Jail may mount/unmount jail-friendly file systems in general"),
    # sys/kern/sysv_{msg,sem,shm}.c SYSCTL_JAIL_PARAM_SYS_NODE (GENERIC has options SYSV*);
    # descriptions UNVERIFIED
    "sysvmsg.": ("I", "SYSV message queues"),
    "sysvsem.": ("I", "SYSV semaphores"),
    "sysvshm.": ("I", "SYSV shared memory"),
}
# prison_add_vfs(): "Jail may mount the %s file system" for each jail-friendly file system in the
# kernel (the simulated kernel's set: simfbsd/jails.py ALLOW; modules loaded later are not listed)
for _fs in ("devfs", "nullfs", "zfs", "procfs", "tmpfs", "fdescfs"):
    PARAMS[f"allow.mount.{_fs}"] = ("I", f"Jail may mount the {_fs} file system")


def _param_default(name, typ):
    from .jails import STRLEN  # the kernel's string sizes, one table

    if typ == "A":
        return str(STRLEN[name])
    return 0 if typ in ("I", "LU") else ""


for _p, (_t, _d) in PARAMS.items():
    MIB[f"security.jail.param.{_p}"] = (_t, "RD PARAM", _param_default(_p, _t), _d)
