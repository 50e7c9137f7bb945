"""The progress formats of ``emu build`` that print as the build goes: BuildKit's ``plain``
text, its live ``tty`` view, and the legacy builder's ``classic`` log (see
:mod:`emu.cli._progress`, which makes them; ``rawjson`` is :mod:`emu.cli._rawjson`).

They live apart from the observer they share so that a quiet build, which prints only the
image ID, does not load them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from emu.cli._fmt import human_size
from emu.cli._progress import (
    BLOCK_LINES,
    CLASSIC_LINES,
    ERROR_TAIL,
    LOG_LIMIT,
    ONBUILD,
    TTY_LINES,
    Progress,
    _docker_name,
    _reads_context,
    export_step,
    output_lines,
    timestamp,
    transfer_size,
)
from emu.records import field, record

if TYPE_CHECKING:
    from rich.console import RenderableType

    from emu.engine.state import BuildPlan, StepEvent


# --- plain ------------------------------------------------------------------------------------


@record(slots=True)
class PlainProgress(Progress):
    """BuildKit's ``--progress=plain`` text, printed as the build goes."""

    number: int = 0
    context_loaded: bool = False
    froms: set[str] = field(default_factory=set)
    numbers: dict[tuple[int, int], int] = field(default_factory=dict)

    def _print(self, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(text), soft_wrap=True)

    def _vertex(self, name: str, lines: list[str], end: str) -> int:
        self.number += 1
        n = self.number
        out = [f"#{n} {name}", *(f"#{n} {line}" for line in lines), f"#{n} {end}"]
        self._print(("\n" if n > 1 else "") + "\n".join(out))
        return n

    def _transfer(self, name: str, what: str, size: int) -> None:
        self._vertex(name, [f"transferring {what}: {transfer_size(size)} done"], "DONE 0.0s")

    def planned(self, plan: BuildPlan) -> None:
        Progress.planned(self, plan)
        i = self.inputs
        self._vertex(
            f"[internal] load build definition from {i.dockerfile}",
            [f"transferring dockerfile: {transfer_size(i.dockerfile_size)} done"]
            + [f"WARN: {w}" for w in i.warnings],
            "DONE 0.0s",
        )
        for ref in plan.images:
            from emu.engine.vertex import from_text

            self._vertex(f"[internal] load metadata for {from_text(ref)[5:]}", [], "DONE 0.0s")
        # An absent .dockerignore still costs BuildKit a 2-byte transfer.
        self._transfer("[internal] load .dockerignore", "context", i.ignore_size or 2)

    def step_started(self, step: StepEvent) -> None:
        Progress.step_started(self, step)
        if not self.context_loaded and _reads_context(self.instruction(step)):
            self.context_loaded = True
            self._transfer("[internal] load build context", "context", self.inputs.context_size)

    def step_finished(self, step: StepEvent) -> None:
        Progress.step_finished(self, step)
        if not step.vertex:
            return
        if step.kind == "from":
            # Stages FROM the same image share BuildKit's one FROM vertex.
            what = step.vertex.split("] ", 1)[-1]
            if what in self.froms:
                return
            self.froms.add(what)
        lines: list[str] = []
        if step.output and not step.cached:
            ts = timestamp(step.seconds)
            size = 0
            for line in output_lines(step.output):
                size += len(line) + 1
                if size > LOG_LIMIT:
                    lines.append("[output clipped, log limit 2MiB reached]")
                    break
                lines.append(f"{ts} {line}")
        if step.error:
            end = f"ERROR: {step.error}"
        elif step.cached:
            end = "CACHED"
        else:
            end = f"DONE {step.seconds:.1f}s"
        self.numbers[(step.stage, step.line)] = self._vertex(step.vertex, lines, end)

    def failed(self) -> None:
        # The step's whole output was printed above; the block repeats its last lines.
        self.error_block(ERROR_TAIL)

    def succeeded(self, image_id: str, tags: tuple[str, ...], output: str) -> None:
        name, parts = export_step(image_id, tags, output)
        self._vertex(name, [f"{part} done" for part in parts], "DONE 0.0s")


# --- tty --------------------------------------------------------------------------------------


@record(slots=True)
class _Row:
    name: str
    started: float
    done: float | None = None
    state: str = ""  # "" | "CACHED" | "ERROR"
    sub: bool = False
    lines: tuple[str, ...] = ()


