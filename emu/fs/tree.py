"""A copy-on-write filesystem tree with snapshots that cost O(1).

Every :class:`FS` writer holds an owner token. A directory belongs to the writer whose token
it carries; writing under a directory that belongs to someone else (an older snapshot, a
base image, another stage) first copies that one directory, and its parents up to the root
— so a write costs O(depth), a snapshot costs O(1) (the writer just takes a new token), and
starting a stage from a 1 GB base image or from another stage copies nothing.

Paths are absolute POSIX paths inside the image. Symlinks are resolved component by
component inside the image root: ``..`` at the root stays at the root, and an absolute
target starts again from the image root, never the host's.
"""

from __future__ import annotations

import errno as _errno
import weakref
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from emu.errors import FsError as FsError  # defined with the others in emu.errors
from emu.fs.nodes import Device, Dir, Entries, File, Meta, Node, Symlink
from emu.records import record

MAX_SYMLINKS = 40  # Linux's MAXSYMLINKS
_T = TypeVar("_T")


def split(path: str) -> list[str]:
    """The names in ``path``, without empty ones and ``.`` (``..`` is kept)."""
    parts = path.strip("/").split("/")
    if "" in parts or "." in parts:
        return [p for p in parts if p and p != "."]
    return parts


def join(parts: list[str] | tuple[str, ...]) -> str:
    return "/" + "/".join(parts)


def clean(path: str) -> str:
    """An absolute, normalised path (``..`` cannot climb above ``/``)."""
    out: list[str] = []
    for p in path.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/" + "/".join(out)


@record(frozen=True, slots=True)
class Snapshot:
    """An immutable view of a tree: what a layer, an image or a finished stage holds."""

    root: Dir

    def fs(self) -> FS:
        """A new writer starting from this snapshot (O(1))."""
        return FS(self.root)


class _Owner:
    __slots__ = ()


