"""ONBUILD: store a trigger in the config; it runs when another stage builds FROM this one."""

from __future__ import annotations

from emu.dockerfile.instructions import Onbuild
from emu.engine.state import StageState


def apply(st: StageState, inst: Onbuild) -> None:
    st.config = st.config.changed(on_build=(*st.config.on_build, inst.expression))
    # BuildKit writes no history entry for ONBUILD.
