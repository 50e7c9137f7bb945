"""The state of one stage while it builds: its filesystem writer, config, ARGs and history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from emu.dockerfile.instructions import KeyValue, Stage
from emu.errors import BuildError, EmuError
from emu.fs import FS, Dir
from emu.images.image import HistoryEntry, Image, ImageConfig, Layer, LayerOrigin
from emu.pos import Position, Span
from emu.records import field, record
from emu.words import process_word, process_words

if TYPE_CHECKING:
    from emu.dockerfile.instructions import Run
    from emu.engine.context import Context
    from emu.engine.copying import CopyStats
    from emu.sh.api import Limits


class LimitMaxima(Protocol):
    """The maxima limits are made from (a shell :class:`~emu.sh.api.Limits`, a grading
    rubric's :class:`~emu.grading.model.SandboxLimits`)."""

    @property
    def max_steps(self) -> int: ...
    @property
    def max_output(self) -> int: ...
    @property
    def max_files(self) -> int: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def max_depth(self) -> int: ...
    @property
    def max_seconds(self) -> float: ...


def fresh_limits(template: LimitMaxima, deadline: float | None, max_seconds: float) -> Limits:
    """Limits for one instruction (a RUN, an ADD's archive, a spec's command): the
    template's maxima and the build's deadline, with nothing counted yet."""
    from emu.sh.api import Limits

    return Limits(
        max_steps=template.max_steps,
        max_output=template.max_output,
        max_files=template.max_files,
        max_bytes=template.max_bytes,
        max_depth=template.max_depth,
        deadline=deadline,
        max_seconds=max_seconds or template.max_seconds,
    )


class Sources(Protocol):
    """What a stage can copy from: the context, earlier stages, images, mapped URLs."""

    def context(self) -> Context: ...

    def limits(self) -> Limits:
        """Fresh limits for one instruction (ADD's archives), with the build's deadline."""
        ...

    def from_ref(self, ref: str, st: StageState, pos: Position) -> tuple[int | None, Image]: ...

    def url(self, url: str, st: StageState, pos: Position) -> bytes: ...

    def url_map(self) -> dict[str, bytes]: ...

    def forgave(self, index: int) -> tuple[Skipped, ...]: ...


class RunExecutor(Protocol):
    """Runs a RUN instruction against the stage (the shell plugs in here)."""

    def run(
        self, st: StageState, inst: Run, argv: tuple[str, ...], env: dict[str, str]
    ) -> None: ...


@record(frozen=True, slots=True)
class CopyRecord:
    """One COPY/ADD, kept for the summary and for ``emu explain``."""

    line: int
    source: str  # "context", a stage name, or an image reference
    from_stage: int | None
    pairs: tuple[tuple[str, str], ...]  # (source path, destination path)
    files: int
    bytes: int
    text: str
    # An ONBUILD trigger's copy: whose trigger it was ("stage NAME" or "image REF").
    # ``line`` and ``text`` are then the ONBUILD's (for an image's trigger, the FROM's line).
    trigger: str = ""


@record(frozen=True, slots=True)
class StepEvent:
    """One instruction as it ran, in execution order (for progress output).

    ``vertex`` is the step as BuildKit names it in its progress output (``[builder 2/4]
    WORKDIR /app``); it is empty for an instruction that makes no BuildKit step (ENV,
    LABEL, EXPOSE…). A step the cache answered is ``cached``; one that ran while a cache was
    in use says ``why`` it missed; a failed one carries its ``error``.
    """

    stage: int
    line: int
    text: str
    vertex: str = ""
    kind: str = ""  # "from" | "run" | "copy" | "add" | "workdir" | "" (no BuildKit step)
    cached: bool = False
    why: str = ""
    seconds: float = 0.0
    error: str = ""
    output: bytes = b""  # what a RUN printed (stdout, then stderr)
    key: str = ""


@record(frozen=True, slots=True)
class BuildPlan:
    """What a build is about to do, told to its observer before the first step."""

    stages: tuple[str, ...]  # display names, in Dockerfile order
    bases: tuple[str, ...]  # each stage's FROM reference, ARGs expanded
    needed: tuple[int, ...]  # the stages this build will build
    images: tuple[str, ...]  # the external images it resolves, first use first
    cache: bool = False  # a layer cache is in use


class BuildObserver(Protocol):
    """Told about a build as it happens (progress output plugs in here)."""

    def planned(self, plan: BuildPlan) -> None: ...

    def step_started(self, step: StepEvent) -> None: ...

    def step_finished(self, step: StepEvent) -> None: ...


@record(slots=True)
class StepLog:
    """The simplest observer: keeps the plan and every finished step (what a failed build,
    which returns no result, leaves to look at)."""

    steps: list[StepEvent] = field(default_factory=list)
    plan: BuildPlan | None = None

    def planned(self, plan: BuildPlan) -> None:
        self.plan = plan

    def step_started(self, step: StepEvent) -> None:
        pass

    def step_finished(self, step: StepEvent) -> None:
        self.steps.append(step)


@record(frozen=True, slots=True)
class Skipped:
    """What a ``--permissive`` build did instead of failing (for the summary): a program
    it cannot emulate skipped, or a placeholder written where a download would land."""

    line: int
    kind: str  # "program" | "download" | "copy" (a stage's output a skipped command did not make)
    what: str  # the program's name, the URL, or stage:path
    where: str = ""  # the placeholder's path ("-": a RUN's stdout)


@record(slots=True)
class UnusedVar:
    """A variable an instruction used that was never defined (for UndefinedVar)."""

    name: str
    line: int


@record(slots=True)
class StageState:
    """Mutable while a stage builds; turned into an :class:`Image` when it ends."""

    stage: Stage
    file: str
    fs: FS
    config: ImageConfig
    base: Image
    # The variables the builder expands with and RUN sees, updated by ENV and ARG in
    # order: an ARG that has a value after an ENV of the same name wins here (seen with
    # BuildKit), while the image config keeps only ENV.
    vars: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)  # declared ARGs that have a value
    declared: list[str] = field(default_factory=list)  # declared ARG names, in order
    globals_: dict[str, str] = field(default_factory=dict)
    build_args: dict[str, str | None] = field(default_factory=dict)
    cmd_set: bool = False
    layers: list[Layer] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    copies: list[CopyRecord] = field(default_factory=list)
    undefined: list[UnusedVar] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # --permissive's forgiveness
    last_root: Dir | None = None
    source_date_epoch: int | None = None
    author: str = ""
    sources: Sources | None = None
    executor: RunExecutor | None = None
    line: int = 0  # the instruction being dispatched (for layer origins)
    text: str = ""
    trigger: str = ""  # while a base's ONBUILD trigger runs: "stage NAME" or "image REF"
    escape: str = "\\"  # the Dockerfile's escape character (``# escape=``)

    # --- variables ---------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """What ``$VAR`` sees at this point of the stage (a copy)."""
        return dict(self.vars)

    def error(self, message: str, where: Position | Span, hint: str | None = None) -> BuildError:
        span = where if isinstance(where, Span) else Span.point(where)
        return BuildError(message, file=self.file, span=span, hint=hint)

    def expand(self, word: str, pos: Position, env: dict[str, str] | None = None) -> str:
        try:
            # (the variables themselves, not a copy: expanding reads them, and a stage
            # with thousands of ENVs would copy them all for every word)
            result = process_word(word, self.vars if env is None else env, escape=self.escape)
        except EmuError as exc:
            raise self._unexpandable(exc, word, pos) from None
        for name in result.unmatched:
            self.undefined.append(UnusedVar(name, pos.line))
        return result.value

    def expand_pairs(
        self, pairs: Iterable[KeyValue], pos: Position, env: dict[str, str]
    ) -> list[tuple[str, str]]:
        """ENV's and LABEL's ``key=value`` pairs, each side expanded against ``env``."""
        return [(self.expand(kv.key, pos, env), self.expand(kv.value, pos, env)) for kv in pairs]

    def expand_words(self, word: str, pos: Position) -> list[str]:
        try:
            result = process_words(word, self.vars, escape=self.escape)
        except EmuError as exc:
            raise self._unexpandable(exc, word, pos) from None
        for name in result.unmatched:
            self.undefined.append(UnusedVar(name, pos.line))
        return list(result.words)

    def _unexpandable(self, exc: EmuError, word: str, pos: Position) -> EmuError:
        # BuildKit's wording; the error's in-word position gives way to the instruction's.
        prefix = f'failed to process "{word}": '
        return exc.as_build_failure(self.file, pos, prefix=prefix, replace=True)

    # --- history and layers ------------------------------------------------------------

    def commit(
        self,
        created_by: str,
        *,
        layer: bool,
        source: str = "",
        source_stage: int | None = None,
        pairs: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Record history; with ``layer`` the filesystem change becomes a layer."""
        self.history.append(HistoryEntry(created_by, empty_layer=not layer))
        if layer:
            before = self.last_root
            after = self.fs.snapshot().root
            origin = LayerOrigin(
                stage=self.stage.index,
                stage_name=self.stage.display_name,
                line=self.line,
                kind=created_by.split(" ", 1)[0].lower(),
                text=self.text,
                source=source,
                source_stage=source_stage,
                pairs=pairs,
                trigger=self.trigger,
            )
            self.layers.append(Layer(before, after, created_by, origin))
            self.last_root = after

    def build_arg_prefix(self) -> str:
        """``|N k=v …`` that BuildKit puts before a RUN's history when ARGs are in scope."""
        # Every declared ARG, a valueless one as ``K=`` (seen with BuildKit, case 83).
        pairs = [f"{k}={self.args.get(k, '')}" for k in self.declared]
        return f"|{len(pairs)} {' '.join(pairs)} " if pairs else ""

    def record_copy(self, record: CopyRecord) -> None:
        self.copies.append(record)

    def image(self) -> Image:
        return Image(
            rootfs=self.fs.snapshot(),
            config=self.config,
            layers=(*self.base.layers, *self.layers),
            history=(*self.base.history, *self.history),
            base_size=self.base.base_size,
            name=self.stage.display_name,
            author=self.author or self.base.author,
            notes=self.base.notes,
        )


def copy_stats_record(
    st: StageState, line: int, source: str, from_stage: int | None, stats: CopyStats, text: str
) -> CopyRecord:
    if st.trigger:  # cite the ONBUILD, not the line inside the trigger's own text
        line, text = st.line, st.text
    pairs = tuple(stats.sources)
    rec = CopyRecord(line, source, from_stage, pairs, stats.files, stats.bytes, text, st.trigger)
    st.record_copy(rec)
    return rec
