"""LABEL: add metadata to the image config (inherited labels are kept or overridden)."""

from __future__ import annotations

from emu.dockerfile.instructions import Label
from emu.engine.state import StageState


def apply(st: StageState, inst: Label) -> None:
    env = st.env()
    parts: list[str] = []
    config = st.config
    for kv in inst.labels:
        key = st.expand(kv.key, inst.pos, env)
        value = st.expand(kv.value, inst.pos, env)
        config = config.with_label(key, value)
        parts.append(f"{key}={value}")
    st.config = config
    st.commit("LABEL " + " ".join(parts), layer=False)
