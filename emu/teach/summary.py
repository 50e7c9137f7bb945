"""What a build did, as data: stages and their fates, what crossed between them, sizes.

Computed once from a :class:`~emu.engine.builder.BuildResult` and shared by the end of
``emu build``, ``emu report`` (text, JSON and HTML), ``--format json``, the playground and
notebooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emu.dockerfile.instructions import Copy, Dockerfile, Instruction, Stage
from emu.engine.builder import from_refs, stage_triggers
from emu.engine.state import Skipped
from emu.errors import EmuError
from emu.records import record, replace
from emu.teach.explain import ran_in, root_base

if TYPE_CHECKING:
    from emu.engine.builder import BuildResult, StageResult
    from emu.engine.state import CopyRecord
    from emu.images.image import Image, Layer


@record(frozen=True, slots=True)
class LayerInfo:
    """A layer built by an instruction of the Dockerfile."""

    stage: int
    stage_name: str
    line: int
    text: str
    size: int


@record(frozen=True, slots=True)
class Edge:
    """Stage ``source`` feeds stage ``target``: it is its base, or a COPY/mount reads it."""

    source: int | None  # None for an image (``COPY --from=nginx:alpine``)
    source_name: str
    target: int
    kind: str  # "from" | "copy" | "mount"
    line: int
    text: str
    files: int | None = None  # what crossed, when the target was built
    bytes: int | None = None
    # An ONBUILD trigger's copy or mount: the base whose trigger it is (it ran in
    # ``target``; ``line`` and ``text`` are the ONBUILD's, or an image's FROM line).
    trigger: str = ""


@record(frozen=True, slots=True)
class StageInfo:
    index: int
    name: str
    base: str  # the FROM reference
    base_stage: int | None
    root_base: str  # the image at the root of its FROM chain
    # final | base (of the final stage: its layers are in the final image) | built (then
    # discarded) | skipped
    status: str
    reason: str
    size: int | None  # None when skipped
    base_size: int
    added: int  # bytes of the layers this stage's own instructions made
    layers: tuple[LayerInfo, ...]
    steps: tuple[int, int]  # first and last step number (Dockerfile order)


@record(frozen=True, slots=True)
class Summary:
    stages: tuple[StageInfo, ...]
    edges: tuple[Edge, ...]
    final: int
    final_size: int
    root_base: str
    base_size: int
    base_compressed: int | None
    added: int
    added_layers: int
    total_steps: int
    file: str
    # What --permissive forgave, in build order: (stage name, record).
    skipped: tuple[tuple[str, Skipped], ...] = ()

    @property
    def target(self) -> StageInfo:
        return self.stages[self.final]

    @property
    def crossings(self) -> tuple[Edge, ...]:
        """Every COPY --from that ran (from a stage or an image)."""
        return tuple(e for e in self.edges if e.kind == "copy" and e.files is not None)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "target": self.target.name,
            "final_size": self.final_size,
            "base": self.root_base,
            "base_size": self.base_size,
            "base_compressed_size": self.base_compressed,
            "added_size": self.added,
            "stages": [
                {
                    "index": s.index,
                    "name": s.name,
                    "base": s.base,
                    "base_stage": s.base_stage,
                    "status": FATES[s.status],
                    "reason": s.reason,
                    "size": s.size,
                    "added_size": s.added,
                    "layers": [
                        {"line": layer.line, "instruction": layer.text, "size": layer.size}
                        for layer in s.layers
                    ],
                }
                for s in self.stages
            ],
            "crossed": [
                {
                    "from": e.source_name,
                    "from_stage": e.source,
                    "to": self.stages[e.target].name,
                    "line": e.line,
                    "instruction": e.text,
                    "files": e.files,
                    "bytes": e.bytes,
                    **({"onbuild_of": e.trigger} if e.trigger else {}),
                }
                for e in self.crossings
            ],
            "skipped": [
                {
                    "stage": stage,
                    "line": rec.line,
                    "kind": rec.kind,
                    "what": rec.what,
                    "where": rec.where or None,
                }
                for stage, rec in self.skipped
            ],
        }


# What each stage status is called where a person reads it.
FATES = {"final": "final", "base": "base", "built": "discarded", "skipped": "skipped"}


def fate(res: StageResult) -> str:
    """A stage's status as the summary tells it: the final stage's own base (``FROM
    builder``, ``FROM ${BASE}``) is built but not discarded."""
    return "base" if res.status == "built" and res.in_final else res.status


def cite(e: Edge, file: str, stages: tuple[StageInfo, ...]) -> str:
    """Where an edge's instruction is written: ``Dockerfile:12``, and for an ONBUILD
    trigger also whose trigger it is and which stage ran it."""
    where = f"{file}:{e.line}"
    return f"{where}, {ran_in(stages[e.target].name, e.trigger)}" if e.trigger else where


def step_numbers(df: Dockerfile) -> dict[tuple[int, int], int]:
    """(stage index, line) -> the step number docker's classic output gives it."""
    out: dict[tuple[int, int], int] = {}
    n = 0
    for st in df.stages:
        n += 1
        out[(st.index, st.from_.line)] = n
        for inst in st.commands:
            n += 1
            out.setdefault((st.index, inst.line), n)
    return out


