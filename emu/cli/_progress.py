"""``emu build``'s progress: BuildKit's plain and live (tty) formats, and the classic log.

Each format is an observer of the build (:class:`emu.engine.state.BuildObserver`): it is
told the plan, then every step as it starts and finishes, then how the build ended, and it
prints as docker does:

* ``plain`` — what ``docker build --progress=plain`` prints (BuildKit's ``progressui``
  text printer): numbered vertices (``#5 [builder 2/4] WORKDIR /app``), each ended by
  ``#5 DONE 0.0s``, ``#5 CACHED`` or ``#5 ERROR: …``, a RUN's output prefixed with the
  vertex number and the seconds since it started, and, when a step fails, the
  ``------ > [step]:`` block with its last lines;
* ``tty`` — BuildKit's live view, drawn with rich: ``[+] Building 1.2s (9/9) FINISHED``
  and one line per step with its state and time;
* ``classic`` — the legacy builder's ``Step 1/7 : …`` log, which the tutorial shows (and
  ``--builder legacy`` prints);
* ``quiet`` — nothing (but a failed step's output).

The formats that print are in :mod:`emu.cli._formats`, loaded only by a build that prints
them; this module has what they share and the observer a quiet build uses.

emu's build steps are the same vertices BuildKit makes (see :mod:`emu.engine.vertex`); the
``[internal]`` ones (loading the Dockerfile, the base images' metadata, ``.dockerignore``,
the context) and ``exporting to image`` are drawn from what the build read and wrote.
Times are emu's own. Where emu differs from current BuildKit on purpose it says so in
``tests/cli/test_progress_formats.py``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from emu.records import field, record

if TYPE_CHECKING:
    from rich.console import Console

    from emu.dockerfile.instructions import Dockerfile, Instruction
    from emu.engine.state import BuildPlan, StepEvent

# BuildKit caps a step's log at 2 MiB (BUILDKIT_STEP_LOG_MAX_SIZE) and says so; the error
# block repeats a failed step's last 10 lines (progressui's logsBufferSize).
LOG_LIMIT = 2 * 1024 * 1024
ERROR_TAIL = 10
# The error block of the live view and of --quiet shows this many of a failed step's lines.
BLOCK_LINES = 200
# The classic log shows this many lines of a RUN's output before it says what it cut.
CLASSIC_LINES = 200
# The live view keeps this many of the last step's output lines under it.
TTY_LINES = 6


@record(frozen=True, slots=True)
class Inputs:
    """What the build reads before its first step, as BuildKit's internal steps show it."""

    dockerfile: str  # the name shown: "Dockerfile"
    dockerfile_size: int
    ignore_size: int  # bytes of .dockerignore (0: none)
    context_size: int  # bytes of the context the build may read
    warnings: tuple[str, ...] = ()  # "Rule: message (line N)", known before the build


def transfer_size(n: int) -> str:
    """A transfer's size as BuildKit's progress prints it (``209B``, ``2.07kB``, ``52.33MB``)."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)}B" if unit == "B" else f"{value:.2f}{unit}"
        value /= 1000
    return f"{value:.2f}GB"  # pragma: no cover - the loop returns


def timestamp(seconds: float) -> str:
    """BuildKit's log-line time: ``fmt.Sprintf("%#.4g", s)[:5]`` (``0.186``, ``12.34``)."""
    return f"{seconds:#.4g}"[:5]


def output_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    return text.splitlines()


# How a step that runs a base's ONBUILD trigger is told (StepEvent.text).
ONBUILD = "# ONBUILD "


def _trigger(text: str) -> Instruction | None:
    """The instruction an ONBUILD trigger step runs (its line is the ONBUILD's, or the FROM's
    for an image's trigger, so the stage's own instructions cannot tell it)."""
    from emu.dockerfile.instructions import convert
    from emu.dockerfile.parser import parse
    from emu.errors import EmuError

    try:
        nodes = parse(text, "ONBUILD").nodes
        return convert(nodes[0]) if len(nodes) == 1 else None
    except EmuError:
        return None


def _reads_context(inst: Instruction | None) -> bool:
    from emu.dockerfile.instructions import Add, Copy, Run

    if isinstance(inst, Copy):
        return not inst.from_
    if isinstance(inst, Add):
        return True
    if isinstance(inst, Run):
        from emu.engine.vertex import mount_options

        for mount in inst.mounts:
            opts = mount_options(mount)
            if opts.get("type", "bind") == "bind" and not opts.get("from"):
                return True
    return False


