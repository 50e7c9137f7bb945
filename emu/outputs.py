"""Build outputs: the final filesystem as a tar or a host directory, and images as archives.

``--output type=tar`` (:func:`write_rootfs_tar`), ``type=local`` (:func:`write_local`),
``type=docker`` (:func:`write_docker_archive`, the ``docker save`` layout) and ``type=oci``
(:func:`write_oci_archive`, an OCI image layout as BuildKit writes it), plus
:func:`config_json`, the image config in Docker's field names.

Every writer is deterministic: the same inputs give the same bytes. Tar entries come in path
order (sorted by path components), mtimes come from the nodes (clamped to
``source_date_epoch`` when given, like BuildKit's ``rewrite-timestamp``), owners are numeric
with empty user/group names, and nothing of the host (user names, umask, clock) leaks in.

Tar format: POSIX.1-2001 (PAX), written by our own header encoder rather than ``tarfile`` so
the bytes cannot drift between Python versions. Plain ``ustar`` headers (magic ``ustar\\0``,
version ``00``), with a PAX extended header only when a field does not fit (paths or link
targets over 100 bytes or not ASCII, ids over 2097151, sizes of 8 GiB and more, negative
mtimes). That is what Go's ``archive/tar`` writes for BuildKit and Docker, it has no
limits on names, ids or sizes, and it needs no GNU extensions; the archive ends with two zero
blocks and no padding to a 10 KiB record (as Go, not GNU tar).

Checked once against a real Docker 20.10.24 (API 1.41, overlay2), not in the test suite:
* ``docker load`` accepts :func:`write_docker_archive` output (2 layers: a deletion, an
  opaque dir, symlinks, hard links, setuid/setgid, a fifo, a 3 MiB size-only blob, a
  120-byte and a non-ASCII name; config with every Dockerfile field). ``docker image
  inspect`` shows our diff_ids and config; ``docker save`` of it gives back our config blob
  byte for byte, and its flattened listing (oracle ``flatten.py``, mtimes included) equals
  that of :func:`write_rootfs_tar`; :mod:`emu.images.load` reads the re-saved archive back
  to the same trees and config. An image with no layers loads (Docker cannot save it back:
  "empty export - not implemented").
* ``docker save busybox`` → :func:`~emu.images.load.load_archive` → this writer → ``docker
  load`` → ``docker save``: the oracle's busybox listing, unchanged. A busybox-based image
  (base content squashed to one bottom layer, base history kept) loads, runs, and shows
  the aligned history in ``docker history``.
* A plain OCI layout (:func:`write_oci_archive`, BuildKit's ``type=oci``) is REJECTED by
  20.10's ``docker load``, which reads only ``manifest.json`` and otherwise falls back to
  the legacy format ("open .../blobs/json: no such file or directory"). With
  ``docker_manifest=True`` (OCI layout plus ``manifest.json``: BuildKit's ``type=docker``
  layout, also what Docker 25+ ``docker save`` writes) it loads with the same result.
  Docker 25+ loads plain OCI layouts; no such daemon was available to check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat as _stat
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any, Final, Protocol

from emu.errors import OutputError
from emu.fs import Blob, Device, Dir, File, Kind, Lazy, Node, Snapshot, Symlink, walk
from emu.fs.limits import MAX_ID, PATH_MAX
from emu.fs.names import printable
from emu.fs.tree import disjoint, names_to_compare
from emu.images.image import HealthConfig, HistoryEntry, Image, ImageConfig, Layer
from emu.records import record, replace

__all__ = [
    "MEDIA_CONFIG",
    "MEDIA_INDEX",
    "MEDIA_LAYER",
    "MEDIA_MANIFEST",
    "KnownLayer",
    "KnownLayers",
    "OutputError",
    "config_json",
    "format_time",
    "image_created",
    "image_layers",
    "json_bytes",
    "layer_digests",
    "normalize_ref",
    "with_layer_times",
    "write_docker_archive",
    "write_file",
    "write_layer_tar",
    "write_local",
    "write_oci_archive",
    "write_rootfs_tar",
]

MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar"

ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
ANNOTATION_IMAGE_NAME = "io.containerd.image.name"  # what containerd/BuildKit/Docker 25 read
# BuildKit's comment on history entries it makes up for layers that have none.
SYNTHETIC_HISTORY_COMMENT = "buildkit.exporter.image.v0"


class _Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


Dest = IO[bytes] | str | os.PathLike[str]
Tree = Snapshot | Dir


@record(frozen=True, slots=True)
class KnownLayer:
    """A layer tar as Docker wrote it (from a ``docker save`` that ``emu load`` read), to be
    written unchanged wherever emu's own encoding of the same layer would go: the layer
    keeps Docker's diff_id, so Docker shares it with the image it came from."""

    diff_id: str
    size: int
    open: Callable[[], IO[bytes]]


class KnownLayers(Protocol):
    def find(self, digest: str) -> KnownLayer | None:
        """The layer whose emu encoding has ``digest`` (None: write emu's encoding)."""
        ...


# --- the tar encoder -----------------------------------------------------------------------

_BLOCK = 512
_ZEROS = bytes(1 << 20)
_MAX_OCTAL_8 = 0o7777777  # largest value of an 8-byte octal field (uid, gid, mode)
_MAX_OCTAL_12 = 0o77777777777  # largest value of a 12-byte octal field (size, mtime)

REGTYPE, LNKTYPE, SYMTYPE, CHRTYPE, BLKTYPE, DIRTYPE, FIFOTYPE = b"0123456"
_DEVICE_TYPES = {Kind.CHAR: CHRTYPE, Kind.BLOCK: BLKTYPE, Kind.FIFO: FIFOTYPE}


@record(slots=True)
class _Entry:
    """One tar member: header fields and, for regular files, where the bytes come from."""

    name: str  # relative path, no leading or trailing slash
    type: int
    mode: int = 0
    uid: int = 0
    gid: int = 0
    mtime: int = 0
    linkname: str = ""
    devmajor: int = 0
    devminor: int = 0
    size: int = 0
    file: File | None = None  # content source of a regular file


def _octal(value: int, width: int) -> bytes:
    return f"{value:0{width - 1}o}".encode("ascii") + b"\0"


def _pax_record(key: str, value: bytes) -> bytes:
    body = b" " + key.encode("ascii") + b"=" + value + b"\n"
    n = len(body) + 1
    while len(str(n)) + len(body) != n:
        n = len(str(n)) + len(body)
    return str(n).encode("ascii") + body


_ASCII: Final = bytes(c if c < 0x80 else 0x3F for c in range(256))  # others become "?"


