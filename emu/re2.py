"""RE2's regular-expression syntax, matched in time linear in the text.

Go's ``regexp`` package (RE2) reads the regexps BuildKit's patternmatcher builds from
``.dockerignore`` lines and the expectations of container-structure-test specs. Its promise
matters for hostile input: matching costs time linear in the text whatever the expression
(``a*a*a*a*b``, ``(a|aa)*b``), where a backtracking engine such as Python's ``re`` can take
exponential time. This module reads RE2's syntax (Perl flags: classes with ranges, Perl and
POSIX classes, ``\\pN`` Unicode categories, escapes, ``\\Q…\\E``, counted repetition up to
1000, groups, alternation, ``(?imsU)`` flags, ``^ $ \\A \\z \\b \\B``) into a syntax tree
(:func:`parse`), compiles trees into a Thompson NFA (:class:`Program`), and runs it the way
RE2's fast path does: as a DFA built lazily, one state per set of NFA positions reached,
each transition computed once and cached (:class:`Automaton`; the cache is bounded, and
starts over when full). Each character costs a dictionary lookup once its transition is
known, and never more than one pass over the NFA.

Only *whether* an expression matches is computed, never where or with which submatches,
so greedy and lazy repetitions are the same here, as are capturing and plain groups.

It works on code points (Python strings), not on UTF-8 bytes: a name with undecodable
bytes, read with ``surrogateescape``, holds one lone surrogate per byte where RE2 sees one
U+FFFD per byte — one character either way, in the same classes for every pattern emu
builds. Nesting (parentheses) is read with an explicit stack and limited to RE2's 1,000
levels, so no expression can exhaust Python's stack.

A :class:`Program` may hold several expressions, each ending in its own tagged match, so
that one pass over a path says which of a ``.dockerignore``'s patterns match it.

:class:`Spans` says *where* an expression matches, by POSIX's rule (leftmost, then longest),
still in linear passes: a :class:`Scanner` over the expression reversed (:func:`reverse`) marks, in
one backward pass, every position where a match starts; an anchored one then reads forward
from the leftmost of them to the end of its longest match. The shell's utilities use it
(:mod:`emu.sh.linear`) for the expressions a backtracking engine could hang on.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Hashable
from typing import Final, Generic, TypeVar

from emu.records import record

__all__ = [
    "Automaton",
    "Program",
    "Regexp",
    "RegexpError",
    "compile",
    "either",
    "literal",
    "literal_text",
    "parse",
    "sequence",
]


class RegexpError(Exception):
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


def _hex(c: str) -> int:
    return int(c, 16) if c in "0123456789abcdefABCDEF" else -1


def _parse_escape(t: str, i: int) -> tuple[int, int]:
    """RE2's single-character escape at ``t[i] == "\\"``: (code point, next index)."""
    n = len(t)
    j = i + 1
    if j >= n:
        raise RegexpError("trailing backslash at end of expression")
    c = t[j]
    j += 1
    if c.isascii() and not c.isalnum():
        return ord(c), j  # escaped punctuation is itself
    bad = RegexpError(f"invalid escape sequence: {t[i:j]}")
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
            raise RegexpError(f"invalid character class range: {t[i:]}")
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
        raise RegexpError(f"Unicode script classes are not supported by emu: {seq}")
    else:
        raise RegexpError(f"invalid character class range: {seq}")
    return (_negate(ranges) if negate else ranges), seq_end


def _perl_class(letter: str) -> _Ranges:
    ranges = list(_PERL_CLASSES[letter.lower()])
    return _negate(ranges) if letter.isupper() else ranges


