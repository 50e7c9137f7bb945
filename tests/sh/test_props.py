"""Properties of the shell: the parser fails only with EmuError, quote() round-trips, and
a script never reaches the host filesystem."""

from __future__ import annotations

import builtins
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shimage import ENV, REG, ROOT, SCRATCH, image

from emu.errors import EmuError
from emu.fs import Meta
from emu.sh import expand
from emu.sh.api import LimitExceeded, Limits
from emu.sh.interp import run_script
from emu.sh.syntax import Simple, parse, parse_partial, quote

pytestmark = pytest.mark.slow  # hundreds of generated examples per property

SHELLISH = st.text(
    alphabet=st.sampled_from(list("abcxyz019 \t\n;&|<>(){}[]$`'\"\\#*?=~!-+/:%.@,^")),
    max_size=60,
)
ANY_TEXT = st.one_of(SHELLISH, st.text(max_size=60))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_parser_raises_only_emu_errors(src: str) -> None:
    with suppress(EmuError):
        parse(src)
    _script, err = parse_partial(src)
    assert err is None or isinstance(err, EmuError)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHELLISH)
def test_interpreter_raises_only_emu_errors(src: str) -> None:
    # Whatever the text, a run ends with a status (or a limit), never a Python error.
    try:
        r = run_script(
            src,
            fs=image(),
            env=dict(ENV),
            cwd=SCRATCH,
            ident=ROOT,
            registry=REG,
            limits=Limits(max_steps=2000, max_depth=30, max_output=100_000),
        )
    except LimitExceeded:
        return
    assert 0 <= r.status <= 255


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_quote_round_trips(s: str) -> None:
    assume("\0" not in s)
    script = parse(f"echo {quote(s)}")
    cmd = script.body[0]
    assert isinstance(cmd, Simple)
    assert len(cmd.args) == 2
    word = cmd.args[1]
    assert word.lit == s

    class NoEnv:
        fs = image()
        cwd = "/"
        ident = ROOT
        nounset = False
        noglob = False

        def lookup(self, name: str) -> str | None:
            return None

        def positional(self) -> list[str]:
            return []

        def assign(self, name: str, value: str) -> None:
            raise AssertionError("no assignment expected")

        def substitute(self, body: Any, pos: Any) -> str:
            raise AssertionError("no substitution expected")

    assert expand.word_fields(NoEnv(), word) == [s]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30))
def test_quoted_text_reaches_a_program_unchanged(s: str) -> None:
    assume("\0" not in s)
    r = run_script(
        f"printf %s {quote(s)}", fs=image(), env=dict(ENV), cwd="/", ident=ROOT, registry=REG
    )
    assert r.stdout.decode("utf-8", "surrogateescape") == s


# --- host isolation --------------------------------------------------------------------------

_HOST_CALLS = (
    "open",
    "stat",
    "lstat",
    "listdir",
    "scandir",
    "mkdir",
    "makedirs",
    "remove",
    "unlink",
    "rmdir",
    "rename",
    "replace",
    "chdir",
    "chmod",
    "chown",
    "symlink",
    "link",
    "readlink",
    "access",
    "utime",
    "walk",
    "system",
    "popen",
    "execv",
    "execve",
    "fork",
    "spawnv",
)


class HostTouched(AssertionError):
    pass


@contextmanager
def no_host() -> Iterator[list[str]]:
    """Every host file operation (builtins.open, io.open, os.*) raises while inside."""
    calls: list[str] = []
    saved: dict[tuple[object, str], object] = {}

    def trap(name: str) -> Any:
        def refuse(*args: object, **kw: object) -> None:
            calls.append(f"{name}{args!r}")
            raise HostTouched(f"host call: {name}{args!r}")

        return refuse

    targets: list[tuple[object, str]] = [(builtins, "open"), (io, "open")]
    targets += [(os, n) for n in _HOST_CALLS if hasattr(os, n)]
    for obj, name in targets:
        saved[(obj, name)] = getattr(obj, name)
        setattr(obj, name, trap(name))
    try:
        yield calls
    finally:
        for (obj, name), fn in saved.items():
            setattr(obj, name, fn)


PATHS = st.sampled_from(
    [
        "/etc/passwd",
        "../../../../etc/shadow",
        "/",
        "..",
        "/tmp/../../root",
        "up/etc/hostname",
        "abs/x",
        "loop",
        "/proc/self/environ",
        "/dev/null",
        "~/.profile",
        "*",
        "/*/*",
        "../*",
        "up/*",
        "$HOME/x",
    ]
)
COMMANDS = st.sampled_from(
    [
        "cat {p}",
        "echo x > {p}",
        "echo y >> {p}",
        "cat < {p}",
        "cd {p}",
        "ls {p}",
        "mkdir -p {p}/d",
        "rm -rf {p}",
        "touch {p}",
        ". {p}",
        "[ -e {p} ] && echo e",
        "test -d {p}",
        "echo {p}",
        "for f in {p}; do echo $f; done",
        "sh {p}",
        "{p}",
        "exec 3>{p}",
        "read x < {p}",
    ]
)


@st.composite
def scripts(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 6))
    parts = [draw(COMMANDS).format(p=draw(PATHS)) for _ in range(n)]
    sep = draw(st.sampled_from(["; ", "\n", " || ", " && ", " | "]))
    return sep.join(parts)


def _sandbox_image() -> Any:
    fs = image()
    fs.symlink(f"{SCRATCH}/up", "../../../../../..")
    fs.symlink(f"{SCRATCH}/abs", "/etc")
    fs.symlink(f"{SCRATCH}/loop", "loop")
    fs.write_file("/etc/hostname", b"image\n", Meta(0o644))
    return fs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_scripts_never_touch_the_host(script: str) -> None:
    fs = _sandbox_image()
    with no_host() as calls, suppress(LimitExceeded):
        run_script(
            script,
            fs=fs,
            env=dict(ENV),
            cwd=SCRATCH,
            ident=ROOT,
            registry=REG,
            limits=Limits(max_steps=5000),
        )
    assert calls == []


def test_the_host_trap_works() -> None:
    with no_host() as calls, suppress(HostTouched):
        open("/etc/passwd")  # noqa: SIM115
    assert calls and calls[0].startswith("open")