def _ascii_field(raw: bytes, width: int) -> bytes:
    return raw[:width].translate(_ASCII)


def _ustar(
    name: bytes,
    mode: int,
    uid: int,
    gid: int,
    size: int,
    mtime: int,
    typeflag: int,
    linkname: bytes = b"",
    devmajor: int = 0,
    devminor: int = 0,
) -> bytes:
    block = bytearray(_BLOCK)
    block[0:100] = name.ljust(100, b"\0")
    block[100:108] = _octal(mode, 8)
    block[108:116] = _octal(uid, 8)
    block[116:124] = _octal(gid, 8)
    block[124:136] = _octal(size, 12)
    block[136:148] = _octal(mtime, 12)
    block[148:156] = b" " * 8
    block[156] = typeflag
    block[157:257] = linkname.ljust(100, b"\0")
    block[257:265] = b"ustar\x0000"
    # uname, gname: empty (numeric owners only)
    block[329:337] = _octal(devmajor, 8)
    block[337:345] = _octal(devminor, 8)
    block[148:156] = f"{sum(block):06o}".encode("ascii") + b"\0 "
    return bytes(block)


def _header(e: _Entry) -> bytes:
    """The header block(s) of ``e``: a PAX extended header first when a field needs one."""
    name = e.name + ("/" if e.type == DIRTYPE else "")
    raw_name = name.encode("utf-8", "surrogateescape")
    raw_link = e.linkname.encode("utf-8", "surrogateescape")
    pax: dict[str, bytes] = {}
    if len(raw_name) > 100 or not raw_name.isascii():
        pax["path"] = raw_name
    if len(raw_link) > 100 or not raw_link.isascii():
        pax["linkpath"] = raw_link
    uid, gid, size, mtime = e.uid, e.gid, e.size, e.mtime
    if not 0 <= uid <= _MAX_OCTAL_8:
        pax["uid"], uid = str(uid).encode(), 0
    if not 0 <= gid <= _MAX_OCTAL_8:
        pax["gid"], gid = str(gid).encode(), 0
    if not 0 <= size <= _MAX_OCTAL_12:
        pax["size"], size = str(size).encode(), 0
    if not 0 <= mtime <= _MAX_OCTAL_12:
        pax["mtime"], mtime = str(mtime).encode(), 0
    main = _ustar(
        _ascii_field(raw_name, 100),
        e.mode & 0o7777,
        uid,
        gid,
        size,
        mtime,
        e.type,
        _ascii_field(raw_link, 100),
        e.devmajor,
        e.devminor,
    )
    if not pax:
        return main
    records = b"".join(_pax_record(k, pax[k]) for k in sorted(pax))
    # Go's naming of the extended header: DIR/PaxHeaders.0/BASE (deterministic).
    stripped = name.rstrip("/")
    head, _, base = stripped.rpartition("/")
    xname = (head + "/" if head else "") + "PaxHeaders.0/" + base
    xhdr = _ustar(
        _ascii_field(xname.encode("utf-8", "surrogateescape"), 100), 0, 0, 0, len(records), 0, 0x78
    )
    return xhdr + records + _padding(len(records)) + main


def _padding(size: int) -> bytes:
    return b"\0" * (-size % _BLOCK)


def _file_bytes(f: File) -> bytes | None:
    """The bytes of a file, or None for size-only content (written as zeros)."""
    c = f.content
    if isinstance(c, bytes):
        return c
    if isinstance(c, Blob):
        return None
    try:
        return f.data
    except OSError as exc:
        raise OutputError(f"cannot read the content of a file: {exc}") from exc


def _host_chunks(c: Lazy, write: Callable[[bytes], object], *, whole: bool = False) -> int:
    """Pass a host file's bytes to ``write`` a chunk at a time (in a tar, no more than the
    size its header gave, unless ``whole``); how many there were."""
    n = 0
    try:
        for chunk in c.chunks():
            n += len(chunk)
            if n > c.size and not whole:
                break
            write(chunk)
    except OSError as exc:
        raise OutputError(f"cannot read the content of a file: {exc}") from exc
    return n


def _check_size(n: int, c: Lazy) -> None:
    if n != c.size:
        raise OutputError(
            f"{c.source or 'a file'} changed while it was written "
            f"({c.size} bytes when the context was read, {n} now)"
        )


class _TarWriter:
    """Streams tar members to a sink; file content is never held beyond one file's bytes."""

    def __init__(self, out: _Writable) -> None:
        self.out = out

    def add(self, e: _Entry) -> None:
        if e.file is None:
            self.out.write(_header(e))
            return
        c = e.file.content
        if isinstance(c, Lazy) and c.opener is not None:
            e.size = c.size
            self.out.write(_header(e))
            _check_size(_host_chunks(c, self.out.write), c)
            self.out.write(_padding(e.size))
            return
        data = _file_bytes(e.file)
        if data is not None:
            e.size = len(data)
            self.out.write(_header(e))
            self.out.write(data)
        else:
            e.size = e.file.size
            self.out.write(_header(e))
            self.write_zeros(e.size)
        self.out.write(_padding(e.size))

    def add_bytes(self, name: str, data: bytes, *, mode: int = 0o644, mtime: int = 0) -> None:
        self.out.write(_header(_Entry(name, REGTYPE, mode, mtime=mtime, size=len(data))))
        self.out.write(data)
        self.out.write(_padding(len(data)))

    def add_dir(self, name: str, *, mode: int = 0o755, mtime: int = 0) -> None:
        self.out.write(_header(_Entry(name, DIRTYPE, mode, mtime=mtime)))

    def begin_file(self, name: str, size: int, *, mode: int = 0o644, mtime: int = 0) -> None:
        """A member whose ``size`` bytes the caller writes to ``out``; then :meth:`end_file`."""
        self.out.write(_header(_Entry(name, REGTYPE, mode, mtime=mtime, size=size)))

    def end_file(self, size: int) -> None:
        self.out.write(_padding(size))

    def write_zeros(self, n: int) -> None:
        while n > 0:
            k = min(n, len(_ZEROS))
            self.out.write(_ZEROS if k == len(_ZEROS) else _ZEROS[:k])
            n -= k

    def close(self) -> None:
        self.out.write(b"\0" * (2 * _BLOCK))


class _HashSink:
    """Counts and hashes what passes through (to ``inner`` when given)."""

    def __init__(self, inner: _Writable | None = None) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.inner = inner

    def write(self, data: bytes, /) -> None:
        self.sha.update(data)
        self.size += len(data)
        if self.inner is not None:
            self.inner.write(data)

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha.hexdigest()


# --- entries of a tree and of a layer -------------------------------------------------------


