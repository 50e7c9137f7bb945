"""echo, printf and test/[ — written once for the shell builtins and the utilities.

busybox ash runs these three as builtins that call the very applet code (``echo_main``,
``printf_main``, ``test_main``), so ``echo x`` in a script and ``/bin/echo x`` behave alike;
only the name in front of a message differs (``sh: …`` against ``printf: …``) and what
each does without a FORMAT. The callers (:mod:`emu.sh.builtins` and the thin applets in
:mod:`emu.sh.utils`) supply the operands, where messages go and, for ``test``, who asks
about which files.

Everything is bytes, as in C: an operand's characters are its UTF-8 bytes, an escape makes
one byte (``\\351`` is the byte 0xE9, not ``é``), and ``%5s`` pads by bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from emu.fs import FS, Device, Dir, File, Kind, Node, Symlink
from emu.records import record
from emu.sh.api import R_OK, W_OK, X_OK, Identity, allowed, lookup_as
from emu.sh.expand import match

Complain = Callable[[str], None]  # one message, without the ``name: `` in front
Hold = Callable[[int], None]  # told the bytes a string is about to hold; raises past a limit
_V = TypeVar("_V")


def encode(text: str) -> bytes:
    """An operand's bytes: UTF-8, raw bytes carried as surrogate escapes."""
    return text.encode("utf-8", "surrogateescape")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


# --- backslash escapes ----------------------------------------------------------------------

_SIMPLE = {ord(k): ord(v) for k, v in zip("abefnrtv\\", "\a\b\x1b\f\n\r\t\v\\", strict=True)}


def escape(s: bytes, i: int) -> tuple[int, int]:
    """busybox's bb_process_escape_sequence at ``s[i]`` (just after the backslash): the byte
    and where reading goes on. Up to three octal digits (while the value fits a byte), ``x``
    and up to two hex digits, a letter of ``abefnrtv\\``; anything else is the backslash
    itself, the character after it left to be read as text (``\\z``, ``\\xg``, a trailing
    ``\\``)."""
    n = len(s)
    q = i
    base = 8
    digits = 0
    value = 0
    if q < n and s[q] == 0x78:  # x
        q += 1
        base = 16
        digits = 1
    while True:
        c = s[q] if q < n else 0
        d = int(chr(c), 16) if chr(c) in "0123456789abcdefABCDEF" else 99
        if d >= base:
            if base == 16:
                digits -= 1
                if digits == 0:
                    return 0x5C, i  # "\x" with no hex digit: the backslash, then "x"
            break
        if value * base + d > 0xFF:
            break
        value = value * base + d
        q += 1
        digits += 1
        if digits >= 3:
            break
    if digits == 0:
        c = s[q] if q < n else 0
        if c in _SIMPLE:
            return _SIMPLE[c], q + 1
        return 0x5C, q
    return value, q


def unescape(s: bytes, *, cut: bool = True) -> tuple[bytes, bool]:
    """The escapes of ``echo -e`` and ``printf %b``: as :func:`escape`, and also
    ``\\0NNN`` (the leading 0 then up to three octal digits) and ``\\c``, which ends all
    output (``True`` in the pair says it did)."""
    out = bytearray()
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        i += 1
        if c == 0x5C:  # backslash
            if i < n and s[i] == 0x63 and cut:  # \c
                return bytes(out), True
            if i + 1 < n and s[i] == 0x30 and 0x30 <= s[i + 1] <= 0x37:
                i += 1  # \0NNN: the 0 only says "octal"
            c, i = escape(s, i)
        out.append(c)
    return bytes(out), False


# --- echo -----------------------------------------------------------------------------------


def echo_options(args: list[str], escapes: bool = False) -> tuple[int, bool, bool]:
    """echo's options: leading words made only of ``n``, ``e`` and ``E`` after a dash
    (``-n`` no newline, ``-e`` escapes, ``-E`` none); the first other word, ``-`` and
    ``--`` included, starts the text. How many words they are, newline, escapes."""
    newline = True
    k = 0
    while k < len(args):
        a = args[k]
        if len(a) < 2 or a[0] != "-" or any(c not in "neE" for c in a[1:]):
            break
        for c in a[1:]:
            if c == "n":
                newline = False
            else:
                escapes = c == "e"
        k += 1
    return k, newline, escapes