@record(slots=True)
class Progress:
    """The observer every format shares: it keeps the steps, and prints nothing but a failed
    step's output."""

    sink: Console | None  # where it prints; None: stderr's console, made when first needed
    df: Dockerfile
    inputs: Inputs
    plan: BuildPlan | None = None
    steps: list[StepEvent] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    running: StepEvent | None = None

    @property
    def console(self) -> Console:
        """Where the progress prints: made on first use, so a quiet build that succeeds
        never imports rich."""
        if self.sink is None:
            from emu.cli._console import err

            self.sink = err()
        return self.sink

    def instruction(self, step: StepEvent) -> Instruction | None:
        if step.text.startswith(ONBUILD):
            return _trigger(step.text.removeprefix(ONBUILD))
        st = self.df.stages[step.stage]
        for inst in st.commands:
            if inst.line == step.line:
                return inst
        return None

    def start(self) -> None:
        """Before the first step: the live view starts drawing; the others print as told."""

    # BuildObserver
    def planned(self, plan: BuildPlan) -> None:
        self.plan = plan

    def step_started(self, step: StepEvent) -> None:
        self.running = step

    def step_finished(self, step: StepEvent) -> None:
        self.running = None
        self.steps.append(step)

    # how the build ended
    def succeeded(self, image_id: str, tags: tuple[str, ...], output: str) -> None:
        """The build worked: ``output`` is "" for an image, else the output's type."""

    def failed(self) -> None:
        """The build stopped at its last step (the error itself is printed by the caller):
        the failed step's output, as BuildKit's ``------ > [step]:`` block shows it."""
        self.error_block(BLOCK_LINES)

    def error_block(self, limit: int) -> None:
        from rich.text import Text

        step = self.failed_step
        if step is None or not step.vertex:
            return
        ts = timestamp(step.seconds)
        lines = [f"{ts} {line}" for line in output_lines(step.output)]
        if len(lines) > limit:
            cut = len(lines) - limit
            lines = [
                f"[{cut} earlier lines cut: `emu build --progress plain` prints them all]",
                *lines[-limit:],
            ]
        self.console.print(
            Text("\n".join(["------", f" > {step.vertex}:", *lines, "------"])), soft_wrap=True
        )

    @property
    def failed_step(self) -> StepEvent | None:
        return next((s for s in reversed(self.steps) if s.error), None)


def export_step(image_id: str, tags: tuple[str, ...], output: str) -> tuple[str, list[str]]:
    """The step that exports the result, as BuildKit names it, and what it does in order
    (``output``: "" for the image store, else the --output type)."""
    if output:
        what = {"local": "directory", "tar": "tarball"}.get(output, "image tarball")
        return f"exporting to client {what}", [
            "sending tarball" if output != "local" else "copying files"
        ]
    parts = ["exporting layers", f"writing image {image_id}"]
    parts.extend(f"naming to {_docker_name(t)}" for t in tags)
    return "exporting to image", parts


def _docker_name(tag: str) -> str:
    from emu.images import reference

    try:
        return reference.normalize(tag)
    except Exception:
        return tag


def make(
    mode: str, console: Console | None, df: Dockerfile, inputs: Inputs
) -> Progress:  # pragma: no branch - one class per mode
    if mode not in ("plain", "tty", "classic"):
        return Progress(console, df, inputs)  # quiet: only a failed step's output
    from emu.cli import _formats

    if mode == "plain":
        return _formats.PlainProgress(console, df, inputs)
    if mode == "tty":
        return _formats.TtyProgress(console, df, inputs)
    return _formats.ClassicProgress(console, df, inputs)


def __getattr__(name: str) -> Any:
    # The formats that print live in emu.cli._formats, loaded when first asked for.
    if name in ("ClassicProgress", "PlainProgress", "TtyProgress"):
        from emu.cli import _formats

        return getattr(_formats, name)
    raise AttributeError(name)


__all__ = [  # noqa: F822 - the formats: see __getattr__
    "ClassicProgress",
    "Inputs",
    "PlainProgress",
    "Progress",
    "TtyProgress",
    "make",
    "timestamp",
]
