"""`emu build --progress plain` against what a real BuildKit printed for the same builds.

``tests/cache/recorded/<sequence>/<n>.log`` are the whole ``docker build --progress=plain``
logs of the oracle's BuildKit (Docker 20.10) for every build of ``tests/cache/sequences.py``:
successful builds, cached rebuilds, a failing RUN with output, a failing ``COPY --from``.
Each sequence is rebuilt here with ``emu build --progress plain`` (one ``$EMU_HOME``, so the
layer cache carries over as BuildKit's did) and both logs are read as blocks, one per
vertex: its name, its status and output lines, and how it ended (``DONE``, ``CACHED``,
``ERROR: …``). They must have the same vertices, each with the same lines, and each stage's
steps in the same order.

Normalised on both sides, because they change from run to run: vertex numbers (renumbered
in order of appearance), times (``DONE 0.1s``, a log line's ``0.186``), transfer sizes, the
image ID and the tag ``naming to`` names, and the order of vertices that BuildKit runs
concurrently (the ``[internal]`` loads, stages that do not depend on each other).

Where emu prints what *current* BuildKit prints rather than Docker 20.10 (whose BuildKit
is v0.8), the 20.10 side is mapped, and this is why:

* 20.10 prints each vertex's digest on a ``#N sha256:…`` line; current BuildKit's printer
  (util/progress/progressui/printer.go) no longer does — dropped;
* ``FROM docker.io/library/busybox``: current BuildKit names the base with its tag and
  digest (``…/busybox:latest@sha256:…``, dockerfile2llb's TagNameOnly + WithDigest); emu
  prints the tag and has no registry digest — both sides are compared without them;
* a FROM's end: 20.10 prints the image source ``DONE`` or ``CACHED`` depending on whether
  it just resolved the image's metadata — not a cache decision, not compared (emu: DONE);
* a failed RUN: 20.10 says ``executor failed running [/bin/sh -c …]: exit code: 1``, current
  BuildKit ``process "/bin/sh -c …" did not complete successfully: exit code: 1``;
* a missing ``COPY --from`` source: 20.10 says ``"/app/dist" not found: not found``, current
  BuildKit ``failed to calculate checksum of ref …: "/app/dist": not found``;
* the ``------ > [step]:`` block after a failure: current BuildKit repeats the failed step's
  last lines inside it (progressui's logsBuffer), 20.10 prints it empty — the header lines
  are compared, and emu's extra lines are checked against the step's own output.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emu.cli import _console, main
from tests.cache.sequences import SEQUENCES, Sequence, apply, materialise

RECORDED = Path(__file__).resolve().parents[1] / "cache" / "recorded"
VERTEX = re.compile(r"^#(\d+) (.*)$")


@dataclass
class Block:
    name: str
    lines: list[str] = field(default_factory=list)
    end: str = ""


@dataclass
class Log:
    blocks: dict[str, Block]
    order: list[str]  # vertex names, in the order they first appear
    failed: str = ""  # the " > [step]:" header of the error block
    failed_lines: list[str] = field(default_factory=list)


def _name(name: str) -> str:
    # FROM without tag or digest; a FROM shared by stages is named after either stage.
    m = re.match(r"^\[[^\]]*\] FROM (\S+?)(:latest)?(@sha256:[0-9a-f]+)?$", name)
    if m:
        return f"FROM {m.group(1)}"
    return name


def _error(text: str) -> str:
    m = re.match(r"^executor failed running \[(.*)\]: exit code: (\d+)$", text)
    if m:
        return f'process "{m.group(1)}" did not complete successfully: exit code: {m.group(2)}'
    m = re.search(r'"([^"]+)"(?::)? not found', text)
    if m:
        return f'"{m.group(1)}": not found'
    return text


def _line(text: str) -> str | None:
    if text.startswith("sha256:"):
        return None  # the vertex digest 20.10 prints
    if re.match(r"^\d+\.\d+ ", text):
        return re.sub(r"^\d+\.\d+ ", "<t> ", text)  # a log line, and its time
    if not text.endswith(" done"):
        return None  # an intermediate progress status, repeated with "done" later
    text = re.sub(r" \d+\.\d+s done$", " done", text)
    text = re.sub(r"^(transferring \w+:) [\d.]+[kMG]?B done$", r"\1 <size> done", text)
    text = re.sub(r"^writing image sha256:[0-9a-f]{64} done$", "writing image <id> done", text)
    return re.sub(r"^naming to \S+ done$", "naming to <name> done", text)


def parse(text: str) -> Log:
    blocks: dict[str, Block] = {}
    order: list[str] = []
    names: dict[str, str] = {}
    lines = text.splitlines()
    failed = ""
    failed_lines: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "------" and i < len(lines) and lines[i].startswith(" > "):
            failed = lines[i]
            i += 1
            while i < len(lines) and lines[i] != "------":
                failed_lines.append(lines[i])
                i += 1
            break
        m = VERTEX.match(line)
        if not m:
            continue
        n, rest = m.groups()
        if n not in names:
            name = _name(rest)
            names[n] = name
            if name not in blocks:
                blocks[name] = Block(name)
                order.append(name)
            continue
        block = blocks[names[n]]
        if rest == "CACHED" or rest.startswith(("DONE", "ERROR")):
            end = "DONE" if rest.startswith("DONE") else rest
            if end.startswith("ERROR: "):
                end = "ERROR: " + _error(end[len("ERROR: ") :])
            if block.end != "CACHED":
                block.end = end
            continue
        kept = _line(rest)
        if kept is not None and kept not in block.lines:
            block.lines.append(kept)
    return Log(blocks, order, failed, failed_lines)


def _stage_order(log: Log) -> dict[str, list[str]]:
    """Each stage's steps that ran, in printed order (BuildKit prints cached steps as it
    resolves them, in no set order; a stage's steps that run wait for each other)."""
    by_stage: dict[str, list[str]] = {}
    for name in log.order:
        if log.blocks[name].end == "CACHED":
            continue
        m = re.match(r"^\[(\S+ )?\s*(\d+)/\d+\] ", name)
        if m:
            by_stage.setdefault((m.group(1) or "").strip(), []).append(name)
    return by_stage