def _stage_ref(df: Dockerfile, ref: str, before: int) -> int | None:
    """The stage a ``--from`` names, as BuildKit resolves it (None: an image)."""
    if ref.isascii() and ref.isdigit():
        n = int(ref)
        return n if n < len(df.stages) else None
    found = None
    for st in df.stages[:before]:
        if st.name == ref.lower():
            found = st.index
    return found


def static_edges(df: Dockerfile, stage: Stage, base_stage: int | None = None) -> list[Edge]:
    """The edges into ``stage`` read from the Dockerfile (also for stages never built): its
    own ``COPY --from`` and ``RUN --mount from=``, and those of the ONBUILD triggers its
    stage base ``base_stage`` leaves it."""
    try:
        triggers = stage_triggers(df, base_stage)
    except EmuError:
        triggers = []  # a trigger that does not parse: the build says so at the FROM
    whose = f"stage {df.stages[base_stage].display_name}" if base_stage is not None else ""
    placed = {id(inst): (ob.source, whose) for ob, inst in triggers}
    insts: list[Instruction] = [inst for _ob, inst in triggers]
    out: list[Edge] = []
    for ref, inst in from_refs([*insts, *stage.commands]):
        src = None if "$" in ref else _stage_ref(df, ref, stage.index)
        name = df.stages[src].display_name if src is not None else ref
        kind = "copy" if isinstance(inst, Copy) else "mount"
        text, trigger = placed.get(id(inst), (inst.source, ""))
        out.append(Edge(src, name, stage.index, kind, inst.line, text, trigger=trigger))
    return out


def _crossing(edge: Edge, records: list[CopyRecord]) -> Edge:
    """``edge`` with what its COPY carried, when it ran (its record leaves ``records``)."""
    if edge.kind != "copy":
        return edge
    for k, rec in enumerate(records):
        if rec.line == edge.line and bool(rec.trigger) == bool(edge.trigger):
            del records[k]
            source = rec.from_stage if rec.from_stage is not None else edge.source
            return replace(edge, source=source, files=rec.files, bytes=rec.bytes)
    return edge


def _layer_size(layer: Layer, cache: dict[int, int]) -> int:
    key = id(layer)
    if key not in cache:
        cache[key] = layer.size
    return cache[key]


def compressed_size(ref: str) -> int | None:
    """The catalogued registry download size of ``ref`` (None when not known)."""
    from emu.images import catalog

    try:
        return catalog.describe(ref).compressed
    except EmuError:
        return None


