"""ENV: set variables in the image config; every value sees the env *before* the line."""

from __future__ import annotations

from emu.dockerfile.instructions import Env
from emu.engine.state import StageState


def apply(st: StageState, inst: Env) -> None:
    before = st.env()  # snapshot semantics: ENV a=1 b=$a uses the old a
    parts: list[str] = []
    config = st.config
    for kv in inst.env:
        key = st.expand(kv.key, inst.pos, before)
        value = st.expand(kv.value, inst.pos, before)
        config = config.with_env(key, value)
        st.vars[key] = value
        parts.append(f"{key}={value}")
    st.config = config
    st.commit("ENV " + " ".join(parts), layer=False)