def emu_logs(seq: Sequence, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ctx = tmp / "ctx"
    materialise(seq, ctx)
    monkeypatch.setenv("EMU_HOME", str(tmp / "home"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    dockerfile = seq.dockerfile
    logs = []
    for b in seq.builds:
        dockerfile = apply(ctx, b, dockerfile)
        argv = ["build", "--progress", "plain", "-t", "oracle-case", *b.flags()]

        _console.reset()
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main([*argv, str(ctx)])
        _console.reset()
        logs.append(err.getvalue())
    return logs


@pytest.mark.parametrize("seq", SEQUENCES, ids=[s.name for s in SEQUENCES])
def test_plain_progress_is_buildkits(
    seq: Sequence, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = emu_logs(seq, tmp_path, monkeypatch)
    for n, text in enumerate(ours, 1):
        real = parse((RECORDED / seq.name / f"{n}.log").read_text())
        got = parse(text)
        where = f"{seq.name} build {n}"
        assert sorted(got.blocks) == sorted(real.blocks), where
        for name, block in real.blocks.items():
            if not name.startswith("FROM "):  # an image source: DONE or CACHED, by timing
                assert got.blocks[name].end == block.end, f"{where}: {name}"
            assert got.blocks[name].lines == block.lines, f"{where}: {name}"
        assert _stage_order(got) == _stage_order(real), where
        assert got.failed == real.failed, where
        if got.failed:
            failed = next(b for b in got.blocks.values() if b.end.startswith("ERROR"))
            assert [_line(x) for x in got.failed_lines] == failed.lines[-10:], where


def test_the_recordings_are_buildkits_plain_format() -> None:
    """What the comparison rests on: the recorded logs are BuildKit's, and parse into the
    blocks the test expects (internal loads, numbered steps, an export, an error block)."""
    log = parse((RECORDED / "19-failed-run-then-fix" / "1.log").read_text())
    assert log.order[0] == "[internal] load build definition from Dockerfile"
    assert log.blocks["[builder 2/4] WORKDIR /app"].end == "DONE"
    run = next(name for name in log.order if "RUN echo" in name)
    assert log.blocks[run].lines[0] == '<t> npm ERR! Missing script: "biuld"'
    assert log.blocks[run].end.startswith('ERROR: process "/bin/sh -c echo')
    assert log.failed == f" > {run}:"
    cached = parse((RECORDED / "01-edit-source-good-order" / "2.log").read_text())
    assert [b.end for b in cached.blocks.values() if "COPY" in b.name] == ["CACHED", "CACHED"]
    assert cached.blocks["exporting to image"].lines == [
        "exporting layers done",
        "writing image <id> done",
        "naming to <name> done",
    ]
