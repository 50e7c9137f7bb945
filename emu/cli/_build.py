"""``emu build``: docker build's flags, BuildKit's semantics, a summary that explains."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from emu.cli._args import add_format, command
from emu.cli._console import err, write
from emu.errors import BuildError, EmuError, UsageError
from emu.records import field, record, replace

if TYPE_CHECKING:
    from rich.console import Console

    from emu.cli._args import Subparsers
    from emu.cli._summary import Summary
    from emu.dockerfile.instructions import Dockerfile
    from emu.engine.builder import BuildResult
    from emu.engine.context import Context
    from emu.images.image import Layer


def add_parsers(sub: Subparsers) -> None:
    b = command(
        sub,
        "build",
        "build an image from a Dockerfile (like docker build)",
        "emu build -t my-app examples/multistage-demo",
        "emu build --progress plain --report report.html -t my-app .",
        "emu build --progress classic -t my-app .   # the tutorial's Step 1/7 log",
        "emu build -o type=tar,dest=rootfs.tar .",
        "emu build -q --iidfile id.txt --label org.opencontainers.image.version=1.2 .",
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
        help="type=local|tar|oci|docker with dest=PATH (dest=- for stdout); a bare PATH is "
        "type=local, and - alone the filesystem tar on stdout",
    )
    b.add_argument(
        "--progress",
        choices=("auto", "plain", "tty", "classic", "quiet", "rawjson"),
        default="auto",
        help="auto: BuildKit's live view on a terminal, its plain text otherwise; plain: "
        "what docker build --progress=plain prints; tty: the live view; classic: the "
        "legacy builder's Step 1/7 log (the tutorial's); quiet: only the image ID; "
        "rawjson: BuildKit's solve-status stream, one JSON object a line",
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
        help="a program emu does not emulate becomes a warning and a no-op instead of an "
        "error, and an image the catalog does not model a generic stand-in",
    )
    b.add_argument(
        "--tools",
        action="append",
        metavar="FILE",
        help="YAML declaring extra program models (format in emu/sh/tools/user.py)",
    )
    b.add_argument(
        "--images",
        action="append",
        metavar="FILE",
        help="YAML declaring extra base images on catalogued ones (format in "
        "emu/images/catalog.py, register_images)",
    )
    b.add_argument(
        "--add-url",
        action="append",
        metavar="URL=FILE",
        help="serve an ADD <URL> from a local file (emu never opens the network)",
    )
    b.add_argument(
        "--no-cache", action="store_true", help="do not use the layer cache (still fill it)"
    )
    b.add_argument(
        "--no-cache-filter",
        action="append",
        metavar="STAGE[,STAGE]",
        help="do not use the layer cache for these stages",
    )
    b.add_argument(
        "--report",
        metavar="FILE",
        help="also write the HTML build report to FILE (a failed build's too)",
    )
    g = b.add_argument_group("docker build's flags for scripts and CI")
    g.add_argument("--label", action="append", metavar="KEY=VALUE", help="set a label on the image")
    g.add_argument("--iidfile", metavar="FILE", help="write the image ID to FILE")
    g.add_argument(
        "--metadata-file",
        metavar="FILE",
        help="write the build's result as JSON, with buildx's keys (containerimage.digest, "
        "containerimage.config.digest, image.name, buildx.build.ref)",
    )
    g.add_argument(
        "--secret",
        action="append",
        metavar="id=ID[,src=FILE|env=VAR]",
        help="a secret for RUN --mount=type=secret (never in a layer or the history)",
    )
    g.add_argument(
        "--ssh",
        action="append",
        metavar="default|ID[=SOCKET|KEY]",
        help="an agent for RUN --mount=type=ssh: emu's is empty (it holds no keys)",
    )
    g.add_argument(
        "--add-host",
        action="append",
        metavar="HOST:IP",
        help="a line of RUN's /etc/hosts",
    )
    g.add_argument(
        "--network",
        metavar="none|default|host",
        help="accepted; RUN never has a network in emu",
    )
    g.add_argument(
        "--pull", action="store_true", help="accepted; emu is offline: nothing is pulled"
    )
    g.add_argument(
        "--cache-from",
        action="append",
        metavar="SOURCE",
        help="accepted; emu uses its own layer cache ($EMU_HOME/cache)",
    )
    g.add_argument("--cache-to", action="append", metavar="DEST", help="accepted, as --cache-from")
    g.add_argument(
        "--source-date-epoch",
        metavar="SECONDS",
        help="the image's creation time, and the clamp on file times (default: "
        "$SOURCE_DATE_EPOCH or the build arg; else the build time)",
    )
    b.add_argument(
        "--sandbox",
        action="store_true",
        help="treat the context as untrusted, as emu grade does: refuse hard links to files "
        "outside it and paths too long to read; FROM sees emu's catalog only",
    )
    add_format(b)


OUTPUT_TYPES = ("local", "tar", "oci", "docker")


@record(frozen=True, slots=True)
class OutputSpec:
    type: str
    dest: str


def parse_output(text: str) -> OutputSpec:
    """``type=local,dest=DIR`` (docker's CSV form); a bare path means type=local, and ``-``
    alone the filesystem as a tar on stdout (as buildx reads ``-o -``)."""
    if text == "-":
        return OutputSpec("tar", "-")
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
    from emu.engine.context import from_directory, from_tar

    outputs = [parse_output(o) for o in args.output or []]
    if len(outputs) > 1:
        raise BuildError("only one --output is supported", hint="build twice for two outputs")
    to_stdout = any(o.dest == "-" for o in outputs)
    if to_stdout and getattr(args, "format", "text") == "json":
        raise UsageError(
            "the output (-o -) and --format json cannot both go to stdout",
            hint="write the output to a file: -o type=tar,dest=FILE",
        )
    flags = docker_flags(args)
    build_args = parse_build_args(args.build_arg or [])
    epoch = epoch_from(build_args, getattr(args, "source_date_epoch", None))
    if epoch is not None and "SOURCE_DATE_EPOCH" not in build_args:
        # buildx hands $SOURCE_DATE_EPOCH to the build as the build arg of that name.
        build_args["SOURCE_DATE_EPOCH"] = str(epoch)
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
    for images_file in getattr(args, "images", None) or []:
        _register_images(images_file)
    tags = tuple(_check_tag(t) for t in args.tag or ())
    from emu.engine.runexec import ShellExecutor

    executor = ShellExecutor(
        permissive=args.permissive,
        secrets=flags.secrets,
        ssh=flags.ssh,
        extra_hosts=flags.hosts,
    )
    legacy = args.builder == "legacy"
    progress_name = progress_mode(args.progress, legacy=legacy)
    try:
        df = load(text, name)
    except EmuError as exc:
        if exc.file == name:
            exc.with_source(text)
        raise
    from emu.cli import _progress
    from emu.fs import count

    # A quiet build prints only the image ID: the checks' warnings would go nowhere.
    warnings = static_warnings(df) if progress_name != "quiet" else []
    inputs = _progress.Inputs(
        dockerfile=name,
        dockerfile_size=len(text.encode("utf-8", "surrogateescape")),
        ignore_size=_ignore_size(context_arg, df_path) if context_arg != "-" else 0,
        context_size=count(ctx.snapshot.root)[1],
        warnings=tuple(w.short for w in warnings),
    )
    progress: _progress.Progress
    if progress_name == "rawjson":
        from emu.cli._rawjson import RawJsonProgress

        progress = RawJsonProgress(None, df, inputs)
    else:
        progress = _progress.make(progress_name, None, df, inputs)
    if progress_name not in ("quiet", "rawjson"):
        for note in flags.notes:
            progress.console.print(_dim(f"note: {note}"), soft_wrap=True)
    no_cache_filter = tuple(
        n.strip() for item in args.no_cache_filter or () for n in item.split(",") if n.strip()
    )
    resolver = store.resolve
    if getattr(args, "sandbox", False):
        from emu.grading.sandbox import catalog_only

        resolver = catalog_only  # untrusted: emu's catalog, never the local store
    opts = BuildOptions(
        executor=executor,
        resolve_image=resolver,
        target=args.target,
        build_args=build_args,
        platform=Platform.parse(args.platform) if args.platform else Platform(),
        builder=args.builder,
        url_map=url_map,
        source_date_epoch=epoch,
        permissive=args.permissive,
        cache=store.LayerCache(),
        no_cache=args.no_cache,
        no_cache_filter=no_cache_filter,
        cache_ident=_cache_ident(context_arg, name, args.target),
        observer=progress,
    )
    report_file = getattr(args, "report", None)
    progress.start()
    started = int(time.time())
    try:
        result = build(df, ctx, opts)
    except EmuError as exc:
        if exc.file == name:
            exc.with_source(text)
        progress.failed()
        if progress_name not in ("quiet", "rawjson"):
            _print_warnings(progress.console, warnings, df, ctx, None, context_arg, name)
        if report_file:
            from emu.cli._report import write_page
            from emu.teach.report import render_failed_html

            needed = progress.plan.needed if progress.plan is not None else None
            write_page(report_file, render_failed_html(df, progress.steps, exc, text, needed))
            progress.console.print(
                _dim(f"Wrote the report of the failed build to {report_file}"), soft_wrap=True
            )
        raise

    result = finish(result, flags.labels, opts.cache, started, epoch)

    @functools.cache
    def summary() -> Summary:
        """The build's summary, for the text, the report and JSON (an ID alone needs none)."""
        from emu.cli._summary import summarize

        return summarize(result)

    fmt = getattr(args, "format", "text")
    manifest: tuple[str, int] | None = None
    if outputs:
        manifest = _write_output(result, outputs[0], epoch, tags)
    image_id = store.image_id(result.image, source_date_epoch=epoch)
    saved: list[str] = []
    if tags:
        record = store.BuildRecord(result, image_id, tuple(executor.outputs))
        saved = store.save_many(tags, result.image, build=record, known_id=image_id)
    kind = outputs[0].type if outputs else ""
    if kind in ("docker", "oci") and progress_name != "rawjson":
        from rich.text import Text

        for line in modelled_warning(result, outputs[0].dest):
            progress.console.print(Text(f"warning: {line}", style="yellow"), soft_wrap=True)
    if args.iidfile:
        # buildx writes the config digest, without a newline; nothing for a tar or a folder.
        _write_text(args.iidfile, image_id if kind in ("", "docker", "oci") else "")
    if args.metadata_file:
        meta = build_metadata(result, image_id, kind, tags, manifest, epoch)
        _write_text(args.metadata_file, json.dumps(meta, indent=2, sort_keys=True))
    if progress_name == "rawjson":  # the stream's last vertex; no summary to interleave
        progress.succeeded(image_id, tuple(saved), outputs[0].type if outputs else "")
    elif progress_name != "quiet":
        from rich.text import Text

        console = progress.console
        progress.succeeded(image_id, tuple(saved), outputs[0].type if outputs else "")
        if progress_name == "classic":
            _classic(result, summary(), executor)
        else:
            console.print()  # BuildKit's steps end; emu's summary begins
            for note in result.warnings:  # what emu assumed of its base images
                console.print(Text(f"warning: {note}", style="yellow"), soft_wrap=True)
        _print_warnings(console, warnings, df, ctx, result, context_arg, name)
        from emu.cli._summary import print_cache, print_summary

        print_summary(summary(), console)
        print_cache(result, console)
    if report_file:
        from emu.cli._report import write_html

        write_html(
            report_file,
            result,
            summary(),
            image_id=image_id,
            tags=saved,
            run_outputs=tuple(executor.outputs),
        )
    if progress_name not in ("quiet", "rawjson"):
        console = progress.console
        console.print(Text(f"Successfully built {image_id.removeprefix('sha256:')[:12]}"))
        for tag in saved:
            console.print(Text(f"Successfully tagged {tag}"))
        if report_file:
            console.print(Text(f"Wrote the build report to {report_file}", style="dim"))
    if fmt == "json":
        data = {
            "id": image_id,
            "tags": saved,
            **summary().as_json(),
            "warnings": list(result.warnings),
        }
        write(json.dumps(data, indent=2) + "\n")
    elif progress_name == "quiet" and not to_stdout:
        write(image_id + "\n")
    return 0


def progress_mode(requested: str, *, legacy: bool = False) -> str:
    """``tty`` (the live view), ``plain``, ``classic``, ``quiet`` or ``rawjson``: auto is the
    live view only on a terminal; the legacy builder prints its classic log, as docker's
    does."""
    if requested in ("quiet", "rawjson"):
        return requested
    if legacy:
        return "classic"
    if requested == "auto":
        return "tty" if err().is_terminal and not err().is_dumb_terminal else "plain"
    return requested


def _check_tag(tag: str) -> str:
    """``-t`` as docker checks it: a valid reference, or "invalid reference format"."""
    from emu.images import reference

    try:
        reference.normalize(tag)
    except EmuError as exc:
        raise UsageError(
            f'invalid argument "{tag}" for "-t, --tag" flag: {exc.message}',
            hint="image names are lower case: letters, digits and . _ - separators, "
            "optionally :TAG (e.g. -t my-app:1.0)",
        ) from None
    return tag


def _cache_ident(context: str, dockerfile: str, target: str | None) -> str:
    where = os.path.abspath(context) if context != "-" else "-"
    return f"{where}\0{dockerfile}\0{target or ''}"


def _ignore_size(context: str, dockerfile: Path | None) -> int:
    from emu.engine.context import ignore_text_for

    try:
        text, _ = ignore_text_for(Path(context), dockerfile)
    except (EmuError, OSError):
        return 0
    return len((text or "").encode())


def _dim(text: str) -> object:
    from rich.text import Text

    return Text(text, style="dim")


def static_warnings(df: Dockerfile) -> list[Warning]:
    """BuildKit's build checks that need only the Dockerfile, as a build reports them."""
    from emu.dockerfile.checks import run_checks
    from emu.teach.lessons import BuildFacts, run_lessons

    report = run_checks(df)
    found = [Warning(v.rule.name, v.message, v.pos.line, v.rule.url) for v in report.violations]
    config = report.config
    found.extend(
        Warning(f.rule.name, f.message, f.pos.line, f.rule.url)
        for f in run_lessons(BuildFacts(df), skip=config.skip, skip_all=config.skip_all)
        if f.rule.origin == "buildkit" and not f.rule.experimental
    )
    found.sort(key=lambda w: w.line)
    return found


@record(frozen=True, slots=True)
class Warning:
    rule: str
    message: str
    line: int
    url: str = ""

    @property
    def short(self) -> str:
        """BuildKit's short form (linter.LintFormatShort): ``Rule: message (line N)``."""
        return f"{self.rule}: {self.message}" + (f" (line {self.line})" if self.line else "")


def _print_warnings(
    console: Console,
    warnings: list[Warning],
    df: Dockerfile,
    ctx: Context,
    result: BuildResult | None,
    context: str,
    dockerfile: str,
) -> None:
    """After every build, as Docker 27+ prints them (buildx's printWarnings): `` N warnings
    found (use docker --debug to expand):`` and one ``- Rule: message (line N)`` each; then
    the count of emu's lessons and where to read them."""
    from rich.text import Text

    from emu.teach.lessons import BuildFacts, run_lessons

    directive = df.parsed.directive("check")
    from emu.dockerfile.checks import CheckConfig, parse_check_directive

    config = parse_check_directive(directive.value) if directive else CheckConfig()
    findings = run_lessons(BuildFacts(df, ctx, result), skip=config.skip, skip_all=config.skip_all)
    found = list(warnings)
    found.extend(
        Warning(f.rule.name, f.message, f.pos.line, f.rule.url)
        for f in findings
        if f.rule.origin == "buildkit" and not f.rule.experimental and f.rule.needs != "static"
    )
    found.sort(key=lambda w: w.line)
    if found:
        n = len(found)
        head = f"{n} warning{'s' if n != 1 else ''} found (use docker --debug to expand):"
        console.print(Text("\n " + head, style="yellow"), soft_wrap=True)
        for w in found:
            console.print(Text(f" - {w.short}"), soft_wrap=True)
    lessons = [f for f in findings if f.rule.origin == "emu"]
    if lessons:
        n = len(lessons)
        where = context if context != "-" else "DIR"
        line = Text(f"{n} lesson{'s' if n != 1 else ''} for this build", style="magenta")
        line.append(
            f" ({', '.join(sorted({f.rule.name for f in lessons}))}): read "
            f"{'it' if n == 1 else 'them'} with `emu check --context {where} {dockerfile}`",
            style="",
        )
        console.print(line, soft_wrap=True)


def epoch_from(build_args: dict[str, str | None], flag: str | None = None) -> int | None:
    """--source-date-epoch, else the SOURCE_DATE_EPOCH build arg, else the variable."""
    value = flag or build_args.get("SOURCE_DATE_EPOCH") or os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    try:
        seconds = int(value)
    except ValueError:
        raise UsageError(f"invalid SOURCE_DATE_EPOCH {value!r}: not a number") from None
    if not _FIRST_SECOND <= seconds <= _LAST_SECOND:
        # An image config's times are RFC 3339 with a four-digit year (Go's JSON refuses
        # any other, so BuildKit fails at export): say so before building.
        raise UsageError(
            f"invalid SOURCE_DATE_EPOCH {value!r}: outside the years 1 to 9999",
            hint=f"a time in seconds since 1970 (UTC) from {_FIRST_SECOND} to {_LAST_SECOND}",
        )
    return seconds


_FIRST_SECOND = -62135596800  # 0001-01-01T00:00:00Z
_LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z


def _write_output(
    result: object, spec: OutputSpec, epoch: int | None, tags: tuple[str, ...]
) -> tuple[str, int] | None:
    """Write the output; for ``type=oci``, returns its manifest's (digest, size)."""
    from emu import outputs, store
    from emu.engine.builder import BuildResult

    assert isinstance(result, BuildResult)
    image = result.image
    if spec.type == "local":
        for note in outputs.write_local(image.rootfs, spec.dest):
            err().print(f"note: {note}", markup=False, highlight=False)
        return None
    target: outputs.Dest = sys.stdout.buffer if spec.dest == "-" else spec.dest
    # The writers take a path (written to a temporary file, then renamed: a failure leaves
    # nothing behind) or an open binary stream.
    known = store.known_layers()  # layers loaded from `docker save`: written as Docker had them
    if spec.type == "tar":
        outputs.write_rootfs_tar(image.rootfs, target, source_date_epoch=epoch)
    elif spec.type == "docker":
        outputs.write_docker_archive(
            image, target, tags=tags, source_date_epoch=epoch, known_layers=known
        )
    else:
        return outputs.write_oci_archive(
            image, target, tags=tags, source_date_epoch=epoch, known_layers=known
        )
    return None


def _write_text(path: str, text: str) -> None:
    try:
        Path(path).write_text(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


# --- docker build's flags for scripts ---------------------------------------------------------


@record(frozen=True, slots=True)
class DockerFlags:
    """What docker build's flags ask of a build, checked and read before it starts."""

    labels: tuple[tuple[str, str], ...] = ()
    secrets: dict[str, bytes] = field(default_factory=dict)
    ssh: frozenset[str] = frozenset()
    hosts: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()  # what a flag emu accepts means here


# buildkit's secretsprovider refuses a secret file over 500 KB.
MAX_SECRET_SIZE = 500 * 1024


def docker_flags(args: argparse.Namespace) -> DockerFlags:
    """--label, --secret, --ssh, --add-host, --network, --pull, --cache-from/--cache-to,
    with docker's checks and wording for bad values."""
    notes: list[str] = []
    labels = []
    for item in getattr(args, "label", None) or ():
        key, _, value = item.partition("=")  # `--label k` is k="" (as docker)
        labels.append((key, value))
    secrets: dict[str, bytes] = {}
    for item in getattr(args, "secret", None) or ():
        ident, value = _parse_secret(item)
        if value is not None:
            secrets[ident] = value
    ssh: set[str] = set()
    for item in getattr(args, "ssh", None) or ():
        ssh.add(_parse_ssh(item))
    if ssh:
        notes.append(
            "--ssh: emu has no SSH agent; RUN --mount=type=ssh gets an empty one (it holds no "
            "keys, and RUN has no network to use them on)"
        )
    hosts = tuple(_parse_host(item) for item in getattr(args, "add_host", None) or ())
    network = getattr(args, "network", None)
    if network is not None:
        if network not in ("none", "default", "host"):
            raise UsageError(
                f'network mode "{network}" not supported by buildkit',
                hint="--network takes none, default or host",
            )
        if network != "none":
            notes.append(
                f"--network {network}: RUN never has a network in emu (ADD <url> is served "
                "from --add-url files)"
            )
    if getattr(args, "pull", False):
        notes.append(
            "--pull: nothing to pull, emu is offline (FROM reads the local store, then emu's "
            "catalog)"
        )
    if getattr(args, "cache_from", None) or getattr(args, "cache_to", None):
        notes.append(
            "--cache-from/--cache-to: accepted; emu uses its own layer cache ($EMU_HOME/cache)"
        )
    return DockerFlags(tuple(labels), secrets, frozenset(ssh), hosts, tuple(notes))


def _parse_secret(item: str) -> tuple[str, bytes | None]:
    """``id=ID[,src=FILE|env=VAR][,type=file|env]`` as buildx reads it; the content, or None
    for a variable that is not set (a RUN that needs it is then told it is missing)."""

    def bad(reason: str) -> UsageError:
        return UsageError(f"could not parse secrets: [{item}]: {reason}")

    ident = path = env = kind = ""
    for part in item.split(","):
        key, eq, value = part.partition("=")
        if not eq:
            raise bad(f"invalid field '{part}' must be a key=value pair")
        key = key.lower()
        if key == "type":
            if value not in ("file", "env"):
                raise bad(f'unsupported secret type "{value}"')
            kind = value
        elif key == "id":
            ident = value
        elif key in ("source", "src"):
            path = value
        elif key == "env":
            env = value
        else:
            raise bad(f"unexpected key '{key}' in '{part}'")
    if kind == "env" and not env:
        env, path = path, ""
    if not ident:
        raise bad("secret missing ID")
    if not env and not path:  # id alone: the variable of that name if set, else the file
        env, path = (ident, "") if ident in os.environ else ("", ident)
    if env:
        text = os.environ.get(env)
        return ident, text.encode("utf-8", "surrogateescape") if text is not None else None
    try:
        if os.stat(path).st_size > MAX_SECRET_SIZE:
            raise bad(f"secret {ident} too big. max size 500KB")
        return ident, Path(path).read_bytes()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise bad(f"failed to stat {path}: stat {path}: {reason}") from None


def _parse_ssh(item: str) -> str:
    """``default`` or ``ID[=SOCKET|KEY[,KEY]]``: the agent's id (its keys are never read)."""
    ident, _, paths = item.partition("=")
    for path in filter(None, paths.split(",")):
        if not os.path.exists(path):
            raise UsageError(
                f"could not parse ssh: [{item}]: stat {path}: no such file or directory"
            )
    return ident


def _parse_host(item: str) -> tuple[str, str]:
    """``HOST:IP`` or ``HOST=IP`` (docker 28 reads both; ``[::1]`` for IPv6)."""
    import ipaddress

    sep = "=" if "=" in item else ":"
    host, found, ip = item.partition(sep)
    if not found or not host:
        raise UsageError(
            f'invalid argument "{item}" for "--add-host" flag: bad format for add-host: "{item}"',
            hint="write --add-host HOST:IP (e.g. db:10.0.0.5)",
        )
    ip = ip.removeprefix("[").removesuffix("]")
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        hint = None
        if ip == "host-gateway":
            hint = "host-gateway names the Docker host's bridge; emu has no host network"
        raise UsageError(
            f'invalid argument "{item}" for "--add-host" flag: invalid IP address in '
            f'add-host: "{ip}"',
            hint=hint,
        ) from None
    return host, ip


def finish(
    result: BuildResult,
    labels: tuple[tuple[str, str], ...],
    cache: object,
    started: int,
    epoch: int | None = None,
) -> BuildResult:
    """The built image as the exporter writes it: --label labels set last (BuildKit adds them
    to the exported image, with no history entry) and each layer's history entry dated
    when its layer was made — this build, or the build that filled the cache entry a step
    hit (so a rebuild from the cache keeps its image ID, as with BuildKit); with
    SOURCE_DATE_EPOCH, no date later than it (what the image store then shows)."""
    from emu import outputs, store

    image = result.image
    for key, value in labels:
        image = replace(image, config=image.config.with_label(key, value))
    keys = {(s.stage, s.line): s.key for s in result.steps if s.key}

    def made(layer: Layer) -> int | None:
        if layer.origin is None:
            return None  # a base image's layer: its own history says when
        key = keys.get((layer.origin.stage, layer.origin.line))
        when = cache.created(key) if key and isinstance(cache, store.LayerCache) else None
        return when or started

    image = outputs.with_layer_times(image, made)
    if epoch is not None:
        hist = [
            replace(h, created=epoch if not h.created or h.created > epoch else h.created)
            for h in image.history
        ]
        image = replace(image, history=tuple(hist))
    if image is result.image:
        return result
    target = replace(result.target, image=image)
    stages = tuple(target if st.index == target.index else st for st in result.stages)
    return replace(result, image=image, target=target, stages=stages)


def modelled_warning(result: BuildResult, dest: str) -> list[str]:
    """One line when an image archive holds modelled layers: it loads into docker, but what
    is modelled does not run; and how to get an image that does."""
    from emu.cli._images import modelled_layers

    flags = modelled_layers(result.image)
    if not any(flags):
        return []
    from emu import store
    from emu.teach.explain import root_base

    where = "stdout" if dest == "-" else dest
    base = root_base(result, result.target.index)
    stored = store.entry(base) if base and base != "scratch" else None
    if stored is not None and stored.base:
        base = stored.base  # an image emu built: the catalogued image at its root
    if flags[0] and base and base != "scratch":
        return [
            f"{where}: the base {base} is modelled by emu (its binaries are size-only stand-ins): "
            "`docker load` takes the archive but `docker run` fails (exec format error); for an "
            f"image that runs, `docker save {base} -o base.tar`, `emu load -i base.tar`, and "
            "build FROM it"
        ]
    n = sum(flags)
    return [
        f"{where}: {n} layer{'s' if n != 1 else ''} hold modelled files (size-only stand-ins "
        "made by emulated programs): they load into docker but do not run; `emu inspect "
        "IMAGE` lists the layers"
    ]


def build_metadata(
    result: BuildResult,
    image_id: str,
    kind: str,
    tags: tuple[str, ...],
    manifest: tuple[str, int] | None,
    epoch: int | None,
) -> dict[str, object]:
    """``--metadata-file``: the exporter's response as buildx writes it (its keys, sorted,
    2-space JSON). The image store and ``type=docker`` report the image ID (the config
    digest) as ``containerimage.digest``, as Docker's image exporter does; ``type=oci`` the
    manifest's digest and descriptor; a tar or a folder only the build's reference."""
    import secrets as _random

    from emu import outputs

    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"  # BuildKit's identity.NewID: base36
    ref = "".join(_random.choice(alphabet) for _ in range(25))
    meta: dict[str, object] = {"buildx.build.ref": f"emu/emu0/{ref}"}
    if kind in ("", "docker", "oci"):
        meta["containerimage.config.digest"] = image_id
        meta["containerimage.digest"] = image_id
        if tags:
            meta["image.name"] = ",".join(outputs.normalize_ref(t)[0] for t in tags)
    if kind == "oci" and manifest is not None:
        digest, size = manifest
        created = outputs.image_created(result.image, source_date_epoch=epoch)
        annotations = {"config.digest": image_id}
        if created:
            annotations["org.opencontainers.image.created"] = outputs.format_time(created)
        meta["containerimage.digest"] = digest
        meta["containerimage.descriptor"] = {
            "annotations": annotations,
            "digest": digest,
            "mediaType": outputs.MEDIA_MANIFEST,
            "size": size,
        }
    return meta


def _classic(result: object, summary: object, executor: object) -> None:
    """Each step as docker's classic builder numbers it (the legacy builder's log)."""
    from rich.text import Text

    from emu.cli._fmt import human_size
    from emu.cli._progress import CLASSIC_LINES, ONBUILD, output_lines
    from emu.cli._summary import Summary, compressed_size, step_numbers
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
    shown: set[str] = set()
    for step in result.steps:
        if step.text.startswith(ONBUILD):
            # Right under its stage's FROM: what it copies from was built before that FROM.
            console.print(Text(f" ---> {step.text[2:]} (a trigger of the base image)", style="dim"))
            if step.output and not step.cached:
                for raw in output_lines(step.output)[:CLASSIC_LINES]:
                    console.print(Text(f"  | {raw}", style="dim"))
            continue
        n = numbers.get((step.stage, step.line), 0)
        line = Text(f"Step {n}/{total} : ")
        line.append(step.text, style="bold" if step.line in froms else "")
        console.print(line)
        if step.cached:
            console.print(Text(" ---> Using cache", style="dim"))
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
            for warning in result.stages[step.stage].base_notes:
                console.print(Text(f" warning: {warning}", style="yellow"))
                shown.add(warning)
            continue
        run = by_line.get(step.line) if step.text.upper().startswith("RUN") else None
        if run is not None and not step.cached:
            lines = (run.stdout + run.stderr).decode("utf-8", "replace").splitlines()
            for raw in lines[:CLASSIC_LINES]:
                console.print(Text(f"  | {raw}", style="dim"))
            if len(lines) > CLASSIC_LINES:
                cut = len(lines) - CLASSIC_LINES
                console.print(
                    Text(
                        f"  | … {cut} more lines not shown (`emu build --progress plain` "
                        "prints them all)",
                        style="yellow",
                    )
                )
            for note in run.notes:
                console.print(Text(f" warning: {note}", style="yellow"))
        here = (summary.stages[step.stage].name, step.line)
        for stage_name, rec in summary.skipped:
            # ADD of a URL (RUN's downloads are in its notes)
            if rec.kind == "download" and not rec.where and (stage_name, rec.line) == here:
                warning = f" warning: no network: {rec.what} is a placeholder (--permissive)"
                console.print(Text(warning, style="yellow"))
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
    for warning in result.warnings:  # the images COPY --from and unbuilt stages named
        if warning not in shown:
            console.print(Text(f"warning: {warning}", style="yellow"))


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


def _register_images(path: str) -> None:
    """Read an --images YAML file and declare its images to the catalog (as --tools does for
    programs)."""
    import yaml

    from emu.cli._files import read_text_file
    from emu.images.catalog import register_images

    text, _ = read_text_file(path, "images file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from None
    register_images(data, path)
