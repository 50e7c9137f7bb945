"""Every registered program, given any small argv and stdin, ends with an exit status and
its messages: never an exception other than an EmuError (a limit, a shell error), whatever
the options say (issue 13: ``grep -m x``, ``xargs -d '\\'``, ``find / -name cp -a``...).

Each example runs under small build limits (steps, output, files, bytes and a deadline of
its own), so a program that would run away ends on a limit instead of hanging the test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import emu.sh.tools
import emu.sh.utils  # noqa: F401  (registers the utilities)
from emu.errors import EmuError
from emu.fs import FS, Kind, Meta
from emu.fs.nodes import Device
from emu.sh.api import REGISTRY, Identity, Limits
from emu.sh.interp import run_argv

pytestmark = pytest.mark.slow

NAMES = REGISTRY.names()

# Programs whose crash on some argv is known and larger to fix than this test: name → why.
# Keep this short; every entry is a bug.
EXCLUDED: dict[str, str] = {}

# Known crashes on some argvs only, skipped (the rest of the program's argvs are fuzzed):
# (programs, which argvs, why). Every entry is a bug to fix where it lives. (The one found
# so far, `python -m` without a module, is fixed; tests/sh/test_tools.py pins it.)
KNOWN: list[tuple[frozenset[str], Callable[[list[str]], bool], str]] = []

EXAMPLES = int(os.environ.get("EMU_ARGV_FUZZ_EXAMPLES", "50"))
SECONDS = 2.0  # each example's own deadline

# What argv words are made of: options (with and without values), numbers that are not
# numbers, paths that exist and do not, and the characters option parsers trip on.
_WORDS = st.one_of(
    st.sampled_from(
        [
            *(f"-{c}" for c in "abcdefghijklmnopqrstuvwxyzACDEFHILNPRSTUVZ0129"),
            *("--", "-", "--help", "--version", "--x", "--long=", "-n1", "-1", "-0"),
            *("x", "1e23", "99999999999999999999", "-5", "0", "1", "3", "1.5", "", " "),
            *("\\", "'", '"', "{}", ";", "+", "=", "%", "%d", "%s%s%s", "%*d", "%0999d"),
            *("[", "]", "(", ")", "!", "*", "a*", "^", "$", "\\(", "\\)", "a\\{1,\\}"),
            *("/", ".", "..", "/etc", "/etc/passwd", "/nonexistent", "/dev/null", "f", "d/"),
            *("s/a/b/", "p", "{print $1}", "a:b", "root", "0:0", "644", "u+x", "a=b"),
        ]
    ),
    st.text(max_size=4),
)
ARGVS = st.lists(_WORDS, max_size=5)
STDINS = st.one_of(
    st.just(b""), st.sampled_from([b"a b\nc d\n", b"x\x00y\n"]), st.binary(max_size=12)
)


def _base() -> FS:
    fs = FS()
    for d in ("/bin", "/usr/bin", "/etc", "/root", "/tmp", "/work/d", "/dev"):
        fs.makedirs(d)
    fs.write_file("/bin/sh", b"\x7fELF", Meta(0o755))
    fs.write_file("/bin/busybox", b"\x7fELF", Meta(0o755))
    for name in NAMES:
        if "/" not in name:
            fs.write_file(f"/usr/bin/{name}", b"\x7fELF", Meta(0o755))
    fs.write_file("/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    fs.write_file("/etc/group", b"root:x:0:\n")
    fs.write_file("/work/f", b"one two\nthree\n")
    fs.put("/dev/null", Device(Meta(0o666), Kind.CHAR, 1, 3))
    fs.put("/dev/zero", Device(Meta(0o666), Kind.CHAR, 1, 5))
    return fs


_ROOT = _base().snapshot().root


def run(name: str, argv: list[str], stdin: bytes) -> int:
    limits = Limits(
        max_steps=2_000,
        max_output=1 << 16,
        max_files=200,
        max_bytes=1 << 20,
        deadline=time.monotonic() + SECONDS,
        max_seconds=SECONDS,
    )
    try:
        result = run_argv(
            [name, *argv],
            fs=FS(_ROOT),
            env={"PATH": "/usr/bin:/bin", "HOME": "/root"},
            cwd="/work",
            ident=Identity(),
            stdin=stdin,
            limits=limits,
        )
    except EmuError:
        return -1
    assert isinstance(result.status, int)
    assert 0 <= result.status <= 255, result.status
    return result.status


@pytest.mark.parametrize("name", [n for n in NAMES if n not in EXCLUDED])
def test_any_argv_ends_in_a_status(name: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,  # each example has its own deadline, in its limits
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(ARGVS, STDINS)
    def check(argv: list[str], stdin: bytes) -> None:
        assume(not any(name in names and which(argv) for names, which, _ in KNOWN))
        started = time.monotonic()
        run(name, argv, stdin)
        # A limit stops a runaway program soon after its deadline, never much later.
        assert time.monotonic() - started < SECONDS + 8, f"{name} {argv!r} outran its deadline"

    check()


def test_the_exclusions_name_registered_programs() -> None:
    assert set(EXCLUDED) <= set(NAMES)
    assert all(names and names <= set(NAMES) for names, _, _ in KNOWN)
    assert len(EXCLUDED) + len(KNOWN) <= 5, "exclusions are known bugs: keep them few"


def test_a_bad_number_is_a_message_and_a_status() -> None:
    for argv in (["grep", "-m", "x", "a"], ["uniq", "-f", "x"], ["nl", "-w", "x"]):
        result = run_argv(
            argv,
            fs=FS(_ROOT),
            env={"PATH": "/usr/bin:/bin"},
            cwd="/work",
            ident=Identity(),
            stdin=b"a\n",
        )
        assert result.status == 1, argv
        assert b"invalid number 'x'" in result.stderr, result.stderr
