"""The shell's answers to hostile scripts, in process and quick (the subprocess corpus in
tests/hostile checks the same under a memory cap): string data stops on max_bytes, an
endless writer gives a reader what it asks for, mkdir -p is linear, bad option arguments
are busybox's messages, and backtracking-prone regexes and patterns end at once."""

from __future__ import annotations

import time

import pytest

import emu.sh.utils  # noqa: F401  (registers the utilities)
from emu.errors import LimitExceeded
from emu.fs import FS, Meta
from emu.sh.api import REGISTRY, Identity, Limits
from emu.sh.interp import RunResult, run_script
from emu.sh.options import Die, number

MIB = 1 << 20


def sh(script: str, *, max_bytes: int = 8 * MIB, seconds: float = 20.0) -> RunResult:
    fs = FS()
    for d in ("/bin", "/tmp"):
        fs.makedirs(d)
    for name in ["sh", *REGISTRY.names()]:
        if "/" not in name:
            fs.write_file(f"/bin/{name}", b"\x7fELF", Meta(0o755))
    limits = Limits(
        max_bytes=max_bytes,
        max_output=MIB,
        deadline=time.monotonic() + seconds,
        max_seconds=seconds,
    )
    return run_script(script, fs=fs, env={"PATH": "/bin"}, cwd="/", ident=Identity(), limits=limits)


@pytest.mark.parametrize(
    "script",
    [
        "x=aaaaaaaa; while :; do x=$x$x; done",
        'set -- a; while :; do set -- "$@" "$@"; done',
        "awk 'BEGIN { s = \"aaaaaaaa\"; while (1) s = s s }'",
        "yes | sed -n 'H; x; p; x'",
        "printf '%0999999999999d' 1",
        "awk 'BEGIN { printf \"%.999999999999d\", 1 }'",
        "yes | head -c 100000000000 > /big",
        "yes | head -n 100000000000 > /big",
    ],
)
def test_string_growth_stops_on_max_bytes(script: str) -> None:
    with pytest.raises(LimitExceeded) as caught:
        sh(script)
    assert caught.value.limit == "max_bytes"


def test_an_endless_writer_gives_what_is_asked() -> None:
    result = sh("yes ab | head -c 7; yes | head -n 3; yes | head -c 3000000 | wc -c")
    assert result.stdout == b"ab\nab\na" + b"y\ny\ny\n" + b"3000000\n"
    assert sh("yes | head -n 2 | head -c 3").stdout == b"y\ny"


def test_mkdir_p_is_linear_and_keeps_its_modes() -> None:
    deep = "/d/" + "a/" * 20000
    started = time.monotonic()
    result = sh(f"mkdir -p {deep} && echo made")
    assert result.stdout == b"made\n", result.stderr
    assert time.monotonic() - started < 20
    out = sh("umask 027; mkdir -p /x/y/z && mkdir /s && chmod g+s /s && mkdir -p -m 700 /s/t/u"
             " && ls -ld /x/y /x/y/z /s/t /s/t/u").stdout.decode()  # fmt: skip
    modes = {line.split()[-1]: line.split()[0] for line in out.splitlines()}
    # As the component-by-component path did it (checked against it): u+wx kept on the way,
    # the setgid bit passed down, -m's chmod(2) on the last one only.
    assert modes == {
        "/x/y": "drwxr-x---",
        "/x/y/z": "drwxr-x---",
        "/s/t": "drwxr-s---",
        "/s/t/u": "drwx------",
    }, out


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo a | grep -m x a", b"grep: invalid number 'x'"),
        ("du -d x /", b"du: invalid number 'x'"),
        ("echo a | xargs -n x echo", b"xargs: invalid number 'x'"),
        ("echo a | nl -w x", b"nl: invalid number 'x'"),
        ("echo a | uniq -f 100000000000000000000000", b"not in 0..2147483647 range"),
        ("echo a | base64 -w x", b"base64: invalid number 'x'"),
        ("echo a | sed -e '\\'", b"sed: "),
    ],
)
def test_bad_option_arguments_are_messages(script: str, message: bytes) -> None:
    result = sh(script)
    assert result.status == 1
    assert message in result.stderr, result.stderr


def test_number_reads_as_busybox() -> None:
    assert number("42") == 42
    assert number("+7") == 7
    assert number("-3", lo=-10) == -3
    for bad in ("x", "", " 1", "1e3", "-3", "٣"):
        with pytest.raises(Die, match="invalid number"):
            number(bad)
    with pytest.raises(Die, match=r"not in 1\.\.5 range"):
        number("9", lo=1, hi=5)


def test_busybox_find_ignores_a_trailing_operator() -> None:
    assert sh("mkdir /t; touch /t/cp; find /t -name cp -a").stdout == b"/t/cp\n"
    assert sh("echo a | xargs -d '\\' echo").stdout == b"a\n\n"


@pytest.mark.parametrize(
    "script",
    [
        "echo " + "a" * 60 + "! | awk '/(a|aa)*b/'",
        "echo " + "a" * 60 + "! | sed -E 's/(a|aa)*b/x/g'",
        "echo " + "a" * 60 + "! | grep -oE '(a|aa)*b'",
        "expr " + "a" * 60 + "! : '\\(a*\\)*b'",
        "case " + "a" * 40 + " in " + "*a" * 12 + "b) ;; esac",
        "x=" + "a" * 40 + "; y=${x##" + "*a" * 12 + "b}; y=${x%%" + "a*" * 12 + "b}",
        "touch /" + "a" * 100 + "; echo /" + "*a" * 12 + "b",
    ],
)
def test_backtracking_shapes_end_at_once(script: str) -> None:
    started = time.monotonic()
    sh(script)
    assert time.monotonic() - started < 5, script


def test_posix_leftmost_longest_where_matched_linearly() -> None:
    # (a|ab)(c|bcd) is matched by the DFAs (an alternation inside a group that repeats
    # would be too, and any two open-ended repetitions): POSIX takes the longest, abcd.
    result = sh("echo abcd | sed -E 's/(a|ab)*(c|bcd)/[&]/'")
    assert result.stdout == b"[abcd]\n"


def test_the_tree_made_by_mkdir_is_there() -> None:
    result = sh("mkdir -p /p/q/r/s && cd /p/q/r/s && pwd && touch f && ls /p/q/r/s")
    assert result.stdout == b"/p/q/r/s\nf\n"
