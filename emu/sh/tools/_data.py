"""Numbers and tables for the build-tool models: the package data they read
(``data/*.yaml``, through its JSON twin), sizes as the data writes them (``"38 MB"``) and as
tools print them, and stable hashes for names and digests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "k": 1000,
    "mb": 1000**2,
    "m": 1000**2,
    "gb": 1000**3,
    "g": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE = re.compile(r"\s*([0-9][0-9_.]*)\s*([a-zA-Z]*)\s*")


def size_of(value: object) -> int:
    """A size from the YAML data: an int, or text like ``"38 MB"``, ``"316 kB"``, ``"2 MiB"``."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    m = _SIZE.fullmatch(str(value))
    if m is None or m.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {value!r}")
    return int(float(m.group(1).replace("_", "")) * _UNITS[m.group(2).lower()])


def mb(n: int) -> str:
    """Decimal units as ``docker images`` prints them: ``38.1 MB``, ``912 kB``, ``12 B``."""
    if n >= 1000**3:
        return f"{n / 1000**3:.2f} GB"
    if n >= 1000**2:
        return f"{n / 1000**2:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{n} B"


def kb(n: int) -> str:
    """apt's ``1,234 kB``."""
    return f"{(n + 999) // 1000:,} kB"


def digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def short_hash(*parts: object, n: int = 8) -> str:
    """A stable base64url hash like bundlers put in asset names (``index-4sK4E3Wk``)."""
    raw = hashlib.sha256("\0".join(str(p) for p in parts).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()[:n].replace("-", "D").replace("_", "x")


@cache
def data(name: str) -> Any:
    """``data/<name>.yaml`` shipped in this package (parsed once per process).

    Read from its JSON twin (kept in step by tests/support/data_json.py): yaml stays in the
    top layer.
    """
    text = resources.files(__package__ or "emu.sh.tools").joinpath("data", f"{name}.json")
    return json.loads(text.read_text(encoding="utf-8"))
