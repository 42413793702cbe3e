"""fetch(1) of http:// URLs, answered by the simulated daemons' listening sockets.

Listening sockets are records in the kernel state (kernel.spawn), not real sockets: a GET to
ADDR:PORT is answered by the process whose socket is bound to ADDR (or the wildcard) on PORT, when
that process is an HTTP server the simulator models (the ``nginx`` package, rcd/nginx.py, daemons/nginx.py): the
file under its ``root`` directive (default /usr/local/www/nginx), ``index.html`` for a directory.
src: usr.bin/fetch/fetch.c main() / fetch(), fetch.1:
  * ``fetch [-qv] [-o file] URL``; ``-o -`` writes to stdout; without -o the file is the URL's
    last path component (``index.html`` for ``/``... here: ``fetch.out``) in the current directory.
  * errors: ``fetch: URL: Connection refused`` (no listener), ``fetch: URL: Not Found`` (404),
    exit 1 (fetch.c: ``warnx("%s: %s", URL, fetchLastErrString)``, r = 1).
"""

import os
import re
import urllib.parse

from .. import bsdgetopt, kernel, kstate

USAGE = "usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [-i file] [-N file] [-o file] [-S bytes]\n"


def _docroot(root):
    try:
        with open(os.path.join(root, "usr/local/etc/nginx/nginx.conf"), encoding="utf-8") as f:
            m = re.search(r"(?m)^\s*root\s+([^;\s]+)\s*;", re.sub(r"#[^\n]*", "", f.read()))
    except OSError:
        m = None
    return m.group(1) if m else "/usr/local/www/nginx"


def main(ctx, argv):
    opts, args = bsdgetopt.parse(ctx, argv, "146AadFlMmnPpqRrsUvB:i:N:o:S:T:") or (None, None)
    if opts is None:
        ctx.err.write(USAGE)
        return 1
    o = {f"-{k}": v for k, v in opts}
    if len(args) != 1:
        ctx.err.write(USAGE)
        return 1
    url = args[0]
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        ctx.warnx(f"{url}: Invalid URL")
        return 1
    port = u.port or 80
    state = kernel.read_state()
    sock = kstate.listener(state, u.hostname, port)
    proc = sock[0] if sock else None
    if proc is None or proc["command"] != "nginx":
        ctx.warnx(f"{url}: Connection refused")
        return 1
    jail = kstate.jail(state, proc["jid"]) if proc["jid"] else None
    sysroot = jail["path"] if jail else "/"
    docroot = os.path.join(sysroot, _docroot(sysroot).lstrip("/"))
    path = os.path.normpath("/" + urllib.parse.unquote(u.path or "/")).lstrip("/")
    target = os.path.join(docroot, path)
    if os.path.isdir(target):
        target = os.path.join(target, "index.html")
    try:
        with open(target, "rb") as f:
            body = f.read()
    except OSError:
        ctx.warnx(f"{url}: Not Found")
        return 1
    out = o.get("-o") or (os.path.basename(u.path) or "fetch.out")
    if out == "-":
        ctx.out.flush()
        ctx.out.buffer.write(body) if hasattr(ctx.out, "buffer") else ctx.out.write(body.decode())
        return 0
    with open(ctx.path(out) if out.startswith("/") else out, "wb") as f:
        f.write(body)
    return 0
