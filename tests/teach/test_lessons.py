"""Build-aware checks and multi-stage lessons: each rule, its wording, and `emu check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emu.cli import _console, main
from emu.dockerfile.instructions import load
from emu.engine.builder import BuildOptions, BuildResult, build
from emu.engine.context import from_mapping
from emu.engine.runexec import ShellExecutor
from emu.teach.lessons import RULES, BuildFacts, Finding, run_lessons

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    _console.reset()


def facts(
    dockerfile: str, files: dict[str, str] | None = None, ignore: str | None = None
) -> BuildFacts:
    df = load(dockerfile)
    ctx = from_mapping(files or {}, ignore_text=ignore)
    result: BuildResult | None
    try:
        result = build(df, ctx, BuildOptions(executor=ShellExecutor(permissive=True)))
    except Exception:
        result = None
    return BuildFacts(df, ctx, result)


def found(f: BuildFacts, rule: str) -> list[Finding]:
    return [x for x in run_lessons(f) if x.rule.name == rule]


def test_rules_are_data() -> None:
    names = [r.name for r, _ in RULES]
    assert names == [
        "UndefinedVar",
        "CopyIgnoredFile",
        "CompilerInFinalImage",
        "PackageManagerInFinalImage",
        "HeavyFinalBase",
        "SourceInFinalImage",
        "UnusedStage",
        "CopyFromImageNotStage",
        "DashForHyphens",
        "CdInItsOwnRun",
        "CopyFromCopiedNothing",
        "FilesInRoot",
    ]
    for rule, _ in RULES:
        assert rule.url.startswith("https://docs.docker.com/")
        assert rule.level in ("warning", "info") and rule.needs in ("static", "context", "build")
    assert {r.origin for r, _ in RULES if r.name in ("UndefinedVar", "CopyIgnoredFile")} == {
        "buildkit"
    }


def test_the_tutorials_demo_is_clean() -> None:
    f = facts((DEMO / "Dockerfile").read_text(), {"index.html": "<h1>x</h1>"})
    assert f.result is not None
    assert run_lessons(f) == []


# --- BuildKit's rules -----------------------------------------------------------------------


def test_undefined_var_has_buildkits_wording_and_suggestion() -> None:
    f = facts("FROM busybox\nENV FOO=1\nLABEL a=$FOOO\nWORKDIR /$NOPE\n")
    got = [(x.pos.line, x.message) for x in found(f, "UndefinedVar")]
    assert got == [
        (3, "Usage of undefined variable '$FOOO' (did you mean $FOO?)"),
        (4, "Usage of undefined variable '$NOPE'"),
    ]
    assert found(f, "UndefinedVar")[0].rule.description == (
        "Variables should be defined before their use"
    )


def test_undefined_var_spares_declared_args_and_proxy_args_but_not_globals() -> None:
    f = facts(
        "ARG VERSION=1\nFROM busybox\nARG LATER\nENV A=$LATER B=$HTTP_PROXY\nLABEL v=$VERSION\n"
    )
    got = found(f, "UndefinedVar")
    assert [x.pos.line for x in got] == [5]
    assert "'$VERSION'" in got[0].message
    assert "a global ARG is visible only in FROM lines" in got[0].message


def test_undefined_var_is_not_reported_for_stages_never_built() -> None:
    f = facts("FROM busybox AS unused\nENV X=$NOPE\nFROM busybox\n")
    assert found(f, "UndefinedVar") == []


def test_copy_ignored_file_has_buildkits_wording() -> None:
    f = facts(
        "FROM busybox\nCOPY notes.md /\nADD dist/app.js /\nCOPY ok.txt /\n",
        {"notes.md": "x", "ok.txt": "y", "dist/app.js": "z"},
        ignore="*.md\ndist\n",
    )
    got = found(f, "CopyIgnoredFile")
    assert [(x.pos.line, x.message) for x in got] == [
        (2, 'Attempting to Copy file "notes.md" that is excluded by .dockerignore'),
        (3, 'Attempting to Add file "dist/app.js" that is excluded by .dockerignore'),
    ]
    assert got[0].rule.experimental


def test_copy_ignored_file_ignores_copy_from_and_needs_a_context() -> None:
    df = "FROM busybox AS b\nRUN mkdir /dist\nFROM busybox\nCOPY --from=b /dist /dist\n"
    assert found(facts(df, ignore="dist\n"), "CopyIgnoredFile") == []
    assert found(BuildFacts(load("FROM busybox\nCOPY x.md /\n")), "CopyIgnoredFile") == []


# --- lessons --------------------------------------------------------------------------------


def test_compiler_in_a_single_stage_build() -> None:
    f = facts("FROM golang:1.21\nCOPY main.go .\n", {"main.go": "package main\n"})
    got = found(f, "CompilerInFinalImage")
    assert len(got) == 1 and got[0].pos.line == 1
    assert "the Go toolchain at /usr/local/go/bin/go" in got[0].message
    assert "single-stage build" in got[0].message
    assert "/usr/local/go/bin/go" in got[0].paths


def test_compiler_in_the_final_stage_of_a_multistage_build() -> None:
    f = facts(
        "FROM alpine:3.19 AS b\nRUN true\nFROM rust:latest\nCOPY --from=b /etc/os-release /\n"
    )
    got = found(f, "CompilerInFinalImage")
    assert got and "the Rust toolchain" in got[0].message and "rust:latest" in got[0].message
    assert got[0].pos.line == 3


def test_no_compiler_in_a_runtime_image() -> None:
    f = facts("FROM golang:1.21 AS build\nRUN true\nFROM alpine:3.19\n")
    assert found(f, "CompilerInFinalImage") == []


def test_one_walk_finds_both_tables_tools_as_each_tables_walk_did() -> None:
    """The compiler and package-manager rules share one walk of the final image: the tables
    share no name and no description, and each rule sees what a walk of its own table finds
    (the first path of each tool, in walk order)."""
    from emu.teach.lessons import COMPILERS, PACKAGE_MANAGERS, _final_tools, tools_in

    assert not set(COMPILERS) & set(PACKAGE_MANAGERS)
    assert not set(COMPILERS.values()) & set(PACKAGE_MANAGERS.values())
    for src in ("FROM golang:1.21\n", "FROM node:18\n", "FROM rust:latest\n", "FROM alpine:3.19\n"):
        f = facts(src)
        assert f.result is not None
        for table in (COMPILERS, PACKAGE_MANAGERS, COMPILERS):  # asked again: the same
            _, tools = _final_tools(f, table)
            expected = tools_in(f.result.image, table)
            assert tools == expected and list(tools) == list(expected)
    assert _final_tools(facts("FROM golang:1.21\n"), COMPILERS)[1]  # not a vacuous check


def test_package_manager_is_only_a_note() -> None:
    f = facts("FROM node:18-alpine\n")
    got = found(f, "PackageManagerInFinalImage")
    assert got and got[0].rule.level == "info" and "npm (/usr/local/bin/npm)" in got[0].message


def test_heavy_final_base_suggests_a_runtime_image() -> None:
    f = BuildFacts(load("FROM node:18 AS build\nRUN true\nFROM build\n"))  # static: no build
    got = found(f, "HeavyFinalBase")
    assert len(got) == 1 and got[0].pos.line == 3
    assert "node:18 (998MB on disk, 370MB to download)" in got[0].message
    assert "node:18-alpine" in got[0].message
    assert found(BuildFacts(load("FROM node:18 AS b\nFROM nginx:alpine\n")), "HeavyFinalBase") == []


def test_source_in_final_image() -> None:
    f = facts(
        "FROM alpine:3.19\nWORKDIR /app\nCOPY . .\n",
        {"main.go": "package main\n", "util.go": "package main\n", "README": "hi"},
    )
    got = found(f, "SourceInFinalImage")
    assert len(got) == 1 and got[0].pos.line == 3
    assert "2 source files (/app/main.go, /app/util.go)" in got[0].message
    assert "`COPY . .`" in got[0].message


def test_source_a_later_layer_removed_is_not_in_the_final_image() -> None:
    f = facts(
        "FROM alpine:3.19\nWORKDIR /app\nCOPY src ./src\nRUN rm -rf src\n",
        {"src/main.go": "package main\n", "src/util.go": "package main\n"},
    )
    assert f.result is not None
    assert found(f, "SourceInFinalImage") == []


def test_node_modules_with_dev_packages_or_without_node() -> None:
    files = {"node_modules/react/index.js": "r", "node_modules/typescript/tsc.js": "t"}
    on_node = facts("FROM node:18-alpine\nCOPY node_modules /app/node_modules\n", files)
    got = found(on_node, "SourceInFinalImage")
    assert len(got) == 1 and "development packages (typescript)" in got[0].message
    prod = facts(
        "FROM node:18-alpine\nCOPY node_modules /app/node_modules\n",
        {"node_modules/react/index.js": "r"},
    )
    assert found(prod, "SourceInFinalImage") == []
    static = facts("FROM nginx:alpine\nCOPY node_modules /srv/node_modules\n", files)
    got = found(static, "SourceInFinalImage")
    assert got and "nothing in the final image runs Node.js" in got[0].message


def test_unused_stage() -> None:
    f = BuildFacts(
        load(
            "FROM busybox AS base\nFROM base AS used\nFROM busybox AS lonely\n"
            "FROM busybox AS test\nFROM busybox\nCOPY --from=used / /x\n"
        )
    )
    got = found(f, "UnusedStage")
    assert [(x.pos.line, x.stage) for x in got] == [(3, "lonely"), (4, "test")]
    assert "--target lonely" in got[0].message
    assert "BuildKit skips it" in got[0].message


def test_copy_from_an_image_where_a_stage_was_meant() -> None:
    f = BuildFacts(
        load(
            "FROM golang:1.21 AS builder\nRUN true\nFROM alpine:3.19\n"
            "COPY --from=golang:1.21 /out/app /app\n"
            "COPY --from=buildr /out/app /app\n"
            "COPY --from=node /x /x\n"
            "COPY --from=nginx:alpine /etc/nginx/nginx.conf /n\n"
            "COPY --from=builder /ok /ok\n"
        )
    )
    got = found(f, "CopyFromImageNotStage")
    assert [x.pos.line for x in got] == [4, 5, 6]
    assert "pristine image golang:1.21, not from stage builder" in got[0].message
    assert "write --from=builder" in got[0].message
    assert "did you mean stage builder?" in got[1].message
    assert "image node:latest" in got[2].message and "the stages are: builder" in got[2].message


def test_skip_and_skip_all() -> None:
    f = BuildFacts(load("FROM busybox AS a\nFROM busybox\n"))
    assert found(f, "UnusedStage")
    assert run_lessons(f, skip=frozenset({"UnusedStage"})) == []
    assert run_lessons(f, skip_all=True) == []


# --- emu check ------------------------------------------------------------------------------


def _ctx(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(dockerfile)
    for name, text in (files or {}).items():
        (ctx / name).parent.mkdir(parents=True, exist_ok=True)
        (ctx / name).write_text(text)
    return ctx


def test_static_check_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = _ctx(tmp_path, "FROM busybox AS unused\nFROM busybox\nENV X=$NOPE\n")
    assert main(["check", str(ctx / "Dockerfile")]) == 0
    assert capsys.readouterr().out == "Check complete, no problems found\n"


def test_check_a_directory_runs_the_build_aware_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = _ctx(tmp_path, "FROM busybox AS unused\nFROM busybox\nENV X=$NOPE\n")
    assert main(["check", str(ctx)]) == 1
    out = capsys.readouterr().out
    assert "Dockerfile:1:1: lesson: UnusedStage: stage unused is never used" in out
    assert "Dockerfile:3:1: warning: UndefinedVar: Usage of undefined variable '$NOPE'" in out
    assert "Variables should be defined before their use (https://docs.docker.com/go/" in out
    assert out.endswith("Check complete, 2 problems found\n")


def test_a_failed_build_is_reported_and_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = _ctx(tmp_path, "FROM busybox\nCOPY a.md /\n", {"a.md": "x", ".dockerignore": "*.md\n"})
    assert main(["check", str(ctx)]) == 1
    captured = capsys.readouterr()
    assert 'CopyIgnoredFile: Attempting to Copy file "a.md" that is excluded' in captured.out
    assert "(experimental in BuildKit)" in captured.out
    assert "the build failed, so the checks that need it did not run" in captured.err
    assert "Dockerfile:2:1: error:" in captured.err


def test_check_with_context_json_and_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = _ctx(tmp_path, "FROM busybox\nLABEL a=$NOPE\nCOPY notes.md /\n", {"notes.md": "x"})
    (ctx / ".dockerignore").write_text("notes.md\n")
    code = main(["check", "--format", "json", "--context", str(ctx), str(ctx / "Dockerfile")])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    rules = [(v["rule"], v["line"]) for v in doc["violations"]]
    assert ("CopyIgnoredFile", 3) in rules
    assert doc["build_error"] and "notes.md" in doc["build_error"]
    code = main(["check", "--skip", "CopyIgnoredFile", "--build", str(ctx / "Dockerfile")])
    out = capsys.readouterr().out
    assert code == 1 and "CopyIgnoredFile" not in out  # the failed build still fails the check


def test_check_notes_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = _ctx(tmp_path, "FROM node:18-alpine\nCOPY app.js /app/\n", {"app.js": "1"})
    assert main(["check", str(ctx)]) == 0
    out = capsys.readouterr().out
    assert "note: PackageManagerInFinalImage" in out
    assert "Check complete, no problems found, 1 note" in out


def test_check_unknown_rule_is_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = _ctx(tmp_path, "FROM busybox\n")
    assert main(["check", "--skip", "Nope", str(ctx)]) == 2
    assert "unknown check 'Nope'" in capsys.readouterr().err


# --- the tutorial's use cases ---------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
USE_CASES = ["react-nginx", "go-alpine", "spring-boot", "rust-debian", "typescript-node"]


@pytest.mark.parametrize("name", USE_CASES)
def test_the_multistage_examples_pass_and_their_single_stage_variants_teach(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = EXAMPLES / name
    if not (ctx / "Dockerfile.single-stage").is_file():
        pytest.skip(f"examples/{name} has no single-stage variant")
    assert main(["check", "--format", "json", str(ctx)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["build_error"] is None
    assert all(v["level"] == "info" for v in doc["violations"])
    single = str(ctx / "Dockerfile.single-stage")
    assert main(["check", "--format", "json", "--context", str(ctx), single]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["build_error"] is None
    rules = {v["rule"] for v in doc["violations"]}
    assert {"CompilerInFinalImage", "HeavyFinalBase", "SourceInFinalImage"} <= rules


# --- the lessons of issue 15: secrets, dashes, cd, empty COPY --from, files in / ------------


def test_secrets_used_in_arg_or_env_is_buildkits_static_rule() -> None:
    # BuildKit runs it with the other static checks (emu.dockerfile.checks), not as a lesson.
    from emu.dockerfile.checks import run_checks
    from emu.dockerfile.instructions import load

    df = load("FROM busybox\nENV API_TOKEN=x PUBLIC_KEY=y\nARG DB_PASSWORD\nARG VERSION_KEY\n")
    got = [v for v in run_checks(df).violations if v.rule.name == "SecretsUsedInArgOrEnv"]
    # BuildKit's wording; PUBLIC_KEY and VERSION_KEY are let through as BuildKit lets them.
    assert [x.message for x in got] == [
        'Do not use ARG or ENV instructions for sensitive data (ENV "API_TOKEN")',
        'Do not use ARG or ENV instructions for sensitive data (ARG "DB_PASSWORD")',
    ]
    assert got[0].pos.line == 2
    assert not found(facts("FROM busybox\nENV API_TOKEN=x\n"), "SecretsUsedInArgOrEnv")


def test_an_en_dash_flag_is_named() -> None:
    f = facts("FROM busybox AS b\nFROM busybox\nCOPY \u2013from=b /x /y\n")
    (lesson,) = found(f, "DashForHyphens")
    assert "'\u2013from=b' starts with an en dash (U+2013)" in lesson.message
    assert lesson.message.endswith("type --from=b") and lesson.pos.line == 3


def test_cd_in_its_own_run_teaches_workdir() -> None:
    f = facts("FROM busybox\nRUN cd /app\nRUN touch x\nRUN cd /tmp && touch y\n")
    (lesson,) = found(f, "CdInItsOwnRun")
    assert lesson.pos.line == 2 and "write `WORKDIR /app` instead" in lesson.message


def test_a_copy_from_that_copied_nothing() -> None:
    f = facts(
        "FROM busybox AS builder\nRUN mkdir /out\nFROM busybox\n"
        "COPY --from=builder /out/*.jar /srv/\n"
    )
    (lesson,) = found(f, "CopyFromCopiedNothing")
    assert "copied 0 files from builder" in lesson.message
    assert "`emu ls --stage builder CONTEXT PATH`" in lesson.message


def test_files_landing_in_root_without_a_workdir() -> None:
    f = facts("FROM busybox\nCOPY . .\n", {"app.js": "x", "package.json": "{}"})
    (lesson,) = found(f, "FilesInRoot")
    assert "copied 2 files straight into / (/app.js, /package.json)" in lesson.message
    assert "add `WORKDIR /app` before it" in lesson.message
    assert not found(facts("FROM busybox\nWORKDIR /app\nCOPY . .\n", {"a": "x"}), "FilesInRoot")


def test_build_counts_lessons_and_prints_warnings_as_docker_27(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox\nENV API_TOKEN=x\nRUN cd /tmp\nCMD echo hi\n")
    assert main(["build", "--progress", "plain", str(ctx)]) == 0
    err = capsys.readouterr().err
    assert "#1 WARN: JSONArgsRecommended: JSON arguments recommended for CMD" in err
    assert "\n 2 warnings found (use docker --debug to expand):\n" in err
    assert (
        " - SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data "
        '(ENV "API_TOKEN") (line 2)\n' in err
    )
    assert "(line 4)" in err and "1 lesson for this build (CdInItsOwnRun)" in err
    assert f"emu check --context {ctx} Dockerfile" in err


def test_unused_stage_follows_from_arg_and_onbuild_triggers() -> None:
    # FROM ${BASE} names builder through the ARG's default; an ONBUILD of a stage some
    # stage is built FROM runs there, so what its COPY --from / RUN --mount from= names is
    # used; an ONBUILD of a stage nothing is built FROM never runs in this Dockerfile.
    dockerfile = (
        "ARG BASE=builder\n"
        "FROM scratch AS builder\n"
        "FROM scratch AS assets\n"
        "FROM scratch AS cache\n"
        "FROM scratch AS orphan\n"
        "FROM scratch AS base\n"
        "ONBUILD COPY --from=assets / /a\n"
        "ONBUILD RUN --mount=type=bind,from=cache,target=/c true\n"
        "FROM base AS child\n"
        "FROM scratch AS leaf\n"
        "ONBUILD COPY --from=orphan / /o\n"
        "FROM ${BASE}\n"
        "COPY --from=child / /c\n"
    )
    static = found(BuildFacts(load(dockerfile)), "UnusedStage")
    assert [(x.pos.line, x.stage) for x in static] == [(5, "orphan"), (10, "leaf")]
    assert "nor an ONBUILD trigger that runs" in static[0].message


def test_unused_stage_with_the_build_follows_build_args_and_image_triggers() -> None:
    from dataclasses import replace

    from emu.engine.builder import SCRATCH

    # --build-arg BASE=other: the build's own resolution decides, not the ARG's default.
    df = load("ARG BASE=builder\nFROM scratch AS builder\nFROM scratch AS other\nFROM ${BASE}\n")
    r = build(df, from_mapping({}), BuildOptions(build_args={"BASE": "other"}))
    got = found(BuildFacts(df, from_mapping({}), r), "UnusedStage")
    assert [x.stage for x in got] == ["builder"]
    # An image's ONBUILD COPY --from names a stage only its config tells: the build used it.
    onbuild = replace(
        SCRATCH, config=replace(SCRATCH.config, on_build=("COPY --from=assets / /a",))
    )
    df = load("FROM scratch AS assets\nCOPY a /a\nFROM onbuild:1\n")
    ctx = from_mapping({"a": "1"})
    r = build(df, ctx, BuildOptions(resolve_image=lambda ref: onbuild))
    assert found(BuildFacts(df, ctx, r), "UnusedStage") == []
    assert found(BuildFacts(df, ctx), "UnusedStage")[0].stage == "assets"  # static: unknown


def test_heavy_final_base_sees_through_from_arg() -> None:
    f = BuildFacts(load("ARG IMG=golang:1.21\nFROM scratch AS x\nFROM ${IMG}\nRUN true\n"))
    got = found(f, "HeavyFinalBase")
    assert got and "golang:1.21" in got[0].message
