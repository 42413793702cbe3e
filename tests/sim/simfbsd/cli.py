"""simhost command line."""

import argparse
import json
import os
import sys
import time

from . import box

USAGE_EPILOG = """commands:
  create NAME [--ip ADDR] [--ip6 ADDR] [--release R] [--dist R]... [--with-src] [--with-named] [--no-ssh]
  run NAME -- CMD...             run CMD inside the box (as root, FreeBSD PATH)
  ssh NAME [-- CMD...]           the same through the box's transport sshd (real SSH)
  inventory NAME... [--group G] [--ssh] [--ini]
                                 Ansible inventory for these boxes (local or ssh connection)
  reboot NAME                    clear kernel state and boot again (rc.conf)
  connect NAME ADDR PORT [--proto tcp|udp] [--from-jail JAIL]
                                 where a connection from outside to ADDR:PORT ends (pf rdr, sockets),
                                 or, with --from-jail, whether JAIL reaches ADDR:PORT outside (pf nat);
                                 JSON on stdout, exit 0 when it got through, 1 when not
  fault NAME TOOL [--match RE] [--times N] [--rc N] [--stderr TEXT]
  stats NAME [--reset] [--json]  tool calls and files written since the last reset
  destroy NAME... | --all
  list
"""


def _yaml(data, indent=0):
    """Tiny YAML emitter for the inventory (keeps simhost free of third-party imports)."""
    pad = "  " * indent
    out = []
    for k, v in data.items():
        if isinstance(v, dict):
            out.append(f"{pad}{k}:" + ("" if v else " {}"))
            if v:
                out.append(_yaml(v, indent + 1))
        else:
            out.append(f"{pad}{k}: {json.dumps(v)}")
    return "\n".join(out)


def _ini(inv):
    """The same inventory in Ansible's INI format (values as JSON-ish literals, quoted when needed)."""
    top = inv["all"]
    group, hosts = (
        ("all", top["hosts"]) if "hosts" in top else next((g, v["hosts"]) for g, v in top["children"].items())
    )
    lines = [f"[{group}]"] if group != "all" else []
    for n, hv in hosts.items():
        lines.append(" ".join([n, *(f"{k}={_ini_value(v)}" for k, v in hv.items())]))
    return "\n".join(lines)


def _ini_value(v):
    v = str(v)
    return json.dumps(v) if any(c in v for c in " \"'=#;") else v


def main(argv):
    p = argparse.ArgumentParser(prog="simhost", description="Simulated FreeBSD hosts.", epilog=USAGE_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create")
    c.add_argument("name")
    c.add_argument("--ip", default="192.0.2.10")
    c.add_argument("--ip6")
    c.add_argument("--release", default="14.3-RELEASE")
    c.add_argument("--with-src", action="store_true")
    c.add_argument("--with-named", action="store_true")
    c.add_argument("--dist", action="append", default=[], metavar="RELEASE",
                   help="also a release's base.txz and MANIFEST in /usr/freebsd-dist/RELEASE/")  # fmt: skip
    c.add_argument("--no-ssh", action="store_true", help="no transport sshd (local connection only)")
    r = sub.add_parser("run")
    r.add_argument("name")
    r.add_argument("command", nargs=argparse.REMAINDER)
    i = sub.add_parser("inventory")
    i.add_argument("names", nargs="+")
    i.add_argument("--group")
    i.add_argument("--ssh", action="store_true", help="reach the hosts over SSH (their transport sshd)")
    i.add_argument("--ini", action="store_true", help="INI format instead of YAML")
    sh = sub.add_parser("ssh")
    sh.add_argument("name")
    sh.add_argument("command", nargs=argparse.REMAINDER)
    rb = sub.add_parser("reboot")
    rb.add_argument("name")
    cn = sub.add_parser("connect")
    cn.add_argument("name")
    cn.add_argument("addr")
    cn.add_argument("port", type=int)
    cn.add_argument("--proto", choices=("tcp", "udp"), default="tcp")
    cn.add_argument("--from-jail")
    f = sub.add_parser("fault")
    f.add_argument("name")
    f.add_argument("tool")
    f.add_argument("--match")
    f.add_argument("--times", type=int, default=1)
    f.add_argument("--rc", type=int, default=1)
    f.add_argument("--stderr")
    s = sub.add_parser("stats")
    s.add_argument("name")
    s.add_argument("--reset", action="store_true")
    s.add_argument("--json", action="store_true")
    d = sub.add_parser("destroy")
    d.add_argument("names", nargs="*")
    d.add_argument("--all", action="store_true")
    sub.add_parser("list")
    a = p.parse_args(argv)
    try:
        if a.cmd == "create":
            t0 = time.time()
            wrapper = box.create(a.name, a.ip, a.ip6, a.release, a.with_src, a.with_named, not a.no_ssh, a.dist)
            print(f"created {a.name} ({a.ip}, FreeBSD {a.release}) in {time.time() - t0:.2f}s", file=sys.stderr)
            print(wrapper)
        elif a.cmd == "run":
            cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
            if not cmd:
                p.error("run: no command")
            return box.run(a.name, cmd).returncode
        elif a.cmd == "ssh":
            cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
            argv = box.ssh_argv(a.name, cmd)
            if not cmd:
                argv = [argv[0], "-t", *argv[1:-2]] if sys.stdin.isatty() else argv[:-2]  # a login shell
            os.execv(argv[0], argv)
        elif a.cmd == "inventory":
            inv = box.inventory(a.names, a.group, a.ssh)
            print(_ini(inv) if a.ini else _yaml(inv))
        elif a.cmd == "reboot":
            sys.stdout.write(box.reboot(a.name))
        elif a.cmd == "connect":
            cp = box.connect(a.name, a.addr, a.port, a.proto, a.from_jail)
            sys.stdout.write(cp.stdout)
            sys.stderr.write(cp.stderr)
            return cp.returncode
        elif a.cmd == "fault":
            box.add_fault(a.name, a.tool, a.match, a.times, a.rc, a.stderr)
        elif a.cmd == "stats":
            st = box.stats(a.name)
            if a.json:
                print(json.dumps(st, indent=1))
            else:
                print(f"calls: {st['calls_total']}")
                for tool, n in st["calls"].items():
                    print(f"  {tool}: {n}")
                print(f"writes: {st['writes']}")
                for w in st["written"]:
                    print(f"  {w}")
            if a.reset:
                box.reset_stats(a.name)
        elif a.cmd == "destroy":
            targets = box.names() if a.all else a.names
            for n in targets:
                box.destroy(n)
        elif a.cmd == "list":
            for n in box.names():
                state = "running" if box.holder_pid(n) else "stopped"
                cfg = box.config(n)
                print(f"{n}\t{cfg['ip']}\t{cfg['release']}\t{state}\t{os.path.join(box.boxdir(n), 'python')}")
    except box.SimError as exc:
        print(f"simhost: {exc}", file=sys.stderr)
        return 1
    return 0
