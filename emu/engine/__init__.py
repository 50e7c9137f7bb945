"""The engine: stages and their planning, one module per instruction, RUN's hand-off.

:func:`build` runs a parsed :class:`~emu.dockerfile.instructions.Dockerfile` over a
:class:`~emu.engine.context.Context`; it resolves ``FROM`` through the resolver in
:class:`BuildOptions` (emu's offline catalog unless the caller passes another, such as the
CLI's on-disk store) and never touches the host.
"""

from emu.engine.builder import BuildOptions, BuildResult, StageResult, build

__all__ = ["BuildOptions", "BuildResult", "StageResult", "build"]
