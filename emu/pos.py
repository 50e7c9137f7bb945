"""Source positions: every node, word and error in emu points back at its text."""

from __future__ import annotations

from emu.records import record


@record(frozen=True, slots=True, order=True)
class Position:
    """A place in a text: 1-based line and 1-based column (in characters)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@record(frozen=True, slots=True)
class Span:
    """A half-open range of text: ``start`` inclusive, ``end`` exclusive."""

    start: Position
    end: Position

    @staticmethod
    def point(pos: Position) -> Span:
        """The empty span at ``pos`` (a place with no extent: one caret in a code frame)."""
        return Span(pos, pos)

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"
