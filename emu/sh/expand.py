"""Word expansion: what a parsed word becomes when a command runs.

The order is POSIX's (and mvdan/sh's ``expand`` package): tilde expansion, parameter
expansion (every POSIX modifier plus ash's ``${v/p/r}`` and ``${v:off:len}``), command
substitution, arithmetic, then field splitting on ``$IFS``, pathname expansion against the
image filesystem, and quote removal.

While a word expands, its text is kept as *segments* that remember where each character
came from, because that decides what happens next:

* ``LIT`` — unquoted literal text of the script: globbing applies, splitting does not;
* ``EXP`` — the unquoted result of an expansion: split on ``$IFS``, then globbed;
* ``QUO`` — quoted text: neither.

The shell supplies what expansion needs through the :class:`Env` protocol.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final, Protocol

from emu.errors import EmuError, ExpansionError
from emu.fs import FS, Dir, accounts
from emu.pos import Position
from emu.sh.api import R_OK, X_OK, Identity, allowed
from emu.sh.syntax import (
    ArithExp,
    CmdSubst,
    Command,
    DblQuoted,
    Lit,
    ParamExp,
    SglQuoted,
    Word,
    WordPart,
)

LIT, EXP, QUO = 0, 1, 2
Seg = tuple[str, int]


class Env(Protocol):
    """What expansion reads from and writes to the running shell."""

    fs: FS
    cwd: str
    ident: Identity

    @property
    def nounset(self) -> bool: ...

    @property
    def noglob(self) -> bool: ...

    def lookup(self, name: str) -> str | None:
        """A variable, special or positional parameter (None when unset)."""
        ...

    def positional(self) -> list[str]: ...

    def assign(self, name: str, value: str) -> None: ...

    def substitute(self, body: tuple[Command, ...], pos: Position) -> str:
        """Run a command substitution; its standard output."""
        ...


# --- entry points ------------------------------------------------------------------------


def fields(env: Env, words: tuple[Word, ...]) -> list[str]:
    """Expand command words into fields (split, globbed, quotes removed)."""
    out: list[str] = []
    for w in words:
        lit = w.lit
        if lit is not None:
            out.append(lit)
        else:
            out.extend(word_fields(env, w))
    return out


def word_fields(env: Env, word: Word) -> list[str]:
    acc = _Acc()
    parts = word.parts
    if parts and isinstance(parts[0], Lit) and parts[0].value.startswith("~"):
        parts = _tilde(env, parts, acc, assignment=False)
    _collect(env, parts, False, acc)
    acc.brk()
    ifs = env.lookup("IFS")
    if ifs is None:
        ifs = " \t\n"
    noglob = env.noglob
    out: list[str] = []
    for segs, has in acc.fields:
        for f in _split(segs, has, ifs):
            if not noglob and _globbable(f):
                matches = glob(env, _pattern_of(f))
                if matches:
                    out.extend(matches)
                    continue
            out.append("".join(t for t, _ in f))
    return out


def string(env: Env, word: Word) -> str:
    """Expand to one string: no field splitting, no globbing (redirection targets,
    here-documents, ``case`` words, ``${v=...}`` values)."""
    lit = word.lit
    if lit is not None:
        return lit
    acc = _Acc()
    parts = word.parts
    if parts and isinstance(parts[0], Lit) and parts[0].value.startswith("~"):
        parts = _tilde(env, parts, acc, assignment=False)
    _collect(env, parts, False, acc, joined=True)
    return "".join(t for t, _ in acc.segs)


def assignment(env: Env, word: Word) -> str:
    """An assignment's value: like :func:`string`, with tildes after ``=`` and ``:``."""
    lit = word.lit
    if lit is not None:
        return lit
    acc = _Acc()
    parts: tuple[WordPart, ...] = word.parts
    if any(isinstance(p, Lit) and "~" in p.value for p in parts):
        parts = _tilde(env, parts, acc, assignment=True)
    _collect(env, parts, False, acc, joined=True)
    return "".join(t for t, _ in acc.segs)