class FS:
    """A writable filesystem tree."""

    __slots__ = ("_owner", "readonly", "root")

    def __init__(self, root: Dir | None = None) -> None:
        self._owner = _Owner()
        self.root = root if root is not None else Dir(Meta(0o755), owner=self._owner)
        # Paths mounted read-only (RUN --mount=type=bind): writes under them fail EROFS.
        self.readonly: tuple[str, ...] = ()

    # --- snapshots ---------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Freeze the current tree; later writes through this FS copy what they touch."""
        self._owner = _Owner()
        return Snapshot(self.root)

    # --- resolution --------------------------------------------------------------------

    def _resolve(
        self, path: str, follow_last: bool, lenient: bool = False
    ) -> tuple[list[str], list[Node | None]]:
        """Canonical components of ``path`` and the nodes along them (last may be None).

        ``lenient``: a missing directory is no error, the rest of the path is taken as
        written below it (containerd's ``RootPath``, which COPY uses for its destination).
        """
        pending = split(path)
        pending.reverse()
        if path.endswith("/") or path.endswith("/."):
            follow_last = True
        parts: list[str] = []
        nodes: list[Node | None] = [self.root]
        links = 0
        while pending:
            name = pending.pop()
            if name == "..":
                if parts:
                    parts.pop()
                    nodes.pop()
                continue
            cur = nodes[-1]
            if cur is None and lenient:
                parts.append(name)
                nodes.append(None)
                continue
            if not isinstance(cur, Dir):
                raise FsError(_errno.ENOTDIR if cur is not None else _errno.ENOENT, join(parts))
            child = cur.entries.get(name)
            last = not pending
            if isinstance(child, Symlink) and (follow_last or not last):
                links += 1
                if links > MAX_SYMLINKS:
                    raise FsError(_errno.ELOOP, path)
                target = child.target
                if target.startswith("/"):
                    parts.clear()
                    del nodes[1:]
                more = split(target)
                more.reverse()
                # A relative target (and any ".." in it) continues from the link's directory.
                pending.extend(more)
                continue
            if child is None and not last and not lenient:
                raise FsError(_errno.ENOENT, join([*parts, name]))
            parts.append(name)
            nodes.append(child)
        return parts, nodes

    def realpath(self, path: str, *, missing_ok: bool = False) -> str:
        """The path with every symlink resolved (the last component need not exist;
        with ``missing_ok`` no component need: a dangling link's target is where it points)."""
        # Most paths hold no ".." and at most links without one (alpine's /bin/sh ->
        # /bin/busybox, Debian's /bin -> usr/bin): walked here, the rest by _resolve. The
        # last component may be missing.
        parts = split(path)
        out: list[str] = []
        cur: Any = self.root
        i, links = 0, 0
        while i < len(parts):
            name = parts[i]
            i += 1
            if name == ".." or type(cur) is not Dir:
                break
            child = cur.entries.get(name)
            if child is None:
                if i == len(parts):
                    out.append(name)
                    return join(out)
                break
            if type(child) is Symlink:
                target = child.target
                links += 1
                more = split(target)
                if links > MAX_SYMLINKS or ".." in more:
                    break
                if target.startswith("/"):
                    out, cur = [], self.root
                parts, i = [*more, *parts[i:]], 0  # (a relative one goes on from cur)
                continue
            out.append(name)
            cur = child
        else:
            return join(out)
        return join(self._resolve(path, True, missing_ok)[0])

    def lookup(self, path: str, follow: bool = True) -> Node | None:
        """The node at ``path``, or None when it (or a parent) does not exist."""
        # Most paths hold no symlink and no "..": one plain walk (the hottest loop of a
        # build: a RUN looks up dozens of paths), and a second one when the last name is a
        # link to an absolute path or to a name beside it (alpine's /bin/sh ->
        # /bin/busybox, a package's /usr/bin/tool -> tool-1.2). Anything else takes the
        # long way. Only a Dir has entries: a file met on the way ends a walk with
        # AttributeError.
        names = path.split("/")
        start: Any = self.root
        for hop in (0, 1):
            cur: Any = start
            here = cur  # the directory cur was found in
            try:
                for name in names:
                    if name and name != ".":
                        if name == "..":
                            return self._lookup_links(path, follow)
                        here = cur
                        cur = cur.entries.get(name)
                        if cur is None:
                            return None
            except AttributeError:
                if type(cur) is Symlink:
                    break
                return None  # a file where a directory was needed: ENOTDIR
            if type(cur) is not Symlink:
                return cur  # type: ignore[no-any-return]
            if hop or path.endswith(("/", "/.")):
                break
            if not follow:
                return cur  # lstat: the link itself
            target = cur.target
            if target.startswith("/"):
                start, names = self.root, target.split("/")
            elif target and "/" not in target and target not in (".", ".."):
                start, names = here, [target]
            else:
                break
        return self._lookup_links(path, follow)

    def _lookup_links(self, path: str, follow: bool) -> Node | None:
        """lookup through symlinks: those without ".." (alpine's /bin/ls -> /bin/busybox,
        Debian's /bin -> usr/bin) in a walk of its own, the rest by _resolve."""
        if path.endswith("/") or path.endswith("/."):
            follow = True
        root = self.root
        cur: Node | None = root
        here: Dir = root  # the directory cur was found in
        names = path.split("/")
        i, links = 0, 0
        while i < len(names):
            name = names[i]
            i += 1
            if not name or name == ".":
                continue
            if name == "..":
                break
            if not isinstance(cur, Dir):
                return None  # ENOTDIR
            here = cur
            cur = cur.entries.get(name)
            if cur is None:
                return None
            if isinstance(cur, Symlink):
                rest = names[i:]
                if not follow and not any(p and p != "." for p in rest):
                    return cur
                links += 1
                target = cur.target
                if links > MAX_SYMLINKS or "/../" in f"/{target}/":
                    break
                names = [*target.split("/"), *rest]
                i = 0
                cur = root if target.startswith("/") else here
        else:
            return cur
        try:
            _, nodes = self._resolve(path, follow)
        except FsError as exc:
            if exc.errno in (_errno.ENOENT, _errno.ENOTDIR):
                return None
            raise
        return nodes[-1]

    def get(self, path: str, follow: bool = True) -> Node:
        found = self.lookup(path, follow)  # (the same node; only a miss needs the why)
        if found is not None:
            return found
        node = self._resolve(path, follow)[1][-1]
        if node is None:
            raise FsError(_errno.ENOENT, path)
        return node

    def exists(self, path: str, follow: bool = True) -> bool:
        return self.lookup(path, follow) is not None

    def is_dir(self, path: str) -> bool:
        return isinstance(self.lookup(path), Dir)

    def listdir(self, path: str) -> list[str]:
        node = self.get(path)
        if not isinstance(node, Dir):
            raise FsError(_errno.ENOTDIR, path)
        return sorted(node.entries)

    # --- writing -----------------------------------------------------------------------

    def _own(self, d: Dir) -> Dir:
        return d if d.owner is self._owner else d.copy_for(self._owner)

    def _writable_dir(self, parts: list[str]) -> Dir:
        """The directory at canonical ``parts``, copied along the way as needed."""
        root = self._own(self.root)
        self.root = root
        cur = root
        for i, name in enumerate(parts):
            child = cur.entries.get(name)
            if not isinstance(child, Dir):
                code = _errno.ENOENT if child is None else _errno.ENOTDIR
                raise FsError(code, join(parts[: i + 1]))
            if child.owner is not self._owner:
                child = child.copy_for(self._owner)
                cur.entries[name] = child
            cur = child
        return cur

    def _parent_for_write(self, path: str, follow_last: bool = False) -> tuple[Dir, str, str]:
        parts = split(path)
        if parts and not self.readonly and ".." not in parts:
            # Most writes go through real directories only: make them this writer's in the
            # one walk that finds them (anything else, a symlink first, takes the long way;
            # what this walk copied is the same tree, owned).
            owner = self._owner
            cur = self.root
            if cur.owner is not owner:
                cur = self.root = cur.copy_for(owner)
            for name in parts[:-1]:
                child = cur.entries.get(name)
                if not isinstance(child, Dir):
                    break
                if child.owner is not owner:
                    child = child.copy_for(owner)
                    cur.entries[name] = child
                cur = child
            else:
                name = parts[-1]
                follow = follow_last or path.endswith("/") or path.endswith("/.")
                if not follow or not isinstance(cur.entries.get(name), Symlink):
                    return cur, name, join(parts)
        parts, _ = self._resolve(path, follow_last)
        if not parts:
            raise FsError(_errno.EBUSY, "/", "cannot replace the root directory")
        if self.readonly:
            real = join(parts)
            for ro in self.readonly:
                if real.startswith(ro + "/"):
                    raise FsError(_errno.EROFS, path)
        return self._writable_dir(parts[:-1]), parts[-1], join(parts)

    def put(self, path: str, node: Node, *, follow_last: bool = False) -> str:
        """Place ``node`` at ``path`` (replacing what is there); returns the real path.

        ``node`` may be a directory from another snapshot: it is shared, not copied, and
        copied lazily only if this writer later writes inside it.
        """
        parent, name, real = self._parent_for_write(path, follow_last)
        parent.entries[name] = node
        return real

    def write_file(
        self, path: str, content: bytes, meta: Meta | None = None, origin: object = None
    ) -> File:
        existing = self.lookup(path)
        if isinstance(existing, Dir):
            raise FsError(_errno.EISDIR, path)
        if meta is None:
            meta = existing.meta if isinstance(existing, File) else Meta(0o644)
        return self.store(path, File(meta, content, origin))

    def store(self, path: str, new: File) -> File:
        """Write through ``path`` (following symlinks): the file there becomes ``new``.

        This is a write to the inode, not a new one: when the file's hard links were made
        in this writer (this layer), every name of it gets the new content and metadata.
        A file from an earlier layer is copied up alone, as overlay2 does: its other names
        keep the old bytes and stay linked to each other. Returns the node now in place.
        """
        parent, name, _ = self._parent_for_write(path, True)
        old = parent.entries.get(name)
        if isinstance(old, File) and old.linked_in is self._owner:
            new = File(new.meta, new.content, new.origin, self._owner)
            self._relink(old, new)
        parent.entries[name] = new
        return new

    def _relink(self, old: File, new: File) -> None:
        """Every name of ``old`` now names ``new``. Those names were all made by this
        writer, so only the directories it owns are searched."""
        stack = [self._own(self.root)]
        self.root = stack[0]
        while stack:
            d = stack.pop()
            for name, child in d.entries.items():
                if child is old:
                    d.entries[name] = new
                elif isinstance(child, Dir) and child.owner is self._owner:
                    stack.append(child)

    def mkdir(self, path: str, meta: Meta | None = None, *, exist_ok: bool = False) -> Dir:
        parts = split(path)
        if not parts or (".." in parts and not self._resolve(path, False)[0]):  # the root
            if exist_ok:
                return self.root
            raise FsError(_errno.EEXIST, "/")
        parent, name, real = self._parent_for_write(path)
        existing = parent.entries.get(name)
        if existing is not None:
            if isinstance(existing, Dir) and exist_ok:
                return existing
            raise FsError(_errno.EEXIST, real)
        d = Dir(meta or Meta(0o755), owner=self._owner)
        parent.entries[name] = d
        return d

    def new_dir(self, meta: Meta) -> Dir:
        """An empty directory this writer owns, to be filled in place by a caller that
        places it itself (a walk of a host tree keeps each directory it made, instead of
        resolving every path from the root again)."""
        return Dir(meta, owner=self._owner)

    def makedirs(self, path: str, meta: Meta | None = None, *, chowned: bool = True) -> list[str]:
        """Create ``path`` and missing parents (each with ``meta``); returns those created.

        As mkdir(2) does, a directory made in a setgid directory is setgid too, and takes
        that directory's group unless ``chowned`` (its owner is set after the mkdir).

        Linear in the path: the existing part is walked once and the missing part is made
        in one go (a path thousands of levels deep costs thousands of steps, not millions).
        """
        meta = meta or Meta(0o755)
        parts = split(path)
        cur = self.root
        i = 0
        while i < len(parts):
            if parts[i] == "..":
                break
            child = cur.entries.get(parts[i])
            if child is None or isinstance(child, Symlink):
                break
            if not isinstance(child, Dir):
                raise FsError(_errno.ENOTDIR, join(parts[: i + 1]))
            cur, i = child, i + 1
        rest = parts[i:]
        if not rest:
            return []
        if self.readonly or ".." in rest or rest[0] in cur.entries:
            return self._makedirs_slowly(parts, meta, chowned)
        parent = self._writable_dir(parts[:i])
        created: list[str] = []
        prefix = join(parts[:i]).rstrip("/")
        for name in rest:
            child_dir = Dir(in_dir(parent.meta, meta, chowned=chowned), owner=self._owner)
            parent.entries[name] = child_dir
            prefix = f"{prefix}/{name}"
            created.append(prefix)
            parent = child_dir
        return created

    def _makedirs_slowly(self, parts: list[str], meta: Meta, chowned: bool) -> list[str]:
        """makedirs through symlinks, ``..`` or read-only mounts: component by component."""
        created: list[str] = []
        parent: Node = self.root
        for i in range(1, len(parts) + 1):
            sub = join(parts[:i])
            node = self.lookup(sub)
            if node is None:
                node = self.mkdir(sub, in_dir(parent.meta, meta, chowned=chowned))
                created.append(sub)
            elif not isinstance(node, Dir):
                raise FsError(_errno.ENOTDIR, sub)
            parent = node
        return created

    def writable_dir(self, path: str) -> Dir:
        """The directory at ``path`` (symlinks followed), owned by this writer: entries may be
        put in it directly until the next :meth:`snapshot` (an archive's many entries under
        one directory cost one resolution)."""
        parts, nodes = self._resolve(path, True)
        node = nodes[-1]
        if not isinstance(node, Dir):
            raise FsError(_errno.ENOENT if node is None else _errno.ENOTDIR, path)
        if self.readonly:
            real = join(parts)
            if any(real == ro or real.startswith(ro + "/") for ro in self.readonly):
                raise FsError(_errno.EROFS, path)
        return self._writable_dir(parts)

    def owns(self, d: Dir) -> bool:
        """Whether ``d`` is this writer's until the next :meth:`snapshot` (what
        :meth:`writable_dir` gave may still be edited in place)."""
        return d.owner is self._owner

    def writable_child(self, parent: Dir, name: str) -> Dir:
        """The directory ``name`` of a :meth:`writable_dir`, itself made writable."""
        child = parent.entries[name]
        assert isinstance(child, Dir)
        if child.owner is not self._owner:
            child = child.copy_for(self._owner)
            parent.entries[name] = child
        return child

    def symlink(self, path: str, target: str, meta: Meta | None = None) -> Symlink:
        link = Symlink(meta or Meta(0o777), target)
        parent, name, real = self._parent_for_write(path)
        if name in parent.entries:
            raise FsError(_errno.EEXIST, real)
        parent.entries[name] = link
        return link

    def link(self, existing: str, new: str) -> None:
        """A hard link: the same file object under a second name.

        A file not yet linked in this writer is copied up first (a new object under its
        old name too), so that both names are this layer's inode, as overlay2 does.
        """
        node = self.get(existing, follow=False)
        if isinstance(node, Dir):
            raise FsError(_errno.EPERM, existing, "hard link not allowed for directory")
        parent, name, real = self._parent_for_write(new)
        if name in parent.entries:
            raise FsError(_errno.EEXIST, real)
        if isinstance(node, File) and node.linked_in is not self._owner:
            node = File(node.meta, node.content, node.origin, self._owner)
            self.put(existing, node)
            parent = self._writable_dir(split(real)[:-1])
        parent.entries[name] = node

    def remove(self, path: str, *, recursive: bool = False) -> Node:
        parent, name, real = self._parent_for_write(path)
        node = parent.entries.get(name)
        if node is None:
            raise FsError(_errno.ENOENT, real)
        if isinstance(node, Dir) and node.entries and not recursive:
            raise FsError(_errno.ENOTEMPTY, real)
        del parent.entries[name]
        return node

    def rename(self, src: str, dst: str) -> None:
        sparent, sname, sreal = self._parent_for_write(src)
        node = sparent.entries.get(sname)
        if node is None:
            raise FsError(_errno.ENOENT, sreal)
        if isinstance(node, Dir) and (dst + "/").startswith(sreal + "/") and dst != sreal:
            raise FsError(_errno.EINVAL, dst, "cannot move a directory into itself")
        dparent, dname, dreal = self._parent_for_write(dst)
        target = dparent.entries.get(dname)
        if isinstance(target, Dir) and target.entries and target is not node:
            raise FsError(_errno.ENOTEMPTY, dreal)
        # Re-fetch: making dst's parent writable may have copied src's parent.
        sparent = self._writable_dir(split(sreal)[:-1])
        del sparent.entries[sname]
        dparent = self._writable_dir(split(dreal)[:-1])
        if isinstance(node, File) and node.linked_in is not self._owner:
            # rename(2) of a lower layer's file copies it up: it leaves its hard links.
            node = File(node.meta, node.content, node.origin)
        dparent.entries[dname] = node

    def set_meta(self, path: str, meta: Meta, *, follow: bool = True) -> None:
        if not self._resolve(path, follow)[0]:
            self.root = self._own(self.root)
            self.root.meta = meta
            return
        parent, name, real = self._parent_for_write(path, follow)
        node = parent.entries.get(name)
        if node is None:
            raise FsError(_errno.ENOENT, real)
        if isinstance(node, File) and node.linked_in is self._owner:
            self.store(real, File(meta, node.content, node.origin))  # every name's inode
            return
        parent.entries[name] = _with_meta(node, meta, self)

    # --- reading trees -----------------------------------------------------------------

    def walk(self, path: str = "/") -> Iterator[tuple[str, Node]]:
        """Every entry under ``path`` (not ``path`` itself), depth first, sorted by name."""
        return walk(self.get(path), clean(path))


