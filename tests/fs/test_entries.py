"""Large directories share their unchanged entries between copies (emu.fs.nodes.Entries):
every copy must still read, iterate and diff exactly as a dict holding the same operations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emu.fs import FS, Dir, File, Meta, diff
from emu.fs.nodes import SHARE_FROM, Entries
from emu.fs.tree import disjoint, names_to_compare

NAMES = st.sampled_from([f"n{i}" for i in range(12)] + [f"b{i}" for i in range(0, SHARE_FROM, 37)])
OPS = st.lists(
    st.tuples(st.sampled_from(["set", "del", "pop", "fork"]), NAMES, st.integers(0, 3)),
    max_size=60,
)


BIG = {f"b{i}": File(Meta(), b"%d" % i) for i in range(SHARE_FROM)}


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_copies_behave_as_dicts(ops: list[tuple[str, str, int]]) -> None:
    d = Dir(Meta(), dict(BIG), owner="w0")
    model: dict[str, File] = dict(BIG)
    frozen: list[tuple[Dir, dict[str, File]]] = []
    for n, (op, name, v) in enumerate(ops):
        if op == "set":
            node = File(Meta(), b"v%d" % v)
            d.entries[name] = node
            model[name] = node
        elif op == "del":
            assert (name in d.entries) == (name in model)
            if name in model:
                del d.entries[name]
                del model[name]
        elif op == "pop":
            assert d.entries.pop(name, None) is model.pop(name, None)
        else:  # a snapshot: the old copy is frozen, writes go to a new one
            frozen.append((d, dict(model)))
            d = d.copy_for(f"w{n}")
        assert list(d.entries) == list(model)
        assert list(d.entries.items()) == list(model.items())
        assert len(d.entries) == len(model)
    for old, old_model in frozen:  # no write leaked into an earlier copy, order included
        assert list(old.entries.items()) == list(old_model.items())
        changed = {
            k for k in old_model.keys() | model.keys() if old_model.get(k) is not model.get(k)
        }
        assert changed <= set(names_to_compare(old, d))
        assert disjoint(old, d) == (not (old_model.keys() & model.keys()))


def test_a_large_directory_is_shared_and_diffs_by_its_changes() -> None:
    fs = FS()
    fs.makedirs("/d")
    for i in range(SHARE_FROM):
        fs.write_file(f"/d/f{i}", b"x")
    roots = [fs.snapshot().root]
    for i in range(50):
        fs.write_file(f"/d/g{i}", b"y")
        roots.append(fs.snapshot().root)
    last = roots[-1].entries["d"]
    assert isinstance(last, Dir) and isinstance(last.entries, Entries)
    assert len(last.entries) == SHARE_FROM + 50
    changes = list(diff(roots[-2], roots[-1]))
    assert [(c.path, c.kind) for c in changes] == [("/d/g49", "added")]
    assert [c.path for c in diff(roots[0], roots[-1])] == sorted(f"/d/g{i}" for i in range(50))
    fs.remove("/d/f0")
    after = fs.snapshot().root
    assert [(c.path, c.kind) for c in diff(roots[-1], after)] == [("/d/f0", "deleted")]
    assert fs.listdir("/d")[:2] == ["f1", "f10"]


def test_changes_are_compacted_into_a_new_shared_part() -> None:
    fs = FS()
    fs.makedirs("/d")
    for i in range(SHARE_FROM):
        fs.write_file(f"/d/f{i}", b"x")
    snaps = []
    for i in range(300):
        fs.write_file(f"/d/g{i}", b"y")
        if i % 3 == 0 and i < SHARE_FROM:
            fs.remove(f"/d/f{i}")
        snaps.append((fs.snapshot().root, fs.listdir("/d")))
    d = fs.lookup("/d")
    assert isinstance(d, Dir) and isinstance(d.entries, Entries)
    assert d.entries.changed() < 100  # compacted on the way, not 400 changes on one base
    for root, names in snaps:
        sub = root.entries["d"]
        assert isinstance(sub, Dir) and sorted(sub.entries) == names
    order = list(d.entries)
    assert order[:2] == ["f1", "f2"] and order[-1] == "g299"


def test_a_shared_directory_pickles_as_the_dict_it_reads_as() -> None:
    import pickle

    d = Dir(Meta(), dict(BIG), owner="a")
    d.copy_for("b")
    del d.entries["b0"]
    d.entries["b0"] = File(Meta(), b"new")
    assert isinstance(d.entries, Entries)
    back = pickle.loads(pickle.dumps(d.entries))
    assert type(back) is dict
    assert list(back) == list(d.entries) and back["b0"].content == b"new"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from([f"b{i}" for i in range(8)] + ["x", "y"])),
        max_size=30,
    )
)
def test_compacting_keeps_a_dicts_order(ops: list[tuple[bool, str]]) -> None:
    """Past about the square root of the shared part, fork() compacts the changes into a
    new shared dict: in a dict's order still (a rewrite in place, a removed name added
    again at the end)."""
    base = {f"b{i}": File(Meta(), b"%d" % i) for i in range(8)}
    e = Entries(dict(base))
    model = dict(base)
    for i in range(80):  # enough appended names to pass the threshold
        node = File(Meta(), b"n%d" % i)
        e[f"n{i}"] = model[f"n{i}"] = node
    for put, name in ops:
        if put:
            node = File(Meta(), name.encode())
            e[name] = model[name] = node
        elif name in model:
            del e[name]
            del model[name]
    assert e.changed() ** 2 > 4 * len(e.base) + 4096  # the compacting branch
    mine, theirs = e.fork()
    assert mine.base is theirs.base and not mine.changed()
    assert list(mine.items()) == list(theirs.items()) == list(model.items())


def test_collect_answers_as_a_walk_and_walks_a_shared_directory_once() -> None:
    """collect() gives what walking the tree gives; a directory two snapshots share is
    visited once per question (the base image every submission is built on); and what it
    remembers keeps no tree alive."""
    import gc
    import weakref

    from emu.fs.tree import collect, walk

    fs = FS()
    fs.makedirs("/usr/lib")
    fs.makedirs("/app")
    for i in range(5):
        fs.write_file(f"/usr/lib/l{i}.md", b"x")
    fs.write_file("/app/README.md", b"x")
    first = fs.snapshot()
    fs.write_file("/app/NOTES.md", b"y")  # a second image: /usr is shared with the first
    second = fs.snapshot()
    visited: list[str] = []

    def md(path: str, node: object) -> tuple[tuple[str, ...], bool]:
        visited.append(path)
        return ((path,) if path.endswith(".md") else ()), True

    key = ("test", object())  # a question of its own
    for snap in (first, second):
        expected = tuple(p for p, _ in walk(snap.root) if p.endswith(".md"))
        assert collect(snap.root, md, key) == expected
    assert sum(p.startswith("/usr/") for p in visited) == 6  # /usr/lib and its 5 files, once
    root = weakref.ref(first.root)
    del first, fs, second
    gc.collect()
    assert root() is None
