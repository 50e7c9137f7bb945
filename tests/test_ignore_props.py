"""Properties of emu.ignore / emu.glob, checked against straightforward reference versions.

The references follow Go's loops literally (pattern by pattern, parent by parent); the code
under test uses one combined automaton per matcher, so these properties are what keeps that
shortcut honest.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.errors import EmuError
from emu.glob import Pattern, compile_pattern, go_parents, match
from emu.ignore import IgnoreMatcher, read_ignore_file

pytestmark = pytest.mark.slow  # hundreds of generated examples per property

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PIECES = st.sampled_from(["a", "b", "ab", "*", "?", "**", "[ab]", "[^a]", "a*", "*b", ".x"])
_SEGMENT = st.lists(_PIECES, min_size=1, max_size=3).map("".join)


@st.composite
def pattern_texts(draw: st.DrawFn) -> str:
    negated = draw(st.booleans())
    lead = "/" if draw(st.booleans()) else ""
    trail = "/" if draw(st.booleans()) else ""
    body = "/".join(draw(st.lists(_SEGMENT, min_size=1, max_size=3)))
    return ("!" if negated else "") + lead + body + trail


def _compile(texts: list[str]) -> tuple[Pattern, ...]:
    out = []
    for i, text in enumerate(texts, start=1):
        p = compile_pattern(text, line=i)
        assert p is not None
        out.append(p)
    return tuple(out)


patterns = st.lists(pattern_texts(), min_size=0, max_size=8).map(_compile)
paths = st.lists(
    st.sampled_from(["a", "b", "ab", "ba", "aab", ".x", "x"]), min_size=1, max_size=4
).map("/".join)


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _reference_last_match(pats: tuple[Pattern, ...], path: str) -> Pattern | None:
    """The last pattern that matches ``path`` or a parent, tried one by one."""
    for p in reversed(pats):
        if p.matches_or_parent(path):
            return p
    return None


def _reference_walk(
    pats: tuple[Pattern, ...], path: str, parent: list[bool] | None
) -> tuple[bool, list[bool]]:
    """MatchesUsingParentResults, following Go's loop literally."""
    matched = False
    info = [False] * len(pats)
    for i, p in enumerate(pats):
        hit = bool(parent) and parent is not None and parent[i]
        if not hit:
            if p.exclusion != matched:
                continue
            hit = p.matches(path)
            if not hit and parent is None:
                hit = any(p.matches(q) for q in go_parents(path))
        info[i] = hit
        if hit:
            matched = not p.exclusion
    return matched, info


# (a) last match wins ------------------------------------------------------------------------


@SETTINGS
@given(patterns, paths)
def test_last_matching_pattern_decides(pats: tuple[Pattern, ...], path: str) -> None:
    m = IgnoreMatcher(pats)
    last = _reference_last_match(pats, path)
    for _ in range(2):  # the second answer is the one the matcher remembered
        decision = m.match(path)
        assert decision.pattern is last
        assert decision.excluded is (last is not None and not last.exclusion)


@SETTINGS
@given(patterns, paths, st.booleans(), st.integers(min_value=0, max_value=5), st.data())
def test_appending_a_matching_pattern_decides(
    pats: tuple[Pattern, ...], path: str, negated: bool, how: int, data: st.DataObject
) -> None:
    prefixes = _prefixes(path)
    target = data.draw(st.sampled_from(prefixes))
    text = {0: target, 1: "**", 2: "**/" + target.rsplit("/", 1)[-1], 3: "/" + target}.get(
        how, target + "/"
    )
    # Through ReadAll, which drops the leading "/" (New alone would keep it).
    (extra,) = read_ignore_file(("!" if negated else "") + text)
    assert extra.matches_or_parent(path)
    decision = IgnoreMatcher((*pats, extra)).match(path)
    assert decision.excluded is (not negated)
    assert decision.pattern is extra


# (b) the parents rule ---------------------------------------------------------------------


