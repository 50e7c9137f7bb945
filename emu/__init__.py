"""emu: a pure-Python emulator of ``docker build`` with BuildKit's semantics.

The public API is small — :func:`build`, :class:`BuildResult`, :class:`EmuError` — over
layered modules (see the README's design section). Everything emu raises for bad input is
an :class:`EmuError`; its hierarchy is drawn in :mod:`emu.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emu.errors import BuildError, EmuError
from emu.images import display as _display

if TYPE_CHECKING:
    from emu.api import build as build
    from emu.engine import BuildResult as BuildResult

__all__ = [
    "BuildError",
    "BuildResult",
    "EmuError",
    "__version__",
    "build",
    "load_ipython_extension",
]
__version__ = "0.1.0"


class _Drawing:
    """How results, stages and images show themselves (:mod:`emu.images.display`): drawn by
    :mod:`emu.teach.display`, imported when the first one is shown, so `import emu` stays
    fast. Plugged in here because this module runs before any other of emu's."""

    def text(self, obj: object) -> str:
        from emu.teach.display import text

        return text(obj)

    def html(self, obj: object) -> str:
        from emu.teach.display import html

        return html(obj)


_display.use(_Drawing())


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext emu``: the ``%%dockerfile`` cell magic (:mod:`emu.notebook`)."""
    from emu.notebook import load_ipython_extension as load

    load(ipython)


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
