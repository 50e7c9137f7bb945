"""VOLUME: mount points in the image config."""

from __future__ import annotations

from emu.dockerfile.instructions import Volume
from emu.engine.state import StageState
from emu.engine.steps._fmt import v_list


def apply(st: StageState, inst: Volume) -> None:
    env = st.env()
    added = [st.expand(v, inst.pos, env) for v in inst.volumes]
    for v in added:
        if v.strip() == "":
            raise st.error("VOLUME specified can not be an empty string", inst.pos)
    volumes = sorted(set(st.config.volumes) | set(added))
    st.config = st.config.changed(volumes=tuple(volumes))
    st.commit(f"VOLUME {v_list(added)}", layer=False)
