"""The end of ``emu build`` as text: the build's summary (computed in
:mod:`emu.teach.summary`, shared with the HTML report, the playground and notebooks) printed
with rich."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emu.cli._fmt import human_size, plural
from emu.teach.summary import (
    Edge,
    LayerInfo,
    StageInfo,
    Summary,
    compressed_size,
    static_edges,
    step_numbers,
    summarize,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "Edge",
    "LayerInfo",
    "StageInfo",
    "Summary",
    "compressed_size",
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
            ratio = _ratio(st.size, s.final_size)
            console.print(
                Text(
                    f" had {st.name} been shipped instead: {human_size(st.size)}"
                    + (f" ({ratio} the final image)" if ratio else ""),
                    style="dim" if st.size <= s.final_size else "",
                )
            )
