"""echo, printf and test/[ are one implementation (emu.sh.coreutils) behind both the ash
builtins and the applets, as in busybox, where ash calls the applets' code. The goldens pin
the common cases; these pin that the two faces agree everywhere else and the busybox rules
(coreutils/printf.c, echo.c, libbb's escapes) that no golden reaches."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "utils_golden"))

from bbharness import SCRATCH, image, run, setup

from emu.fs import FS
from emu.sh import coreutils
from emu.sh.api import Identity
from emu.sh.interp import run_script


def _fs() -> FS:
    fs = image()
    setup(fs, SCRATCH, {"f": "x\n", "d/": None, "l": {"symlink": "f"}}, 0)
    return fs


def _builtin(argv: list[str]) -> tuple[int, bytes, str]:
    script = " ".join(shlex.quote(a) for a in argv)
    r = run_script(script, fs=_fs(), env={}, cwd=SCRATCH, ident=Identity())
    return r.status, r.stdout, r.stderr.decode().replace("sh: ", "")


def _applet(argv: list[str]) -> tuple[int, bytes, str]:
    r = run(_fs(), argv)
    return r.status, r.stdout, r.stderr.decode().replace(f"{argv[0]}: ", "")


CASES = [
    ["echo", "-e", "a\\tb\\0101\\x41\\400\\08\\z\\"],
    ["echo", "-n", "-e", "x\\cy", "z"],
    ["echo", "-", "--", "-nx", "é"],
    ["printf", "%s|%5s|%-3s|%.1s\\n", "é", "é", "a", "é"],
    ["printf", "%d %i %u %x %X %o %#o %#x %#x\\n", "+7", " -7", "-1", "255", "255", "8", "8", "0"],
    ["printf", "%d|%d|%d|%d\\n", "7 ", "0x", "08", "99999999999999999999"],
    ["printf", "%.2f %e %g %f %f\\n", "3.14159", "1234.5", "0.0001", "0x1F", ""],
    ["printf", "[%*d][%.*s][%*s]\\n", "-4", "7", "2", "abc", "x", "y"],
    ["printf", "%c|%5c|%b|%%\\n", "", "", "a\\0101\\cb"],
    ["printf", "a\\0101\\400\\x4g\\q\\"],
    ["printf", "%a", "1"],
    ["printf", "%5b %q", "x"],
    ["printf", "%d\\n", "'A", "'", '"'],
    ["printf", "%s %s\\n", "a", "b", "c"],
    ["test", "1", "-lt"],
    ["test", "a", "b"],
    ["[", "!", "-e", "nope", "]"],
    ["[", "-d", "d/", "-a", "-f", "f/", "]"],
    ["[[", "ab", "==", "a*", "&&", "-L", "l", "]]"],
    ["[[", "x"],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a))
def test_builtin_and_applet_agree(argv: list[str]) -> None:
    assert _builtin(argv) == _applet(argv)


@pytest.mark.parametrize(
    ("argv", "status", "out", "err"),
    [
        # libbb's escapes: three octal digits while the value fits a byte, \0NNN in echo.
        (["echo", "-e", "\\400|\\0101|\\08|\\z|\\"], 0, b" 0|A|\x008|\\z|\\\n", ""),
        (["echo", "-e", "\\351"], 0, b"\xe9\n", ""),  # a byte, not the letter
        (["echo", "é"], 0, "é\n".encode(), ""),  # text stays UTF-8
        # printf's format reads plain escapes: \0101 is \010 then "1".
        (["printf", "\\0101"], 0, b"\x081", ""),
        (["printf", "%#o %#x %#x", "8", "0", "255"], 0, b"010 0 0xff", ""),
        (["printf", "%d", "7 "], 1, b"0", "invalid number '7 '\n"),
        (["printf", "%d|%x", "' ", "-2"], 0, b"32|fffffffffffffffe", ""),
        (["printf", "%f|%f", "", "0x10"], 0, b"0.000000|16.000000", ""),
        (["printf", "%c", ""], 0, b"\0", ""),
        (["printf", "%5s|", "é"], 0, b"   \xc3\xa9|", ""),
        (["printf", "%a|", "1"], 1, b"", "%a|: invalid format\n"),
        (["printf", "%-+5d", "1"], 1, b"", "%-+5d: invalid format\n"),
        # a bad * operand is reported but only a conversion's error sets the status
        (["printf", "[%*s]", "x", "y"], 0, b"[y]", "invalid number 'x'\n"),
        (["printf", "%d"], 1, b"0", "invalid number ''\n"),
    ],
)
def test_busybox_rules(argv: list[str], status: int, out: bytes, err: str) -> None:
    assert _builtin(argv) == (status, out, err)


def test_without_a_format_each_face_says_so_its_own_way() -> None:
    assert _builtin(["printf", "--"]) == (2, b"", "usage: printf FORMAT [ARGUMENT...]\n")
    status, out, err = _applet(["printf"])
    assert (status, out) == (1, b"") and "Usage: printf FORMAT" in err


def test_escape_leaves_what_is_not_one() -> None:
    assert coreutils.escape(b"xg", 0) == (0x5C, 0)  # "\x" without a digit: the backslash
    assert coreutils.escape(b"z", 0) == (0x5C, 0)
    assert coreutils.escape(b"", 0) == (0x5C, 0)
    assert coreutils.escape(b"x414", 0) == (0x41, 3)
    assert coreutils.escape(b"7777", 0) == (0o77, 2)  # 0o777 would not fit a byte
    assert coreutils.escape(b"e", 0) == (0x1B, 1)
