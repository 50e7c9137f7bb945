"""``emu report``: a build as one self-contained HTML page (drawn by :mod:`emu.teach.report`),
its summary as text or JSON."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emu.cli._args import add_format, command
from emu.cli._source import add_source_options

if TYPE_CHECKING:
    from emu.cli._args import Subparsers
    from emu.engine.builder import BuildResult
    from emu.teach.summary import Summary

__all__ = ["add_parsers", "render_html", "run", "write_html"]  # noqa: F822 - see __getattr__


def __getattr__(name: str) -> Any:
    # The page renderers, imported when first asked for (they pull in the engine).
    if name in ("render_html", "render_failed_html"):
        from emu.teach import report

        return getattr(report, name)
    raise AttributeError(name)


def add_parsers(sub: Subparsers) -> None:
    rp = command(
        sub,
        "report",
        "summarise a build, or write it as one self-contained HTML page",
        "emu report my-app --html report.html",
        "emu report examples/multistage-demo --format json",
        run=run,
    )
    rp.add_argument(
        "source",
        metavar="BUILD",
        help="an image built with emu build -t, or a context dir (built now)",
    )
    rp.add_argument("--html", metavar="FILE", help="write the HTML report to FILE")
    add_source_options(rp, stage=False)
    add_format(rp)


def write_html(
    path: str,
    result: BuildResult,
    summary: Summary | None = None,
    *,
    image_id: str = "",
    tags: list[str] | tuple[str, ...] = (),
    run_outputs: tuple[Any, ...] = (),
    title: str = "",
) -> None:
    from emu.teach.report import render_html

    page = render_html(
        result, summary, image_id=image_id, tags=tags, title=title, run_outputs=run_outputs
    )
    write_page(path, page)


def write_page(path: str, page: str) -> None:
    """Write an HTML page atomically (a failure leaves nothing behind)."""
    from emu.errors import UsageError
    from emu.outputs import OutputError, replaceable

    target = Path(path)
    try:
        # `--report /dev/null` must not replace the device with a file (nor a FIFO, a
        # symlink or a directory): refused as an output's dest is.
        replaceable(os.path.abspath(path), "the report")
    except OutputError as exc:
        raise UsageError(exc.message, hint=exc.hint) from None
    try:
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    """``emu report SOURCE [--html FILE] [--format text|json]``."""
    from rich.text import Text

    from emu.cli._console import err, out, write
    from emu.cli._source import Source, is_context, resolve
    from emu.cli._summary import print_summary, summarize

    if args.html and is_context(args.source):
        result, outputs = _build_or_failed_page(args)
        source = Source(f"{args.source} (built now)", "context", result.image, result)
        source.run_outputs = outputs
    else:
        source = resolve(args.source, args, need_build=True)
    assert source.result is not None
    summary = summarize(source.result)
    if args.html:
        tags = [source.stored.tag] if source.stored is not None else []
        write_html(
            args.html,
            source.result,
            summary,
            image_id=source.image_id,
            tags=tags,
            title=source.label if not tags else "",
            run_outputs=source.run_outputs,
        )
        err().print(Text(f"Wrote {args.html}: open it in a browser (it needs no network)."))
    if args.format == "json":
        write(json.dumps(summary.as_json(), indent=2) + "\n")
    elif not args.html:
        print_summary(summary, out())
    return 0


def _build_or_failed_page(args: argparse.Namespace) -> tuple[BuildResult, tuple[Any, ...]]:
    """Build the context; when it fails, write the failed build's page, then fail."""
    from emu.cli._console import err
    from emu.cli._files import read_text_file
    from emu.cli._source import build_context
    from emu.dockerfile.instructions import load
    from emu.engine.state import StepLog
    from emu.errors import EmuError
    from emu.teach.report import render_failed_html

    seen = StepLog()
    try:
        return build_context(args, args.source, observer=seen)
    except EmuError as exc:
        dockerfile = getattr(args, "file", None) or str(Path(args.source) / "Dockerfile")
        try:
            text, _ = read_text_file(dockerfile)
            df = load(text, getattr(args, "file", None) or "Dockerfile")
        except EmuError:
            raise exc from None
        needed = seen.plan.needed if seen.plan is not None else None
        write_page(args.html, render_failed_html(df, seen.steps, exc, text, needed))
        err().print(f"Wrote {args.html}: the build failed; the page shows where.", markup=False)
        raise