def _parse_class(t: str, i: int, *, fold: bool = False) -> tuple[_Ranges, int]:
    """RE2's ``[...]`` at ``t[i]`` (Perl flags: ``-`` is fine anywhere, ``]`` first is literal);
    with ``fold`` (flag ``i``) the class holds the other case of each letter, before ``^``."""
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
            raise RegexpError(f"missing closing ]: {t[i:]}")
        if n - j > 2 and t.startswith("[:", j):
            end = t.find(":]", j + 2)
            if end >= 0:
                name = t[j + 2 : end]
                posix_negate = name.startswith("^")
                posix = _POSIX_CLASSES.get(name[1:] if posix_negate else name)
                if posix is None:
                    raise RegexpError(f"invalid character class range: {t[j : end + 2]}")
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
                raise RegexpError(f"invalid character class range: {t[start:j]}")
        ranges.append((lo, hi))
    if fold:
        ranges = _fold(ranges)
    ranges = _negate(ranges) if negate else ranges
    return ranges, j + 1


def _class_char(t: str, j: int, class_start: int) -> tuple[int, int]:
    if j >= len(t):
        raise RegexpError(f"missing closing ]: {t[class_start:]}")
    if t[j] == "\\":
        return _parse_escape(t, j)
    return ord(t[j]), j + 1


_REPEAT: Final = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")


