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


# --- small files read once per build (the Dockerfile, .dockerignore) ------------------------


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from emu.engine import context

    reads: list[str] = []
    real = context.read_host_file

    def counted(path: str | Path, *, follow: bool = False) -> bytes:
        reads.append(str(path))
        return real(path, follow=follow)

    monkeypatch.setattr(context, "read_host_file", counted)
    return reads


def test_a_settled_small_file_is_read_once_while_its_stat_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emu.engine import context

    reads = _counting_reads(monkeypatch)
    df = tmp_path / "Dockerfile"
    df.write_bytes(b"FROM scratch\n")
    # ctime cannot be set back: let the file settle by moving the clock on instead.
    monkeypatch.setattr(context, "settled", lambda started, st: True)
    assert context.read_small_file(str(df)) == b"FROM scratch\n"
    assert context.read_small_file(str(df)) == b"FROM scratch\n"
    assert reads == [str(df)]
    df.write_bytes(b"FROM busybox\n")  # a new size, mtime and ctime: read again
    assert context.read_small_file(str(df)) == b"FROM busybox\n"
    assert len(reads) == 2


def test_a_small_file_read_too_soon_after_a_change_is_read_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writes within one timestamp tick can leave the stat as it was (git's racy-clean
    case): a file read within two seconds of its last change is read again, whatever its
    stat says; one read later than that is trusted to it."""
    from emu.engine import context

    reads = _counting_reads(monkeypatch)
    df = tmp_path / "Dockerfile"
    df.write_bytes(b"FROM busybox\n")
    st = os.lstat(df)
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
    assert context.read_small_file(str(df)) == b"FROM busybox\n"
    assert context._READ[str(df)] == (key, b"FROM busybox\n", False)  # read too soon
    # Another write in the same tick, same size: the stat cannot tell, the bytes are read.
    monkeypatch.setitem(context._READ, str(df), (key, b"FROM scratch\n", False))
    assert context.read_small_file(str(df)) == b"FROM busybox\n"
    assert len(reads) == 2
    # Read long enough after the change, the same stat is trusted: the held bytes.
    monkeypatch.setitem(context._READ, str(df), (key, b"FROM scratch\n", True))
    assert context.read_small_file(str(df)) == b"FROM scratch\n"
    assert len(reads) == 2


def test_the_small_file_cache_still_refuses_what_read_host_file_refuses(tmp_path: Path) -> None:
    from emu.engine import context

    (tmp_path / "real").write_bytes(b"FROM scratch\n")
    (tmp_path / "Dockerfile").symlink_to(tmp_path / "real")
    with pytest.raises(ContextError, match="is a symlink, not a regular file"):
        context.read_small_file(str(tmp_path / "Dockerfile"))
    with pytest.raises(FileNotFoundError):
        context.read_small_file(str(tmp_path / "missing"))


def test_the_small_file_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from emu.engine import context

    monkeypatch.setattr(context, "_READ", {})
    for i in range(context._READ_MAX_FILES * 2):
        (tmp_path / f"f{i}").write_bytes(b"x")
        context.read_small_file(str(tmp_path / f"f{i}"))
    assert 0 < len(context._READ) <= context._READ_MAX_FILES
    big = tmp_path / "big"
    big.write_bytes(b"x" * (context._READ_MAX_BYTES + 1))
    assert len(context.read_small_file(str(big))) == context._READ_MAX_BYTES + 1
    assert str(big) not in context._READ


def test_an_unreadable_context_file_is_named_before_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # access(2) is asked only for a file not readable by everyone (root reads anything,
    # so the refusal is faked); a world-readable file costs no such call.
    (tmp_path / "open.txt").write_text("o")
    secret = tmp_path / "secret.txt"
    secret.write_text("s")
    secret.chmod(0o600)
    asked: list[str] = []

    def access(path: str, mode: int) -> bool:
        asked.append(os.path.basename(path))
        return False

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(
        ContextError, match=r"^cannot read context file secret\.txt: permission denied$"
    ):
        from_directory(tmp_path)
    assert asked == ["secret.txt"]


def test_an_empty_context_file_is_known_from_its_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty file is not opened to be read (its stat says it all); it is still checked
    for reading first, and copied as the empty file it is."""
    (tmp_path / ".keep").write_bytes(b"")
    (tmp_path / "a.txt").write_text("a")
    import emu.engine.context as context

    opened: list[str] = []
    real = context.open_host_file

    def spy(path: str, **kw: bool) -> object:
        opened.append(os.path.basename(path))
        return real(path, **kw)

    monkeypatch.setattr(context, "open_host_file", spy)
    ctx = from_directory(tmp_path)
    assert opened == []  # a.txt is read when a step needs it; .keep never
    fs = build(load("FROM scratch\nCOPY .keep a.txt /d/\n"), ctx).image.rootfs.fs()
    keep, a = fs.get("/d/.keep"), fs.get("/d/a.txt")
    assert isinstance(keep, File) and isinstance(a, File)
    assert (keep.data, a.data) == (b"", b"a")
    assert opened == ["a.txt"]
    (tmp_path / ".keep").chmod(0o600)  # not readable by everyone: access(2) is asked
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(ContextError, match=r"^cannot read context file \.keep: permission denied$"):
        from_directory(tmp_path)
