"""``--chmod`` values: octal (``0755``) or symbolic (``u+x,go-w``), as BuildKit accepts."""

from __future__ import annotations

import re
from collections.abc import Callable

ModeFn = Callable[[int, bool], int]

_CLAUSE = re.compile(r"([ugoa]*)([+=-])([rwxXst]*)\Z")


def parse_chmod(text: str) -> ModeFn:
    """A function (old mode, is_dir) → new mode; raises ValueError with BuildKit's wording."""
    if re.fullmatch(r"[0-7]{1,4}", text):
        perm = int(text, 8) & 0o777
        # Octal replaces the permission bits; special bits of the source stay (fsutil).
        return lambda old, _is_dir: (old & ~0o777) | perm
    clauses = text.split(",")
    parsed = []
    for clause in clauses:
        m = _CLAUSE.match(clause)
        if m is None:
            expected = "it should be octal string like 0755 or symbolic mode like u+x"
            raise ValueError(f"invalid chmod parameter: '{text}'. {expected}")
        parsed.append((m.group(1) or "a", m.group(2), m.group(3)))

    def apply(old: int, is_dir: bool) -> int:
        mode = old
        for who, op, perms in parsed:
            mask = 0
            shifts = {"u": 6, "g": 3, "o": 0}
            targets = "ugo" if "a" in who else who
            for w in targets:
                s = shifts[w]
                for p in perms:
                    if p == "r":
                        mask |= 0o4 << s
                    elif p == "w":
                        mask |= 0o2 << s
                    elif p == "x" or (p == "X" and (is_dir or old & 0o111)):
                        mask |= 0o1 << s
                    elif p == "s":
                        mask |= 0o4000 if w == "u" else 0o2000 if w == "g" else 0
                    elif p == "t":
                        mask |= 0o1000
            if op == "+":
                mode |= mask
            elif op == "-":
                mode &= ~mask
            else:
                clear = 0
                for w in targets:
                    clear |= 0o7 << shifts[w]
                mode = (mode & ~clear) | mask
        return mode

    return apply
