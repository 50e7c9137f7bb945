"""What a build did, as data: stages and their fates, what crossed between them, sizes.

Computed once from a :class:`~emu.engine.builder.BuildResult` and shared by the end of
``emu build``, ``emu report`` (text, JSON and HTML) and ``--format json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emu.cli._fmt import human_size, plural
from emu.dockerfile.instructions import Copy, Dockerfile, Run, Stage
from emu.engine.cache import FIRST_BUILD
from emu.errors import EmuError
from emu.teach.explain import root_base

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from emu.engine.builder import BuildResult
    from emu.engine.state import StepEvent
    from emu.images.image import Image, Layer


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """A layer built by an instruction of the Dockerfile."""

    stage: int
    stage_name: str
    line: int
    text: str
    size: int


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class StageInfo:
    index: int
    name: str
    base: str  # the FROM reference
    base_stage: int | None
    root_base: str  # the image at the root of its FROM chain
    status: str  # final | built (then discarded) | skipped
    reason: str
    size: int | None  # None when skipped
    base_size: int
    added: int  # bytes of the layers this stage's own instructions made
    layers: tuple[LayerInfo, ...]
    steps: tuple[int, int]  # first and last step number (Dockerfile order)


@dataclass(frozen=True, slots=True)
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
                    "status": "discarded" if s.status == "built" else s.status,
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
                }
                for e in self.crossings
            ],
        }


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
    if ref.isdigit():
        n = int(ref)
        return n if n < len(df.stages) else None
    found = None
    for st in df.stages[:before]:
        if st.name == ref.lower():
            found = st.index
    return found


def static_edges(df: Dockerfile, stage: Stage) -> list[Edge]:
    """The edges into ``stage`` read from the Dockerfile (also for stages never built)."""
    out: list[Edge] = []
    for inst in stage.commands:
        refs: list[tuple[str, str]] = []
        if isinstance(inst, Copy) and inst.from_:
            refs.append((inst.from_, "copy"))
        elif isinstance(inst, Run):
            for mount in inst.mounts:
                for part in mount.split(","):
                    key, _, value = part.partition("=")
                    if key.strip() == "from" and value:
                        refs.append((value.strip(), "mount"))
        for ref, kind in refs:
            src = None if "$" in ref else _stage_ref(df, ref, stage.index)
            name = df.stages[src].display_name if src is not None else ref
            out.append(Edge(src, name, stage.index, kind, inst.line, inst.source))
    return out


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
                status=res.status,
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
        records = {rec.line: rec for rec in res.copies}
        for edge in static_edges(df, st):
            rec = records.get(edge.line) if edge.kind == "copy" else None
            if rec is not None:
                edge = Edge(
                    rec.from_stage if rec.from_stage is not None else edge.source,
                    edge.source_name,
                    edge.target,
                    edge.kind,
                    edge.line,
                    edge.text,
                    rec.files,
                    rec.bytes,
                )
            edges.append(edge)
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
    )


# --- the text form --------------------------------------------------------------------------


def _ratio(a: int, b: int) -> str:
    if b <= 0:
        return ""
    r = a / b
    return f"{r:.2g}×" if r < 10 else f"{r:.0f}×"


def print_summary(s: Summary, console: Console, *, image_id: str = "") -> None:
    """The end of ``emu build``: stages, crossings, the final size against its base."""
    from rich.text import Text

    mark = {"final": "final", "built": "discarded", "skipped": "skipped"}
    style = {"final": "bold green", "built": "yellow", "skipped": "dim"}
    width = max(len(st.name) for st in s.stages)
    console.print(Text("Stages:", style="bold"))
    for st in s.stages:
        line = Text(" ")
        line.append(f"{mark[st.status]:<9}", style=style[st.status])
        line.append(f" {st.name:<{width}}  FROM {st.base}")
        if st.size is not None:
            line.append(f"  {human_size(st.size)}")
        console.print(line)
        why = st.reason
        if st.status == "skipped":
            first, last = st.steps
            steps = f"step {first}" if first == last else f"steps {first}-{last}"
            why = f"{why}: BuildKit never ran its {steps}"
        console.print(Text(f"   {why}", style="dim"))
    crossings = s.crossings
    if crossings:
        console.print(Text("Crossed between stages:", style="bold"))
        for e in crossings:
            what = f"{plural(e.files or 0, 'file')}, {human_size(e.bytes or 0)}"
            source = e.source_name if e.source is not None else f"image {e.source_name}"
            console.print(Text(f" {source} → {s.stages[e.target].name}: {what}"))
            console.print(Text(f"   {e.text} ({s.file}:{e.line})", style="dim"))
    elif len(s.stages) > 1:
        console.print(Text("Nothing crossed between stages (no COPY --from ran).", style="dim"))
    head = Text()
    head.append(f"Final image: {human_size(s.final_size)}", style="bold")
    head.append(" uncompressed (the SIZE `docker images` shows)")
    console.print(head)
    base = f" its base {s.root_base}: {human_size(s.base_size)}"
    if s.base_compressed:
        base += f" ({human_size(s.base_compressed)} compressed, as registries list it)"
    console.print(Text(base))
    console.print(
        Text(
            f" added by this Dockerfile: {human_size(s.added)} in {plural(s.added_layers, 'layer')}"
        )
    )
    for st in s.stages:
        if st.status == "built" and st.size is not None:
            console.print(_shipped_line(st, s), soft_wrap=True)


def _shipped_line(st: StageInfo, s: Summary) -> Text:
    """What shipping a discarded stage instead would have cost — a saving only when it is
    one, and a ratio only when it reads as one (a scratch final image of a few kilobytes
    makes any ratio absurd)."""
    from rich.text import Text

    size = st.size or 0
    if size <= s.final_size:
        return Text(
            _wrap(
                f"{st.name} ({human_size(size)}) weighs no more than the final image: "
                f"discarding it saves nothing here; the final image's weight is its base "
                f"{s.root_base} ({human_size(s.base_size)}) plus {human_size(s.added)}",
                " ",
                "   ",
            ),
            style="dim",
        )
    ratio = _ratio(size, s.final_size) if s.final_size and size / s.final_size < 100 else ""
    saved = human_size(size - s.final_size)
    return Text(
        f" had {st.name} been shipped instead: {human_size(size)}"
        + (f" ({ratio} the final image)" if ratio else f" against {human_size(s.final_size)}")
        + f"; discarding it saves {saved}"
    )


# --- the cache ------------------------------------------------------------------------------

_INSTALL = re.compile(
    r"\b(npm\s+(ci|install|i)\b|yarn(\s+install)?\s*$|yarn\s+install|pnpm\s+(i|install)\b|"
    r"pip3?\s+install|poetry\s+install|go\s+mod\s+download|bundle\s+install|"
    r"composer\s+install|mvn\b.*dependency:|cargo\s+fetch|apk\s+add|apt-get\s+install)"
)


@dataclass(frozen=True, slots=True)
class CacheBreak:
    """Where a stage's chain of cached steps broke, and why."""

    stage: int
    step: StepEvent
    lesson: str = ""


