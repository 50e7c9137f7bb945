"""Command-line options, for every program emu emulates: the busybox utilities and the
build-tool models alike.

``getopt(argv, "ab:c", {"long=": "b"})`` parses as busybox's ``getopt32`` does and returns
:class:`Opts`; a bad option raises :class:`Die` with busybox's wording (``invalid option --
'x'``) and ``usage=True``, which a program's runner turns into the message, the usage text
and exit status 1.

:class:`Syntax` describes how a build tool spells its options (GNU long options with
values, Go's one-dash words, Maven's ``-Dkey=value``, a subcommand after global options)
and parses them into the same :class:`Opts`. It is lenient where ``getopt`` is strict: an
option the table does not name is a flag, never an error, because a model must not fail a
Dockerfile over an option it has no need to understand.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import overload

from emu.records import field, record


class Die(Exception):
    """``bb_error_msg_and_die``: print ``applet: msg`` (if any) and exit with ``code``."""

    def __init__(self, msg: str | None = None, code: int = 1, *, usage: bool = False) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.usage = usage


INT_MAX = (1 << 31) - 1


def number(text: str, lo: int = 0, hi: int = INT_MAX) -> int:
    """An option's numeric argument as busybox's ``xatou_range``/``xatoi_range`` read it
    (``getopt32``'s ``x:+``): decimal digits (a sign only where ``lo`` is negative), within
    ``lo..hi``; anything else ends the program with busybox's message."""
    digits = text[1:] if text[:1] == "-" and lo < 0 else text.removeprefix("+")
    if not digits.isascii() or not (digits.isascii() and digits.isdigit()):
        raise Die(f"invalid number '{text}'")
    if len(digits) > 30 or not lo <= int(text) <= hi:  # a huge number: no need to read it
        raise Die(f"number {text} is not in {lo}..{hi} range")
    return int(text)


@record
class Opts:
    """Parsed options: ``flags`` counts each option (a letter, or the key a :class:`Syntax`
    gives it), ``values`` lists each one's arguments, ``args`` are the operands."""

    flags: dict[str, int] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def __contains__(self, key: str) -> bool:
        return key in self.flags

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    def get(self, key: str, default: str | None = None) -> str | None:
        v = self.values.get(key)
        return v[-1] if v else default

    def all(self, key: str) -> list[str]:
        return self.values.get(key, [])

    def count(self, key: str) -> int:
        return self.flags.get(key, 0)

    def given(self) -> list[tuple[str, str | None]]:
        """Each option in the order given: its key and its argument (None for a flag)."""
        seen: dict[str, int] = {}
        out: list[tuple[str, str | None]] = []
        for key in self.order:
            values = self.values.get(key)
            if values is None:
                out.append((key, None))
                continue
            n = seen.get(key, 0)
            seen[key] = n + 1
            out.append((key, values[n]))
        return out

    def add(self, key: str, value: str | None = None) -> None:
        """Record one occurrence of option ``key`` (with its argument, if it has one)."""
        self.flags[key] = self.flags.get(key, 0) + 1
        self.order.append(key)
        if value is not None:
            self.values.setdefault(key, []).append(value)


@functools.lru_cache(maxsize=512)
def _compiled(
    spec: str, longs: tuple[tuple[str, str], ...]
) -> tuple[dict[str, bool], dict[str, tuple[str, bool]]]:
    """getopt's spec read once per program (each run of it asks again): which letters
    take an argument, and each long name's key and whether it takes one."""
    takes: dict[str, bool] = {}
    i = 0
    while i < len(spec):
        c = spec[i]
        arg = i + 1 < len(spec) and spec[i + 1] == ":"
        takes[c] = arg
        i += 2 if arg else 1
    longspec: dict[str, tuple[str, bool]] = {}
    for name, key in longs:
        longspec[name.rstrip("=")] = (key, name.endswith("="))
    return takes, longspec


def getopt(
    argv: list[str],
    spec: str,
    longs: dict[str, str] | None = None,
    *,
    permute: bool = True,
) -> Opts:
    """getopt32: ``spec`` letters, ``x:`` takes an argument; ``longs`` maps ``name`` (or
    ``name=`` when it takes an argument) to the key it sets. GNU permutation unless
    ``permute`` is false (``env``, ``xargs`` stop at the first operand).
    """
    takes, longspec = _compiled(spec, tuple(longs.items()) if longs else ())
    o = Opts()
    setopt = o.add
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            o.args.extend(argv[i + 1 :])
            break
        if a.startswith("--") and longspec:
            name, eq, val = a[2:].partition("=")
            cands = [n for n in longspec if n == name] or [
                n for n in longspec if n.startswith(name)
            ]
            keys = {longspec[n] for n in cands}
            if len(keys) != 1:
                if cands:
                    raise Die(f"option '{a.split('=')[0]}' is ambiguous", usage=True)
                raise Die(f"unrecognized option '{a}'", usage=True)
            key, needs = longspec[cands[0]]
            if needs:
                if not eq:
                    if i + 1 >= len(argv):
                        raise Die(f"option '--{cands[0]}' requires an argument", usage=True)
                    i += 1
                    val = argv[i]
                setopt(key, val)
            else:
                if eq:
                    raise Die(f"option '--{cands[0]}' doesn't allow an argument", usage=True)
                setopt(key, None)
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                c = a[j]
                if c not in takes:
                    if a.startswith("--"):
                        raise Die(f"unrecognized option '{a}'", usage=True)
                    raise Die(f"invalid option -- '{c}'", usage=True)
                if takes[c]:
                    if j + 1 < len(a):
                        setopt(c, a[j + 1 :])
                    elif i + 1 < len(argv):
                        i += 1
                        setopt(c, argv[i])
                    else:
                        raise Die(f"option requires an argument -- '{c}'", usage=True)
                    break
                setopt(c, None)
                j += 1
            i += 1
            continue
        if not permute:
            o.args.extend(argv[i:])
            break
        o.args.append(a)
        i += 1
    return o


@record(frozen=True, slots=True)
class Syntax:
    """How a build tool spells its options; :meth:`parse` reads an argument list with it.

    ``spec`` names the options the model reads or must skip, space-separated: each is one
    or more names joined by ``|``, the last being the key the others set, and ends in ``=``
    when it takes a value (``"-o|--output= -s|--silent -H|--header="``). An option not
    named is a flag, and ``--name=value`` gives any option a value. A value-taking option
    with nothing after it gets ``""``, which the models read as unset.
    """

    spec: str = ""
    #: GNU short options: ``-sSL`` is three flags; a letter that takes a value takes the rest
    #: of the word, or else the next argument (``-fsSLo out``, ``-qO-``)
    short: bool = False
    #: prefixes whose value may be glued on: ``-D`` in ``-Dkey=value``, ``-l`` in ``-lm``
    glued: str = ""
    #: one dash or two are the same option (Go's flag package, tsc): keys get one dash
    either_dash: bool = False
    #: the first operand ends the options (what follows is a subcommand's, or a program's)
    stop: bool = False
    #: keys whose value ends the options (``python -m pip …``, ``java -jar app.jar …``)
    ends: str = ""
    #: keys whose value is optional, each with a pattern the next argument must match to be
    #: taken as the value (make's ``-j 4`` but not ``-j all``; cac's ``--outDir --minify``)
    optional: Mapping[str, str] = field(default_factory=dict)
    #: words a flag takes as its value when they follow it (tsc's ``--strict false``)
    bools: str = ""
    takes: frozenset[str] = field(init=False)
    aliases: Mapping[str, str] = field(init=False)

    def __post_init__(self) -> None:
        takes: set[str] = set(self.optional)
        aliases: dict[str, str] = {}
        for item in self.spec.split():
            *names, key = item.rstrip("=").split("|")
            if item.endswith("="):
                takes.add(key)
            aliases.update(dict.fromkeys(names, key))
        object.__setattr__(self, "takes", frozenset(takes))
        object.__setattr__(self, "aliases", aliases)

    def key(self, word: str) -> str:
        """The key an option word sets (``-o`` -> ``--output``)."""
        if self.either_dash and word.startswith("--"):
            word = word[1:]
        return self.aliases.get(word, word)

    def parse(self, argv: Sequence[str]) -> Opts:
        o = Opts()
        rest = deque(argv)  # what is still to read; options take their values off the front
        while rest:
            a = rest.popleft()
            if a == "--":
                break
            if a.startswith("-") and a != "-":
                self._option(a, rest, o)
                if o.order[-1] in self.ends.split():
                    break
            elif self.stop:
                rest.appendleft(a)
                break
            else:
                o.args.append(a)
        o.args.extend(rest)
        return o

    def _value(self, key: str, rest: deque[str]) -> str | None:
        """The next argument as option ``key``'s value (``None`` if an optional value is not
        there, ``""`` if a required one is missing)."""
        pattern = self.optional.get(key)
        if rest and (pattern is None or re.fullmatch(pattern, rest[0])):
            return rest.popleft()
        return None if pattern is not None else ""

    def _option(self, a: str, rest: deque[str], o: Opts) -> None:
        key = self.key(a)
        glue = next((p for p in self.glued.split() if a.startswith(p) and len(a) > len(p)), None)
        if key in self.takes:
            o.add(key, self._value(key, rest))
        elif glue is not None:
            o.add(self.key(glue), a[len(glue) :])
        elif "=" in a and (a.startswith("--") or not self.short):
            name, _, value = a.partition("=")
            o.add(self.key(name), value)
        elif self.short and not a.startswith("--"):
            for j in range(1, len(a)):
                letter = self.key("-" + a[j])
                if letter in self.takes:
                    o.add(letter, a[j + 1 :] or self._value(letter, rest))
                    break
                o.add(letter)
        elif rest and rest[0] in self.bools.split():
            o.add(key, rest.popleft())
        else:
            o.add(key)
