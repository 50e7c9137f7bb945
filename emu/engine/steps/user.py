"""USER: who later RUNs (and WORKDIRs) run as; the value is stored as written."""

from __future__ import annotations

from emu.dockerfile.instructions import User
from emu.engine.state import StageState


def apply(st: StageState, inst: User) -> None:
    user = st.expand(inst.user, inst.pos)
    st.config = st.config.changed(user=user)
    st.commit(f"USER {user}", layer=False)
