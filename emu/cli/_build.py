"""``emu build``: docker build's flags, BuildKit's semantics, a summary that explains."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from emu.cli._args import add_format, command
from emu.cli._console import err, out
from emu.errors import BuildError, EmuError, UsageError

if TYPE_CHECKING:
    from emu.cli._args import Subparsers
    from emu.images.image import Image


def add_parsers(sub: Subparsers) -> None:
    b = command(
        sub,
        "build",
        "build an image from a Dockerfile (like docker build)",
        "emu build -t my-app examples/multistage-demo",
        "emu build --progress plain --report report.html -t my-app .",
        "emu build -o type=tar,dest=rootfs.tar .",
        run=run,
    )
    b.add_argument(
        "context", metavar="CONTEXT", help="the build context directory, or - for a tar on stdin"
    )
    b.add_argument("-f", "--file", help="the Dockerfile (default: CONTEXT/Dockerfile)")
    b.add_argument("-t", "--tag", action="append", help="name and optionally a tag (name:tag)")
    b.add_argument("--target", help="the stage to build")
    b.add_argument(
        "--build-arg", action="append", metavar="KEY=VALUE", help="set a build-time variable"
    )
    b.add_argument(
        "-o",
        "--output",
        action="append",
        metavar="type=TYPE,dest=PATH",
        help="type=local|tar|oci|docker with dest=PATH",
    )
    b.add_argument(
        "--progress",
        choices=("auto", "plain", "quiet"),
        default="auto",
        help="auto: a live view on a terminal, plain lines otherwise (also with NO_COLOR "
        "honoured); quiet: only the image ID",
    )
    b.add_argument(
        "-q",
        "--quiet",
        dest="progress",
        action="store_const",
        const="quiet",
        help="same as --progress quiet: print only the image ID",
    )
    b.add_argument("--platform", help="the target platform (default linux/amd64)")
    b.add_argument(
        "--builder",
        choices=("buildkit", "legacy"),
        default="buildkit",
        help="legacy builds every stage up to the target, as the classic builder did",
    )
    b.add_argument(
        "--permissive",
        action="store_true",
        help="a program emu does not emulate becomes a warning and a no-op instead of an error",
    )
    b.add_argument(
        "--tools",
        action="append",
        metavar="FILE",
        help="YAML declaring extra program models (format in emu/sh/tools/user.py)",
    )
    b.add_argument(
        "--add-url",
        action="append",
        metavar="URL=FILE",
        help="serve an ADD <URL> from a local file (emu never opens the network)",
    )
    b.add_argument(
        "--sandbox",
        action="store_true",
        help="treat the context as untrusted, as emu grade does: refuse hard links to files "
        "outside it and paths too long to read; FROM sees emu's catalog only",
    )
    b.add_argument("--report", metavar="FILE", help="also write the HTML build report to FILE")
    add_format(b)


OUTPUT_TYPES = ("local", "tar", "oci", "docker")


@dataclass(frozen=True, slots=True)
class OutputSpec:
    type: str
    dest: str


def parse_output(text: str) -> OutputSpec:
    """``type=local,dest=DIR`` (docker's CSV form); a bare path means type=local."""
    if "=" not in text and "," not in text:
        return OutputSpec("local", text)
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq:
            raise BuildError(
                f"invalid --output {text!r}: {part!r} is not key=value",
                hint="write --output type=local,dest=DIR (or tar, oci, docker)",
            )
        fields[key.strip()] = value.strip()
    kind = fields.get("type", "")
    if kind not in OUTPUT_TYPES:
        raise BuildError(
            f"invalid --output {text!r}: unsupported type {kind!r}",
            hint="types: " + ", ".join(OUTPUT_TYPES),
        )
    dest = fields.get("dest", "")
    if not dest:
        raise BuildError(
            f"invalid --output {text!r}: dest is required",
            hint=f"write --output type={kind},dest=PATH",
        )
    return OutputSpec(kind, dest)


def _dockerfile_path(args: argparse.Namespace, context: str) -> Path | None:
    if args.file == "-":
        return None
    if args.file:
        return Path(args.file)
    if context == "-":
        return None
    return Path(context) / "Dockerfile"


def run(args: argparse.Namespace) -> int:
    from emu import store
    from emu.cli._files import read_text_file
    from emu.dockerfile.instructions import load
    from emu.engine.args import Platform, parse_build_args
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import Context, from_directory, from_tar

    outputs = [parse_output(o) for o in args.output or []]
    if len(outputs) > 1:
        raise BuildError("only one --output is supported", hint="build twice for two outputs")
    build_args = parse_build_args(args.build_arg or [])
    url_map: dict[str, bytes] = {}
    for item in args.add_url or []:
        url, eq, path = item.partition("=")
        if not eq:
            raise UsageError(f"invalid --add-url {item!r}", hint="write --add-url URL=FILE")
        try:
            url_map[url] = Path(path).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {path} for --add-url: {exc.strerror}") from None

    context_arg = args.context
    df_path = _dockerfile_path(args, context_arg)
    ctx: Context
    if context_arg == "-":
        ctx, df_bytes = from_tar(sys.stdin.buffer, dockerfile_name=args.file or "Dockerfile")
        text = df_bytes.decode("utf-8", "surrogateescape")
        name = args.file or "Dockerfile"
        if args.file and args.file != "-" and Path(args.file).is_file():
            text, name = read_text_file(args.file)
    else:
        if not Path(context_arg).is_dir():
            raise UsageError(
                f"unable to prepare context: path {context_arg!r} not found",
                hint="pass the build context directory (or - to read a tar from stdin)",
            )
        if df_path is None:
            text, name = read_text_file("-")
        else:
            text, name = read_text_file(str(df_path), nofollow=args.file is None)
            name = "Dockerfile" if args.file is None else args.file
        if getattr(args, "sandbox", False):
            from emu.grading.sandbox import count_folder

            count_folder(context_arg, None)  # hard links out, over-long paths: refused
        ctx = from_directory(context_arg, dockerfile=df_path)

    for tools_file in args.tools or []:
        _register_tools(tools_file)
    from emu.engine.runexec import ShellExecutor

    executor = ShellExecutor(permissive=args.permissive)
    progress = progress_mode(args.progress)
    console = err()
    try:
        df = load(text, name)
        resolver = store.resolve
        if getattr(args, "sandbox", False):
            from emu.grading.sandbox import catalog_only

            resolver = catalog_only
        opts = BuildOptions(
            executor=executor,
            resolve_image=resolver,
            target=args.target,
            build_args=build_args,
            platform=Platform.parse(args.platform) if args.platform else Platform(),
            builder=args.builder,
            url_map=url_map,
            source_date_epoch=_source_date_epoch(build_args),
        )
        if progress == "tty":
            with console.status("[bold]Building…", spinner="dots") as status:
                live = _LiveExecutor(executor, status)
                result = build(
                    df,
                    ctx,
                    replace(opts, executor=live, resolve_image=_live_resolver(status, resolver)),
                )
        else:
            result = build(df, ctx, opts)
    except EmuError as exc:
        if exc.file == name:
            exc.with_source(text)
        raise

    from emu.cli._summary import summarize

    summary = summarize(result)
    fmt = getattr(args, "format", "text")
    if progress != "quiet":
        _report(result, summary, executor)
    if outputs:
        _write_output(result, outputs[0], opts.source_date_epoch, tuple(args.tag or ()))
    from emu import store

    image_id = store.image_id(result.image)
    saved: list[str] = []
    if args.tag:
        record = store.BuildRecord(result, image_id, tuple(executor.outputs))
        saved = store.save_many(args.tag, result.image, build=record, known_id=image_id)
    report_file = getattr(args, "report", None)
    if report_file:
        from emu.cli._report import write_html

        write_html(
            report_file,
            result,
            summary,
            image_id=image_id,
            tags=saved,
            run_outputs=tuple(executor.outputs),
        )
    if progress != "quiet":
        from rich.text import Text

        console.print(Text(f"Successfully built {image_id.removeprefix('sha256:')[:12]}"))
        for tag in saved:
            console.print(Text(f"Successfully tagged {tag}"))
        if report_file:
            console.print(Text(f"Wrote the build report to {report_file}", style="dim"))
    if fmt == "json":
        import json

        from emu.cli._console import write

        data = {"id": image_id, "tags": saved, **summary.as_json()}
        write(json.dumps(data, indent=2) + "\n")
    elif progress == "quiet":
        out().out(image_id)
    return 0


def progress_mode(requested: str) -> str:
    """``tty`` (a live view), ``plain`` or ``quiet``: auto is tty only on a terminal."""
    if requested == "auto":
        return "tty" if err().is_terminal and not err().is_dumb_terminal else "plain"
    return requested


class _LiveExecutor:
    """Runs RUN through the real executor, showing each one in the live status line."""

    def __init__(self, inner: object, status: object) -> None:
        self.inner = inner
        self.status = status

    def run(self, st: object, inst: object, argv: tuple[str, ...], env: dict[str, str]) -> None:
        from emu.dockerfile.instructions import Run
        from emu.engine.runexec import ShellExecutor
        from emu.engine.state import StageState

        assert isinstance(self.inner, ShellExecutor) and isinstance(st, StageState)
        assert isinstance(inst, Run)
        update = getattr(self.status, "update", None)
        if update is not None:
            text = inst.source if len(inst.source) < 60 else inst.source[:59] + "…"
            update(f"[bold]Building…[/] [cyan]\\[{st.stage.display_name}][/] {_escape(text)}")
        self.inner.run(st, inst, argv, env)


def _live_resolver(status: object, inner: Callable[[str], Image]) -> Callable[[str], Image]:
    """The engine's resolver (the local store, then the catalog; the catalog alone with
    --sandbox), shown in the live view."""

    def resolve(ref: str) -> Image:
        update = getattr(status, "update", None)
        if update is not None:
            update(f"[bold]Building…[/] [cyan]FROM[/] {_escape(ref)}")
        return inner(ref)

    return resolve


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _source_date_epoch(build_args: dict[str, str | None]) -> int | None:
    value = build_args.get("SOURCE_DATE_EPOCH") or os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"invalid SOURCE_DATE_EPOCH {value!r}: not a number") from None


