"""``emu test`` and ``emu grade``: the command-line side of :mod:`emu.grading`.

Wired into :mod:`emu.cli` with :func:`add_parsers` (subcommands ``test`` and ``grade``,
handled by :func:`run_test` and :func:`run_grade`), which return the exit status: ``emu
test`` exits 1 when a test fails or errs (0 when all pass or are skipped); ``emu grade``
exits 0 when every submission was graded — whatever the scores — and 1 when emu itself
failed on one (an ``internal error``). Bad specs and usage raise :class:`EmuError` (exit 2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emu.errors import UsageError
from emu.records import replace

if TYPE_CHECKING:
    from emu.cli._args import Subparsers

_STATUS_STYLE = {"pass": "green", "fail": "red", "error": "magenta", "skip": "yellow"}
_STATUS_WORD = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP"}


def add_parsers(sub: Subparsers) -> None:
    """Add ``test`` and ``grade`` to the CLI's subparsers."""
    t = sub.add_parser(
        "test",
        help="check a build or an image against container-structure-test specs",
        description="Evaluate container-structure-test files (schemaVersion 1.0.0 or 2.0.0) "
        "and emu's additions beside them (NAME.emu.yaml: build settings, limits, emu's build "
        "tests, weights) against an image or a build context; exit 1 if any test fails. "
        "CST's own command line works unchanged: emu test --image IMAGE --config FILE "
        "[--config FILE…] [--output text|json|junit] [--test-report FILE].",
    )
    t.set_defaults(handler=run_test)
    t.add_argument(
        "target",
        nargs="?",
        metavar="CONTEXT|IMAGE",
        help="what to test, as --image takes it (default: the context or image the emu file names)",
    )
    t.add_argument(
        "-i",
        "--image",
        metavar="IMAGE",
        help="what to test (CST's flag): a tag in emu's store or catalog, a docker save / OCI "
        "archive (file or folder), or a build context folder to build",
    )
    t.add_argument(
        "--image-from-oci-layout",
        metavar="DIR",
        help="an OCI image layout folder to test (CST's flag; --image takes one too)",
    )
    t.add_argument(
        "-c",
        "--config",
        action="append",
        required=True,
        metavar="SPEC.yaml",
        help="a container-structure-test file, or an emu file NAME.emu.yaml (repeatable)",
    )
    t.add_argument(
        "-o",
        "--output",
        nargs="+",
        metavar=("FORMAT", "FILE"),
        default=None,
        help="text (default), json or junit; with FILE the report is written there and the "
        "text report still printed",
    )
    t.add_argument(
        "--test-report",
        metavar="FILE",
        help="write the --output report here (CST: json unless --output junit)",
    )
    t.add_argument(
        "--junit-suite-name",
        metavar="NAME",
        help="the name of each <testsuite> in the junit report (CST's flag; junit only)",
    )
    t.add_argument(
        "--strict",
        action="store_true",
        help="read each config as container-structure-test does, and only that: emu's "
        "additions (the emu file, emuTests, weight) are refused",
    )
    t.add_argument("--target", dest="stage", metavar="STAGE", help="build this stage")
    t.add_argument("--build-arg", action="append", metavar="KEY=VALUE", default=[])
    t.add_argument(
        "--sandbox",
        action="store_true",
        help="treat the context as untrusted: as emu grade does (no links out, catalog-only "
        "FROM, the tripwire)",
    )
    t.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    t.add_argument("--no-color", action="store_true", help="no colour in the text report")
    # CST's flags that say how to reach Docker: emu is its own driver, so they change nothing
    # (accepted so that a CST command line runs unchanged).
    cst = t.add_argument_group("container-structure-test flags with no effect in emu")
    cst.add_argument(
        "-d", "--driver", choices=("docker", "tar"), help="emu is its own driver (no Docker)"
    )
    cst.add_argument("--pull", action="store_true", help="nothing is pulled: emu is offline")
    cst.add_argument("--save", action="store_true", help="no containers are made, none kept")
    cst.add_argument("--platform", metavar="OS/ARCH", help="emu's images are linux/amd64")
    cst.add_argument("--runtime", metavar="NAME", help="no container runtime is used")
    cst.add_argument("-f", "--force", action="store_true", help="there is no host driver")
    cst.add_argument("--default-image-tag", metavar="TAG", help="nothing is loaded into Docker")

    g = sub.add_parser(
        "grade",
        help="grade a folder of submissions with a rubric spec, in parallel and sandboxed",
        description="Each sub-folder of SUBMISSIONS_DIR is one submission: build it sandboxed, "
        "evaluate the rubric, write grades.csv, grades.json, junit.xml and Gradescope's "
        "results.json.",
    )
    g.set_defaults(handler=run_grade)
    g.add_argument("submissions", nargs="?", metavar="SUBMISSIONS_DIR")
    g.add_argument("--spec", required=True, metavar="RUBRIC.yaml", help="the rubric")
    g.add_argument(
        "-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)"
    )
    g.add_argument(
        "--out", default="grades", metavar="DIR", help="where the tables go (default: ./grades)"
    )
    g.add_argument(
        "--single",
        action="store_true",
        help="SUBMISSIONS_DIR is one submission (Gradescope: /autograder/submission); "
        "writes DIR/results.json",
    )
    g.add_argument(
        "--max-seconds", type=float, default=None, help="override the rubric's per-build wall time"
    )
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no table")
    g.add_argument(
        "--shard",
        metavar="K/N",
        help="grade only shard K of N (the class split deterministically, so N CI jobs or "
        "machines share it); merge the N output folders with --merge",
    )
    g.add_argument(
        "--merge",
        nargs="+",
        metavar="SHARD_OUT",
        help="merge the output folders of every --shard K/N run into --out, as one run "
        "would have written them (no SUBMISSIONS_DIR)",
    )


