"""Host files (a build context's) are hashed and written a chunk at a time, never whole."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from emu.engine.cache import selection
from emu.engine.context import from_directory
from emu.errors import OutputError
from emu.fs import File, Lazy
from emu.outputs import write_local, write_rootfs_tar

SIZE = 3 * 1024 * 1024 + 5


class Sink:
    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.biggest = 0

    def write(self, data: bytes) -> None:
        self.biggest = max(self.biggest, len(data))
        self.buf.write(data)

    def flush(self) -> None:
        pass


def _context(tmp_path: Path) -> tuple[Path, bytes]:
    data = bytes(range(256)) * (SIZE // 256) + b"x" * (SIZE % 256)
    (tmp_path / "big.bin").write_bytes(data)
    return tmp_path, data


def test_a_context_file_is_written_to_a_tar_in_chunks(tmp_path: Path) -> None:
    root, data = _context(tmp_path)
    snap = from_directory(root).snapshot
    node = snap.fs().get("/big.bin")
    assert isinstance(node, File) and isinstance(node.content, Lazy)
    sink = Sink()
    write_rootfs_tar(snap, sink)  # type: ignore[arg-type]
    assert sink.biggest <= 1024 * 1024
    with tarfile.open(fileobj=io.BytesIO(sink.buf.getvalue())) as tf:
        f = tf.extractfile("big.bin")
        assert f is not None and f.read() == data


def test_a_context_file_is_hashed_in_chunks_as_if_whole(tmp_path: Path) -> None:
    root, data = _context(tmp_path)
    [(path, entry)] = selection(from_directory(root).snapshot.fs(), ["/big.bin"])
    assert path == "/big.bin"
    assert entry.endswith("sha256:" + hashlib.sha256(data).hexdigest())


def test_a_context_file_that_changes_size_before_the_output_is_an_error(tmp_path: Path) -> None:
    root, _ = _context(tmp_path)
    snap = from_directory(root).snapshot
    (root / "big.bin").write_bytes(b"short")
    with pytest.raises(OutputError, match="changed while it was written"):
        write_rootfs_tar(snap, Sink())  # type: ignore[arg-type]


def test_a_context_file_is_copied_to_a_local_output_in_chunks(tmp_path: Path) -> None:
    (tmp_path / "ctx").mkdir()
    root, data = _context(tmp_path / "ctx")
    out = tmp_path / "out"
    write_local(from_directory(root).snapshot, out)
    assert (out / "big.bin").read_bytes() == data
