"""simfbsd: simulated FreeBSD 14.x hosts, the test oracle of bsd.jails.

This package never imports anything from the collection (plugins/): every
parser and format here is written from the FreeBSD manuals and fact sheet in
tests/fixtures/freebsd/ (BEHAVIOUR.md there) or, where they are silent, from
FreeBSD's source (freebsd/freebsd-src), cited where it is used.

Layout:
  box.py      host side: create/destroy boxes, the holder process, entering a box
  holder.py   runs in the box's new mount+UTS namespace and keeps it alive
  kernel.py   the box's kernel state (one JSON file under a lock)
  tool.py     entry point of every FreeBSD tool shim inside a box
  tools/      one module per FreeBSD command (sysctl, jail, jls, ...)
  data/       FreeBSD files installed into every box (/etc/defaults/rc.conf, ...)
"""