# --- emu test ------------------------------------------------------------------------------


def _output(args: argparse.Namespace, target: str | None) -> tuple[str, str | None]:
    values = list(args.output or ["text"])
    if len(values) > 2:
        raise UsageError("--output takes a format and at most one file")
    fmt = values[0]
    if fmt not in ("text", "json", "junit"):
        raise UsageError(f"--output {fmt}: expected text, json or junit")
    file = values[1] if len(values) > 1 else args.test_report
    if fmt == "text" and file and args.output is None:
        fmt = "json"  # CST: --test-report alone writes JSON
    elif fmt == "text" and file:
        raise UsageError("--output text writes to the terminal; use json or junit for a file")
    if args.junit_suite_name and fmt != "junit":
        raise UsageError("--junit-suite-name names the junit report's suites: use --output junit")
    if len(values) > 1 and target is None:
        # `emu test -c SPEC -o json IMAGE.tar` reads as "write the report over IMAGE.tar and
        # test the spec's default context": never guess which was meant.
        from emu.fs.names import printable

        raise UsageError(
            f"--output {fmt} {printable(values[1], 120)}: this names the report file, and no "
            "CONTEXT or IMAGE is given",
            hint=f"put what to test first (emu test -c SPEC TARGET -o {fmt} REPORT), or name "
            "the report with --test-report",
        )
    return fmt, file


def _target(args: argparse.Namespace) -> str | None:
    """What to test: --image (CST's flag), --image-from-oci-layout, or the positional."""
    given = [
        (flag, value)
        for flag, value in (
            ("CONTEXT|IMAGE", args.target),
            ("--image", args.image),
            ("--image-from-oci-layout", args.image_from_oci_layout),
        )
        if value
    ]
    if len(given) > 1:
        raise UsageError(
            f"{given[0][0]} and {given[1][0]} both name what to test", hint="give one of them"
        )
    if args.image_from_oci_layout and not os.path.isfile(
        os.path.join(args.image_from_oci_layout, "oci-layout")
    ):
        raise UsageError(f"--image-from-oci-layout {args.image_from_oci_layout}: no oci-layout")
    return given[0][1] if given else None


def run_test(args: argparse.Namespace) -> int:
    from emu.grading.evaluation import evaluate
    from emu.grading.loader import load
    from emu.grading.report import Report, to_json, to_junit
    from emu.grading.run import default_target, subject_for

    given = _target(args)
    fmt, file = _output(args, given)
    if args.no_color:
        from emu.cli._console import out

        out().no_color = True
    reports: list[Report] = []
    for config in args.config:
        spec = load(config, strict=args.strict)
        overrides: dict[str, Any] = {}
        if args.stage:
            overrides["target"] = args.stage
        if args.build_arg:
            extra = dict(spec.build.build_args)
            for item in args.build_arg:
                key, eq, value = item.partition("=")
                extra[key] = value if eq else os.environ.get(key, "")
            overrides["build_args"] = tuple(extra.items())
        if overrides:
            spec = replace(spec, build=replace(spec.build, **overrides))
        target = given or default_target(spec)
        if target is None:
            raise UsageError(
                "nothing to test: give an image or a context",
                hint="emu test --image IMAGE --config SPEC.yaml (or name one in the emu file "
                "SPEC.emu.yaml: context: PATH)",
            )
        if args.sandbox and os.path.isdir(target):
            report = _sandboxed(spec, target)
        else:
            report = evaluate(spec, subject_for(target, spec))
        reports.append(report)
    if fmt == "text" or file:
        for report in reports:
            _print_report(report, quiet=args.quiet)
    if fmt != "text":
        if fmt == "json":
            text = (
                to_json(reports[0])
                if len(reports) == 1
                else json.dumps([r.to_dict() for r in reports], indent=2) + "\n"
            )
        else:
            text = to_junit(reports, suite_name=args.junit_suite_name)
        if file:
            from emu.outputs import write_file

            write_file(file, text.encode("utf-8"), f"the {fmt} report")
        else:
            from emu.cli._console import write

            write(text)
    return 0 if all(r.ok for r in reports) else 1