def cache_report(result: BuildResult) -> tuple[int, int, list[CacheBreak]]:
    """(steps cached, steps, the first step that ran in each stage that used the cache)."""
    steps = [e for e in result.steps if e.vertex and e.kind != "from"]
    if not any(e.key for e in steps):
        return 0, len(steps), []
    breaks: list[CacheBreak] = []
    seen: set[int] = set()
    for e in steps:
        if e.cached or e.stage in seen or not e.why:
            continue
        seen.add(e.stage)
        breaks.append(CacheBreak(e.stage, e, _lesson(result, e)))
    return sum(1 for e in steps if e.cached), len(steps), breaks


def _lesson(result: BuildResult, broke: StepEvent) -> str:
    """The lesson of "copy the manifest, install, then copy the rest": a COPY of the whole
    context (or a directory) broke the cache before a dependency install in its stage."""
    if broke.kind not in ("copy", "add") or " changed: " not in broke.why:
        return ""
    stage = result.dockerfile.stages[broke.stage]
    inst = next((c for c in stage.commands if c.line == broke.line), None)
    if not isinstance(inst, Copy) or inst.from_:
        return ""
    broad = any(src.rstrip("/") in (".", "", "./") or src.endswith("/") for src in inst.sources)
    if not broad:
        return ""
    later = [c for c in stage.commands if c.line > broke.line and isinstance(c, Run)]
    install = next((c for c in later if _INSTALL.search(c.source)), None)
    if install is None:
        return ""
    return (
        f"`{inst.source}` comes before `{install.source}`, so every edit to any file re-runs "
        "the install; copy only the dependency manifest (package.json and its lock file, "
        "requirements.txt, go.mod…) first, install, then copy the rest"
    )


def print_cache(result: BuildResult, console: Console) -> None:
    """The cache's part: how many steps it answered, and where and why each stage's chain
    of cached steps broke (``COPY . . changed: src/app.js``)."""
    from rich.text import Text

    cached, total, breaks = cache_report(result)
    if not any(e.key for e in result.steps):
        return
    head = Text("Cache:", style="bold")
    if cached == total:
        head.append(f" all {plural(total, 'step')} cached: nothing ran")
        console.print(head)
        return
    head.append(f" {cached} of {plural(total, 'step')} cached")
    if all(b.step.why == FIRST_BUILD for b in breaks):
        head.append(" (the first build of this Dockerfile with this cache)", style="dim")
        console.print(head)
        return
    console.print(head)
    file = result.dockerfile.file
    for b in breaks:
        e = b.step
        console.print(Text(f" ran from {e.vertex} ({file}:{e.line}):"), soft_wrap=True)
        console.print(Text(_wrap(e.why, "   ", "   ")), soft_wrap=True)
        if b.lesson:
            line = Text("   lesson: ", style="magenta")
            line.append(_wrap(b.lesson, "", "   ", first=11))
            console.print(line, soft_wrap=True)


def _wrap(text: str, indent: str, rest: str, *, first: int = 0, width: int = 80) -> str:
    """``text`` wrapped to ``width`` columns (a summary reads the same in a CI log)."""
    import textwrap

    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent + " " * first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines)[first:] if lines else ""