@functools.cache
def _fold_cached(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out = list(ranges)
    for lo, hi in ranges:
        # Letters with another case live below U+1E944; past that, nothing folds.
        for cp in range(lo, min(hi, 0x1E943) + 1):
            ch = chr(cp)
            for other in (ch.lower(), ch.upper(), ch.casefold()):
                if len(other) == 1 and other != ch:
                    out.append((ord(other), ord(other)))
    return tuple(_normalize(out))


def _fold(ranges: _Ranges) -> _Ranges:
    """``ranges`` and the other case of every letter in them (flag ``i``)."""
    return list(_fold_cached(tuple(_normalize(ranges))))


# -- the syntax tree ------------------------------------------------------------------------

# Empty-width assertions: beginning/end of text, of line (flag m), word boundary or not.
BOT, EOT, BOL, EOL, WORD_BOUNDARY, NOT_WORD_BOUNDARY = range(6)


@record(frozen=True, slots=True)
class Chars:
    """One character out of ``ranges`` (inclusive code point ranges, sorted, disjoint)."""

    ranges: tuple[tuple[int, int], ...]


@record(frozen=True, slots=True)
class Assert:
    kind: int  # BOT, EOT, BOL, EOL, WORD_BOUNDARY, NOT_WORD_BOUNDARY


@record(frozen=True, slots=True)
class Cat:
    items: tuple[Node, ...]


@record(frozen=True, slots=True)
class Alt:
    items: tuple[Node, ...]


@record(frozen=True, slots=True)
class Repeat:
    item: Node
    min: int
    max: int  # -1: no maximum


Node = Chars | Assert | Cat | Alt | Repeat
EMPTY: Final = Cat(())
ANY: Final = Chars(((0, _MAX_RUNE),))  # any character, newline included
END: Final = Assert(EOT)


def literal(text: str) -> Node:
    """A node matching exactly ``text``."""
    return Cat(tuple(Chars(((ord(c), ord(c)),)) for c in text))


def sequence(*items: Node) -> Node:
    return Cat(items)


def either(*items: Node) -> Node:
    return Alt(items)


def star(item: Node) -> Node:
    return Repeat(item, 0, -1)


# -- reading RE2 syntax ---------------------------------------------------------------------

_MAX_NESTING: Final = 1000  # RE2's maximum nesting depth
_MAX_REPEAT: Final = 1000
_NOT_NEWLINE: Final = ((0, 9), (11, _MAX_RUNE))


@record(slots=True)
class _Group:
    """A group being read: its alternatives so far (each a list of nodes) and its flags."""

    flags: str
    alts: list[list[Node]]
    repeated: bool = False  # the last item is a repetition (another one would be nested)


def _char_node(cp: int, fold: bool) -> Node:
    ranges: _Ranges = [(cp, cp)]
    return Chars(tuple(_fold(ranges) if fold else ranges))


def _flags(text: str, current: str, where: str) -> str:
    """Apply ``(?imsU-imsU)`` flag text to the current flags."""
    flags = set(current)
    on = True
    seen = False
    for c in text:
        if c == "-":
            if not on:
                raise RegexpError(f"invalid or unsupported Perl syntax: `{where}`")
            on = False
            seen = False
            continue
        if c not in "imsU":
            raise RegexpError(f"invalid or unsupported Perl syntax: `{where}`")
        seen = True
        if on:
            flags.add(c)
        else:
            flags.discard(c)
    if not on and not seen:
        raise RegexpError(f"invalid or unsupported Perl syntax: `{where}`")
    return "".join(sorted(flags))


def parse(expr: str, flags: str = "") -> Node:
    """The syntax tree of an RE2 expression (Perl flags); raises :class:`RegexpError`."""
    stack: list[_Group] = []
    group = _Group(flags, [[]])
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        items = group.alts[-1]
        fold = "i" in group.flags
        if c == "(":
            if expr.startswith("(?", i):
                end = expr.find(")", i)
                colon = expr.find(":", i)
                if expr.startswith(("(?P<", "(?<"), i):
                    close = expr.find(">", i)
                    name = expr[expr.index("<", i) + 1 : close] if close > 0 else ""
                    if close < 0 or not name or not re.fullmatch(r"\w+", name, re.ASCII):
                        raise RegexpError(f"invalid named capture: `{expr[i : close + 1]}`")
                    new_flags, i = group.flags, close + 1
                elif end < 0:
                    raise RegexpError(f"missing closing ): `{expr}`")
                elif 0 <= colon < end:
                    new_flags = _flags(expr[i + 2 : colon], group.flags, expr[i : colon + 1])
                    i = colon + 1
                elif end == i + 2:
                    raise RegexpError("missing argument to repetition operator: `?`")
                else:
                    group.flags = _flags(expr[i + 2 : end], group.flags, expr[i : end + 1])
                    i = end + 1
                    continue
            else:
                new_flags, i = group.flags, i + 1
            stack.append(group)
            if len(stack) > _MAX_NESTING:
                raise RegexpError(f"expression nests too deeply: `{expr[:40]}…`")
            group = _Group(new_flags, [[]])
            continue
        if c == "|":
            group.alts.append([])
            group.repeated = False
            i += 1
            continue
        if c == ")":
            if not stack:
                raise RegexpError(f"unexpected ): `{expr}`")
            node = _close(group)
            group = stack.pop()
            group.alts[-1].append(node)
            group.repeated = False
            i += 1
            continue
        rep = _REPEAT.match(expr, i) if c == "{" else None
        if c in "*+?" or rep is not None:
            op = expr[i] if rep is None else rep.group(0)
            i = i + 1 if rep is None else rep.end()
            lazy = i < n and expr[i] == "?"
            if lazy:
                i += 1
            if not items:
                raise RegexpError(f"missing argument to repetition operator: `{op}`")
            if group.repeated:
                raise RegexpError(f"invalid nested repetition operator: `{op}`")
            lo, hi = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}.get(op, (0, 0))
            if rep is not None:
                lo = int(rep.group(1))
                hi = lo if rep.group(2) is None else int(rep.group(3)) if rep.group(3) else -1
                if lo > _MAX_REPEAT or hi > _MAX_REPEAT or (hi >= 0 and hi < lo):
                    raise RegexpError(f"invalid repeat count: `{op}`")
            items[-1] = Repeat(items[-1], lo, hi)
            group.repeated = True
            continue
        if c == "\\":
            escaped, i = _escape(expr, i, fold)
            if escaped is not None:
                items.append(escaped)
        elif c == "[":
            ranges, i = _parse_class(expr, i, fold=fold)
            items.append(Chars(tuple(_normalize(ranges))))
        elif c == ".":
            items.append(ANY if "s" in group.flags else Chars(_NOT_NEWLINE))
            i += 1
        elif c == "^":
            items.append(Assert(BOL if "m" in group.flags else BOT))
            i += 1
        elif c == "$":
            items.append(Assert(EOL if "m" in group.flags else EOT))
            i += 1
        else:
            items.append(_char_node(ord(c), fold))
            i += 1
        group.repeated = False
    if stack:
        raise RegexpError(f"missing closing ): `{expr}`")
    return _close(group)


