"""The engine: stages and their planning, one module per instruction, RUN's hand-off.

:func:`build` runs a parsed :class:`~emu.dockerfile.instructions.Dockerfile` over a
:class:`~emu.engine.context.Context`; it resolves ``FROM`` through the resolver in
:class:`BuildOptions` (emu's offline catalog unless the caller passes another, such as the
CLI's on-disk store) and never touches the host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emu.engine.builder import BuildOptions, BuildResult, StageResult, build

__all__ = ["BuildOptions", "BuildResult", "StageResult", "build"]


def __getattr__(name: str) -> Any:
    # The builder (and with it every step, the shell and the catalog) is imported when
    # first asked for: a command that only reads a context file (``emu parse``) or a
    # module of the engine's own (``emu.engine.context``) does not pay for it.
    if name in __all__:
        from emu.engine import builder

        return getattr(builder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
