"""The end of ``emu build`` as text: the build's summary (computed in
:mod:`emu.teach.summary`, shared with the HTML report, the playground and notebooks) printed
with rich."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from emu.cli._fmt import human_size, plural
from emu.dockerfile.instructions import Copy, Run
from emu.engine.cache import FIRST_BUILD
from emu.records import record
from emu.teach.summary import (
    FATES,
    Edge,
    LayerInfo,
    StageInfo,
    Summary,
    cite,
    compressed_size,
    skipped_lines,
    static_edges,
    step_numbers,
    summarize,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from emu.engine.builder import BuildResult
    from emu.engine.state import StepEvent

__all__ = [
    "Edge",
    "LayerInfo",
    "StageInfo",
    "Summary",
    "compressed_size",
    "print_cache",
    "print_summary",
    "static_edges",
    "step_numbers",
    "summarize",
]


# --- the text form --------------------------------------------------------------------------


def _ratio(a: int, b: int) -> str:
    if b <= 0:
        return ""
    r = a / b
    return f"{r:.2g}×" if r < 10 else f"{r:.0f}×"


def print_summary(s: Summary, console: Console, *, image_id: str = "") -> None:
    """The end of ``emu build``: stages, crossings, the final size against its base."""
    from rich.text import Text

    style = {"final": "bold green", "base": "green", "built": "yellow", "skipped": "dim"}
    width = max(len(st.name) for st in s.stages)
    console.print(Text("Stages:", style="bold"))
    for st in s.stages:
        line = Text(" ")
        line.append(f"{FATES[st.status]:<9}", style=style[st.status])
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
            console.print(
                Text(f"   {e.text} ({cite(e, s.file, s.stages)})", style="dim"), soft_wrap=True
            )
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
    for forgiven in skipped_lines(s):
        console.print(Text(forgiven, style="yellow"))
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


@record(frozen=True, slots=True)
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