def _close(group: _Group) -> Node:
    alts = [items[0] if len(items) == 1 else Cat(tuple(items)) for items in group.alts]
    return alts[0] if len(alts) == 1 else Alt(tuple(alts))


def _escape(t: str, i: int, fold: bool) -> tuple[Node | None, int]:
    """The escape at ``t[i] == "\\"``: a node (None for an empty ``\\Q\\E``) and where next."""
    d = t[i + 1] if i + 1 < len(t) else ""
    if d == "A":
        return Assert(BOT), i + 2
    if d == "z":
        return Assert(EOT), i + 2
    if d == "b":
        return Assert(WORD_BOUNDARY), i + 2
    if d == "B":
        return Assert(NOT_WORD_BOUNDARY), i + 2
    if d == "C":
        raise RegexpError(r"invalid escape sequence: \C")
    if d == "Q":
        end = t.find(r"\E", i + 2)
        quoted = t[i + 2 :] if end < 0 else t[i + 2 : end]
        after = len(t) if end < 0 else end + 2
        if not quoted:
            return None, after
        return Cat(tuple(_char_node(ord(ch), fold) for ch in quoted)), after
    if d and d in "pP":
        ranges, j = _parse_unicode_class(t, i)
        return Chars(tuple(_normalize(_fold(ranges) if fold else ranges))), j
    if d and d in "dDsSwW":
        return Chars(tuple(_normalize(_perl_class(d)))), i + 2
    cp, j = _parse_escape(t, i)
    return _char_node(cp, fold), j


# -- the NFA ----------------------------------------------------------------------------------

_CHAR, _SPLIT, _JMP, _ASSERT, _MATCH = range(5)
_MAX_PROGRAM: Final = 200_000  # instructions: past this an expression is "too large"