def in_dir(parent: Meta, meta: Meta, *, chowned: bool) -> Meta:
    """``meta`` for a directory made inside one with ``parent``: a setgid parent passes on
    the setgid bit, and its group unless the new directory is chowned afterwards."""
    if not parent.mode & 0o2000:
        return meta
    return meta.with_(mode=meta.mode | 0o2000, gid=meta.gid if chowned else parent.gid)


def _with_meta(node: Node, meta: Meta, fs: FS) -> Node:
    if isinstance(node, Dir):
        d = fs._own(node)  # a directory is changed in place once this writer owns it
        d.meta = meta
        return d
    return with_meta(node, meta)


def with_meta(node: Node, meta: Meta) -> Node:
    """A copy of a non-directory node with new metadata."""
    if isinstance(node, File):
        return File(meta, node.content, node.origin)
    if isinstance(node, Symlink):
        return Symlink(meta, node.target, node.origin)
    if isinstance(node, Device):
        return Device(meta, node.kind, node.major, node.minor, node.origin)
    return Dir(meta, node.entries, None, node.origin)


def walk(
    node: Node, prefix: str = "/", enter: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, Node]]:
    """(path, node) for every entry under ``node``, depth first, sorted by name; a
    directory whose path ``enter`` refuses is yielded but not walked into.

    Iterative, like every walk here: a tree's depth is data (a RUN can nest directories
    thousands deep), never Python's stack.
    """
    if not isinstance(node, Dir):
        return
    stack: list[tuple[str, Dir, Iterator[str]]] = [
        ("" if prefix == "/" else prefix, node, iter(sorted(node.entries)))
    ]
    while stack:
        base, cur, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        child = cur.entries[name]
        path = f"{base}/{name}"
        yield path, child
        if isinstance(child, Dir) and (enter is None or enter(path)):
            stack.append((path, child, iter(sorted(child.entries))))


