"""The tutorial (../shared/seed), step by step, with emu in place of docker."""

from __future__ import annotations

import json
import re
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from emu.cli import _console, main

DEMO = Path(__file__).resolve().parents[2] / "examples" / "multistage-demo"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EMU_HOME", str(tmp_path / "emu-home"))
    _console.reset()
    yield
    from emu.cli._run import containers

    for c in containers():
        if c.running:
            main(["rm", "-f", c.id])


def emu(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> tuple[str, str]:
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_step1_the_project_folder() -> None:
    assert {p.name for p in DEMO.iterdir()} >= {"index.html", "Dockerfile", ".dockerignore"}


def test_step2_index_html_is_the_tutorials_app() -> None:
    text = (DEMO / "index.html").read_text()
    assert "<title>Multi-Stage Docker Demo</title>" in text
    assert "<h1>Hello from Docker!</h1>" in text
    assert "Served via a multi-stage build. Image is tiny." in text


def test_step3_the_multistage_dockerfile(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = emu(capsys, "parse", "--json", str(DEMO / "Dockerfile"))
    froms = [n for n in json.loads(out)["instructions"] if n["keyword"] == "FROM"]
    assert [f["args"] for f in froms] == [["alpine:3.19", "AS", "builder"], ["nginx:alpine"]]
    out, _ = emu(capsys, "check", str(DEMO))  # with the context: the build-aware checks too
    assert out == "Check complete, no problems found\n"


def test_step4_dockerignore_keeps_the_context_lean(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = emu(capsys, "ignore", str(DEMO), "--explain")
    assert "+ index.html" in out
    assert re.search(r"- README\.md +\(excluded by .*\.dockerignore:\d+: \*\.md\)", out)


def test_step5_build_shows_both_stages_and_the_size(capsys: pytest.CaptureFixture[str]) -> None:
    _, err = emu(capsys, "build", "--progress", "classic", "-t", "my-app", str(DEMO))
    steps = re.findall(r"^Step (\d)/7 : (\S+)", err, re.M)
    assert steps == [
        ("1", "FROM"), ("2", "WORKDIR"), ("3", "COPY"), ("4", "RUN"),
        ("5", "FROM"), ("6", "COPY"), ("7", "EXPOSE"),
    ]  # fmt: skip
    assert "Step 5/7 : FROM nginx:alpine" in err  # stage 2 starts here
    out, notes = emu(capsys, "images", "my-app")
    assert re.search(r"my-app +latest +[0-9a-f]{12} .* 62.9MB", out)
    # The tutorial's "around 25 to 50 MB" is the compressed size registries list.
    compressed = float(re.search(r"and ([\d.]+)MB compressed", notes).group(1))  # type: ignore[union-attr]
    assert 25 <= compressed <= 50


@pytest.mark.slow
def test_step6_run_the_container(capsys: pytest.CaptureFixture[str]) -> None:
    emu(capsys, "build", "--progress", "quiet", "-t", "my-app", str(DEMO))
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 8080))
            port = 8080
        except OSError:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    emu(capsys, "run", "-d", "-p", f"{port}:80", "--name", "my-running-app", "my-app")
    with urllib.request.urlopen(f"http://localhost:{port}", timeout=5) as r:
        assert r.status == 200 and b"Hello from Docker!" in r.read()
    out, _ = emu(capsys, "ps")
    assert "my-running-app" in out and f"127.0.0.1:{port}->80/tcp" in out
    assert emu(capsys, "stop", "my-running-app")[0] == "my-running-app\n"
    assert emu(capsys, "rm", "my-running-app")[0] == "my-running-app\n"
    assert "my-running-app" not in emu(capsys, "ps", "-a")[0]


@pytest.mark.slow
def test_step7_verify_the_size_savings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emu(capsys, "build", "--progress", "quiet", "-t", "my-app", str(DEMO))
    single = tmp_path / "single"
    single.mkdir()
    (single / "index.html").write_text((DEMO / "index.html").read_text())
    (single / "Dockerfile").write_text("FROM node:18\nWORKDIR /app\nCOPY . .\n")
    emu(capsys, "build", "--progress", "quiet", "-t", "my-app-single", str(single))
    sizes = {
        e["Repository"]: e["Size"] for e in json.loads(emu(capsys, "images", "--format", "json")[0])
    }
    assert sizes["my-app-single"] > 900_000_000 and sizes["my-app"] < 70_000_000
    assert sizes["my-app-single"] / sizes["my-app"] > 14
    # The builder stage is NOT stored as an image…
    assert set(sizes) == {"my-app", "my-app-single"}
    # …but emu keeps the build, so a student can still look into it.
    out, _ = emu(capsys, "ls", "--stage", "builder", "my-app", "/app/dist")
    assert "index.html" in out