def pattern(env: Env, word: Word) -> str:
    """Expand a pattern (``case``, ``${v#p}``): quoted characters come out escaped with a
    backslash so they match themselves; unquoted ``* ? [`` stay special."""
    acc = _Acc()
    _collect(env, word.parts, False, acc, joined=True)
    return _pattern_of(acc.segs, escape_exp=False)


# --- collecting segments -----------------------------------------------------------------


class _Acc:
    """Fields being built: ``fields`` are those closed by ``"$@"``; ``segs``/``has`` the
    current one (``has``: it exists even if empty, e.g. because of ``""``)."""

    __slots__ = ("fields", "has", "segs")

    def __init__(self) -> None:
        self.fields: list[tuple[list[Seg], bool]] = []
        self.segs: list[Seg] = []
        self.has = False

    def add(self, text: str, kind: int) -> None:
        if text:
            self.segs.append((text, kind))
            if kind != EXP:
                self.has = True
        elif kind == QUO:
            self.has = True

    def brk(self) -> None:
        self.fields.append((self.segs, self.has))
        self.segs = []
        self.has = False


def _collect(
    env: Env,
    parts: tuple[WordPart, ...],
    quoted: bool,
    acc: _Acc,
    joined: bool = False,
    lit: int = LIT,
) -> None:
    """Append the expansion of ``parts`` to ``acc``. ``lit`` is the kind of unquoted
    literal text: ``EXP`` inside ``${v:-word}``, whose result is split like any other."""
    kind = QUO if quoted else EXP
    for p in parts:
        match p:
            case Lit(value=v):
                acc.add(v, QUO if quoted else lit)
            case SglQuoted(value=v):
                acc.add(v, QUO)
            case ParamExp():
                _param(env, p, quoted, acc, joined)
            case DblQuoted(parts=inner):
                if not (len(inner) == 1 and _is_at(inner[0])):
                    acc.has = True
                _collect(env, inner, True, acc, joined)
            case CmdSubst(body=body, pos=pos):
                acc.add(env.substitute(body, pos).rstrip("\n"), kind)
            case ArithExp(expr=expr):
                text = string(env, expr)
                acc.add(str(arith(env, text)), kind)


def _is_at(p: WordPart) -> bool:
    return isinstance(p, ParamExp) and p.name == "@" and p.op == "" and not p.length


def _ifs_join(env: Env) -> str:
    ifs = env.lookup("IFS")
    return " " if ifs is None else ifs[:1]


def _param(env: Env, p: ParamExp, quoted: bool, acc: _Acc, joined: bool) -> None:
    name = p.name
    kind = QUO if quoted else EXP
    op = p.op
    if name in "@*" and op == "" and not p.length:
        params = env.positional()
        if joined:
            acc.add((" " if name == "@" else _ifs_join(env)).join(params), kind)
        elif quoted and name == "*":
            acc.add(_ifs_join(env).join(params), QUO)
        else:
            for k, v in enumerate(params):
                if k:
                    acc.brk()
                acc.add(v, kind)
                if quoted:
                    acc.has = True
        return
    if name in "@*":
        params = env.positional()
        value: str | None = " ".join(params) if params else None
    else:
        value = env.lookup(name)
    if p.length:
        if value is None and env.nounset and name not in "@*#?$!-":
            raise _unset(name, p.pos)
        # ash counts bytes, not characters (busybox is built without locale support).
        acc.add(str(len((value or "").encode("utf-8", "surrogateescape"))), kind)
        return
    if op == "":
        if value is None:
            if env.nounset and name not in "@*":
                raise _unset(name, p.pos)
            value = ""
        acc.add(value, kind)
        return
    arg = p.arg
    assert arg is not None
    first = op[-1]
    if op in ("-", ":-", "=", ":=", "?", ":?", "+", ":+"):
        null = value is None or (op[0] == ":" and value == "")
        if first == "-":
            if null:
                _collect(env, arg.parts, quoted, acc, joined, EXP)
            else:
                acc.add(value or "", kind)
        elif first == "+":
            if not null:
                _collect(env, arg.parts, quoted, acc, joined, EXP)
            elif quoted:
                acc.has = True
        elif first == "=":
            if null:
                if not _NAME.fullmatch(name):
                    raise ExpansionError(f"{name}: bad variable name", pos=p.pos)
                value = string(env, arg)
                env.assign(name, value)
            acc.add(value or "", kind)
        else:  # "?"
            if null:
                msg = string(env, arg)
                if not msg:
                    msg = "parameter not set" if op == "?" else "parameter not set or null"
                raise ExpansionError(f"{name}: {msg}", pos=p.pos)
            acc.add(value or "", kind)
        return
    if value is None:
        if env.nounset:
            raise _unset(name, p.pos)
        value = ""
    if op in ("#", "##", "%", "%%"):
        acc.add(trim(value, pattern(env, arg), op), kind)
    elif op[0] == "/":
        repl = "" if p.arg2 is None else string(env, p.arg2)
        acc.add(replace(value, pattern(env, arg), repl, op), kind)
    else:  # ":" substring, in bytes like ${#v}
        raw = value.encode("utf-8", "surrogateescape")
        off = arith(env, string(env, arg))
        if off < 0:
            off = max(0, len(raw) + off)
        if p.arg2 is None:
            piece = raw[off:]
        else:
            ln = arith(env, string(env, p.arg2))
            if ln < 0:
                # ash takes a negative length as an end counted from the right.
                end = len(raw) + ln
                piece = raw[off:end] if end > off else b""
            else:
                piece = raw[off : off + ln]
        acc.add(piece.decode("utf-8", "surrogateescape"), kind)


