"""Regular expressions and shell patterns that cannot hang a build.

The utilities (sed, grep, awk, expr, find) and the shell's patterns (``case``, ``${x##p}``,
``[[ = ]]``, pathname expansion) compile to Python ``re`` patterns, whose backtracking takes
exponential time on expressions such as ``(a|aa)*b`` or ``*a*a*a*a*a*b`` against a text that
almost matches. :func:`compile` keeps ``re`` where that cannot happen and, for an expression
whose shape can backtrack without bound (a repetition of something that itself repeats or
alternates, or two open-ended repetitions), finds where matches start and end with
:mod:`emu.re2`'s linear-time DFAs instead, POSIX's leftmost-longest rule included; ``re`` then
only fills in the submatches of a match already found, anchored at both ends.

An expression ``re2`` cannot read (a back-reference, which no linear algorithm can match, or a
lookaround) stays with ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import AnyStr, Generic, Union

from emu import re2

__all__ = ["Pattern", "Regex", "compile", "risky"]


def risky(node: re2.Node) -> bool:
    """Whether backtracking could take more than polynomial time of low degree on ``node``: a
    repetition whose body repeats or alternates, or two unbounded repetitions."""
    unbounded = 0
    todo: list[tuple[re2.Node, bool]] = [(node, False)]  # (node, inside a repetition)
    while todo:
        n, inside = todo.pop()
        if isinstance(n, re2.Repeat):
            if n.max != n.min:
                if inside:
                    return True
                if n.max < 0:
                    unbounded += 1
                    if unbounded >= 2:
                        return True
            # x{12} is twelve x's: what repeats inside it counts as nested too.
            todo.append((n.item, inside or n.max != n.min or n.max > 1))
        elif isinstance(n, re2.Alt):
            if inside and len(n.items) > 1:
                return True
            todo.extend((item, inside) for item in n.items)
        elif isinstance(n, re2.Cat):
            todo.extend((item, inside) for item in n.items)
    return False


class Pattern(Generic[AnyStr]):
    """A compiled ``re`` pattern with the part of ``re.Pattern``'s interface emu uses, whose
    matches are found in linear time (see the module's documentation). Matches are ``re``'s
    own ``Match`` objects."""

    __slots__ = ("_py", "_spans", "_text")
    _py: re.Pattern[AnyStr]
    _text: Callable[[AnyStr], str]

    def __init__(self, py: re.Pattern[AnyStr], spans: re2.Spans) -> None:
        self._py = py
        self._spans = spans
        self._text = _latin1 if isinstance(py.pattern, bytes) else _same

    @property
    def pattern(self) -> AnyStr:
        return self._py.pattern

    @property
    def groups(self) -> int:
        return self._py.groups

    @property
    def flags(self) -> int:
        return self._py.flags

    def search(self, string: AnyStr, pos: int = 0) -> re.Match[AnyStr] | None:
        return self._search(string, pos, None)

    def _search(
        self, string: AnyStr, pos: int, starts: bytearray | None
    ) -> re.Match[AnyStr] | None:
        text = self._text(string)
        if starts is None:
            starts = self._spans.starts(text)
        while pos <= len(text):
            span = self._spans.search(text, pos, starts)
            if span is None:
                return None
            m = self._py.fullmatch(string, span[0], span[1])
            if m is not None:
                return m
            pos = span[0] + 1  # re reads this match otherwise (a lookaround): the next one
        return None

    def match(self, string: AnyStr, pos: int = 0) -> re.Match[AnyStr] | None:
        text = self._text(string)
        end = self._spans.longest(text, pos)
        return None if end < 0 else self._py.fullmatch(string, pos, end)

    def fullmatch(
        self, string: AnyStr, pos: int = 0, endpos: int | None = None
    ) -> re.Match[AnyStr] | None:
        text = self._text(string)
        stop = len(text) if endpos is None else min(endpos, len(text))
        if not self._spans.full(text, pos, stop):
            return None
        return self._py.fullmatch(string, pos, stop)

    def finditer(self, string: AnyStr) -> Iterator[re.Match[AnyStr]]:
        pos = 0
        n = len(string)
        starts = self._spans.starts(self._text(string))  # one backward pass for all matches
        while pos <= n:
            m = self._search(string, pos, starts)
            if m is None:
                return
            yield m
            pos = m.end() if m.end() > m.start() else m.end() + 1

    def sub(
        self, repl: Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0
    ) -> AnyStr:
        out: list[AnyStr] = []
        pos = 0
        for done, m in enumerate(self.finditer(string), 1):
            out.append(string[pos : m.start()])
            out.append(repl(m))
            pos = m.end()
            if done == count:
                break
        out.append(string[pos:])
        return string[:0].join(out)

    def split(self, string: AnyStr) -> list[AnyStr]:
        """As ``re.split``: the texts between matches, each match's groups between them."""
        out: list[AnyStr] = []
        pos = 0
        for m in self.finditer(string):
            out.append(string[pos : m.start()])
            out.extend(m.groups())  # None for a group not taken, as re
            pos = m.end()
        out.append(string[pos:])
        return out


# What :func:`compile` gives: either kind answers the same calls.
Regex = Union[re.Pattern[AnyStr], "Pattern[AnyStr]"]


def _latin1(b: bytes) -> str:
    return b.decode("latin-1")


def _same(s: str) -> str:
    return s


def compile(py: re.Pattern[AnyStr]) -> Regex[AnyStr]:
    """``py`` itself when backtracking is safe on it or re2 cannot read it, else a
    :class:`Pattern` matching it in linear time."""
    source = py.pattern
    text = source.decode("latin-1") if isinstance(source, bytes) else source
    flags = ("i" if py.flags & re.IGNORECASE else "") + ("s" if py.flags & re.DOTALL else "")
    flags += "m" if py.flags & re.MULTILINE else ""
    # Python's \Z is RE2's \z; anything else re2 cannot read keeps re.
    text = re.sub(r"(?<!\\)((?:\\\\)*)\\Z", r"\1\\z", text)
    try:
        node = re2.parse(text, flags)
    except re2.RegexpError:
        return py
    if not risky(node):
        return py
    try:
        return Pattern(py, re2.Spans(node))
    except re2.RegexpError:  # too large for the DFA's program: re it is
        return py
