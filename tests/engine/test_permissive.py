"""--permissive is honest: what emu cannot do is a warning and a no-op for that command
only (never a silent no-op for the rest of the build), downloads leave marked placeholders,
the summary counts what was skipped and ``emu explain`` marks placeholder and model files.
"""

from __future__ import annotations

import pytest

import emu
from emu.engine.builder import BuildResult
from emu.errors import BuildError
from emu.fs import File
from emu.sh import permissive
from emu.teach.explain import content_mark
from emu.teach.summary import skipped_lines, summarize

ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 57  # a binary emu has no model of


def build(dockerfile: str, permissive_: bool = True, **files: bytes) -> BuildResult:
    context: dict[str, bytes | str] = {"Dockerfile": dockerfile, **files}
    return emu.build(context, permissive=permissive_)


def read(result: BuildResult, path: str) -> bytes:
    node = result.image.rootfs.fs().lookup(path)
    assert isinstance(node, File), path
    data = node.data
    assert data is not None
    return data


def exists(result: BuildResult, path: str) -> bool:
    return result.image.rootfs.fs().lookup(path) is not None


FROB = "COPY --chmod=755 frob /usr/local/bin/frob\n"


def test_an_unemulated_program_is_skipped_and_the_rest_of_the_run_goes_on() -> None:
    result = build(
        "FROM alpine:3.19\n" + FROB + "RUN set -e; frob --init; echo after > /after\n",
        frob=ELF,
    )
    assert read(result, "/after") == b"after\n"  # set -e did not stop at the skipped command
    skipped = [(r.kind, r.what, r.line) for r in result.target.skipped]
    assert skipped == [("program", "frob", 3)]


def test_strict_still_fails_on_an_unemulated_program() -> None:
    with pytest.raises(BuildError) as info:
        build("FROM alpine:3.19\n" + FROB + "RUN frob\n", permissive_=False, frob=ELF)
    assert "'frob' is not emulated" in info.value.message
    assert info.value.hint is not None and "--permissive" in info.value.hint


def test_a_real_failure_after_a_skipped_program_still_fails_the_build() -> None:
    with pytest.raises(BuildError) as info:
        build("FROM alpine:3.19\n" + FROB + "RUN frob; false\n", frob=ELF)
    assert "exit code: 1" in info.value.message


def test_an_unemulated_shell_skips_each_run_with_a_warning_not_silently() -> None:
    df = (
        "FROM alpine:3.19\n"
        + FROB
        + 'SHELL ["/usr/local/bin/frob", "-c"]\n'
        + "RUN echo one > /one\n"
        + "RUN echo two > /two\n"
        + 'SHELL ["/bin/sh", "-c"]\n'
        + "RUN echo three > /three\n"
    )
    result = build(df, frob=ELF)
    assert not exists(result, "/one") and not exists(result, "/two")
    assert read(result, "/three") == b"three\n"  # the shell is back: RUN runs again
    assert [(r.what, r.line) for r in result.target.skipped] == [
        ("/usr/local/bin/frob", 4),
        ("/usr/local/bin/frob", 5),
    ]
    lines = skipped_lines(summarize(result))
    assert lines[0].startswith("--permissive skipped 2 commands emu cannot emulate")
    assert "/usr/local/bin/frob at stage-0:4, stage-0:5" in lines[0]
    assert "not the one docker would build" in lines[-1]


def test_a_clean_build_has_no_skipped_lines() -> None:
    result = build("FROM alpine:3.19\nRUN echo hi > /hi\n")
    assert result.target.skipped == ()
    assert skipped_lines(summarize(result)) == []
    assert summarize(result).as_json()["skipped"] == []


# --- downloads ------------------------------------------------------------------------------


def test_curl_writes_a_marked_placeholder_where_the_download_lands() -> None:
    df = (
        "FROM golang:1.22\n"
        "RUN curl -fsSL https://example.com/tool.tar.gz -o /tmp/tool.tar.gz"
        " && tar -xzf /tmp/tool.tar.gz -C /opt && echo done > /done\n"
    )
    result = build(df)
    data = read(result, "/tmp/tool.tar.gz")
    assert permissive.url_of(data) == "https://example.com/tool.tar.gz"
    assert read(result, "/done") == b"done\n"  # tar warned and went on
    (rec,) = result.target.skipped
    assert (rec.kind, rec.what, rec.where) == (
        "download",
        "https://example.com/tool.tar.gz",
        "/tmp/tool.tar.gz",
    )
    node = result.image.rootfs.fs().lookup("/tmp/tool.tar.gz")
    mark = content_mark(node)
    assert mark == (
        "placeholder for https://example.com/tool.tar.gz (download not made: no network, "
        "--permissive)"
    )
    summary = summarize(result)
    assert "wrote 1 placeholder" in skipped_lines(summary)[0]
    assert summary.as_json()["skipped"][0]["where"] == "/tmp/tool.tar.gz"


def test_curl_piped_into_sh_runs_the_placeholder_which_only_warns() -> None:
    result = build("FROM golang:1.22\nRUN curl -fsSL https://get.example.com | sh\n")
    (rec,) = result.target.skipped
    assert rec.where == "-"


def test_strict_curl_fails_as_offline_with_the_hint() -> None:
    with pytest.raises(BuildError) as info:
        build(
            "FROM golang:1.22\nRUN curl -fsSL https://example.com/x -o /x\n",
            permissive_=False,
        )
    assert "exit code: 6" in info.value.message
    assert info.value.hint is not None and "--add-url" in info.value.hint


