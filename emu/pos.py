"""Source positions: every node, word and error in emu points back at its text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A place in a text: 1-based line and 1-based column (in characters)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of text: ``start`` inclusive, ``end`` exclusive."""

    start: Position
    end: Position

    @staticmethod
    def at(line: int, column: int, length: int = 1) -> Span:
        return Span(Position(line, column), Position(line, column + length))

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"
