"""RUN: a command against the stage's filesystem, through the pluggable executor."""

from __future__ import annotations

from emu.build.state import StageState
from emu.build.steps.shell import current
from emu.dockerfile.instructions import Run
from emu.errors import BuildError


class NotEmulated:
    """The executor until the shell exists: a clear error, never a silent skip."""

    def run(self, st: StageState, inst: Run, argv: tuple[str, ...], env: dict[str, str]) -> None:
        raise BuildError(
            f"RUN is not emulated yet: {inst.source}",
            file=st.file,
            pos=inst.pos,
            hint="emu's shell arrives in a later release; remove the RUN or build with docker",
        )


def apply(st: StageState, inst: Run) -> None:
    line = inst.command
    argv = (*current(st), *line.args) if line.prepend_shell else line.args
    env = st.env()
    executor = st.executor or NotEmulated()
    executor.run(st, inst, argv, env)
    st.commit(f"RUN {st.build_arg_prefix()}{' '.join(argv)} # buildkit", layer=True)
