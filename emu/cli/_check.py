"""``emu check``: BuildKit's static build checks, as ``docker build --check`` reports them."""

from __future__ import annotations

import argparse
import json

from emu.cli._console import out, write
from emu.cli._files import read_text_file
from emu.dockerfile.checks import RULE_NAMES, CheckConfig, parse_check_directive, run_checks
from emu.dockerfile.instructions import load
from emu.errors import EmuError, UsageError


def _config(args: argparse.Namespace, directive: str | None) -> CheckConfig:
    base = parse_check_directive(directive) if directive else CheckConfig()
    skip = set(base.skip)
    skip_all = base.skip_all
    for name in (s.strip() for s in args.skip.split(",")):
        if not name:
            continue
        if name.lower() == "all":
            skip_all = True
        elif name not in RULE_NAMES:
            raise UsageError(
                f"unknown check {name!r}", hint="rules: " + ", ".join(sorted(RULE_NAMES))
            )
        skip.add(name)
    return CheckConfig(frozenset(skip), skip_all, base.error or args.error)


def run(args: argparse.Namespace) -> int:
    text, name = read_text_file(args.dockerfile)
    try:
        df = load(text, name)
    except EmuError as exc:
        raise exc.with_source(text) from None
    directive = df.parsed.directive("check")
    config = _config(args, directive.value if directive else None)
    report = run_checks(df, config)
    if args.format == "json":
        write(
            json.dumps(
                {
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
                },
                indent=2,
            )
            + "\n"
        )
    else:
        from rich.text import Text

        console = out()
        for v in report.violations:
            line = Text()
            line.append(f"{name}:{v.pos.line}:{v.pos.column}: ", style="bold")
            line.append("warning: " if not config.error else "error: ", style="yellow")
            line.append(f"{v.rule.name}: ", style="bold")
            line.append(v.message)
            console.print(line)
            console.print(Text(f"  {v.rule.description} ({v.rule.url})", style="dim"))
        n = len(report.violations)
        summary = "no problems found" if n == 0 else f"{n} problem{'s' if n != 1 else ''} found"
        console.print(Text(f"Check complete, {summary}", style="green" if n == 0 else "yellow"))
    return 1 if report.violations else 0