def summarize(result: BuildResult) -> Summary:
    df = result.dockerfile
    numbers = step_numbers(df)
    cache: dict[int, int] = {}
    stages: list[StageInfo] = []
    edges: list[Edge] = []
    for st, res in zip(df.stages, result.stages, strict=True):
        image: Image | None = res.image
        own = tuple(
            LayerInfo(
                layer.origin.stage,
                layer.origin.stage_name,
                layer.origin.line,
                layer.origin.text or layer.created_by,
                _layer_size(layer, cache),
            )
            for layer in (image.layers if image is not None else ())
            if layer.origin is not None and layer.origin.stage == st.index
        )
        last = (
            numbers[(st.index, st.commands[-1].line)]
            if st.commands
            else numbers[(st.index, st.from_.line)]
        )
        stages.append(
            StageInfo(
                index=st.index,
                name=res.name,
                base=res.base,
                base_stage=res.base_stage,
                root_base=root_base(result, st.index),
                status=fate(res),
                reason=res.reason,
                size=image.size if image is not None else None,
                base_size=image.base_size if image is not None else 0,
                added=sum(layer.size for layer in own),
                layers=own,
                steps=(numbers[(st.index, st.from_.line)], last),
            )
        )
        if res.base_stage is not None:
            edges.append(
                Edge(
                    res.base_stage,
                    result.stages[res.base_stage].name,
                    st.index,
                    "from",
                    st.from_.line,
                    st.from_.source,
                )
            )
        records = list(res.copies)  # each is matched to the edge of its COPY once
        for edge in static_edges(df, st, res.base_stage):
            edges.append(_crossing(edge, records))
        # An image's triggers are known only from its config: their copies from a stage or
        # an image are crossings too.
        for rec in records:
            if rec.trigger and rec.source != "context":
                name = result.stages[rec.from_stage].name if rec.from_stage is not None else ""
                edges.append(
                    Edge(
                        rec.from_stage,
                        name or rec.source,
                        st.index,
                        "copy",
                        rec.line,
                        rec.text,
                        rec.files,
                        rec.bytes,
                        trigger=rec.trigger,
                    )
                )
    final = result.target.index
    image = result.image
    root = root_base(result, final)
    return Summary(
        stages=tuple(stages),
        edges=tuple(edges),
        final=final,
        final_size=image.size,
        root_base=root,
        base_size=image.base_size,
        base_compressed=compressed_size(root),
        added=image.size - image.base_size,
        added_layers=sum(1 for layer in image.layers if layer.origin is not None),
        total_steps=result.total_instructions,
        file=df.file,
        skipped=tuple((res.name, rec) for res in result.stages for rec in res.skipped),
    )


def skipped_lines(s: Summary) -> list[str]:
    """What --permissive forgave, counted: programs skipped, downloads replaced by
    placeholders, files copied as placeholders (empty when nothing was)."""
    programs: dict[str, list[str]] = {}
    downloads: list[str] = []
    outputs: list[str] = []
    for stage, rec in s.skipped:
        at = f"{stage}:{rec.line}"
        if rec.kind == "program":
            programs.setdefault(rec.what, []).append(at)
        elif rec.kind == "copy":
            outputs.append(f"{rec.what} → {rec.where} at {at}")
        else:
            where = "" if not rec.where else " (stdout)" if rec.where == "-" else f" → {rec.where}"
            downloads.append(f"{rec.what}{where} at {at}")

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    out: list[str] = []
    if programs:
        n = sum(len(v) for v in programs.values())
        out.append(
            f"--permissive skipped {count(n, 'command')} emu cannot emulate (each a no-op): "
            + "; ".join(f"{name} at {', '.join(where)}" for name, where in programs.items())
        )
    if downloads:
        out.append(
            f"--permissive wrote {count(len(downloads), 'placeholder')} where downloads "
            "would land (no network): " + "; ".join(downloads)
        )
    if outputs:
        out.append(
            f"--permissive copied {count(len(outputs), 'placeholder')} for files that skipped "
            "commands did not make: " + "; ".join(outputs)
        )
    if out:
        out.append("so this image is not the one docker would build (a strict build stops there)")
    return out
