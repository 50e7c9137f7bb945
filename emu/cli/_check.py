"""``emu check``: BuildKit's build checks, as ``docker build --check`` reports them, and with
a context the build-aware ones and emu's multi-stage lessons.

``emu check DOCKERFILE`` runs the static rules only (exit 1 when any fires). Given a context
(``--context DIR``, ``--build``, or a directory instead of a Dockerfile) emu also builds, in
memory, and adds ``UndefinedVar``, ``CopyIgnoredFile`` and the lessons of
:mod:`emu.teach.lessons`; lessons at the ``info`` level teach without failing the check.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emu.cli._args import add_build_options, add_format, command
from emu.cli._console import err, out, write
from emu.cli._files import read_text_file
from emu.errors import EmuError, UsageError
from emu.records import replace

if TYPE_CHECKING:
    from emu.cli._args import Subparsers
    from emu.dockerfile.checks import CheckConfig
    from emu.dockerfile.instructions import Dockerfile
    from emu.teach.lessons import BuildFacts, Finding


def add_parsers(sub: Subparsers) -> None:
    c = command(
        sub,
        "check",
        "run the build checks (docker build --check); with a context, the build-aware ones "
        "and multi-stage lessons too",
        "emu check Dockerfile",
        "emu check examples/multistage-demo      # a directory: builds it and checks more",
        "emu check --context . --skip UnusedStage Dockerfile",
        run=run,
    )
    c.add_argument(
        "dockerfile",
        metavar="DOCKERFILE",
        help="the Dockerfile, or a context directory (its Dockerfile, build-aware checks)",
    )
    c.add_argument(
        "--skip", default="", metavar="RULES", help="comma-separated rules to skip (or 'all')"
    )
    c.add_argument("--error", action="store_true", help="same as '# check=error=true'")
    add_format(c)
    c.add_argument(
        "--context",
        metavar="DIR",
        help="the build context: build in memory and add the build-aware checks",
    )
    c.add_argument(
        "--build",
        action="store_true",
        help="build-aware checks with the Dockerfile's directory as the context",
    )
    add_build_options(
        c,
        build_arg="set a build-time variable",
        permissive="programs emu does not emulate become no-ops while building",
    )


def _config(args: argparse.Namespace, directive: str | None) -> CheckConfig:
    from emu.dockerfile.checks import RULE_NAMES, CheckConfig, parse_check_directive
    from emu.teach.lessons import RULE_NAMES as BUILD_RULE_NAMES

    base = parse_check_directive(directive) if directive else CheckConfig()
    skip = set(base.skip)
    skip_all = base.skip_all
    known = RULE_NAMES | BUILD_RULE_NAMES
    for name in (s.strip() for s in args.skip.split(",")):
        if not name:
            continue
        if name.lower() == "all":
            skip_all = True
        elif name not in known:
            raise UsageError(f"unknown check {name!r}", hint="rules: " + ", ".join(sorted(known)))
        skip.add(name)
    return replace(base, skip=frozenset(skip), skip_all=skip_all, error=base.error or args.error)


def _paths(args: argparse.Namespace) -> tuple[str, str | None]:
    """(the Dockerfile, the context directory or None for static checks only)."""
    target = args.dockerfile
    context = getattr(args, "context", None)
    if target != "-" and Path(target).is_dir():
        return str(Path(target) / "Dockerfile"), context or target
    if context is None and getattr(args, "build", False):
        context = str(Path(target).parent) if target != "-" else "."
    return target, context


def _build(
    args: argparse.Namespace, df: Dockerfile, dockerfile: str, context: str
) -> tuple[BuildFacts, EmuError | None]:
    from emu import store
    from emu.engine.args import parse_build_args
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import from_directory
    from emu.engine.runexec import ShellExecutor
    from emu.teach.lessons import BuildFacts

    if not Path(context).is_dir():
        raise UsageError(
            f"build context is not a directory: {context}",
            hint="pass the folder you would give to `docker build`",
        )
    ctx = from_directory(context, dockerfile=Path(dockerfile) if dockerfile != "-" else None)
    opts = BuildOptions(
        executor=ShellExecutor(permissive=args.permissive),
        resolve_image=store.resolve,
        target=args.target,
        build_args=parse_build_args(args.build_arg or []),
        permissive=args.permissive,
    )
    try:
        result = build(df, ctx, opts)
    except EmuError as exc:
        return BuildFacts(df, ctx, None), exc
    return BuildFacts(df, ctx, result), None


def run(args: argparse.Namespace) -> int:
    from emu.dockerfile.checks import run_checks
    from emu.dockerfile.instructions import load
    from emu.teach.lessons import run_lessons

    dockerfile, context = _paths(args)
    text, name = read_text_file(dockerfile)
    try:
        df = load(text, name)
    except EmuError as exc:
        raise exc.with_source(text) from None
    directive = df.parsed.directive("check")
    config = _config(args, directive.value if directive else None)
    report = run_checks(df, config)
    findings: list[Finding] = []
    build_error: EmuError | None = None
    if context is not None:
        facts, build_error = _build(args, df, dockerfile, context)
        findings = run_lessons(facts, skip=config.skip, skip_all=config.skip_all)
        if build_error is not None and build_error.file == name:
            build_error.with_source(text)
    failing = [f for f in findings if f.rule.level != "info"]
    problems = len(report.violations) + len(failing) + (1 if build_error else 0)
    if args.format == "json":
        doc: dict[str, Any] = {
            "file": name,
            "error": config.error,
            "violations": [
                {
                    "rule": v.rule.name,
                    "description": v.rule.description,
                    "url": v.rule.url,
                    "message": v.message,
                    "line": v.pos.line,
                    "column": v.pos.column,
                }
                for v in report.violations
            ],
        }
        if context is not None:
            doc["context"] = context
            doc["build_error"] = str(build_error) if build_error else None
            doc["violations"].extend(
                {
                    "rule": f.rule.name,
                    "description": f.rule.description,
                    "url": f.rule.url,
                    "message": f.message,
                    "line": f.pos.line,
                    "column": f.pos.column,
                    "origin": f.rule.origin,
                    "level": f.rule.level,
                    "stage": f.stage,
                    "experimental": f.rule.experimental,
                }
                for f in findings
            )
            doc["violations"].sort(key=lambda v: (v["line"], v["column"], v["rule"]))
        write(json.dumps(doc, indent=2) + "\n")
        return 1 if problems else 0
    _print_text(name, config, report.violations, findings)
    from rich.text import Text

    console = out()
    if build_error is not None:
        from emu.cli._console import report_error

        err().print(
            Text("note: the build failed, so the checks that need it did not run:", style="yellow")
        )
        report_error(build_error, build_error.source)
    notes = len(findings) - len(failing)
    summary = (
        "no problems found"
        if problems == 0
        else f"{problems} problem{'s' if problems != 1 else ''} found"
    )
    if notes:
        summary += f", {notes} note{'s' if notes != 1 else ''}"
    console.print(Text(f"Check complete, {summary}", style="green" if problems == 0 else "yellow"))
    return 1 if problems else 0


def _print_text(name: str, config: CheckConfig, violations: Any, findings: list[Finding]) -> None:
    from rich.text import Text

    from emu.teach.lessons import Finding

    console = out()
    items: list[tuple[int, int, str, Any]] = [
        (v.pos.line, v.pos.column, v.rule.name, v) for v in violations
    ]
    items.extend((f.pos.line, f.pos.column, f.rule.name, f) for f in findings)
    items.sort(key=lambda t: (t[0], t[1], t[2]))
    for _, _, _, item in items:
        line = Text()
        line.append(f"{name}:{item.pos.line}:{item.pos.column}: ", style="bold")
        if isinstance(item, Finding) and item.rule.origin == "emu":
            label, style = (
                ("note: ", "cyan") if item.rule.level == "info" else ("lesson: ", "magenta")
            )
        else:
            label, style = ("error: ", "red") if config.error else ("warning: ", "yellow")
        line.append(label, style=style)
        line.append(f"{item.rule.name}: ", style="bold")
        line.append(item.message)
        console.print(line)
        extra = (
            " (experimental in BuildKit)"
            if isinstance(item, Finding) and item.rule.experimental
            else ""
        )
        url = f" ({item.rule.url})" if item.rule.url else ""  # InvalidBaseImagePlatform has none
        console.print(Text(f"  {item.rule.description}{url}{extra}", style="dim"))
