"""README's walk through the tutorial is generated from real emu output and cannot drift."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _walkthrough() -> ModuleType:
    path = ROOT / "tests" / "support" / "walkthrough.py"
    spec = importlib.util.spec_from_file_location("emu_walkthrough", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_walkthrough_is_generated_from_real_output() -> None:
    text: str = _walkthrough().generate()
    assert "$ emu build --progress plain -t my-app examples/multistage-demo" in text
    assert "    Step 1/7 : FROM alpine:3.19 AS builder" in text
    assert "    Step 7/7 : EXPOSE 80" in text
    # BuildKit's plain format, then the classic log, both from real runs.
    assert "    #5 [builder 1/4] FROM docker.io/library/alpine:3.19" in text
    assert "$ emu build --progress classic --no-cache -t my-app examples/multistage-demo" in text
    # The cache lesson: an edit re-runs only what it reaches, and emu says why.
    assert "       COPY index.html . changed: index.html" in text
    assert re.search(r"    #\d+ \[builder 2/4\] WORKDIR /app\n    #\d+ CACHED", text)
    # A failed build: the failing step's output, BuildKit's block, the located error.
    assert "    #9 0.000 cp: can't stat 'index.htm': No such file or directory" in text
    assert "     > [builder 4/4] RUN mkdir dist && cp index.htm dist/index.html:" in text
    assert "    Dockerfile:14:1: error: process" in text
    assert "$ emu run -d -p 8080:80 --name my-running-app my-app\n    <container id>" in text
    assert "<h1>Hello from Docker!</h1>" in text
    assert "127.0.0.1:8080->80/tcp" in text and "    context:index.html" in text
    assert "\x1b[" not in text


@pytest.mark.slow
def test_readme_matches_the_generated_walkthrough() -> None:
    w = _walkthrough()
    block = w.current((ROOT / "README.md").read_text())
    if block is None:
        pytest.skip(
            "README.md has no <!-- tutorial:begin --> … <!-- tutorial:end --> block yet; add "
            "the markers and run `python tests/support/walkthrough.py --write`"
        )
    assert block == w.generate(), (
        "README drifted: run `python tests/support/walkthrough.py --write`"
    )


def test_the_block_is_found_between_its_markers() -> None:
    w = _walkthrough()
    readme = "intro\n<!-- tutorial:begin -->\nsteps\n<!-- tutorial:end -->\nmore\n"
    assert w.current(readme) == "<!-- tutorial:begin -->\nsteps\n<!-- tutorial:end -->\n"
    assert w.current("no markers") is None
