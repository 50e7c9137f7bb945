"""ENV: set variables in the image config; every value sees the env *before* the line."""

from __future__ import annotations

from emu.dockerfile.instructions import Env
from emu.engine.state import StageState


def apply(st: StageState, inst: Env) -> None:
    # snapshot semantics: ENV a=1 b=$a uses the old a (every pair is expanded before any
    # is set, so the variables need no copy)
    pairs = st.expand_pairs(inst.env, inst.pos, st.vars)
    config = st.config
    for key, value in pairs:
        config = config.with_env(key, value)
        st.vars[key] = value
    st.config = config
    st.commit("ENV " + " ".join(f"{k}={v}" for k, v in pairs), layer=False)
