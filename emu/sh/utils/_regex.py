"""POSIX regular expressions (BRE and ERE, with the GNU extensions glibc accepts) compiled
to Python ``re`` patterns over bytes, for sed, grep, expr and find -regex.

POSIX matching is leftmost-longest; Python's is leftmost-first. They differ only for some
alternations (``a|ab``), which Dockerfiles rarely depend on; the expressions matched by
:mod:`emu.sh.linear` (those backtracking could hang on) get POSIX's rule.
"""

from __future__ import annotations

import re

from emu.sh import linear
from emu.sh.linear import Regex

_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "punct": r"!-/:-@\[-`{-~",
    "print": r" -~",
    "graph": r"!-~",
    "cntrl": r"\x00-\x1f\x7f",
    "xdigit": "0-9A-Fa-f",
    "word": "a-zA-Z0-9_",
}


class RegexError(ValueError):
    pass


def _bracket(p: str, i: int) -> tuple[str, int]:
    """A bracket expression starting at ``p[i] == '['``: (python class, index after)."""
    j = i + 1
    neg = False
    if j < len(p) and p[j] == "^":
        neg = True
        j += 1
    items: list[str] = []
    first = True
    while True:
        if j >= len(p):
            raise RegexError("Unmatched [, [^, [:, [., or [=")
        ch = p[j]
        if ch == "]" and not first:
            j += 1
            break
        first = False
        if ch == "[" and j + 1 < len(p) and p[j + 1] in ":.=":
            kind = p[j + 1]
            end = p.find(kind + "]", j + 2)
            if end < 0:
                raise RegexError("Unmatched [, [^, [:, [., or [=")
            name = p[j + 2 : end]
            j = end + 2
            if kind == ":":
                if name not in _CLASSES:
                    raise RegexError("Invalid character class name")
                items.append(_CLASSES[name])
            else:
                items.append(re.escape(name))
            continue
        # A range a-z, or one literal character (backslash is literal inside brackets).
        if j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
            lo, hi = ch, p[j + 2]
            if ord(lo) > ord(hi):
                raise RegexError("Invalid range end")
            items.append(_esc1(lo) + "-" + _esc1(hi))
            j += 3
            continue
        items.append(_esc1(ch))
        j += 1
    body = "".join(items)
    if neg:
        # A negated POSIX bracket never matches newline in sed/grep lines anyway.
        return f"[^{body}]", j
    return f"[{body}]", j


def _esc1(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def translate(pattern: str, extended: bool) -> str:
    """A POSIX BRE/ERE as Python regex source."""
    out: list[str] = []
    p = pattern
    i = 0
    n = len(p)
    groups = 0
    # Where '*' is literal in a BRE: at the start, after '\(', after '^' or '\|'.
    at_start = True
    while i < n:
        ch = p[i]
        start = at_start
        at_start = False
        if ch == "\\":
            if i + 1 >= n:
                raise RegexError("Trailing backslash")
            nx = p[i + 1]
            i += 2
            if not extended and nx == "(":
                groups += 1
                out.append("(")
                at_start = True
            elif not extended and nx == ")":
                out.append(")")
            elif not extended and nx == "{":
                end = p.find("\\}", i)
                if end < 0:
                    raise RegexError("Unmatched \\{")
                out.append("{" + _interval(p[i:end]) + "}")
                i = end + 2
            elif not extended and nx == "|":
                out.append("|")
                at_start = True
            elif not extended and nx in "+?":
                out.append(nx)
            elif (nx.isascii() and nx.isdigit()) and nx != "0":
                out.append("\\" + nx)
            elif nx == "<":
                out.append(r"\b(?=\w)")
            elif nx == ">":
                out.append(r"\b(?<=\w)")
            elif nx in "bBwWsS":
                out.append("\\" + nx)
            elif nx == "`":
                out.append(r"\A")
            elif nx == "'":
                out.append(r"\Z")
            elif nx == "n":
                out.append(r"\n")
            elif nx == "t":
                out.append(r"\t")
            else:
                out.append(re.escape(nx))
            continue
        if ch == "[":
            cls, i = _bracket(p, i)
            out.append(cls)
            continue
        if ch == "*":
            if start or (out and out[-1] in ("(", "|", "^")):
                out.append(r"\*")
            else:
                out.append("*")
            i += 1
            continue
        if ch == "^":
            if extended or start:
                out.append("^")
                at_start = True
            else:
                out.append(r"\^")
            i += 1
            continue
        if ch == "$":
            rest = p[i + 1 :]
            if extended or not rest or rest.startswith("\\)") or rest.startswith("\\|"):
                out.append("$")
            else:
                out.append(r"\$")
            i += 1
            continue
        if extended:
            if ch == "(":
                groups += 1
                out.append("(")
                at_start = True
                i += 1
                continue
            if ch == "{":
                end = p.find("}", i)
                if end < 0 or not re.fullmatch(r"\d*(,\d*)?", p[i + 1 : end]):
                    out.append(r"\{")
                    i += 1
                    continue
                out.append("{" + _interval(p[i + 1 : end]) + "}")
                i = end + 1
                continue
            if ch in ")|+?":
                out.append(ch)
                if ch == "|":
                    at_start = True
                i += 1
                continue
            if ch == ".":
                out.append(".")
                i += 1
                continue
            out.append(re.escape(ch))
            i += 1
            continue
        if ch == ".":
            out.append(".")
        else:
            out.append(re.escape(ch))
        i += 1
    src = "".join(out)
    # Python rejects "x**"-style repeats that POSIX allows (and treats as one).
    src = re.sub(r"(?<!\\)([*+?])[*+]+", r"\1", src)
    return src


def _interval(body: str) -> str:
    if not re.fullmatch(r"\d+(,\d*)?|,\d+", body):
        raise RegexError("Invalid content of \\{\\}")
    if body.startswith(","):
        body = "0" + body
    return body


def compile_posix(
    pattern: str | bytes, extended: bool = False, icase: bool = False
) -> Regex[bytes]:
    """Compile a POSIX pattern for matching bytes (the text is never decoded); matched in
    linear time where backtracking could blow up (:mod:`emu.sh.linear`)."""
    if isinstance(pattern, str):
        pattern = pattern.encode("utf-8", "surrogateescape")
    # Work on one character per byte, so non-ASCII text matches its UTF-8 bytes.
    src = translate(pattern.decode("latin-1"), extended)
    try:
        return linear.compile(re.compile(src.encode("latin-1"), re.IGNORECASE if icase else 0))
    except re.error as e:
        raise RegexError(str(e)) from None