def _clamp(mtime: int, sde: int | None) -> int:
    return mtime if sde is None or mtime <= sde else sde


def _entry(name: str, node: Node, sde: int | None, link_to: str | None = None) -> _Entry:
    m = node.meta
    e = _Entry(name, REGTYPE, m.mode, m.uid, m.gid, _clamp(m.mtime, sde))
    if isinstance(node, Dir):
        e.type = DIRTYPE
    elif isinstance(node, File):
        if link_to is not None:
            e.type, e.linkname = LNKTYPE, link_to
        else:
            e.file = node
    elif isinstance(node, Symlink):
        e.type, e.linkname = SYMTYPE, node.target
    elif isinstance(node, Device):
        e.type = _DEVICE_TYPES[node.kind]
        if node.kind is not Kind.FIFO:
            e.devmajor, e.devminor = node.major, node.minor
    return e


def _walk(d: Dir) -> Iterator[tuple[str, Node]]:
    """(relative path, node) under ``d``, depth first, sorted by name (= by path components)."""
    for path, node in walk(d):
        yield path[1:], node


def _root(tree: Tree) -> Dir:
    return tree.root if isinstance(tree, Snapshot) else tree


def _tree_entries(root: Dir, sde: int | None) -> Iterator[_Entry]:
    first: dict[int, str] = {}
    for path, node in _walk(root):
        link_to = None
        if isinstance(node, File):
            link_to = first.get(id(node))
            if link_to is None:
                first[id(node)] = path
        yield _entry(path, node, sde, link_to)


_ADD, _WHITEOUT, _OPAQUE = 0, 1, 2
_Op = tuple[tuple[str, ...], int, Node]


def _same_node(a: Node, b: Node) -> bool:
    if a is b:
        return True
    if a.kind != b.kind or a.meta != b.meta:
        return False
    if isinstance(a, File) or isinstance(b, File):
        # A file written again is in the layer (overlay copy-up), equal bytes or not; and
        # only identity says whether its hard links still hold.
        return False
    if isinstance(a, Symlink) and isinstance(b, Symlink):
        return a.target == b.target
    if isinstance(a, Device) and isinstance(b, Device):
        return (a.major, a.minor) == (b.major, b.minor)
    return False


def _add_subtree(d: Dir, path: tuple[str, ...], out: list[_Op]) -> None:
    """Everything under ``d`` as additions, in path order."""
    for rel, node in _walk(d):
        out.append(((*path, *rel.split("/")), _ADD, node))


def _layer_ops(a: Dir, b: Dir, path: tuple[str, ...], out: list[_Op]) -> None:
    """What turns ``a`` into ``b``: added/changed nodes, whiteouts and opaque markers."""
    stack: list[tuple[Dir, Dir, tuple[str, ...], Iterator[str]]] = []
    if a is not b:
        stack.append((a, b, path, iter(names_to_compare(a, b))))
    while stack:
        old, new, base, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        x, y = old.entries.get(name), new.entries.get(name)
        if x is y:
            continue
        sub = (*base, name)
        if y is None:
            assert x is not None
            out.append((sub, _WHITEOUT, x))
        elif isinstance(y, Dir):
            if isinstance(x, Dir):
                if x.entries and disjoint(x, y):
                    # Nothing of the old directory survives: one opaque marker, not N whiteouts.
                    out.append((sub, _ADD, y))
                    out.append(((*sub, ""), _OPAQUE, y))
                    _add_subtree(y, sub, out)
                else:
                    if x.meta != y.meta:
                        out.append((sub, _ADD, y))
                    stack.append((x, y, sub, iter(names_to_compare(x, y))))
            else:
                out.append((sub, _ADD, y))
                _add_subtree(y, sub, out)
        elif x is None or not _same_node(x, y):
            out.append((sub, _ADD, y))


def _layer_entries(before: Dir | None, after: Dir, sde: int | None) -> Iterator[_Entry]:
    """The members of the layer tar that turns ``before`` (None: empty) into ``after``.

    Like containerd's differ (BuildKit): parents of every change are included, deletions are
    ``.wh.NAME`` whiteouts, a directory whose old entries are all gone gets ``.wh..wh..opq``.
    A hard link is kept whole: every name of a file the layer writes is in the layer (the
    first as the file, the others as links to it). An earlier layer's link group is never
    pulled in: writing one of its names copied that name up alone (``FS.store``).
    """
    ops: list[_Op] = []
    _layer_ops(before if before is not None else Dir(after.meta), after, (), ops)
    files = {id(n): n for _, kind, n in ops if kind == _ADD and isinstance(n, File)}
    if files:
        written = {p for p, kind, _ in ops if kind == _ADD}
        for rel, node in _walk(after):
            if isinstance(node, File) and id(node) in files:
                key = tuple(rel.split("/"))
                if key not in written:
                    ops.append((key, _ADD, node))
        ops.sort(key=lambda op: op[0])
    emitted: set[tuple[str, ...]] = set()
    first: dict[int, str] = {}

    def ancestors(path: tuple[str, ...]) -> Iterator[_Entry]:
        # The ops come in path order, so the parents are almost always out already: look
        # from the deepest one up, and walk down from the root only for those missing.
        k = len(path)
        while k > 0 and path[:k] not in emitted:
            k -= 1
        if k == len(path):
            return
        node: Node = after
        for i, name in enumerate(path):
            assert isinstance(node, Dir)
            node = node.entries[name]
            if i >= k:
                key = path[: i + 1]
                emitted.add(key)
                yield _entry("/".join(key), node, sde)

    for path, kind, node in ops:
        if kind == _ADD:
            yield from ancestors(path[:-1])
            name = "/".join(path)
            if isinstance(node, Dir):
                emitted.add(path)
            link_to = None
            if isinstance(node, File):
                link_to = first.get(id(node))
                if link_to is None:
                    first[id(node)] = name
            yield _entry(name, node, sde, link_to)
        else:
            parent = path[:-1]
            yield from ancestors(parent)
            pdir = _lookup(after, parent)
            mtime = _clamp(pdir.meta.mtime, sde)
            marker = ".wh..wh..opq" if kind == _OPAQUE else ".wh." + path[-1]
            yield _Entry("/".join((*parent, marker)), REGTYPE, 0, 0, 0, mtime)


def _lookup(root: Dir, path: tuple[str, ...]) -> Dir:
    node: Node = root
    for name in path:
        assert isinstance(node, Dir)
        node = node.entries[name]
    assert isinstance(node, Dir)
    return node


def _write_entries(out: _Writable, entries: Iterable[_Entry]) -> None:
    tw = _TarWriter(out)
    for e in entries:
        tw.add(e)
    tw.close()


