"""Formatting shared by the commands: sizes as docker prints them, ages, plain columns.

Pure functions over plain values (no rich): tables are laid out here as text so that they
read the same in an 80-column terminal and in a CI log.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from emu.teach.fmt import human_size, plural

__all__ = ["ago", "columns", "human_duration", "human_size", "plural", "truncate"]


def human_duration(seconds: float) -> str:
    """go-units ``HumanDuration``: ``Less than a second``, ``2 minutes``, ``About an hour``."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(s / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{hours // 24 // 365} years"


def ago(timestamp: float, now: float | None = None) -> str:
    """``2 minutes ago`` (``N/A`` for an unknown time)."""
    if timestamp <= 0:
        return "N/A"
    return human_duration((now if now is not None else time.time()) - timestamp) + " ago"


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with ``…`` where it was cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def columns(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int = 80,
    shrink: int | None = None,
    gap: int = 3,
) -> list[str]:
    """Left-aligned columns like docker's tables; column ``shrink`` is truncated to fit
    ``width`` (the others keep their width), trailing spaces removed."""
    n = len(headers)
    widths = [len(h) for h in headers]
    for row in rows:
        for i in range(n):
            widths[i] = max(widths[i], len(row[i]))
    if shrink is not None:
        others = sum(w for i, w in enumerate(widths) if i != shrink) + gap * (n - 1)
        widths[shrink] = max(min(widths[shrink], width - others), len(headers[shrink]), 10)
    out = []
    for row in [list(headers), *[list(r) for r in rows]]:
        cells = []
        for i in range(n):
            cell = row[i]
            if i == shrink:
                cell = truncate(cell, widths[i])
            cells.append(cell.ljust(widths[i]) if i < n - 1 else cell)
        out.append((" " * gap).join(cells).rstrip())
    return out
