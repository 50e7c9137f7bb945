"""Build contexts: only what .dockerignore lets through, never anything outside the root."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from emu.dockerfile.instructions import load
from emu.engine.builder import build
from emu.engine.context import ContextError, from_directory, from_mapping, from_tar
from emu.errors import BuildError
from emu.fs import File, Symlink
from emu.teach.listing import listing


def test_directory_context_applies_dockerignore(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("k")
    (tmp_path / "skip.md").write_text("s")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "i.js").write_text("i")
    (tmp_path / ".dockerignore").write_text("*.md\nnode_modules\n")
    ctx = from_directory(tmp_path)
    fs = ctx.snapshot.fs()
    assert fs.lookup("/keep.txt") is not None
    assert fs.lookup("/skip.md") is None and fs.lookup("/node_modules") is None
    assert ctx.is_excluded("skip.md") and ctx.is_excluded("node_modules/x/i.js")


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / ".dockerignore").write_text("a.txt\n")
    (tmp_path / "app.Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "app.Dockerfile.dockerignore").write_text("b.txt\n")
    fs = from_directory(tmp_path, dockerfile=tmp_path / "app.Dockerfile").snapshot.fs()
    assert fs.lookup("/a.txt") is not None and fs.lookup("/b.txt") is None


def test_symlinks_pointing_out_are_kept_as_links_and_resolved_inside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host secret")
    ctx_dir = tmp_path / "ctx"
    ctx_dir.mkdir()
    os.symlink(outside / "secret", ctx_dir / "abs-link")
    os.symlink("../outside/secret", ctx_dir / "rel-link")
    ctx = from_directory(ctx_dir)
    fs = ctx.snapshot.fs()
    assert isinstance(fs.lookup("/abs-link", follow=False), Symlink)
    # Resolution happens inside the context root: the host file is unreachable.
    assert fs.lookup("/abs-link") is None and fs.lookup("/rel-link") is None
    with pytest.raises(BuildError, match="not found"):
        build(load("FROM scratch\nCOPY abs-link /x\n"), ctx)


def test_files_are_read_lazily_and_never_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * 100_000)
    node = from_directory(tmp_path).snapshot.fs().lookup("/big.bin")
    assert isinstance(node, File) and node.size == 100_000 and node.data == b"x" * 100_000


def test_missing_context_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ContextError, match="not found"):
        from_directory(tmp_path / "nope")


def test_tar_context_is_confined(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in (("Dockerfile", b"FROM scratch\nCOPY . /c/\n"), ("../../evil", b"e"),
                           ("/abs", b"a"), ("ok.txt", b"o")):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    buf.seek(0)
    ctx, dockerfile = from_tar(buf)
    result = build(load(dockerfile), ctx)
    names = [row.split("\t")[0] for row in listing(result.image.rootfs.root).splitlines()]
    assert names == ["/c", "/c/Dockerfile", "/c/abs", "/c/evil", "/c/ok.txt"]
    assert not (tmp_path.parent / "evil").exists()


def test_mapping_context_for_tests() -> None:
    ctx = from_mapping({"src/app.py": "print()", "empty/": b"", ".dockerignore": "*.pyc\n"})
    fs = ctx.snapshot.fs()
    assert fs.lookup("/src/app.py") is not None and fs.is_dir("/empty")
