"""HEALTHCHECK: the container health probe (or NONE to disable an inherited one)."""

from __future__ import annotations

from emu.dockerfile.duration import format_duration
from emu.dockerfile.instructions import Healthcheck
from emu.engine.state import StageState
from emu.engine.steps._fmt import q_list


def _go_duration(ns: int) -> str:
    return '"' + format_duration(ns) + '"'


def apply(st: StageState, inst: Healthcheck) -> None:
    h = inst.health
    st.config = st.config.changed(healthcheck=h)
    # BuildKit 20.10 prints the struct with %q: &{["CMD-SHELL" "x"] "5s" "0s" "0s" '\x00'}
    retries = f"'\\x{h.retries:02x}'" if h.retries < 0x20 else repr(chr(h.retries))
    text = (
        f"&{{{q_list(h.test)} {_go_duration(h.interval)} {_go_duration(h.timeout)} "
        f"{_go_duration(h.start_period)} {retries}}}"
    )
    st.commit(f"HEALTHCHECK {text}", layer=False)
