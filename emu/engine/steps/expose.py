"""EXPOSE: ports in the image config (``80`` means ``80/tcp``; ranges expand)."""

from __future__ import annotations

import re

from emu.dockerfile.instructions import Expose
from emu.engine.state import StageState

_SPEC = re.compile(r"(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?\Z")


def parse_ports(st: StageState, word: str, inst: Expose) -> list[str]:
    """Docker's nat.ParsePortSpecs for one container port spec."""
    m = _SPEC.match(word)
    if m is None:
        raise st.error(
            f"invalid containerPort: {word.partition('/')[0]}",
            inst.pos,
            hint="write a port (80), a range (8000-8010) and optionally /tcp, /udp or /sctp",
        )
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else start
    proto = (m.group(3) or "tcp").lower()
    if end < start or end > 65535:
        raise st.error(f"invalid range specified for container: {word}", inst.pos)
    return [f"{p}/{proto}" for p in range(start, end + 1)]


def apply(st: StageState, inst: Expose) -> None:
    ports = set(st.config.exposed_ports)
    new: set[str] = set()
    for raw in inst.ports:
        for word in st.expand_words(raw, inst.pos):
            new.update(parse_ports(st, word, inst))
    ports |= new

    st.config = st.config.changed(exposed_ports=tuple(sorted(ports)))
    # BuildKit 20.10 prints the Go map: EXPOSE map[53/udp:{} 80/tcp:{}]
    shown = " ".join(f"{p}:{{}}" for p in sorted(new))
    st.commit(f"EXPOSE map[{shown}]", layer=False)
