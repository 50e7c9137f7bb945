"""What an IMAGE argument names: a stored image, a catalogued one, or a context to build.

Every command that looks into an image (ls, tree, cat, diff, explain, history, inspect,
report, run) takes the same IMAGE argument and resolves it the same way:

1. an existing directory is a build context: emu builds it now, in memory (``-f``,
   ``--target``, ``--build-arg`` and ``--permissive`` apply), and the whole build is known;
2. otherwise a name in the local store (``emu build -t``, ``emu load``), or an image ID
   prefix; an image stored by ``emu build -t`` brings its whole build along;
3. otherwise a name in emu's offline catalog (``nginx:alpine``, ``node:18``…).

``--stage NAME`` picks a stage of the build instead of the final image — a discarded
``builder`` stage too, which docker never keeps.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emu.cli._args import add_build_options
from emu.errors import EmuError, UsageError
from emu.records import field, record

if TYPE_CHECKING:
    from emu.engine.builder import BuildResult, StageResult
    from emu.images.image import Image
    from emu.store import StoredImage


@record(slots=True)
class Source:
    """A resolved IMAGE argument."""

    label: str  # how messages name it: "my-app:latest", "stage builder of my-app:latest"
    kind: str  # "store" | "catalog" | "context"
    image: Image
    result: BuildResult | None = None  # the whole build, when known
    stage: StageResult | None = None  # the stage picked with --stage
    stored: StoredImage | None = None
    run_outputs: tuple[Any, ...] = field(default=())
    image_id: str = ""

    @property
    def root_base(self) -> str:
        """The image at the root of the FROM chain ("" when unknown)."""
        if self.result is not None:
            from emu.teach.explain import root_base

            index = self.stage.index if self.stage is not None else self.result.target.index
            return root_base(self.result, index)
        if self.stored is not None:
            return self.stored.base
        return self.label if self.kind == "catalog" else ""


def add_source_options(
    p: argparse.ArgumentParser, *, stage: bool = True, short_file: bool = True
) -> None:
    """The options that say how to build IMAGE when it is a context directory."""
    g = p.add_argument_group("when IMAGE is a build context directory")
    flags = ("-f", "--file") if short_file else ("--file",)
    g.add_argument(
        *flags, metavar="DOCKERFILE", help="the Dockerfile (default: CONTEXT/Dockerfile)"
    )
    add_build_options(
        g,
        build_arg="a build-time variable",
        permissive="a program emu does not emulate becomes a warning, not an error",
    )
    if stage:
        p.add_argument(
            "--stage",
            metavar="NAME",
            help="look at this stage of the build (name or index) instead of the final image",
        )


def is_context(ref: str) -> bool:
    return Path(ref).is_dir()


def build_context(
    args: argparse.Namespace, context: str, *, observer: Any = None
) -> tuple[BuildResult, tuple[Any, ...]]:
    """Build ``context`` in memory as ``emu build`` would (nothing is stored); ``observer``
    is told each step (see :class:`emu.engine.state.BuildObserver`)."""
    from emu import store
    from emu.cli._files import read_text_file
    from emu.dockerfile.instructions import load
    from emu.engine.args import parse_build_args
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import from_directory
    from emu.engine.runexec import ShellExecutor

    dockerfile = getattr(args, "file", None)
    df_path = Path(dockerfile) if dockerfile else Path(context) / "Dockerfile"
    text, _ = read_text_file(str(df_path))
    name = dockerfile or "Dockerfile"
    executor = ShellExecutor(permissive=bool(getattr(args, "permissive", False)))
    try:
        df = load(text, name)
        result = build(
            df,
            from_directory(context, dockerfile=df_path),
            BuildOptions(
                executor=executor,
                resolve_image=store.resolve,
                target=getattr(args, "target", None),
                build_args=parse_build_args(getattr(args, "build_arg", None) or []),
                permissive=executor.permissive,
                observer=observer,
            ),
        )
    except EmuError as exc:
        if exc.file == name:
            exc.with_source(text)
        raise
    return result, tuple(executor.outputs)


def pick_stage(result: BuildResult, wanted: str) -> StageResult:
    """The stage named (or numbered) ``wanted``; it must have been built."""
    for st in result.stages:
        if st.name == wanted.lower() or (
            (wanted.isascii() and wanted.isdigit()) and st.index == int(wanted)
        ):
            if st.image is None:
                raise UsageError(
                    f"stage {st.name} was not built: {st.reason}",
                    hint="BuildKit skips what the target does not need; "
                    f"build it with --target {st.name}",
                )
            return st
    names = ", ".join(st.name for st in result.stages)
    raise UsageError(f"no stage {wanted!r} in this build", hint=f"its stages: {names}")


def resolve(
    ref: str, args: argparse.Namespace | None = None, *, need_build: bool = False
) -> Source:
    """Resolve an IMAGE argument (see the module docstring)."""
    from emu import store

    args = args or argparse.Namespace()
    wanted_stage: str | None = getattr(args, "stage", None)
    source: Source
    if is_context(ref):
        result, outputs = build_context(args, ref)
        source = Source(f"{ref} (built now)", "context", result.image, result, run_outputs=outputs)
    else:
        stored = store.entry(ref)
        if stored is not None:
            record = store.load_build(stored)
            if record is not None:
                source = Source(
                    stored.tag,
                    "store",
                    record.result.image,
                    record.result,
                    stored=stored,
                    run_outputs=record.run_outputs,
                    image_id=record.image_id,
                )
            else:
                source = Source(
                    stored.tag, "store", store.load_image(stored), stored=stored, image_id=stored.id
                )
        else:
            from emu.images import catalog

            try:
                image = catalog.lookup(ref)
            except EmuError as exc:
                raise UsageError(
                    f"No such image: {ref} ({exc.message})",
                    hint="name a stored image (`emu images`), a catalogued one, or a build "
                    "context directory",
                ) from None
            source = Source(catalog.familiar(ref) if ref != "scratch" else ref, "catalog", image)
    if (wanted_stage or need_build) and source.result is None:
        what = (
            "stored without its build (by emu load or emu tag)"
            if source.kind == "store"
            else "from the catalog"
        )
        raise UsageError(
            f"{source.label} is an image {what}: emu has no build to look into",
            hint="pass the build context directory instead (e.g. `emu explain ./app PATH`), "
            "or build it with `emu build -t NAME DIR` first",
        )
    if wanted_stage and source.result is not None:
        st = pick_stage(source.result, wanted_stage)
        assert st.image is not None
        source.stage = st
        source.image = st.image
        source.label = f"stage {st.name} of {source.label}"
    return source
