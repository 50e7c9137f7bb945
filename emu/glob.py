"""The two glob dialects BuildKit uses, re-implemented from their rules.

* :func:`match` is Go's ``path/filepath.Match`` (Unix flavour): ``*`` and ``?`` never cross
  ``/``, ``[...]`` classes with ranges and ``^`` negation, ``\\`` escapes, and the same
  ``ErrBadPattern`` cases. COPY wildcards and ``--exclude`` use it, one path segment at a time.
  Like Go it works on UTF-8 *bytes*, so its small quirks with multi-byte characters are kept.

* :class:`Pattern` is one ``.dockerignore`` line compiled the way moby/patternmatcher does it:
  ``New`` (trim, ``filepath.Clean``, ``!`` exceptions, validation with ``filepath.Match``) and
  ``compile`` (a half-translated regexp with ``**``, plus the exact / prefix / suffix shortcuts,
  which are not always equivalent to the regexp: ``**file`` also matches ``myfile``).

patternmatcher hands its regexp text to Go's RE2 parser, and not every glob survives that
unchanged: ``[*]`` becomes ``[[^/]*]`` (a class of ``[``, ``^``, ``/`` repeated, then ``]``),
``a\\d`` matches a digit, ``dir\\path`` is a bad ``\\pa`` class. So :func:`go_regexp` builds
Go's text and :mod:`emu.re2` reads it with RE2's rules. A regexp RE2 would reject is an error
only when the pattern is first used, as in Go (``[Local-Only]`` loads fine and fails every
match). Like RE2, :mod:`emu.re2` matches in time linear in the path, whatever the pattern:
``a*a*a*a*a*a*b`` against a long name costs what ``a*b`` costs.
"""

from __future__ import annotations

import enum
import re
from typing import Final

from emu import re2
from emu.errors import EmuError, IgnoreFileError
from emu.pos import Position
from emu.records import field, record

__all__ = [
    "BAD_PATTERN",
    "MatchKind",
    "Pattern",
    "clean",
    "compile_pattern",
    "go_regexp",
    "has_meta",
    "match",
    "trim_space",
    "validate",
]

# Go's filepath.ErrBadPattern text.
BAD_PATTERN: Final = "syntax error in pattern"

