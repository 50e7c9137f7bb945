"""What the playground page runs in the browser, under Pyodide (in a Web Worker).

The page sends the files it edits and gets back, as JSON, everything it shows: the build
log exactly as ``emu build --progress plain`` prints it (the command line's own output
code, its console pointed at a buffer), the build report's pieces (summary cards, stage
graph, file tree with each file's provenance, from :mod:`emu.teach.report`), the lessons
``emu check`` would give with the context, and the single- against the multi-stage build.
It opens no file outside Pyodide's in-memory filesystem and no network connection.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from emu.errors import EmuError
from emu.records import record

if TYPE_CHECKING:
    from emu.dockerfile.instructions import Dockerfile
    from emu.engine.builder import BuildResult
    from emu.engine.context import Context
    from emu.engine.runexec import ShellExecutor
    from emu.teach.summary import Summary


def _without_lzma() -> None:
    """Pyodide's npm package leaves ``lzma`` out of its standard library (it is a package of
    its own, which the playground does not ship), and emu's archive readers import it. A
    stand-in lets emu import; an xz archive then fails to decompress, as corrupt data does.
    """
    import sys
    import types

    try:
        import lzma  # noqa: F401
    except ImportError:
        stand_in = types.ModuleType("lzma", "xz is not available in this Python")

        class LZMAError(Exception):
            pass

        def unavailable(*args: object, **kwargs: object) -> Any:
            raise LZMAError("xz data cannot be read here: this Python has no lzma module")

        stand_in.LZMAError = LZMAError  # type: ignore[attr-defined]
        stand_in.decompress = unavailable  # type: ignore[attr-defined]
        stand_in.LZMAFile = unavailable  # type: ignore[attr-defined]
        sys.modules["lzma"] = stand_in


_without_lzma()

DOCKERFILE = "Dockerfile"
SINGLE_STAGE = "Dockerfile.single-stage"
# The time the tutorial's builds are dated (2025-01-01), as SOURCE_DATE_EPOCH dates a
# reproducible build: an image ID carries its config's `created`, and with one fixed time
# the playground's IDs are the README walkthrough's (tests/support/walkthrough.py).
TUTORIAL_EPOCH = 1735689600


def dated_image_id(result: BuildResult) -> str:
    """The image ID ``emu build`` gives ``result`` without a cache, at SOURCE_DATE_EPOCH
    (default :data:`TUTORIAL_EPOCH`)."""
    from emu.cli._build import epoch_from, finish
    from emu.store import image_id

    epoch = epoch_from({})
    epoch = TUTORIAL_EPOCH if epoch is None else epoch
    dated = finish(result, (), None, epoch, epoch)
    return image_id(dated.image, source_date_epoch=epoch)


# The last build, so "explain" can look into any of its stages without building again.
_last: list[BuildResult] = []


@record(frozen=True, slots=True)
class _Built:
    result: BuildResult
    summary: Summary
    executor: ShellExecutor
    dockerfile: Dockerfile
    context: Context


@contextlib.contextmanager
def _console() -> Iterator[io.StringIO]:
    """The command line's consoles, writing into one buffer (plain text: not a terminal)."""
    from emu.cli import _console

    buf = io.StringIO()
    _console.reset()
    try:
        with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(buf):
            yield buf
    finally:
        _console.reset()


def _build(files: dict[str, str], name: str, target: str | None, args: dict[str, str]) -> _Built:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import from_mapping
    from emu.engine.runexec import ShellExecutor
    from emu.teach.summary import summarize

    text = files[name]
    ctx = from_mapping(files)
    executor = ShellExecutor()
    try:
        df = load(text, name)
        result = build(
            df, ctx, BuildOptions(executor=executor, target=target or None, build_args=args)
        )
    except EmuError as exc:
        if exc.file == name:
            exc.with_source(text)
        raise
    return _Built(result, summarize(result), executor, df, ctx)


def build(request: str) -> str:
    """``{"files": {PATH: TEXT}, "target": STAGE?, "build_args": {K: V}?}`` → the page's
    JSON (``ok`` false with the error's log and position when the build fails)."""
    from emu.cli._build import _classic
    from emu.cli._console import err, report_error
    from emu.cli._summary import print_summary

    req = json.loads(request)
    files: dict[str, str] = req["files"]
    target = req.get("target") or None
    args: dict[str, str] = req.get("build_args") or {}
    started = time.perf_counter()
    if DOCKERFILE not in files:
        return json.dumps({"ok": False, "log": "error: the context has no Dockerfile\n"})
    with _console() as log:
        try:
            built = _build(files, DOCKERFILE, target, args)
        except EmuError as exc:
            report_error(exc, exc.source)
            where = exc.pos
            return json.dumps(
                {
                    "ok": False,
                    "log": log.getvalue(),
                    "error": {
                        "message": exc.message,
                        "file": exc.file or "",
                        "line": where.line if where is not None else 0,
                        "column": where.column if where is not None else 0,
                    },
                    "lessons": _static_lessons(files[DOCKERFILE]),
                    "seconds": time.perf_counter() - started,
                }
            )
        _classic(built.result, built.summary, built.executor)
        print_summary(built.summary, err())
        log.write(f"Successfully built {dated_image_id(built.result)[7:19]}\n")
    _last[:] = [built.result]
    return json.dumps(
        {
            "ok": True,
            "log": log.getvalue(),
            "excluded": sorted(built.context.excluded),
            **_pictures(built),
            "lessons": _lessons(built),
            "comparison": _comparison(built, files, args),
            "seconds": time.perf_counter() - started,
        }
    )


