"""SHELL: the shell that shell-form RUN, CMD and ENTRYPOINT are run with."""

from __future__ import annotations

from dataclasses import replace

from emu.build.state import StageState
from emu.build.steps._fmt import v_list
from emu.dockerfile.instructions import Shell

DEFAULT_SHELL = ("/bin/sh", "-c")


def current(st: StageState) -> tuple[str, ...]:
    return st.config.shell if st.config.shell else DEFAULT_SHELL


def apply(st: StageState, inst: Shell) -> None:
    st.config = replace(st.config, shell=inst.shell)
    st.commit(f"SHELL {v_list(inst.shell)}", layer=False)
