"""The build engine: plan the stages, resolve bases, run each reachable stage.

BuildKit builds only what the target needs: the target stage, the stages it is based on,
and every stage a ``COPY --from`` / ``RUN --mount from=`` (or an ONBUILD trigger) reaches —
every stage is still parsed and its references validated. ``builder="legacy"`` builds every
stage up to the target in order, as the classic builder did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from emu.dockerfile.instructions import Copy, Dockerfile, Instruction, Run, Stage, convert, suggest
from emu.dockerfile.parser import parse
from emu.engine.args import Platform, evaluate_globals, platform_args
from emu.engine.context import Context
from emu.engine.dispatch import dispatch
from emu.engine.state import (
    CopyRecord,
    LimitError,
    RunExecutor,
    StageState,
    StepEvent,
    UnusedVar,
    fresh_limits,
)
from emu.errors import BuildError, EmuError
from emu.fs import Dir, Meta, Snapshot
from emu.images.image import DEFAULT_PATH, Image, ImageConfig
from emu.pos import Position
from emu.words import process_word

if TYPE_CHECKING:
    from emu.sh.api import Limits

ImageResolver = Callable[[str], Image]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    target: str | None = None
    build_args: Mapping[str, str | None] = field(default_factory=dict)
    platform: Platform = field(default_factory=Platform)
    build_platform: Platform = field(default_factory=Platform)
    builder: str = "buildkit"  # or "legacy"
    url_map: Mapping[str, bytes] = field(default_factory=dict)
    source_date_epoch: int | None = None
    executor: RunExecutor | None = None
    resolve_image: ImageResolver | None = None  # default: the offline catalog only
    # Sandbox limits: per-RUN maxima and the whole build's wall time.
    limits: Limits | None = None
    max_seconds: float | None = None
    permissive: bool = False  # unemulated programs: a warning and a no-op


@dataclass(frozen=True, slots=True)
class StageResult:
    """One stage of a build and what became of it."""

    index: int
    name: str  # display name: the AS name or stage-N
    base: str  # the FROM reference after global ARG expansion
    status: str  # "final" | "built" (then discarded) | "skipped"
    reason: str
    image: Image | None
    copies: tuple[CopyRecord, ...] = ()
    undefined: tuple[UnusedVar, ...] = ()
    base_stage: int | None = None

    @property
    def built(self) -> bool:
        return self.image is not None


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The final image and every stage's fate."""

    image: Image
    target: StageResult
    stages: tuple[StageResult, ...]
    dockerfile: Dockerfile
    context: Context
    steps: tuple[StepEvent, ...] = ()

    @property
    def total_instructions(self) -> int:
        return sum(1 + len(s.commands) for s in self.dockerfile.stages)

    @property
    def discarded(self) -> tuple[StageResult, ...]:
        return tuple(s for s in self.stages if s.status == "built")

    @property
    def skipped(self) -> tuple[StageResult, ...]:
        return tuple(s for s in self.stages if s.status == "skipped")


SCRATCH = Image(
    rootfs=Snapshot(Dir(Meta(0o755))),
    config=ImageConfig(env=(f"PATH={DEFAULT_PATH}",), working_dir="/"),
    name="scratch",
)


def catalog_image(ref: str) -> Image:
    """The default resolver: emu's offline catalog, nothing on disk (so a library build is
    hermetic; the CLI passes :func:`emu.store.resolve`, which tries the local store first)."""
    from emu.images import catalog

    image: Image = catalog.lookup(ref)
    return image


def _is_index(ref: str) -> bool:
    return ref.isdigit()