def _unset(name: str, pos: Position) -> ExpansionError:
    return ExpansionError(f"{name}: parameter not set", pos=pos)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --- tilde ---------------------------------------------------------------------------------


def _home_of(env: Env, user: str) -> str | None:
    if not user:
        return env.lookup("HOME")
    u = accounts.user_named(env.fs, user)
    return u.home if u is not None else None


def _tilde_in(env: Env, text: str, acc: _Acc) -> str | None:
    """Expand a ``~prefix`` at the start of ``text``; the rest, or None if unchanged.

    busybox quirk: ``~nosuchuser/dir`` expands to ``~nosuchuser``, the rest of the word
    dropped (an empty rest is returned as ``"\0"``)."""
    j = text.find("/")
    end = len(text) if j < 0 else j
    home = _home_of(env, text[1:end])
    if home is None:
        if j >= 0 and end > 1:
            acc.add(text[:end], QUO)
            return "\0"
        return None
    acc.add(home, QUO)  # the result of tilde expansion is not split or globbed
    return text[end:]


def _tilde(
    env: Env, parts: tuple[WordPart, ...], acc: _Acc, assignment: bool
) -> tuple[WordPart, ...]:
    """Tilde prefixes: at the start of the word, and (in assignments) after ``=``/``:``.

    Expanded text goes straight into ``acc``; what remains of the parts is returned."""
    first = parts[0]
    if not isinstance(first, Lit):
        return parts
    if not assignment:
        j = first.value.find("/")
        # "~user" must end the literal or be followed by "/": ~"x" is not a tilde prefix.
        if j < 0 and len(parts) > 1:
            return parts
        rest = _tilde_in(env, first.value, acc)
        if rest is None:
            return parts
        if rest == "\0":
            return ()
        return (Lit(first.pos, rest), *parts[1:]) if rest else parts[1:]
    out: list[WordPart] = []
    for k, p in enumerate(parts):
        if not isinstance(p, Lit) or "~" not in p.value:
            out.append(p)
            continue
        pieces = p.value.split(":")
        texts: list[str] = []
        for i, piece in enumerate(pieces):
            at_start = i > 0 or (k == 0)
            if (
                at_start
                and piece.startswith("~")
                and ("/" in piece or i < len(pieces) - 1 or k == len(parts) - 1)
            ):
                user = piece[1:].split("/", 1)[0]
                home = _home_of(env, user)
                if home is not None:
                    piece = home + piece[len(user) + 1 :]
                elif user and "/" in piece:
                    # The same busybox quirk as in words: the rest is dropped.
                    texts.append(piece[: len(user) + 1])
                    return (*out, SglQuoted(p.pos, ":".join(texts)))
            texts.append(piece)
        out.append(SglQuoted(p.pos, ":".join(texts)) if texts != pieces else p)
    return tuple(out)


