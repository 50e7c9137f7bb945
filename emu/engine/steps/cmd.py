"""CMD and ENTRYPOINT: what a container runs; shell form goes through the stage's SHELL."""

from __future__ import annotations

from emu.dockerfile.instructions import Cmd, Entrypoint
from emu.engine.state import StageState
from emu.engine.steps._fmt import q_list
from emu.engine.steps.shell import current


def apply_cmd(st: StageState, inst: Cmd) -> None:
    line = inst.command
    args = (*current(st), *line.args) if line.prepend_shell else line.args
    st.config = st.config.changed(cmd=args)
    st.cmd_set = True
    st.commit(f"CMD {q_list(args)}", layer=False)


def apply_entrypoint(st: StageState, inst: Entrypoint) -> None:
    line = inst.command
    args: tuple[str, ...] | None
    args = (*current(st), *line.args) if line.prepend_shell else line.args
    if not line.args and not line.prepend_shell:
        args = None  # ENTRYPOINT [] resets it
    # An ENTRYPOINT clears a CMD inherited from the base, not one set in this stage.
    st.config = st.config.changed(entrypoint=args, cmd=st.config.cmd if st.cmd_set else None)
    st.commit(f"ENTRYPOINT {q_list(args or ())}", layer=False)
