"""Tar archives from untrusted input, read under limits: ADD's local archives and the layers
of ``emu load`` both come through here.

An archive is hostile data until proven otherwise: a 2 KB tar can declare a sparse member
of a terabyte, a 5 KB bzip2 stream can expand to gigabytes, one entry's name can be
thousands of directories deep, a 6 MB tar.gz can hold a million entries, and header fields
can hold numbers no Linux inode can carry. So, as Go's ``archive/tar`` and containerd's
applier (BuildKit's) meet them on a real system, and under the same limits as a RUN:

* every entry counts as a file created and every regular file's *declared* size (a sparse
  file's whole size) counts as bytes stored, **before** anything is read; the content is
  then read in chunks, with the deadline checked between them (the limits come from the
  caller: a :class:`Budget`, which :class:`emu.sh.api.Limits` is);
* the stream is decompressed as it is read, never whole, so what a bomb expands to is only
  read as far as the headers it holds declare;
* a name or link target of ``PATH_MAX`` (4096) bytes or more, or with a component over
  ``NAME_MAX`` (255) bytes, fails as Linux fails it (``file name too long``); an owner
  beyond 32 bits or a device number beyond the kernel's (12-bit major, 20-bit minor) is an
  error, not a number silently cut; entry types other than files, directories, links and
  devices are errors (Go's reader and containerd refuse them too);
* headers are read as Go reads them: a truncated or invalid header after the first is an
  error, not a quiet end of the archive.

:class:`Placer` puts entries into an in-memory tree with each parent directory resolved
once (symlinks resolved inside a chosen root, as in a chroot), so an archive of many
entries under a deep directory costs one resolution of it, not one per entry.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import lzma
import posixpath
import struct
import tarfile
import zlib
from collections.abc import Iterator
from typing import IO, Final, Protocol, cast

from emu.errors import ArchiveError as ArchiveError
from emu.fs.limits import MAX_ID, MAX_MAJOR, MAX_MINOR, NAME_MAX, PATH_MAX
from emu.fs.names import printable
from emu.fs.nodes import Device, Dir, File, Kind, Meta, Node, Symlink
from emu.fs.tree import FS, FsError
from emu.records import record

__all__ = [
    "NAME_MAX",
    "PATH_MAX",
    "UNLIMITED",
    "ArchiveError",
    "Budget",
    "Entry",
    "Placer",
    "compression",
    "entries",
    "open_tar",
]

_CHUNK: Final = 1 << 20
_CHECK_EVERY: Final = 256  # entries between two looks at the clock


class Budget(Protocol):
    """The limits an archive is read under (:class:`emu.sh.api.Limits` is one): each call
    counts and raises the caller's limit error past its maximum."""

    def created(self, n: int = 1) -> None: ...

    def stored(self, n: int) -> None: ...

    def check_time(self) -> None: ...


class _Unlimited:
    """No limits (a caller that bounds the work itself, or tests)."""

    def created(self, n: int = 1) -> None:
        pass

    def stored(self, n: int) -> None:
        pass

    def check_time(self) -> None:
        pass


UNLIMITED: Final[Budget] = _Unlimited()


class _Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


@record(frozen=True, slots=True)
class Entry:
    """One member of an archive, checked."""

    name: str  # as the archive writes it (not yet cleaned or confined)
    kind: Kind
    meta: Meta
    data: bytes = b""
    link: str = ""  # a symlink's target or a hard link's source
    hard_link: bool = False
    major: int = 0
    minor: int = 0


