"""SHELL: the shell that shell-form RUN, CMD and ENTRYPOINT are run with."""

from __future__ import annotations

from emu.dockerfile.instructions import Shell
from emu.engine.state import StageState
from emu.engine.steps._fmt import v_list

DEFAULT_SHELL = ("/bin/sh", "-c")


def current(st: StageState) -> tuple[str, ...]:
    return st.config.shell if st.config.shell else DEFAULT_SHELL


def apply(st: StageState, inst: Shell) -> None:
    st.config = st.config.changed(shell=inst.shell)
    st.commit(f"SHELL {v_list(inst.shell)}", layer=False)
