"""Properties of emu.words that must hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.errors import ExpansionError
from emu.words import Lexer, _Glob, _glob, process_word, process_words

pytestmark = pytest.mark.slow  # hundreds of generated examples per property

# Go's unicode.IsSpace, written out independently of emu.words.
GO_SPACES = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)

# Characters that drive the lexer, weighted in so random text reaches every branch.
INTERESTING = "${}:-+?#%/\\`'\"*?[] _aZ09@!\t\n\ufeff한"

lexers = st.builds(
    Lexer,
    escape=st.sampled_from(["\\", "`"]),
    raw_quotes=st.booleans(),
    raw_escapes=st.booleans(),
    skip_unset_env=st.booleans(),
    skip_process_quotes=st.booleans(),
)
any_text = st.one_of(
    st.text(alphabet=st.sampled_from(INTERESTING), max_size=30),
    st.text(max_size=30),
)
envs = st.dictionaries(
    st.sampled_from(["a", "Z", "_", "a_Z0", "0", "@", "한", ""]),
    any_text,
    max_size=5,
)


@settings(max_examples=1500, deadline=None)
@given(lexer=lexers, word=any_text, env=envs)
def test_any_text_expands_or_raises_expansion_error(
    lexer: Lexer, word: str, env: dict[str, str]
) -> None:
    for call in (lexer.process_word, lexer.process_words):
        try:
            call(word, env)
        except ExpansionError as err:
            assert err.pos is not None
            assert err.pos.line == 1
            assert 1 <= err.pos.column <= len(word) + 1


def _plain(escape: str, quotes: bool = True) -> st.SearchStrategy[str]:
    """Text without "$", the escape character, quotes (unless not special), or a leading BOM."""
    banned = "$" + escape + ("'\"" if quotes else "")
    return st.text(alphabet=st.characters(blacklist_characters=banned), max_size=40).filter(
        lambda s: not s.startswith("\ufeff")
    )


@settings(max_examples=300, deadline=None)
@given(word=_plain("\\"), env=envs)
def test_plain_word_unchanged(word: str, env: dict[str, str]) -> None:
    assert process_word(word, env).value == word


@settings(max_examples=300, deadline=None)
@given(word=_plain("`"), env=envs)
def test_plain_word_unchanged_backtick(word: str, env: dict[str, str]) -> None:
    assert process_word(word, env, escape="`").value == word


@settings(max_examples=200, deadline=None)
@given(word=_plain("\\", quotes=False))
def test_plain_word_unchanged_when_quotes_are_not_special(word: str) -> None:
    assert Lexer(skip_process_quotes=True).process_word(word, {}).value == word


def _go_split(text: str) -> list[str]:
    words: list[str] = []
    current = ""
    for ch in text:
        if ch in GO_SPACES:
            if current:
                words.append(current)
            current = ""
        else:
            current += ch
    if current:
        words.append(current)
    return words


spacey_plain = st.text(
    alphabet=st.one_of(
        st.sampled_from(GO_SPACES + "\x1c\x1d\x1e\x1f"),
        st.characters(blacklist_characters="$\\'\""),
    ),
    max_size=40,
).filter(lambda s: not s.startswith("\ufeff"))


@settings(max_examples=300, deadline=None)
@given(word=spacey_plain)
def test_words_without_specials_split_on_whitespace(word: str) -> None:
    assert list(process_words(word, {}).words) == _go_split(word)


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(name=names, value=st.text(max_size=30))
def test_braced_reference_is_the_value(name: str, value: str) -> None:
    result = process_word("${" + name + "}", {name: value})
    assert result.value == value
    assert result.matched == {name}
    assert result.unmatched == frozenset()


@settings(max_examples=300, deadline=None)
@given(name=names, value=st.text(max_size=30), tail=st.sampled_from(["", "/", ".", "-x", " y"]))
def test_bare_reference_is_the_value(name: str, value: str, tail: str) -> None:
    assert process_word("$" + name + tail, {name: value}).value == value + tail


@settings(max_examples=200, deadline=None)
@given(name=names, default=st.text(alphabet="abc/.: -", max_size=10))
def test_default_used_only_when_unset_or_empty(name: str, default: str) -> None:
    word = "${" + name + ":-" + default + "}"
    assert process_word(word, {}).value == default
    assert process_word(word, {name: ""}).value == default
    assert process_word(word, {name: "v"}).value == "v"


# -- the linear matcher agrees with the regex engine ------------------------------------------

glob_patterns = st.text(alphabet=st.sampled_from("ab*?\n"), max_size=8)
glob_values = st.text(alphabet=st.sampled_from("ab\n"), max_size=12)


@settings(max_examples=1500, deadline=None)
@given(pattern=glob_patterns, value=glob_values, greedy=st.booleans(), pos=st.integers(0, 12))
def test_linear_matcher_agrees_with_regex(pattern: str, value: str, greedy: bool, pos: int) -> None:
    glob = _glob(pattern, greedy)
    assert isinstance(glob, _Glob)
    m = glob.regex.match(value)
    assert glob._pike(value, 0, anchored=True) == (None if m is None else (0, m.end()))
    pos = min(pos, len(value))
    m = glob.regex.search(value, pos)
    assert glob._pike(value, pos, anchored=False) == (None if m is None else m.span())


def test_many_stars_stay_fast() -> None:
    # Backtracking would take minutes here; Go's RE2 (and our fallback) is linear.
    value = "a" * 400
    assert process_word("${v#" + "*a" * 8 + "*b}", {"v": value}).value == value
    assert process_word("${v%%" + "a*" * 8 + "}", {"v": value}).value == ""
    assert process_word("${v//" + "*a" * 6 + "/-}", {"v": value + "\n" + value}).value == "-\n-"