@SETTINGS
@given(patterns, paths)
def test_excluded_parent_excludes_child_unless_an_exception_follows(
    pats: tuple[Pattern, ...], path: str
) -> None:
    m = IgnoreMatcher(pats)
    for parent in _prefixes(path)[:-1]:
        decided = m.match(parent)
        if not decided.excluded:
            continue
        assert decided.pattern is not None
        at = next(i for i, p in enumerate(pats) if p is decided.pattern)
        rescued = any(p.exclusion and p.matches_or_parent(path) for p in pats[at + 1 :])
        if not rescued:
            assert m.match(path).excluded, (parent, decided.pattern)


@SETTINGS
@given(patterns, paths)
def test_without_exceptions_exclusion_is_inherited(pats: tuple[Pattern, ...], path: str) -> None:
    m = IgnoreMatcher(p for p in pats if not p.exclusion)
    seen_excluded = False
    for prefix in _prefixes(path):
        now = m.match(prefix).excluded
        assert now or not seen_excluded
        seen_excluded = now


@SETTINGS
@given(patterns, paths)
def test_walk_matches_gos_loop(pats: tuple[Pattern, ...], path: str) -> None:
    m = IgnoreMatcher(pats)
    decision = None
    info: list[bool] | None = None
    for prefix in _prefixes(path):
        decision = m.match_with_parents(prefix, decision)
        expected, info = _reference_walk(pats, prefix, info)
        assert decision.excluded is expected, prefix
        # The explanation, when there is one, names a pattern with the same verdict.
        if decision.pattern is not None and decision.pattern.exclusion == decision.excluded:
            raise AssertionError(f"{prefix}: {decision} explains the opposite verdict")
    # Without parent information the walk agrees with MatchesOrParentMatches.
    assert m.match_with_parents(path, None).excluded is m.match(path).excluded
    # Walked again, the matcher answers from what it remembers: the same decisions.
    again = None
    fresh = None
    other = IgnoreMatcher(pats)
    for prefix in _prefixes(path):
        again = m.match_with_parents(prefix, again)
        fresh = other.match_with_parents(prefix, fresh)
        assert again == fresh and again.pattern is fresh.pattern, prefix


# (c) reading never fails with anything but EmuError ---------------------------------------

_NASTY = st.text(alphabet=st.sampled_from(list("ab*?[]^-\\!/. \t\r\n#{}()$|+:pPdQEz\ufeff")))


# Lone surrogates too: undecodable file names and ignore files come back as those.
_ANY_CHAR = st.text(st.characters(exclude_categories=()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), _ANY_CHAR, _NASTY), st.lists(_ANY_CHAR, max_size=3))
def test_read_ignore_file_only_raises_emu_errors(text: str, probe: list[str]) -> None:
    try:
        pats = read_ignore_file(text)
    except EmuError:
        return
    m = IgnoreMatcher(pats)
    for path in [*probe, "a", "a/b"]:
        try:
            m.match(path)
            m.match_with_parents(path, None)
        except EmuError:
            pass


# (d) filepath.Match and patternmatcher agree where their syntaxes do ----------------------

# A negated class is left out: patternmatcher's regex lets ``[^a]`` match a ``/`` after a
# ``*`` has stopped at it, while filepath.Match's star never looks past a separator (pinned
# below).
_SIMPLE = st.sampled_from(["a", "b", "*", "?", "[ab]", "[a-b]", "ba"])


def test_a_negated_class_may_match_a_separator_in_patterns_only() -> None:
    # patternmatcher: ^[^/]*/[^/]*[^a][^/]*$ matches "/b/" ([^a] takes the last "/");
    # filepath.Match: the star before [^a] stops at "/", and a trailing star cannot eat it.
    p = compile_pattern("*/*[^a]*")
    assert p is not None and p.matches("/b/") is True
    assert match("*/*[^a]*", "/b/") is False


@SETTINGS
@given(
    st.lists(st.lists(_SIMPLE, min_size=1, max_size=3).map("".join), min_size=1, max_size=3)
    .map("/".join)
    .filter(lambda s: "**" not in s),
    st.text(alphabet="ab/", max_size=7),
)
def test_glob_and_pattern_agree_on_simple_globs(text: str, path: str) -> None:
    p = compile_pattern(text)
    assert p is not None and p.cleaned == text
    assert p.matches(path) is match(text, path)
