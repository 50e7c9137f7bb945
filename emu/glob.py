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
``a\\d`` matches a digit, ``dir\\path`` is a bad ``\\pa`` class. So the regexp is not
written for Python directly: :func:`go_regexp` builds Go's text and :func:`_re2_to_python`
reads it with RE2's rules and writes the equivalent Python regex. A regexp RE2 would reject is
an error only when the pattern is first used, as in Go (``[Local-Only]`` loads fine and fails
every match).

Known divergence: Python's backtracking engine is not linear-time like RE2, so a pattern with
many ``**`` or ``*`` runs can be slow on long non-matching paths (the results are the same).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from emu.errors import EmuError, IgnoreFileError
from emu.pos import Position

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


def has_meta(pattern: str) -> bool:
    """Whether ``pattern`` has a character :func:`match` treats specially (Go's ``hasMeta``)."""
    return any(c in pattern for c in "*?[\\")


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


# -- RE2 (the subset patternmatcher can produce) to Python re -------------------------------


class _RegexpError(Exception):
    """Go's ``regexp.Compile`` would reject the expression; the text says why."""


_MAX_RUNE: Final = 0x10FFFF
_Ranges = list[tuple[int, int]]

_DIGIT: Final = ((0x30, 0x39),)
_WORD: Final = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_PERL_CLASSES: Final[dict[str, tuple[tuple[int, int], ...]]] = {
    "d": _DIGIT,
    "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),  # RE2's \s has no \v
    "w": _WORD,
}
_POSIX_CLASSES: Final[dict[str, tuple[tuple[int, int], ...]]] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": _DIGIT,
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),),
    "word": _WORD,
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
# Go's unicode.Categories keys (no "Cn": unassigned code points are not a Go category).
_CATEGORIES: Final = frozenset(
    {
        *("C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn"),
        *("N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps"),
        *("S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs"),
    }
)


