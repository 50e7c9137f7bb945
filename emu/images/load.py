"""Import images from ``docker save`` archives and OCI image layouts (tar or directory).

:func:`load_archive` reads what ``docker load`` reads — ``manifest.json`` with its config
and layer tars — or an OCI layout (``oci-layout``, ``index.json``, ``blobs/``), applies the
layers in order onto an in-memory :class:`~emu.fs.FS` (whiteouts ``.wh.NAME`` and opaque
directories ``.wh..wh..opq`` as the OCI spec says: they hide only what lower layers hold),
and returns one :class:`~emu.images.image.Image` per image with its tags. File bytes are kept;
owners, modes, mtimes, symlinks, hard links (one :class:`~emu.fs.File` under two names) and
devices are kept; xattrs are dropped (emu does not model them).

Nothing on the host is touched: entries are placed in the in-memory tree, where ``..`` stops
at the image root and absolute link targets start again from the image root; a directory
source is read only through paths checked to stay inside it. Layers may be uncompressed,
gzip, bzip2 or xz (what Docker accepts); zstd is refused with a clear message. Every layer's
content is checked against its ``diff_id`` (and an OCI blob against its digest), as
``docker load`` does.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import json
import lzma
import os
import posixpath
import re
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Any, Final, Protocol, cast

from emu.errors import ArchiveError, EmuError
from emu.fs import FS, Dir, FsError, Kind, Meta, Snapshot, Symlink, archive, clean
from emu.fs.archive import Budget
from emu.fs.names import printable
from emu.images.image import HealthConfig, HistoryEntry, Image, ImageConfig, Layer
from emu.images.reference import InvalidReferenceError, familiar
from emu.records import record
from emu.sh.api import LimitExceeded, Limits

__all__ = ["ArchiveError", "Loaded", "load_archive", "load_images"]


class _Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


_MAX_LINK_HOPS = 16
_DIGEST = re.compile(r"([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)\Z")

MEDIA_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MEDIA_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


# --- sources: a tar or a directory ---------------------------------------------------------


def _norm(name: str) -> str:
    """An archive member name as a relative path confined to the archive ("" for its root)."""
    return clean("/" + name)[1:]


class _Source:
    label: str

    def has(self, name: str) -> bool:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def size(self, name: str) -> int:
        """The declared size of ``name`` (what reading it will cost)."""
        raise NotImplementedError

    def read_small(self, name: str) -> bytes:
        """The bytes of a manifest, config or index (refused past :data:`MAX_JSON` bytes)."""
        size = self.size(name)
        if size > MAX_JSON:
            raise ArchiveError(
                f"{self.label}: {printable(name, 80)} is {size} bytes: a manifest, index or "
                f"config of more than {MAX_JSON} bytes is not read"
            )
        with self.open(name) as f:
            return f.read(MAX_JSON + 1)

    def read_json(self, name: str) -> Any:
        return self.read_json_digest(name)[0]

    def read_json_digest(self, name: str) -> tuple[Any, str]:
        """The JSON in ``name`` and the sha256 of its bytes (a config's: the image ID)."""
        raw = self.read_small(name)
        value = parse_json(raw, f"{self.label}: {printable(name, 80)}")
        return value, "sha256:" + hashlib.sha256(raw).hexdigest()


MAX_JSON: Final = 64 << 20
MAX_JSON_DEPTH: Final = 500  # Go reads 10,000 levels; no real manifest has more than 10
_JSON_STRING: Final = re.compile(rb'"(?:[^"\\\\]|\\\\.)*"')
_JSON_BRACKET: Final = re.compile(rb"[][{}]")


def parse_json(raw: bytes, what: str) -> Any:
    """JSON from an archive, its nesting checked first: depth is data, not Python's stack
    (the decoder recurses once per level)."""
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        depth += 1 if m.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            raise ArchiveError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{what} is not valid JSON: {printable(str(exc), 200)}") from None


class _TarSource(_Source):
    def __init__(self, tf: tarfile.TarFile, label: str) -> None:
        self.tf = tf
        self.label = label
        self.members: dict[str, tarfile.TarInfo] = {}
        for m in tf.getmembers():
            self.members[_norm(m.name)] = m  # a later member wins, as when extracting

    def _resolve(self, name: str) -> tarfile.TarInfo:
        key = _norm(name)
        for _ in range(_MAX_LINK_HOPS):
            m = self.members.get(key)
            if m is None:
                raise ArchiveError(f"{self.label}: {name} is missing from the archive")
            if m.issym():
                key = _norm(posixpath.join(posixpath.dirname(key), m.linkname))
            elif m.islnk():
                key = _norm(m.linkname)
            elif m.isreg():
                return m
            else:
                raise ArchiveError(f"{self.label}: {name} is not a regular file")
        raise ArchiveError(f"{self.label}: {name}: too many levels of links")

    def has(self, name: str) -> bool:
        return _norm(name) in self.members

    def size(self, name: str) -> int:
        return int(self._resolve(name).size)  # a sparse member's whole size

    def open(self, name: str) -> IO[bytes]:
        f = self.tf.extractfile(self._resolve(name))
        if f is None:
            raise ArchiveError(f"{self.label}: {name} cannot be read")
        return f


class _DirSource(_Source):
    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.label = root

    def _path(self, name: str) -> str:
        path = os.path.realpath(os.path.join(self.root, _norm(name)))
        if path != self.root and not path.startswith(self.root.rstrip("/") + "/"):
            raise ArchiveError(f"{self.label}: {name} points outside the image directory")
        return path

    def has(self, name: str) -> bool:
        return os.path.isfile(self._path(name))

    def size(self, name: str) -> int:
        try:
            return os.stat(self._path(name)).st_size
        except OSError:
            return 0  # open() says what is wrong

    def open(self, name: str) -> IO[bytes]:
        path = self._path(name)
        try:
            # A FIFO or a device would block or never end: only a regular file is opened
            # (O_NONBLOCK, then checked on the open file, so nothing can swap it in between).
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ArchiveError(f"{self.label}: cannot read {name}: {reason}") from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
            raise ArchiveError(
                f"{self.label}: {printable(name, 80)} is {kind}: emu does not read it"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")


# --- stream helpers ------------------------------------------------------------------------


class _Hashing:
    """A reader that hashes what it hands out; ``head`` is served before ``raw``; with
    ``keep``, it also keeps every byte it hands out (a layer kept as Docker wrote it)."""

    def __init__(self, raw: _Readable, head: bytes = b"", keep: bool = False) -> None:
        self.raw = raw
        self.head = head
        self.sha = hashlib.sha256()
        self.kept: list[bytes] | None = [] if keep else None

    def read(self, n: int = -1, /) -> bytes:
        if self.head:
            if n < 0:
                data = self.head + self.raw.read()
                self.head = b""
            else:
                data, self.head = self.head[:n], self.head[n:]
        else:
            data = self.raw.read(n)
        self.sha.update(data)
        if self.kept is not None:
            self.kept.append(data)
        return data

    def drain(self, budget: Budget) -> None:
        """Read (and hash) what is left: a stream may go on after its tar ends, so what is
        read counts as bytes against the limits, as the entries' content did."""
        while chunk := self.read(1 << 20):
            budget.stored(len(chunk))
            budget.check_time()

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha.hexdigest()


def _decompressed(raw: _Hashing, what: str) -> _Readable | None:
    """A reader of the uncompressed layer (None when the stream is empty)."""
    head = raw.raw.read(6)
    raw.head = head
    if not head:
        return None
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=cast("IO[bytes]", raw), mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(cast("IO[bytes]", raw), mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(cast("IO[bytes]", raw), mode="rb")
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        raise ArchiveError(
            f"{what} is zstd-compressed: only uncompressed, gzip, bzip2 and xz layers are supported"
        )
    return raw


# --- applying a layer ----------------------------------------------------------------------


def _read_layer(
    stream: _Readable, what: str, budget: Budget
) -> tuple[list[archive.Entry], list[str], list[str]]:
    """(entries to add in order, whiteout paths, opaque directories) of one layer tar,
    read by :mod:`emu.fs.archive` under ``budget`` (as a RUN's limits)."""
    adds: list[archive.Entry] = []
    whiteouts: list[str] = []
    opaque: list[str] = []
    for entry in archive.entries(stream, what, budget):
        path = clean("/" + entry.name)
        base = posixpath.basename(path)
        parent = posixpath.dirname(path)
        if any(part.startswith(".wh..wh.") for part in path.split("/")[:-1]):
            continue  # inside an AUFS metadata directory (.wh..wh.plnk)
        if base == ".wh..wh..opq":
            opaque.append(parent)
            continue
        if base.startswith(".wh..wh."):
            continue  # other AUFS metadata
        if base.startswith(".wh."):
            whiteouts.append(posixpath.join(parent, base[4:]))
            continue
        adds.append(entry)
    return adds, whiteouts, opaque


def _apply(
    fs: FS, adds: list[archive.Entry], whiteouts: list[str], opaque: list[str], what: str
) -> None:
    def fail(path: str, exc: FsError) -> ArchiveError:
        return ArchiveError(f"{what}: {printable(path, 80)}: {exc.strerror}")

    # Whiteouts hide what the lower layers hold, never what this layer adds: apply them first.
    for d in opaque:
        node = fs.lookup(d, follow=False)
        if isinstance(node, Dir):
            for name in sorted(node.entries):
                try:
                    fs.remove(posixpath.join(d, name), recursive=True)
                except FsError as exc:
                    raise fail(d, exc) from None
    for w in whiteouts:
        if w != "/" and fs.lookup(w, follow=False) is not None:
            try:
                fs.remove(w, recursive=True)
            except FsError as exc:
                raise fail(w, exc) from None
    placer = archive.Placer(fs, "/", Meta(0o755))
    for entry in adds:
        path, meta = clean("/" + entry.name), entry.meta
        try:
            if path == "/":
                if entry.kind is Kind.DIR:
                    fs.root = Dir(meta, dict(fs.root.entries))
                    placer.forget()
                continue
            rel = path[1:]
            if entry.kind is Kind.DIR:
                placer.put(rel, Dir(meta))
            elif entry.hard_link:
                target = clean("/" + entry.link)
                node = fs.lookup(target, follow=False)
                if node is None:
                    raise ArchiveError(f"{what}: {printable(path, 80)}: hard link to missing "
                                       f"{printable(target, 80)}")  # fmt: skip
                if isinstance(node, Dir):
                    raise ArchiveError(f"{what}: {printable(path, 80)}: hard link to directory "
                                       f"{printable(target, 80)}")  # fmt: skip
                if placer.get(rel) is not node:
                    placer.put(rel, node)
            elif entry.kind is Kind.FILE:
                placer.put(rel, archive.regular(entry))
            elif entry.kind is Kind.SYMLINK:
                placer.put(rel, Symlink(meta, entry.link))
            else:
                placer.put(rel, archive.device(entry))
        except FsError as exc:
            raise fail(path, exc) from None


# --- configs -------------------------------------------------------------------------------


def _strs(v: Any, what: str) -> tuple[str, ...] | None:
    if v is None:
        return None
    if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
        raise ArchiveError(f"{what} must be a list of strings")
    return tuple(v)


def _str(v: Any, what: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        raise ArchiveError(f"{what} must be a string")
    return v


def _keys(v: Any, what: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, dict):
        raise ArchiveError(f"{what} must be an object")
    return tuple(sorted(v))


def _int(v: Any, what: str) -> int:
    if v is None:
        return 0
    if not isinstance(v, int) or isinstance(v, bool):
        raise ArchiveError(f"{what} must be an integer")
    return v


_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)\Z")


def _time(v: Any, what: str) -> int:
    if v is None or v == "":
        return 0
    m = _TIME.match(v) if isinstance(v, str) else None
    if m is None:
        raise ArchiveError(f"{what}: not an RFC 3339 time: {printable(str(v), 80)!r}")
    year, month, day, hh, mm, ss = (int(g) for g in m.groups()[:6])
    zone = m.group(8)
    offset = timedelta(0)
    if zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        dt = datetime(year, month, day, hh, mm, ss, tzinfo=timezone(offset))
        # Outside years 1 to 9999 in UTC no date can be shown (Go allows them; nothing real
        # was built then): refused here rather than failing later, wherever it is printed.
        dt.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ArchiveError(f"{what}: bad time {printable(v, 80)!r}: {exc}") from None
    return int(dt.timestamp())


def _image_config(cfg: dict[str, Any], what: str) -> ImageConfig:
    c = cfg.get("config")
    if c is None:
        c = {}
    if not isinstance(c, dict):
        raise ArchiveError(f"{what}: config must be an object")
    health = None
    h = c.get("Healthcheck")
    if h is not None:
        if not isinstance(h, dict):
            raise ArchiveError(f"{what}: Healthcheck must be an object")
        health = HealthConfig(
            _strs(h.get("Test"), f"{what}: Healthcheck.Test") or (),
            _int(h.get("Interval"), f"{what}: Healthcheck.Interval"),
            _int(h.get("Timeout"), f"{what}: Healthcheck.Timeout"),
            _int(h.get("StartPeriod"), f"{what}: Healthcheck.StartPeriod"),
            _int(h.get("StartInterval"), f"{what}: Healthcheck.StartInterval"),
            _int(h.get("Retries"), f"{what}: Healthcheck.Retries"),
        )
    labels = c.get("Labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(x, str) for x in labels.values()):
        raise ArchiveError(f"{what}: Labels must be an object of strings")
    return ImageConfig(
        env=_strs(c.get("Env"), f"{what}: Env") or (),
        cmd=_strs(c.get("Cmd"), f"{what}: Cmd"),
        entrypoint=_strs(c.get("Entrypoint"), f"{what}: Entrypoint"),
        working_dir=_str(c.get("WorkingDir"), f"{what}: WorkingDir"),
        user=_str(c.get("User"), f"{what}: User"),
        exposed_ports=_keys(c.get("ExposedPorts"), f"{what}: ExposedPorts"),
        labels=tuple(labels.items()),
        volumes=_keys(c.get("Volumes"), f"{what}: Volumes"),
        stop_signal=_str(c.get("StopSignal"), f"{what}: StopSignal"),
        shell=_strs(c.get("Shell"), f"{what}: Shell"),
        on_build=_strs(c.get("OnBuild"), f"{what}: OnBuild") or (),
        healthcheck=health,
        architecture=_str(cfg.get("architecture"), f"{what}: architecture"),
        os=_str(cfg.get("os"), f"{what}: os"),
        variant=_str(cfg.get("variant"), f"{what}: variant"),
    )


def _history(cfg: dict[str, Any], what: str) -> tuple[HistoryEntry, ...]:
    hist = cfg.get("history") or []
    if not isinstance(hist, list):
        raise ArchiveError(f"{what}: history must be a list")
    out = []
    for i, h in enumerate(hist):
        if not isinstance(h, dict):
            raise ArchiveError(f"{what}: history[{i}] must be an object")
        out.append(
            HistoryEntry(
                created_by=_str(h.get("created_by"), f"{what}: history[{i}].created_by"),
                empty_layer=bool(h.get("empty_layer", False)),
                comment=_str(h.get("comment"), f"{what}: history[{i}].comment"),
                created=_time(h.get("created"), f"{what}: history[{i}].created"),
            )
        )
    return tuple(out)


def _diff_ids(cfg: dict[str, Any], what: str) -> list[str]:
    rootfs = cfg.get("rootfs")
    if not isinstance(rootfs, dict):
        raise ArchiveError(f"{what}: the image config has no rootfs")
    ids = rootfs.get("diff_ids") or []
    if not isinstance(ids, list) or not all(isinstance(d, str) for d in ids):
        raise ArchiveError(f"{what}: rootfs.diff_ids must be a list of digests")
    return ids


# --- images --------------------------------------------------------------------------------


@record(slots=True)
class _LayerRef:
    name: str  # path in the source
    diff_id: str
    blob_digest: str | None = None  # OCI: the (maybe compressed) blob's digest


class _Loader:
    def __init__(
        self, src: _Source, budget: Budget, keep: Callable[[str, bytes], None] | None = None
    ) -> None:
        self.src = src
        self.budget = budget
        # Applied layer chains, shared by images of one archive: key → root after it.
        self.cache: dict[tuple[str, ...], Dir] = {}
        self.keep = keep  # told each layer's uncompressed bytes, by diff_id
        self.kept: set[str] = set()

    def layer(self, fs: FS, ref: _LayerRef, index: int) -> None:
        what = f"{self.src.label}: layer {index + 1} ({printable(ref.name, 80)})"
        # The blob itself is read and hashed whole: its declared size (a sparse member's
        # whole size) counts as bytes before anything is read.
        self.budget.stored(self.src.size(ref.name))
        keep = self.keep is not None and ref.diff_id not in self.kept
        with self.src.open(ref.name) as raw_file:
            raw = _Hashing(raw_file)
            inner = _decompressed(raw, what)
            if inner is None:
                adds: list[archive.Entry] = []
                whiteouts: list[str] = []
                opaque: list[str] = []
                plain = _Hashing(raw, keep=keep)
            else:
                plain = _Hashing(inner, keep=keep)
                adds, whiteouts, opaque = _read_layer(plain, what, self.budget)
                try:
                    plain.drain(self.budget)
                    raw.drain(archive.UNLIMITED)  # (its size was counted above)
                except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
                    reason = printable(str(exc), 200)
                    raise ArchiveError(f"{what} cannot be read: {reason}") from None
        digest = ref.blob_digest
        if digest is not None and digest.startswith("sha256:") and raw.digest != digest:
            raise ArchiveError(
                f"{what}: content does not match its digest {ref.blob_digest} (it is {raw.digest})"
            )
        if ref.diff_id.startswith("sha256:") and plain.digest != ref.diff_id:
            raise ArchiveError(
                f"{what}: content does not match diff_id {ref.diff_id} (it is {plain.digest})"
            )
        _apply(fs, adds, whiteouts, opaque, what)
        if self.keep is not None and plain.kept is not None:
            self.kept.add(ref.diff_id)
            self.keep(ref.diff_id, b"".join(plain.kept))

    def image(
        self, cfg: Any, config_digest: str, layers: list[_LayerRef], tags: list[str], what: str
    ) -> Loaded:
        if not isinstance(cfg, dict):
            raise ArchiveError(f"{what}: the image config must be a JSON object")
        config = _image_config(cfg, what)
        history = _history(cfg, what)
        created_by = [h.created_by for h in history if not h.empty_layer]
        built: list[Layer] = []
        before: Dir | None = None
        key: tuple[str, ...] = ()
        for i, ref in enumerate(layers):
            key = (*key, ref.name + "@" + ref.diff_id)
            after = self.cache.get(key)
            if after is None:
                fs = FS(before) if before is not None else FS()
                self.layer(fs, ref, i)
                after = fs.snapshot().root
                self.cache[key] = after
            built.append(Layer(before, after, created_by[i] if i < len(created_by) else ""))
            before = after
        rootfs = Snapshot(before if before is not None else FS().snapshot().root)
        image = Image(
            rootfs=rootfs,
            config=config,
            layers=tuple(built),
            history=history,
            name=tags[0] if tags else "",
            author=_str(cfg.get("author"), f"{what}: author"),
        )
        return Loaded(tuple(tags), image, config_digest, tuple(r.diff_id for r in layers))


@record(frozen=True, slots=True)
class Loaded:
    """An image read from an archive, with what Docker knows it by."""

    tags: tuple[str, ...]
    image: Image
    id: str  # the sha256 of its config as stored: Docker's image ID
    diff_ids: tuple[str, ...]  # its layers' IDs, as its config lists them


def _familiar(name: str) -> str:
    try:
        return familiar(name)
    except InvalidReferenceError:
        return name


def _check_tag(tag: str, what: str) -> None:
    """A tag an archive names is data: it must be a reference docker would accept (no
    escape sequence or newline reaches the terminal or the store)."""
    try:
        familiar(tag)
    except InvalidReferenceError:
        raise ArchiveError(
            f"{what}: invalid reference format: {printable(tag, 80)!r}",
            hint="tag the image yourself: emu load -i FILE -t name:tag",
        ) from None


def _load_docker(src: _Source, loader: _Loader) -> list[Loaded]:
    manifest = src.read_json("manifest.json")
    if not isinstance(manifest, list):
        raise ArchiveError(f"{src.label}: manifest.json must be a list")
    out: list[Loaded] = []
    for i, entry in enumerate(manifest):
        what = f"{src.label}: manifest.json[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("Config"), str):
            raise ArchiveError(f"{what}: an entry needs a Config path")
        tags = entry.get("RepoTags") or []
        layer_names = entry.get("Layers") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ArchiveError(f"{what}: RepoTags must be a list of strings")
        for j, tag in enumerate(tags):
            _check_tag(tag, f"{what}: RepoTags[{j}]")
        if not isinstance(layer_names, list) or not all(isinstance(n, str) for n in layer_names):
            raise ArchiveError(f"{what}: Layers must be a list of paths")
        cfg, config_digest = src.read_json_digest(entry["Config"])
        diff_ids = _diff_ids(cfg, what) if isinstance(cfg, dict) else []
        if len(diff_ids) != len(layer_names):
            raise ArchiveError(
                f"{what}: {len(layer_names)} layers but {len(diff_ids)} diff_ids in the config"
            )
        refs = [_LayerRef(n, d) for n, d in zip(layer_names, diff_ids, strict=True)]
        out.append(loader.image(cfg, config_digest, refs, list(tags), what))
    return out


def _blob_name(digest: Any, what: str) -> str:
    m = _DIGEST.match(digest) if isinstance(digest, str) else None
    if m is None:
        raise ArchiveError(f"{what}: bad digest {digest!r}")
    return f"blobs/{m.group(1)}/{m.group(2)}"


def _read_blob_json(src: _Source, desc: Any, what: str) -> Any:
    if not isinstance(desc, dict):
        raise ArchiveError(f"{what}: a descriptor must be an object")
    digest = desc.get("digest")
    name = _blob_name(digest, what)
    raw = src.read_small(name)
    if isinstance(digest, str) and digest.startswith("sha256:"):
        actual = "sha256:" + hashlib.sha256(raw).hexdigest()
        if actual != digest:
            raise ArchiveError(f"{what}: blob {name} does not match its digest (it is {actual})")
    return parse_json(raw, f"{what}: blob {name}")


def _platform_of(desc: dict[str, Any]) -> str:
    p = desc.get("platform")
    if not isinstance(p, dict):
        return ""
    parts = [str(p.get("os", "")), str(p.get("architecture", ""))]
    if p.get("variant"):
        parts.append(str(p["variant"]))
    return "/".join(parts)


def _pick(manifests: list[Any], platform: str | None, what: str) -> dict[str, Any]:
    """The manifest of an index to load: the requested platform, else linux/amd64, else the
    first that is not an attestation."""
    cands = [
        m
        for m in manifests
        if isinstance(m, dict)
        and _platform_of(m) != "unknown/unknown"
        and (m.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"
    ]
    if not cands:
        raise ArchiveError(f"{what}: the index lists no image manifest")
    if platform is not None:
        for m in cands:
            p = _platform_of(m)
            if p == platform or (platform.count("/") == 1 and p.startswith(platform + "/")):
                return m
        raise ArchiveError(f"{what}: no manifest for platform {platform}")
    for m in cands:
        if _platform_of(m) in ("linux/amd64", ""):
            return m
    first: dict[str, Any] = cands[0]
    return first


def _load_oci(src: _Source, platform: str | None, loader: _Loader) -> list[Loaded]:
    layout = src.read_json("oci-layout")
    if not isinstance(layout, dict) or "imageLayoutVersion" not in layout:
        raise ArchiveError(f"{src.label}: oci-layout has no imageLayoutVersion")
    index = src.read_json("index.json")
    if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
        raise ArchiveError(f"{src.label}: index.json has no manifests list")
    # One descriptor per tag (BuildKit, containerd): group them by what they point at.
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for i, desc in enumerate(index["manifests"]):
        if not isinstance(desc, dict) or not isinstance(desc.get("digest"), str):
            raise ArchiveError(f"{src.label}: index.json manifests[{i}] has no digest")
        ann = desc.get("annotations") or {}
        tag = ""
        if isinstance(ann, dict):
            name = ann.get("io.containerd.image.name")
            ref = ann.get("org.opencontainers.image.ref.name")
            if isinstance(name, str) and name:
                _check_tag(name, f"{src.label}: index.json manifests[{i}]")
                tag = _familiar(name)
            elif isinstance(ref, str) and ("/" in ref or ":" in ref):
                _check_tag(ref, f"{src.label}: index.json manifests[{i}]")
                tag = _familiar(ref)
        group = groups.setdefault(desc["digest"], (desc, []))
        if tag and tag not in group[1]:
            group[1].append(tag)
    out: list[Loaded] = []
    for digest, (desc, tags) in groups.items():
        what = f"{src.label}: {digest}"
        manifest = _read_blob_json(src, desc, what)
        for _ in range(_MAX_LINK_HOPS):
            if not isinstance(manifest, dict):
                raise ArchiveError(f"{what}: a manifest must be a JSON object")
            media = manifest.get("mediaType") or desc.get("mediaType")
            if media not in (MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST) and "manifests" not in manifest:
                break
            desc = _pick(manifest.get("manifests") or [], platform, what)
            manifest = _read_blob_json(src, desc, what)
        else:
            raise ArchiveError(f"{what}: indexes nested too deeply")
        if not isinstance(manifest.get("layers"), list):
            raise ArchiveError(f"{what}: the manifest has no layers list")
        cfg = _read_blob_json(src, manifest.get("config"), f"{what}: config")
        diff_ids = _diff_ids(cfg, what) if isinstance(cfg, dict) else []
        layers = manifest["layers"]
        if len(diff_ids) != len(layers):
            raise ArchiveError(
                f"{what}: {len(layers)} layers but {len(diff_ids)} diff_ids in the config"
            )
        refs = []
        for j, (ld, diff_id) in enumerate(zip(layers, diff_ids, strict=True)):
            if not isinstance(ld, dict):
                raise ArchiveError(f"{what}: layers[{j}] must be a descriptor")
            media = str(ld.get("mediaType", ""))
            if "zstd" in media:
                raise ArchiveError(
                    f"{what}: layer {j + 1} is zstd-compressed ({media}): only uncompressed, "
                    "gzip, bzip2 and xz layers are supported"
                )
            name = _blob_name(ld.get("digest"), f"{what}: layers[{j}]")
            if not src.has(name):
                raise ArchiveError(
                    f"{what}: layer {j + 1} ({media or 'unknown type'}) "
                    f"is not in the archive: {name}"
                )
            refs.append(_LayerRef(name, diff_id, ld["digest"]))
        config_desc = manifest.get("config")
        config_digest = config_desc.get("digest", "") if isinstance(config_desc, dict) else ""
        out.append(loader.image(cfg, str(config_digest), refs, tags, what))
    return out


def _load(
    src: _Source, platform: str | None, budget: Budget, keep: _Keep | None = None
) -> list[Loaded]:
    loader = _Loader(src, budget, keep)
    if src.has("oci-layout") and src.has("index.json"):
        return _load_oci(src, platform, loader)
    if src.has("manifest.json"):
        return _load_docker(src, loader)
    if src.has("repositories"):
        raise ArchiveError(
            f"{src.label}: a legacy docker archive without manifest.json is not supported"
        )
    raise ArchiveError(
        f"{src.label}: not an image archive (no manifest.json, and no oci-layout with index.json)"
    )


def load_archive(
    path_or_fileobj: str | os.PathLike[str] | IO[bytes],
    *,
    platform: str | None = None,
    limits: Budget | None = None,
) -> list[tuple[list[str], Image]]:
    """The images in a ``docker save`` tar or an OCI layout (tar or directory), with tags.

    The outer tar may itself be gzip/bzip2/xz-compressed. For an OCI index listing several
    platforms, ``platform`` (``os/arch[/variant]``) picks one; by default ``linux/amd64``
    or else the first. Raises :class:`ArchiveError` (an :class:`~emu.errors.EmuError`) for
    anything malformed, with the file and member named.

    The layers are read under ``limits`` (default: a RUN's default limits) as
    :mod:`emu.fs.archive` reads them: entries count as files, declared sizes as bytes,
    before anything is read; manifests, indexes and configs are read only up to
    :data:`MAX_JSON` bytes and :data:`MAX_JSON_DEPTH` levels of nesting.
    """
    loaded = load_images(path_or_fileobj, platform=platform, limits=limits)
    return [(list(item.tags), item.image) for item in loaded]


_Keep = Callable[[str, bytes], None]


def load_images(
    path_or_fileobj: str | os.PathLike[str] | IO[bytes],
    *,
    platform: str | None = None,
    keep_layer: _Keep | None = None,
    limits: Budget | None = None,
) -> list[Loaded]:
    """:func:`load_archive`, with each image's Docker ID (the sha256 of its config bytes)
    and its layers' diff_ids; ``keep_layer(diff_id, data)`` is given each distinct layer's
    uncompressed tar as the archive has it (so it can be written again unchanged)."""
    budget: Budget = limits if limits is not None else Limits()
    try:
        if isinstance(path_or_fileobj, str | os.PathLike):
            path = os.fspath(path_or_fileobj)
            if os.path.isdir(path):
                return _load(_DirSource(path), platform, budget, keep_layer)
            try:
                with open(path, "rb") as f:
                    return _load_tar(f, path, platform, budget, keep_layer)
            except OSError as exc:
                if exc.filename == path:
                    raise ArchiveError(f"cannot open {path}: {exc.strerror or exc}") from exc
                raise
        label = getattr(path_or_fileobj, "name", "<archive>")
        return _load_tar(path_or_fileobj, label, platform, budget, keep_layer)
    except LimitExceeded as exc:
        where = path_or_fileobj if isinstance(path_or_fileobj, str | os.PathLike) else "<archive>"
        raise ArchiveError(
            f"{printable(os.fspath(where), 120)}: limit exceeded: {exc.limit} ({exc.value}); "
            "the image was not loaded",
            hint=exc.hint,
        ) from None
    except EmuError:
        raise
    except (OSError, EOFError, tarfile.TarError, lzma.LZMAError) as exc:
        raise ArchiveError(f"cannot read the image archive: {exc}") from exc


def _load_tar(
    f: IO[bytes],
    label: str,
    platform: str | None,
    budget: Budget,
    keep: _Keep | None = None,
) -> list[Loaded]:
    label = str(label)
    seekable = False
    try:
        seekable = f.seekable()
    except (AttributeError, OSError):
        seekable = False
    with contextlib.ExitStack() as stack:
        if not seekable:
            spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=64 << 20))
            for chunk in iter(lambda: f.read(1 << 20), b""):
                spool.write(chunk)
            spool.seek(0)
            f = cast("IO[bytes]", spool)
        try:
            tf = stack.enter_context(tarfile.open(fileobj=f, mode="r:*"))
        except tarfile.TarError as exc:
            raise ArchiveError(f"{label}: not a tar archive ({exc})") from exc
        return _load(_TarSource(tf, label), platform, budget, keep)
