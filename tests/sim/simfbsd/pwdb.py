"""getpwnam(3)/getpwuid(3)/getgrnam(3)/getgrgid(3) of a FreeBSD root, read from its text files.

The one place the simulator looks up users and groups: jail(8) exec.jail_user/exec.system_user,
jexec(8) -u/-U/-l, devfs(8) rule user/group, sockstat(1) -n.  Each caller says whose files to read
(the host's ``/`` or a jail's path), as on FreeBSD where the lookup runs in that root.

On FreeBSD getpwnam(3) reads /etc/pwd.db, which pwd_mkdb(8) builds from /etc/master.passwd together
with /etc/passwd (the same entries in Version 7 format, password field ``*``); the simulator reads
/etc/passwd itself, so no .db files are needed.  Formats (passwd(5), group(5)):
  passwd  name:password:uid:gid:gecos:home_dir:shell
  group   group:password:gid:member,member,...
Lines whose first non-blank character is ``#``, and blank lines, are ignored (passwd(5)).
The first entry of a name (or id) wins.

The box's /etc/passwd, /etc/master.passwd and /etc/group are FreeBSD's (data/root/etc/, from
freebsd-src etc/master.passwd and etc/group), so names such as ``wheel`` (gid 0), ``operator`` (gid 5)
and ``www`` (uid 80) resolve as on a FreeBSD host, for these tools and for the Debian programs
running in the box (chown, Ansible's modules) alike.
"""

import os


def _entries(root, fname, nfields):
    try:
        with open(os.path.join(root or "/", "etc", fname), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(":")
        if len(fields) != nfields or not fields[2].isdigit():
            continue  # not an entry getpwent(3)/getgrent(3) would return
        out.append(fields)
    return out


def passwd(root):
    """Every entry of ``root``/etc/passwd: [name, password, uid, gid, gecos, home, shell] (strings)."""
    return _entries(root, "passwd", 7)


def group(root):
    """Every entry of ``root``/etc/group: [name, password, gid, members] (strings)."""
    return _entries(root, "group", 4)


def getpwnam(root, name):
    return next((e for e in passwd(root) if e[0] == name), None)


def getpwuid(root, uid):
    return next((e for e in passwd(root) if int(e[2]) == int(uid)), None)


def getgrnam(root, name):
    return next((e for e in group(root) if e[0] == name), None)


def getgrgid(root, gid):
    return next((e for e in group(root) if int(e[2]) == int(gid)), None)
