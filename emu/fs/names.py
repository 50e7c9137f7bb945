"""Names are data: how emu shows a name it did not choose (a file, a tag, a submission).

A name read from an archive, a context or a submission folder may hold anything a file
name can: control characters (an escape sequence that rewrites the terminal, a newline
that forges a line of a report), bytes that are not UTF-8 (read with ``surrogateescape``,
so they arrive as lone surrogates), or thousands of characters. :func:`printable` turns
it into one line of printable text that says exactly which bytes it holds, so a message,
a table row or a log line is never more than one line and never an instruction to the
terminal.
"""

from __future__ import annotations

from typing import Final

__all__ = ["printable", "shown"]

_NAMED: Final = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(c: str) -> str:
    named = _NAMED.get(c)
    if named is not None:
        return named
    cp = ord(c)
    if 0xDC80 <= cp <= 0xDCFF:
        return f"\\x{cp - 0xDC00:02x}"  # an undecodable byte, as surrogateescape keeps it
    if cp < 0x20 or 0x7F <= cp < 0xA0 or 0xD800 <= cp <= 0xDFFF:
        return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"
    if cp in (0x2028, 0x2029, 0x85):  # line and paragraph separators start new lines too
        return f"\\u{cp:04x}"
    return c


def printable(name: str, limit: int = 0) -> str:
    """``name`` with backslashes, control characters, line separators and undecodable
    bytes escaped (``\\\\``, ``\\n``, ``\\x1b``, ``\\xff``…); cut in the middle with ``…``
    to about ``limit`` characters when ``limit`` is given."""
    plain = name.isprintable() and "\\" not in name
    text = name if plain else "".join(_escape(c) for c in name)
    if limit and len(text) > limit:
        keep = max(limit - 1, 2)
        text = text[: keep // 2] + "…" + text[len(text) - (keep - keep // 2) :]
    return text


def shown(text: str) -> str:
    """``text`` as it is when nothing in it acts on a terminal or starts a new line (a name
    :func:`printable` already wrote stays as it is), else :func:`printable` of it."""
    return text if text.isprintable() else printable(text)