class _Build:
    def __init__(self, df: Dockerfile, ctx: Context, opts: BuildOptions) -> None:
        self.df = df
        self.ctx = ctx
        self.opts = opts
        self.file = df.file
        self.resolve = opts.resolve_image or catalog_image
        self.images: dict[int, Image] = {}
        self.states: dict[int, StageState] = {}
        self.building: list[int] = []
        self.bases: dict[int, str] = {}
        self.base_stage: dict[int, int | None] = {}
        self.external: dict[str, Image] = {}
        self.steps: list[StepEvent] = []
        self.deadline = (
            time.monotonic() + opts.max_seconds if opts.max_seconds is not None else None
        )
        if opts.executor is None:
            from emu.engine.runexec import ShellExecutor

            self.executor: RunExecutor = ShellExecutor(
                permissive=opts.permissive,
                limits=opts.limits,
                deadline=self.deadline,
                max_seconds=opts.max_seconds or 0.0,
            )
        else:
            self.executor = opts.executor
        self.final_vars: dict[int, dict[str, str]] = {}
        stages = df.stages
        if not stages:
            raise BuildError(
                "dockerfile contains no stages to build",
                file=self.file,
                hint="add a FROM instruction after the global ARGs",
            )
        self.target = self._target_index()
        target_name = stages[self.target].name or "default"
        predefined = platform_args(opts.platform, opts.build_platform, target_name)
        self.globals = evaluate_globals(df.meta_args, opts.build_args, predefined, self.file)
        self._validate()

    # --- planning ----------------------------------------------------------------------

    def _target_index(self) -> int:
        stages = self.df.stages
        target = self.opts.target
        if not target:
            return len(stages) - 1
        wanted = target.lower()
        for st in stages:
            if st.name == wanted:
                return st.index
        names = [s.name for s in stages if s.name]
        close = suggest(target, names)
        msg = f'target stage "{target}" could not be found'
        if close:
            msg += f" (did you mean {close}?)"
        raise BuildError(msg, hint="stages: " + (", ".join(names) or "(none are named)"))

    def _stage_by_name(self, name: str, before: int, *, exact: bool = False) -> int | None:
        """The latest stage named ``name`` defined before stage ``before``.

        ``COPY --from`` and ``--target`` match names case-insensitively; ``FROM`` matches
        the (lower-cased) names exactly, so ``FROM Builder`` is an image reference (seen
        with BuildKit).
        """
        wanted = name if exact else name.lower()
        found = None
        for st in self.df.stages[:before]:
            if st.name == wanted:
                found = st.index
        return found

    def _from_refs(self, stage: Stage) -> list[tuple[str, Instruction]]:
        out: list[tuple[str, Instruction]] = []
        for inst in stage.commands:
            if isinstance(inst, Copy) and inst.from_:
                out.append((inst.from_, inst))
            elif isinstance(inst, Run):
                for mount in inst.mounts:
                    for part in mount.split(","):
                        key, _, value = part.partition("=")
                        if key.strip() == "from" and value:
                            out.append((value, inst))
        return out

    def _validate(self) -> None:
        """What BuildKit checks for every stage, reached or not."""
        stages = self.df.stages
        for st in stages:
            base = self._expand_base(st)
            self.bases[st.index] = base
            self.base_stage[st.index] = self._stage_by_name(base, st.index, exact=True)
            for ref, inst in self._from_refs(st):
                if "$" in ref:
                    continue  # reported when the stage runs (BuildKit's wording needs it)
                if _is_index(ref):
                    n = int(ref)
                    if n >= len(stages):
                        raise self._err(f"invalid stage index {n}", inst)
                    if n >= st.index:
                        self._later(stages[n], st, inst)
                    continue
                wanted = ref.lower()
                if st.name and wanted == st.name:
                    raise self._err(f"circular dependency detected on stage: {st.name}", inst)
                later = [s for s in stages[st.index + 1 :] if s.name == wanted]
                if later and self._stage_by_name(ref, st.index) is None:
                    self._later(later[0], st, inst)

    def _later(self, other: Stage, st: Stage, inst: Instruction) -> None:
        raise self._err(
            f'cannot copy from stage "{other.display_name}", it needs to be defined before '
            f'current stage "{st.display_name}"',
            inst,
            hint="move that stage above this one in the Dockerfile",
        )

    def _err(self, message: str, inst: Instruction, hint: str | None = None) -> BuildError:
        return BuildError(message, file=self.file, pos=inst.pos, hint=hint)

    def _expand_base(self, st: Stage) -> str:
        try:
            value = process_word(st.base, self.globals).value
        except EmuError as exc:
            raise BuildError(
                f'failed to process "{st.base}": {exc.message}', file=self.file, pos=st.from_.pos
            ) from None
        if value == "":
            raise BuildError(
                f"base name ({st.base}) should not be blank",
                file=self.file,
                pos=st.from_.pos,
                hint="give the ARG a default or pass --build-arg",
            )
        return value

    # --- running -----------------------------------------------------------------------

    def run(self) -> BuildResult:
        if self.opts.builder == "legacy":
            for i in range(self.target + 1):
                self.stage_image(i)
        else:
            self.stage_image(self.target)
        results = []
        for st in self.df.stages:
            image = self.images.get(st.index)
            state = self.states.get(st.index)
            if st.index == self.target:
                status, reason = (
                    "final",
                    "the target stage" if self.opts.target else "the last stage",
                )
            elif image is not None:
                status, reason = "built", "built, then discarded: not part of the final image"
            else:
                status, reason = "skipped", "not reachable from the target stage"
            results.append(
                StageResult(
                    index=st.index,
                    name=st.display_name,
                    base=self.bases[st.index],
                    status=status,
                    reason=reason,
                    image=image,
                    copies=tuple(state.copies) if state else (),
                    undefined=tuple(state.undefined) if state else (),
                    base_stage=self.base_stage[st.index],
                )
            )
        final = results[self.target]
        assert final.image is not None
        return BuildResult(final.image, final, tuple(results), self.df, self.ctx, tuple(self.steps))

    def stage_image(self, index: int) -> Image:
        """The image of stage ``index``, built first with what it needs (its base stage, the
        stages it copies from), in the order BuildKit's graph runs them.

        The dependencies are planned with an explicit stack, not recursion: 3,000 stages
        chained by ``FROM``/``--from`` are data, not Python's stack.
        """
        if index in self.images:
            return self.images[index]
        if index in self.building:
            st = self.df.stages[index]
            raise BuildError(
                f"circular dependency detected on stage: {st.display_name}",
                file=self.file,
                pos=st.from_.pos,
            )
        for i in self._plan(index):
            self.building.append(i)
            try:
                self.images[i] = self._build_stage(self.df.stages[i])
            finally:
                self.building.pop()
        return self.images[index]

    def _needs(self, index: int) -> list[int]:
        """The earlier stages stage ``index`` builds on: its base, then what it copies from."""
        stage = self.df.stages[index]
        out: list[int] = []
        parent = self.base_stage[index]
        if parent is not None:
            out.append(parent)
        for ref, _inst in self._from_refs(stage):
            if "$" in ref:
                continue
            dep = int(ref) if _is_index(ref) else self._stage_by_name(ref, stage.index)
            if dep is not None and dep < stage.index:
                out.append(dep)
        return out

    def _plan(self, index: int) -> list[int]:
        """Stages to build for ``index``, dependencies first (depth-first, in the order a
        stage names them). A stage's external base is resolved when the stage is first
        reached, before what it copies from is built, as a recursive build would."""
        order: list[int] = []
        seen = set(self.images) | set(self.building)
        stack: list[tuple[int, list[int]]] = []

        def reach(i: int) -> None:
            seen.add(i)
            if self.base_stage[i] is None:
                self.external_image(self.bases[i], self.df.stages[i].from_.pos)
            stack.append((i, self._needs(i)[::-1]))

        reach(index)
        while stack:
            i, todo = stack[-1]
            while todo and todo[-1] in seen:
                todo.pop()
            if todo:
                reach(todo.pop())
                continue
            stack.pop()
            order.append(i)
        return order

    def _base_image(self, st: Stage) -> Image:
        parent = self.base_stage[st.index]
        if parent is not None:
            return self.images[parent]  # built first (see _plan)
        return self.external_image(self.bases[st.index], st.from_.pos)

    def external_image(self, ref: str, pos: Position) -> Image:
        if ref == "scratch":
            return SCRATCH
        if ref in self.external:
            return self.external[ref]
        name = ref.split("@", 1)[0]
        repo = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
        if repo != repo.lower():
            raise BuildError(
                f'failed to parse stage name "{ref}": invalid reference format: repository '
                "name must be lowercase",
                file=self.file,
                pos=pos,
                hint="stage names are matched exactly in FROM; write the name in lower case",
            )
        try:
            image = self.resolve(ref)
        except EmuError as exc:
            raise exc.located(file=self.file, pos=pos) from None
        self.external[ref] = image
        return image

    def _build_stage(self, stage: Stage) -> Image:
        # What this stage builds on or copies from is built already (see _plan), as
        # BuildKit's graph runs it, so progress reads in dependency order.
        base = self._base_image(stage)
        config = base.config
        if config.get_env("PATH") is None:
            config = replace(config, env=(f"PATH={DEFAULT_PATH}", *config.env))
        triggers = config.on_build
        config = replace(config, on_build=())
        parent = self.base_stage[stage.index]
        # A stage built FROM another stage inherits its ARG values too, not just its ENV.
        variables = dict(self.final_vars[parent]) if parent is not None else config.env_dict()
        if config.get_env("PATH") is not None:
            variables.setdefault("PATH", config.get_env("PATH") or "")
        state = StageState(
            stage=stage,
            file=self.file,
            fs=base.rootfs.fs(),
            config=config,
            base=base,
            globals_=dict(self.globals),
            vars=variables,
            build_args=dict(self.opts.build_args),
            last_root=base.rootfs.root,
            source_date_epoch=self.opts.source_date_epoch,
            sources=_Sources(self),
            executor=self.executor,
        )
        self.states[stage.index] = state
        self.steps.append(StepEvent(stage.index, stage.from_.line, stage.from_.source))
        for trigger in triggers:
            for inst in self._parse_trigger(trigger, stage):
                self.steps.append(
                    StepEvent(stage.index, stage.from_.line, f"# ONBUILD {inst.source}")
                )
                dispatch(state, inst)
        for inst in stage.commands:
            self._check_time(inst)
            self.steps.append(StepEvent(stage.index, inst.line, inst.source))
            state.line, state.text = inst.line, inst.source
            dispatch(state, inst)
        self.final_vars[stage.index] = state.vars
        return state.image()

    def _check_time(self, inst: Instruction) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitError(
                f"limit exceeded: max_seconds ({self.opts.max_seconds}); the build was stopped",
                limit="max_seconds",
                file=self.file,
                pos=inst.pos,
            )

    def _parse_trigger(self, trigger: str, stage: Stage) -> list[Instruction]:
        try:
            parsed = parse(trigger, f"{self.file} (ONBUILD trigger of {self.bases[stage.index]})")
            return [convert(node) for node in parsed.nodes]
        except EmuError as exc:
            raise BuildError(
                f"ONBUILD trigger {trigger!r} of the base image failed: {exc.message}",
                file=self.file,
                pos=stage.from_.pos,
            ) from None