# --- field splitting -----------------------------------------------------------------------


def _split(segs: list[Seg], has: bool, ifs: str) -> list[list[Seg]]:
    if not ifs or all(k != EXP for _, k in segs):
        return [segs] if has or segs else []
    ws = "".join(c for c in ifs if c in " \t\n")
    out: list[list[Seg]] = []
    cur: list[Seg] = []
    have = False
    absorb = False  # a non-blank delimiter right after a blank-ended field joins it
    for text, kind in segs:
        if kind != EXP:
            cur.append((text, kind))
            have = True
            absorb = False
            continue
        i, n = 0, len(text)
        start = 0
        while i < n:
            c = text[i]
            if c not in ifs:
                i += 1
                have = True
                absorb = False
                continue
            if i > start:
                cur.append((text[start:i], EXP))
            if c in ws:
                if have:
                    out.append(cur)
                    cur = []
                    have = False
                    absorb = True
            elif absorb:
                absorb = False
            else:
                out.append(cur)
                cur = []
                have = False
            i += 1
            start = i
        if start < n:
            cur.append((text[start:], EXP))
    if have:
        out.append(cur)
    return out


# --- patterns ------------------------------------------------------------------------------

_GLOB_META = re.compile(r"[*?\[]")
_ESCAPE_META = re.compile(r"([*?\[\]\\])")


def _globbable(f: list[Seg]) -> bool:
    return any(k != QUO and _GLOB_META.search(t) for t, k in f)


def _pattern_of(segs: list[Seg], escape_exp: bool = True) -> str:
    """A pattern string: quoted text escaped; unquoted text as is. In pathname expansion
    ash takes a backslash that came from a variable literally (``escape_exp``); in
    ``case`` and ``${v#p}`` it escapes the next character."""
    out: list[str] = []
    for t, k in segs:
        if k == QUO or (k == EXP and escape_exp and "\\" in t):
            out.append(_ESCAPE_META.sub(r"\\\1", t) if k == QUO else t.replace("\\", "\\\\"))
        else:
            out.append(t)
    return "".join(out)


def has_meta(pat: str) -> bool:
    """Whether a pattern has an unescaped ``*``, ``?`` or a closed ``[...]``."""
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "\\":
            i += 2
            continue
        if c in "*?":
            return True
        if c == "[" and _bracket_end(pat, i) > 0:
            return True
        i += 1
    return False


def unescape(pat: str) -> str:
    return re.sub(r"\\(.)", r"\1", pat, flags=re.S)


_CLASSES: Final = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "xdigit": "0-9A-Fa-f",
    "cntrl": "\\x00-\\x1f\\x7f",
    "print": "\\x20-\\x7e",
    "graph": "\\x21-\\x7e",
    "word": "a-zA-Z0-9_",
}


def _bracket_end(pat: str, i: int) -> int:
    """Index just past the ``]`` closing the bracket expression at ``i`` (0 if none)."""
    j = i + 1
    n = len(pat)
    if j < n and pat[j] in "!^":
        j += 1
    if j < n and pat[j] == "]":
        j += 1
    while j < n:
        c = pat[j]
        if c == "\\":
            j += 2
            continue
        if c == "[" and j + 1 < n and pat[j + 1] == ":":
            k = pat.find(":]", j + 2)
            if k >= 0:
                j = k + 2
                continue
        if c == "]":
            return j + 1
        j += 1
    return 0


