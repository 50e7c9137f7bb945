"""The build engine: plan the stages, resolve bases, run each reachable stage.

BuildKit builds only what the target needs: the target stage, the stages it is based on,
and every stage a ``COPY --from`` / ``RUN --mount from=`` (or an ONBUILD trigger) reaches —
every stage is still parsed and its references validated. ``builder="legacy"`` builds every
stage up to the target in order, as the classic builder did.
"""

from __future__ import annotations

import bisect
import gc
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from emu.dockerfile.instructions import (
    Add,
    Copy,
    Dockerfile,
    Instruction,
    Onbuild,
    Run,
    Stage,
    Workdir,
    convert,
    suggest,
)
from emu.dockerfile.parser import parse
from emu.engine import vertex
from emu.engine.args import Platform, evaluate_globals, platform_args
from emu.engine.cache import (
    FIRST_BUILD,
    CachedRun,
    CacheEntry,
    LayerCache,
    StepInputs,
    StepRecord,
    image_key,
    replay,
    run_changes,
)
from emu.engine.cache import explain as explain_miss
from emu.engine.context import Context
from emu.engine.dispatch import dispatch
from emu.engine.state import (
    BuildObserver,
    BuildPlan,
    CopyRecord,
    RunExecutor,
    Skipped,
    StageState,
    StepEvent,
    UnusedVar,
    fresh_limits,
)
from emu.errors import BuildError, EmuError, LimitExceeded
from emu.fs import Dir, Meta, Snapshot
from emu.images import display
from emu.images.image import DEFAULT_PATH, Image, ImageConfig
from emu.pos import Position
from emu.records import field, record
from emu.words import process_word

if TYPE_CHECKING:
    from emu.sh.api import Limits

ImageResolver = Callable[[str], Image]


@record(frozen=True, slots=True)
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
    # Unemulated programs become a warning and a no-op; an image the catalog does not model
    # becomes a generic stand-in with a warning (emu.images.catalog.fallback).
    permissive: bool = False
    # The layer cache (None: every step runs, nothing is kept: a hermetic build), and
    # docker build's --no-cache / --no-cache-filter STAGE,...
    cache: LayerCache | None = None
    no_cache: bool = False
    no_cache_filter: tuple[str, ...] = ()
    # Names this build for the cache's memory of "the last build", so a miss can say what
    # changed since (default: the Dockerfile's name and the target).
    cache_ident: str = ""
    observer: BuildObserver | None = None  # told about each step as it happens


@record(frozen=True, slots=True)
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
    skipped: tuple[Skipped, ...] = ()  # what --permissive skipped or replaced
    base_notes: tuple[str, ...] = ()  # what to know about an external base (see Image.notes)
    # The final stage, or a stage in its FROM chain (``FROM builder``, ``FROM ${BASE}``): its
    # layers are the first layers of the final image, so it is built but not discarded.
    in_final: bool = False

    @property
    def built(self) -> bool:
        return self.image is not None

    # In a REPL and in Jupyter: what became of the stage, and its files (emu.images.display).
    def __repr__(self) -> str:
        return display.text(self)

    def _repr_html_(self) -> str | None:
        return display.html(self)


@record(frozen=True, slots=True)
class BuildResult:
    """The final image and every stage's fate."""

    image: Image
    target: StageResult
    stages: tuple[StageResult, ...]
    dockerfile: Dockerfile
    context: Context
    steps: tuple[StepEvent, ...] = ()
    # The notes of every external image the build used (FROM and COPY --from), in order:
    # an unverified digest, a --permissive stand-in, a mirror read as the official image.
    warnings: tuple[str, ...] = ()

    @property
    def total_instructions(self) -> int:
        return sum(1 + len(s.commands) for s in self.dockerfile.stages)

    @property
    def discarded(self) -> tuple[StageResult, ...]:
        return tuple(s for s in self.stages if s.status == "built" and not s.in_final)

    @property
    def skipped(self) -> tuple[StageResult, ...]:
        return tuple(s for s in self.stages if s.status == "skipped")

    # In a REPL: one line; in Jupyter: the summary, the stage graph and the final image's
    # tree (emu.images.display), instead of every field of every stage.
    def __repr__(self) -> str:
        return display.text(self)

    def _repr_html_(self) -> str | None:
        return display.html(self)


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
    return ref.isascii() and ref.isdigit()