# Go's unicode.IsSpace, used by strings.TrimSpace (str.strip() would also eat U+001C..U+001F).
_GO_SPACE: Final = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trim_space(s: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return s.strip(_GO_SPACE)


def clean(path: str) -> str:
    """Go's ``filepath.Clean`` on Unix: one ``/`` between names, no ``.``, ``..`` folded."""
    if not path:
        return "."
    rooted = path[0] == "/"
    parts: list[str] = []
    for comp in path.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(comp)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


_META = re.compile(r"[*?\[\\]").search


def has_meta(pattern: str) -> bool:
    """Whether ``pattern`` has a character :func:`match` treats specially (Go's ``hasMeta``)."""
    return _META(pattern) is not None


# -- filepath.Match -----------------------------------------------------------------------


class _BadPattern(Exception):
    pass


_STAR, _QMARK, _LBRACK, _RBRACK = ord("*"), ord("?"), ord("["), ord("]")
_BACKSLASH, _CARET, _DASH, _SLASH = ord("\\"), ord("^"), ord("-"), ord("/")
_RUNE_ERROR: Final = 0xFFFD


def _utf8(s: str) -> bytes:
    # surrogateescape gives back the original bytes of names read from disk.
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogatepass")


def _decode_rune(b: bytes, i: int) -> tuple[int, int]:
    """Go's ``utf8.DecodeRune`` at ``b[i]``: (rune, width); invalid bytes are (U+FFFD, 1)."""
    b0 = b[i]
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        n = 2
    elif 0xE0 <= b0 <= 0xEF:
        n = 3
    elif 0xF0 <= b0 <= 0xF4:
        n = 4
    else:
        return _RUNE_ERROR, 1
    try:
        return ord(b[i : i + n].decode("utf-8")), n
    except UnicodeDecodeError:
        return _RUNE_ERROR, 1


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    """Split off leading stars and the following star-free chunk (stars in ``[]`` stay)."""
    i = 0
    while i < len(pattern) and pattern[i] == _STAR:
        i += 1
    star = i > 0
    pattern = pattern[i:]
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == _BACKSLASH:
            if i + 1 < len(pattern):
                i += 1
        elif c == _LBRACK:
            in_range = True
        elif c == _RBRACK:
            in_range = False
        elif c == _STAR and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _get_esc(chunk: bytes, i: int) -> tuple[int, int]:
    """One possibly escaped class character; Go insists something follows it."""
    if i >= len(chunk) or chunk[i] in (_DASH, _RBRACK):
        raise _BadPattern
    if chunk[i] == _BACKSLASH:
        i += 1
        if i >= len(chunk):
            raise _BadPattern
    r, n = _decode_rune(chunk, i)
    if r == _RUNE_ERROR and n == 1:
        raise _BadPattern
    i += n
    if i >= len(chunk):
        raise _BadPattern
    return r, i


def _match_chunk(chunk: bytes, s: bytes) -> bytes | None:
    """Match ``chunk`` at the start of ``s``; the rest of ``s``, or None.

    After a mismatch the chunk is still read to the end, so a malformed chunk is always
    reported (modern Go does this; old Go answered ``false`` for ``Match("a[", "a")``).
    """
    failed = False
    ci = si = 0
    while ci < len(chunk):
        if not failed and si >= len(s):
            failed = True
        c = chunk[ci]
        if c == _LBRACK:
            r = 0
            if not failed:
                r, n = _decode_rune(s, si)
                si += n
            ci += 1
            negated = ci < len(chunk) and chunk[ci] == _CARET
            if negated:
                ci += 1
            matched = False
            nrange = 0
            while True:
                if ci < len(chunk) and chunk[ci] == _RBRACK and nrange > 0:
                    ci += 1
                    break
                lo, ci = _get_esc(chunk, ci)
                hi = lo
                if chunk[ci] == _DASH:
                    hi, ci = _get_esc(chunk, ci + 1)
                if lo <= r <= hi:
                    matched = True
                nrange += 1
            if matched == negated:
                failed = True
        elif c == _QMARK:
            if not failed:
                if s[si] == _SLASH:
                    failed = True
                si += _decode_rune(s, si)[1]
            ci += 1
        else:
            if c == _BACKSLASH:
                ci += 1
                if ci >= len(chunk):
                    raise _BadPattern
            if not failed:
                if chunk[ci] != s[si]:
                    failed = True
                si += 1
            ci += 1
    return None if failed else s[si:]


def _match_bytes(pattern: bytes, name: bytes) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return _SLASH not in name  # a trailing * eats the rest unless it holds a /
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            found = False
            i = 0
            while i < len(name) and name[i] != _SLASH:
                rest = _match_chunk(chunk, name[i + 1 :])
                if rest is not None:
                    if not pattern and rest:  # the last chunk must use up the name
                        i += 1
                        continue
                    name = rest
                    found = True
                    break
                i += 1
            if found:
                continue
        # No match: Go still reports a malformed remainder of the pattern.
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, b"")
        return False
    return not name


def match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match(pattern, name)``; a malformed pattern raises :class:`EmuError`."""
    try:
        return _match_bytes(_utf8(pattern), _utf8(name))
    except _BadPattern:
        raise EmuError(BAD_PATTERN, hint=f"malformed pattern {pattern!r}") from None


def validate(pattern: str) -> None:
    """Raise :class:`EmuError` if Go's ``filepath.Match`` rejects ``pattern``."""
    match(pattern, ".")


# -- patternmatcher ------------------------------------------------------------------------


class MatchKind(enum.Enum):
    """patternmatcher's match strategies (values are its Go names)."""

    EXACT = "exactMatch"
    PREFIX = "prefixMatch"
    SUFFIX = "suffixMatch"
    REGEXP = "regexpMatch"


# Characters patternmatcher escapes for the regexp (meaningless to filepath.Match).
_REGEX_ESCAPED: Final = frozenset(".+()|{}$")