# collect()'s answers for directories of frozen trees, by (directory, its path, the key of
# the question): the trees of many images share most directories (every submission built on
# one base image), so each shared directory is walked once per question, not once per image.
# A directory is held weakly: the memo keeps no image's tree alive.
_COLLECTED: dict[tuple[int, str, Hashable], tuple[weakref.ref[Dir], tuple[Any, ...]]] = {}
_COLLECTED_MAX = 50_000


def collect(
    root: Node, visit: Callable[[str, Node], tuple[tuple[_T, ...], bool]], key: Hashable
) -> tuple[_T, ...]:
    """What ``visit(path, node)`` gives for every entry under ``root`` (in :func:`walk`'s
    order), joined; ``visit`` also says whether to enter a directory.

    For a snapshot's tree only (nothing in it changes any more): a directory's share of
    the answer is remembered by the directory itself, its path and ``key``, which must
    name ``visit`` exactly (same key, same answers). Bounded; iterative, as every walk.
    """
    if not isinstance(root, Dir):
        return ()
    memo = _COLLECTED
    held = memo.get((id(root), "", key))
    if held is not None and held[0]() is root:  # (alive: its id is not another's)
        return held[1]
    stack: list[tuple[Dir, str, Iterator[str], list[_T]]] = [
        (root, "", iter(sorted(root.entries)), [])
    ]
    while True:
        d, base, names, out = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            done = tuple(out)
            if len(memo) >= _COLLECTED_MAX:
                memo.clear()
            memo[(id(d), base, key)] = (weakref.ref(d), done)
            if not stack:
                return done
            if done:
                stack[-1][3].extend(done)
            continue
        child = d.entries[name]
        path = f"{base}/{name}"
        items, enter = visit(path, child)
        if items:
            out.extend(items)
        if enter and isinstance(child, Dir):
            held = memo.get((id(child), path, key))
            if held is None or held[0]() is not child:
                stack.append((child, path, iter(sorted(child.entries)), []))
            elif held[1]:
                out.extend(held[1])