def from_refs(instructions: Iterable[Instruction]) -> list[tuple[str, Instruction]]:
    """What these instructions copy or mount from (``COPY --from``, ``RUN --mount from=``),
    as written, with the instruction that names it."""
    out: list[tuple[str, Instruction]] = []
    for inst in instructions:
        if isinstance(inst, Copy) and inst.from_:
            out.append((inst.from_, inst))
        elif isinstance(inst, Run):
            for mount in inst.mounts:
                for part in mount.split(","):
                    key, _, value = part.partition("=")
                    if key.strip() == "from" and value.strip():
                        out.append((value.strip(), inst))
    return out


def stage_refs(stage: Stage) -> list[tuple[str, Instruction]]:
    """:func:`from_refs` of a stage's commands, found once per stage (do not change the
    list: it is shared)."""
    return stage.derived("from_refs", lambda st: from_refs(st.commands))


def stage_triggers(df: Dockerfile, parent: int | None) -> list[tuple[Onbuild, Instruction]]:
    """The ONBUILD triggers stage ``parent`` leaves to a stage built FROM it: each ONBUILD
    with the instruction it wraps, placed where the ONBUILD is written. (A stage's image
    keeps only its own ONBUILDs: those of its base ran in it.)"""
    if parent is None:
        return []
    return [(c, c.trigger()) for c in df.stages[parent].commands if isinstance(c, Onbuild)]


