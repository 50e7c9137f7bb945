"""Sizes and counts as emu prints them, shared by every face (the command line, the HTML
report, the playground, notebooks): pure functions over plain values."""

from __future__ import annotations


def human_size(n: float) -> str:
    """docker's size format (go-units ``HumanSizeWithPrecision(n, 3)``): ``654B``, ``62.9MB``.

    Decimal units, three significant digits. Unlike Go, a value that rounds to 1000 moves
    to the next unit (docker can print ``1e+03MB``; emu prints ``1GB``).
    """
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    value = float(n)
    i = 0
    while i < len(units) - 1 and (value >= 1000 or float(f"{value:.3g}") >= 1000):
        value /= 1000
        i += 1
    if i == 0:
        return f"{int(value)}B"
    text = f"{value:.3g}"
    if "e" in text:  # pragma: no cover - only beyond petabytes
        text = f"{value:.0f}"
    return text + units[i]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"