def _normalize(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


@functools.cache
def _category_ranges(name: str) -> tuple[tuple[int, int], ...]:
    # Only reachable through \pL-style escapes, so the one-off scan of all code points is fine.
    out: _Ranges = []
    for cp in range(_MAX_RUNE + 1):
        cat = unicodedata.category(chr(cp))
        if cat != "Cn" and (cat == name or cat[0] == name):
            if out and out[-1][1] == cp - 1:
                out[-1] = (out[-1][0], cp)
            else:
                out.append((cp, cp))
    return tuple(out)


def _lit(cp: int, *, in_class: bool = False) -> str:
    """A code point as Python regex text (plain when that is unambiguous)."""
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    if ch in "_/" or (ch == " " and not in_class):
        return ch
    if 0x21 <= cp <= 0x7E:
        return "\\" + ch  # ASCII punctuation: escaping keeps it literal, in or out of a class
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _render_class(ranges: _Ranges) -> str:
    pos = _normalize(ranges)
    if not pos:
        return "(?!)"  # an empty class matches nothing
    neg = _negate(pos)
    if not neg:
        return "(?s:.)"
    sign, items = ("^", neg) if len(neg) < len(pos) else ("", pos)
    parts: list[str] = []
    for lo, hi in items:
        parts.append(_lit(lo, in_class=True))
        if hi == lo + 1:
            parts.append(_lit(hi, in_class=True))
        elif hi > lo:
            parts.append("-" + _lit(hi, in_class=True))
    return "[" + sign + "".join(parts) + "]"


def _hex(c: str) -> int:
    return int(c, 16) if c in "0123456789abcdefABCDEF" else -1


def _parse_escape(t: str, i: int) -> tuple[int, int]:
    """RE2's single-character escape at ``t[i] == "\\"``: (code point, next index)."""
    n = len(t)
    j = i + 1
    if j >= n:
        raise _RegexpError("trailing backslash at end of expression")
    c = t[j]
    j += 1
    if c.isascii() and not c.isalnum():
        return ord(c), j  # escaped punctuation is itself
    bad = _RegexpError(f"invalid escape sequence: {t[i:j]}")
    if c in "1234567" and (j >= n or t[j] not in "01234567"):
        raise bad  # \1 alone would be a backreference, which RE2 lacks
    if c in "01234567":
        r = int(c)
        for _ in range(2):
            if j < n and t[j] in "01234567":
                r = r * 8 + int(t[j])
                j += 1
            else:
                break
        return r, j
    if c == "x":
        if j >= n:
            raise bad
        c2 = t[j]
        j += 1
        if c2 == "{":
            r = digits = 0
            while True:
                if j >= n:
                    raise bad
                c3 = t[j]
                j += 1
                if c3 == "}":
                    break
                v = _hex(c3)
                if v < 0:
                    raise bad
                r = r * 16 + v
                if r > _MAX_RUNE:
                    raise bad
                digits += 1
            if digits == 0:
                raise bad
            return r, j
        x = _hex(c2)
        y = -1
        if j < n:
            y = _hex(t[j])
            j += 1
        if x < 0 or y < 0:
            raise bad
        return x * 16 + y, j
    simple = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
    if c in simple:
        return simple[c], j
    raise bad


def _parse_unicode_class(t: str, i: int) -> tuple[_Ranges, int]:
    """RE2's ``\\pX`` / ``\\p{Name}`` / ``\\PX`` at ``t[i]``."""
    negate = t[i + 1] == "P"
    j = i + 2
    if j < len(t) and t[j] == "{":
        end = t.find("}", i)
        if end < 0:
            raise _RegexpError(f"invalid character class range: {t[i:]}")
        name, seq_end = t[i + 3 : end], end + 1
    else:
        name, seq_end = t[j : j + 1], j + 1
    seq = t[i:seq_end]
    if name.startswith("^"):
        negate = not negate
        name = name[1:]
    if name == "Any":
        ranges: _Ranges = [(0, _MAX_RUNE)]
    elif name in _CATEGORIES:
        ranges = list(_category_ranges(name))
    elif len(name) > 2 and name.isalpha():
        # A Unicode script: valid in Go, but Python has no script tables (and the braces it
        # needs are always escaped by patternmatcher, so a .dockerignore cannot reach this).
        raise _RegexpError(f"Unicode script classes are not supported by emu: {seq}")
    else:
        raise _RegexpError(f"invalid character class range: {seq}")
    return (_negate(ranges) if negate else ranges), seq_end


def _perl_class(letter: str) -> _Ranges:
    ranges = list(_PERL_CLASSES[letter.lower()])
    return _negate(ranges) if letter.isupper() else ranges


def _parse_class(t: str, i: int) -> tuple[_Ranges, int]:
    """RE2's ``[...]`` at ``t[i]`` (Perl flags: ``-`` is fine anywhere, ``]`` first is literal)."""
    n = len(t)
    j = i + 1
    negate = j < n and t[j] == "^"
    if negate:
        j += 1
    ranges: _Ranges = []
    first = True
    while j >= n or t[j] != "]" or first:
        first = False
        if j >= n:
            raise _RegexpError(f"missing closing ]: {t[i:]}")
        if n - j > 2 and t.startswith("[:", j):
            end = t.find(":]", j + 2)
            if end >= 0:
                name = t[j + 2 : end]
                posix_negate = name.startswith("^")
                posix = _POSIX_CLASSES.get(name[1:] if posix_negate else name)
                if posix is None:
                    raise _RegexpError(f"invalid character class range: {t[j : end + 2]}")
                ranges.extend(_negate(list(posix)) if posix_negate else posix)
                j = end + 2
                continue
        if t[j] == "\\" and j + 1 < n:
            if t[j + 1] in "pP":
                more, j = _parse_unicode_class(t, j)
                ranges.extend(more)
                continue
            if t[j + 1] in "dDsSwW":
                ranges.extend(_perl_class(t[j + 1]))
                j += 2
                continue
        start = j
        lo, j = _class_char(t, j, i)
        hi = lo
        if j + 1 < n and t[j] == "-" and t[j + 1] != "]":
            hi, j = _class_char(t, j + 1, i)
            if hi < lo:
                raise _RegexpError(f"invalid character class range: {t[start:j]}")
        ranges.append((lo, hi))
    ranges = _negate(ranges) if negate else ranges
    return ranges, j + 1


def _class_char(t: str, j: int, class_start: int) -> tuple[int, int]:
    if j >= len(t):
        raise _RegexpError(f"missing closing ]: {t[class_start:]}")
    if t[j] == "\\":
        return _parse_escape(t, j)
    return ord(t[j]), j + 1


_REPEAT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")


def _re2_to_python(expr: str) -> tuple[str, bool]:
    """Translate an RE2 expression (Perl flags) into Python ``re`` text.

    Returns the text and whether its only end-of-text anchor is the final one (then a
    caller may swap that anchor for "end or ``/``"). Python's ``$`` also matches before a
    final newline, so RE2's ``$`` and ``\\z`` both become ``\\Z``.
    """
    out: list[str] = []
    end_anchors = 0
    last_is_anchor = False
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        anchor = False
        if c == "\\":
            d = expr[i + 1] if i + 1 < n else ""
            if d in ("A", "b", "B"):
                out.append("\\" + d)
                i += 2
            elif d == "z":
                out.append(r"\Z")
                anchor = True
                i += 2
            elif d == "C":
                raise _RegexpError(r"invalid escape sequence: \C")
            elif d == "Q":
                end = expr.find(r"\E", i + 2)
                literal = expr[i + 2 :] if end < 0 else expr[i + 2 : end]
                out.extend(_lit(ord(ch)) for ch in literal)
                i = n if end < 0 else end + 2
            elif d and d in "pP":
                ranges, i = _parse_unicode_class(expr, i)
                out.append(_render_class(ranges))
            elif d and d in "dDsSwW":
                out.append(_render_class(_perl_class(d)))
                i += 2
            else:
                cp, i = _parse_escape(expr, i)
                out.append(_lit(cp))
        elif c == "[":
            ranges, i = _parse_class(expr, i)
            out.append(_render_class(ranges))
        elif c == "(":
            if expr.startswith("(?", i):
                raise _RegexpError("flag groups are not supported by emu")
            out.append("(?:")
            i += 1
        elif c in ")|*+?.^":
            out.append(c)
            i += 1
        elif c == "$":
            out.append(r"\Z")
            anchor = True
            i += 1
        elif c == "{" and (rep := _REPEAT.match(expr, i)) is not None:
            if int(rep.group(1)) > 1000 or (rep.group(3) and int(rep.group(3)) > 1000):
                raise _RegexpError(f"invalid repeat count: {rep.group(0)}")
            out.append(rep.group(0))
            i = rep.end()
        else:
            out.append(_lit(ord(c)))
            i += 1
        if anchor:
            end_anchors += 1
        last_is_anchor = anchor
    text = "".join(out)
    # "**/**/" gives two "any directories" groups in a row; one matches the same paths and
    # spares the backtracking engine a quadratic search.
    while "(?:.*/)?(?:.*/)?" in text:
        text = text.replace("(?:.*/)?(?:.*/)?", "(?:.*/)?")
    return text, end_anchors == 1 and last_is_anchor


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


_BOUNDARY: Final = r"(?=/|\Z)"  # "here the path ends, or a parent directory does"


@dataclass(frozen=True, slots=True, repr=False)
class Pattern:
    """One compiled ignore pattern (patternmatcher's ``Pattern``), built by :func:`compile_pattern`.

    ``full_source`` is Python regex text matching a whole path (used with ``re.match``);
    ``boundary_source`` matches a path *or one of its parent directories*. Either is None
    when it cannot be said in one regex (a Go-rejected regexp, an end anchor in the middle,
    the byte-cut suffix after a BOM); then :meth:`matches` is the only way to test the
    pattern. :class:`emu.ignore.IgnoreMatcher` combines the sources into one regex.
    """

    text: str  # as written, e.g. the line of the .dockerignore
    cleaned: str  # what patternmatcher matches with (after Clean, without "!")
    exclusion: bool  # a "!" exception: a match re-includes
    line: int  # 1-based source line, 0 when unknown
    file: str | None  # the ignore file it came from, for error locations
    kind: MatchKind
    regexp: str | None  # Go's regexp text for REGEXP patterns
    error: str | None  # why Go's regexp.Compile fails: every use of the pattern is an error
    full_source: str | None
    boundary_source: str | None
    compiled: re.Pattern[str] | None  # full_source, compiled (REGEXP only)

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
        assert self.compiled is not None
        return self.compiled.match(path) is not None

    def matches_or_parent(self, path: str) -> bool:
        """Whether the pattern matches ``path`` or one of its parents, as
        ``MatchesOrParentMatches`` tries them (``filepath.Dir``, then each prefix)."""
        if self.matches(path):
            return True
        return any(self.matches(parent) for parent in go_parents(path))


def go_parents(path: str) -> list[str]:
    """The parent prefixes patternmatcher tries: ``Dir(path)`` split at ``/``, shortest first."""
    cut = path.rfind("/")
    parent = clean(path[: cut + 1])
    if parent == ".":
        return []
    dirs = parent.split("/")
    return ["/".join(dirs[: i + 1]) for i in range(len(dirs))]


def _suffix_sources(cleaned: str) -> tuple[str, str | None]:
    suffix = cleaned[2:]
    alts = ["(?s:.*)" + re.escape(suffix)]
    if suffix.startswith("/"):
        alts.append(re.escape(suffix[1:]))
    body = "(?:" + "|".join(alts) + ")"
    return body + r"\Z", body + _BOUNDARY


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
    compiled: re.Pattern[str] | None = None
    full: str | None
    boundary: str | None
    if kind is MatchKind.EXACT:
        full, boundary = re.escape(p) + r"\Z", re.escape(p) + _BOUNDARY
    elif kind is MatchKind.PREFIX:
        full = boundary = re.escape(p[:-2])
    elif kind is MatchKind.SUFFIX:
        full, boundary = _suffix_sources(p)
        if not p.startswith("**"):
            full = boundary = None  # the byte-cut suffix after a BOM: Pattern.matches only
    else:
        assert regexp is not None
        try:
            source, simple_tail = _re2_to_python(regexp)
            compiled = re.compile(source, re.ASCII)
            full = source
        except _RegexpError as exc:
            error, full, simple_tail = str(exc), None, False
        except (re.error, OverflowError, RecursionError) as exc:  # pragma: no cover - our bug
            error, full, simple_tail = f"cannot translate {regexp!r}: {exc}", None, False
        if full is None:
            boundary = None
        elif simple_tail:
            boundary = full[: -len(r"\Z")] + _BOUNDARY
        elif r"\Z" not in full:
            boundary = full  # no end anchor: matching a parent implies matching the path
        else:
            boundary = None
    return Pattern(
        text=entry if text is None else text,
        cleaned=p,
        exclusion=exclusion,
        line=line,
        file=file,
        kind=kind,
        regexp=regexp,
        error=error,
        full_source=full,
        boundary_source=boundary,
        compiled=compiled,
    )