class _Build:
    def __init__(self, df: Dockerfile, ctx: Context, opts: BuildOptions) -> None:
        self.df = df
        self._by_name: dict[str, list[int]] = {}
        for stage in df.stages:
            if stage.name:
                self._by_name.setdefault(stage.name, []).append(stage.index)
        self.ctx = ctx
        self.opts = opts
        self.file = df.file
        # Whether step names carry the stage: a property of the whole Dockerfile, asked at
        # every step, so found once (scanning per step made long Dockerfiles quadratic).
        self._named: bool | None = None
        self.gc_paused = False  # see build()
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
        # BuildKit's steps: each stage's chain of cache keys, its step counter, what this
        # build recorded for the cache and what the last build with the same name did.
        self.chain: dict[int, str] = {}
        self.counters: dict[int, int] = {}
        self.totals: dict[int, int] = {}
        self.records: list[StepRecord] = []
        self.previous: dict[tuple[str, int], StepRecord] = {}
        self.had_previous = False
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
        indexes = self._by_name.get(wanted, ())
        i = bisect.bisect_left(indexes, before)  # the stages so named, in order
        return indexes[i - 1] if i else None

    def _from_refs(self, stage: Stage) -> list[tuple[str, Instruction]]:
        return stage_refs(stage)

    def _stage_dep(self, ref: str, index: int) -> int | None:
        """The earlier stage a ``--from`` of stage ``index`` names (None: an image, or a
        reference to expand first)."""
        if "$" in ref:
            return None
        dep = int(ref) if _is_index(ref) else self._stage_by_name(ref, index)
        return dep if dep is not None and dep < index else None

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
                later = [stages[i] for i in self._by_name.get(wanted, ()) if i > st.index]
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
            value = process_word(st.base, self.globals, escape=self.df.parsed.escape).value
        except EmuError as exc:
            prefix = f'failed to process "{st.base}": '
            raise exc.as_build_failure(
                self.file, st.from_.pos, prefix=prefix, replace=True
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
        cache = self.opts.cache
        ident = self.opts.cache_ident or f"{self.file}\0{self.opts.target or ''}"
        if cache is not None:
            last = cache.last_build(ident)
            self.had_previous = bool(last)
            self.previous = {(r.stage, r.index): r for r in last}
        if self.opts.observer is not None:
            self.opts.observer.planned(self._plan())
        try:
            if self.opts.builder == "legacy":
                for i in range(self.target + 1):
                    self.stage_image(i)
            else:
                self.stage_image(self.target)
        finally:
            if cache is not None:
                cache.remember_build(ident, tuple(self.records))
        results = []
        chain = self._final_chain()
        for st in self.df.stages:
            image = self.images.get(st.index)
            state = self.states.get(st.index)
            if st.index == self.target:
                status, reason = (
                    "final",
                    "the target stage" if self.opts.target else "the last stage",
                )
            elif image is not None and st.index in chain:
                status = "built"
                reason = (
                    f"the base of stage {self.df.stages[self.target].display_name}: "
                    "its layers are the first layers of the final image"
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
                    skipped=tuple(state.skipped) if state else (),
                    base_stage=self.base_stage[st.index],
                    base_notes=self._base_notes(st.index),
                    in_final=st.index in chain,
                )
            )
        final = results[self.target]
        assert final.image is not None
        warnings = tuple(dict.fromkeys(n for img in self.external.values() for n in img.notes))
        return BuildResult(
            final.image, final, tuple(results), self.df, self.ctx, tuple(self.steps), warnings
        )

    def _final_chain(self) -> set[int]:
        """The target and the stages its FROM chain goes through."""
        chain: set[int] = set()
        i: int | None = self.target
        while i is not None and i not in chain:
            chain.add(i)
            i = self.base_stage[i]
        return chain

    def _base_notes(self, index: int) -> tuple[str, ...]:
        if self.base_stage[index] is not None or index not in self.images:
            return ()
        image = self.external.get(self.bases[index])
        return image.notes if image is not None else ()

    def _needed(self) -> list[int]:
        """The stages this build builds (BuildKit: what the target reaches)."""
        if self.opts.builder == "legacy":
            return list(range(self.target + 1))
        seen: set[int] = set()
        todo = [self.target]
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            st = self.df.stages[i]
            parent = self.base_stage[i]
            if parent is not None:
                todo.append(parent)
            # The triggers a stage base leaves run here, and reach what they name (current
            # BuildKit; Docker 20.10's frontend missed those: golden case 49c).
            triggers = [inst for _ob, inst in self._stage_triggers(i)]
            for ref, _inst in from_refs([*st.commands, *triggers]):
                dep = self._stage_dep(ref, i)
                if dep is not None:
                    todo.append(dep)
        return sorted(seen)

    def _stage_triggers(self, index: int) -> list[tuple[Onbuild, Instruction]]:
        """The triggers stage ``index``'s stage base leaves it ([] for an image base, whose
        triggers are known once it is resolved, or for a trigger that does not parse: the
        build reports that at the FROM)."""
        try:
            return stage_triggers(self.df, self.base_stage[index])
        except EmuError:
            return []

    def _plan(self) -> BuildPlan:
        needed = self._needed()
        images: list[str] = []
        for i in needed:
            st = self.df.stages[i]
            refs = [] if self.base_stage[i] is not None else [self.bases[i]]
            for ref, _inst in self._from_refs(st):
                if "$" in ref or _is_index(ref) or self._stage_by_name(ref, i) is not None:
                    continue
                refs.append(ref)
            images.extend(r for r in refs if r != "scratch" and r not in images)
        return BuildPlan(
            stages=tuple(s.display_name for s in self.df.stages),
            bases=tuple(self.bases[s.index] for s in self.df.stages),
            needed=tuple(needed),
            images=tuple(images),
            cache=self.opts.cache is not None,
        )

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
        for i in self._build_order(index):
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

    def _build_order(self, index: int) -> list[int]:
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
            return self.images[parent]  # built first (see _build_order)
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
        from emu.images import catalog

        try:
            image = self.resolve(ref)
        except catalog.InvalidReferenceError as exc:
            # BuildKit's wording (dockerfile2llb: `failed to parse stage name %q: %w`).
            raise exc.located(
                self.file, pos, prefix=f'failed to parse stage name "{ref}": '
            ) from None
        except catalog.RefusedImageError as exc:
            raise exc.located(self.file, pos) from None
        except catalog.UnknownImageError as exc:
            if not self.opts.permissive:
                raise exc.located(self.file, pos) from None
            image = catalog.fallback(ref)
        except EmuError as exc:
            raise exc.located(self.file, pos) from None
        self.external[ref] = image
        return image

    def _build_stage(self, stage: Stage) -> Image:
        # What this stage builds on or copies from is built already (see _plan), as
        # BuildKit's graph runs it, so progress reads in dependency order.
        base = self._base_image(stage)
        triggers = self._triggers(stage, base.config.on_build)
        # Build the stages this one (or a trigger of its base) copies from first, as
        # BuildKit's graph does, so that progress reads in dependency order.
        refs = stage_refs(stage)
        if triggers:
            refs = [*from_refs(t.inst for t in triggers), *refs]
        for ref, _inst in refs:
            dep = self._stage_dep(ref, stage.index)
            if dep is not None:
                self.stage_image(dep)
        config = base.config
        if config.get_env("PATH") is None:
            config = config.changed(env=(f"PATH={DEFAULT_PATH}", *config.env))
        if config.on_build:
            config = config.changed(on_build=())
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
            escape=self.df.parsed.escape,
        )
        self.states[stage.index] = state
        self._start_stage(stage, base, len(triggers))
        for trigger in triggers:
            self._check_time(stage.from_)
            # What the trigger's layer, copy and step cite: the ONBUILD line of a stage
            # base, or for an image's trigger the FROM that brought it in.
            state.line, state.text, state.trigger = trigger.line, trigger.text, trigger.of
            try:
                self._step_collected(state, trigger.inst, onbuild=True)
            except EmuError as exc:
                if trigger.placed:
                    raise
                failed = _trigger_failed(trigger.text.removeprefix("ONBUILD "))
                raise exc.as_build_failure(
                    self.file, stage.from_.pos, prefix=failed, replace=True
                ) from None
        state.trigger = ""
        for inst in stage.commands:
            self._check_time(inst)
            state.line, state.text = inst.line, inst.source
            self._step_collected(state, inst)
        self.final_vars[stage.index] = state.vars
        return state.image()

    # --- BuildKit's steps: progress events and the layer cache ----------------------------

    def _start_stage(self, stage: Stage, base: Image, triggers: int) -> None:
        i = stage.index
        parent = self.base_stage[i]
        ref = self.bases[i]
        self.totals[i] = vertex.stage_total(self.df, i, parent is not None) + triggers
        self.counters[i] = 0
        if parent is not None:
            self.chain[i] = self.chain.get(parent, "")
        elif ref == "scratch":
            self.chain[i] = "scratch"
        else:
            self.chain[i] = (
                image_key(ref, base.rootfs.root, base.config) if self.opts.cache else ref
            )
        if parent is None and ref != "scratch":
            self.counters[i] = 1
            name = self._prefix(stage, 1) + vertex.from_text(ref)
            event = StepEvent(
                i, stage.from_.line, stage.from_.source, name, "from", key=self.chain[i]
            )
        else:
            event = StepEvent(i, stage.from_.line, stage.from_.source)
        self._announce(event)
        self.steps.append(event)
        if self.opts.observer is not None:
            self.opts.observer.step_finished(event)

    def _prefix(self, stage: Stage, n: int, onbuild: bool = False) -> str:
        if self._named is None:
            self._named = vertex.named_stages(self.df)
        label = stage.display_name if self._named else ""
        return vertex.prefix(label, n, self.totals[stage.index], onbuild)

    def _announce(self, event: StepEvent) -> None:
        if self.opts.observer is not None:
            self.opts.observer.step_started(event)

    def _use_cache(self, stage: Stage) -> str:
        """Why this stage may not use the cache ("" when it may)."""
        if self.opts.no_cache:
            return "--no-cache"
        wanted = {n.lower() for n in self.opts.no_cache_filter}
        if stage.name and stage.name in wanted:
            return f"--no-cache-filter {stage.name}"
        return ""

    def _outputs(self) -> list[object]:
        outputs = getattr(self.executor, "outputs", None)
        return outputs if isinstance(outputs, list) else []

    def _step_collected(self, st: StageState, inst: Instruction, onbuild: bool = False) -> None:
        """``_step``; a RUN with the garbage collector on, if the build paused it (a script
        can make reference cycles: a loop of them must not grow memory unboundedly)."""
        if not (self.gc_paused and isinstance(inst, Run)):
            self._step(st, inst, onbuild)
            return
        gc.enable()
        try:
            self._step(st, inst, onbuild)
        finally:
            gc.disable()

    def _step(self, st: StageState, inst: Instruction, onbuild: bool = False) -> None:
        stage = st.stage
        i = stage.index
        kind = vertex.kind(inst)
        if (
            isinstance(inst, Workdir)
            and vertex.may_be_root(inst)
            and vertex.workdir_path(st, inst) == "/"
        ):
            kind = ""  # BuildKit makes no step for WORKDIR / (but still counts it)
        text = f"# ONBUILD {inst.source}" if onbuild else inst.source
        name = ""
        if kind:
            self.counters[i] += 1
            name = self._prefix(stage, self.counters[i], onbuild) + vertex.text(st, inst)
        line = st.line if onbuild else inst.line
        observer = self.opts.observer
        if observer is not None:
            observer.step_started(StepEvent(i, line, text, vertex=name, kind=kind))
        started = time.monotonic()
        ran = len(self._outputs())
        cache = self.opts.cache
        inputs: StepInputs | None = None
        cached = False
        try:
            if isinstance(inst, Run) and cache is not None:
                from emu.engine.steps.run import command

                inputs = vertex.run_inputs(st, inst, command(st, inst), self.chain[i])
                entry = None if self._use_cache(stage) else cache.get(inputs.key)
                forgave = getattr(entry.run, "forgiven", ()) if entry and entry.run else ()
                if (
                    entry is not None
                    and entry.run is not None
                    and forgave
                    and not (self.opts.permissive)
                ):
                    entry = None  # a result --permissive made: a strict build runs the RUN
                if entry is not None and entry.run is not None:
                    saved = st.executor
                    st.executor = _Replay(entry.run)
                    try:
                        dispatch(st, inst)
                    finally:
                        st.executor = saved
                    cached = True
                else:
                    before = len(st.skipped)
                    dispatch(st, inst)
                    kept = self._kept_run(st, ran, tuple(st.skipped[before:]))
                    cache.put(CacheEntry(inputs.key, name, kept))
            else:
                dispatch(st, inst)
                if cache is not None and kind:
                    inputs = self._inputs_after(st, inst, kind)
                    cached = not self._use_cache(stage) and cache.get(inputs.key) is not None
                    if not cached:
                        cache.put(CacheEntry(inputs.key, name))
        except EmuError as exc:
            failed = StepEvent(
                i,
                line,
                text,
                vertex=name,
                kind=kind,
                seconds=time.monotonic() - started,
                error=exc.message,
                output=self._printed(ran),
            )
            self.steps.append(failed)
            if observer is not None:
                observer.step_finished(failed)
            raise
        why = ""
        if inputs is not None:
            self.chain[i] = inputs.key
            n = self.counters[i]
            self.records.append(StepRecord(stage.display_name, n, name, inputs))
            if not cached:
                why = self._why(stage, n, vertex.text(st, inst), inputs)
        done = StepEvent(  # (not dataclasses.replace: this runs once per instruction)
            i,
            line,
            text,
            vertex=name,
            kind=kind,
            cached=cached,
            why=why,
            seconds=time.monotonic() - started,
            output=b"" if cached else self._printed(ran),
            key=inputs.key if inputs is not None else "",
        )
        self.steps.append(done)
        if observer is not None:
            observer.step_finished(done)

    def _inputs_after(self, st: StageState, inst: Instruction, kind: str) -> StepInputs:
        parent = self.chain[st.stage.index]
        if isinstance(inst, Copy | Add):
            record = st.copies[-1] if st.copies and st.copies[-1].line == inst.line else None
            return vertex.copy_inputs(st, inst, record, parent)
        return vertex.workdir_inputs(st, st.config.working_dir or "/", parent)

    def _printed(self, ran: int) -> bytes:
        outputs = self._outputs()
        if len(outputs) == ran:
            return b""  # (every step but a RUN)
        return b"".join(
            getattr(o, "stdout", b"") + getattr(o, "stderr", b"") for o in outputs[ran:]
        )

    def _kept_run(self, st: StageState, ran: int, forgiven: tuple[Skipped, ...]) -> CachedRun:
        new = self._outputs()[ran:]
        layer = st.layers[-1]
        return CachedRun(
            run_changes(layer.changes()),
            b"".join(getattr(o, "stdout", b"") for o in new),
            b"".join(getattr(o, "stderr", b"") for o in new),
            forgiven,
        )

    def _why(self, stage: Stage, n: int, text: str, inputs: StepInputs) -> str:
        off = self._use_cache(stage)
        if off:
            return off
        if not self.had_previous:
            return FIRST_BUILD
        before = self.previous.get((stage.display_name, n))
        return explain_miss(text, inputs, before.inputs if before else None)

    def _check_time(self, inst: Instruction) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            stopped = "the build was stopped"
            limit = LimitExceeded("max_seconds", self.opts.max_seconds, stopped=stopped)
            raise limit.located(self.file, inst.pos)

    def _triggers(self, stage: Stage, on_build: tuple[str, ...]) -> list[_Trigger]:
        """The ONBUILD triggers of ``stage``'s base, parsed, each with what it cites.

        A stage base's triggers are its own ONBUILD instructions, so they are placed where
        those are written (their errors too); an image's are parsed from its config and
        cite the FROM that brought them in.
        """
        index = stage.index
        parent = self.base_stage[index]
        of = (
            f"stage {self.df.stages[parent].display_name}"
            if parent is not None
            else f"image {self.bases[index]}"
        )
        own = [] if parent is None else self.df.stages[parent].commands
        onbuilds = [c for c in own if isinstance(c, Onbuild)]
        placed = tuple(ob.expression for ob in onbuilds) == on_build and parent is not None
        out: list[_Trigger] = []
        name = f"{self.file} (ONBUILD trigger of {self.bases[index]})"
        for k, trigger in enumerate(on_build):
            try:
                if placed:
                    ob = onbuilds[k]
                    out.append(_Trigger(ob.trigger(), ob.line, ob.source, of, placed=True))
                    continue
                for node in parse(trigger, name).nodes:
                    inst = convert(node)
                    out.append(_Trigger(inst, stage.from_.line, f"ONBUILD {trigger}", of))
            except EmuError as exc:
                # Reported at the FROM that brought the trigger in, not inside its text.
                raise exc.as_build_failure(
                    self.file, stage.from_.pos, prefix=_trigger_failed(trigger), replace=True
                ) from None
        return out