def _bracket_regex(pat: str, i: int, end: int) -> str:
    j = i + 1
    neg = False
    if pat[j] in "!^":
        neg = True
        j += 1
    items: list[str] = []
    first = True
    while j < end - 1:
        c = pat[j]
        if c == "]" and not first:
            break
        first = False
        if c == "[" and pat.startswith("[:", j):
            k = pat.find(":]", j + 2)
            if k >= 0:
                items.append(_CLASSES.get(pat[j + 2 : k], ""))
                j = k + 2
                continue
        if c == "\\" and j + 1 < end - 1:
            j += 1
            c = pat[j]
        if j + 2 < end - 1 and pat[j + 1] == "-" and pat[j + 2] != "]":
            hi = pat[j + 2]
            if hi == "\\" and j + 3 < end - 1:
                hi = pat[j + 3]
                j += 1
            if ord(hi) >= ord(c):
                items.append(re.escape(c) + "-" + re.escape(hi))
            j += 3
            continue
        items.append(re.escape(c))
        j += 1
    body = "".join(items)
    if not body:
        return "[^\\s\\S]" if not neg else "[\\s\\S]"
    return f"[{'^' if neg else ''}{body}]"


@functools.lru_cache(maxsize=4096)
def _regex(pat: str, path_segment: bool) -> re.Pattern[str]:
    """A shell pattern as a compiled regex. In a path segment, wildcards never match a
    leading ``.``."""
    out: list[str] = []
    i, n = 0, len(pat)
    if path_segment and not pat.startswith("."):
        out.append("(?!\\.)")
    while i < n:
        c = pat[i]
        if c == "\\":
            out.append(re.escape(pat[i + 1]) if i + 1 < n else "\\\\")
            i += 2
        elif c == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
            i += 1
        elif c == "?":
            out.append(".")
            i += 1
        elif c == "[":
            end = _bracket_end(pat, i)
            if end:
                out.append(_bracket_regex(pat, i, end))
                i = end
            else:
                out.append("\\[")
                i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out), re.S)


@functools.lru_cache(maxsize=1024)
def fnmatch_regex(pat: str, icase: bool = False) -> re.Pattern[str]:
    """fnmatch(3) without flags (``find -name``): the shell's pattern language, where
    ``*`` and ``?`` also match ``/`` and a leading dot; ``.match`` tests a whole string."""
    return re.compile(_regex(pat, False).pattern + r"\Z", re.S | (re.I if icase else 0))


def match(pat: str, s: str) -> bool:
    """Whether ``s`` matches the shell pattern ``pat`` as a whole (``case``, ``[[``)."""
    if not has_meta(pat):
        return unescape(pat) == s if "\\" in pat else pat == s
    return _regex(pat, False).fullmatch(s) is not None


def trim(value: str, pat: str, op: str) -> str:
    """``${v#p}`` ``${v##p}`` ``${v%p}`` ``${v%%p}``."""
    if not has_meta(pat):
        lit = unescape(pat)
        if op[0] == "#":
            return value[len(lit) :] if value.startswith(lit) else value
        return value[: len(value) - len(lit)] if lit and value.endswith(lit) else value
    rx = _regex(pat, False)
    n = len(value)
    if op == "#":
        rng: range = range(0, n + 1)
    elif op == "##" or op == "%":
        rng = range(n, -1, -1)
    else:
        rng = range(0, n + 1)
    for k in rng:
        if op[0] == "#":
            if rx.fullmatch(value, 0, k):
                return value[k:]
        elif rx.fullmatch(value, k, n):
            return value[:k]
    return value


def replace(value: str, pat: str, repl: str, op: str) -> str:
    """``${v/p/r}`` (first), ``${v//p/r}`` (all), ``${v/#p/r}``, ``${v/%p/r}``: each
    match is the longest at the leftmost position."""
    if pat == "":
        return value
    rx = _regex(pat, False)
    n = len(value)
    if op == "/#":
        for k in range(n, -1, -1):
            if rx.fullmatch(value, 0, k):
                return repl + value[k:]
        return value
    if op == "/%":
        for k in range(0, n + 1):
            if rx.fullmatch(value, k, n):
                return value[:k] + repl
        return value
    out: list[str] = []
    i = 0
    while i <= n:
        found = -1
        for k in range(n, i - 1, -1):
            if rx.fullmatch(value, i, k):
                found = k
                break
        if found < 0 or found == i:
            if i < n:
                out.append(value[i])
            i += 1
            continue
        out.append(repl)
        i = found
        if op != "//":
            out.append(value[i:])
            return "".join(out)
    return "".join(out)


