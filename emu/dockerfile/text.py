"""Small text helpers that follow Go's definitions, so the parser splits where BuildKit does."""

from __future__ import annotations

# Go's unicode.IsSpace: the Latin-1 spaces plus the Unicode White_Space property. Python's
# str.isspace also counts \x1c-\x1f, which Go does not, so we keep our own set.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_SET = frozenset(GO_SPACE)


def is_go_space(ch: str) -> bool:
    return ch in _GO_SPACE_SET


def go_trim(s: str) -> str:
    return s.strip(GO_SPACE)


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote``: what BuildKit's dump prints for every argument.

    Text is decoded with ``surrogateescape``, so a byte that was not UTF-8 comes back as a
    lone surrogate and is printed as ``\\xNN``, as Go prints an invalid byte.
    """
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif 0xDC80 <= o <= 0xDCFF:
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 0x80 or (0xD800 <= o <= 0xDFFF):
            out.append(f"\\x{o:02x}" if o < 0x80 else "\\ufffd")
        elif ch.isprintable():
            out.append(ch)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}
