"""The inodes of emu's in-memory filesystem: files, directories, symlinks and devices.

Files and symlinks are immutable values; a hard link is the same :class:`File` object under
two names (a write through one name puts a new object under every name, see
:meth:`~emu.fs.tree.FS.store`). Directories are mutable only by the writer that owns them (see
:class:`~emu.fs.tree.FS`): a snapshot freezes a tree by handing out a new owner token, so
the next write copies just the directories on its path.
"""

from __future__ import annotations

import hashlib
import stat as _stat
from collections.abc import Callable, ItemsView, Iterator, MutableMapping, ValuesView
from enum import Enum
from typing import BinaryIO

from emu.records import field, record


class Kind(Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"


_TYPE_BITS = {
    Kind.FILE: _stat.S_IFREG,
    Kind.DIR: _stat.S_IFDIR,
    Kind.SYMLINK: _stat.S_IFLNK,
    Kind.CHAR: _stat.S_IFCHR,
    Kind.BLOCK: _stat.S_IFBLK,
    Kind.FIFO: _stat.S_IFIFO,
}


@record(frozen=True, slots=True)
class Meta:
    """Owner, permission bits (incl. setuid/setgid/sticky, no type bits) and mtime."""

    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    mtime: int = 0  # seconds since the epoch

    def with_(
        self,
        *,
        mode: int | None = None,
        uid: int | None = None,
        gid: int | None = None,
        mtime: int | None = None,
    ) -> Meta:
        return Meta(
            self.mode if mode is None else mode & 0o7777,
            self.uid if uid is None else uid,
            self.gid if gid is None else gid,
            self.mtime if mtime is None else mtime,
        )


@record(frozen=True, slots=True)
class Blob:
    """Content known only by size (a modelled artifact: a 40 MB binary, a JDK)."""

    size: int
    label: str = ""  # what it stands for, shown by `emu cat` instead of bytes
    # What the modelled program is, where emulation depends on it (declared by the data
    # that made the blob, never guessed from the label); it travels with the file through
    # COPY and cp. Known: ``sh-standalone-applets`` — a busybox built with
    # FEATURE_SH_STANDALONE (Debian's busybox-static), whose ash runs applets first.
    traits: frozenset[str] = frozenset()

    @property
    def digest(self) -> str:
        # Deterministic stand-in so identical models compare equal across builds.
        h = hashlib.sha256(f"emu-blob:{self.size}:{self.label}".encode())
        return "sha256:" + h.hexdigest()


@record(frozen=True, slots=True, eq=False)
class Lazy:
    """Content read only when someone needs the bytes (a context file on the host).

    COPY of a large context then costs one node per file, not a read per file; the bytes
    are read when an output is written or the shell opens the file.
    """

    size: int
    loader: Callable[[], bytes] = field(repr=False)
    source: str = ""
    # Opens the bytes as a stream (a host file): an output then hashes and writes a 1 GB
    # context file a chunk at a time instead of holding it whole.
    opener: Callable[[], BinaryIO] | None = field(default=None, repr=False)

    def read(self) -> bytes:
        return self.loader()

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The bytes, ``size`` at a time (in one piece when they fit in one, or cannot be
        streamed)."""
        if self.opener is None or self.size < size:
            yield self.loader()
            return
        with self.opener() as f:
            while chunk := f.read(size):
                yield chunk


Content = bytes | Blob | Lazy


@record(frozen=True, slots=True, eq=False)
class File:
    meta: Meta
    content: Content = b""
    # Where it came from (a context path, a stage path, a RUN): for `emu explain`.
    origin: object = field(default=None, compare=False)
    # The writer (one layer) in which this file's hard links were made, or None. Only there
    # do its names share one inode: in a later layer the names sit in a lower overlay2
    # layer, and writing one copies that name up alone (see FS.store).
    linked_in: object = field(default=None, compare=False)

    kind = Kind.FILE

    @property
    def size(self) -> int:
        c = self.content
        return len(c) if isinstance(c, bytes) else c.size

    @property
    def data(self) -> bytes | None:
        """The bytes (read now if lazy), or None for a size-only blob."""
        c = self.content
        if isinstance(c, bytes):
            return c
        if isinstance(c, Lazy):
            return c.read()
        return None

    def same_content(self, other: File) -> bool:
        a, b = self.content, other.content
        if a is b:
            return True
        if isinstance(a, Lazy) or isinstance(b, Lazy):
            return self.size == other.size and self.data == other.data
        return a == b


@record(frozen=True, slots=True, eq=False)
class Symlink:
    meta: Meta
    target: str
    origin: object = field(default=None, compare=False)

    kind = Kind.SYMLINK

    @property
    def size(self) -> int:
        return len(self.target.encode("utf-8", "surrogateescape"))


@record(frozen=True, slots=True, eq=False)
class Device:
    meta: Meta
    kind: Kind  # CHAR, BLOCK or FIFO
    major: int = 0
    minor: int = 0
    origin: object = field(default=None, compare=False)

    @property
    def size(self) -> int:
        return 0

    def read(self, size: int) -> bytes:
        """``size`` bytes read from the device: /dev/zero gives zeros, /dev/random and
        /dev/urandom a fixed pseudo-random stream (builds stay reproducible), any other
        device (/dev/null) nothing."""
        if self.kind is not Kind.CHAR or self.major != 1:
            return b""
        if self.minor == 5:
            return bytes(size)
        if self.minor in (8, 9):
            import random  # here: /dev/urandom is seldom read

            return random.Random("emu-urandom").randbytes(size)
        return b""


# A directory with at least this many entries is shared between its copies (see Entries);
# a smaller one is copied whole, which for a small dict is cheaper than any bookkeeping.
SHARE_FROM = 256


class Dir:
    """A directory: metadata and named children, owned by one writer at a time."""

    __slots__ = ("__weakref__", "entries", "meta", "origin", "owner")  # (weakref: fs.tree.collect)
    kind = Kind.DIR

    def __init__(
        self,
        meta: Meta,
        entries: MutableMapping[str, Node] | None = None,
        owner: object = None,
        origin: object = None,
    ) -> None:
        self.meta = meta
        self.entries: MutableMapping[str, Node] = {} if entries is None else entries
        self.owner = owner
        self.origin = origin

    @property
    def size(self) -> int:
        return 0

    def copy_for(self, owner: object) -> Dir:
        e = self.entries
        if type(e) is Entries:  # (an isinstance check against an ABC costs far more)
            # This directory is frozen (its writer moved on), so trading its overlay for
            # the compacted one is a change of representation, not of content.
            self.entries, mine = e.fork()
            return Dir(self.meta, mine, owner, self.origin)
        if len(e) < SHARE_FROM:
            return Dir(self.meta, dict(e), owner, self.origin)
        # Large: both sides become overlays of the one dict, which nobody writes again.
        self.entries = Entries(dict(e) if type(e) is not dict else e)
        return Dir(self.meta, Entries(self.entries.base), owner, self.origin)

    def __repr__(self) -> str:
        return f"Dir({self.meta}, {len(self.entries)} entries)"


class Entries(MutableMapping[str, "Node"]):
    """A large directory's entries: a dict shared with its other copies, plus this copy's
    own changes (in place, removed, appended).

    A layer that adds one file to a directory of 4,000 then costs its changes, not a copy
    of the 4,000 (each layer keeps its tree, so whole copies made 4,000 COPYs into one
    directory quadratic in memory). Reads and iteration give exactly what a dict holding
    the same operations would, in the same order: a name keeps its place when rewritten,
    and goes to the end when deleted and added again. When the changes outgrow about the
    square root of the shared part, the next copy compacts them into a new shared dict.
    """

    __slots__ = ("base", "gone", "new", "over")

    def __init__(
        self,
        base: dict[str, Node],
        over: dict[str, Node] | None = None,
        gone: set[str] | None = None,
        new: dict[str, Node] | None = None,
    ) -> None:
        self.base = base  # shared: never written
        self.over: dict[str, Node] = over if over is not None else {}  # base names rewritten
        self.gone: set[str] = gone if gone is not None else set()  # base names removed
        self.new: dict[str, Node] = new if new is not None else {}  # appended, in order

    def changed(self) -> int:
        return len(self.over) + len(self.gone) + len(self.new)

    def fork(self) -> tuple[Entries, Entries]:
        """(what this directory holds now, a copy for a new writer), same content."""
        if self.changed() * self.changed() > 4 * len(self.base) + 4096:
            # dict(self.items()) in C-level steps: the shared part in its order, removals,
            # rewrites in place, then the appended names (a removed name added again is
            # among them, so it goes to the end, as in a dict).
            base = dict(self.base)
            for name in self.gone:
                del base[name]
            base.update(self.over)
            base.update(self.new)
            return Entries(base), Entries(base)
        return self, Entries(self.base, dict(self.over), set(self.gone), dict(self.new))

    def names_changed(self, other: Entries) -> set[str] | None:
        """Where ``other`` (sharing this base) can differ from this; None if no base is shared."""
        if other.base is not self.base:
            return None
        mine = {*self.over, *self.gone, *self.new}
        return mine.union(other.over, other.gone, other.new)

    def __getitem__(self, name: str) -> Node:
        node = self.get(name)
        if node is None:
            raise KeyError(name)
        return node

    def get(self, name: str, default: Node | None = None) -> Node | None:  # type: ignore[override]
        node = self.new.get(name)
        if node is not None:
            return node
        if name in self.gone:
            return default
        node = self.over.get(name)
        if node is not None:
            return node
        return self.base.get(name, default)

    def __contains__(self, name: object) -> bool:
        if name in self.new:
            return True
        return name not in self.gone and name in self.base

    def __setitem__(self, name: str, node: Node) -> None:
        if name in self.new or name in self.gone or name not in self.base:
            self.new[name] = node
        else:
            self.over[name] = node

    def __delitem__(self, name: str) -> None:
        if name in self.new:
            del self.new[name]
        elif name in self.base and name not in self.gone:
            self.gone.add(name)
            self.over.pop(name, None)
        else:
            raise KeyError(name)

    def pop(self, name: str, *default: Node | None) -> Node | None:  # type: ignore[override]
        node = self.get(name)
        if node is None:
            if default:
                return default[0]
            raise KeyError(name)
        del self[name]
        return node

    def __iter__(self) -> Iterator[str]:
        gone = self.gone
        for name in self.base:
            if name not in gone:
                yield name
        yield from self.new

    def __len__(self) -> int:
        return len(self.base) - len(self.gone) + len(self.new)

    def _items(self) -> Iterator[tuple[str, Node]]:
        gone, over = self.gone, self.over
        for name, node in self.base.items():
            if name not in gone:
                yield name, over.get(name, node)
        yield from self.new.items()

    def items(self) -> ItemsView[str, Node]:
        return _Items(self)

    def values(self) -> ValuesView[Node]:
        return _Values(self)

    def __reduce__(self) -> tuple[type[dict[str, Node]], tuple[list[tuple[str, Node]]]]:
        # Pickled (the image store, a grading worker's result) as the dict it reads as: only
        # what is visible, in its order; an unpickled directory is no longer shared.
        return dict, (list(self._items()),)

    def __repr__(self) -> str:
        return f"Entries({dict(self._items())!r})"


class _Items(ItemsView[str, "Node"]):
    _mapping: Entries

    def __iter__(self) -> Iterator[tuple[str, Node]]:
        return self._mapping._items()


class _Values(ValuesView["Node"]):
    _mapping: Entries

    def __iter__(self) -> Iterator[Node]:
        return (node for _, node in self._mapping._items())


Node = File | Dir | Symlink | Device


def type_bits(node: Node) -> int:
    return _TYPE_BITS[node.kind]


def mode_string(node: Node) -> str:
    """``ls -l`` style: ``drwxr-xr-x``, ``-rwsr-xr-x``, ``lrwxrwxrwx``."""
    kind_char = {
        Kind.FILE: "-",
        Kind.DIR: "d",
        Kind.SYMLINK: "l",
        Kind.CHAR: "c",
        Kind.BLOCK: "b",
        Kind.FIFO: "p",
    }[node.kind]
    return _stat.filemode(type_bits(node) | node.meta.mode).replace(
        _stat.filemode(type_bits(node))[0], kind_char, 1
    )
