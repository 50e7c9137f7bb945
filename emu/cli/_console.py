"""Terminal output: every byte the CLI prints goes through rich, and only from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emu.errors import EmuError, code_frame

if TYPE_CHECKING:
    from rich.console import Console


_out: Console | None = None
_err: Console | None = None


def out() -> Console:
    """The stdout console (created on first use, so ``emu --help`` never imports rich)."""
    global _out
    if _out is None:
        from rich.console import Console

        _out = Console(highlight=False, emoji=False, soft_wrap=True)
    return _out


def err() -> Console:
    global _err
    if _err is None:
        from rich.console import Console

        _err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)
    return _err


def write(text: str) -> None:
    """Exact text to stdout (machine formats: dumps, JSON); no markup, no wrapping."""
    out().out(text, end="", highlight=False)


def write_bytes(data: bytes) -> None:
    """Exact bytes to stdout (``emu cat``): no decoding, no markup."""
    console = out()
    stream = console.file
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8", "surrogateescape"))


def reset() -> None:
    """Forget the consoles, so the next use sees the current environment (tests)."""
    global _out, _err
    _out = _err = None


def report_error(exc: EmuError, source: str | None = None) -> None:
    """``FILE:LINE:COL: message``, the lines around it, and the hint where there is one."""
    from rich.text import Text

    console = err()
    line = Text()
    line.append(exc.location if (exc.file or exc.pos) else "emu", style="bold")
    line.append(": ")
    line.append("error: ", style="bold red")
    line.append(exc.message)
    console.print(line)
    if source is not None and exc.span is not None:
        frame = code_frame(source, exc.span)
        if frame:
            console.print(Text(frame, style="dim"))
    if exc.hint:
        hint = Text()
        hint.append("hint: ", style="bold cyan")
        hint.append(exc.hint)
        console.print(hint)
