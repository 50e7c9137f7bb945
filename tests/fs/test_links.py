"""Hard links as overlay2 gives them: one inode inside a layer, copy-up across layers.

Golden cases 110 and 111 pin the same rules against a real BuildKit; these tests name each
rule on the bare filesystem, and check that a layer tar keeps a link group whole.
"""

from __future__ import annotations

import io
import tarfile

from emu.fs import FS, File, Meta
from emu.outputs import write_layer_tar


def _data(fs: FS, path: str) -> bytes | None:
    node = fs.get(path)
    assert isinstance(node, File)
    return node.data


def _members(fs: FS, before: FS | None = None) -> dict[str, tarfile.TarInfo]:
    buf = io.BytesIO()
    lower = None if before is None else before.root
    write_layer_tar(lower, fs.snapshot().root, buf)
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue())) as tf:
        return {m.name: m for m in tf.getmembers()}


def test_a_write_through_one_name_reaches_every_name_in_the_layer() -> None:
    fs = FS()
    fs.makedirs("/o")
    fs.write_file("/o/a", b"one\n")
    fs.link("/o/a", "/o/b")
    fs.link("/o/b", "/o/c")
    fs.store("/o/b", File(Meta(0o644), b"one\ntwo\n"))
    assert _data(fs, "/o/a") == _data(fs, "/o/c") == b"one\ntwo\n"
    assert fs.get("/o/a") is fs.get("/o/b") is fs.get("/o/c")
    fs.set_meta("/o/c", Meta(0o640, 5, 6))
    assert fs.get("/o/a").meta == Meta(0o640, 5, 6)
    fs.rename("/o/c", "/o/d")  # the same layer: the inode moves with its name
    fs.write_file("/o/d", b"three\n")
    assert _data(fs, "/o/a") == b"three\n"


def test_a_later_layer_copies_one_name_up_alone() -> None:
    fs = FS()
    fs.makedirs("/o")
    fs.write_file("/o/f", b"a\n")
    for name in ("h", "low1", "low2", "low3"):
        fs.link("/o/f", f"/o/{name}")
    lower = fs.snapshot()
    fs = lower.fs()  # the next RUN
    fs.write_file("/o/low1", b"up\n")
    fs.set_meta("/o/low2", Meta(0o600))
    fs.rename("/o/low3", "/o/moved")
    assert _data(fs, "/o/f") == _data(fs, "/o/h") == b"a\n"
    assert fs.get("/o/f") is fs.get("/o/h")  # the rest of the group stays linked
    for name in ("low1", "low2", "moved"):
        assert fs.get(f"/o/{name}") is not fs.get("/o/f")
    members = _members(fs, lower.fs())
    assert "o/f" not in members and "o/h" not in members  # not pulled into the layer
    assert all(members[f"o/{n}"].isreg() for n in ("low1", "low2", "moved"))


def test_a_link_to_a_lower_file_copies_it_up_and_links_the_copy() -> None:
    fs = FS()
    fs.makedirs("/o")
    fs.write_file("/o/f", b"a\n")
    fs.link("/o/f", "/o/old")
    lower = fs.snapshot()
    fs = lower.fs()
    fs.link("/o/old", "/o/new")
    fs.write_file("/o/new", b"x\n")
    assert _data(fs, "/o/old") == b"x\n" and _data(fs, "/o/f") == b"a\n"
    members = _members(fs, lower.fs())
    # one link group, written in path order: the first name as the file
    assert members["o/new"].isreg() and members["o/new"].size == 2
    assert members["o/old"].islnk() and members["o/old"].linkname == "o/new"
    assert "o/f" not in members