def count(node: Node) -> tuple[int, int]:
    """(entries, bytes of file content) under ``node``, hard links counted once."""
    seen: set[int] = set()
    entries = size = 0
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Dir):
            for child in cur.entries.values():
                entries += 1
                if isinstance(child, Dir):
                    stack.append(child)
                elif isinstance(child, File) and id(child) not in seen:
                    seen.add(id(child))
                    size += child.size
    return entries, size


# --- differences --------------------------------------------------------------------------


@record(frozen=True, slots=True)
class Change:
    """One path that differs between two trees."""

    path: str
    kind: str  # "added" | "modified" | "deleted"
    old: Node | None
    new: Node | None


def names_to_compare(a: Dir, b: Dir) -> list[str]:
    """The names under which two directories may differ, sorted. Two copies of one large
    directory share their unchanged entries (:class:`~emu.fs.nodes.Entries`): only the names
    either copy changed are looked at, so a layer's diff costs its changes."""
    ea, eb = a.entries, b.entries
    if type(ea) is Entries and type(eb) is Entries:
        names = ea.names_changed(eb)
        if names is not None:
            return sorted(names)
    return sorted(ea.keys() | eb.keys())


def disjoint(a: Dir, b: Dir) -> bool:
    """Whether no name is in both directories (copies sharing entries are found at once)."""
    ea, eb = a.entries, b.entries
    if (
        type(ea) is Entries
        and type(eb) is Entries
        and ea.base is eb.base
        and len(ea.gone | eb.gone) < len(ea.base)
    ):
        return False  # a shared name neither copy removed
    return not (ea.keys() & eb.keys())


