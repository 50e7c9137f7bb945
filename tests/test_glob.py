"""emu.glob: Go's filepath.Match, and patternmatcher's pattern compiler (with RE2's reading)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _conformance import available, missing_param, require_conformance

from emu.errors import EmuError, IgnoreFileError
from emu.glob import (
    BAD_PATTERN,
    MatchKind,
    clean,
    compile_pattern,
    go_regexp,
    has_meta,
    match,
    trim_space,
)
from emu.glob import go_parents as parents_of
from emu.pos import Position

CASES_JSON = ("dockerignore", "cases.json")

ERR = "error"

# -- filepath.Match -------------------------------------------------------------------------
# Go's path/filepath match_test.go table, re-expressed (Unix), then our own additions.
GO_MATCH_TABLE: list[tuple[str, str, bool | str]] = [
    ("abc", "abc", True),
    ("*", "abc", True),
    ("*c", "abc", True),
    ("a*", "a", True),
    ("a*", "abc", True),
    ("a*", "ab/c", False),
    ("a*/b", "abc/b", True),
    ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True),
    ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True),
    ("ab[b-d]", "abc", True),
    ("ab[e-g]", "abc", False),
    ("ab[^c]", "abc", False),
    ("ab[^b-d]", "abc", False),
    ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True),
    ("a\\*b", "ab", False),
    ("a?b", "a☺b", True),
    ("a[^a]b", "a☺b", True),
    ("a???b", "a☺b", False),
    ("a[^a][^a][^a]b", "a☺b", False),
    ("[a-ζ]*", "α", True),
    ("*[a-ζ]", "A", False),
    ("a?b", "a/b", False),
    ("a*b", "a/b", False),
    ("[\\]a]", "]", True),
    ("[\\-]", "-", True),
    ("[x\\-]", "x", True),
    ("[x\\-]", "-", True),
    ("[x\\-]", "z", False),
    ("[\\-x]", "x", True),
    ("[\\-x]", "-", True),
    ("[\\-x]", "a", False),
    ("[]a]", "]", ERR),
    ("[-]", "-", ERR),
    ("[x-]", "x", ERR),
    ("[x-]", "-", ERR),
    ("[x-]", "z", ERR),
    ("[-x]", "x", ERR),
    ("[-x]", "-", ERR),
    ("[-x]", "a", ERR),
    ("\\", "a", ERR),
    ("[a-b-c]", "a", ERR),
    ("[", "a", ERR),
    ("[^", "a", ERR),
    ("[^bc", "a", ERR),
    ("a[", "a", ERR),
    ("a[", "ab", ERR),
    ("a[", "x", ERR),
    ("a/b[", "x", ERR),
    ("*x", "xxx", True),
]

OUR_MATCH_TABLE: list[tuple[str, str, bool | str]] = [
    ("", "", True),
    ("", "a", False),
    ("*", "", True),  # a trailing star accepts the empty rest
    ("*", "a/b", False),
    ("*/b", "a/b", True),
    ("a/*", "a/b", True),
    ("a/*", "a/b/c", False),
    ("**", "a/b", False),  # no globstar in filepath.Match
    ("[!a]", "!", True),  # "!" is not a negation here, only "^" is
    ("[!a]", "b", False),
    ("[^a]", "/", True),  # a class may match the separator; "?" and "*" may not
    ("?", "/", False),
    ("\\[", "[", True),
    ("\\a", "a", True),  # any escaped character is itself
    ("a\\", "a", ERR),
    ("[z-a]", "m", False),  # a reversed range is legal and matches nothing
    ("*x[", "ab", ERR),  # malformed chunks are reported even on a mismatch...
    ("a*b[", "x", ERR),  # ...and so is a malformed remainder after one
    ("x*", "y[", False),
    # Go works on bytes: after a "*" skips part of a multi-byte character, each "?" takes one
    # of the leftover bytes, so "*??" accepts the one-character (three-byte) "€".
    ("*??", "€", True),
    ("??", "€", False),
    ("[€]", "€", True),
    ("[a-c]", "é", False),
    ("*.go", "main.go", True),
    ("*.go", ".go", True),
    ("*.go", "dir/main.go", False),
]


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [pytest.param(*case, id=f"go:{case[0]!r}~{case[1]!r}") for case in GO_MATCH_TABLE]
    + [pytest.param(*case, id=f"ours:{case[0]!r}~{case[1]!r}") for case in OUR_MATCH_TABLE],
)
def test_filepath_match(pattern: str, name: str, expected: bool | str) -> None:
    if expected == ERR:
        with pytest.raises(EmuError) as info:
            match(pattern, name)
        assert info.value.message == BAD_PATTERN
    else:
        assert match(pattern, name) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", False),
        ("a*", True),
        ("a?", True),
        ("[ab]", True),
        ("a\\b", True),  # a backslash escapes on Unix, so it is magic
        ("a]b", False),
        ("a{b}", False),
        ("", False),
    ],
)
def test_has_meta(pattern: str, expected: bool) -> None:
    assert has_meta(pattern) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "."),
        (".", "."),
        ("abc", "abc"),
        ("abc/", "abc"),
        ("a//b", "a/b"),
        ("./a", "a"),
        ("a/./b", "a/b"),
        ("a/../b", "b"),
        ("a/..", "."),
        ("../a", "../a"),
        ("a/../..", ".."),
        ("/", "/"),
        ("//a", "/a"),
        ("/../a", "/a"),
        ("/a/b/../../..", "/"),
        ("!a/../b", "b"),
        ("!/", "!"),
    ],
)
def test_clean(path: str, expected: str) -> None:
    assert clean(path) == expected


def test_trim_space_is_gos_not_pythons() -> None:
    assert trim_space("\t a \u3000\n") == "a"
    assert trim_space("\x1ca\x1f") == "\x1ca\x1f"  # str.strip() would eat these


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a", []),
        ("a/b", ["a"]),
        ("a/b/c", ["a", "a/b"]),
        ("a/b/", ["a", "a/b"]),
        ("a//b", ["a"]),
        ("/a", ["", "/"]),  # Go's quirk: Dir("/a") is "/", which splits into "" and "/"
        ("/a/b", ["", "/a"]),
    ],
)
def test_go_parents(path: str, expected: list[str]) -> None:
    assert parents_of(path) == expected


# -- patternmatcher's compile: cases.json compile_cases -------------------------------------


def _compile_cases() -> list[Any]:
    if not available(*CASES_JSON):
        return [missing_param(*CASES_JSON)]
    data = json.loads(require_conformance(*CASES_JSON).read_text(encoding="utf-8"))
    return [pytest.param(case, id=f"compile:{case['pattern']}") for case in data["compile_cases"]]


@pytest.mark.parametrize("case", _compile_cases())
def test_compile_cases(case: dict[str, Any]) -> None:
    kind, regexp = go_regexp(case["pattern"], "/")
    assert kind.value == case["match_type"]
    assert regexp == case["regexp_slash"]
    # The Windows form: the Go test feeds the pattern with native separators.
    kind_bs, regexp_bs = go_regexp(case["pattern"].replace("/", "\\"), "\\")
    assert kind_bs.value == case["match_type"]
    assert regexp_bs == case["regexp_backslash"]
    # The compiled pattern agrees, and its regexp is usable.
    pattern = compile_pattern(case["pattern"])
    assert pattern is not None
    assert pattern.kind.value == case["match_type"]
    assert pattern.regexp == case["regexp_slash"]
    assert pattern.error is None


# -- compile_pattern: New() for one entry ---------------------------------------------------


def test_compile_pattern_fields() -> None:
    p = compile_pattern("  !docs//README.md/  ", line=7, text="  !docs//README.md/  ")
    assert p is not None
    assert p.exclusion is True
    assert p.cleaned == "docs/README.md"
    assert p.line == 7
    assert p.text == "  !docs//README.md/  "
    assert p.kind is MatchKind.EXACT
    assert repr(p) == "Pattern('  !docs//README.md/  ', line=7)"


@pytest.mark.parametrize("entry", ["", "   ", "\t\n"])
def test_compile_pattern_blank(entry: str) -> None:
    assert compile_pattern(entry) is None


@pytest.mark.parametrize("entry", ["!", "  !  ", "!/"])  # Clean("!/") is "!"
def test_compile_pattern_lone_exclamation(entry: str) -> None:
    with pytest.raises(IgnoreFileError) as info:
        compile_pattern(entry, line=3)
    assert info.value.message == 'illegal exclusion pattern: "!"'
    assert info.value.pos == Position(3, 1)


def test_compile_pattern_bad_glob() -> None:
    with pytest.raises(IgnoreFileError) as info:
        compile_pattern("a[", line=2)
    assert info.value.message == BAD_PATTERN
    assert info.value.pos == Position(2, 1)
    with pytest.raises(IgnoreFileError) as info:
        compile_pattern("a[")
    assert info.value.pos is None


def test_clean_happens_before_the_exclamation_is_seen() -> None:
    # New cleans "!./foo" as a whole: "!." is a name, so the exception stays "./foo" and can
    # never match (ReadAll would have cleaned it to "!foo" first).
    p = compile_pattern("!./foo")
    assert p is not None and p.exclusion and p.cleaned == "./foo"
    assert not p.matches("foo")


# -- match strategies and their quirks ------------------------------------------------------

STRATEGY_CASES: list[tuple[str, str, bool]] = [
    ("abc.def", "abc.def", True),
    ("abc.def", "abcXdef", False),  # "." is escaped for the regexp, and exact anyway
    ("a^b", "a^b", True),  # exact: never reaches the regexp, where ^ would be an anchor
    ("dir/**", "dir/x/y", True),
    ("dir/**", "dir", False),
    ("dir**", "dirt/x", True),  # a prefix, not a directory
    ("**", "", True),
    ("**/dir", "dir", True),
    ("**/dir", "a/b/dir", True),
    ("**/dir", "a/xdir", False),
    ("**file", "myfile", True),  # suffix shortcut: plain text after a leading ** is a suffix
    ("**file", "a/file", True),
    ("**/file*txt", "file.txt", True),
    ("**/**", "anything/at/all", True),
    ("*.md", "a.md", True),
    ("*.md", "docs/a.md", False),
    ("a\\*b", "a*b", True),
    ("a\\\\", "a\\", True),
]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [pytest.param(*c, id=f"{c[0]!r}~{c[1]!r}") for c in STRATEGY_CASES],
)
def test_pattern_matches(pattern: str, path: str, expected: bool) -> None:
    p = compile_pattern(pattern)
    assert p is not None
    assert p.matches(path) is expected


# Where patternmatcher's half-translated regexp meets Go's RE2 parser. Each expectation is
# what RE2 does with the regexp text patternmatcher builds (shown in the comment).
RE2_CASES: list[tuple[str, str, bool | str]] = [
    ("[*]", "]", True),  # ^[[^/]*]$: a class of "[", "^", "/" repeated, then "]"
    ("[*]", "[^/]", True),
    ("[*]", "x", False),
    ("[?]", "/]", True),  # ^[[^/]]$
    ("[?]", "?", False),
    ("a\\d", "a5", True),  # ^a\d$: RE2's digit class
    ("a\\d", "ad", False),
    ("a\\w", "a_", True),
    ("a\\w", "aé", False),  # \w is ASCII in RE2
    ("a\\sb", "a b", True),
    ("a\\sb", "a\vb", False),  # RE2's \s has no \v
    ("a\\tb", "a\tb", True),
    ("a\\tb", "atb", False),
    ("x\\n", "x\n", True),
    ("a\\x41", "aA", True),
    ("a\\101", "aA", True),  # octal
    ("a\\pL", "aé", True),
    ("a\\pL", "a1", False),
    ("a\\PL", "a1", True),
    ("a\\pN", "a\u0663", True),  # ARABIC-INDIC DIGIT THREE
    ("[[:alpha:]]", "q", True),
    ("[[:alpha:]]", "1", False),
    ("[[:^digit:]]", "1", False),
    ("[[:^digit:]]", "z", True),
    ("[\\d]x", "7x", True),
    ("[a\\-z]", "-", True),
    ("[a\\-z]", "m", False),
    ("foo\\b", "foo", True),
    ("foo\\B", "foo", False),
    ("\\Afoo", "foo", True),
    ("a\\zb", "a", False),  # an end anchor in the middle never matches
    ("a\\Qb.c", "ab\\.c$", True),  # \Q quotes the rest, even the "$": a prefix match
    ("a\\Qb.c", "ab\\.c$more", True),
    ("a\\Qb.c", "ab.c", False),
    ("a\\Qb\\E*", "ab", True),
    ("a^b", "a^b", True),  # stays an exact match (the regexp would never match)
    ("[a^]", "^", True),
    ("x$", "x$", True),
    ("dir\\path", "dirpath", ERR),  # \pa is an unknown Unicode class
    ("[Local-Only]", "x", ERR),  # l-O is a reversed range for RE2
    ("[z-a]", "m", ERR),
    ("a\\1", "a1", ERR),  # a lone \1 would be a backreference
    ("a\\8", "a8", ERR),
    ("a\\é", "aé", ERR),  # only ASCII punctuation may be escaped
    ("a\\C", "aC", ERR),
    ("a\\Z", "aZ", ERR),
    ("[\\b]", "b", ERR),
    ("[[:foo:]]", "f", ERR),
    ("a\\x4", "a", ERR),
]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [pytest.param(*c, id=f"{c[0]!r}~{c[1]!r}") for c in RE2_CASES],
)
def test_re2_reading(pattern: str, path: str, expected: bool | str) -> None:
    p = compile_pattern(pattern)  # New() accepts every one of these
    assert p is not None
    if expected == ERR:
        assert p.error is not None
        for _ in range(2):  # and keeps failing, without crashing, on every use
            with pytest.raises(IgnoreFileError) as info:
                p.matches(path)
            assert info.value.message == BAD_PATTERN
    else:
        assert p.error is None
        assert p.matches(path) is expected


def test_error_pattern_is_located_at_its_line() -> None:
    p = compile_pattern("[Local-Only]/", line=4)
    assert p is not None and p.error is not None
    with pytest.raises(IgnoreFileError) as info:
        p.matches("x")
    assert info.value.pos == Position(4, 1)
    assert "l-O" in (info.value.hint or "")


def test_bom_at_pattern_start_is_dropped_by_the_regexp_only() -> None:
    # Go's text/scanner skips a leading BOM while building the regexp...
    kind, regexp = go_regexp("\ufeff*.txt")
    assert (kind, regexp) == (MatchKind.REGEXP, "^[^/]*\\.txt$")
    # ...and the suffix shortcut then cuts two *bytes* off "\ufeff**/foo" (a 3-byte BOM).
    p = compile_pattern("\ufeff**/foo")
    assert p is not None and p.kind is MatchKind.SUFFIX
    assert p.node is None  # not one regexp: only Pattern.matches can test it
    assert p.matches("x\ufeff**/foo")
    assert p.matches("¿**/foo")  # "¿" also ends in the byte 0xBF
    assert not p.matches("a/foo")


def test_every_pattern_tests_its_parents_in_one_pass() -> None:
    for text in ("*.md", "a/b", "dir/**", "**/x", "a\\Qb"):
        p = compile_pattern(text)
        assert p is not None and p.node is not None, text
    # An end anchor in the middle: each parent is matched as a whole string, as Go does.
    p = compile_pattern("a\\zb")
    assert p is not None and p.node is not None
    assert not any(p.matches_or_parent(path) for path in ("a", "a/b", "ab", "a/zb"))


def test_globstar_chains_match_in_linear_time() -> None:
    p = compile_pattern("**/**/**/x")
    assert p is not None and p.node is not None
    assert p.matches("x") and p.matches("a/b/c/x") and not p.matches("a/bx")
    # What a backtracking engine takes seconds for, the automaton reads in one pass.
    many = compile_pattern("**/a/**/a/**/a/**/a/**/b")
    assert many is not None and not many.matches("a/" * 3000 + "c")
    assert not compile_pattern("a*" * 15 + "b").matches("a" * 3000)  # type: ignore[union-attr]
