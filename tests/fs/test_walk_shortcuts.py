"""FS.lookup and FS.realpath walk plain paths on their own and hand anything with a
symlink or ``..`` to the general resolver: the two must agree on every path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emu.errors import EmuError, FsError
from emu.fs import FS, Meta
from emu.fs.tree import join

NAMES = ["a", "b", "f", "l", "m"]
# A small tree: directories a, a/b, b; files f, a/f; links to dirs, files, "..", loops.
LINKS = st.sampled_from(["a", "/a", "a/b", "..", "../a", "f", "/a/f", "nowhere", "l", ".", "b/.."])


def _tree(targets: list[str]) -> FS:
    fs = FS()
    fs.makedirs("/a/b")
    fs.makedirs("/b")
    fs.write_file("/f", b"f", Meta(0o644))
    fs.write_file("/a/f", b"af", Meta(0o644))
    for where, target in zip(["/l", "/a/l", "/a/b/l", "/b/l"], targets, strict=False):
        fs.symlink(where, target)
    return fs


PATHS = st.lists(st.sampled_from([*NAMES, "..", ".", ""]), min_size=0, max_size=5).map(
    lambda parts: "/" + "/".join(parts)
)


def _outcome(fn: object, *args: object) -> object:
    try:
        return ("ok", fn(*args))  # type: ignore[operator]
    except EmuError as exc:
        return ("error", type(exc).__name__, getattr(exc, "errno", None))


@settings(max_examples=400, deadline=None)
@given(st.lists(LINKS, min_size=4, max_size=4), PATHS, st.booleans(), st.booleans())
def test_shortcuts_agree_with_the_resolver(
    targets: list[str], path: str, missing_ok: bool, slash: bool
) -> None:
    fs = _tree(targets)
    if slash:
        path += "/"

    def by_resolver(p: str, follow: bool) -> object:
        try:
            return fs._resolve(p, follow)[1][-1]
        except EmuError as exc:
            if getattr(exc, "errno", None) in (2, 20):  # ENOENT, ENOTDIR: lookup's None
                return None
            raise

    def get_by_resolver(p: str, follow: bool) -> object:
        node = fs._resolve(p, follow)[1][-1]
        if node is None:
            raise FsError(2, p)
        return node

    for follow in (True, False):
        assert _outcome(fs.lookup, path, follow) == _outcome(by_resolver, path, follow)
        assert _outcome(fs.get, path, follow) == _outcome(get_by_resolver, path, follow)
    assert _outcome(lambda p, m: fs.realpath(p, missing_ok=m), path, missing_ok) == _outcome(
        lambda p, m: join(fs._resolve(p, True, m)[0]), path, missing_ok
    )


@given(st.lists(st.sampled_from(["/", ".", "a", "b", ".."]), max_size=12).map("".join))
def test_split_drops_empty_names_and_dots(path: str) -> None:
    from emu.fs.tree import split

    assert split(path) == [p for p in path.split("/") if p and p != "."]