def _sandboxed(spec: Any, target: str) -> Any:
    """``emu test --sandbox``: the context built and tested as ``emu grade`` does it, in a
    worker process under the spec's limits (its address space capped at maxMemory, killed
    after hardTimeout), so what the build costs is bounded and reported as a limit."""
    from emu.errors import BuildError
    from emu.grading import grade as grading
    from emu.grading.evaluation import Subject, evaluate

    g = grading.grade(spec, [grading.Submission(target, target)], jobs=1)[0]
    report = g.report
    if report is None:  # nothing was built: a limit, a timeout, a refusal, a crash
        report = evaluate(spec, Subject(target, error=BuildError(g.message.splitlines()[0])))
    report.subject = target
    report.warnings.extend(g.violations)
    return report


def _lines(text: str) -> list[str]:
    """Text from a submission (messages, output) as lines safe to print: each escaped."""
    from emu.fs.names import shown

    return [shown(line) for line in text.splitlines()] or [""]


def _print_report(report: Any, *, quiet: bool = False) -> None:
    from rich.text import Text

    from emu.cli._console import out
    from emu.fs.names import shown

    console = out()
    head = Text()
    head.append("emu test ", style="bold")
    head.append(shown(f"{report.spec}"), style="cyan")
    head.append(" against ")
    head.append(shown(f"{report.subject}"), style="cyan")
    console.print(head)
    for w in report.warnings:
        console.print(Text(f"  warning: {shown(w)}", style="yellow"))
    if report.build_error:
        for n, text in enumerate(_lines(report.build_error)):
            console.print(Text(("  build failed: " if n == 0 else "    ") + text, style="red"))
    for r in report.results:
        if quiet and r.passed:
            continue
        line = Text("  ")
        line.append(f"{_STATUS_WORD[r.status]:<5}", style="bold " + _STATUS_STYLE[r.status])
        line.append(f" {shown(r.name)}")
        if r.weight != 1:
            line.append(f"  [{r.score:g}/{r.weight:g}]", style="dim")
        console.print(line)
        if not r.passed:
            for m in r.messages:
                for text in _lines(m):
                    console.print(
                        Text(f"        {text}", style="dim" if r.status == "skip" else "")
                    )
            if r.observed and r.status != "skip":
                for n, text in enumerate(_lines(r.observed)):
                    console.print(Text(("        observed: " if n == 0 else "        ") + text,
                                       style="dim"))  # fmt: skip
    summary = Text("  ")
    summary.append(f"{report.passed} passed", style="green")
    summary.append(", ")
    summary.append(f"{report.failed} failed", style="red" if report.failed else "")
    if report.errors:
        summary.append(f", {report.errors} errors", style="magenta")
    if report.skipped:
        summary.append(f", {report.skipped} skipped", style="yellow")
    summary.append(f"  score {report.score:g}/{report.max_score:g}  ({report.duration:.2f} s)")
    console.print(summary)


# --- emu grade -----------------------------------------------------------------------------


