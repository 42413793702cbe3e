"""getopt(3) as FreeBSD's libc does it, for the simulated tools that need its exact behaviour.

src: lib/libc/stdlib/getopt.c: options may be grouped (``-nq``), an option's
argument is the rest of the word or the next word, parsing stops at the first
operand or after ``--``, and a lone ``-`` is an operand.
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
