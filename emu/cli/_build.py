"""``emu build``: docker build's flags, BuildKit's semantics, a summary that explains."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from emu.cli._console import err, out
from emu.errors import BuildError, EmuError, UsageError

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
    from emu.build.args import Platform, parse_build_args
    from emu.build.context import Context, from_directory, from_tar
    from emu.build.engine import BuildOptions, build
    from emu.cli._files import read_text_file
    from emu.dockerfile.instructions import load

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
            text, name = read_text_file(str(df_path))
            name = "Dockerfile" if args.file is None else args.file
        ctx = from_directory(context_arg, dockerfile=df_path)

    from emu.build.runexec import ShellExecutor

    executor = ShellExecutor(permissive=args.permissive)
    try:
        df = load(text, name)
        opts = BuildOptions(
            executor=executor,
            target=args.target,
            build_args=build_args,
            platform=Platform.parse(args.platform) if args.platform else Platform(),
            builder=args.builder,
            url_map=url_map,
            source_date_epoch=_source_date_epoch(build_args),
        )
        result = build(df, ctx, opts)
    except EmuError as exc:
        if exc.file == name:
            exc.with_source(text)
        raise

    progress = args.progress
    if progress != "quiet":
        _report(result, progress, executor)
    if outputs:
        _write_output(result, outputs[0], opts.source_date_epoch, tuple(args.tag or ()))
    if args.tag:
        from emu.build import store

        for tag in args.tag:
            store.save(tag, result.image)
    if progress == "quiet":
        out().out(_image_id(result.image))
    return 0


def _image_id(image: object) -> str:
    """The image ID docker prints with --quiet: the digest of the config."""
    import hashlib

    from emu.build import outputs
    from emu.build.image import Image

    assert isinstance(image, Image)
    return "sha256:" + hashlib.sha256(outputs.json_bytes(outputs.config_json(image))).hexdigest()


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
    from emu.build import outputs
    from emu.build.engine import BuildResult

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


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.3g}{unit}"
        n /= 1000
    return f"{n}GB"


def _report(result: object, progress: str, executor: object) -> None:
    from rich.text import Text

    from emu.build.engine import BuildResult
    from emu.build.runexec import ShellExecutor

    assert isinstance(result, BuildResult) and isinstance(executor, ShellExecutor)
    console = err()
    total = result.total_instructions
    by_line = {o.line: o for o in executor.outputs}
    for i, step in enumerate(result.steps, 1):
        console.print(Text(f"Step {i}/{total} : {step.text}"))
        run = by_line.get(step.line) if step.text.upper().startswith("RUN") else None
        if run is not None:
            for raw in (run.stdout + run.stderr).decode("utf-8", "replace").splitlines()[:50]:
                console.print(Text(f" ---> {raw}", style="dim"))
            for note in run.notes:
                console.print(Text(f" warning: {note}", style="yellow"))

    for st in result.stages:
        line = Text()
        mark = {"final": "final    ", "built": "discarded", "skipped": "skipped  "}[st.status]
        style = {"final": "bold green", "built": "yellow", "skipped": "dim"}[st.status]
        line.append(f" {mark} ", style=style)
        line.append(f"stage {st.index} ({st.name}) FROM {st.base}: {st.reason}")
        console.print(line)
    for st in result.stages:
        for rec in st.copies:
            if rec.from_stage is not None or rec.source != "context":
                console.print(
                    Text(
                        f" crossed   {rec.source} → {st.name}: {rec.files} files, "
                        f"{_human(rec.bytes)} (Dockerfile:{rec.line})"
                    )
                )
    image = result.image
    summary = Text()
    summary.append(f"Final image: {_human(image.size)}", style="bold")
    summary.append(f" ({len(image.layers)} layers built on a {_human(image.base_size)} base)")
    console.print(summary)
    for st in result.discarded:
        if st.image is not None:
            console.print(
                Text(
                    f" had stage {st.name} been shipped instead: {_human(st.image.size)}",
                    style="dim",
                )
            )
