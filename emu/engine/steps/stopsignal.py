"""STOPSIGNAL: the signal that stops a container (a name like SIGTERM or a number)."""

from __future__ import annotations

import re

from emu.dockerfile.instructions import StopSignal
from emu.engine.state import StageState

_SIGNALS = {
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
    "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
    "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
}  # fmt: skip


def valid(sig: str) -> bool:
    if sig.isascii() and sig.isdigit():
        return 0 < int(sig) <= 64
    name = sig.upper().removeprefix("SIG")
    return name in _SIGNALS or re.fullmatch(r"RTM(IN|AX)([+-]\d+)?", name) is not None


def apply(st: StageState, inst: StopSignal) -> None:
    sig = st.expand(inst.signal, inst.pos)
    if not valid(sig):
        raise st.error(
            f"Invalid signal: {sig}", inst.pos, hint="use a name like SIGTERM or a number"
        )
    st.config = st.config.changed(stop_signal=sig)
    st.commit(f"STOPSIGNAL {sig}", layer=False)