class Program:
    """A Thompson NFA for one or more expressions; expression ``k`` ends in match tag ``k``.

    Instructions are parallel lists: ``op``; ``x`` (the next instruction, a split's first
    branch, or the tag of a ``_MATCH``); ``y`` (a split's second branch, an assertion's
    kind); and, for ``_CHAR``, its class as the sorted starts and ends of its ranges.
    """

    __slots__ = ("ends", "lows", "op", "starts", "x", "y")

    def __init__(self, nodes: list[Node]) -> None:
        self.op: list[int] = []
        self.x: list[int] = []
        self.y: list[int] = []
        self.lows: list[list[int]] = []
        self.ends: list[list[int]] = []
        self.starts: list[int] = []
        for tag, node in enumerate(nodes):
            start, holes = self._compile(node)
            match = self._emit(_MATCH, tag)
            self._patch(holes, match)
            self.starts.append(start)

    def _emit(self, op: int, x: int = -1, y: int = -1, ranges: Chars | None = None) -> int:
        if len(self.op) >= _MAX_PROGRAM:
            raise RegexpError("expression too large")
        self.op.append(op)
        self.x.append(x)
        self.y.append(y)
        self.lows.append([lo for lo, _ in ranges.ranges] if ranges else [])
        self.ends.append([hi for _, hi in ranges.ranges] if ranges else [])
        return len(self.op) - 1

    def _patch(self, holes: list[tuple[int, int]], target: int) -> None:
        for pc, slot in holes:
            if slot == 0:
                self.x[pc] = target
            else:
                self.y[pc] = target

    def _compile(self, root: Node) -> tuple[int, list[tuple[int, int]]]:
        """Thompson's construction, with explicit stacks (a tree may be 1,000 levels deep)."""
        done: list[tuple[int, list[tuple[int, int]]]] = []  # fragments: start, holes
        todo: list[tuple[bool, Node]] = [(False, root)]
        while todo:
            built, node = todo.pop()
            if not built:
                if isinstance(node, Chars):
                    pc = self._emit(_CHAR, ranges=node)
                    done.append((pc, [(pc, 0)]))
                elif isinstance(node, Assert):
                    pc = self._emit(_ASSERT, -1, node.kind)
                    done.append((pc, [(pc, 0)]))
                elif isinstance(node, Cat | Alt) and not node.items:
                    pc = self._emit(_JMP)
                    done.append((pc, [(pc, 0)]))
                elif isinstance(node, Cat | Alt):
                    todo.append((True, node))
                    todo.extend((False, item) for item in reversed(node.items))
                elif (node.min, node.max) in ((0, -1), (1, -1), (0, 1)):
                    todo.append((True, node))
                    todo.append((False, node.item))
                else:
                    todo.append((False, _expand(node)))
                continue
            if isinstance(node, Cat):
                parts = done[len(done) - len(node.items) :]
                del done[len(done) - len(node.items) :]
                for (_, holes), (start, _) in itertools.pairwise(parts):
                    self._patch(holes, start)
                done.append((parts[0][0], parts[-1][1]))
            elif isinstance(node, Alt):
                parts = done[len(done) - len(node.items) :]
                del done[len(done) - len(node.items) :]
                start = parts[-1][0]
                holes = list(parts[-1][1])
                for part_start, part_holes in reversed(parts[:-1]):
                    start = self._emit(_SPLIT, part_start, start)
                    holes.extend(part_holes)
                done.append((start, holes))
            else:
                assert isinstance(node, Repeat)
                item_start, item_holes = done.pop()
                split = self._emit(_SPLIT, item_start)
                if node.max == 1:  # x?
                    done.append((split, [*item_holes, (split, 1)]))
                else:
                    self._patch(item_holes, split)  # x* loops back; x+ too, after one x
                    done.append((split if node.min == 0 else item_start, [(split, 1)]))
        return done[0]

    def closure(self, pcs: frozenset[int], before: int, after: int) -> tuple[list[int], int]:
        """The character instructions reachable from ``pcs`` without reading, between
        ``before`` and ``after``, and the tags of the matches reached."""
        op, x, y = self.op, self.x, self.y
        seen: set[int] = set()
        chars: list[int] = []
        tags = 0
        todo = sorted(pcs, reverse=True)
        while todo:
            pc = todo.pop()
            if pc in seen:
                continue
            seen.add(pc)
            o = op[pc]
            if o == _CHAR:
                chars.append(pc)
            elif o == _SPLIT:
                todo.append(y[pc])
                todo.append(x[pc])
            elif o == _JMP:
                todo.append(x[pc])
            elif o == _ASSERT:
                if _holds(y[pc], before, after):
                    todo.append(x[pc])
            else:
                tags |= 1 << x[pc]
        return chars, tags

    def advance(self, chars: list[int], cp: int) -> set[int]:
        """Where the character instructions ``chars`` go on reading code point ``cp``."""
        moved: set[int] = set()
        for pc in chars:
            k = bisect.bisect_right(self.lows[pc], cp) - 1
            if k >= 0 and cp <= self.ends[pc][k]:
                moved.add(self.x[pc])
        return moved


def _expand(node: Repeat) -> Node:
    """``x{n,m}`` in terms of ``x``, ``x?`` and ``x*``/``x+``."""
    x, lo, hi = node.item, node.min, node.max
    if hi < 0:
        return Cat((*([x] * (lo - 1)), Repeat(x, 1, -1))) if lo > 0 else Repeat(x, 0, -1)
    optional: Node = EMPTY
    for _ in range(hi - lo):
        optional = Repeat(Cat((x, optional)), 0, 1)
    return Cat((*([x] * lo), optional))


# -- running it: a lazily built DFA ----------------------------------------------------------

# What surrounds a position, as the assertions see it.
_START, _NEWLINE, _WORDCHAR, _OTHER = range(4)  # before: START; after: START means the end
_MAX_STATES: Final = 10_000
_WORDCHARS: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")


def _kind(ch: str) -> int:
    if ch == "\n":
        return _NEWLINE
    return _WORDCHAR if ch in _WORDCHARS else _OTHER