def compression(head: bytes) -> str | None:
    """The compression a stream starting with ``head`` uses, by its magic number."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return None


class _Prefixed:
    """A reader that serves ``head`` again before the rest of ``raw``."""

    def __init__(self, raw: _Readable, head: bytes) -> None:
        self.raw = raw
        self.head = head

    def read(self, n: int = -1, /) -> bytes:
        if not self.head:
            return self.raw.read(n)
        if n < 0:
            data, self.head = self.head + self.raw.read(), b""
            return data
        data, self.head = self.head[:n], self.head[n:]
        if len(data) < n:
            data += self.raw.read(n - len(data))
        return data


def decompressing(raw: _Readable) -> _Readable:
    """``raw``, decompressed as it is read when it starts with a gzip, bzip2 or xz magic."""
    head = raw.read(6)
    kind = compression(head)
    stream = cast("IO[bytes]", _Prefixed(raw, head))
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "bzip2":
        return bz2.BZ2File(stream, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(stream, mode="rb")
    return _Prefixed(raw, head)


def open_tar(data: bytes) -> _Readable | None:
    """A tar stream from a local file's bytes (maybe compressed), or None when they are not
    a tar archive (ADD then copies the file as it is, as BuildKit does)."""
    try:
        stream = decompressing(io.BytesIO(data))
        first = stream.read(512)
    except (OSError, EOFError, lzma.LZMAError, ValueError):
        return None
    if len(first) < 512:
        return None
    try:
        tarfile.TarInfo.frombuf(first, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return None
    return _Prefixed(stream, first)


class _CorruptTar(Exception):
    pass


_HEADER: Final = struct.Struct("100s8s8s8s12s12s8sc100s6s2s32s32s8s8s155s")
_NUMERIC: Final = (1, 2, 3, 4, 5, 13, 14)  # fields of _HEADER that are numbers


def _text(raw: bytes, encoding: str, errors: str) -> str:
    return raw.partition(b"\0")[0].decode(encoding, errors)


class _StrictInfo(tarfile.TarInfo):
    """Headers read as Go's archive/tar (Docker, BuildKit) reads them: a truncated or
    invalid header after the first is an error, not a silent end of the archive.

    :meth:`frombuf` reads a plain header (octal numbers, a regular member type) in one
    ``struct`` call, several times faster than :mod:`tarfile`, which still reads the rest
    (base-256 numbers, sparse members, signed checksums): a million-entry archive is
    mostly plain headers.
    """

    @classmethod
    def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> _StrictInfo:
        fields = _HEADER.unpack_from(buf) if len(buf) == tarfile.BLOCKSIZE else None
        if (
            fields is None
            or fields[7] not in _PLAIN_TYPES
            or any(fields[i][:1] in (b"\x80", b"\xff") for i in _NUMERIC)
        ):
            return super().frombuf(buf, encoding, errors)
        try:
            numbers = [int(fields[i].partition(b"\0")[0].strip() or b"0", 8) for i in _NUMERIC]
            chksum = int(fields[6].partition(b"\0")[0].strip() or b"0", 8)
        except ValueError:  # not octal: tarfile's reader says what is wrong with it
            return super().frombuf(buf, encoding, errors)
        mode, uid, gid, size, mtime, devmajor, devminor = numbers
        if chksum != sum(buf) - sum(buf[148:156]) + 256:
            return super().frombuf(buf, encoding, errors)
        obj = cls()
        obj.name = _text(fields[0], encoding, errors)
        obj.mode, obj.uid, obj.gid, obj.size, obj.mtime = mode, uid, gid, size, mtime
        obj.chksum = chksum
        obj.type = fields[7]
        obj.linkname = _text(fields[8], encoding, errors)
        obj.uname = _text(fields[11], encoding, errors)
        obj.gname = _text(fields[12], encoding, errors)
        obj.devmajor, obj.devminor = devmajor, devminor
        prefix = _text(fields[15], encoding, errors)
        if obj.type == tarfile.AREGTYPE and obj.name.endswith("/"):
            obj.type = tarfile.DIRTYPE  # the old V7 way of saying "directory"
        if obj.type == tarfile.DIRTYPE:
            obj.name = obj.name.rstrip("/")
        if prefix:
            obj.name = prefix + "/" + obj.name
        return obj

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> _StrictInfo:
        try:
            info = super().fromtarfile(tarfile_)
        except tarfile.HeaderError as exc:
            # The end of the archive (a zero block, or no more data) is fine; a truncated
            # or invalid header (TruncatedHeaderError, InvalidHeaderError) is not.
            if type(exc).__name__ in ("EOFHeaderError", "EmptyHeaderError"):
                raise
            raise _CorruptTar(f"bad header at byte {tarfile_.offset}: {exc}") from None
        assert isinstance(info, _StrictInfo)
        return info


# Member types whose header carries nothing more than the plain fields.
_PLAIN_TYPES: Final = frozenset((b"0", b"\0", b"1", b"2", b"3", b"4", b"5", b"6", b"7"))

_KINDS: Final = {
    tarfile.CHRTYPE: Kind.CHAR,
    tarfile.BLKTYPE: Kind.BLOCK,
    tarfile.FIFOTYPE: Kind.FIFO,
}


def _too_long(name: str) -> str | None:
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) >= PATH_MAX:
        return f"file name too long ({len(raw)} bytes; Linux's limit is {PATH_MAX - 1})"
    longest = max((len(part) for part in raw.split(b"/")), default=0)
    if longest > NAME_MAX:
        return f"file name too long (a component of {longest} bytes; the limit is {NAME_MAX})"
    return None


def _check(m: tarfile.TarInfo, what: str) -> None:
    def fail(reason: str) -> ArchiveError:
        return ArchiveError(f"{what}: entry {printable(m.name, 80)!r}: {reason}")

    for text in (m.name, m.linkname):
        problem = _too_long(text)
        if problem is not None:
            raise fail(problem)
    for key in ("uid", "gid"):
        value = getattr(m, key)
        if not 0 <= value <= MAX_ID:
            raise fail(f"{key} {value} is out of range (owners are 32-bit numbers)")
    if m.type in (tarfile.CHRTYPE, tarfile.BLKTYPE) and not (
        0 <= m.devmajor <= MAX_MAJOR and 0 <= m.devminor <= MAX_MINOR
    ):
        raise fail(f"device number {m.devmajor},{m.devminor} is out of range")
    if m.size < 0:
        raise fail(f"negative size {m.size}")


def _content(tf: tarfile.TarFile, m: tarfile.TarInfo, budget: Budget) -> bytes:
    budget.stored(m.size)  # the declared size (a sparse file's whole size), before reading
    f = tf.extractfile(m)
    if f is None:
        return b""
    chunks: list[bytes] = []
    left = m.size
    while left > 0:
        chunk = f.read(min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
        budget.check_time()
    return b"".join(chunks)


def entries(stream: _Readable, what: str, budget: Budget) -> Iterator[Entry]:
    """The members of a tar stream, checked and counted against ``budget`` as they come.

    Raises :class:`ArchiveError` (naming ``what`` and the entry) for a malformed archive,
    and whatever ``budget`` raises past a limit.
    """
    try:
        with tarfile.open(  # type: ignore[call-overload]
            fileobj=stream, mode="r|", tarinfo=_StrictInfo, errors="surrogateescape"
        ) as tf:
            for n, m in enumerate(tf, 1):
                tf.members.clear()  # a stream remembers every member otherwise
                if n % _CHECK_EVERY == 0:
                    budget.check_time()
                _check(m, what)
                budget.created()
                meta = Meta(m.mode & 0o7777, m.uid, m.gid, int(m.mtime))
                if m.isreg():
                    yield Entry(m.name, Kind.FILE, meta, _content(tf, m, budget))
                elif m.isdir():
                    yield Entry(m.name, Kind.DIR, meta)
                elif m.issym():
                    yield Entry(m.name, Kind.SYMLINK, meta, link=m.linkname)
                elif m.islnk():
                    yield Entry(m.name, Kind.FILE, meta, link=m.linkname, hard_link=True)
                elif m.type in _KINDS:
                    yield Entry(m.name, _KINDS[m.type], meta, major=m.devmajor, minor=m.devminor)
                else:
                    raise ArchiveError(
                        f"{what}: entry {printable(m.name, 80)!r}: unsupported tar entry type "
                        f"{printable(m.type.decode('latin-1'))!r}"
                    )
    except (tarfile.TarError, _CorruptTar) as exc:
        raise ArchiveError(f"{what} is not a valid tar: {printable(str(exc), 200)}") from None
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        raise ArchiveError(f"{what} cannot be read: {printable(str(exc), 200)}") from None


# --- placing entries --------------------------------------------------------------------------


class Escape(Exception):
    """An archive whose relative symlink climbs out of the root it is placed under: current
    BuildKit's unpacker refuses it (resolveRootPath); the caller says which build failed."""