def echo(args: list[str]) -> bytes:
    """What ``echo ARGS`` writes (options as :func:`echo_options` reads them). echo
    never fails."""
    k, newline, escapes = echo_options(args)
    text = b" ".join(encode(a) for a in args[k:])
    if escapes:
        text, stopped = unescape(text)
        if stopped:
            return text
    return text + b"\n" if newline else text


# --- printf ---------------------------------------------------------------------------------

_LLONG = 1 << 63
_ULLONG = 1 << 64


class _Bad(Exception):
    """A number that did not convert (busybox sets errno; the value becomes 0)."""


def _alnum(b: bytes, i: int) -> bool:
    return i < len(b) and chr(b[i]).isascii() and chr(b[i]).isalnum()


def _strto(s: bytes, base: int) -> tuple[int, int]:
    """C's strtoll/strtoull digits (no sign, no blanks: the caller checked the first
    character): the value and how many bytes it used; base 0 reads 0x hex and 0 octal."""
    i = 0
    if (
        base in (0, 16)
        and s[:2].lower() == b"0x"
        and _alnum(s, 2)
        and chr(s[2]) in "0123456789abcdefABCDEF"
    ):
        i, base = 2, 16
    elif base == 0:
        base = 8 if s[:1] == b"0" else 10
    start = i
    value = 0
    while i < len(s):
        ch = chr(s[i]).lower()
        d = int(ch, 36) if ch.isascii() and ch.isalnum() else 99
        if d >= base:
            break
        value = value * base + d
        i += 1
    if i == start:
        return 0, 0
    return value, i


def _finish(s: bytes, used: int, overflow: bool) -> None:
    """busybox's handle_errors: junk after the digits is an error (a blank after them
    too, though quieter), and so is a value out of range."""
    if used < len(s) or overflow:
        raise _Bad


def bb_strtoll(s: bytes, base: int = 0) -> int:
    first = s[1:2] if s[:1] == b"-" else s[:1]
    if not _alnum(first, 0):
        raise _Bad
    neg = s[:1] == b"-"
    body = s[1:] if neg else s
    v, used = _strto(body, base)
    v = -v if neg else v
    _finish(body, used, not -_LLONG <= v < _LLONG)
    return v


def bb_strtoull(s: bytes, base: int = 0) -> int:
    if not _alnum(s, 0):
        raise _Bad
    v, used = _strto(s, base)
    _finish(s, used, v >= _ULLONG)
    return v


