"""Everything emu reports about bad input is an :class:`EmuError`.

The hierarchy, in one place::

    EmuError                    any failure caused by the user's input (never a bug)
    ├── UsageError              bad command-line usage (exit status 2)
    ├── ParseError            a Dockerfile that does not parse (exit status 2)
    ├── InstructionError        a parsed instruction with bad flags or arguments (exit 2)
    ├── ExpansionError          a ``$VAR`` word that cannot be expanded (``${x:?}``, bad quoting)
    ├── IgnoreFileError         a ``.dockerignore`` that cannot be read (``!`` alone, bad glob)
    ├── CheckFailed             ``emu check`` found violations (exit status 1)
    └── BuildError              a build that fails (exit status 1; later issues)

Each error carries a message and, where the input has one, a location: the file name
and a :class:`~emu.pos.Position`. ``str(err)`` is the one-line form the CLI prints,
``FILE:LINE:COL: message``; :func:`code_frame` renders the lines around it.
"""

from __future__ import annotations

from typing import Self

from emu.pos import Position


class EmuError(Exception):
    """Base of every error emu reports for bad input."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        pos: Position | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.pos = pos
        self.hint = hint
        self.source: str | None = None  # the text ``pos`` points into, for a code frame

    def located(self, file: str | None = None, pos: Position | None = None) -> Self:
        """Return this error with a file and position filled in where it had none."""
        if file is not None and self.file is None:
            self.file = file
        if pos is not None and self.pos is None:
            self.pos = pos
        return self

    def with_source(self, source: str) -> Self:
        """Attach the text the position points into (so the CLI can show the lines)."""
        if self.source is None:
            self.source = source
        return self

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.pos is not None:
            parts.append(str(self.pos.line))
            parts.append(str(self.pos.column))
        return ":".join(parts)

    def __str__(self) -> str:
        if self.file is None and self.pos is None:
            return self.message
        return f"{self.location}: {self.message}"


class UsageError(EmuError):
    exit_code = 2


class ParseError(EmuError):
    exit_code = 2


class InstructionError(EmuError):
    exit_code = 2


class ExpansionError(EmuError):
    """A word that cannot be expanded; ``pos`` is 1:offset+1 inside the word until located."""

    exit_code = 2


class IgnoreFileError(EmuError):
    exit_code = 2


class CheckFailed(EmuError):
    exit_code = 1


class BuildError(EmuError):
    exit_code = 1


def code_frame(source: str, pos: Position, context: int = 1) -> str:
    """The lines around ``pos`` with a caret under its column, like a compiler shows."""
    lines = source.splitlines()
    if not lines or pos.line < 1 or pos.line > len(lines):
        return ""
    first = max(1, pos.line - context)
    last = min(len(lines), pos.line + context)
    width = len(str(last))
    out: list[str] = []
    for n in range(first, last + 1):
        marker = ">" if n == pos.line else " "
        out.append(f"{marker} {n:>{width}} | {lines[n - 1]}")
        if n == pos.line:
            out.append(f"  {' ' * width} | {' ' * max(0, pos.column - 1)}^")
    return "\n".join(out)
