"""The in-memory filesystem: resolution inside the root, copy-on-write snapshots, diff."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.fs import FS, Blob, Dir, File, FsError, Meta, diff, walk


def _tree() -> FS:
    fs = FS()
    fs.makedirs("/usr/bin")
    fs.write_file("/usr/bin/app", b"app", Meta(0o755))
    fs.symlink("/bin", "usr/bin")
    fs.makedirs("/etc")
    fs.write_file("/etc/passwd", b"root:x:0:0::/root:/bin/sh\n")
    return fs


def test_symlinks_resolve_inside_the_root() -> None:
    fs = _tree()
    fs.symlink("/escape", "../../../../etc/passwd")
    fs.symlink("/abs", "/../../etc/passwd")
    assert fs.realpath("/escape") == "/etc/passwd"
    assert fs.realpath("/abs") == "/etc/passwd"
    assert fs.lookup("/bin/app") is fs.lookup("/usr/bin/app")


def test_symlink_loops_fail_with_eloop() -> None:
    fs = FS()
    fs.symlink("/a", "/b")
    fs.symlink("/b", "/a")
    with pytest.raises(FsError) as info:
        fs.get("/a")
    assert info.value.code == "ELOOP"


def test_errors_are_oserror_like() -> None:
    fs = _tree()
    with pytest.raises(FsError) as info:
        fs.get("/etc/passwd/x")
    assert info.value.code == "ENOTDIR"
    with pytest.raises(FsError) as info:
        fs.mkdir("/etc")
    assert info.value.code == "EEXIST"
    with pytest.raises(FsError) as info:
        fs.remove("/usr")
    assert info.value.code == "ENOTEMPTY"


def test_snapshots_are_isolated_and_cheap() -> None:
    fs = _tree()
    snap = fs.snapshot()
    child = snap.fs()
    assert child.root is snap.root  # O(1): nothing copied
    child.write_file("/usr/bin/new", b"x")
    assert fs.lookup("/usr/bin/new") is None
    assert snap.root.entries["usr"] is not child.root.entries["usr"]  # the path was copied
    assert snap.root.entries["etc"] is child.root.entries["etc"]  # the rest is shared


def test_hard_links_are_one_file() -> None:
    fs = _tree()
    fs.link("/etc/passwd", "/etc/passwd-")
    assert fs.lookup("/etc/passwd") is fs.lookup("/etc/passwd-")


def test_diff_reports_added_modified_deleted() -> None:
    fs = _tree()
    before = fs.snapshot()
    fs.write_file("/etc/passwd", b"changed")
    fs.remove("/bin")
    fs.makedirs("/opt/x")
    after = fs.snapshot()
    changes = [(c.path, c.kind) for c in diff(before.root, after.root)]
    assert changes == [
        ("/bin", "deleted"),
        ("/etc/passwd", "modified"),
        ("/opt", "added"),
        ("/opt/x", "added"),
    ]


def test_blobs_model_size_without_bytes() -> None:
    f = File(Meta(0o755), Blob(40_000_000, "a Go binary"))
    assert f.size == 40_000_000 and f.data is None


_NAMES = st.sampled_from(["a", "b", "c", "..", ".", "d"])
_PATHS = st.lists(_NAMES, min_size=1, max_size=5).map(lambda p: "/" + "/".join(p))
_OPS = st.lists(
    st.tuples(st.sampled_from(["file", "dir", "link", "rm", "abslink"]), _PATHS, _PATHS),
    max_size=25,
)


def _apply(fs: FS, ops: list[tuple[str, str, str]]) -> None:
    for op, a, b in ops:
        try:
            if op == "file":
                fs.write_file(a, b.encode())
            elif op == "dir":
                fs.makedirs(a)
            elif op == "link":
                fs.symlink(a, b.lstrip("/"))
            elif op == "abslink":
                fs.symlink(a, b)
            else:
                fs.remove(a, recursive=True)
        except FsError:
            pass


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_OPS, _OPS)
def test_a_snapshot_never_changes(
    first: list[tuple[str, str, str]], then: list[tuple[str, str, str]]
) -> None:
    fs = FS()
    _apply(fs, first)
    snap = fs.snapshot()
    listing = [(p, type(n).__name__, getattr(n, "content", None)) for p, n in walk(snap.root)]
    _apply(fs, then)
    _apply(snap.fs(), then)
    assert [
        (p, type(n).__name__, getattr(n, "content", None)) for p, n in walk(snap.root)
    ] == listing


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_OPS, _PATHS)
def test_resolution_stays_in_the_root(ops: list[tuple[str, str, str]], path: str) -> None:
    fs = FS()
    _apply(fs, ops)
    try:
        real = fs.realpath(path)
    except FsError:
        return
    assert real.startswith("/") and ".." not in real.split("/")


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_OPS, _OPS)
def test_diff_matches_the_listings(
    first: list[tuple[str, str, str]], then: list[tuple[str, str, str]]
) -> None:
    fs = FS()
    _apply(fs, first)
    a = fs.snapshot()
    _apply(fs, then)
    b = fs.snapshot()
    old = dict(walk(a.root))
    new = dict(walk(b.root))
    changed = {c.path for c in diff(a.root, b.root)}
    for path in old.keys() | new.keys():
        x, y = old.get(path), new.get(path)
        if x is y:
            continue
        if isinstance(x, Dir) and isinstance(y, Dir) and x.meta == y.meta:
            continue  # a directory whose children changed is not itself changed
        if x is not None and y is not None and _same_value(x, y):
            continue  # rewritten with the same bytes and metadata: not a change
        # Every differing path is reported, or lies under a reported addition/deletion.
        assert path in changed or any(path.startswith(c + "/") for c in changed)


def _same_value(x: object, y: object) -> bool:
    if type(x) is not type(y) or getattr(x, "meta", None) != getattr(y, "meta", None):
        return False
    if isinstance(x, Dir):
        return False
    return getattr(x, "content", None) == getattr(y, "content", None) and getattr(
        x, "target", None
    ) == getattr(y, "target", None)
