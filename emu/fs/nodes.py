"""The inodes of emu's in-memory filesystem: files, directories, symlinks and devices.

Files and symlinks are immutable values; a hard link is the same :class:`File` object under
two names (a write through one name puts a new object under every name, see
:meth:`~emu.fs.tree.FS.store`). Directories are mutable only by the writer that owns them (see
:class:`~emu.fs.tree.FS`): a snapshot freezes a tree by handing out a new owner token, so
the next write copies just the directories on its path.
"""

from __future__ import annotations

import hashlib
import random as _random
import stat as _stat
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True, eq=False)
class Lazy:
    """Content read only when someone needs the bytes (a context file on the host).

    COPY of a large context then costs one node per file, not a read per file; the bytes
    are read when an output is written or the shell opens the file.
    """

    size: int
    loader: Callable[[], bytes] = field(repr=False)
    source: str = ""

    def read(self) -> bytes:
        return self.loader()


Content = bytes | Blob | Lazy


@dataclass(frozen=True, slots=True, eq=False)
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


@dataclass(frozen=True, slots=True, eq=False)
class Symlink:
    meta: Meta
    target: str
    origin: object = field(default=None, compare=False)

    kind = Kind.SYMLINK

    @property
    def size(self) -> int:
        return len(self.target.encode("utf-8", "surrogateescape"))


@dataclass(frozen=True, slots=True, eq=False)
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
            return _random.Random("emu-urandom").randbytes(size)
        return b""


class Dir:
    """A directory: metadata and named children, owned by one writer at a time."""

    __slots__ = ("entries", "meta", "origin", "owner")
    kind = Kind.DIR

    def __init__(
        self,
        meta: Meta,
        entries: dict[str, Node] | None = None,
        owner: object = None,
        origin: object = None,
    ) -> None:
        self.meta = meta
        self.entries: dict[str, Node] = {} if entries is None else entries
        self.owner = owner
        self.origin = origin

    @property
    def size(self) -> int:
        return 0

    def copy_for(self, owner: object) -> Dir:
        return Dir(self.meta, dict(self.entries), owner, self.origin)

    def __repr__(self) -> str:
        return f"Dir({self.meta}, {len(self.entries)} entries)"


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