def _trigger_failed(trigger: str) -> str:
    return f"ONBUILD trigger {trigger!r} of the base image failed: "


@record(frozen=True, slots=True)
class _Trigger:
    """An ONBUILD trigger about to run in a stage, and what its step, layer and copy cite."""

    inst: Instruction
    line: int  # the ONBUILD's line (a stage base) or the FROM's (an image base)
    text: str  # ``ONBUILD COPY …``
    of: str  # whose trigger it is: "stage NAME" or "image REF"
    placed: bool = False  # its positions point into this Dockerfile already


class _Replay:
    """Answers a cached RUN: applies what it changed when it ran, runs nothing."""

    def __init__(self, run: CachedRun) -> None:
        self.cached = run

    def run(self, st: StageState, inst: Run, argv: tuple[str, ...], env: dict[str, str]) -> None:
        replay(st.fs, self.cached.changes)
        st.skipped.extend(  # what --permissive forgave when it ran, forgiven again
            r for r in getattr(self.cached, "forgiven", ()) if isinstance(r, Skipped)
        )


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
        try:
            return None, b.external_image(ref, pos)
        except EmuError:
            # A plain name close to a stage's is a typo of the stage, not an image.
            names = [s.name for s in b.df.stages[:idx] if s.name]
            close = suggest(ref, names) if not any(c in ref for c in ":/@") else ""
            if not close:
                raise
            raise BuildError(
                f"--from={ref}: no stage is named {ref!r}, so BuildKit looks for the image "
                f"{ref}:latest, and there is none",
                file=b.file,
                pos=pos,
                hint=f"did you mean the stage {close}? write --from={close}",
            ) from None

    def url_map(self) -> dict[str, bytes]:
        return dict(self.build.opts.url_map)

    def forgave(self, index: int) -> tuple[Skipped, ...]:
        """What --permissive skipped in stage ``index`` and the stages it is built FROM
        (nothing in a strict build)."""
        if not self.build.opts.permissive:
            return ()
        out: list[Skipped] = []
        seen: set[int] = set()
        at: int | None = index
        while at is not None and at not in seen:
            seen.add(at)
            state = self.build.states.get(at)
            if state is not None:
                out.extend(state.skipped)
            at = self.build.base_stage.get(at)
        return tuple(out)

    def limits(self) -> Limits:
        from emu.sh.api import Limits

        b = self.build
        return fresh_limits(b.opts.limits or Limits(), b.deadline, b.opts.max_seconds or 0.0)

    def url(self, url: str, st: StageState, pos: Position) -> bytes:
        mapped = self.build.opts.url_map.get(url)
        if mapped is None and self.build.opts.permissive:
            # --permissive: a marked placeholder where the download would land
            from emu.sh import permissive

            st.skipped.append(Skipped(pos.line, "download", url))
            return permissive.content(url)
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
    b = _Build(df, ctx, opts or BuildOptions())
    # A long Dockerfile's layers, configs and records all live until the build ends, and
    # the garbage collector walks the whole process again each time enough of them have
    # been made: half of a 10,000-instruction build, and superlinear. The engine makes no
    # reference cycles (a RUN's script may: RUN steps run with it on), so it is paused for
    # such a build, and is back as it was when the build ends or fails.
    b.gc_paused = sum(len(st.commands) for st in df.stages) >= _PAUSE_GC_FROM and gc.isenabled()
    if b.gc_paused:
        gc.disable()
    try:
        return b.run()
    finally:
        if b.gc_paused:
            gc.enable()
        # Each stage's state reaches back to the build (its sources): break that cycle, so
        # what the build leaves behind is freed at once, not by a full garbage collection
        # (which, a thousand builds later, walks every object of the process).
        for state in b.states.values():
            state.sources = None


_PAUSE_GC_FROM = 1000  # instructions


__all__ = ["SCRATCH", "BuildOptions", "BuildResult", "StageResult", "build"]
