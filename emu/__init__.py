"""emu: a pure-Python emulator of ``docker build`` with BuildKit's semantics.

The public API is small — :func:`build`, :class:`BuildResult`, :class:`EmuError` — over
layered private modules (see the README's design section). Everything emu raises for bad
input is an :class:`EmuError`; its hierarchy is drawn in :mod:`emu.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emu.errors import BuildError, EmuError

if TYPE_CHECKING:
    from emu.api import build as build
    from emu.build.engine import BuildResult as BuildResult

__all__ = ["BuildError", "BuildResult", "EmuError", "__version__", "build"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy, so `import emu` (and `emu --help`) stay fast.
    if name == "build":
        # The build package is callable (it forwards to emu.api.build), so `emu.build(…)`
        # works whether or not a submodule such as emu.build.engine was imported first.
        import emu.build

        return emu.build
    if name == "BuildResult":
        from emu.build.engine import BuildResult

        return BuildResult
    raise AttributeError(name)