# --- pathname expansion --------------------------------------------------------------------


def _is_dir(fs: FS, path: str) -> bool:
    try:
        return isinstance(fs.lookup(path), Dir)
    except EmuError:  # too many levels of symbolic links
        return False


def glob(env: Env, pat: str) -> list[str]:
    """Pathname expansion of ``pat`` in the image (sorted; empty if nothing matches)."""
    fs = env.fs
    absolute = pat.startswith("/")
    comps = pat.split("/")
    if absolute:
        comps = comps[1:]
    # Each candidate: (text to output, path in the image).
    cands: list[tuple[str, str]] = [("/" if absolute else "", "/" if absolute else env.cwd)]
    last = len(comps) - 1
    for idx, comp in enumerate(comps):
        new: list[tuple[str, str]] = []
        if comp == "":
            # "a//b" or a trailing "/": only directories carry on.
            for text, path in cands:
                if _is_dir(fs, path):  # a symlink loop is no directory: it drops out
                    new.append((text + "/" if idx != 0 or not absolute else text, path))
            cands = new
            continue
        if not has_meta(comp):
            name = unescape(comp)
            for text, path in cands:
                child = _join(path, name)
                if idx == last:
                    try:
                        exists = fs.lookup(child, follow=False) is not None
                    except EmuError:  # a symlink loop on the way
                        exists = False
                    if exists:
                        new.append((_sep(text) + name, child))
                else:
                    new.append((_sep(text) + name, child))
            cands = new
            continue
        rx = _regex(comp, True)
        for text, path in cands:
            try:
                node = fs.lookup(path)
            except EmuError:
                continue
            if not isinstance(node, Dir):
                continue
            if not allowed(node, env.ident, R_OK | X_OK):
                continue
            names = sorted(node.entries)
            if comp.startswith("."):
                names = [".", "..", *names]
            for name in names:
                if rx.fullmatch(name):
                    new.append((_sep(text) + name, _join(path, name)))
        cands = new
        if not cands:
            return []
    out = [t for t, _ in cands]
    out.sort()
    return out


def _sep(text: str) -> str:
    return text if text == "" or text.endswith("/") else text + "/"


def _join(d: str, name: str) -> str:
    return d + name if d.endswith("/") else d + "/" + name


