"""Variable expansion and word splitting for Dockerfile words, as BuildKit does it.

This is a re-implementation of the rules of BuildKit's shell lexer
(``frontend/dockerfile/shell``): ``$VAR`` and ``${VAR}`` with the modifiers
``-`` ``:-`` ``+`` ``:+`` ``?`` ``:?`` ``#`` ``##`` ``%`` ``%%`` ``/`` ``//``;
single quotes (fully literal), double quotes (the escape character only escapes
``"``, ``$`` and itself), the escape character (backslash or backtick) outside quotes;
and, for :meth:`Lexer.process_words`, splitting the result into words on
whitespace that came from literal text or from expansions (never from quotes or
escapes).

It is *not* a shell: there is no command substitution, arithmetic, globbing of
file names, ``${#v}``, ``${v:=w}`` or ``${v:off:len}`` (those are errors, as in
BuildKit). Where BuildKit has quirks, they are kept on purpose, since the point
is to expand exactly as ``docker build`` would; each one is marked ``quirk:``
below.

Every result also says which variable names were looked up and found
(``matched``) and looked up and unset (``unmatched``); the UndefinedVar check
needs them.

Errors are :class:`~emu.errors.ExpansionError` with BuildKit's message (without
the ``failed to process "WORD":`` prefix BuildKit adds at the outermost level)
and ``pos = Position(1, offset + 1)``, where ``offset`` indexes into the word:

* an unterminated quote points at the opening quote;
* an unterminated ``${`` (``missing '}'``, ``missing '/' in ${}``), a failed
  ``?`` check and a bad pattern point at the ``$`` that starts the expansion;
* a bad character after ``${`` (``bad substitution``) and an unsupported
  modifier point at that character (one past the end when the word ends there).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping
from functools import lru_cache
from typing import Final, NoReturn

from emu.errors import ExpansionError
from emu.pos import Position
from emu.records import field, record

__all__ = [
    "Lexer",
    "WordResult",
    "WordsResult",
    "process_word",
    "process_words",
]

# Go prints the "character" read at end of input (rune -1) as U+FFFD, so an error
# about a modifier missing at the end of the word shows this (quirk).
_EOF_RUNE: Final = "\ufffd"

# POSIX special parameters; BuildKit reads each as a one-character name.
_SPECIAL_PARAMS: Final = frozenset("@*#?-$!0")

# Go's unicode.IsSpace, which differs from str.isspace (no U+001C..U+001F).
_GO_SPACE_CLASS: Final = (
    "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
_SPACE_RUN: Final = re.compile(f"[{_GO_SPACE_CLASS}]+")
_NON_SPACE_RUN: Final = re.compile(f"[^{_GO_SPACE_CLASS}]+")

_ASCII_NAME_CHARS: Final = re.compile(r"[A-Za-z0-9_]*")
_BOM: Final = "\ufeff"
_NOTHING: Final[frozenset[str]] = frozenset()


@record(frozen=True, slots=True)
class WordResult:
    """One expanded word and the variable names it looked up."""

    value: str
    matched: frozenset[str]
    unmatched: frozenset[str]


@record(frozen=True, slots=True)
class WordsResult:
    """An expanded word split into words, and the variable names it looked up."""

    words: tuple[str, ...]
    matched: frozenset[str]
    unmatched: frozenset[str]


# A word may not expand past this many characters: BuildKit has no such limit, but emu holds
# words in memory, and twenty ``ARG A=$A$A`` lines would otherwise ask for gigabytes.
MAX_WORD: Final = 1 << 24

# A step of the lexer: a generator that yields the sub-steps it needs (a nested ``${…}``,
# a quoted string) and gets their text back, and returns its own. :func:`_drive` runs them
# with an explicit stack, so a 1,000-deep ``${a:-${b:-…}}`` is data, not Python's stack.
_Expansion = Generator["_Expansion", str, str]


def _drive(top: _Expansion) -> str:
    stack = [top]
    value: str | None = None
    error: BaseException | None = None
    while True:
        step = stack[-1]
        try:
            if error is not None:
                failure, error = error, None
                request = step.throw(failure)
            else:
                request = step.send(value)  # type: ignore[arg-type]  # None starts a step
        except StopIteration as done:
            stack.pop()
            if not stack:
                result: str = done.value
                return result
            value = done.value
            continue
        except Exception as exc:
            stack.pop()
            if not stack:
                raise
            error = exc  # handed to the step that asked, as a raise would be
            continue
        stack.append(request)
        value = None


def _grown(size: int, piece: str, at: int) -> int:
    size += len(piece)
    if size > MAX_WORD:
        _fail(
            f"the expansion is too long (more than {MAX_WORD} characters): emu holds words in "
            "memory",
            at,
        )
    return size


def _error(message: str, offset: int) -> ExpansionError:
    return ExpansionError(message, pos=Position(1, offset + 1))


def _fail(message: str, offset: int) -> NoReturn:
    raise _error(message, offset)


def _unsupported(modifier: str) -> str:
    return f"unsupported modifier ({modifier}) in substitution"


def _finder(chars: str) -> re.Pattern[str]:
    """A regex finding the next of ``chars`` (duplicates and empties ignored)."""
    unique = sorted({c for c in chars if c})
    return re.compile("[" + "".join(re.escape(c) for c in unique) + "]")


@record(frozen=True, slots=True)
class Lexer:
    """BuildKit's word lexer with its options (immutable, so safe to share).

    ``escape`` is the Dockerfile escape character (backslash or backtick);
    ``raw_quotes`` keeps quote characters in the result; ``raw_escapes`` keeps
    escape characters; ``skip_unset_env`` leaves references to unset variables
    as written; ``skip_process_quotes`` treats quotes as ordinary characters.
    """

    escape: str = "\\"
    raw_quotes: bool = False
    raw_escapes: bool = False
    skip_unset_env: bool = False
    skip_process_quotes: bool = False
    # Precomputed scanners: the next character that needs attention, per stop char.
    _top: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _until_brace: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _until_slash: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _in_double: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.escape) != 1:
            raise ValueError(f"escape must be one character, not {self.escape!r}")
        base = "$" + self.escape + ("" if self.skip_process_quotes else "'\"")
        object.__setattr__(self, "_top", _finder(base))
        object.__setattr__(self, "_until_brace", _finder(base + "}"))
        object.__setattr__(self, "_until_slash", _finder(base + "/"))
        object.__setattr__(self, "_in_double", _finder('"$' + self.escape))

    def process_word(self, word: str, env: Mapping[str, str]) -> WordResult:
        """Expand ``word`` as one word (BuildKit's ProcessWord / ProcessWordWithMatches)."""
        start = _prepare(word)
        if self._top.search(word, start) is None:
            return WordResult(word[start:] if start else word, _NOTHING, _NOTHING)
        run = _Run(self, word, start, env, split=False)
        value = _drive(run.scan("", self.raw_escapes))
        return WordResult(value, frozenset(run.matched), frozenset(run.unmatched))

    def process_words(self, word: str, env: Mapping[str, str]) -> WordsResult:
        """Expand ``word`` and split it into words (BuildKit's ProcessWords)."""
        start = _prepare(word)
        if self._top.search(word, start) is None:
            return WordsResult(tuple(_NON_SPACE_RUN.findall(word, start)), _NOTHING, _NOTHING)
        run = _Run(self, word, start, env, split=True)
        _drive(run.scan("", self.raw_escapes))
        return WordsResult(tuple(run.words), frozenset(run.matched), frozenset(run.unmatched))


def _prepare(word: str) -> int:
    """Where scanning starts.

    quirk: Go's text/scanner skips a byte-order mark at the very start of its
    input, so BuildKit drops a leading U+FEFF from every word.
    """
    return 1 if word.startswith(_BOM) else 0


@lru_cache(maxsize=8)
def _default_lexer(escape: str) -> Lexer:
    return Lexer(escape=escape)


def process_word(word: str, env: Mapping[str, str], *, escape: str = "\\") -> WordResult:
    """Expand one word with default options (see :meth:`Lexer.process_word`)."""
    return _default_lexer(escape).process_word(word, env)


def process_words(word: str, env: Mapping[str, str], *, escape: str = "\\") -> WordsResult:
    """Expand and split a word with default options (see :meth:`Lexer.process_words`)."""
    return _default_lexer(escape).process_words(word, env)


class _Words:
    """Word-splitting state of one scan level (BuildKit's wordsStruct).

    ``buf`` holds the word being built. quirk: BuildKit shares that buffer
    between the outer scan and the nested scans of ``${v<modifier>...}``, and a
    nested scan empties it, so text gathered just before such an expansion is
    lost from ``process_words`` (``ab${x:-c}d`` splits to ``["cd"]``).
    """

    __slots__ = ("buf", "in_word", "words")

    def __init__(self, buf: list[str]) -> None:
        self.buf = buf
        self.words: list[str] = []
        self.in_word = False

    def add_text(self, text: str) -> None:
        """Literal text or an expansion: whitespace ends the current word."""
        buf = self.buf
        pos = 0
        for m in _SPACE_RUN.finditer(text):
            if m.start() > pos:
                buf.append(text[pos : m.start()])
                self.in_word = True
            # A word that is "in progress" but empty (after "") is not emitted.
            if self.in_word and buf:
                self.words.append("".join(buf))
                buf.clear()
                self.in_word = False
            pos = m.end()
        if pos < len(text):
            buf.append(text[pos:])
            self.in_word = True

    def add_raw(self, text: str) -> None:
        """Quoted or escaped text: kept whole, whitespace included."""
        if text:
            self.buf.append(text)
        self.in_word = True

    def finish(self) -> list[str]:
        if self.buf:
            self.words.append("".join(self.buf))
            self.buf.clear()
            self.in_word = False
        return self.words


@record(frozen=True, slots=True)
class _Head:
    """``${NAME<modifier>…}`` read up to the modifier's word."""

    name: str
    op: str  # "-", "+", "?", "#", "%", "replace" (``${NAME/…}``) or what follows a ":"
    null_is_unset: bool  # a ":" before the op
    modifier: str  # as written, for messages and skip_unset_env
    start: int  # where the "$" is
    modifier_at: int  # where the modifier is


class _Run:
    """One expansion of one word: a cursor ``i`` over ``s`` plus what was looked up.

    ``i`` always sits where Go's scanner would, because BuildKit decides whether
    to report ``missing '}'`` by whether the scanner is at the end of the word
    when a nested error surfaces.
    """

    __slots__ = (
        "env",
        "esc",
        "i",
        "lex",
        "matched",
        "n",
        "s",
        "split",
        "unmatched",
        "wbuf",
        "words",
    )

    def __init__(
        self, lex: Lexer, word: str, start: int, env: Mapping[str, str], *, split: bool
    ) -> None:
        self.lex = lex
        self.s = word
        self.n = len(word)
        self.i = start
        self.env = env
        self.esc = lex.escape
        self.split = split
        self.matched: set[str] = set()
        self.unmatched: set[str] = set()
        self.wbuf: list[str] = []
        self.words: list[str] = []

    def lookup(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            self.unmatched.add(name)
        else:
            self.matched.add(name)
        return value

    # -- the main loop (BuildKit's processStopOn) --------------------------------------

    def scan(self, stop: str, raw_escapes: bool) -> _Expansion:
        """Expand up to ``stop`` (consumed) or, when ``stop`` is "", to the end."""
        s, n, lex = self.s, self.n, self.lex
        if stop == "}":
            finder = lex._until_brace
        elif stop == "/":
            finder = lex._until_slash
        else:
            finder = lex._top
        quotes = not lex.skip_process_quotes
        words: _Words | None = None
        if self.split:
            if stop:
                self.wbuf.clear()  # quirk: see _Words
            else:
                words = _Words(self.wbuf)
        out: list[str] = []
        size = 0
        i = self.i
        while i < n:
            m = finder.search(s, i)
            j = n if m is None else m.start()
            if j > i:
                chunk = s[i:j]
                out.append(chunk)
                if words is not None:
                    words.add_text(chunk)
                if j >= n:
                    break
                i = j
            c = s[i]
            if c == stop:
                self.i = i + 1
                return "".join(out)
            if c == "$":
                self.i = i
                piece = self.plain_dollar()
                if piece is None:
                    piece = yield self.dollar()
                size = _grown(size, piece, i)
                out.append(piece)
                if words is not None:
                    words.add_text(piece)
            elif quotes and (c == "'" or c == '"'):
                self.i = i
                if c == "'":
                    piece = self.single_quoted()
                else:
                    piece = yield self.double_quoted(raw_escapes)
                    size = _grown(size, piece, i)
                out.append(piece)
                if words is not None:
                    words.add_raw(piece)
            else:  # the escape character: the next character is taken literally
                if raw_escapes:
                    out.append(c)
                    if words is not None:
                        words.add_raw(c)
                if i + 1 >= n:  # a trailing escape character only survives as raw
                    break
                c = s[i + 1]
                out.append(c)
                if words is not None:
                    words.add_raw(c)
                self.i = i + 2
            i = self.i
        self.i = n
        if stop:
            # Always turned into "missing '}'"/"missing '/'" by the caller.
            _fail(f"unexpected end of statement while looking for matching {stop}", n)
        if words is not None:
            self.words = words.finish()
        return "".join(out)

    # -- quotes ----------------------------------------------------------------------

    def single_quoted(self) -> str:
        s, start = self.s, self.i
        end = s.find("'", start + 1)
        if end < 0:
            self.i = self.n
            _fail("unexpected end of statement while looking for matching single-quote", start)
        self.i = end + 1
        return s[start : end + 1] if self.lex.raw_quotes else s[start + 1 : end]

    def double_quoted(self, raw_escapes: bool) -> _Expansion:
        s, n, esc = self.s, self.n, self.esc
        start = self.i
        raw_quotes = self.lex.raw_quotes
        finder = self.lex._in_double
        out: list[str] = ['"'] if raw_quotes else []
        size = 0
        i = start + 1
        while True:
            m = finder.search(s, i)
            if m is None:
                self.i = n
                _fail("unexpected end of statement while looking for matching double-quote", start)
            j = m.start()
            if j > i:
                out.append(s[i:j])
            c = s[j]
            if c == '"':
                if raw_quotes:
                    out.append(c)
                self.i = j + 1
                return "".join(out)
            if c == "$":
                self.i = j
                piece = self.plain_dollar()
                if piece is None:
                    piece = yield self.dollar()
                size = _grown(size, piece, j)
                out.append(piece)
                i = self.i
                continue
            # The escape character escapes only `"`, `$` and itself; before
            # anything else it stays (quirk: twice over with raw escapes).
            if raw_escapes:
                out.append(c)
            if j + 1 >= n:
                i = n  # dropped; the missing closing quote is reported next
                continue
            following = s[j + 1]
            if following == '"' or following == "$" or following == esc:
                out.append(following)
                i = j + 2
            else:
                out.append(c)
                i = j + 1

    # -- $ expansions (BuildKit's processDollar) -----------------------------------------

    def plain_dollar(self) -> str | None:
        """The expansion at ``self.i`` when it needs no step of its own (``$NAME``,
        ``${NAME}``, a modifier whose word is plain text: most are); None, with nothing
        read, for the others."""
        start = self.i
        head = self._head()
        if isinstance(head, str):
            return head
        if head.op != "replace":
            word = self._plain_word()
            if word is not None:
                return self._modified(head, word)
        self.i = start
        return None

    def dollar(self) -> _Expansion:
        head = self._head()
        if isinstance(head, str):
            return head
        if head.op == "replace":
            return (yield self.replace(head.name, head.start))
        # The word is expanded before the variable is looked at (so its own
        # lookups count), with escapes kept raw for patterns.
        trims = head.op == "#" or head.op == "%"
        word = yield self.nested("}", trims, head.start, "syntax error: missing '}'")
        return self._modified(head, word)

    def _plain_word(self) -> str | None:
        """A modifier's word up to its ``}`` when it holds nothing to expand or unquote."""
        m = self.lex._until_brace.search(self.s, self.i)
        if m is None or m.group() != "}":
            return None
        word = self.s[self.i : m.start()]
        self.i = m.end()
        if self.split:
            self.wbuf.clear()  # quirk: as the nested scan it stands for would (see _Words)
        return word

    def _head(self) -> str | _Head:
        """BuildKit's processDollar up to the modifier's word: the whole expansion when there
        is no modifier, else what the word is for."""
        s, n = self.s, self.n
        start = self.i  # at the "$"
        i = start + 1
        if i >= n or s[i] != "{":
            end = _name_end(s, i, n)
            self.i = end
            if end == i:
                return "$"  # "$" before a non-name character is literal
            name = s[i:end]
            value = self.lookup(name)
            if value is None:
                return "$" + name if self.lex.skip_unset_env else ""
            return value

        i += 1
        self.i = i
        if i >= n:
            _fail("syntax error: missing '}'", start)
        if s[i] in "{}:":
            _fail("syntax error: bad substitution", i)
        end = _name_end(s, i, n)
        name = s[i:end]
        modifier_at = end
        if end < n:
            ch = s[end]
            i = end + 1
        else:
            ch = ""  # Go's scanner.EOF
            i = end
        self.i = i
        modifier = ch or _EOF_RUNE

        if ch == "}":
            value = self.lookup(name)
            if value is None:
                return "${" + name + "}" if self.lex.skip_unset_env else ""
            return value
        if ch == "/":
            return _Head(name, "replace", False, modifier, start, modifier_at)

        null_is_unset = ch == ":"
        if null_is_unset:
            # Whatever follows the colon is the modifier, even "}" or the end.
            if i < n:
                ch = s[i]
                self.i = i + 1
            else:
                ch = ""
            modifier += ch or _EOF_RUNE
        elif ch == "" or ch not in "+-?#%":
            _fail(_unsupported(modifier), modifier_at)

        if null_is_unset and (ch == "#" or ch == "%"):
            _fail(_unsupported(modifier), modifier_at)
        return _Head(name, ch, null_is_unset, modifier, start, modifier_at)

    def _modified(self, head: _Head, word: str) -> str:
        """What ``${NAME<modifier>word}`` expands to, once the word is known."""
        name, ch, null_is_unset, start = head.name, head.op, head.null_is_unset, head.start
        value = self.lookup(name)
        if value is None and self.lex.skip_unset_env:
            return "${" + name + head.modifier + word + "}"
        empty = value is None or (null_is_unset and value == "")
        if ch == "-":
            return word if empty or value is None else value
        if ch == "+":
            return "" if empty else word
        if ch == "?":
            if value is None:
                _fail(f"{name}: {word or 'is not allowed to be unset'}", start)
            if null_is_unset and value == "":
                _fail(f"{name}: {word or 'is not allowed to be empty'}", start)
            return value
        if ch != "#" and ch != "%":
            _fail(_unsupported(head.modifier), head.modifier_at)  # after the word, as Go
        # "##"/"%%" (longest match) are seen only after expanding the word.
        greedy = word.startswith(ch)
        if greedy:
            word = word[1:]
        if ch == "%":
            return _trim_suffix(word, value or "", greedy, start)
        return _trim_prefix(word, value or "", greedy, start)

    def nested(self, stop: str, raw_escapes: bool, start: int, at_end: str) -> _Expansion:
        """Scan a modifier's word; any failure at the end of the word becomes ``at_end``."""
        try:
            return (yield self.scan(stop, raw_escapes))
        except ExpansionError:
            if self.i >= self.n:
                raise _error(at_end, start) from None
            raise

    def replace(self, name: str, start: int) -> _Expansion:
        """``${name/pattern/replacement}`` and ``${name//pattern/replacement}``."""
        s, n = self.s, self.n
        replace_all = self.i < n and s[self.i] == "/"
        if replace_all:
            self.i += 1
        pattern = yield self.nested("/", True, start, "syntax error: missing '/' in ${}")
        replacement = yield self.nested("}", True, start, "syntax error: missing '}'")
        value = self.lookup(name)
        if value is None:
            if self.lex.skip_unset_env:
                # quirk: the second "/" of "//" is not put back.
                return "${" + name + "/" + pattern + "/" + replacement + "}"
            value = ""
        glob = _compiled(pattern, True, start)
        if replace_all:
            return _go_replace_all(glob, value, replacement, start)
        span = glob.search(value)
        if span is None:
            return value
        return value[: span[0]] + replacement + value[span[1] :]


def _name_end(s: str, i: int, n: int) -> int:
    """End of the variable name starting at ``i`` (BuildKit's processName).

    A name is a run of digits (positional), one special-parameter character, or
    letters, digits and ``_`` -- in Go's Unicode sense (letters: category L;
    digits: category Nd).
    """
    if i >= n:
        return i
    c = s[i]
    if c.isdecimal():
        j = i + 1
        while j < n and s[j].isdecimal():
            j += 1
        return j
    if c in _SPECIAL_PARAMS:
        return i + 1
    j = i
    while True:
        m = _ASCII_NAME_CHARS.match(s, j)
        j = m.end() if m is not None else j
        if j < n and not s[j].isascii() and (s[j].isalpha() or s[j].isdecimal()):
            j += 1
            continue
        return j


# -- patterns ---------------------------------------------------------------------------

# Glob tokens: a literal is its one-character string; these two are not strings.
_STAR: Final = 0  # any run of characters except newline (Go's ".*" / ".*?")
_ANY: Final = 1  # one character except newline (Go's ".")

# Python's backtracking engine can take about len(value) ** stars steps where Go's
# RE2 is linear; past this budget the linear matcher below is used instead.
_BACKTRACK_BUDGET: Final = 200_000


class _Glob:
    """A compiled ``#``/``%``/``/`` pattern with Go's leftmost-first match semantics.

    Matching normally uses Python's ``re`` (same priorities as Go's regexp for
    these regexes); for patterns with several stars on long values it switches to
    a Pike VM that follows the same priorities in linear time.
    """

    __slots__ = ("greedy", "regex", "stars", "tokens")

    def __init__(self, tokens: list[str | int], greedy: bool) -> None:
        self.tokens = tokens
        self.greedy = greedy
        self.stars = tokens.count(_STAR)
        star = ".*" if greedy else ".*?"
        self.regex = re.compile(
            "".join(star if t == _STAR else "." if t == _ANY else re.escape(str(t)) for t in tokens)
        )

    def _linear(self, value: str) -> bool:
        return self.stars >= 2 and (len(value) + 1) ** self.stars > _BACKTRACK_BUDGET

    def match_end(self, value: str) -> int | None:
        """End of the match anchored at the start of ``value``."""
        if self._linear(value):
            span = self._pike(value, 0, anchored=True)
            return None if span is None else span[1]
        m = self.regex.match(value)
        return None if m is None else m.end()

    def search(self, value: str, pos: int = 0) -> tuple[int, int] | None:
        """The leftmost match starting at or after ``pos``."""
        if self._linear(value):
            return self._pike(value, pos, anchored=False)
        m = self.regex.search(value, pos)
        return None if m is None else m.span()

    def _add(self, threads: list[tuple[int, int]], seen: set[int], k: int, start: int) -> None:
        """Append the threads reachable from token ``k`` without input, best first."""
        tokens, last = self.tokens, len(self.tokens)
        todo = [k]  # k >= 0: expand token k; ~k: emit the thread that loops on star k
        while todo:
            k = todo.pop()
            if k < 0:
                threads.append((~k, start))
                continue
            if k in seen:
                continue
            seen.add(k)
            if k == last or tokens[k] != _STAR:
                threads.append((k, start))
            elif self.greedy:  # prefer one more character in the star
                todo.append(k + 1)
                todo.append(~k)
            else:  # prefer leaving the star
                todo.append(~k)
                todo.append(k + 1)

    def _pike(self, value: str, pos: int, *, anchored: bool) -> tuple[int, int] | None:
        tokens, last, n = self.tokens, len(self.tokens), len(value)
        threads: list[tuple[int, int]] = []
        self._add(threads, set(), 0, pos)
        best: tuple[int, int] | None = None
        p = pos
        while True:
            c = value[p] if p < n else ""
            following: list[tuple[int, int]] = []
            seen: set[int] = set()
            for k, start in threads:
                if k == last:
                    best = (start, p)
                    break  # every later thread has lower priority
                if not c:
                    continue
                t = tokens[k]
                if t == _STAR:
                    if c != "\n":
                        self._add(following, seen, k, start)
                elif (t == _ANY and c != "\n") or t == c:
                    self._add(following, seen, k + 1, start)
            if p >= n:
                return best
            p += 1
            if best is None and not anchored:
                self._add(following, seen, 0, p)  # a later start: lowest priority
            if not following:
                return best
            threads = following


@lru_cache(maxsize=512)
def _glob(pattern: str, greedy: bool) -> _Glob | str:
    """The compiled pattern, or the error message.

    BuildKit's subset of shell patterns: ``*`` (shortest or longest run, as
    asked), ``?`` (one character), ``\\*`` ``\\?`` ``\\\\`` (literal), and
    ``\\}`` ``\\/`` (the backslash only protected the delimiter). Everything
    else is literal -- including ``[``, as BuildKit has no bracket expressions.
    """
    tokens: list[str | int] = []
    n = len(pattern)
    i = 1 if pattern.startswith(_BOM) else 0  # quirk: text/scanner again
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            tokens.append(_STAR)
        elif c == "?":
            tokens.append(_ANY)
        elif c == "\\":
            if i < n and (pattern[i] == "}" or pattern[i] == "/"):
                continue
            if i >= n:
                return f"invalid escape '\\{_EOF_RUNE}'"
            c = pattern[i]
            i += 1
            if c != "*" and c != "?" and c != "\\":
                return f"invalid escape '\\{c}'"
            tokens.append(c)
        else:
            tokens.append(c)
    return _Glob(tokens, greedy)


def _reverse_pattern(pattern: str) -> str:
    """Reverse a pattern keeping each backslash before the character it escapes."""
    units: list[str] = []
    i, last = 0, len(pattern) - 1
    while i <= last:
        if pattern[i] == "\\" and i != last:
            units.append(pattern[i : i + 2])
            i += 2
        else:
            units.append(pattern[i])
            i += 1
    units.reverse()
    return "".join(units)


def _compiled(pattern: str, greedy: bool, at: int) -> _Glob:
    glob = _glob(pattern, greedy)
    if isinstance(glob, str):
        _fail(f"invalid pattern ({pattern}) in substitution: {glob}", at)
    return glob


def _trim_prefix(pattern: str, value: str, greedy: bool, at: int) -> str:
    end = _compiled(pattern, greedy, at).match_end(value)
    return value if end is None else value[end:]


def _trim_suffix(pattern: str, value: str, greedy: bool, at: int) -> str:
    # A regex finds leftmost matches, so the shortest/longest *suffix* is found
    # as a prefix of the reversed value with the reversed pattern (as BuildKit
    # does; errors therefore quote the reversed pattern).
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy, at)[::-1]


def _go_replace_all(glob: _Glob, src: str, template: str, at: int) -> str:
    """Go's Regexp.ReplaceAllString.

    Unlike ``re.sub``, an empty match right after a match is not replaced, and
    ``$`` in the replacement is a template (``$0``/``${0}`` is the match,
    ``$$`` is ``$``, other references are empty).
    """
    expand = "$" in template
    out: list[str] = []
    size = 0
    last = search = 0
    n = len(src)
    while search <= n:
        span = glob.search(src, search)
        if span is None:
            break
        a0, a1 = span
        out.append(src[last:a0])
        size = _grown(size, src[last:a0], at)
        if a1 > last or a0 == 0:
            piece = _go_expand(template, src[a0:a1]) if expand else template
            size = _grown(size, piece, at)
            out.append(piece)
        last = a1
        # Always advance by at least one character.
        search = search + 1 if search + 1 > a1 else a1
    out.append(src[last:])
    return "".join(out)


def _go_expand(template: str, whole: str) -> str:
    """Go's Regexp.Expand for a regex whose only group is the whole match."""
    out: list[str] = []
    rest = template
    while True:
        k = rest.find("$")
        if k < 0:
            break
        out.append(rest[:k])
        rest = rest[k + 1 :]
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        brace = rest.startswith("{")
        j = 1 if brace else 0
        name_start = j
        while j < len(rest) and (rest[j].isalpha() or rest[j].isdecimal() or rest[j] == "_"):
            j += 1
        if j == name_start or (brace and (j >= len(rest) or rest[j] != "}")):
            out.append("$")  # malformed reference: the "$" is literal
            continue
        name = rest[name_start:j]
        rest = rest[j + 1 :] if brace else rest[j:]
        if name == "0":  # the only group that exists; "00" etc. are names, and empty
            out.append(whole)
    out.append(rest)
    return "".join(out)
