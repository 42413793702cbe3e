"""getopt(3) as FreeBSD's libc does it: the one option parser of every simulated tool.

src: lib/libc/stdlib/getopt.c: options may be grouped (``-nq``), an option's
argument is the rest of the word or the next word, parsing stops at the first
operand or after ``--`` (not GNU's permutation), and a lone ``-`` is an operand.
With opterr set it complains ``prog: illegal option -- x`` or ``prog: option
requires an argument -- x`` and the tool's ``case '?'`` prints its usage.
sh(1)'s getopts builtin, which the tools that are shell scripts in FreeBSD use
(service, sysrc, freebsd-version), parses the same way and words its complaints
``Illegal option -x`` / ``No arg for -x option`` (bin/sh/options.c getopts()).

Tools call ``parse(ctx, argv, optstring)``; ``getopt()`` is the parser itself.
Not getopt(3): make(1) (bmake's own MainParseArgs(), which rescans after each
target: "Can't actually use getopt(3) because rescanning is not portable").
"""


class OptError(Exception):
    """An unknown option (``missing`` False) or an option whose argument is missing."""

    def __init__(self, char, missing):
        super().__init__(char)
        self.char = char
        self.missing = missing

    def bsd_message(self):
        """The complaint getopt(3) prints after ``prog: ``."""
        return f"option requires an argument -- {self.char}" if self.missing else f"illegal option -- {self.char}"

    def sh_message(self):
        """The complaint of sh(1)'s getopts (src: bin/sh/options.c getopts()): no program name."""
        return f"No arg for -{self.char} option" if self.missing else f"Illegal option -{self.char}"


def getopt(argv, optstring, keep_unknown=False):
    """([(letter, argument or None)], operands); raises OptError unless ``keep_unknown``.

    With ``keep_unknown`` an unknown letter, or a missing argument, is kept with None:
    what the daemons' flag parsers want, since a flag they don't model is not an error.
    """
    opts, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("-") or a == "-":
            break
        j = 1
        while j < len(a):
            c = a[j]
            k = optstring.find(c)
            if c == ":" or k < 0:
                if not keep_unknown:
                    raise OptError(c, missing=False)
                opts.append((c, None))
                j += 1
                continue
            if optstring[k + 1 : k + 2] == ":":
                if j + 1 < len(a):
                    opts.append((c, a[j + 1 :]))
                elif i + 1 < len(argv):
                    i += 1
                    opts.append((c, argv[i]))
                elif keep_unknown:
                    opts.append((c, None))
                else:
                    raise OptError(c, missing=True)
                break
            opts.append((c, None))
            j += 1
        i += 1
    return opts, argv[i:]


def parse(ctx, argv, optstring, sh=False):
    """getopt(3) as a tool's main() runs it, opterr set: ``(opts, operands)``, or None once the
    complaint is on stderr (``sh``: the words of sh(1)'s getopts); the caller then does what its
    FreeBSD source does on ``'?'`` (usually usage())."""
    try:
        return getopt(argv, optstring)
    except OptError as exc:
        if sh:
            ctx.err.write(exc.sh_message() + "\n")
        else:
            ctx.warnx(exc.bsd_message())  # src: lib/libc/stdlib/getopt.c (opterr)
        return None
