"""emu.fs.archive: tar archives read under limits, entries placed as a chroot would."""

from __future__ import annotations

import contextlib
import io
import tarfile

import pytest
from hostile._inputs import deep_path_tar, header, member, pax, sparse_member, tar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.errors import EmuError
from emu.fs import FS, Dir, File, Meta, Symlink, archive
from emu.sh.api import LimitExceeded, Limits


def _entries(data: bytes, limits: archive.Budget = archive.UNLIMITED) -> list[archive.Entry]:
    stream = archive.open_tar(data)
    assert stream is not None
    return list(archive.entries(stream, "x.tar", limits))


def test_entries_of_a_plain_and_a_compressed_archive() -> None:
    import gzip

    data = tar(
        member("d/", kind=b"5", mode=0o755),
        member("d/f", b"hi\n", uid=7),
        header("l", kind=b"2", link="d/f"),
    )
    for raw in (data, gzip.compress(data)):
        got = [(e.name, e.kind.value, e.data, e.link, e.meta.uid) for e in _entries(raw)]
        assert got == [
            ("d", "dir", b"", "", 0),
            ("d/f", "file", b"hi\n", "", 7),
            ("l", "symlink", b"", "d/f", 0),
        ]


def test_not_an_archive() -> None:
    assert archive.open_tar(b"just text, no tar header here" * 30) is None
    assert archive.open_tar(b"\x1f\x8b broken gzip") is None


def test_declared_sizes_count_before_anything_is_read() -> None:
    limits = Limits(max_bytes=1 << 20)
    with pytest.raises(LimitExceeded) as info:
        _entries(tar(sparse_member("big", 1 << 40)), limits)
    assert info.value.limit == "max_bytes"
    assert limits.bytes == 1 << 40  # counted, never read


def test_entries_count_as_files() -> None:
    with pytest.raises(LimitExceeded, match="max_files"):
        _entries(tar(*(member(f"f{i}") for i in range(20))), Limits(max_files=10))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (deep_path_tar(3000), "file name too long"),
        (tar(pax("f", {"uid": str(1 << 32)}, size=0)), "uid 4294967296 is out of range"),
        (tar(header("d", kind=b"3", major=1 << 13)), "device number 8192,0 is out of range"),
        (tar(header("f", kind=b"V")), "unsupported tar entry type"),
        (tar(member("a"))[:700] + b"\xff" * 324, "is not a valid tar"),
    ],
)
def test_what_linux_could_not_hold_is_an_error(data: bytes, message: str) -> None:
    with pytest.raises(archive.ArchiveError, match=message):
        _entries(data)


def test_the_fast_header_reader_agrees_with_tarfile() -> None:
    data = tar(
        member("a" * 99, b"x", mode=0o4755, uid=1000, gid=2000, mtime=1_700_000_000),
        member("dir/", kind=b"5"),
        header("dev", kind=b"3", major=4095, minor=7),
        member("name/with/prefix", extra={345: b"the/prefix"}),
    )
    ours = [(e.name, e.meta, e.major, e.minor) for e in _entries(data)]
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        theirs = [
            (m.name, Meta(m.mode & 0o7777, m.uid, m.gid, int(m.mtime)), m.devmajor, m.devminor)
            for m in tf.getmembers()
        ]
    assert ours == theirs


def test_the_placer_is_a_chroot_at_its_root() -> None:
    fs = FS()
    fs.makedirs("/dest")
    fs.put("/secret", File(Meta(), b"host"))
    placer = archive.Placer(fs, "/dest", Meta(0o755))
    placer.put("up", Symlink(Meta(0o777), "../../.."))
    placer.put("abs", Symlink(Meta(0o777), "/"))
    # A relative link climbing out of the root is refused (current BuildKit's unpacker;
    # Docker 20.10's chroot clamped it: golden case 124); an absolute one starts at the root.
    with pytest.raises(archive.Escape, match='archive symlink "up" points outside'):
        placer.put("up/secret", File(Meta(), b"a"))
    assert placer.put("abs/x/y", File(Meta(), b"b")) == "/dest/x/y"
    assert isinstance(fs.lookup("/dest/x"), Dir)
    assert fs.get("/secret").data == b"host"  # type: ignore[union-attr]
    assert placer.made_dirs == 1


_VALID = tar(member("d/", kind=b"5"), member("d/f", b"content"), header("l", kind=b"2", link="f"))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), max_size=8),
       st.integers(0, len(_VALID)))  # fmt: skip
def test_any_damage_is_an_emu_error(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_VALID)
    for at, value in flips:
        data[at] = value
    stream = archive.open_tar(bytes(data[:cut]))
    if stream is None:
        return  # not recognised as an archive: ADD copies the file as it is
    with contextlib.suppress(EmuError):
        list(archive.entries(stream, "x.tar", Limits(max_bytes=1 << 20, max_files=100)))
