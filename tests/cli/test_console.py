"""The CLI's output without rich: plain text is written as rich would write it (what the
commands that print only plain text import is checked in test_startup.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from emu.cli._console import write_plain

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "multistage-demo"

# Any text: every code point (lone surrogates too, as a surrogateescape decode leaves them),
# with more of the characters rich treats specially (tabs, control codes, escapes, wide and
# combining characters, line separators).
TEXT = st.text(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(list("\n\t\r\a\b\v\f \x1b[m\x00\x7f\x85\u200b\u0301\u4e00\u2028\udcff")),
        st.just("\U0001f600"),
    )
)


def _rich(text: str, *, terminal: bool, width: int) -> str:
    """What the CLI's rich console writes for ``text`` (as _console.out() makes it)."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        force_terminal=terminal,
        width=width,
    )
    console.out(text, end="", highlight=False)
    return buf.getvalue()


@settings(max_examples=500, deadline=None)
@given(TEXT, st.booleans(), st.integers(1, 200))
def test_plain_output_is_what_rich_writes_or_nothing(text: str, terminal: bool, width: int) -> None:
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", buf)
        written = write_plain(text)
    if written:
        assert buf.getvalue() == _rich(text, terminal=terminal, width=width)
    else:
        assert buf.getvalue() == ""
        assert any(c in text for c in "\a\b\t\v\f\r")


def test_text_rich_rewrites_is_left_to_rich() -> None:
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", buf)
        assert not write_plain("a\tb\r\n")
    assert buf.getvalue() == ""
    assert _rich("a\tb\r\n", terminal=False, width=80) == "a       b\n"


def test_stderr_and_a_proxied_file() -> None:
    class Proxy(io.StringIO):
        def __init__(self, real: io.StringIO) -> None:
            super().__init__()
            self.rich_proxied_file = real  # as rich's live view wraps sys.stderr

    real = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stderr", Proxy(real))
        assert write_plain("usage: emu\n", stderr=True)
        assert sys.stderr.getvalue() == ""
    assert real.getvalue() == "usage: emu\n"


def test_inside_a_jupyter_kernel_rich_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    monkeypatch.setattr(builtins, "get_ipython", lambda: None, raising=False)
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buf)
    assert not write_plain("x\n")
    assert buf.getvalue() == ""


def _emu(
    *args: str, stdout: int = subprocess.PIPE, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emu", *args],
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env=env,
    )


def _closed_pipe_status(*args: str) -> tuple[int, str]:
    """Exit status and stderr of ``emu ARGS`` writing into a pipe nobody reads."""
    r, w = os.pipe()
    os.close(r)
    try:
        proc = _emu(*args, stdout=w)
    finally:
        os.close(w)
    return proc.returncode, proc.stderr


def test_a_closed_pipe_ends_the_command_as_rich_ends_it(tmp_path: Path) -> None:
    """Status 1, nothing on stderr: the same whether the text was written plain or (with a
    tab in it, which rich expands) through rich."""
    plain = tmp_path / "plain"
    plain.write_text("FROM scratch\nCOPY a b\n")
    tabbed = tmp_path / "tabbed"
    tabbed.write_text("FROM scratch\nCOPY a\tb\n")
    assert _closed_pipe_status("parse", "--dump", str(plain)) == (1, "")
    assert _closed_pipe_status("parse", "--dump", str(tabbed)) == (1, "")


def test_a_quiet_build_prints_the_id_and_a_failed_one_its_step(tmp_path: Path) -> None:
    """The console a quiet build prints to is made only when the build fails."""
    env = {**os.environ, "EMU_HOME": str(tmp_path / "home")}
    ok = _emu("build", "-q", str(DEMO), env=env)
    assert ok.returncode == 0 and ok.stderr == ""
    assert ok.stdout.startswith("sha256:") and ok.stdout.count("\n") == 1
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\nRUN echo hi && exit 3\n")
    bad = _emu("build", "-q", str(tmp_path), env=env)
    assert bad.returncode == 1 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert lines[:2] == ["------", " > [2/2] RUN echo hi && exit 3:"]
    assert lines[2].endswith(" hi") and lines[3] == "------"
    assert "exit code: 3" in lines[4]