@record(slots=True)
class TtyProgress(Progress):
    """BuildKit's live view: a header with the elapsed time and a line per step."""

    rows: list[_Row] = field(default_factory=list)
    live: object = None
    total: int = 0
    froms: set[str] = field(default_factory=set)
    context_loaded: bool = False
    finished_at: float | None = None

    def start(self) -> None:
        from rich.live import Live

        # get_renderable: each refresh redraws, so a running step's time goes on ticking.
        live = Live(
            console=self.console,
            refresh_per_second=12,
            transient=False,
            get_renderable=self._render,
        )
        live.start()
        self.live = live

    def stop(self) -> None:
        from rich.live import Live

        self.finished_at = time.monotonic()
        for row in self.rows:  # BuildKit's last frame shows no step's output
            row.lines = ()
        if isinstance(self.live, Live):
            self.live.refresh()
            self.live.stop()
        self.live = None

    def _refresh(self) -> None:
        from rich.live import Live

        if isinstance(self.live, Live):
            self.live.refresh()

    def _internal(self, name: str, status: str = "") -> None:
        now = time.monotonic()
        self.rows.append(_Row(name, now, now))
        if status:
            self.rows.append(_Row(status, now, now, sub=True))

    def planned(self, plan: BuildPlan) -> None:
        Progress.planned(self, plan)
        from emu.engine.vertex import from_text

        i = self.inputs
        steps = sum(
            1
            for n in plan.needed
            for c in self.df.stages[n].commands
            if c.__class__.__name__ in ("Run", "Copy", "Add", "Workdir")
        )
        froms = {from_text(self.df.stages[n].base) for n in plan.needed} & {
            from_text(r) for r in plan.images
        }
        # definition, metadata per image, .dockerignore, context, export, and the steps
        self.total = 3 + len(plan.images) + len(froms) + steps + 1
        self._internal(
            f"[internal] load build definition from {i.dockerfile}",
            f"transferring dockerfile: {human_size(i.dockerfile_size)}",
        )
        for ref in plan.images:
            self._internal(f"[internal] load metadata for {from_text(ref)[5:]}")
        self._internal(
            "[internal] load .dockerignore", f"transferring context: {i.ignore_size or 2}B"
        )
        self._refresh()

    def step_started(self, step: StepEvent) -> None:
        Progress.step_started(self, step)
        if not self.context_loaded and _reads_context(self.instruction(step)):
            self.context_loaded = True
            self._internal(
                "[internal] load build context",
                f"transferring context: {human_size(self.inputs.context_size)}",
            )
        if step.vertex and step.kind != "from":
            self.rows.append(_Row(step.vertex, time.monotonic()))
        self._refresh()

    def step_finished(self, step: StepEvent) -> None:
        Progress.step_finished(self, step)
        now = time.monotonic()
        if step.kind == "from":
            what = step.vertex.split("] ", 1)[-1]
            if what not in self.froms:
                self.froms.add(what)
                self.rows.append(_Row(step.vertex, now - step.seconds, now))
        elif step.vertex:
            row = next((r for r in reversed(self.rows) if r.name == step.vertex), None)
            if row is not None:
                row.done = now
                row.state = "ERROR" if step.error else "CACHED" if step.cached else ""
                lines = output_lines(step.output)[-TTY_LINES:] if not step.cached else []
                row.lines = tuple(lines)
        for other in self.rows:  # only the latest step keeps its output on screen
            if other.name != step.vertex:
                other.lines = ()
        self._refresh()

    def succeeded(self, image_id: str, tags: tuple[str, ...], output: str) -> None:
        if output:
            self._internal(f"exporting to client {output}")
        else:
            self._internal("exporting to image", "exporting layers")
            self.rows.append(_Row(f"writing image {image_id}", time.monotonic(), sub=True))
            self.rows[-1].done = self.rows[-1].started
            for t in tags:
                self._internal(f"naming to {_docker_name(t)}")
                self.rows[-1].sub = True
        self.stop()

    def failed(self) -> None:
        self.stop()
        # BuildKit's tty keeps a failed step's whole log for this block.
        self.error_block(BLOCK_LINES)

    def _render(self) -> RenderableType:
        from rich.text import Text

        width = max(self.console.width, 40)
        end = self.finished_at or time.monotonic()
        done = sum(1 for r in self.rows if r.done is not None and not r.sub)
        total = max(self.total, done)
        failed = any(r.state == "ERROR" for r in self.rows)
        status = "FINISHED" if self.finished_at and not failed else ""
        text = Text()
        text.append(f"[+] Building {end - self.started:.1f}s ({done}/{total}) {status}".rstrip())
        for r in self.rows:
            stop = r.done if r.done is not None else end
            seconds = max(stop - r.started, 0.0)
            timer = f" {0.0 if seconds < 0.05 else seconds:3.1f}s"
            name = ("=> " if r.sub else "") + (f"{r.state} " if r.state else "") + r.name
            # BuildKit's align(): the time ends one column short of the window's edge.
            left = width - 4 - len(timer) - 2
            line = " => " + name[:left]
            line = line.ljust(width - 1 - len(timer)) + timer
            style = "red" if r.state == "ERROR" else "blue" if r.done is not None else ""
            text.append("\n")
            text.append(line, style=style)
            for out in r.lines:
                text.append("\n")
                text.append((" => => # " + out)[: width - 1], style="dim")
        return text


# --- classic ----------------------------------------------------------------------------------


@record(slots=True)
class ClassicProgress(Progress):
    """The legacy builder's ``Step N/M : …`` log. A successful build is printed whole at the
    end with its layer sizes (see ``emu.cli._build``); a failed one up to its last step."""

    def failed(self) -> None:
        from rich.text import Text

        from emu.cli._summary import step_numbers

        numbers = step_numbers(self.df)
        total = sum(1 + len(s.commands) for s in self.df.stages)
        for step in self.steps:
            if step.text.startswith(ONBUILD):
                # Right under its stage's FROM (what it copies from was built before that).
                self.console.print(Text(f" ---> {step.text[2:]} (a trigger of the base image)"))
            else:
                n = numbers.get((step.stage, step.line), 0)
                self.console.print(Text(f"Step {n}/{total} : {step.text}"))
            if step.cached:
                self.console.print(Text(" ---> Using cache", style="dim"))
            lines = output_lines(step.output)
            for line in lines[:CLASSIC_LINES]:
                self.console.print(Text(f"  | {line}", style="dim"))
            if len(lines) > CLASSIC_LINES:
                cut = len(lines) - CLASSIC_LINES
                self.console.print(
                    Text(
                        f"  | … {cut} more lines not shown (`emu build --progress plain` "
                        "prints them all)",
                        style="yellow",
                    )
                )


__all__ = ["ClassicProgress", "PlainProgress", "TtyProgress"]
