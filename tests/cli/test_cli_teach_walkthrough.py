"""README's walk through the tutorial is generated from real emu output and cannot drift."""

from __future__ import annotations

import importlib.util
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
