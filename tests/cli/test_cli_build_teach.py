"""`emu build` as issue 15 asks: failed builds show their log in every format, warnings after
the build, the layer cache and what it says, messages that teach, compare, diff, ignore."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from emu.cli import _console, main

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"
REACT = Path(__file__).resolve().parents[2] / "examples" / "react-nginx"

NPM_TYPO = """\
FROM node:18 AS builder
WORKDIR /app
COPY package.json .
RUN npm install
COPY . .
RUN npm run biuld
FROM nginx:alpine
COPY --from=builder /app/dist /usr/share/nginx/html
"""


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    h = tmp_path / "emu-home"
    monkeypatch.setenv("EMU_HOME", str(h))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    _console.reset()
    yield h
    _console.reset()


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    ctx = tmp_path / "app"
    (ctx / "src").mkdir(parents=True)
    (ctx / "package.json").write_text('{"name": "app", "scripts": {"build": "vite build"}}\n')
    (ctx / "src" / "app.js").write_text("console.log('hi')\n")
    (ctx / "Dockerfile").write_text(NPM_TYPO)
    return ctx


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> tuple[str, str]:
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


# --- a failed build shows its log, in every format ------------------------------------------


def test_plain_failed_build_prints_every_step_and_the_failing_output(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "build", "--progress", "plain", str(app), code=1)
    # Every step up to the failure, BuildKit's way…
    for step in ("[builder 2/6] WORKDIR /app", "[builder 4/6] RUN npm install"):
        assert re.search(rf"^#\d+ {re.escape(step)}\n#\d+ ", err, re.M)
    # …the failing RUN's output, prefixed with its vertex number and time…
    assert re.search(r'^#\d+ \d\.\d+ npm ERR! Missing script: "biuld"$', err, re.M)
    assert re.search(r"^#\d+ ERROR: process \"/bin/sh -c npm run biuld\" did not", err, re.M)
    # …BuildKit's error block with its last lines, then emu's located error.
    block = err[err.index("------\n > [builder 6/6] RUN npm run biuld:") :]
    assert 'npm ERR! Missing script: "biuld"' in block.split("------")[1]
    assert "Dockerfile:6:1: error: process" in err
    assert "[stage-1" not in err  # the build stopped: the final stage never ran


@pytest.mark.parametrize("mode", ["classic", "tty", "quiet"])
def test_every_format_shows_the_failing_steps_output(
    mode: str, app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "build", "--progress", mode, str(app), code=1)
    assert 'npm ERR! Missing script: "biuld"' in err
    assert "Dockerfile:6:1: error:" in err
    if mode == "classic":
        steps = re.findall(r"^Step (\d)/8 : ", err, re.M)
        assert steps == ["1", "2", "3", "4", "5", "6"]
    if mode == "tty":
        assert " => ERROR [builder 6/6] RUN npm run biuld" in err
        assert " > [builder 6/6] RUN npm run biuld:" in err


def test_a_long_failing_output_is_bounded_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "long"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox\nRUN i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done; exit 3\n"
    )
    _, err = run(capsys, "build", "--progress", "classic", str(ctx), code=1)
    assert "  | line 199\n" in err and "  | line 200\n" not in err
    assert "100 more lines not shown (`emu build --progress plain` prints them all)" in err
    _, err = run(capsys, "build", "--progress", "quiet", str(ctx), code=1)
    assert "[100 earlier lines cut: `emu build --progress plain` prints them all]" in err
    assert "line 299" in err and "line 99\n" not in err


def test_a_failed_build_writes_its_report_page(
    app: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "failed.html"
    _, err = run(capsys, "build", "--progress", "quiet", "--report", str(page), str(app), code=1)
    assert f"Wrote the report of the failed build to {page}" in err
    html = page.read_text()
    assert "the build failed" in html and "stopped at <b>[builder 6/6] RUN npm run biuld" in html
    assert "Missing script: &quot;biuld&quot;" in html
    assert '<td class="state ERROR">ERROR</td>' in html and ">not run</td>" in html
    other = tmp_path / "report.html"
    run(capsys, "report", str(app), "--html", str(other), code=1)
    assert "stopped at <b>[builder 6/6] RUN npm run biuld" in other.read_text()


# --- warnings, -t -----------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["My-App", "my app"])
def test_tags_are_checked_as_docker_checks_them(
    tag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "build", "-t", tag, str(DEMO), code=2)
    assert f'invalid argument "{tag}" for "-t, --tag" flag: invalid reference format' in err


def test_warnings_follow_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = tmp_path / "w"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox\nCMD echo hi\nENTRYPOINT sh\n")
    for mode in ("plain", "classic", "tty"):
        _, err = run(capsys, "build", "--progress", mode, str(ctx))
        assert "\n 2 warnings found (use docker --debug to expand):\n" in err, mode
        assert " - JSONArgsRecommended: JSON arguments recommended for CMD to prevent " in err
        assert "related to OS signals (line 3)\n" in err


# --- the layer cache ------------------------------------------------------------------------


def test_the_cache_says_where_it_broke_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "c"
    (ctx / "src").mkdir(parents=True)
    (ctx / "package.json").write_text('{"name": "c"}\n')
    (ctx / "src" / "app.js").write_text("1\n")
    (ctx / "Dockerfile").write_text(
        "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN cp src/app.js out.js\n"
    )
    _, err = run(capsys, "build", "--progress", "plain", str(ctx))
    assert "CACHED" not in err and "(the first build of this Dockerfile with this cache)" in err
    _, err = run(capsys, "build", "--progress", "plain", str(ctx))
    assert len(re.findall(r"^#\d+ CACHED$", err, re.M)) == 4
    assert "Cache: all 4 steps cached: nothing ran" in err
    (ctx / "src" / "app.js").write_text("2\n")
    _, err = run(capsys, "build", "--progress", "plain", str(ctx))
    assert len(re.findall(r"^#\d+ CACHED$", err, re.M)) == 1  # WORKDIR only
    assert "Cache: 1 of 4 steps cached" in err
    assert " ran from [3/5] COPY . . (Dockerfile:3):\n   COPY . . changed: src/app.js" in err
    assert "lesson: `COPY . .` comes before `RUN npm install`, so every edit" in err
    _, err = run(capsys, "build", "--progress", "classic", "--no-cache", str(ctx))
    assert "Using cache" not in err and "ran from [2/5] WORKDIR /app" in err
    assert "--no-cache" in err


def test_no_cache_filter_reruns_only_that_stage(capsys: pytest.CaptureFixture[str]) -> None:
    """Docker 20.10 (the oracle) has no --no-cache-filter, so no recorded golden covers it:
    current BuildKit's dockerfile2llb marks every step of a named stage IgnoreCache
    (``ds.ignoreCache = opt.Client.IsNoCache(st.Name)``) while the other stages' keys still
    hit — and a COPY --from keyed by content stays cached when the re-run stage made the
    same files. emu follows that."""
    run(capsys, "build", "--progress", "quiet", str(DEMO))
    _, err = run(capsys, "build", "--progress", "plain", "--no-cache-filter", "builder", str(DEMO))
    assert "Cache: 1 of 4 steps cached" in err  # the final stage's COPY --from: same files
    assert re.search(r"#\d+ \[stage-1 2/2\] COPY --from=builder .*\n#\d+ CACHED", err)
    assert (
        "ran from [builder 2/4] WORKDIR /app (Dockerfile:7):\n   --no-cache-filter builder" in err
    )


# --- messages that teach --------------------------------------------------------------------


def test_copy_from_not_found_names_what_the_stage_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "cf"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox AS builder\nWORKDIR /app\nRUN mkdir build Dist && touch build/x\n"
        "FROM busybox\nCOPY --from=builder /app/dist /srv\n"
    )
    _, err = run(capsys, "build", "--progress", "quiet", str(ctx), code=1)
    assert 'error: failed to calculate checksum of ref: "/app/dist": not found' in err
    assert "it has /app/Dist" in err and "did you mean /app/Dist?" in err
    assert "`emu ls --stage builder CONTEXT /app` lists it" in err


def test_a_stage_name_typo_in_from_suggests_the_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "typo"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox AS builder\nRUN mkdir /out\nFROM busybox\nCOPY --from=biulder /out /srv\n"
    )
    _, err = run(capsys, "build", "--progress", "quiet", str(ctx), code=1)
    assert "--from=biulder: no stage is named 'biulder'" in err
    assert "hint: did you mean the stage builder? write --from=builder" in err


def test_an_en_dash_is_named_in_a_dockerfile_and_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "dash"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox AS builder\nRUN mkdir /out\nFROM busybox\nCOPY \u2013from=builder /out /x\n"
    )
    _, err = run(capsys, "build", "--progress", "quiet", str(ctx), code=1)
    assert "'\u2013from=builder' starts with an en dash (U+2013" in err
    assert "type --from=builder" in err
    _, err = run(capsys, "run", "-d", "\u2013name", "web", "nginx:alpine", code=2)
    assert "unknown option '\u2013name': did you mean --name?" in err


# --- compare, diff, ignore, history ---------------------------------------------------------


def test_compare_shows_the_tutorials_step_7(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "c.html"
    out, _ = run(
        capsys, "compare", str(REACT), "-f", "Dockerfile", "-f", "Dockerfile.single-stage",
        "--html", str(page),
    )  # fmt: skip
    assert re.search(r"^final base +nginx:alpine +node:18$", out, re.M)
    assert re.search(r"^final image +63.1MB +1.05GB$", out, re.M)
    assert "Dockerfile's image is 17× smaller: 1.05GB → 63.1MB" in out
    assert "Only in Dockerfile.single-stage's image (not in Dockerfile's):" in out
    assert re.search(r"^  /app/node_modules: \d+ files, [\d.]+MB \(written by it\)$", out, re.M)
    assert re.search(r"a C/C\+\+ compiler \(/usr/bin/(cc|c\+\+|gcc)\)", out)
    assert "17× smaller" in page.read_text()


def test_diff_summary_first_and_depth(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(capsys, "diff", "--stages", str(DEMO), "builder", "stage-1", "--depth", "1")
    assert err.startswith("stage builder → stage stage-1, most changed first:\n  /usr/: ")
    assert "D /app/  2 files, 1.31kB" in out.splitlines()
    assert all(line.count("/") <= 2 for line in out.splitlines())


def test_ignore_explain_before_the_context(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "ignore", "--explain", str(DEMO))
    assert re.search(r"^- README\.md +\(excluded by .*\.dockerignore:6: \*\.md\)$", out, re.M)


def test_history_created_by_uses_the_terminal_width(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "build", "--progress", "quiet", "-t", "my-app", str(DEMO))
    monkeypatch.setenv("COLUMNS", "160")
    _console.reset()
    out, _ = run(capsys, "history", "my-app")
    assert "COPY /app/dist /usr/share/nginx/html # buildkit" in out
    monkeypatch.setenv("COLUMNS", "80")
    _console.reset()
    out, _ = run(capsys, "history", "my-app")
    assert "COPY /app/dist /usr/share/ngin…" in out


def test_the_live_view_shows_the_last_output_lines_under_the_latest_step() -> None:
    import io

    from rich.console import Console

    from emu.cli._progress import Inputs, TtyProgress
    from emu.dockerfile.instructions import load
    from emu.engine.state import BuildPlan, StepEvent

    df = load("FROM busybox\nRUN seq 1 9\nCOPY a /a\n")
    console = Console(file=io.StringIO(), width=80, force_terminal=False)
    view = TtyProgress(console, df, Inputs("Dockerfile", 40, 0, 10))
    view.planned(BuildPlan(("stage-0",), ("busybox",), (0,), ("busybox",)))
    run = StepEvent(0, 2, "RUN seq 1 9", vertex="[2/3] RUN seq 1 9", kind="run")
    view.step_started(run)
    output = "".join(f"{i}\n" for i in range(1, 10)).encode()
    view.step_finished(StepEvent(0, 2, "RUN seq 1 9", vertex=run.vertex, kind="run", output=output))
    frame = view._render().plain
    # BuildKit keeps the last six lines of a step's log under it.
    assert [line for line in frame.splitlines() if line.startswith(" => => #")] == [
        f" => => # {i}" for i in range(4, 10)
    ]
    view.stop()
    assert " => => #" not in view._render().plain