_FLOAT = re.compile(
    rb"""[ \t\n\v\f\r]* [+-]? (?:
        0x (?: [0-9a-f]+ \.? [0-9a-f]* | \.[0-9a-f]+ ) (?: p[+-]?[0-9]+ )?  # hex, 2**p
      | (?: [0-9]+ \.? [0-9]* | \.[0-9]+ ) (?: e[+-]?[0-9]+ )?             # decimal
      | inf (?:inity)? | nan (?: \([0-9a-z_]*\) )?
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _strtod(s: bytes) -> float:
    """C's strtod over the whole operand (busybox: junk after the number is an error and
    the value 0; an empty operand is a quiet 0)."""
    m = _FLOAT.match(s)
    if m is None:
        if s:
            raise _Bad
        return 0.0
    if m.end() != len(s):
        raise _Bad
    text = m.group().decode().strip(" \t\n\v\f\r")
    body = text.lstrip("+-")
    if body[:2].lower() == "0x":
        v = float.fromhex(body)
        v = -v if text.startswith("-") else v
    else:
        v = float(re.sub(r"\(.*\)", "", text))
    if v in (float("inf"), float("-inf")) and "n" not in body.lower():
        raise _Bad  # overflow: ERANGE, though C keeps the infinity it printed
    return v


_BLANKS = b" \t\n\v\f\r"


class _Printf:
    """busybox's printf_main over bytes; ``complain`` gets each message."""

    def __init__(
        self, fmt: bytes, args: list[bytes], complain: Complain, hold: Hold | None = None
    ) -> None:
        self.hold = hold
        self.fmt = fmt
        self.args = args
        self.pos = 0
        self.complain = complain
        self.out = bytearray()
        self.conv_err = False

    def next_arg(self) -> bytes | None:
        if self.pos < len(self.args):
            self.pos += 1
            return self.args[self.pos - 1]
        return None

    def number(self, arg: bytes, convert: Callable[[bytes], int | float]) -> int | float:
        """busybox's multiconvert: ``'c`` is the code of c; a bad number is reported and 0."""
        if arg[:1] in (b"'", b'"'):
            arg = str(arg[1] if len(arg) > 1 else 0).encode()
        try:
            return convert(arg)
        except _Bad:
            self.complain(f"invalid number '{decode(arg)}'")
            self.conv_err = True
            return 0

    def width_prec(self, arg: bytes) -> int:
        """A ``*`` operand: a decimal int (negative allowed). A bad one is reported and 0,
        but it does not make the exit status 1 (the conversion after it resets errno)."""
        try:
            v = bb_strtoll(arg, 10)
        except _Bad:
            v = None
        if v is None or not -(1 << 31) <= v < (1 << 31):
            self.complain(f"invalid number '{decode(arg)}'")
            return 0
        return v

    def run(self) -> int:
        while True:
            start = self.pos
            state = self.once()
            if state == "bad":
                return 1
            if state == "stop" or self.pos == start or self.pos >= len(self.args):
                return 1 if self.conv_err else 0

    def once(self) -> str:
        """One pass over the format: "ok", "stop" (``\\c``) or "bad" (an invalid format)."""
        f = self.fmt
        n = len(f)
        i = 0
        while i < n:
            c = f[i]
            if c == 0x5C:  # backslash
                if i + 1 < n and f[i + 1] == 0x63:  # \c
                    return "stop"
                b, i = escape(f, i + 1)
                self.out.append(b)
                continue
            if c != 0x25:  # %
                j = f.find(b"%", i)
                k = f.find(b"\\", i)
                end = min(x for x in (j, k, n) if x >= 0)
                self.out += f[i:end]
                i = end
                continue
            start = i
            i += 1
            if f[i : i + 1] == b"%":
                self.out.append(0x25)
                i += 1
                continue
            if f[i : i + 1] == b"b":
                arg = self.next_arg()
                i += 1
                if arg is not None:
                    text, stopped = unescape(arg)
                    self.out += text
                    if stopped:
                        return "stop"
                continue
            flag = ""
            if i < n and chr(f[i]) in "-+ #":
                flag = chr(f[i])
                i += 1
            width: int | None = None
            if f[i : i + 1] == b"*":
                i += 1
                arg = self.next_arg()
                width = self.width_prec(arg) if arg is not None else 0
            else:
                j = i
                while i < n and 0x30 <= f[i] <= 0x39:
                    i += 1
                if i > j:
                    if f[j] == 0x30:
                        flag += "0"
                    width = int(f[j:i])
            prec: int | None = None
            if f[i : i + 1] == b".":
                i += 1
                if f[i : i + 1] == b"*":
                    i += 1
                    arg = self.next_arg()
                    prec = self.width_prec(arg) if arg is not None else 0
                    prec = None if prec < 0 else prec
                else:
                    j = i
                    while i < n and 0x30 <= f[i] <= 0x39:
                        i += 1
                    prec = int(f[j:i] or b"0")
            mods = i
            while i < n and chr(f[i]) in "lLhz":
                i += 1
            conv = chr(f[i]) if i < n else ""
            if not conv or conv not in "diouxXfeEgGcs":
                # busybox names the rest of the format, size modifiers taken out
                self.complain(f"{decode(f[start:mods] + f[i:])}: invalid format")
                return "bad"
            i += 1
            if width is not None and width < 0:
                flag += "-"
                width = -width
            arg = self.next_arg()
            if self.hold is not None:  # a huge width or precision is refused before it is made
                self.hold(len(self.out) + (width or 0) + (prec or 0) + len(arg or b""))
            self.out += self.convert(conv, flag, width, prec, b"" if arg is None else arg)
        return "ok"

    def convert(
        self, conv: str, flags: str, width: int | None, prec: int | None, arg: bytes
    ) -> bytes:
        if conv == "c":
            return _pad(arg[:1] or b"\0", flags, width)
        if conv == "s":
            return _pad(arg if prec is None else arg[:prec], flags, width)
        if conv in "eEfgG":
            v = float(self.number(arg, _strtod))
            spec = "%" + flags + (str(width) if width is not None else "")
            spec += f".{prec}" if prec is not None else ""
            return ((spec + conv) % v).encode()
        body = arg.lstrip(_BLANKS)
        if conv in "di":
            v = int(self.number(body, lambda a: bb_strtoll(a[1:] if a[:1] == b"+" else a)))
        else:
            v = int(self.number(body, _to_unsigned)) % _ULLONG
        return _integer(v, conv, flags, width, prec)


