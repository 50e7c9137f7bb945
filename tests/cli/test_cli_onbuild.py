"""ONBUILD triggers and ``FROM ${ARG}`` as a student meets them in ``emu build``'s progress
(plain, tty, classic) and summary, and in ``emu ls``, ``emu tree`` and ``emu explain``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from emu.cli import _console, main

ONBUILD_FROM = (
    "FROM scratch AS assets\n"  # 1
    "COPY a.txt /out/asset.txt\n"  # 2
    "FROM scratch AS base\n"  # 3
    "ONBUILD COPY --from=assets /out /assets\n"  # 4
    "COPY b.txt /base/\n"  # 5
    "FROM base AS child\n"  # 6
    "COPY b.txt /child/\n"  # 7
)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    h = tmp_path / "emu-home"
    monkeypatch.setenv("EMU_HOME", str(h))
    monkeypatch.delenv("NO_COLOR", raising=False)
    _console.reset()
    yield h
    _console.reset()


def context(tmp_path: Path, dockerfile: str, name: str = "ctx") -> Path:
    ctx = tmp_path / name
    ctx.mkdir()
    (ctx / "a.txt").write_text("asset\n")
    (ctx / "b.txt").write_text("base\n")
    (ctx / "Dockerfile").write_text(dockerfile)
    return ctx


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> tuple[str, str]:
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


def vertices(err: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^#\d+ (\[.*)$", err, re.M)]


def test_plain_builds_what_a_trigger_copies_from_before_the_stage_that_runs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "build", "--progress", "plain", str(context(tmp_path, ONBUILD_FROM)))
    assert vertices(err) == [
        "[internal] load build definition from Dockerfile",
        "[internal] load .dockerignore",
        "[internal] load build context",
        "[base 1/1] COPY b.txt /base/",
        "[assets 1/1] COPY a.txt /out/asset.txt",
        "[child 1/2] ONBUILD COPY --from=assets /out /assets",
        "[child 2/2] COPY b.txt /child/",
    ]
    # the summary: the trigger's copy crossed, the final stage's base is not discarded
    assert re.search(r"discarded assets +FROM scratch", err)
    assert re.search(r"\n base +base +FROM scratch +5B\n", err)
    assert "its layers are the first layers of the final image" in err
    assert " assets → child: 1 file, 6B\n" in err
    assert (
        "   ONBUILD COPY --from=assets /out /assets "
        "(Dockerfile:4, ONBUILD of stage base, run in stage child)"
    ) in err
    assert "Nothing crossed" not in err and "UnusedStage" not in err


def test_tty_lists_the_trigger_after_what_it_copies_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "build", "--progress", "tty", str(context(tmp_path, ONBUILD_FROM)))
    rows = [
        line for line in err.splitlines() if line.startswith(" => [") and "[internal]" not in line
    ]
    steps = [row.split("] ", 1)[1].rsplit(" ", 1)[0].strip() for row in rows]
    assert steps == [
        "COPY b.txt /base/",
        "COPY a.txt /out/asset.txt",
        "ONBUILD COPY --from=assets /out /assets",
        "COPY b.txt /child/",
    ]


def test_classic_prints_the_trigger_under_its_stages_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = (
        "FROM busybox AS tools\nRUN mkdir /out && echo tool > /out/t\n"
        "FROM busybox AS base\nONBUILD COPY --from=tools /out /tools\n"
        "ONBUILD RUN cat /tools/t\nFROM base\nRUN echo child\n"
    )
    _, err = run(capsys, "build", "--progress", "classic", str(context(tmp_path, dockerfile)))
    lines = err[: err.index("Stages:")].splitlines()
    start = lines.index("Step 6/7 : FROM base")
    assert lines[start : start + 5] == [
        "Step 6/7 : FROM base",
        " ---> stage base, built above",
        " ---> ONBUILD COPY --from=tools /out /tools (a trigger of the base image)",
        " ---> ONBUILD RUN cat /tools/t (a trigger of the base image)",
        "  | tool",
    ]
    # what the trigger copies from was built before that FROM
    assert lines.index("Step 2/7 : RUN mkdir /out && echo tool > /out/t") < start
    assert lines[start + 5] == "Step 7/7 : RUN echo child"


def test_ls_tree_and_explain_cite_the_onbuild_line_and_the_stage_that_ran_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "build", "-q", "-t", "ob", str(context(tmp_path, ONBUILD_FROM)))
    out, _ = run(capsys, "ls", "ob", "/assets")
    assert out.rstrip().endswith(
        "asset.txt  ← Dockerfile:4 (ONBUILD of stage base, run in stage child)"
    )
    out, _ = run(capsys, "ls", "--format", "json", "ob", "/assets")
    (entry,) = json.loads(out)
    assert (entry["line"], entry["stage"], entry["onbuild_of"]) == (4, "child", "stage base")
    assert entry["instruction"] == "ONBUILD COPY --from=assets /out /assets"
    tree, _ = run(capsys, "tree", "ob")
    assert re.search(r"assets/ +drwxr-xr-x 0:0 6B  ← Dockerfile:4 \(ONBUILD of stage base", tree)
    out, _ = run(capsys, "explain", "ob", "/assets/asset.txt")
    assert (
        "  ← ONBUILD COPY --from=assets /out /assets  "
        "(Dockerfile:4, ONBUILD of stage base, run in stage child)\n"
        "assets:/out/asset.txt\n"
        "  ← COPY a.txt /out/asset.txt  (Dockerfile:2, stage assets)\n"
        "context:a.txt\n"
    ) in out
    out, _ = run(capsys, "explain", "--format", "json", "ob", "/assets/asset.txt")
    hops = json.loads(out)["hops"]
    assert hops[0]["line"] == 4 and hops[0]["onbuild_of"] == "stage base"
    assert "onbuild_of" not in hops[1]
    for argv in (["ls", "-R", "ob"], ["tree", "ob"], ["explain", "ob", "/base/b.txt"]):
        assert "Dockerfile:0" not in run(capsys, *argv)[0]


def test_an_images_triggers_cite_the_from_and_load_the_context_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = context(
        tmp_path,
        "FROM scratch\nONBUILD COPY --from=assets /out /assets\nONBUILD COPY b.txt /app/\n",
        "base",
    )
    run(capsys, "build", "-q", "-t", "obbase", str(base))
    app = context(
        tmp_path,
        "FROM busybox AS assets\nRUN mkdir /out && echo asset > /out/asset.txt\n"
        "FROM obbase AS app\n",
        "app",
    )
    _, err = run(capsys, "build", "--progress", "plain", "-t", "obapp", str(app))
    # what the trigger copies from first; the context is loaded before a trigger reads it
    assert vertices(err)[3:] == [
        "[assets 1/2] FROM docker.io/library/busybox:latest",
        "[assets 2/2] RUN mkdir /out && echo asset > /out/asset.txt",
        "[app 1/3] FROM docker.io/library/obbase:latest",
        "[app 2/3] ONBUILD COPY --from=assets /out /assets",
        "[internal] load build context",
        "[app 3/3] ONBUILD COPY b.txt /app/",
    ]
    assert (
        "   ONBUILD COPY --from=assets /out /assets "
        "(Dockerfile:3, ONBUILD of image obbase, run in stage app)"
    ) in err
    assert "UnusedStage" not in err
    out, _ = run(capsys, "ls", "obapp", "/app")
    assert "b.txt  ← Dockerfile:3 (ONBUILD of image obbase, run in stage app)" in out


def test_a_failing_trigger_is_reported_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a stage's trigger: at its ONBUILD, on the instruction it wraps
    ctx = context(tmp_path, "FROM scratch AS base\nONBUILD COPY missing.txt /\nFROM base\n")
    _, err = run(capsys, "build", "--progress", "plain", str(ctx), code=1)
    assert "Dockerfile:2:9: error: " in err and '"/missing.txt": not found' in err
    # an image's trigger: at the FROM that brought it in (its own text has no line here)
    base = context(tmp_path, "FROM scratch\nONBUILD COPY missing.txt /\n", "image")
    run(capsys, "build", "-q", "-t", "broken", str(base))
    child = context(tmp_path, "# child\nFROM broken\n", "child")
    _, err = run(capsys, "build", "--progress", "plain", str(child), code=1)
    assert "Dockerfile:2:1: error: ONBUILD trigger 'COPY missing.txt /' of the base image" in err


def test_from_arg_naming_a_stage_is_its_base_not_a_discarded_or_unused_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = (
        "ARG BASE=builder\nFROM scratch AS builder\nCOPY a.txt /a\n"
        "FROM scratch AS unused\nCOPY missing.txt /\nFROM ${BASE}\nCOPY b.txt /b\n"
    )
    ctx = context(tmp_path, dockerfile)
    _, err = run(capsys, "build", "--progress", "plain", str(ctx))
    assert re.search(r"\n base +builder +FROM scratch +6B\n", err)
    assert "discarded builder" not in err and "had builder been shipped" not in err
    assert re.search(r"skipped +unused", err)
    assert "1 lesson for this build (UnusedStage)" in err  # unused, not builder
    out, _ = run(capsys, "check", "--context", str(ctx), str(ctx / "Dockerfile"), code=1)
    assert "stage unused is never used" in out and "stage builder" not in out
    out, _ = run(capsys, "build", "--progress", "quiet", "--format", "json", str(ctx))
    assert [s["status"] for s in json.loads(out)["stages"]] == ["base", "skipped", "final"]
