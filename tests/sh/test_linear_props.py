"""The linear-time matcher (emu.re2's spans, emu.sh.linear) against brute force: on small
texts, Python's ``re`` tried at every start and end gives POSIX's leftmost-longest match,
which the DFAs must find in one backward and one forward pass."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu import re2
from emu.sh import expand, linear

SETTINGS = settings(
    max_examples=400, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow]
)

# No "$": re's fullmatch with endpos takes "$" to hold at endpos, so brute force cannot
# model POSIX's end of text with it ("$" has its own test below).
_ATOMS = st.sampled_from(["a", "b", ".", "[ab]", "[^a]", "(a|b)", "(a|ab)", "(aa|a)", "x", "^"])


@st.composite
def regexes(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        # Groups nest one deep: with the atoms' own groups, repeats nest two deep at most, as
        # re (the brute force's oracle) backtracks and three repeated levels can take it
        # minutes on eight characters.
        atom = draw(_ATOMS) if depth > 0 or draw(st.booleans()) else f"({draw(regexes(depth + 1))})"
        if atom != "^":
            atom += draw(st.sampled_from(["", "", "*", "+", "?", "{1,2}"]))
        parts.append(atom)
    text = "".join(parts)
    return text if not draw(st.booleans()) else text + "|" + draw(_ATOMS)


TEXTS = st.text(alphabet="abx", max_size=8)


def _brute(py: re.Pattern[str], text: str, pos: int = 0) -> tuple[int, int] | None:
    for s in range(pos, len(text) + 1):
        for e in range(len(text), s - 1, -1):
            if py.fullmatch(text, s, e) is not None:
                return s, e
    return None


@SETTINGS
@given(regexes(), TEXTS)
def test_spans_are_leftmost_longest(expr: str, text: str) -> None:
    py = re.compile(expr)
    spans = re2.Spans(re2.parse(expr))
    assert spans.search(text) == _brute(py, text), (expr, text)
    for pos in range(1, len(text) + 1):
        assert spans.search(text, pos) == _brute(py, text, pos), (expr, text, pos)


def test_end_anchors() -> None:
    spans = re2.Spans(re2.parse("a+$|b"))
    assert spans.search("aab aa") == (2, 3)
    assert spans.search("aab aa", 3) == (4, 6)
    assert re2.Spans(re2.parse("(a|ab)(c|bcd)")).search("abcd") == (0, 4)  # POSIX, not re's (0, 3)


@SETTINGS
@given(regexes(), TEXTS)
def test_a_linear_pattern_matches_where_re_does(expr: str, text: str) -> None:
    py = re.compile(expr)
    lin = linear.Pattern(py, re2.Spans(re2.parse(expr)))
    assert (lin.search(text) is None) == (py.search(text) is None), (expr, text)
    m = lin.search(text)
    if m is not None:
        assert py.fullmatch(text, m.start(), m.end()) is not None


_GLOBS = st.lists(st.sampled_from(["*", "?", "a", "b", "[ab]", "[!a]", "\\*"]), max_size=8).map(
    "".join
)


@SETTINGS
@given(_GLOBS, st.text(alphabet="ab*", max_size=10))
def test_shell_patterns_agree_with_re(pattern: str, text: str) -> None:
    body = expand._regex_body(pattern, 0, len(pattern), False)
    assert expand.match(pattern, text) == (re.fullmatch(body, text, re.S) is not None)


def test_catastrophic_shapes_end_quickly() -> None:
    evil = "a" * 5000 + "!"
    started = time.monotonic()
    for expr in ("(a|aa)*b", "(a*)*b", "(a+)+b", "a*a*a*a*a*a*a*a*b", "(.*a){12}b"):
        pattern = linear.compile(re.compile(expr))
        assert isinstance(pattern, linear.Pattern), expr
        assert pattern.search(evil) is None
    assert not expand.match("*a" * 15 + "b", "a" * 200)
    assert expand.trim("a" * 200, "*a" * 15 + "b", "##") == "a" * 200
    assert time.monotonic() - started < 10


def test_safe_shapes_keep_re() -> None:
    for expr in ("abc", "a*b", "^[a-z]+=", "(ab)?c", "x{1,3}y"):
        assert isinstance(linear.compile(re.compile(expr)), re.Pattern), expr