def test_wget_and_a_checksum_check_of_the_placeholder() -> None:
    df = (
        "FROM alpine:3.19\n"
        "RUN wget -q https://example.com/app.zip -O /app.zip"
        ' && echo "0000000000000000000000000000000000000000000000000000000000000000  /app.zip"'
        " | sha256sum -c - && echo checked > /checked\n"
    )
    result = build(df)
    assert permissive.url_of(read(result, "/app.zip")) == "https://example.com/app.zip"
    assert read(result, "/checked") == b"checked\n"


def test_git_clone_leaves_the_folder_with_a_placeholder() -> None:
    df = "FROM alpine:3.19\nRUN apk add --no-cache git && git clone https://github.com/o/r /src\n"
    result = build(df)
    data = read(result, "/src/EMU-PLACEHOLDER")
    assert permissive.url_of(data) == "https://github.com/o/r"
    assert exists(result, "/src/.git/HEAD")


def test_add_of_an_unmapped_url_is_a_placeholder_in_permissive_only() -> None:
    df = "FROM alpine:3.19\nADD https://example.com/app.jar /app.jar\n"
    result = build(df)
    assert permissive.url_of(read(result, "/app.jar")) == "https://example.com/app.jar"
    assert [(r.kind, r.what, r.where) for r in result.target.skipped] == [
        ("download", "https://example.com/app.jar", "")
    ]
    with pytest.raises(BuildError) as info:
        build(df, permissive_=False)
    assert "emu never opens the network" in info.value.message


def test_model_files_are_marked_by_explain() -> None:
    result = build("FROM debian:bookworm\n")
    mark = content_mark(result.image.rootfs.fs().lookup("/usr/bin/bash"))
    assert mark is not None and mark.startswith("modelled content (size only")
    assert content_mark(result.image.rootfs.fs().lookup("/etc/os-release")) is None


def test_the_placeholder_is_a_script_that_warns() -> None:
    data = permissive.content("https://example.com/a'b")
    assert data.startswith(permissive.MAGIC)
    assert permissive.url_of(data) == "https://example.com/a'b"
    assert permissive.url_of(b"#!/bin/sh\necho hi\n") is None
    assert b"echo 'emu: warning: this file is a placeholder for https://example.com/a'\\''b" in data


# --- consequences of what was skipped ----------------------------------------------------------


BUILD_AND_COPY = (
    "FROM alpine:3.19 AS build\n"
    + FROB
    + "RUN mkdir /out && frob build -o /out/app && echo done > /out/log\n"
    + "FROM alpine:3.19\n"
    + "COPY --from=build /out/app /usr/local/bin/app\n"
    + "COPY --from=build /out/log /log\n"
)


def test_a_copy_of_what_a_skipped_command_did_not_make_is_a_placeholder() -> None:
    result = build(BUILD_AND_COPY, frob=ELF)
    data = read(result, "/usr/local/bin/app")
    assert permissive.url_of(data) == "build:/out/app"
    assert b"--permissive skipped frob in stage build" in data
    assert read(result, "/log") == b"done\n"  # what the stage did make is copied as usual
    (rec,) = result.target.skipped
    assert (rec.kind, rec.what, rec.where) == ("copy", "build:/out/app", "/usr/local/bin/app")
    lines = skipped_lines(summarize(result))
    assert any(line.startswith("--permissive copied 1 placeholder") for line in lines)


def test_a_copy_from_a_stage_that_skipped_nothing_still_fails() -> None:
    df = "FROM alpine:3.19 AS build\nRUN true\nFROM alpine:3.19\nCOPY --from=build /nope /x\n"
    with pytest.raises(BuildError) as info:
        build(df)
    assert 'failed to calculate checksum of ref: "/nope": not found' in info.value.message


def test_after_a_skip_a_command_not_found_is_skipped_with_a_warning() -> None:
    df = "FROM alpine:3.19\n" + FROB + "RUN frob install tool\nRUN tool --init && echo ok > /ok\n"
    result = build(df, frob=ELF)
    assert read(result, "/ok") == b"ok\n"
    assert [(r.what, r.line) for r in result.target.skipped] == [("frob", 3), ("tool", 4)]
    # without an earlier skip, not found is not found
    with pytest.raises(BuildError) as info:
        build("FROM alpine:3.19\nRUN tool --init\n")
    assert "exit code: 127" in info.value.message


def test_a_tool_failing_on_a_placeholder_clone_is_skipped_in_permissive_only() -> None:
    df = (
        "FROM golang:1.22\n"
        "RUN git clone https://github.com/o/tool /src && cd /src && go build -o /tool .\n"
        "RUN echo after > /after\n"
    )
    result = build(df)
    assert read(result, "/after") == b"after\n"
    assert sorted((r.kind, r.what) for r in result.target.skipped) == [
        ("download", "https://github.com/o/tool"),
        ("program", "go"),
    ]
    with pytest.raises(BuildError):
        build(df, permissive_=False)


def test_the_layer_cache_keeps_what_permissive_forgave_and_strict_builds_rerun() -> None:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import BuildOptions
    from emu.engine.builder import build as engine_build
    from emu.engine.cache import MemoryCache
    from emu.engine.context import from_mapping

    df = "FROM alpine:3.19\n" + FROB + "RUN frob; echo done > /done\n"
    ctx = from_mapping({"frob": ELF})
    cache = MemoryCache()
    first = engine_build(load(df), ctx, BuildOptions(permissive=True, cache=cache))
    again = engine_build(load(df), ctx, BuildOptions(permissive=True, cache=cache))
    assert [r.what for r in again.target.skipped] == [r.what for r in first.target.skipped]
    assert any(step.cached for step in again.steps)
    with pytest.raises(BuildError) as info:  # never a permissive result for a strict build
        engine_build(load(df), ctx, BuildOptions(cache=cache))
    assert "'frob' is not emulated" in info.value.message