class _Sources:
    def __init__(self, build: _Build) -> None:
        self.build = build

    def context(self) -> Context:
        return self.build.ctx

    def from_ref(self, ref: str, st: StageState, pos: Position) -> tuple[int | None, Image]:
        b = self.build
        idx = st.stage.index
        if _is_index(ref):
            n = int(ref)
            if n >= idx:
                raise BuildError(f"invalid stage index {n}", file=b.file, pos=pos)
            return n, b.stage_image(n)
        found = b._stage_by_name(ref, idx)
        if found is not None:
            return found, b.stage_image(found)
        return None, b.external_image(ref, pos)

    def url_map(self) -> dict[str, bytes]:
        return dict(self.build.opts.url_map)

    def limits(self) -> Limits:
        from emu.sh.api import Limits

        b = self.build
        return fresh_limits(b.opts.limits or Limits(), b.deadline, b.opts.max_seconds or 0.0)

    def url(self, url: str, st: StageState, pos: Position) -> bytes:
        mapped = self.build.opts.url_map.get(url)
        if mapped is None:
            raise BuildError(
                f"cannot fetch {url}: emu never opens the network",
                file=self.build.file,
                pos=pos,
                hint=f"map it to a local file: --add-url {url}=PATH",
            )
        return mapped


def build(df: Dockerfile, ctx: Context, opts: BuildOptions | None = None) -> BuildResult:
    """Build ``df`` against ``ctx``; raises :class:`~emu.errors.BuildError` on failure."""
    return _Build(df, ctx, opts or BuildOptions()).run()


__all__ = ["SCRATCH", "BuildOptions", "BuildResult", "StageResult", "build"]