def _holds(kind: int, before: int, after: int) -> bool:
    """Whether an assertion holds between ``before`` and ``after`` (_START: the text's ends)."""
    if kind == BOT:
        return before == _START
    if kind == EOT:
        return after == _START
    if kind == BOL:
        return before <= _NEWLINE
    if kind == EOL:
        return after <= _NEWLINE
    boundary = (before == _WORDCHAR) != (after == _WORDCHAR)
    return boundary if kind == WORD_BOUNDARY else not boundary


_Key = tuple[frozenset[int], int, int]  # NFA positions, kind of the last character, matched


_K = TypeVar("_K", bound=Hashable)
_T = TypeVar("_T")


class _States(Generic[_K, _T]):
    """A lazily built DFA's states: each key (a set of NFA positions and what the assertions
    need) gets a number, its transitions by character (``_next``) and what holds at the end
    of a text (``_end``, -1 until known). The cache is bounded: when full it forgets every
    state and starts over, as RE2 does (``_generation`` counts how often)."""

    __slots__ = ("_end", "_generation", "_index", "_next", "_states")

    def __init__(self) -> None:
        self._index: dict[_K, int] = {}
        self._states: list[_K] = []
        self._next: list[dict[str, _T]] = []
        self._end: list[int] = []
        self._generation = 0

    def _intern(self, key: _K) -> int:
        found = self._index.get(key)
        if found is not None:
            return found
        if len(self._states) >= _MAX_STATES:
            self._generation += 1
            self._index.clear()
            self._states.clear()
            self._next.clear()
            self._end.clear()
            self._restart()
        self._index[key] = len(self._states)
        self._states.append(key)
        self._next.append({})
        self._end.append(-1)
        return len(self._states) - 1

    def _restart(self) -> None:
        """What a subclass needs again after the cache started over."""


class Automaton(_States[_Key, int]):
    """A DFA over a :class:`Program`, built as texts are read.

    A state is the set of NFA positions reached, the kind of character just read (for the
    assertions) and the tags of the expressions that have matched so far (a match need not
    reach the end of the text unless the expression says ``$``). With ``search`` the
    expressions may start anywhere (Go's ``MatchString``), else only at the beginning.
    """

    __slots__ = ("_prog", "_search", "_start")

    def __init__(self, program: Program, *, search: bool = False) -> None:
        super().__init__()
        self._prog = program
        self._search = search
        self._start = self._intern((frozenset(program.starts), _START, 0))

    def _restart(self) -> None:
        self._start = self._intern((frozenset(self._prog.starts), _START, 0))

    def _step(self, state: int, ch: str) -> int:
        pcs, before, matched = self._states[state]
        after = _kind(ch)
        prog = self._prog
        chars, tags = prog.closure(pcs, before, after)
        moved = prog.advance(chars, ord(ch))
        if self._search:
            moved.update(prog.starts)
        generation = self._generation
        target = self._intern((frozenset(moved), after, matched | tags))
        if generation == self._generation:  # else ``state`` is gone with the old cache
            self._next[state][ch] = target
        return target

    def accepted(self, state: int) -> int:
        """The tags of the expressions matching the text read up to ``state`` (as if it
        ended there)."""
        known = self._end[state]
        if known < 0:
            pcs, before, matched = self._states[state]
            known = matched | self._prog.closure(pcs, before, _START)[1]
            self._end[state] = known
        return known

    def feed(self, text: str, state: int | None = None) -> int:
        """The state after reading ``text`` from ``state`` (default: the start)."""
        s = self._start if state is None else state
        nexts = self._next
        for ch in text:
            t = nexts[s].get(ch)
            s = self._step(s, ch) if t is None else t
        return s

    def scan(self, text: str, sep: str = "/") -> tuple[int, int]:
        """(tags matching ``text``, tags matching ``text`` or a prefix ending before ``sep``)."""
        s = self._start
        nexts = self._next
        prefixes = 0
        for ch in text:
            if ch == sep:
                prefixes |= self.accepted(s)
            t = nexts[s].get(ch)
            s = self._step(s, ch) if t is None else t
        whole = self.accepted(s)
        return whole, whole | prefixes

    def key(self, state: int) -> _Key:
        """A state's identity, valid after the cache starts over (see :meth:`state`)."""
        return self._states[state]

    def state(self, key: _Key) -> int:
        return self._intern(key)

    def matched(self, text: str) -> bool:
        """Whether any expression matches (stops at the first match)."""
        s = self._start
        nexts = self._next
        states = self._states
        for ch in text:
            if states[s][2]:
                return True
            t = nexts[s].get(ch)
            s = self._step(s, ch) if t is None else t
        return self.accepted(s) != 0


