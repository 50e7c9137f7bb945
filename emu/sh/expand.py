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
import itertools
import re
from collections.abc import Callable
from typing import Final, Protocol, TypeVar

from emu.errors import EmuError, ExpansionError
from emu.fs import FS, Dir, accounts
from emu.pos import Position
from emu.sh import linear
from emu.sh.api import R_OK, X_OK, Identity, allowed
from emu.sh.linear import Regex
from emu.sh.syntax import (
    ArithExp,
    ArrayLit,
    CmdSubst,
    Command,
    DblQuoted,
    Lit,
    ParamExp,
    ProcSubst,
    SglQuoted,
    Word,
    WordPart,
    c_escapes,
    group_end,
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

    # What only bash mode asks for (an ash shell never reaches these).

    @property
    def bash(self) -> bool: ...

    def option(self, name: str) -> bool:
        """A bash option by its ``set -o`` or ``shopt`` name (``nullglob``, ``extglob``)."""
        ...

    def array(self, name: str) -> Arr | None: ...

    def var_names(self) -> list[str]:
        """Every set variable's name (``${!prefix*}``)."""
        ...

    def attributes(self, name: str) -> str:
        """``declare``'s attribute letters of a variable (``${v@a}``)."""
        ...

    def procsubst(self, body: tuple[Command, ...], out: bool, pos: Position) -> str:
        """Start a process substitution; the path that stands for it."""
        ...

    def subscript(self, name: str, index: str) -> tuple[str, int | str]:
        """How ``name[index]`` names an element: (name, key), ``index`` already expanded
        (an arithmetic index of an indexed array is evaluated here)."""
        ...

    def get_element(self, name: str, key: int | str) -> str | None: ...

    def set_element(self, name: str, key: int | str, value: str) -> None: ...

    def warn(self, message: str) -> None:
        """A message that does not stop anything (``bad array subscript``)."""
        ...

    def nameref(self, name: str) -> str | None:
        """The variable a nameref (``declare -n``) names; None if ``name`` is not one."""
        ...

    def utf8(self) -> bool:
        """Whether the locale is UTF-8 (characters), else the C locale (bytes)."""
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
    if word.brace and env.option("braceexpand"):
        alts = brace_expand(word)
        if len(alts) > 1 or alts[0] != word.parts:
            out: list[str] = []
            for parts in alts:
                out.extend(_parts_fields(env, parts))
            return out
    return _parts_fields(env, word.parts)


def _parts_fields(env: Env, parts: tuple[WordPart, ...]) -> list[str]:
    acc = _Acc()
    if parts and isinstance(parts[0], Lit) and parts[0].value.startswith("~"):
        parts = _tilde(env, parts, acc, assignment=False)
    _collect(env, parts, False, acc)
    acc.brk()
    ifs = env.lookup("IFS")
    if ifs is None:
        ifs = " \t\n"
    noglob = env.noglob
    bash = getattr(env, "bash", False)
    out: list[str] = []
    for segs, has in acc.fields:
        for f in _split(segs, has, ifs):
            if not noglob and (_globbable(f) or (bash and _ext_globbable(f))):
                if bash:
                    found = _bash_glob(env, f)
                    if found is not None:
                        out.extend(found)
                        continue
                else:
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
                acc.add(
                    str(bash_arith(env, text) if getattr(env, "bash", False) else arith(env, text)),
                    kind,
                )
            case ProcSubst(body=body, out=out, pos=pos):
                acc.add(env.procsubst(body, out, pos), kind)
            case ArrayLit():
                pass  # only an assignment reads an array literal


def _is_at(p: WordPart) -> bool:
    """``"$@"`` (or bash's ``"${a[@]}"``, ``"${a[@]/x/y}"``...): no word when empty."""
    if not isinstance(p, ParamExp) or p.length:
        return False
    if p.name == "@" and p.op == "" and p.index is None:
        return True
    if p.op in _DEFAULTS_OPS:
        return False
    if p.op == "!@" or (p.index is not None and p.index.lit == "@"):
        return True
    return p.name == "@" and p.index is None and p.op != "bad"


_DEFAULTS_OPS: Final = frozenset(["-", ":-", "=", ":=", "?", ":?", "+", ":+"])


def _ifs_join(env: Env) -> str:
    ifs = env.lookup("IFS")
    return " " if ifs is None else ifs[:1]


def _param(env: Env, p: ParamExp, quoted: bool, acc: _Acc, joined: bool) -> None:
    if getattr(env, "bash", False):
        _param_bash(env, p, quoted, acc, joined)
        return
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
    if _GLOB_META.search(pat) is None:
        return False  # (most words: no character to look at twice)
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
def _regex(pat: str, ext: bool = False, icase: bool = False) -> Regex[str]:
    """A shell pattern as a compiled regex, matched in linear time where backtracking could
    hang (``*a*a*a*a*b``: :mod:`emu.sh.linear`). ``ext``: bash's extglob groups ``?(..)
    *(..) +(..) @(..) !(..)``; ``icase``: letters match either case (``nocasematch``,
    ``nocaseglob``)."""
    body = _regex_body(pat, 0, len(pat), ext)
    return linear.compile(re.compile(body, re.S | (re.I if icase else 0)))


def _regex_body(pat: str, i: int, n: int, ext: bool) -> str:
    out: list[str] = []
    while i < n:
        c = pat[i]
        if ext and c in "?*+@!" and i + 1 < n and pat[i + 1] == "(":
            close = group_end(pat, i + 1, n)
            if close > 0:
                alts = [_regex_body(a, 0, len(a), ext) for a in _split_alts(pat[i + 2 : close])]
                group = "(?:" + "|".join(alts) + ")"
                if c == "!":
                    rest = _regex_body(pat, close + 1, n, ext)
                    out.append(f"(?:(?!{group}{rest}\\Z).*?)")
                else:
                    out.append(group + {"?": "?", "*": "*", "+": "+", "@": ""}[c])
                i = close + 1
                continue
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
            if end and end <= n:
                out.append(_bracket_regex(pat, i, end))
                i = end
            else:
                out.append("\\[")
                i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _split_alts(text: str) -> list[str]:
    out: list[str] = []
    depth = 0
    start = 0
    j = 0
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(text[start:j])
            start = j + 1
        j += 1
    out.append(text[start:])
    return out


_EXT_META = re.compile(r"[?*+@!]\(")


@functools.lru_cache(maxsize=1024)
def fnmatch_regex(pat: str, icase: bool = False) -> Regex[str]:
    """fnmatch(3) without flags (``find -name``): the shell's pattern language, where
    ``*`` and ``?`` also match ``/`` and a leading dot; ``.match`` tests a whole string."""
    return linear.compile(re.compile(_regex(pat).pattern + r"\Z", re.S | (re.I if icase else 0)))


def match(pat: str, s: str, ext: bool = False, icase: bool = False) -> bool:
    """Whether ``s`` matches the shell pattern ``pat`` as a whole (``case``, ``[[``);
    ``ext`` and ``icase`` as for :func:`_regex`."""
    if not has_meta(pat) and not (ext and _EXT_META.search(pat)):
        if icase:
            return unescape(pat).lower() == s.lower()
        return unescape(pat) == s if "\\" in pat else pat == s
    return _regex(pat, ext, icase).fullmatch(s) is not None


def trim(value: str, pat: str, op: str, ext: bool = False) -> str:
    """``${v#p}`` ``${v##p}`` ``${v%p}`` ``${v%%p}``."""
    if not has_meta(pat) and not (ext and _EXT_META.search(pat)):
        lit = unescape(pat)
        if op[0] == "#":
            return value[len(lit) :] if value.startswith(lit) else value
        return value[: len(value) - len(lit)] if lit and value.endswith(lit) else value
    rx = _regex(pat, ext)
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


def replace(value: str, pat: str, repl: str, op: str, ext: bool = False, amp: bool = False) -> str:
    """``${v/p/r}`` (first), ``${v//p/r}`` (all), ``${v/#p/r}``, ``${v/%p/r}``: each
    match is the longest at the leftmost position. ``amp`` (bash's patsub_replacement):
    ``repl`` is escaped text in which an unescaped ``&`` stands for the match."""
    if pat == "":
        return value
    make = _amp_template(repl) if amp else None
    rx = _regex(pat, ext)
    n = len(value)

    def put(matched: str) -> str:
        return repl if make is None else make(matched)

    if op == "/#":
        for k in range(n, -1, -1):
            if rx.fullmatch(value, 0, k):
                return put(value[:k]) + value[k:]
        return value
    if op == "/%":
        for k in range(0, n + 1):
            if rx.fullmatch(value, k, n):
                return value[:k] + put(value[k:])
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
        out.append(put(value[i:found]))
        i = found
        if op != "//":
            out.append(value[i:])
            return "".join(out)
    return "".join(out)


def _amp_template(repl: str) -> Callable[[str], str]:
    """bash's replacement with ``&`` for the match; ``\\x`` is ``x``."""
    pieces: list[str | None] = []  # None: the match
    lit: list[str] = []
    i = 0
    while i < len(repl):
        c = repl[i]
        if c == "\\" and i + 1 < len(repl):
            lit.append(repl[i + 1])
            i += 2
            continue
        if c == "&":
            pieces.append("".join(lit))
            lit.clear()
            pieces.append(None)
        else:
            lit.append(c)
        i += 1
    pieces.append("".join(lit))
    return lambda m: "".join(m if p is None else p for p in pieces)


# --- pathname expansion --------------------------------------------------------------------


def _is_dir(fs: FS, path: str) -> bool:
    try:
        return isinstance(fs.lookup(path), Dir)
    except EmuError:  # too many levels of symbolic links
        return False


def glob(
    env: Env,
    pat: str,
    *,
    dot: bool = False,
    icase: bool = False,
    globstar: bool = False,
    ext: bool = False,
    skipdots: bool = False,
) -> list[str]:
    """Pathname expansion of ``pat`` in the image (sorted; empty if nothing matches).
    bash's options: ``dot`` (dotglob), ``icase`` (nocaseglob), ``globstar`` (``**``
    crosses directories), ``ext`` (extglob groups), ``skipdots`` (globskipdots: ``.*``
    never matches ``.`` and ``..``)."""
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
        if globstar and comp == "**":
            cands = _globstar(env, cands, idx == last, dot)
            continue
        if not has_meta(comp) and not (ext and _EXT_META.search(comp)):
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
        rx = _regex(comp, ext, icase)
        # Wildcards never match a leading "." (unless dotglob, or the pattern starts so).
        hidden = not dot and not comp.startswith(".")
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
            if comp.startswith(".") and not skipdots:
                names = [".", "..", *names]
            for name in names:
                if not (hidden and name.startswith(".")) and rx.fullmatch(name):
                    new.append((_sep(text) + name, _join(path, name)))
        cands = new
        if not cands:
            return []
    out = [t for t, _ in cands]
    out.sort()
    return out


def _globstar(
    env: Env, cands: list[tuple[str, str]], last: bool, dot: bool
) -> list[tuple[str, str]]:
    """bash's ``**``: no directory or any number of them (and, last in the pattern, every
    file below too). Hidden names need dotglob; links to directories are not entered."""
    fs = env.fs
    out: list[tuple[str, str]] = []
    for text, path in cands:
        if last:
            if text:
                out.append((_sep(text), path))
        else:
            out.append((text, path))
        stack = [(text, path)]
        while stack:
            t, p = stack.pop()
            try:
                node = fs.lookup(p, follow=True)
            except EmuError:
                continue
            if not isinstance(node, Dir) or not allowed(node, env.ident, R_OK | X_OK):
                continue
            for name in sorted(node.entries):
                if name.startswith(".") and not dot:
                    continue
                child = node.entries[name]
                ct, cp = _sep(t) + name, _join(p, name)
                if isinstance(child, Dir):
                    out.append((ct, cp))
                    stack.append((ct, cp))
                elif last:
                    out.append((ct, cp))
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
                if ch.isascii() and ch.isdigit():
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


# === bash =======================================================================================
#
# What bash adds to expansion: arrays, its own arithmetic (evaluated while it is read,
# with short-circuits and bash's messages), the extra ${...} operators, brace expansion and
# its glob options. An ash shell never runs any of it.


class Arr:
    """A bash array: indexed (``idx``, sparse, in index order) or associative (``map``,
    listed in the order of bash's hash table)."""

    __slots__ = ("idx", "map", "top")

    def __init__(self, assoc: bool = False) -> None:
        self.idx: dict[int, str] = {}
        self.map: dict[str, str] | None = {} if assoc else None
        self.top = -1  # the highest index (-1: none), so appending is O(1)

    @property
    def assoc(self) -> bool:
        return self.map is not None

    def copy(self) -> Arr:
        a = Arr(self.map is not None)
        a.idx = dict(self.idx)
        a.top = self.top
        if self.map is not None:
            a.map = dict(self.map)
        return a

    def keys(self) -> list[str]:
        if self.map is not None:
            return _hash_order(list(self.map))
        return [str(k) for k in sorted(self.idx)]

    def values(self) -> list[str]:
        if self.map is not None:
            m = self.map
            return [m[k] for k in _hash_order(list(m))]
        d = self.idx
        return [d[k] for k in sorted(d)]

    def __len__(self) -> int:
        return len(self.map) if self.map is not None else len(self.idx)

    def get(self, key: int | str) -> str | None:
        if self.map is not None:
            return self.map.get(str(key))
        return self.idx.get(int(key))

    def set(self, key: int | str, value: str) -> None:
        if self.map is not None:
            self.map[str(key)] = value
        else:
            k = int(key)
            self.idx[k] = value
            if k > self.top:
                self.top = k

    def unset(self, key: int | str) -> None:
        if self.map is not None:
            self.map.pop(str(key), None)
        else:
            k = int(key)
            self.idx.pop(k, None)
            if k == self.top:
                self.top = max(self.idx) if self.idx else -1

    def fill(self, values: list[str]) -> None:
        """Indexed from 0, these values and nothing else."""
        self.idx = dict(enumerate(values))
        self.top = len(values) - 1

    def next_index(self) -> int:
        return self.top + 1


def _fnv1(s: str) -> int:
    """bash's hash_string(): 32-bit FNV-1 of the bytes."""
    h = 2166136261
    for b in s.encode("utf-8", "surrogateescape"):
        h = (h * 16777619) & 0xFFFFFFFF
        h ^= b
    return h


def _hash_order(keys: list[str]) -> list[str]:
    """Keys in the order bash lists an associative array: by bucket of its 1024-bucket
    table, the newest first within a bucket (``keys`` is in insertion order)."""
    ranked = sorted(range(len(keys)), key=lambda k: (_fnv1(keys[k]) & 1023, -k))
    return [keys[k] for k in ranked]


def _bash_error(message: str, kind: str) -> ExpansionError:
    e = ExpansionError(message)
    setattr(e, "bash_kind", kind)  # noqa: B010 - the errors are emu.errors', marked
    return e


def bash_abort(message: str) -> ExpansionError:
    """bash: an error that abandons the rest of the command line being run (a bad
    substitution, a readonly variable): status 1, then the next line."""
    return _bash_error(message, "abort")


def bash_arith_error(message: str) -> ExpansionError:
    """Bad arithmetic (an abort too); ``message`` is ``EXPR: WHY (error token is
    "TOKEN")`` and the caller puts the command's name before it (``((: ``, ``let: ``)."""
    return _bash_error(message, "arith")


def bash_fatal(message: str) -> ExpansionError:
    """bash: an error that ends a non-interactive shell (``set -u``, ``${v?}``): status
    127 from the top level, 1 from a subshell."""
    return _bash_error(message, "fatal")


def bash_kind(e: BaseException) -> str:
    """``abort``, ``arith``, ``fatal`` for bash's expansion errors; ``""`` otherwise."""
    kind: str = getattr(e, "bash_kind", "")
    return kind


# --- arithmetic ---------------------------------------------------------------------------------

_B_SPACE = " \t\n\r"
_B_ARITHOPS = frozenset("+-*/%<>=!~&|^?:,()")
_B_ASSIGNABLE = frozenset("*/%+-&^|")
_B_MAX_DEPTH = 200  # bash allows 1024 nested variable evaluations; each costs Python frames
_I64 = 1 << 64


def _b_wrap(v: int) -> int:
    v &= _I64 - 1
    return v - _I64 if v >= 1 << 63 else v


def _b_cdiv(a: int, b: int) -> tuple[int, int]:
    """C's truncating division and remainder."""
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return _b_wrap(q), _b_wrap(a - b * q)


class _BArith:
    """bash's expr.c: the expression is evaluated as it is read, one token of lookahead,
    ``noeval`` counting the branches that are read but not evaluated."""

    def __init__(self, env: Env, text: str, depth: int) -> None:
        self.env = env
        self.expr = text
        self.depth = depth
        self.tp = 0
        self.lasttp = 0
        self.curtok: str | None = None
        self.lasttok: str | None = None
        self.tokval = 0
        self.tokstr: tuple[str, str | None] | None = None  # a variable: (name, subscript)
        self.assigntok = ""
        self.noeval = 0

    def fail(self, msg: str, at: int | None = None, upto: int | None = None) -> ExpansionError:
        expr = self.expr if upto is None else self.expr[:upto]
        expr = expr.lstrip(" \t")
        tp = self.lasttp if at is None else at
        return bash_arith_error(f'{expr}: {msg} (error token is "{self.expr[tp:upto]}")')

    def run(self) -> int:
        if self.depth > _B_MAX_DEPTH:
            raise self.fail("expression recursion level exceeded")
        self.readtok()
        if self.curtok is None:
            return 0
        val = self.expcomma()
        if self.curtok is not None:
            raise self.fail("syntax error in expression")
        return val

    # the grammar, loosest first

    def expcomma(self) -> int:
        val = self.expassign()
        while self.curtok == ",":
            self.readtok()
            val = self.expassign()
        return val

    def expassign(self) -> int:
        value = self.expcond()
        if self.curtok in ("=", "OP="):
            special = self.curtok == "OP="
            if self.lasttok != "STR":
                raise self.fail("attempted assignment to non-variable")
            op = self.assigntok
            lvalue = value
            lhs = self.tokstr
            if lhs is None:
                raise self.fail("syntax error in variable assignment")
            self.readtok()
            value = self.expassign()
            if special:
                if op in "/%" and value == 0:
                    if self.noeval == 0:
                        raise self.fail("division by 0")
                    value = 1
                value = self._binop(op, lvalue, value)
            if self.noeval == 0:
                self.bind(lhs, value)
            self.tokstr = None
        return value

    def expcond(self) -> int:
        cval = self.explor()
        if self.curtok != "?":
            return cval
        self.readtok()
        if self.curtok is None or self.curtok == ":":
            raise self.fail("expression expected")
        if cval == 0:
            self.noeval += 1
        val1 = self.expcomma()
        if cval == 0:
            self.noeval -= 1
        if self.curtok != ":":
            raise self.fail("`:' expected for conditional expression")
        self.readtok()
        if self.curtok is None:
            raise self.fail("expression expected")
        if cval:
            self.noeval += 1
        val2 = self.expcond()
        if cval:
            self.noeval -= 1
        self.lasttok = "NUM"
        return val1 if cval else val2

    def explor(self) -> int:
        val1 = self.expland()
        while self.curtok == "||":
            self.readtok()
            if val1:
                self.noeval += 1
            val2 = self.expland()
            if val1:
                self.noeval -= 1
            val1 = int(bool(val1) or bool(val2))
            self.lasttok = "||"
        return val1

    def expland(self) -> int:
        val1 = self.expbor()
        while self.curtok == "&&":
            self.readtok()
            if not val1:
                self.noeval += 1
            val2 = self.expbor()
            if not val1:
                self.noeval -= 1
            val1 = int(bool(val1) and bool(val2))
            self.lasttok = "&&"
        return val1

    def _left(self, ops: tuple[str, ...], nxt: Callable[[], int]) -> int:
        val1 = nxt()
        while self.curtok in ops:
            op = self.curtok
            assert op is not None
            self.readtok()
            val2 = nxt()
            val1 = self._binop(op, val1, val2)
            self.lasttok = "NUM"
        return val1

    def expbor(self) -> int:
        return self._left(("|",), self.expbxor)

    def expbxor(self) -> int:
        return self._left(("^",), self.expband)

    def expband(self) -> int:
        return self._left(("&",), self.exp5)

    def exp5(self) -> int:
        return self._left(("==", "!="), self.exp4)

    def exp4(self) -> int:
        return self._left(("<", ">", "<=", ">="), self.expshift)

    def expshift(self) -> int:
        return self._left(("<<", ">>"), self.exp3)

    def exp3(self) -> int:
        return self._left(("+", "-"), self.exp2)

    def exp2(self) -> int:
        val1 = self.exppower()
        while self.curtok in ("*", "/", "%"):
            op = self.curtok
            assert op is not None
            stp = self.tp
            self.readtok()
            val2 = self.exppower()
            if op in "/%" and val2 == 0:
                if self.noeval == 0:
                    at = stp
                    while at < len(self.expr) and self.expr[at] in " \t":
                        at += 1
                    raise self.fail("division by 0", at)
                val2 = 1
            val1 = self._binop(op, val1, val2)
            self.lasttok = "NUM"
        return val1

    def exppower(self) -> int:
        val1 = self.exp1()
        while self.curtok == "**":
            self.readtok()
            val2 = self.exppower()
            self.lasttok = "NUM"
            if val2 == 0:
                return 1
            if val2 < 0:
                raise self.fail("exponent less than 0")
            val1 = _b_wrap(pow(val1, val2, _I64))
        return val1

    def exp1(self) -> int:
        tok = self.curtok
        if tok in ("!", "~", "-", "+"):
            self.readtok()
            val = self.exp1()
            self.lasttok = "NUM"
            if tok == "!":
                return int(val == 0)
            if tok == "~":
                return _b_wrap(~val)
            return _b_wrap(-val) if tok == "-" else val
        return self.exp0()

    def exp0(self) -> int:
        tok = self.curtok
        if tok in ("PREINC", "PREDEC"):
            self.lasttok = tok
            self.readtok()
            if self.curtok != "STR" or self.tokstr is None:
                raise self.fail("identifier expected after pre-increment or pre-decrement")
            v2 = _b_wrap(self.tokval + (1 if tok == "PREINC" else -1))
            if self.noeval == 0:
                self.bind(self.tokstr, v2)
            self.curtok = "NUM"
            self.readtok()
            return v2
        if tok == "(":
            self.readtok()
            val = self.expcomma()
            if self.curtok != ")":
                raise self.fail("missing `)'")
            self.readtok()
            return val
        if tok in ("NUM", "STR"):
            val = self.tokval
            if tok == "STR":
                var = self.tokstr
                nxt = self.peek()
                if nxt in ("POSTINC", "POSTDEC") and var is not None:
                    self.readtok()
                    v2 = _b_wrap(val + (1 if nxt == "POSTINC" else -1))
                    if self.noeval == 0:
                        self.bind(var, v2)
                    self.lasttok = "STR"
                    self.curtok = "NUM"
            self.readtok()
            return val
        raise self.fail("syntax error: operand expected")

    def _binop(self, op: str, a: int, b: int) -> int:
        if op == "+":
            return _b_wrap(a + b)
        if op == "-":
            return _b_wrap(a - b)
        if op == "*":
            return _b_wrap(a * b)
        if op in ("/", "%"):
            if a == -(1 << 63) and b == -1:
                return a if op == "/" else 0
            q, r = _b_cdiv(a, b)
            return q if op == "/" else r
        if op == "<<":
            return _b_wrap(a << (b & 63))
        if op == ">>":
            return a >> (b & 63)
        if op == "&":
            return a & b
        if op == "|":
            return a | b
        if op == "^":
            return a ^ b
        return int(
            {"==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        )

    # variables

    def bind(self, var: tuple[str, str | None], value: int) -> None:
        name, sub = var
        if sub is None:
            self.env.assign(name, str(value))
        else:
            n, key = self.env.subscript(name, sub)
            self.env.set_element(n, key, str(value))

    def streval(self, var: tuple[str, str | None]) -> int:
        name, sub = var
        if sub is None:
            value = self.env.lookup(name)
            shown = name
        else:
            n, key = self.env.subscript(name, sub)
            value = self.env.get_element(n, key)
            shown = name
        if value is None and self.env.nounset:
            raise bash_fatal(f"{shown}: unbound variable")
        if not value:
            return 0
        return _BArith(self.env, value, self.depth + 1).run()

    # tokens

    def peek(self) -> str | None:
        """The token after the current one, without reading it (nor evaluating it)."""
        saved = (self.tp, self.lasttp, self.curtok, self.lasttok, self.tokval, self.tokstr)
        saved_noeval = self.noeval
        self.noeval = 1
        try:
            self.readtok(peeking=True)
            return self.curtok
        finally:
            self.tp, self.lasttp, self.curtok, self.lasttok, self.tokval, self.tokstr = saved
            self.noeval = saved_noeval

    def readtok(self, peeking: bool = False) -> None:
        e = self.expr
        n = len(e)
        cp = self.tp
        while cp < n and e[cp] in _B_SPACE:
            cp += 1
        if cp >= n:
            self.lasttok = self.curtok
            self.curtok = None
            self.tp = cp
            return
        self.lasttp = start = cp
        c = e[cp]
        if c.isascii() and (c.isalpha() or c == "_"):
            cp += 1
            while cp < n and e[cp].isascii() and (e[cp].isalnum() or e[cp] == "_"):
                cp += 1
            name = e[start:cp]
            sub: str | None = None
            if cp < n and e[cp] == "[":
                depth = 0
                j = cp
                while j < n:
                    if e[j] == "[":
                        depth += 1
                    elif e[j] == "]":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                if j >= n:
                    raise bash_abort(f"{e[start:]}: bad substitution")
                sub = e[cp + 1 : j]
                cp = j + 1
            self.tokstr = (name, sub)
            self.tp = cp
            if peeking:
                self.tokval = 0
            else:
                rest = e[cp:].lstrip(_B_SPACE)
                is_assign = rest.startswith("=") and not rest.startswith("==")
                if self.lasttok in ("PREINC", "PREDEC") or not is_assign:
                    self.tokval = self.streval(self.tokstr)
                else:
                    self.tokval = 0
            self.lasttok = self.curtok
            self.curtok = "STR"
            return
        if c.isascii() and c.isdigit():
            cp += 1
            while cp < n and ((e[cp].isascii() and e[cp].isalnum()) or e[cp] in "#@_"):
                cp += 1
            self.tokval = self.strlong(e[start:cp], cp)
            self.tp = cp
            self.lasttok = self.curtok
            self.curtok = "NUM"
            return
        c1 = e[cp + 1] if cp + 1 < n else ""
        cp += 2
        tok: str
        two = c + c1
        if two in ("==", "!=", ">=", "<=", "&&", "||", "**"):
            tok = two
        elif two in ("<<", ">>"):
            if cp < n and e[cp] == "=":
                self.assigntok = two
                tok = "OP="
                cp += 1
            else:
                tok = two
        elif c in "+-" and c1 == c and self.curtok == "STR":
            tok = "POSTINC" if c == "+" else "POSTDEC"
        elif (
            c in "+-" and c1 == c and self.curtok == "NUM" and self.lasttok in ("PREINC", "PREDEC")
        ):
            raise self.fail(f"{two}: assignment requires lvalue")
        elif c in "+-" and c1 == c:
            xp = cp
            while xp < n and e[xp] in _B_SPACE:
                xp += 1
            if xp < n and e[xp].isascii() and (e[xp].isalpha() or e[xp] == "_"):
                tok = "PREINC" if c == "+" else "PREDEC"
            else:
                cp -= 1
                tok = c
        elif c1 == "=" and c in _B_ASSIGNABLE:
            self.assigntok = c
            tok = "OP="
        elif c not in _B_ARITHOPS:
            self.tp = start
            raise self.fail("syntax error: invalid arithmetic operator", start)
        else:
            cp -= 1
            tok = c
        self.lasttok = self.curtok
        self.curtok = tok
        self.tp = cp

    def strlong(self, num: str, end: int) -> int:
        if (num.isascii() and num.isdigit()) and (num[0] != "0" or len(num) == 1):
            return _b_wrap(int(num))  # plain decimal: the common case
        base = 10
        found = False
        k = 0
        if num[0] == "0":
            k = 1
            if len(num) == 1:
                return 0
            if num[1] in "xX":
                base = 16
                k = 2
            else:
                base = 8
            found = True
        val = 0
        while k < len(num):
            c = num[k]
            k += 1
            if c == "#":
                if found:
                    raise self.fail("invalid number", upto=end)
                if val < 2 or val > 64:
                    raise self.fail("invalid arithmetic base", upto=end)
                base = val
                val = 0
                found = True
                nxt = num[k] if k < len(num) else ""
                if not (nxt.isalnum() or nxt in "_@") or not nxt:
                    raise self.fail("invalid integer constant", upto=end)
                continue
            if c.isascii() and c.isdigit():
                d = ord(c) - 48
            elif "a" <= c <= "z":
                d = ord(c) - 87
            elif "A" <= c <= "Z":
                d = ord(c) - (55 if base <= 36 else 29)
            elif c == "@":
                d = 62
            elif c == "_":
                d = 63
            else:
                break
            if d >= base:
                raise self.fail("value too great for base", upto=end)
            val = _b_wrap(val * base + d)
        return val


def bash_arith(env: Env, text: str) -> int:
    """Evaluate bash arithmetic; raises :func:`bash_arith_error`'s error (or
    :func:`bash_fatal`'s for an unset variable under ``set -u``)."""
    return _BArith(env, text, 0).run()


# --- parameters ---------------------------------------------------------------------------------


def _b_unset(name: str) -> ExpansionError:
    return bash_fatal(f"{name}: unbound variable")


def _b_values(env: Env, p: ParamExp) -> tuple[list[str] | str | None, str]:
    """What a parameter names: a list (``@``/``*`` of the positional parameters or of an
    array; then the second item is ``@`` or ``*``), else one value (None: unset) and how
    ``set -u`` names it."""
    name = p.name
    index = p.index
    if p.indirect and not (index is not None and index.lit in ("@", "*")):
        target = env.nameref(name) if index is None else None
        if target is not None:
            return target, name
        ref = _b_lookup(env, name, index)
        if ref is None:
            if env.nounset:
                raise _b_unset(name)
            return None, name
        return _b_resolve(env, ref)
    if name in ("@", "*") and index is None:
        return list(env.positional()), name
    if index is not None:
        sub = index.lit
        if sub in ("@", "*"):
            arr = env.array(name)
            if p.indirect:
                keys = arr.keys() if arr is not None else ["0"] if env.lookup(name) else []
                return keys, sub
            if arr is not None:
                return arr.values(), sub
            v = env.lookup(name)
            return ([v] if v is not None else []), sub
        return _b_element(env, name, string(env, index)), f"{name}[{string(env, index)}]"
    v = env.lookup(name)
    return v, ("$" + name if (name.isascii() and name.isdigit()) else name)


def _b_element(env: Env, name: str, sub: str) -> str | None:
    n, key = env.subscript(name, sub)
    if isinstance(key, int) and key < 0:
        env.warn(f"{name}: bad array subscript")
        return None
    return env.get_element(n, key)


def _b_lookup(env: Env, name: str, index: Word | None) -> str | None:
    if index is None:
        return env.lookup(name)
    return _b_element(env, name, string(env, index))


_B_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(?:\[(.*)\])?", re.S)


def _b_resolve(env: Env, ref: str) -> tuple[list[str] | str | None, str]:
    """``${!ref}``: the parameter whose name (or ``name[sub]``) is the value of ``ref``."""
    m = _B_REF.fullmatch(ref)
    if m is None:
        raise bash_abort(f"{ref}: invalid variable name")
    name, sub = m.group(1), m.group(2)
    if sub is None:
        if name in ("@", "*"):
            return list(env.positional()), name
        return env.lookup(name), name
    if sub in ("@", "*"):
        arr = env.array(name)
        if arr is not None:
            return arr.values(), sub
        v = env.lookup(name)
        return ([v] if v is not None else []), sub
    return _b_element(env, name, sub), ref


def _b_emit(env: Env, values: list[str], star: bool, quoted: bool, acc: _Acc, joined: bool) -> None:
    """A list of words as ``$@``/``$*`` (or ``${a[@]}``/``${a[*]}``) expand."""
    kind = QUO if quoted else EXP
    if joined:
        acc.add((_ifs_join(env) if star else " ").join(values), kind)
    elif quoted and star:
        acc.add(_ifs_join(env).join(values), QUO)
    else:
        for k, v in enumerate(values):
            if k:
                acc.brk()
            acc.add(v, kind)
            if quoted:
                acc.has = True


def _param_bash(env: Env, p: ParamExp, quoted: bool, acc: _Acc, joined: bool) -> None:
    op = p.op
    kind = QUO if quoted else EXP
    if op == "bad":
        raise bash_abort(f"{p.name}: bad substitution")
    if op in ("!@", "!*"):
        names = sorted(n for n in env.var_names() if n.startswith(p.name))
        _b_emit(env, names, op == "!*", quoted, acc, joined)
        return
    got, shown = _b_values(env, p)
    if op == "@" and got is None and (p.arg is None or p.arg.lit != "a"):
        return  # an unset variable is not transformed (nor its operator checked)
    if p.length:
        if isinstance(got, list):
            acc.add(str(len(got)), kind)
            return
        if got is None and env.nounset and p.name not in "@*#?$!-":
            raise _b_unset(shown)
        value = got or ""
        acc.add(str(len(value if env.utf8() else value.encode("utf-8", "surrogateescape"))), kind)
        return
    if op == "":
        if isinstance(got, list):
            _b_emit(env, got, shown == "*", quoted, acc, joined)
            return
        if got is None:
            if env.nounset:
                raise _b_unset(shown)
            got = ""
        acc.add(got, kind)
        return
    if op in ("-", ":-", "=", ":=", "?", ":?", "+", ":+"):
        if isinstance(got, list):
            null = not got or (op[0] == ":" and not "".join(got))
        else:
            null = got is None or (op[0] == ":" and got == "")
        first = op[-1]
        arg = p.arg
        assert arg is not None
        if (first == "-" and null) or (first == "+" and not null):
            _collect(env, arg.parts, quoted, acc, joined, EXP)
            return
        if first == "+":
            if quoted:
                acc.has = True
            return
        if first == "=" and null:
            if isinstance(got, list) or not _NAME.fullmatch(p.name) or p.index is not None:
                raise bash_abort(f"${p.name}: cannot assign in this way")
            got = string(env, arg)
            env.assign(p.name, got)
        elif first == "?" and null:
            msg = string(env, arg)
            if not msg:
                msg = "parameter not set" if op == "?" else "parameter null or not set"
            raise bash_fatal(f"{shown}: {msg}")
        if isinstance(got, list):
            _b_emit(env, got, shown == "*", quoted, acc, joined)
        else:
            acc.add(got or "", kind)
        return
    if got is None:
        if env.nounset:
            raise _b_unset(shown)
        got = ""
    if op == ":":
        if isinstance(got, list):
            vals = got
            if p.name in ("@", "*") and p.index is None:
                vals = [env.lookup("0") or "", *got]
            sliced = _b_slice_list(env, p, vals)
            _b_emit(env, sliced, shown == "*", quoted, acc, joined)
        else:
            acc.add(_b_substring(env, p, got), kind)
        return
    change = _b_changer(env, p)
    if isinstance(got, list):
        _b_emit(env, [change(v) for v in got], shown == "*", quoted, acc, joined)
    else:
        acc.add(change(got), kind)


_S = TypeVar("_S", str, bytes)


def _b_offset(env: Env, word: Word) -> int:
    return bash_arith(env, string(env, word))


def _b_substring(env: Env, p: ParamExp, value: str) -> str:
    """``${v:off:len}``, in characters in a UTF-8 locale, in bytes in the C locale."""
    if env.utf8():
        return _b_cut(env, p, value)
    raw = value.encode("utf-8", "surrogateescape")
    return _b_cut(env, p, raw).decode("utf-8", "surrogateescape")


def _b_cut(env: Env, p: ParamExp, raw: _S) -> _S:
    assert p.arg is not None
    off = _b_offset(env, p.arg)
    n = len(raw)
    if off < 0:
        off += n
        if off < 0:
            return raw[:0]
    if p.arg2 is None:
        return raw[off:]
    ln = _b_offset(env, p.arg2)
    if ln >= 0:
        return raw[off : off + ln]
    end = n + ln
    if end < off:
        raise bash_abort(f"{string(env, p.arg2).strip()}: substring expression < 0")
    return raw[off:end]


def _b_slice_list(env: Env, p: ParamExp, vals: list[str]) -> list[str]:
    """``${a[@]:off:len}`` and ``${@:off:len}`` (``vals`` then starts with ``$0``)."""
    assert p.arg is not None
    off = _b_offset(env, p.arg)
    n = len(vals)
    if off < 0:
        off += n
        if off < 0:
            return []
    if p.arg2 is None:
        return vals[off:]
    ln = _b_offset(env, p.arg2)
    if ln < 0:
        raise bash_abort(f"{string(env, p.arg2).strip()}: substring expression < 0")
    return vals[off : off + ln]


def _b_changer(env: Env, p: ParamExp) -> Callable[[str], str]:
    """What an operator does to each value: trims, replacements, case changes and the
    ``@`` transformations."""
    op = p.op
    ext = True
    utf8 = env.utf8()
    if op in ("#", "##", "%", "%%"):
        assert p.arg is not None
        pat = pattern(env, p.arg)
        return lambda v: trim(v, pat, op, ext)
    if op[0] == "/":
        assert p.arg is not None
        pat = pattern(env, p.arg)
        if p.arg2 is None:
            repl, amp = "", False
        else:
            repl = pattern(env, p.arg2)
            amp = env.option("patsub_replacement") and "&" in repl
            if not amp:
                repl = unescape(repl)
        return lambda v: replace(v, pat, repl, op, ext, amp)
    if op in ("^", "^^", ",", ",,"):
        cpat = pattern(env, p.arg) if p.arg is not None else None
        upper = op[0] == "^"
        every = len(op) == 2

        def case(v: str) -> str:
            out = []
            for k, ch in enumerate(v):
                if (every or k == 0) and (cpat is None or match(cpat, ch, ext=True)):
                    ch = _upper(ch, utf8) if upper else _lower(ch, utf8)
                out.append(ch)
            return "".join(out)

        return case
    assert op == "@" and p.arg is not None
    letter = p.arg.lit or ""
    name = p.name
    if letter == "Q":
        return bash_single_quote
    if letter == "E":
        return lambda v: ansi_c(v)
    if letter == "U":
        return lambda v: "".join(_upper(c, utf8) for c in v)
    if letter == "u":
        return lambda v: _upper(v[:1], utf8) + v[1:] if v else v
    if letter == "L":
        return lambda v: "".join(_lower(c, utf8) for c in v)
    if letter == "a":
        return lambda v: env.attributes(name)
    if letter == "A":
        attrs = env.attributes(name)
        if attrs:
            return lambda v: f"declare -{attrs} {name}={bash_single_quote(v)}"
        return lambda v: f"{name}={bash_single_quote(v)}"
    if letter not in "PKk":
        raise bash_abort(f"${{{name}@{letter}}}: bad substitution")
    return lambda v: v  # P (prompts), K and k: the value as it is


def _upper(c: str, utf8: bool) -> str:
    """A character's capital: ASCII only in the C locale; one character, never more."""
    if "a" <= c <= "z":
        return c.upper()
    u = c.upper() if utf8 and c > "\x7f" else c
    return u if len(u) == 1 else c


def _lower(c: str, utf8: bool) -> str:
    if "A" <= c <= "Z":
        return c.lower()
    u = c.lower() if utf8 and c > "\x7f" else c
    return u if len(u) == 1 else c


# --- quoting as bash writes it -----------------------------------------------------------------


def bash_single_quote(s: str) -> str:
    """``${v@Q}``: ``'...'``, a single quote written ``'\\''``."""
    return "'" + s.replace("'", "'\\''") + "'"


_ANSI_OUT = {"\a": "\\a", "\b": "\\b", "\x1b": "\\E", "\f": "\\f", "\n": "\\n", "\r": "\\r",
             "\t": "\\t", "\v": "\\v", "\\": "\\\\", "'": "\\'"}  # fmt: skip


def printable(s: str, utf8: bool = False) -> bool:
    """Whether every character prints in the locale (in the C locale no control bytes
    and nothing above ASCII; in UTF-8 any printable character) — else bash quotes the
    string as ``$'...'``."""
    if utf8:
        return s.isprintable()
    return all(" " <= c <= "~" for c in s)


def ansi_c_quote(s: str, utf8: bool = False) -> str:
    """``$'...'`` with C escapes; other unprintable bytes as three octal digits (in a
    UTF-8 locale printable characters stay as they are)."""
    out = ["$'"]
    for ch in s:
        if ch in _ANSI_OUT:
            out.append(_ANSI_OUT[ch])
        elif " " <= ch <= "~" or (utf8 and ch.isprintable()):
            out.append(ch)
        else:
            out.extend(f"\\{b:03o}" for b in ch.encode("utf-8", "surrogateescape"))
    out.append("'")
    return "".join(out)


def ansi_c(s: str) -> str:
    """The escapes of ``$'...'`` in ``s`` made characters (``${v@E}``)."""
    return c_escapes(s, bash=True)


# --- brace expansion ------------------------------------------------------------------------------

_Tok = str | WordPart  # a character of unquoted text, or a part no brace can look into
_SEQ_NUM = re.compile(r"(-?[0-9]+)\.\.(-?[0-9]+)(?:\.\.(-?[0-9]+))?")
_SEQ_CHR = re.compile(r"([^0-9])\.\.([^0-9])(?:\.\.(-?[0-9]+))?")


def brace_expand(word: Word) -> list[tuple[WordPart, ...]]:
    """bash's brace expansion of a word: the words it makes, as parts. Only unquoted text
    takes part; ``{a,b}`` lists, ``{1..5}`` ``{a..e}`` ``{01..10..2}`` sequences."""
    toks: list[_Tok] = []
    for p in word.parts:
        if isinstance(p, Lit):
            toks.extend(p.value)
        else:
            toks.append(p)
    return [_rebuild(r, word.pos) for r in _brace(toks)]


def _rebuild(toks: list[_Tok], pos: Position) -> tuple[WordPart, ...]:
    out: list[WordPart] = []
    text: list[str] = []
    for t in toks:
        if isinstance(t, str):
            text.append(t)
            continue
        if text:
            out.append(Lit(pos, "".join(text)))
            text.clear()
        out.append(t)
    if text:
        out.append(Lit(pos, "".join(text)))
    return tuple(out)


def _brace(toks: list[_Tok]) -> list[list[_Tok]]:
    n = len(toks)
    i = 0
    while i < n:
        if toks[i] == "{":
            close, commas = _brace_close(toks, i)
            if close > 0:
                pre, post = toks[:i], toks[close + 1 :]
                if commas:
                    bounds = [i, *commas, close]
                    posts = _brace(post)
                    out: list[list[_Tok]] = []
                    for a, b in itertools.pairwise(bounds):
                        for alt in _brace(toks[a + 1 : b]):
                            out.extend(pre + alt + p for p in posts)
                    return out
                seq = _sequence(toks[i + 1 : close])
                if seq is not None:
                    posts = _brace(post)
                    return [pre + list(item) + p for item in seq for p in posts]
        i += 1
    return [toks]


def _brace_close(toks: list[_Tok], i: int) -> tuple[int, list[int]]:
    """The ``}`` matching the ``{`` at ``i`` (0: none) and the top-level commas."""
    depth = 0
    commas: list[int] = []
    for j in range(i, len(toks)):
        t = toks[j]
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return j, commas
        elif t == "," and depth == 1:
            commas.append(j)
    return 0, []


def _sequence(toks: list[_Tok]) -> list[str] | None:
    if not all(isinstance(t, str) for t in toks):
        return None
    text = "".join(t for t in toks if isinstance(t, str))
    m = _SEQ_NUM.fullmatch(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        step = abs(int(m.group(3))) if m.group(3) else 1
        step = step or 1
        width = 0
        for s in (m.group(1), m.group(2)):
            digits = s.lstrip("-")
            if len(digits) > 1 and digits.startswith("0"):
                width = max(len(m.group(1)), len(m.group(2)))
        rng = range(a, b + 1, step) if a <= b else range(a, b - 1, -step)
        return [str(v).zfill(width) if width else str(v) for v in rng]
    m = _SEQ_CHR.fullmatch(text)
    if m:
        a, b = ord(m.group(1)), ord(m.group(2))
        step = abs(int(m.group(3))) if m.group(3) else 1
        step = step or 1
        rng = range(a, b + 1, step) if a <= b else range(a, b - 1, -step)
        return [chr(v) for v in rng]
    return None


# --- globs ----------------------------------------------------------------------------------------


def _ext_globbable(f: list[Seg]) -> bool:
    return any(k != QUO and _EXT_META.search(t) for t, k in f)


def _bash_glob(env: Env, f: list[Seg]) -> list[str] | None:
    """Pathname expansion with bash's options; None: no match, the word stays."""
    pat = _pattern_of(f)
    ignore = env.lookup("GLOBIGNORE") or ""
    matches = glob(
        env,
        pat,
        dot=env.option("dotglob") or bool(ignore),
        icase=env.option("nocaseglob"),
        globstar=env.option("globstar"),
        ext=True,
        skipdots=True,
    )
    if ignore:
        pats = ignore.split(":")
        matches = [m for m in matches if not any(match(p, m, ext=True) for p in pats if p)]
    if matches:
        return matches
    if env.option("nullglob"):
        return []
    if env.option("failglob"):
        raise bash_abort(f"no match: {''.join(t for t, _ in f)}")
    return None


# --- [[ s =~ re ]] --------------------------------------------------------------------------------


def regex_pattern(env: Env, word: Word) -> str:
    """The right of ``=~`` expanded: quoted characters come out escaped so they match
    themselves; unquoted text (and unquoted expansions) stay regular expression."""
    acc = _Acc()
    _collect(env, word.parts, False, acc, joined=True)
    return "".join(re.sub(r"([.\[\]\\()*+?{}|^$])", r"\\\1", t) if k == QUO else t
                   for t, k in acc.segs)  # fmt: skip


_POSIX_CLASS = re.compile(r"\[:([a-z]+):\]")


@functools.lru_cache(maxsize=256)
def ere(text: str, icase: bool = False) -> Regex[str] | None:
    """A POSIX extended regular expression as Python's (None: not a valid one). ``$``
    matches only at the very end, ``.`` matches a newline, bracket classes convert."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            out.append(text[i : i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and text[j] == "^":
                j += 1
            if j < n and text[j] == "]":
                j += 1
            while j < n and text[j] != "]":
                if text.startswith("[:", j):
                    k = text.find(":]", j + 2)
                    j = k + 2 if k >= 0 else j + 1
                else:
                    j += 1
            if j >= n:
                return None
            body = text[i + 1 : j]
            body = _POSIX_CLASS.sub(
                lambda m: _CLASSES.get(m.group(1), ""), body.replace("\\", "\\\\")
            )
            out.append("[" + body + "]")
            i = j + 1
        elif c == "$":
            out.append(r"\Z")
            i += 1
        else:
            out.append(c)
            i += 1
    try:
        return linear.compile(re.compile("".join(out), re.S | (re.I if icase else 0)))
    except re.error:
        return None
