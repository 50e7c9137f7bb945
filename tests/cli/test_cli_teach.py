"""The teaching commands as a student runs them: build output, images, history, inspect, tag,
rmi, ls, tree, cat, diff, explain and report (text and JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from emu.cli import _console, main

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"
INDEX = "/usr/share/nginx/html/index.html"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    h = tmp_path / "emu-home"
    monkeypatch.setenv("EMU_HOME", str(h))
    monkeypatch.delenv("NO_COLOR", raising=False)
    _console.reset()
    yield h
    _console.reset()


@pytest.fixture()
def my_app(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["build", "--progress", "quiet", "-t", "my-app", str(DEMO)]) == 0
    capsys.readouterr()
    return "my-app"


@pytest.fixture()
def three(tmp_path: Path) -> Path:
    """A build with a stage FROM a stage, a COPY --from, and a stage nothing uses."""
    ctx = tmp_path / "three"
    ctx.mkdir()
    (ctx / "a.txt").write_text("hello\n")
    (ctx / "Dockerfile").write_text(
        "FROM busybox AS base\nWORKDIR /w\nCOPY a.txt .\n"
        "FROM base AS build\nRUN cp a.txt b.txt\n"
        "FROM busybox AS test\nRUN echo never\n"
        "FROM busybox\nCOPY --from=build /w/b.txt /srv/b.txt\n"
    )
    return ctx


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> tuple[str, str]:
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


# --- emu build ------------------------------------------------------------------------------


def test_build_numbers_steps_as_the_tutorial_and_ends_with_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, err = run(capsys, "build", "--progress", "classic", "-t", "my-app", str(DEMO))
    steps = [line for line in err.splitlines() if line.startswith("Step ")]
    assert steps == [
        "Step 1/7 : FROM alpine:3.19 AS builder",
        "Step 2/7 : WORKDIR /app",
        "Step 3/7 : COPY index.html .",
        "Step 4/7 : RUN mkdir dist && cp index.html dist/index.html",
        "Step 5/7 : FROM nginx:alpine",
        "Step 6/7 : COPY --from=builder /app/dist /usr/share/nginx/html",
        "Step 7/7 : EXPOSE 80",
    ]
    assert " ---> nginx:alpine: 62.9MB (26.3MB compressed)" in err
    assert re.search(r"discarded builder +FROM alpine:3.19 +7.4MB", err)
    assert re.search(r"final +stage-1 +FROM nginx:alpine +62.9MB", err)
    assert " builder → stage-1: 1 file, 654B" in err
    assert "Final image: 62.9MB uncompressed" in err
    assert "its base nginx:alpine: 62.9MB (26.3MB compressed, as registries list it)" in err
    assert "added by this Dockerfile: 654B in 1 layer" in err
    # A builder lighter than the final image is no saving, and the summary says so.
    assert "builder (7.4MB) weighs no more than the final image" in err
    assert re.search(r"Successfully built [0-9a-f]{12}\n", err)
    assert "Successfully tagged my-app:latest" in err
    assert "\x1b[" not in err  # not a terminal: plain text


def test_build_output_fits_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(capsys, "build", "--progress", "plain", str(DEMO))
    summary = err[err.index("Stages:") :]
    too_long = [line for line in summary.splitlines() if len(line) > 80]
    # Only the sentence that repeats an instruction as written may run longer.
    assert all("COPY" in line for line in too_long), too_long


def test_skipped_stages_are_said_and_numbered(
    three: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(capsys, "build", "--progress", "classic", str(three))
    assert "Steps 6-7/9 : stage test skipped (the target does not need it)" in err
    assert re.search(r"skipped +test +FROM busybox", err)
    assert "BuildKit never ran its steps 6-7" in err
    assert " build → stage-3: 1 file, 6B" in err
    assert "Step 9/9 : COPY --from=build /w/b.txt /srv/b.txt" in err


def test_quiet_prints_only_the_id_and_q_is_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(capsys, "build", "-q", str(DEMO))
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", out) and err == ""
    out2, _ = run(capsys, "build", "--progress", "quiet", str(DEMO))
    assert out2 == out


def test_build_format_json(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "build", "--progress", "quiet", "--format", "json", "-t", "x", str(DEMO))
    data = json.loads(out)
    assert data["tags"] == ["x:latest"] and data["id"].startswith("sha256:")
    assert [s["status"] for s in data["stages"]] == ["discarded", "final"]
    assert data["crossed"][0] == {
        "from": "builder",
        "from_stage": 0,
        "to": "stage-1",
        "line": 23,
        "instruction": "COPY --from=builder /app/dist /usr/share/nginx/html",
        "files": 1,
        "bytes": 654,
    }
    assert data["base_compressed_size"] == 26310566 and data["final_size"] == 62940654


def test_auto_progress_on_a_terminal_is_a_live_view_and_honours_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from emu.cli._build import progress_mode

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    _console.reset()
    assert progress_mode("auto") == "tty"
    _, err = run(capsys, "build", str(DEMO))
    assert "\x1b[" in err and "[+] Building" in err
    monkeypatch.setenv("NO_COLOR", "1")
    _console.reset()
    _, err = run(capsys, "build", str(DEMO))
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", err)  # no colour codes
    # The second build of the demo: the layer cache answers every step.
    assert " => CACHED [stage-1 2/2] COPY --from=builder /app/dist" in err
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.delenv("NO_COLOR")
    _console.reset()
    assert progress_mode("auto") == "plain"  # captured output is not a terminal


def test_build_report_option_writes_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "r.html"
    _, err = run(capsys, "build", "--progress", "plain", "--report", str(page), str(DEMO))
    assert f"Wrote the build report to {page}" in err
    assert "builder" in page.read_text() and "<svg" in page.read_text()


def test_the_report_never_replaces_a_special_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--report /dev/null` would swap the device for a file: a FIFO (or a device, or a
    symlink) there is refused as an output's dest is, and left as it was."""
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["build", "--progress", "quiet", "--report", str(fifo), str(DEMO)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write the report to {fifo}: it is a FIFO" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# --- images, history, inspect, tag, rmi -----------------------------------------------------


def test_images_lists_the_store_like_docker(
    my_app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run(capsys, "images")
    header, row = out.splitlines()
    assert header.split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    assert re.match(r"my-app +latest +[0-9a-f]{12} +.* ago +62.9MB$", row)
    assert "26.3MB compressed" in err  # the tutorial's ~25 MB, explained
    out, _ = run(capsys, "images", "nosuch")
    assert len(out.splitlines()) == 1
    out, _ = run(capsys, "images", "-q")
    assert re.fullmatch(r"[0-9a-f]{12}\n", out)
    data = json.loads(run(capsys, "images", "--format", "json")[0])
    assert data[0]["Repository"] == "my-app" and data[0]["Size"] == 62940654
    assert data[0]["Base"] == "nginx:alpine" and data[0]["HasBuild"] is True


def test_images_catalog_shows_both_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(capsys, "images", "--catalog", "nginx")
    assert re.search(r"nginx +alpine +[~]?62.9MB +[~]?26.3MB", out)
    assert "COMPRESSED is the registry download size" in err


def test_history_rows_per_layer(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "history", "my-app")
    lines = out.splitlines()
    assert lines[0].split() == ["IMAGE", "CREATED", "BY", "SIZE", "COMMENT"]
    assert re.match(r"[0-9a-f]{12} +EXPOSE map\[80/tcp:\{\}\] +0B", lines[1])
    assert "654B" in lines[2] and "stage-1, Dockerfile:23" in lines[2]
    assert "<base image nginx:alpine>" in lines[3] and "62.9MB" in lines[3]
    assert "26.3MB compressed" in lines[3]
    assert all(len(line) <= 80 for line in lines)
    data = json.loads(run(capsys, "history", "--format", "json", "my-app")[0])
    assert data[1]["Line"] == 23 and data[1]["Size"] == 654
    out, _ = run(capsys, "history", "--stage", "builder", "my-app")
    assert "RUN" in out and "base image alpine:3.19" in out


def test_inspect_is_docker_like_json(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(run(capsys, "inspect", "my-app")[0])[0]
    assert doc["RepoTags"] == ["my-app:latest"] and doc["Id"].startswith("sha256:")
    assert doc["Config"]["Cmd"] == ["nginx", "-g", "daemon off;"]
    assert doc["Config"]["ExposedPorts"] == {"80/tcp": {}}
    assert doc["Size"] == 62940654 and doc["Os"] == "linux"
    assert len(doc["RootFS"]["Layers"]) == 2
    assert doc["Emu"]["Base"] == "nginx:alpine" and doc["Emu"]["BaseCompressedSize"] == 26310566
    assert [s["name"] for s in doc["Emu"]["Build"]["stages"]] == ["builder", "stage-1"]
    out, _ = run(capsys, "inspect", "-f", "{{.Size}} {{json .Config.ExposedPorts}}", "my-app")
    assert out == '62940654 {"80/tcp":{}}\n'  # compact, as docker's json function writes
    # A field docker's image has not: a template that fails as it runs (docker 28: exit 1).
    _, err = run(capsys, "inspect", "-f", "{{.Nope}}", "my-app", code=1)
    assert 'executing "" at <.Nope>: map has no entry for key "Nope"' in err
    doc = json.loads(run(capsys, "inspect", "alpine:3.19")[0])[0]
    assert doc["Emu"]["Source"] == "catalog" and doc["Config"]["Cmd"] == ["/bin/sh"]


def test_tag_and_rmi(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "tag", "my-app", "my-app:v1")
    run(capsys, "tag", "nginx:alpine", "web")
    out, _ = run(capsys, "images")
    assert {line.split()[0] + ":" + line.split()[1] for line in out.splitlines()[1:]} == {
        "my-app:latest",
        "my-app:v1",
        "web:latest",
    }
    out, _ = run(capsys, "rmi", "my-app:v1")
    assert out == "Untagged: my-app:v1\n"  # the image keeps its other tag
    out, _ = run(capsys, "rmi", "my-app", "web")
    assert out.count("Untagged:") == 2 and out.count("Deleted: sha256:") == 2
    _, err = run(capsys, "rmi", "my-app", code=1)
    assert "No such image: my-app" in err
    _, err = run(capsys, "tag", "nosuch:1", "x", code=2)
    assert "No such image" in err


def test_rmi_by_id_removes_every_tag_only_when_forced(
    my_app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "tag", "my-app", "other")
    short = run(capsys, "images", "-q")[0].strip()
    _, err = run(capsys, "rmi", short, code=1)
    assert "referenced in multiple repositories (my-app:latest, other:latest)" in err
    out, _ = run(capsys, "rmi", "-f", short)
    assert out.count("Untagged:") == 2 and f"Deleted: sha256:{short}" in out
    assert run(capsys, "images", "-q")[0] == ""


def test_a_stored_image_is_a_base_for_from(my_app: str, tmp_path: Path) -> None:
    ctx = tmp_path / "child"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM my-app\nRUN test -f /usr/share/nginx/html/index.html\n")
    assert main(["build", "--progress", "quiet", str(ctx)]) == 0


# --- ls, tree, cat, diff --------------------------------------------------------------------


def test_ls_shows_owners_by_name_and_what_the_dockerfile_wrote(
    my_app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run(capsys, "ls", "my-app", "/usr/share/nginx/html")
    assert re.search(r"-rw-r--r-- +root +root +497B +50x.html$", out, re.M)
    assert re.search(r"-rw-r--r-- +root +root +654B +index.html +← Dockerfile:23 \(stage-1\)", out)
    assert "marks what this Dockerfile wrote" in err
    out, _ = run(capsys, "ls", "my-app", "/etc/nginx")
    assert "modules -> /usr/lib/nginx/modules" in out
    out, _ = run(capsys, "ls", "my-app", "/var/cache")
    assert re.search(r"drwx------ +nginx +root +- +nginx/", out) or "nginx/" in out
    data = json.loads(run(capsys, "ls", "--format", "json", "my-app", INDEX)[0])
    assert data[0]["user"] == "root" and data[0]["size"] == 654 and data[0]["line"] == 23
    out, _ = run(capsys, "ls", "--stage", "builder", "my-app", "/app")
    assert "dist/" in out and "index.html" in out
    _, err = run(capsys, "ls", "my-app", "/nope", code=2)
    assert "/nope: no such file or directory in my-app:latest" in err


def test_ls_recursive_and_from_a_context(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "ls", "-R", str(DEMO), "/usr/share/nginx")
    assert "/usr/share/nginx/html/index.html" in out


def test_tree_marks_provenance_and_counts(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "tree", "my-app", "/usr/share/nginx")
    lines = out.splitlines()
    assert lines[0].startswith("/usr/share/nginx/  drwxr-xr-x root:root")
    assert lines[1].startswith("└── html/")
    assert "├── 50x.html" in lines[2] and "-rw-r--r-- root:root 497B" in lines[2]
    assert "└── index.html" in lines[3] and "← Dockerfile:23 (stage-1)" in lines[3]
    assert lines[-1] == "1 directory, 2 files, 1.15kB"
    out, _ = run(capsys, "tree", "-L", "1", "my-app", "/")
    assert "├── etc/" in out and "nginx.conf" not in out
    data = json.loads(run(capsys, "tree", "--format", "json", "my-app", "/usr/share/nginx")[0])
    assert data["children"][0]["children"][1]["path"] == INDEX


def test_cat_prints_bytes_and_says_when_content_is_modelled(
    my_app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run(capsys, "cat", "my-app", INDEX)
    assert out == (DEMO / "index.html").read_text()
    out, err = run(capsys, "cat", "my-app", "/usr/sbin/nginx")
    assert out == ""
    assert "is modelled content" in err and "1.63MB" in err and "not its bytes" in err
    out, _ = run(capsys, "cat", "my-app", "/etc/nginx/modules/../nginx.conf")
    assert "worker_processes" in out or out  # a path through a symlink resolves in the image
    _, err = run(capsys, "cat", "my-app", "/etc", code=2)
    assert "is a directory" in err


def test_diff_two_images(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(capsys, "diff", "nginx:alpine", "my-app")
    assert out == "C /usr/share/nginx/html/index.html  615B → 654B\n"
    assert "0 added, 1 changed, 0 removed" in err and "+39B" in err
    data = json.loads(run(capsys, "diff", "--format", "json", "alpine:3.19", "nginx:alpine")[0])
    kinds = {c["kind"] for c in data["changes"]}
    assert kinds <= {"added", "changed", "removed"} and "added" in kinds


def test_diff_stages_of_one_build(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = run(capsys, "diff", "--stages", "my-app", "builder")
    assert out.splitlines() == [
        "A /app/",
        "A /app/dist/",
        "A /app/dist/index.html  654B",
        "A /app/index.html  654B",
    ]
    assert "the base of stage builder (alpine:3.19) → stage builder" in err
    out, err = run(capsys, "diff", "--stages", str(DEMO), "builder", "stage-1")
    assert "D /app/index.html  654B" in out and "A /usr/sbin/nginx" in out
    _, err = run(capsys, "diff", "--stages", "nginx:alpine", "x", code=2)
    assert "emu has no build to look into" in err
    _, err = run(capsys, "diff", "my-app", code=2)
    assert "compares two images" in err


# --- explain --------------------------------------------------------------------------------


def test_explain_a_context_prints_the_chain(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "explain", str(DEMO), INDEX)
    assert out.splitlines() == [
        f"{INDEX}  (in {DEMO} (built now), 654B)",
        "  ← COPY --from=builder /app/dist /usr/share/nginx/html  (Dockerfile:23, stage stage-1)",
        "builder:/app/dist/index.html",
        "  ← RUN mkdir dist && cp index.html dist/index.html  (Dockerfile:14, stage builder)",
        "builder:/app/index.html",
        "  ← COPY index.html .  (Dockerfile:9, stage builder)",
        "context:index.html",
        "It entered the build from the context file index.html, passed through stage builder "
        "and reached stage-1 by COPY --from; nothing else of those stages was kept.",
    ]


def test_explain_a_stored_image_oneline_and_json(
    my_app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run(capsys, "explain", "--oneline", "my-app", INDEX)
    assert out == (
        f"{INDEX} ← COPY --from=builder /app/dist /usr/share/nginx/html (Dockerfile:23) ← "
        "builder:/app/dist/index.html ← RUN mkdir dist && cp index.html dist/index.html "
        "(Dockerfile:14) ← builder:/app/index.html ← COPY index.html . (Dockerfile:9) ← "
        "context:index.html\n"
    )
    data = json.loads(run(capsys, "explain", "--format", "json", "my-app", INDEX)[0])
    assert [h["where"] for h in data["hops"]] == ["stage-1", "builder", "builder", "context"]
    out, _ = run(capsys, "explain", "my-app", "/etc/nginx/nginx.conf")
    assert "base image nginx:alpine:/etc/nginx/nginx.conf" in out
    assert "this Dockerfile did not touch it" in out
    out, _ = run(capsys, "explain", "--stage", "builder", "my-app", "/app/dist/index.html")
    assert "stayed in stage builder" in out


def test_explain_errors(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(capsys, "explain", "my-app", "/nope", code=1)
    assert "/nope: no such file in stage-1" in err and "emu ls" in err
    out, _ = run(capsys, "explain", "nginx:alpine", "/etc/nginx/nginx.conf")
    assert "emu has no build of it" in out
    _, err = run(capsys, "explain", "--stage", "nosuch", "my-app", INDEX, code=2)
    assert "no stage 'nosuch'" in err and "builder, stage-1" in err
    _, err = run(capsys, "explain", "nosuch:9", INDEX, code=2)
    assert "No such image: nosuch:9" in err


# --- report (text and json) -----------------------------------------------------------------


def test_report_text_and_json(my_app: str, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "report", "my-app")
    assert "Crossed between stages:" in out and "Final image: 62.9MB" in out
    data = json.loads(run(capsys, "report", "--format", "json", str(DEMO))[0])
    assert data["target"] == "stage-1" and data["stages"][0]["layers"][2]["line"] == 14


# --- help -----------------------------------------------------------------------------------

COMMANDS = [
    "parse", "check", "build", "load", "ignore", "images", "history", "inspect", "tag", "rmi",
    "ls", "tree", "cat", "diff", "explain", "report", "run", "ps", "stop", "rm", "logs",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "example:\n  emu " + command in out