@record(frozen=True, slots=True, eq=False)
class Regexp:
    """A compiled RE2 expression (:func:`compile`); :meth:`search` as Go's ``MatchString``."""

    expr: str
    automaton: Automaton
    # The one text the expression matches, when it is a plain literal (most of a spec's
    # expectations are: ``index\.html``): str's own search finds it without the automaton
    # reading the text a character at a time in Python.
    literal: str | None = None

    def search(self, text: str) -> bool:
        """Whether the expression matches anywhere in ``text``, in time linear in it."""
        if self.literal is not None:
            return self.literal in text
        return self.automaton.matched(text)


def literal_text(node: Node) -> str | None:
    """The text ``node`` matches when it matches exactly one text (characters in sequence,
    each of one code point, no assertion, repetition or alternative); otherwise None."""
    out: list[str] = []
    stack: list[Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Cat):
            stack.extend(reversed(cur.items))
            continue
        if not isinstance(cur, Chars) or len(cur.ranges) != 1:
            return None
        lo, hi = cur.ranges[0]
        if lo != hi:
            return None
        out.append(chr(lo))
    return "".join(out)


def compile(expr: str) -> Regexp:  # re.compile's name, on purpose
    """Go's ``regexp.Compile``: raises :class:`RegexpError` where Go would fail."""
    node = parse(expr)
    return Regexp(expr, Automaton(Program([node]), search=True), literal_text(node))


# -- where matches start and end: leftmost-longest spans -------------------------------------


def reverse(node: Node) -> Node:
    """The expression matching the reversed texts of ``node``'s matches (the assertions
    turned around: ``^`` becomes ``$``), built with an explicit stack."""
    swap = {BOT: EOT, EOT: BOT, BOL: EOL, EOL: BOL}
    done: list[Node] = []
    todo: list[tuple[bool, Node]] = [(False, node)]
    while todo:
        built, n = todo.pop()
        if isinstance(n, Chars):
            done.append(n)
        elif isinstance(n, Assert):
            done.append(Assert(swap.get(n.kind, n.kind)))
        elif not built:
            todo.append((True, n))
            items = (n.item,) if isinstance(n, Repeat) else n.items
            todo.extend((False, item) for item in reversed(items))
        elif isinstance(n, Repeat):
            done.append(Repeat(done.pop(), n.min, n.max))
        else:
            parts = done[len(done) - len(n.items) :]
            del done[len(done) - len(n.items) :]
            done.append(Cat(tuple(reversed(parts))) if isinstance(n, Cat) else Alt(tuple(parts)))
    return done[0]


