"""getopt(3) as the simulated tools share it (lib/libc/stdlib/getopt.c)."""

import pytest
from simfbsd import bsdgetopt


def test_grouped_attached_and_detached_arguments():
    opts, rest = bsdgetopt.getopt(["-nq", "-jweb", "-f", "/etc/jail.conf", "name"], "f:j:nq")
    assert opts == [("n", None), ("q", None), ("j", "web"), ("f", "/etc/jail.conf")]
    assert rest == ["name"]


def test_stops_at_first_operand_double_dash_and_lone_dash():
    assert bsdgetopt.getopt(["-n", "x", "-q"], "nq") == ([("n", None)], ["x", "-q"])
    assert bsdgetopt.getopt(["-n", "--", "-q"], "nq") == ([("n", None)], ["-q"])
    assert bsdgetopt.getopt(["-", "-q"], "nq") == ([], ["-", "-q"])


def test_errors_carry_getopt_messages():
    with pytest.raises(bsdgetopt.OptError) as exc:
        bsdgetopt.getopt(["-x"], "nq")
    assert exc.value.bsd_message() == "illegal option -- x"
    with pytest.raises(bsdgetopt.OptError) as exc:
        bsdgetopt.getopt(["-j"], "j:")
    assert exc.value.bsd_message() == "option requires an argument -- j"
    with pytest.raises(bsdgetopt.OptError):
        bsdgetopt.getopt(["-:"], "j:")


def test_keep_unknown_for_daemon_flags():
    assert bsdgetopt.getopt(["-wW", "-Z", "-a"], "wWa:", keep_unknown=True) == (
        [("w", None), ("W", None), ("Z", None), ("a", None)],
        [],
    )


def test_sh_getopts_words():
    # src: bin/sh/options.c getopts(): out2fmt_flush("Illegal option -%c\n") / ("No arg for -%c option\n")
    assert bsdgetopt.OptError("x", missing=False).sh_message() == "Illegal option -x"
    assert bsdgetopt.OptError("f", missing=True).sh_message() == "No arg for -f option"


class _Ctx:
    prog = "tool"

    def __init__(self):
        import io

        self.err = io.StringIO()

    def warnx(self, msg):
        self.err.write(f"{self.prog}: {msg}\n")


def test_parse_complains_once_and_returns_none():
    ctx = _Ctx()
    assert bsdgetopt.parse(ctx, ["-a", "x"], "a") == ([("a", None)], ["x"])
    assert ctx.err.getvalue() == ""
    assert bsdgetopt.parse(ctx, ["-z"], "a") is None
    assert ctx.err.getvalue() == "tool: illegal option -- z\n"
    ctx = _Ctx()
    assert bsdgetopt.parse(ctx, ["-f"], "f:", sh=True) is None
    assert ctx.err.getvalue() == "No arg for -f option\n"


LONGS = {"jail": ("j", True), "yes": ("y", False), "quiet": ("q", False), "quit": ("Q", False)}


def test_getopt_long_names_abbreviations_and_no_permutation():
    # src: lib/libc/stdlib/getopt_long.c parse_long_options(); pkg(8) sets POSIXLY_CORRECT: no permutation
    assert bsdgetopt.getopt_long(["--jail=w", "--yes", "-jx", "install", "-y"], "j:yqQ", LONGS) == (
        [("j", "w"), ("y", None), ("j", "x")],
        ["install", "-y"],
    )
    assert bsdgetopt.getopt_long(["--jail", "w", "--ye", "--", "-q"], "j:yqQ", LONGS) == (
        [("j", "w"), ("y", None)],
        ["-q"],
    )
    assert bsdgetopt.getopt_long(["-jj", "x"], "j:yqQ", LONGS) == ([("j", "j")], ["x"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-z"], "unknown option -- z"),
        (["--nope"], "unknown option -- nope"),
        (["--qui"], "ambiguous option -- qui"),
        (["--jail"], "option requires an argument -- jail"),
        (["-j"], "option requires an argument -- j"),
        (["--yes=1"], "option doesn't take an argument -- yes"),
    ],
)
def test_getopt_long_messages(argv, message):
    with pytest.raises(bsdgetopt.OptError) as exc:
        bsdgetopt.getopt_long(argv, "j:yqQ", LONGS)
    assert exc.value.bsd_message() == message