# --- destinations ---------------------------------------------------------------------------


def _describe(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    return f"{what}: {printable(os.fsdecode(exc.filename), 120)}" if exc.filename else what


def _remove_tree(path: str) -> None:
    """Remove what ``path`` holds, however deep (shutil.rmtree recurses once per level),
    never following a symlink; errors are ignored (this only cleans up after a failure)."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        stack: list[tuple[int, str]] = [(os.open(path, flags), "")]
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    while stack:
        fd, _ = stack[-1]
        child = None
        with contextlib.suppress(OSError), os.scandir(fd) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    child = entry.name
                    break
                os.unlink(entry.name, dir_fd=fd)
        if child is not None:
            try:
                stack.append((os.open(child, flags, dir_fd=fd), child))
                continue
            except OSError:
                child = None
        os.close(fd)
        _, name = stack.pop()
        with contextlib.suppress(OSError):
            if stack:
                os.rmdir(name, dir_fd=stack[-1][0])
            else:
                os.rmdir(path)


_NOT_REGULAR: Final = {
    _stat.S_IFDIR: "a directory",
    _stat.S_IFLNK: "a symbolic link",
    _stat.S_IFIFO: "a FIFO",
    _stat.S_IFCHR: "a character device",
    _stat.S_IFBLK: "a block device",
    _stat.S_IFSOCK: "a socket",
}


def replaceable(path: str, what: str) -> None:
    """Refuse a destination that is not a regular file or a missing path: the archive
    replaces what is there, and replacing a device (``dest=/dev/full`` run as root), a FIFO,
    a directory, or a symlink (or what it points to) is never what was asked."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(
            f"cannot write {what} to {printable(path, 120)}: {_describe(exc)}"
        ) from None
    kind = _NOT_REGULAR.get(_stat.S_IFMT(mode))
    if kind is not None:
        raise OutputError(
            f"cannot write {what} to {printable(path, 120)}: it is {kind}; emu writes only a "
            "new file or over a regular file",
            hint="pick another dest, or dest=- for stdout",
        )