def _pictures(built: _Built) -> dict[str, Any]:
    from emu.teach.report import cards, crossings, file_tree, stage_graph, subtitle

    s = built.summary
    tree, records = file_tree(built.result, s)
    return {
        "subtitle": subtitle(s),
        "cards": cards(s),
        "graph": stage_graph(s),
        "crossings": crossings(s),
        "tree": tree,
        "records": records,
        "stages": [{"name": st.name, "status": st.status, "size": st.size} for st in s.stages],
    }


def _finding(rule: Any, pos: Any, message: str, level: str, stage: str = "") -> dict[str, Any]:
    return {
        "rule": rule.name,
        "description": rule.description,
        "url": rule.url,
        "message": message,
        "line": pos.line,
        "column": pos.column,
        "level": level,
        "stage": stage,
    }


def _static_lessons(text: str) -> list[dict[str, Any]]:
    """The static checks alone (a Dockerfile that does not build may still parse)."""
    from emu.dockerfile.checks import run_checks
    from emu.dockerfile.instructions import load

    try:
        report = run_checks(load(text, DOCKERFILE))
    except EmuError:
        return []
    return [_finding(v.rule, v.pos, v.message, "warning") for v in report.violations]


def _lessons(built: _Built) -> list[dict[str, Any]]:
    """What ``emu check --context`` says: BuildKit's checks, then the build-aware ones and
    emu's multi-stage lessons (``note`` for those that teach without failing)."""
    from emu.dockerfile.checks import run_checks
    from emu.teach.lessons import BuildFacts, run_lessons

    out = [
        _finding(v.rule, v.pos, v.message, "warning")
        for v in run_checks(built.dockerfile).violations
    ]
    for f in run_lessons(BuildFacts(built.dockerfile, built.context, built.result)):
        level = (
            "note"
            if f.rule.level == "info"
            else ("lesson" if f.rule.origin == "emu" else "warning")
        )
        out.append(_finding(f.rule, f.pos, f.message, level, f.stage))
    out.sort(key=lambda d: (d["line"], d["column"], d["rule"]))
    return out


def _comparison(built: _Built, files: dict[str, str], args: dict[str, str]) -> dict[str, Any]:
    """The multi-stage image against the single-stage one: ``Dockerfile.single-stage`` in
    the context when there is one, else each discarded stage as if it had been shipped."""
    from emu.teach.lessons import BuildFacts, run_lessons

    s = built.summary
    multi = {"label": "multi-stage (Dockerfile)", "size": s.final_size, "base": s.root_base}
    rows: list[dict[str, Any]] = [multi]
    note = ""
    if SINGLE_STAGE in files:
        try:
            single = _build(files, SINGLE_STAGE, None, args)
        except EmuError as exc:
            note = f"{SINGLE_STAGE} did not build: {exc}"
        else:
            lessons = run_lessons(BuildFacts(single.dockerfile, single.context, single.result))
            rows.append(
                {
                    "label": f"single-stage ({SINGLE_STAGE})",
                    "size": single.summary.final_size,
                    "base": single.summary.root_base,
                    "lessons": sorted({f.rule.name for f in lessons}),
                }
            )
    else:
        for st in s.stages:
            if st.status == "built" and st.size is not None:
                rows.append(
                    {
                        "label": f"stage {st.name} shipped instead",
                        "size": st.size,
                        "base": st.root_base,
                    }
                )
        if len(rows) == 1:
            note = "One stage only: nothing was discarded. Add a builder stage to compare."
    return {"rows": rows, "note": note, "html": _comparison_html(rows, note)}


def _comparison_html(rows: list[dict[str, Any]], note: str) -> str:
    from emu.cli._summary import _ratio
    from emu.teach.fmt import human_size

    def _e(text: object) -> str:
        return html.escape(str(text), quote=True)

    biggest = max(r["size"] for r in rows) or 1
    final = rows[0]["size"] or 1
    out = []
    for i, r in enumerate(rows):
        ratio = "" if i == 0 else f" · {_ratio(r['size'], final)} the multi-stage image"
        lessons = ", ".join(r.get("lessons", ()))
        out.append(
            f'<div class="bar-row {"final" if i == 0 else "built"}">'
            f'<span class="bname">{_e(r["label"])}<small>FROM {_e(r["base"])}</small></span>'
            f'<div class="track"><div class="seg added {"final" if i == 0 else "built"}" '
            f'style="width:max({100 * r["size"] / biggest:.3f}%,3px)"></div></div>'
            f'<span class="bsize">{_e(human_size(r["size"]))}<small>{_e(ratio)}</small>'
            + (f"<small> · lessons: {_e(lessons)}</small>" if lessons else "")
            + "</span></div>"
        )
    if note:
        out.append(f'<p class="muted">{_e(note)}</p>')
    return "".join(out)


def explain(path: str, stage: str = "") -> str:
    """``emu explain`` of ``path`` in the last build (its final image, or ``stage``)."""
    from emu.fs import clean
    from emu.teach.explain import explain as chain
    from emu.teach.explain import moral, oneline

    if not _last:
        return json.dumps({"ok": False, "message": "build first"})
    result = _last[0]
    try:
        hops = chain(result, clean(path), stage=stage or None)
    except EmuError as exc:
        return json.dumps({"ok": False, "message": str(exc)})
    final = stage or result.target.name
    return json.dumps(
        {
            "ok": True,
            "path": hops[0].path,
            "chain": [str(h) for h in hops],
            "oneline": oneline(hops, result.dockerfile.file),
            "lesson": moral(hops, final),
        }
    )
