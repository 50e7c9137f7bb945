"""``emu build --progress rawjson``: BuildKit's raw solve-status stream.

buildx's ``rawjson`` mode writes every ``client.SolveStatus`` it receives as one JSON object
a line (Go's ``json.Encoder``: compact, a newline after each), on stderr. Its shape, from
BuildKit's ``client/graph.go`` (``<``, ``>`` and ``&`` escaped, as Go's encoder does):

* ``{"vertexes": [{"digest", "inputs", "name", "started", "completed", "cached", "error"}]}``
  — a step when it starts (``started``) and again when it ends (``completed``, and
  ``cached`` or ``error``); empty fields are left out;
* ``{"statuses": [{"id", "vertex", "current", "timestamp", "started", "completed"}]}`` — a
  transfer inside a step (``transferring context:``, ``exporting layers``);
* ``{"logs": [{"vertex", "stream", "data", "timestamp"}]}`` — what a RUN printed, ``data``
  base64 (a Go ``[]byte``), ``stream`` 1 for stdout;
* ``{"warnings": [{"vertex", "level", "short", "url"}]}`` — a build check's warning,
  ``short`` base64.

Times are RFC 3339 in UTC. BuildKit's digests name LLB operations; emu's are the sha256 of
the step's name and place, stable within a build, and each step's ``inputs`` is the step
before it in its stage (a FROM has none). The ``[internal]`` steps and ``exporting to image``
are the ones ``--progress plain`` shows (:mod:`emu.cli._progress`).
"""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emu.cli._progress import Progress, _reads_context, export_step
from emu.records import field, record

if TYPE_CHECKING:
    from emu.engine.state import BuildPlan, StepEvent


def rfc3339(seconds: float) -> str:
    """A time as Go's ``time.Time`` marshals (RFC 3339, fraction without trailing zeros)."""
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text.rstrip("0").rstrip(".") + "Z"


def _digest(*parts: object) -> str:
    return "sha256:" + hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@record(slots=True)
class RawJsonProgress(Progress):
    """The observer that writes BuildKit's solve-status stream."""

    last: dict[int, str] = field(default_factory=dict)  # stage -> its last step's digest
    began: dict[str, float] = field(default_factory=dict)  # digest -> when it started
    froms: dict[str, str] = field(default_factory=dict)  # FROM's text -> its digest
    context_loaded: bool = False
    dockerfile_digest: str = ""

    def _emit(self, **status: list[dict[str, Any]]) -> None:
        from emu.outputs import json_bytes  # Go's encoder: compact, <>& escaped

        self.console.out(json_bytes(status).decode("utf-8"), highlight=False)

    def _start(self, digest: str, name: str, inputs: list[str]) -> None:
        now = time.time()
        self.began[digest] = now
        vertex: dict[str, Any] = {"digest": digest}
        if inputs:
            vertex["inputs"] = inputs
        vertex.update(name=name, started=rfc3339(now))
        self._emit(vertexes=[vertex])

    def _end(
        self, digest: str, name: str, inputs: list[str], *, cached: bool = False, error: str = ""
    ) -> None:
        now = time.time()
        vertex: dict[str, Any] = {"digest": digest}
        if inputs:
            vertex["inputs"] = inputs
        vertex.update(
            name=name, started=rfc3339(self.began.get(digest, now)), completed=rfc3339(now)
        )
        if cached:
            vertex["cached"] = True
        if error:
            vertex["error"] = error
        self._emit(vertexes=[vertex])

    def _status(self, digest: str, ident: str, current: int = 0) -> None:
        now = rfc3339(time.time())
        status = {
            "id": ident,
            "vertex": digest,
            "current": current,
            "timestamp": now,
            "started": now,
            "completed": now,
        }
        self._emit(statuses=[status])

    def _internal(self, name: str, transfer: tuple[str, int] | None = None) -> str:
        digest = _digest("internal", name)
        self._start(digest, name, [])
        if transfer is not None:
            self._status(digest, transfer[0], transfer[1])
        self._end(digest, name, [])
        return digest

    # BuildObserver
    def planned(self, plan: BuildPlan) -> None:
        Progress.planned(self, plan)
        i = self.inputs
        name = f"[internal] load build definition from {i.dockerfile}"
        self.dockerfile_digest = self._internal(
            name, ("transferring dockerfile:", i.dockerfile_size)
        )
        if i.warnings:
            self._emit(
                warnings=[
                    {"vertex": self.dockerfile_digest, "level": 1, "short": _b64(w.encode())}
                    for w in i.warnings
                ]
            )
        from emu.engine.vertex import from_text

        for ref in plan.images:
            self._internal(f"[internal] load metadata for {from_text(ref)[5:]}")
        self._internal("[internal] load .dockerignore", ("transferring context:", i.ignore_size))

    def _vertex_of(self, step: StepEvent) -> tuple[str, list[str]]:
        if step.kind == "from":
            what = step.vertex.split("] ", 1)[-1]  # stages FROM one image share its vertex
            digest = self.froms.setdefault(what, _digest("from", what))
            return digest, []
        prev = self.last.get(step.stage)
        return _digest(step.stage, step.line, step.vertex), [prev] if prev else []

    def step_started(self, step: StepEvent) -> None:
        Progress.step_started(self, step)
        if not self.context_loaded and _reads_context(self.instruction(step)):
            self.context_loaded = True
            size = self.inputs.context_size
            self._internal("[internal] load build context", ("transferring context:", size))
        if step.vertex:
            digest, inputs = self._vertex_of(step)
            if digest not in self.began:
                self._start(digest, step.vertex, inputs)

    def step_finished(self, step: StepEvent) -> None:
        Progress.step_finished(self, step)
        if not step.vertex:
            return
        digest, inputs = self._vertex_of(step)
        if step.output and not step.cached:
            log = {"vertex": digest, "stream": 1, "data": _b64(step.output)}
            log["timestamp"] = rfc3339(time.time())
            self._emit(logs=[log])
        self._end(digest, step.vertex, inputs, cached=step.cached, error=step.error)
        self.last[step.stage] = digest

    def failed(self) -> None:
        """The failed step's vertex carries its error; nothing more is written."""

    def succeeded(self, image_id: str, tags: tuple[str, ...], output: str) -> None:
        inputs = list(self.last.values())[-1:]
        name, statuses = export_step(image_id, tags, output)
        digest = _digest("export", name)
        self._start(digest, name, inputs)
        for ident in statuses:
            self._status(digest, ident)
        self._end(digest, name, inputs)
