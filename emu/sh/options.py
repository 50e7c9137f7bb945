"""Command-line options as busybox's ``getopt32`` parses them, for every program emu
emulates: the busybox utilities and the build-tool models alike.

``getopt(argv, "ab:c", {"long=": "b"})`` returns :class:`Opts`; a bad option raises
:class:`Die` with busybox's wording (``invalid option -- 'x'``) and ``usage=True``, which
a program's runner turns into the message, the usage text and exit status 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Die(Exception):
    """``bb_error_msg_and_die``: print ``applet: msg`` (if any) and exit with ``code``."""

    def __init__(self, msg: str | None = None, code: int = 1, *, usage: bool = False) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.usage = usage


@dataclass
class Opts:
    """Parsed options: ``flags`` counts each letter, ``values`` lists each argument."""

    flags: dict[str, int] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def __contains__(self, key: str) -> bool:
        return key in self.flags

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
    takes: dict[str, bool] = {}
    i = 0
    while i < len(spec):
        c = spec[i]
        arg = i + 1 < len(spec) and spec[i + 1] == ":"
        takes[c] = arg
        i += 2 if arg else 1
    longspec: dict[str, tuple[str, bool]] = {}
    for name, key in (longs or {}).items():
        longspec[name.rstrip("=")] = (key, name.endswith("="))
    o = Opts()

    def setopt(key: str, value: str | None) -> None:
        o.flags[key] = o.flags.get(key, 0) + 1
        o.order.append(key)
        if value is not None:
            o.values.setdefault(key, []).append(value)

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
