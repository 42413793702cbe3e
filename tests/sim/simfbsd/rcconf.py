"""rc.conf(5) files as rc.subr(8) reads them: sh(1) variable assignments.

``load(root)`` sources /etc/defaults/rc.conf and then every file of its
``rc_conf_files`` (default ``/etc/rc.conf /etc/rc.conf.local``), later
assignments winning, as ``load_rc_config`` does.  Only the sh subset that
rc.conf files use is understood: ``name=value`` with single, double or no
quotes, ``#`` comments, ``${var}``/``$var`` expansion inside double quotes
and bare words, and several assignments per line separated by ``;``.
"""

import os
import re

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _expand(text, env):
    def sub(m):
        return env.get(m.group(1) or m.group(2), "")

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, text)


def parse_assignments(text, env=None):
    """Yield (name, value) for each assignment in ``text``, expanding against ``env`` as it goes."""
    env = {} if env is None else env
    for raw in text.splitlines():
        line = raw.strip()
        i = 0
        while i < len(line):
            while i < len(line) and line[i] in " \t;":
                i += 1
            if i >= len(line) or line[i] == "#":
                break
            m = NAME.match(line, i)
            if not m or m.end() >= len(line) or line[m.end()] != "=":
                break  # not an assignment (a command, e.g. in a sourced script): ignored
            name = m.group(0)
            i = m.end() + 1
            value = []
            while i < len(line) and line[i] not in " \t;":
                c = line[i]
                if c == "'":
                    j = line.find("'", i + 1)
                    j = len(line) if j < 0 else j
                    value.append(line[i + 1 : j])
                    i = j + 1
                elif c == '"':
                    j = i + 1
                    buf = []
                    while j < len(line) and line[j] != '"':
                        if line[j] == "\\" and j + 1 < len(line) and line[j + 1] in '"\\$`':
                            buf.append(line[j + 1])
                            j += 2
                            continue
                        buf.append(line[j])
                        j += 1
                    value.append(_expand("".join(buf), env))
                    i = j + 1
                elif c == "#" and not value:
                    break
                else:
                    j = i
                    while j < len(line) and line[j] not in " \t;'\"":
                        j += 1
                    value.append(_expand(line[i:j], env))
                    i = j
            env[name] = "".join(value)
            yield name, env[name]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return ""


def load(root="/", extra_files=()):
    """Effective rc.conf variables of the system whose root is ``root``."""
    env = {}

    def src(path):
        for _assignment in parse_assignments(read(os.path.join(root, path.lstrip("/"))), env):
            pass

    src("/etc/defaults/rc.conf")
    files = env.get("rc_conf_files", "/etc/rc.conf /etc/rc.conf.local").split()
    for f in files:
        src(f)
    for f in extra_files:
        src(f)
    return env


def yes(value):
    """checkyesno(): YES/TRUE/ON/1 in any case."""
    return (value or "").strip().upper() in ("YES", "TRUE", "ON", "1")