def _write_output(
    result: object, spec: OutputSpec, epoch: int | None, tags: tuple[str, ...]
) -> None:
    from emu import outputs
    from emu.engine.builder import BuildResult

    assert isinstance(result, BuildResult)
    image = result.image
    if spec.type == "local":
        for note in outputs.write_local(image.rootfs, spec.dest):
            err().print(f"note: {note}", markup=False, highlight=False)
        return
    target: outputs.Dest = sys.stdout.buffer if spec.dest == "-" else spec.dest
    # The writers take a path (written to a temporary file, then renamed: a failure leaves
    # nothing behind) or an open binary stream.
    if spec.type == "tar":
        outputs.write_rootfs_tar(image.rootfs, target, source_date_epoch=epoch)
    elif spec.type == "docker":
        outputs.write_docker_archive(image, target, tags=tags, source_date_epoch=epoch)
    else:
        outputs.write_oci_archive(image, target, tags=tags, source_date_epoch=epoch)


def _report(result: object, summary: object, executor: object) -> None:
    """Each step as docker's classic builder numbers it, then the summary."""
    from rich.text import Text

    from emu.cli._fmt import human_size
    from emu.cli._summary import Summary, compressed_size, print_summary, step_numbers
    from emu.engine.builder import BuildResult
    from emu.engine.runexec import ShellExecutor

    assert isinstance(result, BuildResult) and isinstance(executor, ShellExecutor)
    assert isinstance(summary, Summary)
    console = err()
    total = result.total_instructions
    numbers = step_numbers(result.dockerfile)
    by_line = {o.line: o for o in executor.outputs}
    layer_size = {
        (layer.stage, layer.line): layer.size for st in summary.stages for layer in st.layers
    }
    froms = {st.from_.line: st.index for st in result.dockerfile.stages}
    for step in result.steps:
        if step.text.startswith("# ONBUILD "):
            console.print(Text(f" ---> {step.text[2:]} (a trigger of the base image)", style="dim"))
            continue
        n = numbers.get((step.stage, step.line), 0)
        line = Text(f"Step {n}/{total} : ")
        line.append(step.text, style="bold" if step.line in froms else "")
        console.print(line)
        if froms.get(step.line) == step.stage:
            info = summary.stages[step.stage]
            if info.base_stage is not None:
                note = f"stage {summary.stages[info.base_stage].name}, built above"
            else:
                note = f"{info.base}: {human_size(info.base_size)}"
                packed = compressed_size(info.base)
                if packed:
                    note += f" ({human_size(packed)} compressed)"
            console.print(Text(f" ---> {note}", style="dim"))
            continue
        run = by_line.get(step.line) if step.text.upper().startswith("RUN") else None
        if run is not None:
            for raw in (run.stdout + run.stderr).decode("utf-8", "replace").splitlines()[:50]:
                console.print(Text(f"  | {raw}", style="dim"))
            for note in run.notes:
                console.print(Text(f" warning: {note}", style="yellow"))
        size = layer_size.get((step.stage, step.line))
        if size is not None:
            console.print(Text(f" ---> layer +{human_size(size)}", style="dim"))
    for info in summary.stages:
        if info.status == "skipped":
            first, last = info.steps
            where = f"Step {first}/{total}" if first == last else f"Steps {first}-{last}/{total}"
            console.print(
                Text(
                    f"{where} : stage {info.name} skipped (the target does not need it)",
                    style="dim",
                )
            )
    print_summary(summary, console)


def _register_tools(path: str) -> None:
    """Read a --tools YAML file (yaml lives in this layer) and register its programs."""
    import yaml

    from emu.cli._files import read_text_file
    from emu.sh.tools.user import register_file

    text, _ = read_text_file(path, "tools file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from None
    register_file(data, path)
