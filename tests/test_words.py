"""emu.words against BuildKit's own shell-lexer data (read in place) and our own cases."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from _conformance import conformance_root, missing_param, require_conformance

from emu.errors import ExpansionError
from emu.pos import Position
from emu.words import Lexer, WordResult, WordsResult, process_word, process_words

SHELL_DIR = ("frontend", "dockerfile", "shell")
ENV_VAR_TEST = (*SHELL_DIR, "envVarTest")
WORDS_TEST = (*SHELL_DIR, "wordsTest")
CASES_JSON = ("shell", "process_word_cases.json")

# The environment TestShellParser4EnvVars uses.
ENV_VAR_TEST_ENV = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}


def _path(parts: tuple[str, ...]) -> Path:
    return conformance_root().joinpath(*parts)


def _env_from_list(entries: list[str]) -> dict[str, str]:
    """KEY=VALUE entries as BuildKit reads them: split at the first "=", later wins."""
    env: dict[str, str] = {}
    for entry in entries:
        key, _, value = entry.partition("=")
        env[key] = value
    return env


# -- frontend/dockerfile/shell/envVarTest --------------------------------------------------


def _env_var_cases() -> list[Any]:
    path = _path(ENV_VAR_TEST)
    if not path.exists():
        return [missing_param(*ENV_VAR_TEST)]
    params: list[Any] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        fields = line.split("|")
        assert len(fields) == 3, f"envVarTest line {lineno}: {line!r}"
        platform, source, expected = (f.strip() for f in fields)
        if platform == "W":  # Windows only: names are case-insensitive there
            continue
        assert platform in ("A", "U"), f"envVarTest line {lineno}: platform {platform!r}"
        params.append(pytest.param((source, expected), id=f"envVarTest:{lineno}"))
    return params


ENV_VAR_CASES = _env_var_cases()


@pytest.mark.parametrize("case", ENV_VAR_CASES)
def test_env_var_test(case: tuple[str, str]) -> None:
    source, expected = case
    if expected == "error":
        with pytest.raises(ExpansionError):
            process_word(source, ENV_VAR_TEST_ENV)
    else:
        assert process_word(source, ENV_VAR_TEST_ENV).value == expected


def test_env_var_test_is_complete() -> None:
    require_conformance(*ENV_VAR_TEST)
    assert len(ENV_VAR_CASES) == 228  # 230 cases, 2 of them Windows-only


# -- frontend/dockerfile/shell/wordsTest ----------------------------------------------------


def _words_cases() -> list[Any]:
    path = _path(WORDS_TEST)
    if not path.exists():
        return [missing_param(*WORDS_TEST)]
    params: list[Any] = []
    env_entries: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith("#"):
            continue
        if line.startswith("ENV "):
            env_entries.append(line[3:].lstrip(" "))  # trailing spaces are significant
            continue
        if not line:  # the final newline
            continue
        fields = line.split("|")
        assert len(fields) == 2, f"wordsTest line {lineno}: {line!r}"
        source = fields[0].strip()
        expected = fields[1].lstrip(" ").split(",")
        env = _env_from_list(env_entries)
        params.append(pytest.param((source, env, expected), id=f"wordsTest:{lineno}"))
    return params


WORDS_CASES = _words_cases()


@pytest.mark.parametrize("case", WORDS_CASES)
def test_words_test(case: tuple[str, dict[str, str], list[str]]) -> None:
    source, env, expected = case
    if expected == ["error"]:
        with pytest.raises(ExpansionError):
            process_words(source, env)
    else:
        assert list(process_words(source, env).words) == expected


def test_words_test_is_complete() -> None:
    require_conformance(*WORDS_TEST)
    assert len(WORDS_CASES) == 24


# -- shell/process_word_cases.json ----------------------------------------------------------


def _json_cases(section: str) -> list[Any]:
    path = _path(CASES_JSON)
    if not path.exists():
        return [missing_param(*CASES_JSON)]
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        pytest.param(case, id=f"{section}[{index}]:{case['input']}")
        for index, case in enumerate(data[section])
    ]


@pytest.mark.parametrize("case", _json_cases("process_with_matches"))
def test_process_with_matches(case: dict[str, Any]) -> None:
    envs: dict[str, str] = case["envs"]
    if case.get("not_guaranteed"):
        # BuildKit only promises these partial inputs do not crash.
        with contextlib.suppress(ExpansionError):
            process_word(case["input"], envs)
        return
    if case.get("expected_error"):
        with pytest.raises(ExpansionError):
            process_word(case["input"], envs)
        return
    result = process_word(case["input"], envs)
    assert result == WordResult(
        case["expected"], frozenset(case["matched"]), frozenset(case["unmatched"])
    )


@pytest.mark.parametrize("case", _json_cases("mandatory_env_vars"))
def test_mandatory_env_vars(case: dict[str, Any]) -> None:
    env = _env_from_list(case["env"])
    if "expected_error_contains" in case:
        with pytest.raises(ExpansionError) as info:
            process_word(case["input"], env)
        assert case["expected_error_contains"] in info.value.message
    else:
        assert process_word(case["input"], env).value == case["expected"]


@pytest.mark.parametrize("case", _json_cases("platform_release_name"))
def test_platform_release_name(case: dict[str, Any]) -> None:
    assert process_word(case["input"], case["envs"]).value == case["expected"]


def test_json_cases_are_complete() -> None:
    path = require_conformance(*CASES_JSON)
    data = json.loads(path.read_text(encoding="utf-8"))
    for section, count in data["counts"].items():
        assert len(data[section]) == count, section


# -- our own cases ----------------------------------------------------------------------------

BACKTICK = Lexer(escape="`")

# (id, lexer, word, env, expected value)
VALUE_CASES: list[tuple[str, Lexer, str, Mapping[str, str], str]] = [
    # escape character `
    ("bt-escapes-dollar", BACKTICK, "a`$b", {"b": "x"}, "a$b"),
    ("bt-backslash-literal", BACKTICK, "C:\\path\\$X", {"X": "v"}, "C:\\path\\v"),
    ("bt-backslash-before-name", BACKTICK, "C:\\dir\\${X}", {"X": "v"}, "C:\\dir\\v"),
    ("bt-double-backtick", BACKTICK, "a``b", {}, "a`b"),
    ("bt-trailing", BACKTICK, "trail`", {}, "trail"),
    ("bt-in-double-quotes", BACKTICK, '"a`"b`$c"', {}, 'a"b$c'),
    ("bt-backslash-in-double-quotes", BACKTICK, '"a\\"', {}, "a\\"),
    ("bt-other-in-double-quotes", BACKTICK, '"a`b"', {}, "a`b"),
    ("bt-pattern-backslash", BACKTICK, "${v#\\*}", {"v": "**x"}, "*x"),
    # backslash escapes
    ("bs-in-double-quotes-kept", Lexer(), '"a\\b"', {}, "a\\b"),
    ("bs-escaped-quote", Lexer(), '"a\\"b"', {}, 'a"b'),
    ("bs-escaped-brace-in-default", Lexer(), "${u:-a\\}b}", {}, "a}b"),
    # quotes
    ("single-quotes-literal", Lexer(), "'$X \\'", {"X": "1"}, "$X \\"),
    ("quotes-in-default", Lexer(), "${u:-'}'}", {}, "}"),
    ("raw-quotes", Lexer(raw_quotes=True), "'a b'\"$X\"", {"X": "1"}, "'a b'\"1\""),
    ("skip-process-quotes", Lexer(skip_process_quotes=True), "'$X'\"a", {"X": "1"}, "'1'\"a"),
    # raw escapes
    ("raw-escapes", Lexer(raw_escapes=True), "a\\$b\\\\", {}, "a\\$b\\\\"),
    ("raw-escapes-not-in-default", Lexer(raw_escapes=True), "${u:-\\a}", {}, "a"),
    ("raw-escapes-double-quote-twice", Lexer(raw_escapes=True), '"a\\b"', {}, "a\\\\b"),
    # skip_unset_env keeps references to unset variables as written
    (
        "skip-unset",
        Lexer(skip_unset_env=True),
        "$U ${U} ${U:-d} ${U+$S} ${U#x} $S",
        {"S": "s"},
        "$U ${U} ${U:-d} ${U+s} ${U#x} s",
    ),
    ("skip-unset-no-error", Lexer(skip_unset_env=True), "${U:?boom}", {}, "${U:?boom}"),
    ("skip-unset-bad-modifier", Lexer(skip_unset_env=True), "${U:Y}", {}, "${U:Y}"),
    ("skip-unset-replace-all-loses-slash", Lexer(skip_unset_env=True), "${U//a/b}", {}, "${U/a/b}"),
    # names
    ("dollar-before-space", Lexer(), "$ x", {}, "$ x"),
    ("dollar-at-end", Lexer(), "a$", {}, "a$"),
    ("dollar-zero", Lexer(), "$0abc", {"0": "z"}, "zabc"),
    ("special-dash", Lexer(), "$-x", {}, "x"),
    ("special-hash-braced", Lexer(), "${#}", {}, ""),
    ("unicode-name", Lexer(), "$été/x", {"été": "1"}, "1/x"),
    ("unicode-digit-in-name", Lexer(), "$x١y", {"x١y": "ok"}, "ok"),
    ("leading-bom-dropped", Lexer(), "\ufeffa$X", {"X": "1"}, "a1"),
    ("leading-bom-dropped-plain", Lexer(), "\ufeffabc", {}, "abc"),
    ("inner-bom-kept", Lexer(), "a\ufeff", {}, "a\ufeff"),
    # modifiers
    ("dash-set-empty", Lexer(), "${E-d}|${E:-d}", {"E": ""}, "|d"),
    ("plus-set-empty", Lexer(), "${E+p}|${E:+p}", {"E": ""}, "p|"),
    ("question-set", Lexer(), "${E?m}", {"E": ""}, ""),
    ("prefix-short", Lexer(), "${v#*/}", {"v": "a/b/c"}, "b/c"),
    ("prefix-long", Lexer(), "${v##*/}", {"v": "a/b/c"}, "c"),
    ("suffix-short", Lexer(), "${v%/*}", {"v": "a/b/c"}, "a/b"),
    ("suffix-long", Lexer(), "${v%%/*}", {"v": "a/b/c"}, "a"),
    ("suffix-question", Lexer(), "${v%.???}", {"v": "f.tar.bz2"}, "f.tar"),
    ("prefix-no-match", Lexer(), "${v#x}", {"v": "abc"}, "abc"),
    ("prefix-unset", Lexer(), "${v#x}", {}, ""),
    ("brackets-are-literal", Lexer(), "${v#[ab]}", {"v": "[ab]c"}, "c"),
    ("brackets-do-not-match-class", Lexer(), "${v#[ab]}", {"v": "ac"}, "ac"),
    ("star-does-not-cross-newline", Lexer(), "${v#*x}", {"v": "a\nbx"}, "a\nbx"),
    ("replace-first", Lexer(), "${v/o/0}", {"v": "foo"}, "f0o"),
    ("replace-all", Lexer(), "${v//o/0}", {"v": "foo"}, "f00"),
    ("replace-escaped-slash", Lexer(), "${v//\\//-}", {"v": "a/b"}, "a-b"),
    ("replace-star-greedy", Lexer(), "${v/b*/-}", {"v": "abcb"}, "a-"),
    # Go's ReplaceAllString: no replacement for an empty match right after a match
    ("replace-all-empty-after-match", Lexer(), "${v//*/-}", {"v": "abc"}, "-"),
    ("replace-all-empty-pattern", Lexer(), "${v//$E/-}", {"v": "ab", "E": ""}, "-a-b-"),
    # ... and its $-template in the replacement ("//" only)
    ("replace-all-template-0", Lexer(), "${v//b/$R}", {"v": "abc", "R": "<$0>"}, "a<b>c"),
    ("replace-all-template-brace", Lexer(), "${v//b/$R}", {"v": "abc", "R": "${0}"}, "abc"),
    ("replace-all-template-other", Lexer(), "${v//b/$R}", {"v": "abc", "R": "$1$x"}, "ac"),
    ("replace-all-template-dollars", Lexer(), "${v//b/$R}", {"v": "abc", "R": "$$"}, "a$c"),
    ("replace-all-template-bad", Lexer(), "${v//b/$R}", {"v": "abc", "R": "${0"}, "a${0c"),
    ("replace-first-no-template", Lexer(), "${v/b/$R}", {"v": "abc", "R": "<$0>"}, "a<$0>c"),
    ("nested-defaults", Lexer(), "${a:-${b:-${c:-deep}}}", {}, "deep"),
]


@pytest.mark.parametrize(
    ("lexer", "word", "env", "expected"),
    [pytest.param(lx, w, e, x, id=i) for i, lx, w, e, x in VALUE_CASES],
)
def test_values(lexer: Lexer, word: str, env: Mapping[str, str], expected: str) -> None:
    assert lexer.process_word(word, env).value == expected


# (id, lexer, word, env, expected words)
WORDS_EXTRA: list[tuple[str, Lexer, str, Mapping[str, str], tuple[str, ...]]] = [
    ("empty-quotes-vanish", Lexer(), 'a "" b', {}, ("a", "b")),
    ("quoted-space-kept", Lexer(), '"a  b"c', {}, ("a  bc",)),
    ("escaped-space-kept", Lexer(), "a\\ b", {}, ("a b",)),
    ("expansion-splits", Lexer(), "x$V", {"V": " a  b "}, ("x", "a", "b")),
    ("go-unicode-space", Lexer(), "a\u3000b\xa0c", {}, ("a", "b", "c")),
    ("not-go-space", Lexer(), "a\x1cb", {}, ("a\x1cb",)),
    ("only-spaces", Lexer(), "  \t ", {}, ()),
    ("skip-process-quotes", Lexer(skip_process_quotes=True), '"a b"', {}, ('"a', 'b"')),
    ("backtick-escaped-space", BACKTICK, "a` b", {}, ("a b",)),
    # quirk: a nested ${v<modifier>...} scan empties the shared word buffer
    ("quirk-prefix-lost", Lexer(), "ab${x:-c}d", {}, ("cd",)),
    ("quirk-prefix-lost-in-quotes", Lexer(), 'ab"${x:-c}"d', {}, ("cd",)),
    ("quirk-word-lost", Lexer(), "ab${x:-}", {}, ()),
    ("quirk-earlier-words-kept", Lexer(), "a b${x:-c d}e", {}, ("a", "c", "de")),
    ("plain-braces-unaffected", Lexer(), "ab${x}d", {"x": "c"}, ("abcd",)),
]


@pytest.mark.parametrize(
    ("lexer", "word", "env", "expected"),
    [pytest.param(lx, w, e, x, id=i) for i, lx, w, e, x in WORDS_EXTRA],
)
def test_words_extra(
    lexer: Lexer, word: str, env: Mapping[str, str], expected: tuple[str, ...]
) -> None:
    assert lexer.process_words(word, env).words == expected


# (id, lexer, word, env, message, column)
ERROR_CASES: list[tuple[str, Lexer, str, Mapping[str, str], str, int]] = [
    ("bad-subst-empty", Lexer(), "he${}", {}, "syntax error: bad substitution", 5),
    ("bad-subst-brace", Lexer(), "${{a}", {}, "syntax error: bad substitution", 3),
    ("bad-subst-colon", Lexer(), "x${:-a}", {}, "syntax error: bad substitution", 4),
    ("missing-brace-at-open", Lexer(), "x${", {}, "syntax error: missing '}'", 2),
    ("missing-brace-in-default", Lexer(), "a${b:-c", {}, "syntax error: missing '}'", 2),
    ("missing-brace-after-colon", Lexer(), "${a:", {}, "syntax error: missing '}'", 1),
    (
        "missing-brace-after-inner-error",
        Lexer(),
        "${a:-${b:?x}",
        {},
        "syntax error: missing '}'",
        1,
    ),
    ("missing-brace-quote-inside", Lexer(), "${a:-'x}", {}, "syntax error: missing '}'", 1),
    ("missing-slash", Lexer(), "${v/a", {}, "syntax error: missing '/' in ${}", 1),
    ("missing-brace-replace", Lexer(), "${v/a/b", {}, "syntax error: missing '}'", 1),
    (
        "single-quote",
        Lexer(),
        "ab'cd",
        {},
        "unexpected end of statement while looking for matching single-quote",
        3,
    ),
    (
        "double-quote",
        Lexer(),
        'x"y',
        {},
        "unexpected end of statement while looking for matching double-quote",
        2,
    ),
    (
        "double-quote-trailing-escape",
        Lexer(),
        '"a\\',
        {},
        "unexpected end of statement while looking for matching double-quote",
        1,
    ),
    ("name-then-end", Lexer(), "x${a", {}, "unsupported modifier (\ufffd) in substitution", 5),
    ("bad-name-char", Lexer(), "${.}", {}, "unsupported modifier (.) in substitution", 3),
    ("assign", Lexer(), "${v:=x}", {}, "unsupported modifier (:=) in substitution", 4),
    ("assign-no-colon", Lexer(), "${v=x}", {}, "unsupported modifier (=) in substitution", 4),
    (
        "colon-prefix",
        Lexer(),
        "${v:#x}",
        {"v": "x"},
        "unsupported modifier (:#) in substitution",
        4,
    ),
    (
        "colon-suffix",
        Lexer(),
        "${v:%%x}",
        {"v": "x"},
        "unsupported modifier (:%) in substitution",
        4,
    ),
    (
        "substring",
        Lexer(),
        "${v:1:2}",
        {"v": "abc"},
        "unsupported modifier (:1) in substitution",
        4,
    ),
    (
        "colon-slash",
        Lexer(),
        "${v:/a/b}",
        {"v": "abc"},
        "unsupported modifier (:/) in substitution",
        4,
    ),
    ("unset-default", Lexer(), "p${v?}", {}, "v: is not allowed to be unset", 2),
    ("empty-default", Lexer(), "p${v:?}", {"v": ""}, "v: is not allowed to be empty", 2),
    ("unset-message", Lexer(), "${v:?custom error}", {}, "v: custom error", 1),
    ("inner-check", Lexer(), "${a:-${b:?inner}}", {}, "b: inner", 6),
    (
        "invalid-escape",
        Lexer(),
        "${v#a\\x}",
        {"v": "a"},
        "invalid pattern (a\\x) in substitution: invalid escape '\\x'",
        1,
    ),
    # quirk: the suffix pattern is reported reversed
    (
        "invalid-escape-suffix",
        Lexer(),
        "${v%'a\\'}",
        {"v": "a"},
        "invalid pattern (\\a) in substitution: invalid escape '\\a'",
        1,
    ),
    (
        "invalid-escape-at-end",
        Lexer(),
        "${v#'a\\'}",
        {"v": "a"},
        "invalid pattern (a\\) in substitution: invalid escape '\\\ufffd'",
        1,
    ),
    (
        "invalid-escape-replace",
        Lexer(),
        "${v/\\x/y}",
        {"v": "a"},
        "invalid pattern (\\x) in substitution: invalid escape '\\x'",
        1,
    ),
    (
        "bom-offsets-kept",
        Lexer(),
        "\ufeff'",
        {},
        "unexpected end of statement while looking for matching single-quote",
        2,
    ),
]


@pytest.mark.parametrize(
    ("lexer", "word", "env", "message", "column"),
    [pytest.param(lx, w, e, m, c, id=i) for i, lx, w, e, m, c in ERROR_CASES],
)
def test_errors(lexer: Lexer, word: str, env: Mapping[str, str], message: str, column: int) -> None:
    for call in (lexer.process_word, lexer.process_words):
        with pytest.raises(ExpansionError) as info:
            call(word, env)
        assert info.value.message == message
        assert info.value.pos == Position(1, column)


def test_matches_are_recorded_even_for_defaults() -> None:
    # The default word is expanded (and its names looked up) whatever the variable holds.
    result = process_word("${A:-$B}${C+$D}", {"A": "a", "D": "d"})
    assert result == WordResult("a", frozenset({"A", "D"}), frozenset({"B", "C"}))


def test_words_result_carries_matches() -> None:
    result = process_words("$A ${B:-x y}", {"A": "1 2"})
    assert result == WordsResult(("1", "2", "x", "y"), frozenset({"A"}), frozenset({"B"}))


def test_module_functions_take_escape() -> None:
    assert process_word("a`$X", {"X": "1"}, escape="`").value == "a$X"
    assert process_words("a` b c", {}, escape="`").words == ("a b", "c")


def test_plain_word_is_returned_as_is() -> None:
    word = "/usr/local/bin/python3"
    result = process_word(word, {})
    assert result.value is word
    assert result.matched == result.unmatched == frozenset()


def test_lexer_rejects_bad_escape() -> None:
    with pytest.raises(ValueError):
        Lexer(escape="")
    with pytest.raises(ValueError):
        Lexer(escape="ab")


def test_lexer_is_a_value() -> None:
    assert Lexer(escape="`") == BACKTICK
    assert hash(Lexer()) == hash(Lexer())