def run_grade(args: argparse.Namespace) -> int:
    from emu.grading import grade as grading
    from emu.grading.loader import load

    spec = load(args.spec)
    if args.max_seconds is not None:
        spec = replace(spec, limits=replace(spec.limits, max_seconds=args.max_seconds))
    if args.merge:
        if args.submissions or args.shard or args.single:
            raise UsageError("--merge reads shards' results: no SUBMISSIONS_DIR, --shard, --single")
        grades, kept, seconds = grading.merge_shards(args.merge)
        written = grading.write_outputs(grades, spec, args.out, seconds=seconds, notes=kept)
        if not args.quiet:
            _print_grades(grades, spec, seconds, written, kept)
        return 1 if any(g.status == grading.INTERNAL for g in grades) else 0
    if args.submissions is None:
        raise UsageError("give SUBMISSIONS_DIR (or --merge SHARD_OUT…)")
    root = Path(args.submissions)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder of submissions")
    notes: list[str] = []
    if args.single:
        subs = [grading.Submission(root.name or "submission", str(root))]
    else:
        subs, notes = grading.discover(root)
    if not subs:
        raise UsageError(f"no submissions in {root}", hint="each submission is a sub-folder")
    try:  # a --out that cannot be written fails now, not after the last submission
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot write the grades to {args.out}: {exc.strerror or exc}",
            hint="give --out a folder emu can create and write",
        ) from None
    shard = grading.Shard.parse(args.shard) if args.shard else None
    positions = shard.positions(len(subs)) if shard else list(range(len(subs)))
    total = len(subs)
    subs = [subs[i] for i in positions]
    started = time.perf_counter()
    # Each submission's Gradescope file is written as soon as it is graded, by the worker
    # that graded it, instead of a thousand files written after the last one.
    files = None if args.single else grading.GradescopeFiles(args.out, [s.name for s in subs])
    # And each one's grades.json entry is written as its grade arrives, while the workers
    # grade the rest, rather than all of them after the last grade.
    prepared: dict[str, Any] | None = None if shard else {}  # (a shard's entries differ)
    grades = _grade_with_progress(grading, spec, subs, args, files, prepared) if subs else []
    seconds = time.perf_counter() - started
    written = grading.write_outputs(
        grades,
        spec,
        args.out,
        single=args.single,
        seconds=seconds,
        notes=notes,
        shard=shard,
        positions=positions,
        total=total,
        gradescope_files=files,
        prepared=prepared,
    )
    if not args.quiet:
        _print_grades(grades, spec, seconds, written, notes)
    return 1 if any(g.status == grading.INTERNAL for g in grades) else 0


def _grade_with_progress(
    grading: Any,
    spec: Any,
    subs: list[Any],
    args: argparse.Namespace,
    files: Any,
    prepared: dict[str, Any] | None,
) -> list[Any]:
    def arrived(g: Any) -> None:
        if prepared is not None:
            prepared[g.name] = (g, grading.grades_json_entry(g))

    if args.quiet or not sys.stderr.isatty():
        return list(
            grading.grade(
                spec,
                subs,
                jobs=args.jobs,
                on_result=lambda g, _d, _t: arrived(g),
                gradescope_files=files,
            )
        )
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from emu.cli._console import err

    with Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err(),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(subs))

        def step(g: Any, done: int, total: int) -> None:
            arrived(g)
            progress.update(task, completed=done, description=f"{g.name}: {g.score:g}")

        return list(
            grading.grade(spec, subs, jobs=args.jobs, on_result=step, gradescope_files=files)
        )


def _print_grades(
    grades: list[Any], spec: Any, seconds: float, written: list[Path], notes: list[str]
) -> None:
    from rich.table import Table
    from rich.text import Text

    from emu.cli._console import out
    from emu.fs.names import shown
    from emu.grading.grade import GRADED, summary

    console = out()
    for w in spec.warnings:
        console.print(Text(f"warning: {shown(w)}", style="yellow"))
    for n in notes:
        console.print(Text(f"note: {shown(n)}", style="dim"))
    if len(grades) <= 60:
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("submission")
        table.add_column("score", justify="right")
        table.add_column("status")
        table.add_column("failed tests / why")
        for g in grades:
            why = "; ".join(g.failed_tests()) if g.status == GRADED else _lines(g.message)[0]
            style = (
                "green"
                if g.status == GRADED and g.score == g.max_score
                else ("" if g.status == GRADED else "red")
            )
            table.add_row(
                Text(shown(g.name)),
                f"{g.score:g}/{g.max_score:g}",
                Text(g.status, style=style),
                Text(shown(why)[:120]),
            )
        console.print(table)
    s = summary(grades)
    statuses = ", ".join(f"{v} {k}" for k, v in sorted(s["statuses"].items()))
    console.print(
        Text(
            f"{s['submissions']} submissions in {seconds:.1f} s: mean "
            f"{s['mean']:g}/{spec.max_score:g}, median {s['median']:g} ({statuses})"
        )
    )
    if written:
        console.print(
            Text(
                f"wrote {written[0].parent}/: "
                + ", ".join(p.name for p in written if p.parent == written[0].parent),
                style="dim",
            )
        )


__all__ = ["add_parsers", "run_grade", "run_test"]
