"""emu: a pure-Python emulator of ``docker build`` with BuildKit's semantics.

The public API is small — :func:`build`, :class:`BuildResult`, :class:`EmuError` — over
layered modules (see the README's design section). Everything emu raises for bad input is
an :class:`EmuError`; its hierarchy is drawn in :mod:`emu.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emu.errors import BuildError, EmuError

if TYPE_CHECKING:
    from emu.api import build as build
    from emu.engine import BuildResult as BuildResult

__all__ = ["BuildError", "BuildResult", "EmuError", "__version__", "build"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy, so `import emu` (and `emu --help`) stay fast; the first access binds the real
    # object as a module attribute, so later lookups are plain attribute reads.
    if name == "build":
        from emu.api import build

        globals()["build"] = build
        return build
    if name == "BuildResult":
        from emu.engine import BuildResult

        globals()["BuildResult"] = BuildResult
        return BuildResult
    raise AttributeError(name)