class Placer:
    """Puts archive entries under ``root`` of ``fs``, as a chroot there would: ``..`` stops at
    ``root`` and symlinks (also absolute ones) resolve inside it.

    Each parent directory is resolved and made writable once and remembered, so entries
    under one directory cost no more than its name; what the archive itself changes (a
    symlink, a replaced directory) makes it forget. Missing parents are made with
    ``dir_meta``; ``on_dirs`` hears how many.
    """

    def __init__(self, fs: FS, root: str, dir_meta: Meta) -> None:
        self.fs = fs
        self.root = root.rstrip("/") or ""
        self.dir_meta = dir_meta
        self.made_dirs = 0
        self._dirs: dict[str, tuple[Dir, str]] = {}  # archive dir -> (writable Dir, real path)

    def forget(self) -> None:
        self._dirs.clear()

    def real(self, rel: str) -> str:
        """The real path of ``rel`` (an archive path) with symlinks resolved inside the root."""
        top = self.fs.lookup(self.root or "/")
        parts: list[str] = []
        nodes: list[Node | None] = [top]
        pending = [p for p in rel.split("/") if p and p != "."][::-1]
        hops = 0
        while pending:
            name = pending.pop()
            if name == "..":
                if parts:
                    parts.pop()
                    nodes.pop()
                continue
            cur = nodes[-1]
            node = cur.entries.get(name) if isinstance(cur, Dir) else None
            if isinstance(node, Symlink):
                hops += 1
                if hops > 40:
                    raise FsError(errno.ELOOP, printable(rel, 80))
                if node.target.startswith("/"):
                    parts, nodes = [], [top]
                else:
                    up = posixpath.normpath(posixpath.join(*parts, node.target))
                    if up == ".." or up.startswith("../"):
                        link = "/".join([*parts, name])
                        raise Escape(f'archive symlink "{link}" points outside extraction root')
                pending.extend(p for p in reversed(node.target.split("/")) if p and p != ".")
                continue
            parts.append(name)
            nodes.append(node)
        return self.root + ("/" + "/".join(parts) if parts else "") or "/"

    def parent(self, rel_dir: str) -> tuple[Dir, str]:
        """The writable directory an entry under ``rel_dir`` goes in, and its real path."""
        found = self._dirs.get(rel_dir)
        if found is not None:
            return found
        real = self.real(rel_dir)
        if self.fs.lookup(real) is None:
            self.made_dirs += len(self.fs.makedirs(real, self.dir_meta))
        found = (self.fs.writable_dir(real), real)
        self._dirs[rel_dir] = found
        return found

    def put(self, rel: str, node: Node) -> str:
        """Place ``node`` at archive path ``rel`` (cleaned, relative); returns its real path.
        A directory already there keeps its entries and takes the new metadata."""
        rel_dir, _, leaf = rel.rpartition("/")
        parent, real_dir = self.parent(rel_dir)
        existing = parent.entries.get(leaf)
        if isinstance(node, Dir) and isinstance(existing, Dir):
            self.fs.writable_child(parent, leaf).meta = node.meta
        else:
            if isinstance(existing, Dir | Symlink) or isinstance(node, Symlink):
                self.forget()  # what was resolved through here may now resolve elsewhere
            parent.entries[leaf] = node
        return f"{real_dir.rstrip('/')}/{leaf}"

    def get(self, rel: str) -> Node | None:
        """The node an archive path names (the last component not followed)."""
        rel_dir, _, leaf = rel.rpartition("/")
        parent = self.fs.lookup(self.real(rel_dir))
        return parent.entries.get(leaf) if isinstance(parent, Dir) else None


def device(entry: Entry) -> Device:
    return Device(entry.meta, entry.kind, entry.major, entry.minor)


def regular(entry: Entry, origin: object = None) -> File:
    return File(entry.meta, entry.data, origin)
