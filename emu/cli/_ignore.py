"""``emu ignore``: what the context sends to the build, and which pattern decided."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from emu.cli._args import command
from emu.cli._console import out
from emu.errors import EmuError, UsageError

if TYPE_CHECKING:
    from emu.cli._args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    i = command(
        sub,
        "ignore",
        "show what .dockerignore sends to the build and why",
        "emu ignore examples/multistage-demo --explain",
        "emu ignore --explain examples/multistage-demo",
        "emu ignore --explain README.md examples/multistage-demo",
        run=run,
    )
    i.add_argument("context", metavar="CONTEXT", nargs="?", help="the build context directory")
    i.add_argument(
        "--explain",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="say which pattern decides each path (or only PATH)",
    )
    i.add_argument(
        "-f", "--file", dest="dockerfile", help="the Dockerfile (its NAME.dockerignore wins)"
    )
    i.add_argument("--all", action="store_true", help="list excluded paths too")


def ignore_file_for(context: Path, dockerfile: str | None) -> tuple[str | None, str]:
    """BuildKit's choice: ``<Dockerfile>.dockerignore`` next to the Dockerfile wins."""
    candidates = []
    if dockerfile:
        candidates.append(Path(dockerfile + ".dockerignore"))
    candidates.append(context / ".dockerignore")
    from emu.engine.context import read_host_file

    for path in candidates:
        try:  # as the build reads it: a FIFO, a device or a symlink there is an error
            return read_host_file(path).decode("utf-8", "surrogateescape"), str(path)
        except FileNotFoundError:
            continue
    return None, ""


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    from emu.ignore import explain_context

    if args.context is None:
        # `emu ignore --explain DIR`: argparse gave DIR to --explain's optional PATH.
        if args.explain and Path(args.explain).is_dir():
            args.context, args.explain = args.explain, ""
        else:
            raise UsageError(
                "the build context directory is missing",
                hint="emu ignore [--explain [PATH]] CONTEXT",
            )
    context = Path(args.context)
    if not context.is_dir():
        raise UsageError(
            f"build context is not a directory: {args.context}",
            hint="pass the folder you would give to `docker build`",
        )
    text, source_name = ignore_file_for(context, args.dockerfile)
    try:
        entries = explain_context(context, text, file=source_name or ".dockerignore")
    except EmuError as exc:
        raise exc.with_source(text or "") from None
    console = out()
    only = args.explain.strip("/") if args.explain else ""
    explain = args.explain is not None
    sent = excluded = 0
    for e in entries:
        if e.decision.excluded:
            excluded += 1
        else:
            sent += 1
        if only and e.path != only:
            continue
        if e.decision.excluded and not (args.all or explain):
            continue
        line = Text()
        shown = e.path + ("/" if e.is_dir else "")
        if e.decision.excluded:
            line.append("- ", style="red")
            line.append(shown, style="red")
        else:
            line.append("+ ", style="green")
            line.append(shown)
        pat = e.decision.pattern
        if explain and pat is not None:
            how = "excluded by" if e.decision.excluded else "re-included by"
            line.append(f"  ({how} {source_name}:{pat.line}: {pat.text})", style="dim")
        elif explain and e.decision.excluded:
            line.append("  (inside an excluded directory)", style="dim")
        console.print(line)
    what = source_name or "no .dockerignore"
    console.print(Text(f"{sent} paths sent, {excluded} excluded ({what})", style="bold"))
    return 0
