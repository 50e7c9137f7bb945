"""LABEL: add metadata to the image config (inherited labels are kept or overridden)."""

from __future__ import annotations

from emu.dockerfile.instructions import Label
from emu.engine.state import StageState


def apply(st: StageState, inst: Label) -> None:
    pairs = st.expand_pairs(inst.labels, inst.pos, st.vars)
    config = st.config
    for key, value in pairs:
        config = config.with_label(key, value)
    st.config = config
    st.commit("LABEL " + " ".join(f"{k}={v}" for k, v in pairs), layer=False)
