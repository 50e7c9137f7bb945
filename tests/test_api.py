"""The public Python API: ``emu.build`` is a plain function, and library builds are hermetic."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import emu
from emu import store
from emu.api import build as api_build
from emu.cli import main
from emu.engine import BuildResult
from emu.errors import EmuError


def test_emu_build_is_the_api_function() -> None:
    assert emu.build is api_build
    params = inspect.signature(emu.build).parameters
    assert list(params)[:2] == ["context", "dockerfile"]
    assert {"target", "build_args", "limits", "resolve_image"} <= set(params)
    assert "Build like ``docker build``" in (emu.build.__doc__ or "")
    assert emu.BuildResult is BuildResult


def _store_an_image(home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EMU_HOME", str(home))
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY a.txt /\n")
    (ctx / "a.txt").write_text("stored\n")
    assert main(["build", "--progress", "quiet", "-t", "mine:1", str(ctx)]) == 0


def test_library_builds_never_read_the_store_unless_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _store_an_image(tmp_path / "home", monkeypatch, tmp_path)
    files = {"Dockerfile": "FROM mine:1\n"}
    with pytest.raises(EmuError, match="mine:1"):
        emu.build(files)
    result = emu.build(files, resolve_image=store.resolve)
    node = result.image.rootfs.fs().lookup("/a.txt")
    assert node is not None and node.data == b"stored\n"


@pytest.mark.parametrize("name", ["Dockerfile", ".dockerignore", "Dockerfile.dockerignore"])
def test_a_fifo_in_the_context_is_refused_not_opened(tmp_path: Path, name: str) -> None:
    import os

    if name != "Dockerfile":
        (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    os.mkfifo(tmp_path / name)  # opening it for reading would block forever
    with pytest.raises(EmuError, match="is a FIFO, not a regular file"):
        emu.build(tmp_path)
