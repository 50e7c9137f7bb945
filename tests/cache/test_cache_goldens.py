"""emu's cache decisions equal a real BuildKit's, build after build, on every sequence.

``recorded/`` holds what the oracle's BuildKit printed for each build of ``sequences.py``
(see ``regenerate.py``). Each sequence is replayed here through one emu cache: the same
edits, the same build arguments and flags, and for every step BuildKit named, emu must name
the same step and cache it exactly when BuildKit did.

Left out of the comparison, and why:

* ``FROM``: BuildKit 20.10 merges the FROM of every stage that uses the same image into one
  step, named after whichever stage reached it first (``[builder 1/4] FROM …`` in one build,
  ``[stage-1 1/2] FROM …`` in the next), and prints it ``DONE`` or ``CACHED`` depending on
  whether the image's metadata was just resolved — neither is a cache decision.
* the FROM step's text: 20.10 prints ``FROM docker.io/library/busybox`` where current
  BuildKit prints the name with its tag and digest (``…/busybox:latest@sha256:…``); emu
  follows current BuildKit's ``:latest`` and has no registry digest to add.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emu.dockerfile.instructions import load
from emu.engine.builder import BuildOptions, build
from emu.engine.cache import MemoryCache
from emu.engine.context import from_directory
from emu.engine.state import StepEvent, StepLog
from emu.errors import BuildError
from tests.cache.sequences import SEQUENCES, Sequence, apply, materialise

RECORDED = Path(__file__).parent / "recorded"


def _state(step: StepEvent) -> str:
    if step.error:
        return "ERROR"
    return "CACHED" if step.cached else "DONE"


def replay(seq: Sequence, tmp: Path) -> list[dict[str, Any]]:
    """Every build of ``seq`` through emu with one cache: its steps and their states."""
    ctx = tmp / seq.name
    materialise(seq, ctx)
    cache = MemoryCache()
    dockerfile = seq.dockerfile
    builds = []
    for b in seq.builds:
        dockerfile = apply(ctx, b, dockerfile)
        seen = StepLog()
        opts = BuildOptions(
            cache=cache,
            no_cache=b.no_cache,
            target=b.target,
            build_args=b.build_args,
            observer=seen,
        )
        rc = 0
        try:
            build(load(dockerfile), from_directory(ctx), opts)
        except BuildError:
            rc = 1
        steps = [{"name": s.vertex, "state": _state(s)} for s in seen.steps if s.vertex]
        builds.append({"note": b.note, "rc": rc, "steps": steps})
    return builds


def _decisions(build: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["state"] for s in build["steps"] if "] FROM " not in s["name"]}


@pytest.mark.parametrize("seq", SEQUENCES, ids=[s.name for s in SEQUENCES])
def test_cache_decisions_equal_buildkits(seq: Sequence, tmp_path: Path) -> None:
    recorded = json.loads((RECORDED / f"{seq.name}.json").read_text())
    assert len(recorded["builds"]) == len(seq.builds)
    ours = replay(seq, tmp_path)
    for n, (want, got) in enumerate(zip(recorded["builds"], ours, strict=True), 1):
        assert got["rc"] == want["rc"], f"build {n} ({want['note']})"
        assert _decisions(got) == _decisions(want), f"build {n} ({want['note']})"


def test_there_are_enough_sequences() -> None:
    rebuilds = sum(len(s.builds) - 1 for s in SEQUENCES)
    assert len(SEQUENCES) >= 10 and rebuilds >= 20
    assert {p.stem for p in RECORDED.glob("*.json")} == {s.name for s in SEQUENCES}
