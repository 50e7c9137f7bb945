"""MAINTAINER: the deprecated author field (only history shows it in the config we keep)."""

from __future__ import annotations

from emu.dockerfile.instructions import Maintainer
from emu.engine.state import StageState


def apply(st: StageState, inst: Maintainer) -> None:
    st.author = inst.maintainer
    st.commit(f"MAINTAINER {inst.maintainer}", layer=False)