def go_regexp(cleaned: str, sep: str = "/") -> tuple[MatchKind, str | None]:
    """patternmatcher's ``compile``: the strategy and, for REGEXP, Go's regexp text.

    ``sep`` is the path separator ("/" here; "\\\\" reproduces the Windows form).
    """
    esc_sep = sep + sep if sep == "\\" else sep
    out = ["^"]
    kind = MatchKind.EXACT
    i, n = 0, len(cleaned)
    if cleaned.startswith("\ufeff"):
        i = 1  # Go's text/scanner drops a leading BOM
    step = 0
    while i < n:
        ch = cleaned[i]
        i += 1
        if ch == "*":
            if i < n and cleaned[i] == "*":
                i += 1
                if i < n and cleaned[i] == sep:
                    i += 1  # "**/" counts as "**"
                if i >= n:
                    if kind is MatchKind.EXACT:
                        kind = MatchKind.PREFIX
                    else:
                        out.append(".*")
                        kind = MatchKind.REGEXP
                else:
                    out.append("(.*" + esc_sep + ")?")
                    kind = MatchKind.REGEXP
                if step == 0:
                    kind = MatchKind.SUFFIX
            else:
                out.append("[^" + esc_sep + "]*")
                kind = MatchKind.REGEXP
        elif ch == "?":
            out.append("[^" + esc_sep + "]")
            kind = MatchKind.REGEXP
        elif ch in _REGEX_ESCAPED:
            out.append("\\" + ch)
        elif ch == "\\":
            if sep == "\\":
                out.append(esc_sep)  # on Windows a backslash is the separator
                step += 1
                continue
            if i < n:
                out.append("\\" + cleaned[i])
                i += 1
                kind = MatchKind.REGEXP
            else:
                out.append("\\")
        elif ch in "[]":
            out.append(ch)
            kind = MatchKind.REGEXP
        else:
            out.append(ch)
        step += 1
    if kind is not MatchKind.REGEXP:
        return kind, None
    out.append("$")
    return kind, "".join(out)


@record(frozen=True, slots=True, repr=False)
class Pattern:
    """One compiled ignore pattern (patternmatcher's ``Pattern``), built by :func:`compile_pattern`.

    ``node`` says what the pattern matches as an :mod:`emu.re2` syntax tree, anchored at the
    start of the path, or is None when that cannot be said with one (a regexp Go rejects,
    the byte-cut suffix after a BOM): then :meth:`matches` is the only way to test the
    pattern. :class:`emu.ignore.IgnoreMatcher` compiles the nodes of all its patterns into
    one automaton, which tests them all in one pass over a path.
    """

    text: str  # as written, e.g. the line of the .dockerignore
    cleaned: str  # what patternmatcher matches with (after Clean, without "!")
    exclusion: bool  # a "!" exception: a match re-includes
    line: int  # 1-based source line, 0 when unknown
    file: str | None  # the ignore file it came from, for error locations
    kind: MatchKind
    regexp: str | None  # Go's regexp text for REGEXP patterns
    error: str | None  # why Go's regexp.Compile fails: every use of the pattern is an error
    node: re2.Node | None = field(compare=False)
    automaton: re2.Automaton | None = field(compare=False)  # for REGEXP patterns

    def __repr__(self) -> str:
        return f"Pattern({self.text!r}, line={self.line})"

    def use_error(self) -> IgnoreFileError:
        """The error every use of a pattern with :attr:`error` set raises."""
        pos = Position(self.line, 1) if self.line > 0 else None
        return IgnoreFileError(
            BAD_PATTERN, file=self.file, pos=pos, hint=f"pattern {self.cleaned!r}: {self.error}"
        )

    def matches(self, path: str) -> bool:
        """Whether the pattern matches ``path`` itself (patternmatcher's ``Pattern.match``)."""
        if self.error is not None:
            raise self.use_error()
        kind = self.kind
        if kind is MatchKind.EXACT:
            return path == self.cleaned
        if kind is MatchKind.PREFIX:
            return path.startswith(self.cleaned[:-2])
        if kind is MatchKind.SUFFIX:
            if not self.cleaned.startswith("**"):
                # Go cuts the first two *bytes*; only differs after a leading BOM.
                suffix = _utf8(self.cleaned)[2:]
                raw = _utf8(path)
                return raw.endswith(suffix) or (suffix[:1] == b"/" and raw == suffix[1:])
            suffix_str = self.cleaned[2:]
            if path.endswith(suffix_str):
                return True
            return suffix_str[:1] == "/" and path == suffix_str[1:]
        assert self.automaton is not None
        return self.automaton.matched(path)

    def matches_or_parent(self, path: str) -> bool:
        """Whether the pattern matches ``path`` or one of its parents, as
        ``MatchesOrParentMatches`` tries them (``filepath.Dir``, then each prefix)."""
        if self.automaton is not None and self.error is None and plain_path(path):
            return self.automaton.scan(path)[1] != 0  # every parent in one pass
        if self.matches(path):
            return True
        return any(self.matches(parent) for parent in go_parents(path))