# --- arithmetic ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|[0-9]+#[0-9a-zA-Z@_]+|[0-9][0-9a-zA-Z_]*)|([A-Za-z_][A-Za-z0-9_]*)"
    r"|(<<=|>>=|\*\*|<=|>=|==|!=|&&|\|\||<<|>>|\+=|-=|\*=|/=|%=|&=|\^=|\|=|\+\+|--|[-+*/%<>=&^|!~?:(),]))"
)
_BINARY: Final = {
    ",": 1,
    "||": 4,
    "&&": 5,
    "|": 6,
    "^": 7,
    "&": 8,
    "==": 9,
    "!=": 9,
    "<": 10,
    "<=": 10,
    ">": 10,
    ">=": 10,
    "<<": 11,
    ">>": 11,
    "+": 12,
    "-": 12,
    "*": 13,
    "/": 13,
    "%": 13,
    "**": 15,
}
_ASSIGN_OPS: Final = frozenset(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="])
_INT_MIN = -(1 << 63)


def _wrap(v: int) -> int:
    return ((v + (1 << 63)) & ((1 << 64) - 1)) + _INT_MIN


class _ArithError(Exception):
    pass


def _syntax() -> _ArithError:
    return _ArithError("arithmetic syntax error")


# Arithmetic AST: tuples, evaluated by _eval. ("n", v) ("v", name) ("u", op, x)
# ("b", op, x, y) ("?", c, x, y) ("=", op, name, x) ("pre"/"post", op, name)
ANode = tuple[object, ...]


class _ArithParser:
    def __init__(self, text: str) -> None:
        self.toks: list[tuple[int, str]] = []
        i, n = 0, len(text)
        while True:
            m = _TOKEN.match(text, i)
            if not m:
                if text[i:].strip():
                    raise _syntax()
                break
            k = m.lastindex or 0
            self.toks.append((k, m.group(k)))
            i = m.end()
            if i >= n:
                break
        self.k = 0

    def peek(self) -> str | None:
        return self.toks[self.k][1] if self.k < len(self.toks) else None

    def take(self) -> tuple[int, str]:
        if self.k >= len(self.toks):
            raise _syntax()
        t = self.toks[self.k]
        self.k += 1
        return t

    def parse(self) -> ANode:
        if not self.toks:
            return ("n", 0)
        node = self.expr(0)
        if self.k != len(self.toks):
            raise _syntax()
        return node

    def expr(self, min_prec: int) -> ANode:
        left = self.unary()
        while True:
            op = self.peek()
            if op is None:
                return left
            if op in _ASSIGN_OPS:
                if min_prec > 2:
                    return left
                if left[0] != "v":
                    raise _syntax()
                self.k += 1
                right = self.expr(2)
                left = ("=", op, left[1], right)
                continue
            if op == "?":
                if min_prec > 3:
                    return left
                self.k += 1
                a = self.expr(1)
                if self.peek() != ":":
                    raise _syntax()
                self.k += 1
                b = self.expr(3)
                left = ("?", left, a, b)
                continue
            prec = _BINARY.get(op)
            if prec is None or prec < min_prec:
                return left
            self.k += 1
            # "**" is right-associative, the rest left-associative.
            right = self.expr(prec if op == "**" else prec + 1)
            left = ("b", op, left, right)

    def unary(self) -> ANode:
        kind, tok = self.take()
        if kind == 3:
            if tok in ("++", "--"):
                nxt = self.peek()
                if nxt is not None and self.toks[self.k][0] == 2:
                    _, name = self.take()
                    return ("pre", tok, name)
                # "--5" is two minus signs in ash.
                inner = self.unary()
                sign = "-" if tok == "--" else "+"
                return ("u", sign, ("u", sign, inner))
            if tok in ("-", "+", "!", "~"):
                return ("u", tok, self.unary())
            if tok == "(":
                node = self.expr(0)
                if self.take()[1] != ")":
                    raise _syntax()
                return self.postfix(node)
            raise _syntax()
        if kind == 1:
            return ("n", _number(tok))
        return self.postfix(("v", tok))

    def postfix(self, node: ANode) -> ANode:
        op = self.peek()
        if op in ("++", "--") and node[0] == "v":
            self.k += 1
            return ("post", op, node[1])
        return node


def _number(tok: str) -> int:
    try:
        if "#" in tok:
            base_s, digits = tok.split("#", 1)
            base = int(base_s)
            if not 2 <= base <= 64:
                raise _syntax()
            v = 0
            for ch in digits:
                if ch.isdigit():
                    d = ord(ch) - 48
                elif "a" <= ch <= "z":
                    d = ord(ch) - 87
                elif "A" <= ch <= "Z":
                    d = ord(ch) - 29 if base > 36 else ord(ch) - 55
                elif ch == "@":
                    d = 62
                else:
                    d = 63
                if d >= base:
                    raise _syntax()
                v = v * base + d
            return _wrap(v)
        if tok[:2] in ("0x", "0X"):
            return _wrap(int(tok[2:], 16))
        if len(tok) > 1 and tok[0] == "0":
            return _wrap(int(tok, 8))
        return _wrap(int(tok, 10))
    except ValueError:
        raise _syntax() from None


@functools.lru_cache(maxsize=4096)
def _parse_arith(text: str) -> ANode:
    return _ArithParser(text).parse()


_PLAIN_INT = re.compile(r"\s*-?[0-9]+\s*")


def arith(env: Env, text: str) -> int:
    """Evaluate ``$((text))`` (64-bit signed, C operators, ash's rules for variables)."""
    try:
        return _eval(env, _parse_arith(text), 0, False)
    except _ArithError as e:
        raise ExpansionError(str(e)) from None
    except RecursionError:
        raise ExpansionError("arithmetic syntax error") from None


def _var_value(env: Env, name: str, depth: int) -> int:
    raw = env.lookup(name)
    if raw is None or raw.strip() == "":
        return 0  # even under set -u, as in ash
    if _PLAIN_INT.fullmatch(raw):
        s = raw.strip()
        neg = s.startswith("-")
        s = s.lstrip("-")
        v = _number(s)
        return _wrap(-v) if neg else v
    if depth > 16:
        raise _ArithError("expression recursion loop detected")
    # A variable holding an expression is evaluated as one (x="1 + 1"; $((x*2)) is 4).
    return _eval(env, _parse_arith(raw), depth + 1, False)


def _store(env: Env, name: str, value: int, noeval: bool) -> int:
    if not noeval:
        env.assign(name, str(value))
    return value


_BIN_FUNCS: Final[dict[str, Callable[[int, int], int]]] = {
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "&": lambda a, b: a & b,
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b),
    "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b),
    ">=": lambda a, b: int(a >= b),
    "<<": lambda a, b: a << (b & 63),
    ">>": lambda a, b: a >> (b & 63),
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


def _binop(op: str, a: int, b: int) -> int:
    f = _BIN_FUNCS.get(op)
    if f is not None:
        return _wrap(f(a, b))
    if op in ("/", "%"):
        if b == 0:
            raise _ArithError("divide by zero")
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        return _wrap(q) if op == "/" else _wrap(a - b * q)
    if op == "**":
        if b < 0:
            raise _ArithError("exponent less than 0")
        return _wrap(pow(a, b, 1 << 64))
    raise _syntax()  # pragma: no cover


def _eval(env: Env, node: ANode, depth: int, noeval: bool) -> int:
    tag = node[0]
    if tag == "n":
        return node[1]  # type: ignore[return-value]
    if tag == "v":
        return _var_value(env, node[1], depth)  # type: ignore[arg-type]
    if tag == "b":
        op = node[1]
        a = _eval(env, node[2], depth, noeval)  # type: ignore[arg-type]
        if op in ("&&", "||"):
            # ash evaluates both sides, side effects included: $((0 && (a=1))) sets a.
            b = _eval(env, node[3], depth, noeval)  # type: ignore[arg-type]
            if op == "&&":
                return int(a != 0 and b != 0)
            return int(a != 0 or b != 0)
        b = _eval(env, node[3], depth, noeval)  # type: ignore[arg-type]
        if op == ",":
            return b
        return _binop(op, a, b)  # type: ignore[arg-type]
    if tag == "u":
        op = node[1]
        x = _eval(env, node[2], depth, noeval)  # type: ignore[arg-type]
        if op == "-":
            return _wrap(-x)
        if op == "+":
            return x
        if op == "!":
            return int(x == 0)
        return _wrap(~x)
    if tag == "?":
        c = _eval(env, node[1], depth, noeval)  # type: ignore[arg-type]
        # Both branches are evaluated, as ash does.
        a = _eval(env, node[2], depth, noeval)  # type: ignore[arg-type]
        b = _eval(env, node[3], depth, noeval)  # type: ignore[arg-type]
        return a if c else b
    if tag == "=":
        op, name = node[1], node[2]
        v = _eval(env, node[3], depth, noeval)  # type: ignore[arg-type]
        if op != "=":
            v = _binop(op[:-1], _var_value(env, name, depth), v)  # type: ignore[arg-type,index]
        return _store(env, name, v, noeval)  # type: ignore[arg-type]
    # "pre" / "post"
    op, name = node[1], node[2]
    old = _var_value(env, name, depth)  # type: ignore[arg-type]
    new = _wrap(old + 1 if op == "++" else old - 1)
    _store(env, name, new, noeval)  # type: ignore[arg-type]
    return new if tag == "pre" else old


__all__ = [
    "EXP",
    "LIT",
    "QUO",
    "Env",
    "ExpansionError",
    "arith",
    "assignment",
    "fields",
    "glob",
    "has_meta",
    "match",
    "pattern",
    "replace",
    "string",
    "trim",
    "unescape",
    "word_fields",
]