def _to_unsigned(a: bytes) -> int:
    """busybox's conv_strtoull: ``+`` allowed; a negative number wraps (``%x -2``)."""
    a = a[1:] if a[:1] == b"+" else a
    try:
        return bb_strtoull(a)
    except _Bad:
        return bb_strtoll(a)


def _pad(text: bytes, flags: str, width: int | None) -> bytes:
    w = width or 0
    if len(text) >= w:
        return text
    fill = b" " * (w - len(text))
    return text + fill if "-" in flags else fill + text


def _integer(v: int, conv: str, flags: str, width: int | None, prec: int | None) -> bytes:
    """C's %d %i %o %u %x %X of a long long (``v`` already unsigned for ouxX)."""
    neg = v < 0
    mag = -v if neg else v
    digits = {"o": f"{mag:o}", "x": f"{mag:x}", "X": f"{mag:X}"}.get(conv, str(mag))
    if prec is not None:
        digits = "" if prec == 0 and mag == 0 else digits.rjust(prec, "0")
    prefix = ""
    if conv in "di":
        prefix = "-" if neg else "+" if "+" in flags else " " if " " in flags else ""
    elif "#" in flags:
        if conv == "o" and not digits.startswith("0"):
            digits = "0" + digits
        elif conv in "xX" and mag:
            prefix = "0" + conv
    w = width or 0
    body = prefix + digits
    if len(body) < w:
        if "-" in flags:
            body += " " * (w - len(body))
        elif "0" in flags and prec is None:
            body = prefix + "0" * (w - len(body)) + digits
        else:
            body = " " * (w - len(body)) + body
    return body.encode()


def printf(
    args: list[str], complain: Complain, hold: Hold | None = None
) -> tuple[bytes, int] | None:
    """What ``printf ARGS`` writes and its status; None without a FORMAT (a leading
    ``--`` is skipped), which each caller reports its own way. The FORMAT is used again
    while operands remain; a bad number is reported, counts as 0 and makes the status 1;
    an invalid directive stops everything with status 1. ``hold`` is told how many bytes
    the output is about to hold (the byte limit's :meth:`~emu.sh.api.Limits.held`)."""
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        return None
    p = _Printf(encode(args[0]), [encode(a) for a in args[1:]], complain, hold)
    status = p.run()
    return bytes(p.out), status


# --- test -----------------------------------------------------------------------------------


@record(frozen=True, slots=True)
class Caller:
    """Who runs ``test`` and where: its file operators look at the image as this identity,
    relative paths from ``cwd``."""

    fs: FS
    ident: Identity
    cwd: str


class _TestError(Exception):
    pass