class Scanner(_States[tuple[frozenset[int], int], tuple[int, bool]]):
    """A lazily built DFA that says, at each position of a text, whether a match of the
    program *ends* there (where :class:`Automaton` only says whether one has been seen).

    Anchored (``search`` false) it follows matches that start where reading starts; with
    ``search`` they may start anywhere. Each state's transitions are cached with the tags
    of the matches ending before the character read, so a text costs one dictionary lookup
    a character once its transitions are known; the cache is bounded and starts over when
    full, as RE2's does.
    """

    __slots__ = ("_prog", "_search")

    def __init__(self, program: Program, *, search: bool = False) -> None:
        super().__init__()  # _end: 1 if a match ends at the end of the text, 0 if not
        self._prog = program
        self._search = search

    def _step(self, state: int, ch: str) -> tuple[int, bool]:
        pcs, before = self._states[state]
        after = _kind(ch)
        prog = self._prog
        chars, tags = prog.closure(pcs, before, after)
        matched = tags != 0
        moved = prog.advance(chars, ord(ch))
        if self._search:
            moved.update(prog.starts)
        generation = self._generation
        target = self._intern((frozenset(moved), after))
        if generation == self._generation:  # else ``state`` is gone with the old cache
            self._next[state][ch] = (target, matched)
        return target, matched

    def _ends_here(self, state: int) -> bool:
        known = self._end[state]
        if known < 0:
            pcs, before = self._states[state]
            known = int(self._prog.closure(pcs, before, _START)[1] != 0)
            self._end[state] = known
        return known == 1

    def ends(self, text: str, start: int = 0, stop: int = -1, *, first: bool = False) -> int:
        """The last position (or with ``first`` the first) at which a match that the scan
        began at ``start`` ends, reading no further than ``stop`` (default: the text's end);
        -1 if none. Anchored scans stop as soon as no match can go on."""
        n = len(text) if stop < 0 else stop
        before = _START if start == 0 else _kind(text[start - 1])
        s = self._intern((frozenset(self._prog.starts), before))
        last = -1
        dead: frozenset[int] = frozenset()
        nexts = self._next
        i = start
        while i < n:
            ch = text[i]
            t = nexts[s].get(ch)
            s, matched = self._step(s, ch) if t is None else t
            if matched:
                last = i
                if first:
                    return last
            i += 1
            if not self._search and self._states[s][0] == dead:
                return last
        if n == len(text):
            if self._ends_here(s):
                return n
        else:
            # Stopped inside the text: whether a match ends at ``n`` depends on text[n].
            pcs, before_n = self._states[s]
            if self._prog.closure(pcs, before_n, _kind(text[n]))[1]:
                return n
        return last

    def marks(self, text: str) -> bytearray:
        """``marks[i]`` is 1 where a match ends at position ``i`` (``len(text) + 1`` marks)."""
        out = bytearray(len(text) + 1)
        s = self._intern((frozenset(self._prog.starts), _START))
        nexts = self._next
        for i, ch in enumerate(text):
            t = nexts[s].get(ch)
            s, matched = self._step(s, ch) if t is None else t
            if matched:
                out[i] = 1
        if self._ends_here(s):
            out[len(text)] = 1
        return out


class Spans:
    """Leftmost-longest matches of one expression (POSIX's rule), in linear passes: one
    backward pass marks every position where a match starts, then an anchored forward pass
    from the leftmost of them finds where its longest match ends."""

    __slots__ = ("_backward", "_forward")

    def __init__(self, node: Node) -> None:
        self._forward = Scanner(Program([node]))
        self._backward = Scanner(Program([reverse(node)]), search=True)

    def starts(self, text: str) -> bytearray:
        """``starts[i]`` is 1 where a match begins at position ``i``."""
        marks = self._backward.marks(text[::-1])
        marks.reverse()
        return marks

    def search(
        self, text: str, pos: int = 0, starts: bytearray | None = None
    ) -> tuple[int, int] | None:
        """The leftmost-longest match at or after ``pos``: (start, end), or None. ``starts``
        (from :meth:`starts`) saves the backward pass when one text is searched again."""
        if starts is None:
            starts = self.starts(text)
        s = starts.find(1, pos)
        if s < 0:
            return None
        return s, self._forward.ends(text, s)

    def longest(self, text: str, start: int) -> int:
        """The end of the longest match starting at ``start``; -1 if none starts there."""
        return self._forward.ends(text, start)

    def prefix(self, text: str, *, longest: bool) -> int:
        """The end of the shortest (or longest) match at the start of ``text``; -1 if none."""
        return self._forward.ends(text, 0, first=not longest)

    def full(self, text: str, start: int = 0, stop: int = -1) -> bool:
        """Whether ``text[start:stop]`` is a match (the assertions see the whole text)."""
        n = len(text) if stop < 0 else stop
        return self._forward.ends(text, start, n) == n