def _to_dest(dest: Dest, what: str, produce: Callable[[_Writable], None]) -> None:
    """Run ``produce`` into ``dest``: a binary file object, or a path written atomically."""
    if not isinstance(dest, str | os.PathLike):
        try:
            produce(dest)
            dest.flush()
        except OSError as exc:
            raise OutputError(f"cannot write {what}: {_describe(exc)}") from exc
        return
    import tempfile  # here: only a build that writes an output needs it

    path = os.path.abspath(os.fspath(dest))
    parent = os.path.dirname(path)
    replaceable(path, what)
    tmp: str | None = None
    try:
        os.makedirs(parent, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)
        with os.fdopen(fd, "wb") as f:
            produce(f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {_describe(exc)}") from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_file(dest: str | os.PathLike[str], data: bytes, what: str) -> None:
    """Write ``data`` to ``dest`` as the archives are written: atomically, and only as a new
    file or over a regular file (never through a symlink, over a directory or a device)."""

    def produce(out: _Writable) -> None:
        out.write(data)

    _to_dest(dest, what, produce)


# --- type=tar -------------------------------------------------------------------------------


def write_rootfs_tar(tree: Tree, fileobj: Dest, *, source_date_epoch: int | None = None) -> None:
    """``--output type=tar``: the whole filesystem as one tar (root entry omitted, as BuildKit).

    ``fileobj`` is a binary file object, or a path (written to a temporary file next to it,
    then renamed: never half-written). Size-only content is written as that many zero bytes.
    """
    root = _root(tree)
    _to_dest(
        fileobj,
        "the filesystem tar",
        lambda out: _write_entries(out, _tree_entries(root, source_date_epoch)),
    )


def write_layer_tar(
    before: Dir | None, after: Dir, fileobj: Dest, *, source_date_epoch: int | None = None
) -> None:
    """The uncompressed layer tar that turns ``before`` (None: empty) into ``after``."""
    _to_dest(
        fileobj,
        "a layer tar",
        lambda out: _write_entries(out, _layer_entries(before, after, source_date_epoch)),
    )


# --- type=local -----------------------------------------------------------------------------

_BAD_NAME = re.compile(r"[/\0]")


def _safe_name(name: str) -> bool:
    return name not in ("", ".", "..") and not _BAD_NAME.search(name)


def write_local(tree: Tree, dest_dir: str | os.PathLike[str]) -> list[str]:
    """``--output type=local``: write the filesystem under ``dest_dir``; returns notes.

    Never writes outside ``dest_dir``: entries are created only inside directories this call
    made, symlinks are written as symlinks (never followed), names that are empty, ``.``,
    ``..`` or contain ``/`` are skipped with a note. ``dest_dir`` is created if missing;
    existing content is merged into (as BuildKit's local exporter does: same names replaced,
    others kept). Modes, mtimes and hard links are applied; owners only when running as root
    (as dockerd does). Character and block devices are skipped with a note; fifos are made.
    Everything is first written to a staging directory inside ``dest_dir`` and moved into
    place only when complete, so a failure leaves ``dest_dir`` as it was.
    """
    import tempfile

    root = _root(tree)
    dest = os.path.abspath(os.fspath(dest_dir))
    notes: list[str] = []
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    created_dest = False
    staging: str | None = None
    try:
        if os.path.lexists(dest) and not os.path.isdir(dest):
            raise OutputError(f"cannot write the output to {dest}: not a directory")
        if not os.path.isdir(dest):
            os.makedirs(dest)
            created_dest = True
        staging = tempfile.mkdtemp(prefix=".emu-output-", dir=dest)
        dirs = _materialize(root, staging, as_root, notes)
        for name in sorted(os.listdir(staging)):
            _merge(os.path.join(staging, name), os.path.join(dest, name))
        os.rmdir(staging)
        staging = None
        for rel, meta_node in reversed(dirs):  # children before parents: mtimes stick
            _apply_meta(os.path.join(dest, rel), meta_node, as_root)
    except OSError as exc:
        raise OutputError(f"cannot write the output to {dest}: {_describe(exc)}") from exc
    finally:
        if staging is not None:
            _remove_tree(staging)
            if created_dest:
                _remove_tree(dest)
    return notes


def _materialize(root: Dir, staging: str, as_root: bool, notes: list[str]) -> list[tuple[str, Dir]]:
    """Create every entry under ``staging``; directories' metadata is applied later."""
    dirs: list[tuple[str, Dir]] = []
    first: dict[int, str] = {}
    stack: list[tuple[str, Dir]] = [("", root)]
    while stack:
        base, d = stack.pop()
        for name in sorted(d.entries):
            node = d.entries[name]
            rel = f"{base}/{name}" if base else name
            if not _safe_name(name):
                notes.append(f"skipped /{base + '/' if base else ''}{name!r}: unsafe name")
                continue
            path = os.path.join(staging, rel)
            length = len(os.fsencode(path))
            if length >= PATH_MAX:
                raise OutputError(
                    f"cannot write /{printable(rel, 80)}: file name too long ({length} bytes "
                    f"on the host; Linux's limit is {PATH_MAX - 1})",
                    hint="a tar output (-o type=tar) has no such limit",
                )
            _check_owner(rel, node)
            if isinstance(node, Dir):
                os.mkdir(path, 0o700)
                dirs.append((rel, node))
                stack.append((rel, node))
            elif isinstance(node, File):
                other = first.get(id(node))
                if other is not None:
                    os.link(os.path.join(staging, other), path, follow_symlinks=False)
                    continue
                first[id(node)] = rel
                _write_host_file(path, node, as_root)
            elif isinstance(node, Symlink):
                os.symlink(node.target, path)
                _apply_meta(path, node, as_root)
            elif node.kind is Kind.FIFO:
                os.mkfifo(path, 0o600)
                _apply_meta(path, node, as_root)
            else:
                notes.append(
                    f"skipped /{rel}: {node.kind.value} device {node.major},{node.minor} "
                    "(devices are not created on the host)"
                )
    dirs.sort(key=lambda item: item[0].split("/"))
    return dirs


def _check_owner(rel: str, node: Node) -> None:
    m = node.meta
    for what, value in (("uid", m.uid), ("gid", m.gid)):
        if not 0 <= value <= MAX_ID:
            raise OutputError(
                f"cannot write /{printable(rel, 80)}: {what} {value} is out of range "
                "(owners are 32-bit numbers)"
            )


def _write_host_file(path: str, node: File, as_root: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        c = node.content
        data: bytes | None = b""
        if isinstance(c, Lazy) and c.opener is not None:
            _host_chunks(c, f.write, whole=True)
        else:
            data = _file_bytes(node)
        if data is None:
            f.truncate(node.size)  # size-only content: a sparse run of zeros
        else:
            f.write(data)
        f.flush()
        m = node.meta
        if as_root:
            os.fchown(f.fileno(), m.uid, m.gid)
        os.fchmod(f.fileno(), m.mode & 0o7777)
        os.utime(f.fileno(), ns=(m.mtime * 10**9, m.mtime * 10**9))


def _apply_meta(path: str, node: Node, as_root: bool) -> None:
    m = node.meta
    if as_root:
        os.lchown(path, m.uid, m.gid)
    if not isinstance(node, Symlink):
        os.chmod(path, m.mode & 0o7777, follow_symlinks=False)
    os.utime(path, ns=(m.mtime * 10**9, m.mtime * 10**9), follow_symlinks=False)


def _merge(src: str, dst: str) -> None:
    """Move ``src`` (in the staging directory) to ``dst``, merging directories, never
    following a symlink at the destination (one level at a time, without recursion)."""
    todo = [(src, dst)]
    emptied: list[str] = []  # merged staging directories, removed children first
    while todo:
        src, dst = todo.pop()
        src_is_dir = _stat.S_ISDIR(os.lstat(src).st_mode)
        try:
            dst_mode = os.lstat(dst).st_mode
        except FileNotFoundError:
            os.rename(src, dst)
            continue
        if src_is_dir and _stat.S_ISDIR(dst_mode):
            emptied.append(src)
            todo.extend(
                (os.path.join(src, name), os.path.join(dst, name))
                for name in sorted(os.listdir(src), reverse=True)
            )
            continue
        if _stat.S_ISDIR(dst_mode):
            _remove_tree(dst)
        elif src_is_dir:
            os.unlink(dst)  # a file or a symlink (never its target) where a directory goes
        os.rename(src, dst)  # atomically replaces a file or a symlink by a file or a symlink
    for directory in reversed(emptied):
        os.rmdir(directory)


# --- image config ---------------------------------------------------------------------------


def format_time(seconds: int) -> str:
    """RFC 3339 in UTC as Go marshals a whole-second time: ``2024-01-02T03:04:05Z`` (the
    year in four digits, as Go writes year 999: ``0999``)."""
    t = time.gmtime(seconds)
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
            f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z")  # fmt: skip


def _port(p: str) -> str:
    return p if "/" in p else p + "/tcp"


def _health(h: HealthConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if h.test:
        out["Test"] = list(h.test)
    for key, value in (
        ("Interval", h.interval),
        ("Timeout", h.timeout),
        ("StartPeriod", h.start_period),
        ("StartInterval", h.start_interval),
        ("Retries", h.retries),
    ):
        if value:
            out[key] = value
    return out


def _container_config(c: ImageConfig) -> dict[str, Any]:
    # BuildKit's field order (ocispec ImageConfig, then Docker's extensions); empty omitted.
    out: dict[str, Any] = {}
    if c.user:
        out["User"] = c.user
    if c.exposed_ports:
        out["ExposedPorts"] = {_port(p): {} for p in sorted(c.exposed_ports)}
    if c.env:
        out["Env"] = list(c.env)
    if c.entrypoint:
        out["Entrypoint"] = list(c.entrypoint)
    if c.cmd:
        out["Cmd"] = list(c.cmd)
    if c.volumes:
        out["Volumes"] = {v: {} for v in sorted(c.volumes)}
    if c.working_dir:
        out["WorkingDir"] = c.working_dir
    if c.labels:
        out["Labels"] = dict(sorted(c.labels))
    if c.stop_signal:
        out["StopSignal"] = c.stop_signal
    if c.healthcheck is not None:
        out["Healthcheck"] = _health(c.healthcheck)
    if c.on_build:
        out["OnBuild"] = list(c.on_build)
    if c.shell:
        out["Shell"] = list(c.shell)
    return out


@record(frozen=True, slots=True)
class _PlannedLayer:
    before: Dir | None
    after: Dir
    created_by: str
    synthetic_top: bool = False  # the rootfs differs from the last layer: an extra layer


def image_layers(image: Image) -> list[tuple[Dir | None, Dir, str]]:
    """The layers an archive of ``image`` holds, as (before, after, created_by).

    One per :class:`Layer`, each diffed against the one below it; content under the first
    layer (a catalogued base) as one more layer at the bottom; the whole rootfs as one layer
    when there are no layers; an extra top layer if the rootfs differs from the last layer.
    """
    return [(p.before, p.after, p.created_by) for p in _plan(image)]


def _plan(image: Image) -> list[_PlannedLayer]:
    out: list[_PlannedLayer] = []
    root = image.rootfs.root
    below: Dir | None = None
    if image.layers:
        base = image.layers[0].before
        if base is not None and base.entries:
            out.append(_PlannedLayer(None, base, ""))
            below = base
        for layer in image.layers:
            out.append(_PlannedLayer(below, layer.after, layer.created_by))
            below = layer.after
        if below is not root and any(True for _ in _layer_entries(below, root, None)):
            out.append(_PlannedLayer(below, root, "", synthetic_top=True))
    elif root.entries:
        out.append(_PlannedLayer(None, root, ""))
    return out


def _history(image: Image, plan: list[_PlannedLayer], sde: int | None) -> list[HistoryEntry]:
    """History with exactly one non-empty entry per layer, aligned from the top.

    Surplus non-empty entries at the bottom (a base whose layers were squashed into one) are
    marked empty; missing ones (a base without history) are made up at the bottom with
    BuildKit's comment. Unset ``created`` times are filled as BuildKit's exporter fills them
    (:func:`_fill_created`), then clamped to ``sde`` (unset ones become ``sde``).
    """
    hist = list(image.history)
    real = [p for p in plan if not p.synthetic_top]
    nonempty = [i for i, h in enumerate(hist) if not h.empty_layer]
    surplus = len(nonempty) - len(real)
    if surplus > 0:
        for i in nonempty[:surplus]:
            hist[i] = replace(hist[i], empty_layer=True)
    elif surplus < 0:
        made = [
            HistoryEntry(p.created_by, comment=SYNTHETIC_HISTORY_COMMENT) for p in real[:-surplus]
        ]
        hist = made + hist
    if len(real) != len(plan):
        hist.append(HistoryEntry(plan[-1].created_by, comment=SYNTHETIC_HISTORY_COMMENT))
    hist = _fill_created(hist)
    if sde is not None:
        hist = [
            replace(h, created=sde if not h.created or h.created > sde else h.created) for h in hist
        ]
    return hist


def _fill_created(hist: list[HistoryEntry]) -> list[HistoryEntry]:
    """Give every entry without a time one, as BuildKit's exporter does
    (normalizeLayersAndHistory): an entry before the build's first timed entry takes that
    entry's time (not the base image's, which would date a first ENV to the base's age);
    an entry after timed ones takes the time of the last timed entry before it. Entries
    stay unset only when no entry has a time."""
    created = 0
    unset_seen = False
    for h in hist:  # the first timed entry after an unset one, else the last timed entry
        if h.created:
            created = h.created
            if unset_seen:
                break
        else:
            unset_seen = True
    out: list[HistoryEntry] = []
    unset_seen = False
    for h in hist:
        if h.created:
            if unset_seen:
                created = h.created
        else:
            unset_seen = True
            h = replace(h, created=created)
        out.append(h)
    return out


def with_layer_times(image: Image, time_of: Callable[[Layer], int | None]) -> Image:
    """``image`` with each layer's history entry dated ``time_of(layer)`` (seconds since the
    epoch), where that entry has no time yet and ``time_of`` knows one.

    BuildKit dates a layer's history entry with the layer's creation time — when the step
    ran, or for a step answered by the cache, when the cached layer was made — so a rebuild
    that only hits the cache gives the same image ID. Non-empty entries are matched with
    layers from the top; entries without a layer keep their time (or get one when written,
    :func:`_fill_created`).
    """
    hist = list(image.history)
    nonempty = [i for i, h in enumerate(hist) if not h.empty_layer]
    changed = False
    for i, layer in zip(reversed(nonempty), reversed(image.layers), strict=False):
        if hist[i].created:
            continue
        when = time_of(layer)
        if when:
            hist[i] = replace(hist[i], created=when)
            changed = True
    return replace(image, history=tuple(hist)) if changed else image


def layer_digests(
    image: Image,
    *,
    source_date_epoch: int | None = None,
    known_layers: KnownLayers | None = None,
) -> list[tuple[str, int]]:
    """(diff_id, size in bytes) of each uncompressed layer tar, computed by streaming (a
    layer ``known_layers`` has is the one Docker wrote)."""
    return [d for d, _ in _digests(_plan(image), source_date_epoch, known_layers)]


def _digests(
    plan: list[_PlannedLayer], sde: int | None, known: KnownLayers | None
) -> list[tuple[tuple[str, int], KnownLayer | None]]:
    out: list[tuple[tuple[str, int], KnownLayer | None]] = []
    for p in plan:
        digest = base_layer_digest(p.after) if p.before is None and sde is None else None
        if digest is None:
            digest = layer_digest(p.before, p.after, sde)
        blob = known.find(digest[0]) if known is not None else None
        out.append(((blob.diff_id, blob.size) if blob else digest, blob))
    return out


# --- the catalogued base layers' digests, as data --------------------------------------------

# A catalogued base layer is mostly size-only files written as zeros (63 MB for nginx:alpine):
# hashing its tar took longer than the rest of `emu build`. Its (diff_id, size) is looked up
# by a fingerprint of what the tar is made of, cheap to take; the table is written by
# tests/images/test_layer_digests.py, which also checks every entry against the encoder.
LAYER_DIGESTS = "layer-digests.json"  # in emu/images/data
_ENCODING = "emu-layer-tar/1"  # change with the tar encoding: every entry then misses
_layer_table: list[dict[str, tuple[str, int]]] = []


def layer_fingerprint(root: Dir) -> str | None:
    """A digest of everything the layer tar of ``root`` (over nothing) is made of — paths,
    kinds, metadata, sizes, link targets, hard links and small files' bytes — but not of
    the zeros that size-only content is written as. None when a file's bytes are on the
    host (they may change)."""
    h = hashlib.sha256(f"{_ENCODING}\0{root.meta}".encode())
    first: dict[int, str] = {}
    for path, node in walk(root):
        h.update(f"\0{path}\0{node.kind.value}\0{node.meta}\0".encode("utf-8", "surrogateescape"))
        if isinstance(node, File):
            c = node.content
            if id(node) in first:
                h.update(f"link\0{first[id(node)]}".encode("utf-8", "surrogateescape"))
                continue
            first[id(node)] = path
            if isinstance(c, Blob):
                h.update(f"zeros {c.size}".encode())
            elif isinstance(c, bytes):
                h.update(f"bytes {len(c)}\0".encode())
                h.update(c)
            else:
                return None
        elif isinstance(node, Symlink):
            h.update(node.target.encode("utf-8", "surrogateescape"))
        elif isinstance(node, Device):
            h.update(f"{node.major},{node.minor}".encode())
    return h.hexdigest()


def base_layer_digest(root: Dir) -> tuple[str, int] | None:
    """(diff_id, size) of the layer tar of ``root`` over nothing, when the table has it."""
    if not _layer_table:
        path = Path(__file__).parent / "images" / "data" / LAYER_DIGESTS
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError):
            raw = {}
        _layer_table.append({k: (str(v[0]), int(v[1])) for k, v in raw.items()})
    if not _layer_table[0]:
        return None
    fingerprint = layer_fingerprint(root)
    return _layer_table[0].get(fingerprint) if fingerprint is not None else None


def layer_digest(before: Dir | None, after: Dir, sde: int | None = None) -> tuple[str, int]:
    """(diff_id, size) of a layer tar, computed by streaming it (no table)."""
    sink = _HashSink()
    _write_entries(sink, _layer_entries(before, after, sde))
    return sink.digest, sink.size


def image_created(image: Image, *, source_date_epoch: int | None = None) -> int | None:
    """The image config's ``created`` (seconds since the epoch): the epoch when given, else
    its last dated history entry, as :func:`config_json` writes it (None: no time known)."""
    if source_date_epoch is not None:
        return source_date_epoch
    hist = _fill_created(list(image.history))
    return next((h.created for h in reversed(hist) if h.created), 0) or None


def config_json(
    image: Image,
    *,
    diff_ids: list[str] | None = None,
    source_date_epoch: int | None = None,
    known_layers: KnownLayers | None = None,
) -> dict[str, Any]:
    """The image config as BuildKit writes it (Docker's field names, empty fields omitted).

    ``diff_ids`` are computed from the layers when not given. Top-level keys are sorted
    (BuildKit marshals a map); the ``config`` object follows BuildKit's struct order.
    """
    plan = _plan(image)
    if diff_ids is None:
        diff_ids = [
            d
            for d, _ in layer_digests(
                image, source_date_epoch=source_date_epoch, known_layers=known_layers
            )
        ]
    if len(diff_ids) != len(plan):
        raise OutputError(f"{len(diff_ids)} diff_ids given for {len(plan)} layers")
    hist = _history(image, plan, source_date_epoch)
    c = image.config
    out: dict[str, Any] = {"architecture": c.architecture or "amd64"}
    if image.author:
        out["author"] = image.author
    out["config"] = _container_config(c)
    # BuildKit's patchImageConfig: the epoch when given, else the last dated history entry.
    created = source_date_epoch
    if created is None:
        created = next((h.created for h in reversed(hist) if h.created), 0) or None
    if created is not None:
        out["created"] = format_time(created)
    if hist:
        out["history"] = [_history_json(h) for h in hist]
    out["os"] = c.os or "linux"
    out["rootfs"] = {"type": "layers", "diff_ids": list(diff_ids)}
    if c.variant:
        out["variant"] = c.variant
    return out


def _history_json(h: HistoryEntry) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if h.created:
        out["created"] = format_time(h.created)
    if h.created_by:
        out["created_by"] = h.created_by
    if h.comment:
        out["comment"] = h.comment
    if h.empty_layer:
        out["empty_layer"] = True
    return out


def json_bytes(obj: object) -> bytes:
    """Compact JSON as Go's encoding/json writes it (``<>&`` escaped, bad UTF-8 as U+FFFD)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace").encode("utf-8")


# --- image references -----------------------------------------------------------------------


def normalize_ref(ref: str) -> tuple[str, str]:
    """``(full name, familiar name)`` of a tag reference, ``:latest`` added when missing.

    ``foo`` → ``("docker.io/library/foo:latest", "foo:latest")``. Digest references and
    malformed names raise :class:`OutputError`.
    """
    from emu.images.reference import InvalidReferenceError, parse

    if "@" in ref:
        raise OutputError(f"invalid image name {ref!r}: a digest reference cannot name an output")
    try:
        r = parse(ref)
    except InvalidReferenceError as exc:
        raise OutputError(f"invalid image name {ref!r}: {exc.message}") from None
    return r.render(r.repository), r.render(r.familiar_repository)


# --- type=docker ----------------------------------------------------------------------------


@record(frozen=True, slots=True)
class _Prepared:
    plan: list[_PlannedLayer]
    digests: list[tuple[str, int]]
    config: bytes
    config_digest: str
    blobs: list[KnownLayer | None]  # per layer: Docker's bytes to write instead of emu's


def _prepare(image: Image, sde: int | None, known: KnownLayers | None = None) -> _Prepared:
    plan = _plan(image)
    found = _digests(plan, sde, known)
    digests = [d for d, _ in found]
    cfg = config_json(image, diff_ids=[d for d, _ in digests], source_date_epoch=sde)
    raw = json_bytes(cfg)
    blobs = [b for _, b in found]
    return _Prepared(plan, digests, raw, "sha256:" + hashlib.sha256(raw).hexdigest(), blobs)


def _stream_layer(
    tw: _TarWriter,
    name: str,
    p: _PlannedLayer,
    digest: tuple[str, int],
    sde: int | None,
    blob: KnownLayer | None = None,
) -> None:
    tw.begin_file(name, digest[1])
    sink = _HashSink(tw.out)
    if blob is not None:
        with blob.open() as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                sink.write(chunk)
    else:
        _write_entries(sink, _layer_entries(p.before, p.after, sde))
    if (sink.digest, sink.size) != digest:
        raise OutputError(
            f"layer {name} changed while it was written (content read from the host changed?)"
        )
    tw.end_file(digest[1])


def _chain_ids(diff_ids: list[str]) -> list[str]:
    out: list[str] = []
    for d in diff_ids:
        out.append(
            d if not out else "sha256:" + hashlib.sha256(f"{out[-1]} {d}".encode()).hexdigest()
        )
    return out


def write_docker_archive(
    image: Image,
    fileobj: Dest,
    *,
    tags: Iterable[str] = (),
    source_date_epoch: int | None = None,
    known_layers: KnownLayers | None = None,
) -> None:
    """``docker save`` format (``--output type=docker``), as Docker 20.10 writes it.

    Members, sorted by path: ``<id>/{VERSION,json,layer.tar}`` per layer (``<id>`` is the
    layer's chain ID: unique per position, stable), ``<config digest>.json``,
    ``manifest.json`` and ``repositories`` (when tagged). Tags are written in Docker's
    familiar form (``foo`` → ``foo:latest``).
    """
    familiar = [normalize_ref(t)[1] for t in tags]
    sde = source_date_epoch
    prep = _prepare(image, sde, known_layers)

    def produce(out: _Writable) -> None:
        tw = _TarWriter(out)
        diff_ids = [d for d, _ in prep.digests]
        ids = [c.removeprefix("sha256:") for c in _chain_ids(diff_ids)]
        cfg_name = prep.config_digest.removeprefix("sha256:") + ".json"
        created = json.loads(prep.config).get("created", "1970-01-01T00:00:00Z")
        members: list[tuple[str, Callable[[], None]]] = []
        layers = zip(prep.plan, prep.digests, ids, prep.blobs, strict=True)
        for i, (p, digest, lid, blob) in enumerate(layers):
            v1: dict[str, Any] = {"id": lid}
            if i:
                v1["parent"] = ids[i - 1]
            v1["created"] = created
            v1["container_config"] = {}
            if i == len(ids) - 1:
                cfg = json.loads(prep.config)
                v1["config"] = cfg.get("config", {})
                v1["architecture"] = cfg.get("architecture", "")
                v1["os"] = cfg.get("os", "")
            members.append((lid, partial(tw.add_dir, lid)))
            members.append((f"{lid}/VERSION", partial(tw.add_bytes, f"{lid}/VERSION", b"1.0")))
            members.append((f"{lid}/json", partial(tw.add_bytes, f"{lid}/json", json_bytes(v1))))
            layer = partial(_stream_layer, tw, f"{lid}/layer.tar", p, digest, sde, blob)
            members.append((f"{lid}/layer.tar", layer))
        members.append((cfg_name, lambda: tw.add_bytes(cfg_name, prep.config)))
        manifest = [
            {
                "Config": cfg_name,
                "RepoTags": familiar or None,
                "Layers": [f"{lid}/layer.tar" for lid in ids],
            }
        ]
        members.append(
            ("manifest.json", lambda: tw.add_bytes("manifest.json", json_bytes(manifest)))
        )
        if familiar and ids:
            repos: dict[str, dict[str, str]] = {}
            for t in familiar:
                repo, _, tag = t.rpartition(":")
                repos.setdefault(repo, {})[tag] = ids[-1]
            members.append(
                ("repositories", lambda: tw.add_bytes("repositories", json_bytes(repos)))
            )
        for _, write in sorted(members, key=lambda m: m[0].split("/")):
            write()
        tw.close()

    _to_dest(fileobj, "the docker archive", produce)


# --- type=oci -------------------------------------------------------------------------------


def _descriptor(media: str, digest: str, size: int, **extra: Any) -> dict[str, Any]:
    return {"mediaType": media, "digest": digest, "size": size, **extra}


def write_oci_archive(
    image: Image,
    fileobj: Dest,
    *,
    tags: Iterable[str] = (),
    source_date_epoch: int | None = None,
    docker_manifest: bool = False,
    known_layers: KnownLayers | None = None,
) -> tuple[str, int]:
    """An OCI image layout as a tar (``--output type=oci``), as BuildKit writes it.

    ``oci-layout``, ``index.json`` (one manifest descriptor per tag, annotated with
    ``org.opencontainers.image.ref.name`` = the tag and ``io.containerd.image.name`` = the
    full name, as containerd's exporter does), ``blobs/sha256/...``: the config, the manifest
    and the uncompressed layers (``application/vnd.oci.image.layer.v1.tar``).

    ``docker_manifest=True`` adds Docker's ``manifest.json`` (and ``repositories``) pointing
    into ``blobs/`` — BuildKit's ``type=docker`` layout, which Docker before 25 needs to
    ``docker load`` it; plain OCI layouts load only in Docker 25+. Returns the manifest's
    digest and size (what ``--metadata-file`` reports).
    """
    names = [normalize_ref(t) for t in tags]
    sde = source_date_epoch
    prep = _prepare(image, sde, known_layers)
    cfg = json.loads(prep.config)
    platform = {"architecture": cfg["architecture"], "os": cfg["os"]}
    if "variant" in cfg:
        platform["variant"] = cfg["variant"]
    layers = [_descriptor(MEDIA_LAYER, d, n) for d, n in prep.digests]
    manifest = {
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": _descriptor(MEDIA_CONFIG, prep.config_digest, len(prep.config)),
        "layers": layers,
    }
    manifest_raw = json_bytes(manifest)
    manifest_digest = "sha256:" + hashlib.sha256(manifest_raw).hexdigest()
    entries: list[dict[str, Any]] = []
    for full, _ in names or [("", "")]:
        extra: dict[str, Any] = {}
        if full:
            extra["annotations"] = {
                ANNOTATION_IMAGE_NAME: full,
                ANNOTATION_REF_NAME: full.rpartition(":")[2],
            }
        extra["platform"] = platform
        entries.append(_descriptor(MEDIA_MANIFEST, manifest_digest, len(manifest_raw), **extra))
    index = {"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": entries}

    def produce(out: _Writable) -> None:
        tw = _TarWriter(out)
        members: dict[str, Callable[[], None]] = {
            "blobs": lambda: tw.add_dir("blobs"),
            "blobs/sha256": lambda: tw.add_dir("blobs/sha256"),
            "index.json": lambda: tw.add_bytes("index.json", json_bytes(index)),
            "oci-layout": lambda: tw.add_bytes(
                "oci-layout", json_bytes({"imageLayoutVersion": "1.0.0"})
            ),
        }

        def blob(digest: str) -> str:
            return "blobs/sha256/" + digest.removeprefix("sha256:")

        members[blob(prep.config_digest)] = lambda: tw.add_bytes(
            blob(prep.config_digest), prep.config
        )
        members[blob(manifest_digest)] = lambda: tw.add_bytes(blob(manifest_digest), manifest_raw)
        for p, digest, known in zip(prep.plan, prep.digests, prep.blobs, strict=True):
            name = blob(digest[0])
            if name not in members:  # identical layers are one blob
                members[name] = partial(_stream_layer, tw, name, p, digest, sde, known)
        if docker_manifest:
            familiar = [f for _, f in names]
            dm = [
                {
                    "Config": blob(prep.config_digest),
                    "RepoTags": familiar or None,
                    "Layers": [blob(d) for d, _ in prep.digests],
                }
            ]
            members["manifest.json"] = lambda: tw.add_bytes("manifest.json", json_bytes(dm))
            if familiar and prep.digests:
                top = _chain_ids([d for d, _ in prep.digests])[-1].removeprefix("sha256:")
                repos: dict[str, dict[str, str]] = {}
                for t in familiar:
                    repo, _, tag = t.rpartition(":")
                    repos.setdefault(repo, {})[tag] = top
                members["repositories"] = lambda: tw.add_bytes("repositories", json_bytes(repos))
        for name in sorted(members, key=lambda m: m.split("/")):
            members[name]()
        tw.close()

    _to_dest(fileobj, "the OCI archive", produce)
    return manifest_digest, len(manifest_raw)