_UNARY = frozenset(
    ["-e", "-f", "-d", "-L", "-h", "-s", "-r", "-w", "-x", "-z", "-n", "-b", "-c", "-p",
     "-S", "-g", "-u", "-k", "-t", "-O", "-G"]
)  # fmt: skip
_BINARY = frozenset(
    ["=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "<", ">"]
)


def test(name: str, args: list[str], caller: Caller, complain: Complain) -> int:
    """The status of ``test ARGS`` (``name`` ``test``), ``[ ARGS ]`` or ash's ``[[ ARGS ]]``,
    where ``[[`` also takes ``&&`` and ``||`` and matches patterns with ``==`` and ``!=``:
    0 true, 1 false, 2 after a message."""
    close = {"[": "]", "[[": "]]"}.get(name)
    if close is not None:
        if not args or args[-1] != close:
            complain(f"missing {close}")
            return 2
        args = args[:-1]
    patterns = name == "[["
    if patterns:
        args = [{"&&": "-a", "||": "-o"}.get(a, a) for a in args]
    try:
        return 0 if _Test(caller, args, patterns).run() else 1
    except _TestError as e:
        complain(str(e))
        return 2


class Words:
    """A parser's place in a list of operand words (``test``'s and ``expr``'s grammars)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.i = 0

    def peek(self, ahead: int = 0) -> str | None:
        j = self.i + ahead
        return self.words[j] if j < len(self.words) else None

    def accept(self, *words: str) -> str | None:
        """The next word if it is one of ``words`` (then it is used), else None."""
        w = self.peek()
        if w is None or w not in words:
            return None
        self.i += 1
        return w

    def left(self) -> int:
        return len(self.words) - self.i

    def expect(self, missing: Exception) -> str:
        """The next word, still unused; ``missing`` is raised when the words ran out."""
        w = self.peek()
        if w is None:
            raise missing
        return w

    def parenthesized(self, inner: Callable[[], _V], unclosed: Exception) -> _V:
        """``( inner )`` at the ``(`` that is the next word; ``unclosed`` is raised when
        no ``)`` follows."""
        self.i += 1
        v = inner()
        if not self.accept(")"):
            raise unclosed
        return v


class _Test(Words):
    """POSIX ``test``: the argument-count rules for up to four arguments, then the
    classic grammar (``!`` > ``-a`` > ``-o``, parentheses)."""

    def __init__(self, caller: Caller, args: list[str], patterns: bool = False) -> None:
        super().__init__(args)
        self.caller = caller
        self.patterns = patterns

    def run(self) -> bool:
        a = self.words
        n = len(a)
        if n == 0:
            return False
        if n == 1:
            return a[0] != ""
        if n == 2:
            if a[0] == "!":
                return a[1] == ""
            if a[0] in _UNARY:
                return self.unary(a[0], a[1])
            return self.odd()
        if n == 3:
            if a[1] in _BINARY:
                return self.binary(a[0], a[1], a[2])
            if a[0] == "!":
                return not type(self)(self.caller, a[1:], self.patterns).run()
            if a[0] == "(" and a[2] == ")":
                return a[1] != ""
            if a[1] in ("-a", "-o"):
                return self.expr()
            return self.odd()
        if n == 4 and a[0] == "!":
            return not type(self)(self.caller, a[1:], self.patterns).run()
        if n == 4 and a[0] == "(" and a[3] == ")":
            return self.odd()
        return self.expr()

    def odd(self) -> bool:
        """Two to four words that fit no special rule: busybox reads them with the full
        grammar."""
        return self.expr()

    def expr(self) -> bool:
        v = self.or_expr()
        if self.left():
            raise _TestError(f"{self.peek()}: unknown operand")
        return v

    def or_expr(self) -> bool:
        v = self.and_expr()
        while self.accept("-o"):
            v = self.and_expr() or v  # both sides are read (and may fail) either way
        return v

    def and_expr(self) -> bool:
        v = self.not_expr()
        while self.accept("-a"):
            v = self.not_expr() and v
        return v

    def not_expr(self) -> bool:
        if self.accept("!"):
            return not self.not_expr()
        return self.primary()

    def primary(self) -> bool:
        t = self.expect(_TestError("argument expected"))
        if t == "(":
            return self.parenthesized(self.or_expr, _TestError("closing paren expected"))
        after = self.peek(1)
        if self.left() >= 3 and after in _BINARY:
            right = self.peek(2)
            assert after is not None and right is not None
            self.i += 3
            return self.binary(t, after, right)
        if t in _UNARY:
            if after is None:
                raise _TestError("argument expected")
            self.i += 2
            return self.unary(t, after)
        if after in _BINARY:
            raise _TestError(f"{after}: argument expected")
        self.i += 1
        return t != ""

    def node(self, path: str, follow: bool = True) -> Node | None:
        c = self.caller
        try:
            return lookup_as(c.fs, c.ident, c.cwd, path, follow) if path else None
        except OSError:
            return None

    def unary(self, op: str, arg: str) -> bool:
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if op in ("-t", "-S"):
            return False  # no terminal, no socket in a build
        if op in ("-L", "-h"):
            return isinstance(self.node(arg, False), Symlink)
        node = self.node(arg)
        if node is None:
            return False
        ident = self.caller.ident
        mode = node.meta.mode
        kind = node.kind if isinstance(node, Device) else None
        return {
            "-e": True,
            "-f": isinstance(node, File),
            "-d": isinstance(node, Dir),
            "-s": (isinstance(node, File) and node.size > 0) or isinstance(node, Dir),
            "-r": allowed(node, ident, R_OK),
            "-w": allowed(node, ident, W_OK),
            "-x": allowed(node, ident, X_OK),
            "-b": kind == Kind.BLOCK,
            "-c": kind == Kind.CHAR,
            "-p": kind == Kind.FIFO,
            "-u": bool(mode & 0o4000),
            "-g": bool(mode & 0o2000),
            "-k": bool(mode & 0o1000),
            "-O": node.meta.uid == ident.uid,
            "-G": node.meta.gid == ident.gid,
        }[op]

    def integer(self, s: str) -> int:
        t = s.strip(" \t\n")
        if re.fullmatch(r"[+-]?[0-9]+", t):
            v = int(t)
            if -(1 << 63) <= v < (1 << 63):
                return v
            raise _TestError(f"{s}: out of range")
        raise _TestError(f"{s}: bad number")

    def binary(self, left: str, op: str, right: str) -> bool:
        if op in ("=", "==", "!="):
            hit = match(right, left) if self.patterns else left == right
            return hit if op != "!=" else not hit
        if op == "<":
            return encode(left) < encode(right)
        if op == ">":
            return encode(left) > encode(right)
        if op in ("-nt", "-ot", "-ef"):
            a, b = self.node(left), self.node(right)
            if a is None or b is None:
                return False  # busybox stats both: a missing file makes each one false
            if op == "-ef":
                return a is b
            if op == "-nt":
                return a.meta.mtime > b.meta.mtime
            return a.meta.mtime < b.meta.mtime
        x, y = self.integer(left), self.integer(right)
        return {
            "-eq": x == y,
            "-ne": x != y,
            "-lt": x < y,
            "-le": x <= y,
            "-gt": x > y,
            "-ge": x >= y,
        }[op]


def test_unary(caller: Caller, op: str, arg: str) -> bool:
    """One unary file or string test (``-f``, ``-z``...), for bash's ``[[ ]]``."""
    return _Test(caller, []).unary(op, arg)


def test_binary(caller: Caller, left: str, op: str, right: str) -> bool:
    """One binary test (``-nt``, ``-ot``, ``-ef``...), for bash's ``[[ ]]``."""
    return _BashTest(caller, []).binary(left, op, right)


class _BashTest(_Test):
    """bash's ``test``/``[``: its argument-count rules and its messages."""

    def odd(self) -> bool:
        a = self.words
        if len(a) == 2:
            raise _TestError(f"{a[0]}: unary operator expected")
        if len(a) == 3:
            raise _TestError(f"{a[1]}: binary operator expected")
        return _BashTest(self.caller, a[1:3]).run()  # ( a b )

    def expr(self) -> bool:
        v = self.or_expr()
        if self.left():
            raise _TestError("too many arguments")
        return v

    def integer(self, s: str) -> int:
        t = s.strip(" \t\n")
        if re.fullmatch(r"[+-]?[0-9]+", t):
            return int(t)
        raise _TestError(f"{s}: integer expression expected")

    def binary(self, left: str, op: str, right: str) -> bool:
        if op in ("-nt", "-ot"):
            a, b = self.node(left), self.node(right)
            if a is None or b is None:
                # bash: -nt holds when only the left file exists, -ot when only the right does
                return (a is not None) if op == "-nt" else (b is not None)
        return super().binary(left, op, right)


def bash_test(name: str, args: list[str], caller: Caller, complain: Complain) -> int:
    """bash's ``test ARGS`` / ``[ ARGS ]``: 0 true, 1 false, 2 after a message."""
    if name == "[":
        if not args or args[-1] != "]":
            complain("missing `]'")
            return 2
        args = args[:-1]
    try:
        return 0 if _BashTest(caller, args).run() else 1
    except _TestError as e:
        complain(str(e))
        return 2
