"""Laws of the parser, checked on generated text."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.dockerfile.instructions import INSTRUCTION_NAMES, build_stages
from emu.dockerfile.parser import parse
from emu.errors import EmuError

pytestmark = pytest.mark.slow  # hundreds of generated examples per property

_KEYWORDS = st.sampled_from([*INSTRUCTION_NAMES, *(n.lower() for n in INSTRUCTION_NAMES)])
_ARG_TEXT = st.lists(
    st.sampled_from([*"abc xyz=$-\"'\\[]{},:/.*#\t`<", "EOF", "\n", "é", "<<EOF", "--"]),
    max_size=12,
).map("".join)
_LINE = st.builds(lambda k, a: f"{k} {a}", _KEYWORDS, _ARG_TEXT)
_DOCKERFILE = st.lists(_LINE, max_size=8).map(lambda ls: "FROM base\n" + "\n".join(ls) + "\n")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_only_raises_emu_errors(text: str) -> None:
    with contextlib.suppress(EmuError):
        build_stages(parse(text))


@settings(max_examples=300, deadline=None)
@given(_DOCKERFILE)
def test_dockerfile_like_text_only_raises_emu_errors(text: str) -> None:
    try:
        build_stages(parse(text))
    except EmuError as exc:
        assert exc.pos is not None  # every failure is located


@settings(max_examples=200, deadline=None)
@given(_DOCKERFILE)
def test_dump_is_stable(text: str) -> None:
    try:
        first = parse(text)
    except EmuError:
        return
    dump = first.dump()
    assert dump == parse(text).dump()
    assert dump.endswith("\n") and not dump.endswith("\n\n")
    assert len(dump.splitlines()) == len(first.nodes)
    assert all(line.startswith("(") and line.endswith(")") for line in dump.splitlines())


@settings(max_examples=200, deadline=None)
@given(_DOCKERFILE)
def test_spans_are_ordered_and_inside_the_text(text: str) -> None:
    try:
        result = parse(text)
    except EmuError:
        return
    lines = text.split("\n")
    previous_end = 0
    for node in result.nodes:
        assert node.span.start.line > previous_end
        assert node.span.start <= node.span.end
        assert node.span.end.line <= len(lines)
        # The keyword is where the span says it starts.
        src_line = lines[node.span.start.line - 1]
        col = node.span.start.column - 1
        here = src_line[col:]
        # A keyword may itself be joined across a line continuation ("a\\" + "DD").
        assert here.startswith(node.keyword) or node.keyword.startswith(
            here.rstrip().rstrip("\\`").rstrip()
        )
        previous_end = node.span.end.line


@settings(max_examples=300, deadline=None)
@given(_DOCKERFILE)
def test_word_spans_are_ordered_inside_their_node(text: str) -> None:
    try:
        result = parse(text)
    except EmuError:
        return
    for top in result.nodes:
        for node in (top, top.child) if top.child is not None else (top,):
            assert len(node.flag_spans) == len(node.flags) == len(node.flag_value_spans)
            assert len(node.arg_spans) == len(node.args)
            # ENV/LABEL triplets list the separator after the value: order by place.
            args = sorted(node.arg_spans, key=lambda s: (s.start, s.end))
            spans = [node.keyword_span, *node.flag_spans, *args]
            assert node.keyword_span.start == node.span.start or node is top.child
            for before, after in itertools.pairwise(spans):
                assert before.start <= before.end <= after.start
            assert spans[-1].end <= top.span.end
            for flag, value in zip(node.flag_spans, node.flag_value_spans, strict=True):
                assert value is None or flag.start < value.start <= value.end == flag.end


_QUOTED_TEXT = st.lists(
    st.sampled_from([*"ab=xy \t\"'-.", '""', "''", '"a b"', "'c=d'"]), max_size=14
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_QUOTED_TEXT)
def test_quoted_words_shortcut_splits_as_the_character_scan(text: str) -> None:
    """The regex shortcut for quoted ASCII text (LABEL a="x y") gives parseWords' words,
    offsets and "=" positions exactly, or declines (an open quote)."""
    from emu.dockerfile.parser import _scan_chars, _split_quoted

    fast = _split_quoted(text)
    slow, end = _scan_chars(text, "\\", False)
    if fast is not None:
        assert fast == slow and end == len(text)
    else:  # only a quote left open declines
        open_quote = ""
        for ch in text:
            if open_quote == "" and ch in "\"'":
                open_quote = ch
            elif ch == open_quote:
                open_quote = ""
        assert open_quote