def diff(old: Dir, new: Dir, prefix: str = "") -> Iterator[Change]:
    """What turned ``old`` into ``new``, in path order; shared subtrees are skipped whole."""
    stack: list[tuple[Dir, Dir, str, Iterator[str]]] = []

    def enter(a: Dir, b: Dir, base: str) -> None:
        if a is not b:
            stack.append((a, b, base, iter(names_to_compare(a, b))))

    enter(old, new, prefix)
    while stack:
        a_dir, b_dir, base, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        a = a_dir.entries.get(name)
        b = b_dir.entries.get(name)
        if a is b:
            continue
        path = f"{base}/{name}"
        if b is None:
            yield Change(path, "deleted", a, None)
        elif a is None:
            yield Change(path, "added", None, b)
            if isinstance(b, Dir):
                for sub, node in walk(b, path):
                    yield Change(sub, "added", None, node)
        elif isinstance(a, Dir) and isinstance(b, Dir):
            if a.meta != b.meta:
                yield Change(path, "modified", a, b)
            enter(a, b, path)
        elif isinstance(a, Dir) or isinstance(b, Dir) or not _same(a, b):
            yield Change(path, "modified", a, b)
            if isinstance(b, Dir):
                for sub, node in walk(b, path):
                    yield Change(sub, "added", None, node)


def _same(a: Node, b: Node) -> bool:
    """Whether a rewritten non-directory node is unchanged for a layer.

    Only the same object is: a file written again (even with equal bytes) is in the new
    layer, as an overlay's copy-up puts it there, and that also keeps hard links right.
    """
    return a is b


__all__ = [
    "FS",
    "Change",
    "FsError",
    "Snapshot",
    "clean",
    "count",
    "diff",
    "disjoint",
    "in_dir",
    "join",
    "names_to_compare",
    "split",
    "walk",
    "with_meta",
]
