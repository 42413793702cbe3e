"""getopt(3) as FreeBSD's libc does it: the one option parser of every simulated tool.

src: lib/libc/stdlib/getopt.c: options may be grouped (``-nq``), an option's
argument is the rest of the word or the next word, parsing stops at the first
operand or after ``--`` (not GNU's permutation), and a lone ``-`` is an operand.
With opterr set it complains ``prog: illegal option -- x`` or ``prog: option
requires an argument -- x`` and the tool's ``case '?'`` prints its usage.
sh(1)'s getopts builtin, which the tools that are shell scripts in FreeBSD use
(service, sysrc, freebsd-version), parses the same way and words its complaints
``Illegal option -x`` / ``No arg for -x option`` (bin/sh/options.c getopts()).

Tools call ``parse(ctx, argv, optstring)``; ``getopt()`` is the parser itself.  Tools that
call getopt_long(3) (lib/libc/stdlib/getopt_long.c) pass ``longopts`` too: ``--name``,
``--name=value`` and unambiguous abbreviations of a name; its complaints are
``unknown option -- x``, ``option requires an argument -- name``, ``option doesn't take an
argument -- name`` and ``ambiguous option -- name``.  Only without permutation (an optstring
starting with ``+`` or POSIXLY_CORRECT set, as pkg(8) does): parsing stops at the first operand.
Not getopt(3): make(1) (bmake's own MainParseArgs(), which rescans after each
target: "Can't actually use getopt(3) because rescanning is not portable").
"""


class OptError(Exception):
    """An unknown option (``missing`` False) or an option whose argument is missing."""

    def __init__(self, char, missing, text=None):
        super().__init__(char)
        self.char = char
        self.missing = missing
        self.text = text

    def bsd_message(self):
        """The complaint getopt(3) (or getopt_long(3): ``text``) prints after ``prog: ``."""
        if self.text:
            return self.text
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
        i = _word(argv, i, optstring, keep_unknown, opts)
    return opts, argv[i:]


def _word(argv, i, optstring, keep_unknown, opts):
    """The letters of the option word ``argv[i]`` (getopt.c's ``place``): the index after it."""
    a = argv[i]
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
    return i + 1


def getopt_long(argv, optstring, longopts):
    """getopt_long(3) without permutation: ``longopts`` maps a long name to ``(letter, takes_arg)``.

    src: lib/libc/stdlib/getopt_long.c parse_long_options() (exact match first, else the one
    name the word abbreviates; ``--name=value`` or the next word) and getopt_internal() (a
    short option unknown to optstring is ``unknown option -- x``, not getopt(3)'s wording).
    """
    opts, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--" or not a.startswith("-") or a == "-":
            i += a == "--"
            break
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            hits = [n for n in longopts if n.startswith(name)]
            hits = [name] if name in longopts else hits
            if len(hits) != 1:
                text = f"ambiguous option -- {name}" if hits else f"unknown option -- {name}"
                raise OptError(name, missing=False, text=text)
            letter, takes = longopts[hits[0]]
            if not takes and eq:
                raise OptError(letter, missing=False, text=f"option doesn't take an argument -- {name}")
            if takes and not eq:
                if i + 1 >= len(argv):
                    raise OptError(letter, missing=True, text=f"option requires an argument -- {name}")
                i += 1
                value = argv[i]
            opts.append((letter, value if takes else None))
            i += 1
            continue
        try:
            i = _word(argv, i, optstring, False, opts)
        except OptError as exc:
            if exc.missing:
                raise
            raise OptError(exc.char, missing=False, text=f"unknown option -- {exc.char}") from None
    return opts, argv[i:]


def parse(ctx, argv, optstring, sh=False, longopts=None):
    """getopt(3) as a tool's main() runs it, opterr set: ``(opts, operands)``, or None once the
    complaint is on stderr (``sh``: the words of sh(1)'s getopts); the caller then does what its
    FreeBSD source does on ``'?'`` (usually usage())."""
    try:
        if longopts is not None:
            return getopt_long(argv, optstring, longopts)
        return getopt(argv, optstring)
    except OptError as exc:
        if sh:
            ctx.err.write(exc.sh_message() + "\n")
        else:
            ctx.warnx(exc.bsd_message())  # src: lib/libc/stdlib/getopt.c (opterr)
        return None
