"""Go's ``time.ParseDuration``, which HEALTHCHECK's duration flags go through."""

from __future__ import annotations

import re

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 micro sign
    "μs": 1_000,  # U+03BC greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_MAX = (1 << 63) - 1


def parse_duration(text: str) -> int:
    """Nanoseconds; raises ValueError with Go's message (``time: invalid duration "x"``)."""
    bad = ValueError(f'time: invalid duration "{text}"')
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise bad
    total = 0
    pos = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        if m is None or m.group(1) in ("", "."):
            if m is None and re.match(r"[0-9.]+\Z", s[pos:]):
                raise ValueError(f'time: missing unit in duration "{text}"')
            if m is None and re.match(r"[0-9.]+", s[pos:]):
                raise ValueError(
                    f'time: unknown unit "{re.sub(r"^[0-9.]+", "", s[pos:])}" in duration "{text}"'
                )
            raise bad
        number, unit = m.group(1), m.group(2)
        whole, _, frac = number.partition(".")
        scale = _UNITS[unit]
        value = int(whole or "0") * scale
        if frac:
            value += int(frac) * scale // (10 ** len(frac))
        total += value
        if total > _MAX:
            raise bad
        pos = m.end()
    return -total if neg else total


def format_duration(ns: int) -> str:
    """A compact Go-style rendering (``30s``, ``1m30s``, ``500ms``) for reports."""
    if ns == 0:
        return "0s"
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return f"{ns / size:g}{unit}"
    out = ""
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    if h:
        out += f"{h}h"
    if h or m:
        out += f"{m}m"
    return out + f"{rest / 1_000_000_000:g}s"
