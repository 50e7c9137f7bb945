"""Terminal output: every byte the CLI prints goes through here, as rich prints it.

Plain text that rich would print unchanged is written straight to the stream, exactly as
rich's ``Console.out`` would write it: importing rich alone costs a command that prints a
dump or an image ID about a fifth of its start-up. Everything else goes through rich.
"""

from __future__ import annotations

import builtins
import os
import sys
from typing import TYPE_CHECKING, TextIO

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


# What rich's Text changes in plain text: it strips these control codes (BEL, BS, VT, FF,
# CR: rich.control.STRIP_CONTROL_CODES) and expands tabs to its tab stops.
_REWRITTEN = frozenset("\a\b\t\v\f\r")


def write_plain(text: str, *, stderr: bool = False) -> bool:
    """Write ``text`` as an unstyled rich console's ``out`` would (no markup, highlighting,
    wrapping or cropping: the same characters, then a flush), without importing rich;
    False, with nothing written, where rich would write something else: text it rewrites
    (see _REWRITTEN), output inside a Jupyter kernel (which rich displays instead; IPython
    puts ``get_ipython`` among the builtins), or a stream that cannot encode it (rich's
    error says what to set)."""
    if not _REWRITTEN.isdisjoint(text) or hasattr(builtins, "get_ipython"):
        return False
    stream: TextIO | None = sys.stderr if stderr else sys.stdout
    stream = getattr(stream, "rich_proxied_file", stream)  # the real file under a live view
    if stream is None:  # no stream at all (pythonw): rich writes to a null file
        return True
    try:
        stream.write(text)  # encodes all of it first: an error writes nothing
        stream.flush()
    except UnicodeEncodeError:
        return False
    except BrokenPipeError:
        # As rich's Console.on_broken_pipe: no more output (stdout goes to /dev/null, so the
        # flush at exit cannot fail again), and exit status 1.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    return True


def write(text: str) -> None:
    """Exact text to stdout (machine formats: dumps, JSON); no markup, no wrapping."""
    if not write_plain(text):
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