_DOT_COMPONENT: Final = ("./", "../")


def plain_path(path: str) -> bool:
    """A relative path whose parents are exactly its prefixes up to each ``/``.

    Anything else (``a//b``, ``./a``, ``/a``, ``a/``...) has other parents, because Go
    derives them with ``filepath.Dir`` (which cleans them): see :func:`go_parents`.
    """
    return not (
        not path
        or path[0] == "/"
        or path[-1] == "/"
        or "//" in path
        or path in (".", "..")
        or path.startswith(_DOT_COMPONENT)
        or path.endswith(("/.", "/.."))
        or "/./" in path
        or "/../" in path
    )


def go_parents(path: str) -> list[str]:
    """The parent prefixes patternmatcher tries: ``Dir(path)`` split at ``/``, shortest first."""
    cut = path.rfind("/")
    parent = clean(path[: cut + 1])
    if parent == ".":
        return []
    dirs = parent.split("/")
    return ["/".join(dirs[: i + 1]) for i in range(len(dirs))]


def _suffix_node(cleaned: str) -> re2.Node:
    """``**SUFFIX``: the path ends with SUFFIX, or is SUFFIX without its leading ``/``."""
    suffix = cleaned[2:]
    ends = re2.sequence(re2.star(re2.ANY), re2.literal(suffix))
    if suffix.startswith("/"):
        ends = re2.either(ends, re2.literal(suffix[1:]))
    return re2.sequence(ends, re2.END)


def compile_pattern(
    entry: str, *, line: int = 0, text: str | None = None, file: str | None = None
) -> Pattern | None:
    """One entry of patternmatcher's ``New``: None for a blank entry, else the compiled pattern.

    Raises :class:`IgnoreFileError` (in ``file``, at ``line``, column 1) for a lone
    ``!`` and for what ``filepath.Match`` calls malformed. A regexp that only Go's regexp
    parser rejects is not an error yet: the pattern's :attr:`~Pattern.error` is set and each
    use of it raises, as in Go.
    """
    pos = Position(line, 1) if line > 0 else None
    p = trim_space(entry)
    if not p:
        return None
    p = clean(p)
    exclusion = p[0] == "!"
    if exclusion:
        if len(p) == 1:
            raise IgnoreFileError('illegal exclusion pattern: "!"', file=file, pos=pos)
        p = p[1:]
    try:
        validate(p)
    except EmuError as exc:
        raise IgnoreFileError(BAD_PATTERN, file=file, pos=pos, hint=exc.hint) from None

    kind, regexp = go_regexp(p)
    error: str | None = None
    node: re2.Node | None = None
    automaton: re2.Automaton | None = None
    if kind is MatchKind.EXACT:
        node = re2.sequence(re2.literal(p), re2.END)
    elif kind is MatchKind.PREFIX:
        node = re2.literal(p[:-2])
    elif kind is MatchKind.SUFFIX:
        if p.startswith("**"):
            node = _suffix_node(p)
        # else: the byte-cut suffix after a BOM, which Pattern.matches alone can test
    else:
        assert regexp is not None
        try:
            node = re2.parse(regexp)
            automaton = re2.Automaton(re2.Program([node]))
        except re2.RegexpError as exc:
            error, node = str(exc), None
    return Pattern(
        text=entry if text is None else text,
        cleaned=p,
        exclusion=exclusion,
        line=line,
        file=file,
        kind=kind,
        regexp=regexp,
        error=error,
        node=node,
        automaton=automaton,
    )
