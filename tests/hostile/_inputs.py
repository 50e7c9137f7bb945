"""Makers of hostile inputs, cheap to produce whatever they expand to.

Tar headers are written byte by byte here (not with :mod:`tarfile`, which refuses most of
what an attacker writes); bombs are a small compressed stream of zeros repeated as
concatenated members/streams (gzip and bzip2 readers go on to the next one), so a
gigabytes-large expansion costs milliseconds and kilobytes to make. Each maker returns a
function of the case's input folder.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import io
import json
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

GIB = 1 << 30
TIB = 1 << 40
Maker = Callable[[Path], None]


# --- tar headers ---------------------------------------------------------------------------


def _octal(value: int, width: int) -> bytes:
    """A numeric field: octal when it fits, else GNU base-256 (high bit set)."""
    text = f"{value:0{width - 1}o}".encode()
    if len(text) <= width - 1 and value >= 0:
        return text + b"\0"
    raw = (value % (1 << (8 * width))).to_bytes(width, "big")
    return bytes([raw[0] | 0x80]) + raw[1:] if value >= 0 else raw


def header(
    name: str | bytes,
    *,
    size: int = 0,
    kind: bytes = b"0",
    mode: int = 0o644,
    uid: int = 0,
    gid: int = 0,
    mtime: int = 0,
    link: str = "",
    major: int = 0,
    minor: int = 0,
    gnu: bool = False,
    extra: Mapping[int, bytes] | None = None,
) -> bytes:
    """One 512-byte header (ustar, or old GNU with ``gnu``); ``extra`` patches offsets."""
    raw_name = name.encode() if isinstance(name, str) else name
    buf = bytearray(512)
    buf[0:100] = raw_name[:100].ljust(100, b"\0")
    buf[100:108] = _octal(mode, 8)
    buf[108:116] = _octal(uid, 8)
    buf[116:124] = _octal(gid, 8)
    buf[124:136] = _octal(size, 12)
    buf[136:148] = _octal(mtime, 12)
    buf[156:157] = kind
    buf[157:257] = link.encode()[:100].ljust(100, b"\0")
    buf[257:265] = b"ustar  \0" if gnu else b"ustar\x0000"
    buf[265:297] = b"root".ljust(32, b"\0")
    buf[297:329] = b"root".ljust(32, b"\0")
    buf[329:337] = _octal(major, 8)
    buf[337:345] = _octal(minor, 8)
    for offset, data in (extra or {}).items():
        buf[offset : offset + len(data)] = data
    buf[148:156] = b" " * 8
    buf[148:156] = f"{sum(buf):06o}\0 ".encode()
    return bytes(buf)


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 512)


def member(name: str | bytes, data: bytes = b"", **kw: object) -> bytes:
    return header(name, size=len(data), **kw) + _pad(data)  # type: ignore[arg-type]


def pax(name: str, records: Mapping[str, str], **kw: object) -> bytes:
    """A PAX extended header (typeflag ``x``) then the entry it describes."""
    body = b""
    for key, value in records.items():
        item = f" {key}={value}\n".encode()
        digits = len(str(len(item)))
        while len(str(len(item) + digits)) != digits:  # the length counts its own digits
            digits += 1
        body += str(len(item) + digits).encode() + item
    return member("././@PaxHeader", body, kind=b"x") + header(name, **kw)  # type: ignore[arg-type]


def longname(name: str) -> bytes:
    """A GNU long-name record (typeflag ``L``) for a name over 100 bytes."""
    data = name.encode() + b"\0"
    return member("././@LongLink", data, kind=b"L", gnu=True)


END = b"\0" * 1024


def sparse_member(name: str, real_size: int) -> bytes:
    """An old-GNU sparse member (typeflag ``S``): one 1-byte region at the end of a file
    declaring ``real_size`` bytes; the archive stores one block of data."""
    extra = {
        386: _octal(real_size - 1, 12) + _octal(1, 12),  # sparse[0]: offset, numbytes
        482: b"\0",  # not extended
        483: _octal(real_size, 12),  # realsize
    }
    return header(name, size=1, kind=b"S", gnu=True, extra=extra) + _pad(b"x")


def tar(*members: bytes) -> bytes:
    return b"".join(members) + END


# --- bombs -------------------------------------------------------------------------------


@functools.cache
def _zeros_gzip(mib: int) -> bytes:
    return gzip.compress(b"\0" * (mib << 20), compresslevel=9, mtime=0)


@functools.cache
def _zeros_bz2(mib: int) -> bytes:
    return bz2.compress(b"\0" * (mib << 20), 9)


def gzip_bomb_tar(total: int, declared: int | None = None) -> bytes:
    """A gzip stream of a tar holding one file of ``total`` zero bytes (its header says
    ``declared``, default the truth); concatenated members, so it costs kilobytes."""
    head = gzip.compress(header("zeros", size=declared if declared is not None else total))
    chunk = 16
    body = _zeros_gzip(chunk) * (total // (chunk << 20))
    return head + body + gzip.compress(END)


def bz2_bomb_tar(total: int, declared: int | None = None) -> bytes:
    head = bz2.compress(header("zeros", size=declared if declared is not None else total))
    chunk = 45
    body = _zeros_bz2(chunk) * (total // (chunk << 20))
    return head + body + bz2.compress(END)


def many_entries_tar_gz(count: int) -> bytes:
    """A tar.gz of ``count`` empty files ``f/0000000``…, written header by header."""
    template = bytearray(header("f/0000000"))
    base = sum(template) - sum(b"0000000")
    # The checksum field was computed with the name above; recompute per entry cheaply.
    template[148:156] = b" " * 8
    base = sum(template) - sum(b"0000000")
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as gz:
        block: list[bytes] = []
        for i in range(count):
            digits = b"%07d" % i
            template[2:9] = digits
            template[148:156] = b"%06o\0 " % (base + sum(digits))
            block.append(bytes(template))
            if len(block) == 8192:
                gz.write(b"".join(block))
                block.clear()
        gz.write(b"".join(block) + END)
    return out.getvalue()


def deep_tree_tar(depth: int, step: int = 2000) -> bytes:
    """A tar whose tree is ``depth`` directories deep although no name reaches PATH_MAX:
    each symlink ``lN`` points at the bottom of the tree so far, and the next entries
    continue below it (how a real tar extraction also gets past PATH_MAX)."""
    parts: list[bytes] = []
    made = min(step, depth)
    first = "/".join(["a"] * made)
    parts += [longname(first + "/"), header(first[:99] + "/", kind=b"5", mode=0o755)]
    link_to, n = first, 0
    while made < depth:
        n += 1
        more = min(step, depth - made)
        parts.append(pax(f"l{n}", {"linkpath": link_to}, kind=b"2", link="x"))
        below = f"l{n}/" + "/".join(["a"] * more)
        parts += [longname(below + "/"), header(below[:99] + "/", kind=b"5", mode=0o755)]
        link_to = below
        made += more
    leaf = link_to + "/f"
    parts += [longname(leaf), header(leaf[:100], size=5), _pad(b"deep\n")]
    return tar(*parts)


def deep_path_tar(depth: int, name: str = "a") -> bytes:
    path = "/".join([name] * depth) + "/f"
    return tar(longname(path), header(path[:100], size=0))


# --- folders ------------------------------------------------------------------------------


def files(content: Mapping[str, str | bytes]) -> Maker:
    """Plain files (parents created); bytes are written as they are."""

    def make(root: Path) -> None:
        for rel, data in content.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                path.write_text(data)
            else:
                path.write_bytes(data)

    return make


def combine(*makers: Maker) -> Maker:
    def make(root: Path) -> None:
        for m in makers:
            m(root)

    return make


def blob(rel: str, produce: Callable[[], bytes]) -> Maker:
    def make(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produce())

    return make


def fifo(rel: str) -> Maker:
    def make(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)

    return make


def symlink(rel: str, target: str) -> Maker:
    def make(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target.replace("{in}", str(root)), path)

    return make


def chardev(rel: str, major: int = 1, minor: int = 7) -> Maker:
    """A character device like /dev/full (1, 7); needs root (the case skips otherwise)."""

    def make(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))

    return make


def hardlink(rel: str, target: str) -> Maker:
    """``rel`` a hard link of ``target`` (relative to the input folder)."""

    def make(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(root / target, path)

    return make


def deep_folder(rel: str, depth: int, name: str = "d" * 200, leaf: str = "f") -> Maker:
    """A folder ``depth`` levels deep, made with ``mkdir``/``openat`` one level at a time
    (so its paths may be longer than PATH_MAX)."""

    def make(root: Path) -> None:
        base = root / rel
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for _ in range(depth):
                os.mkdir(name, dir_fd=fd)
                nxt = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = nxt
            leaf_fd = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(leaf_fd, b"deep\n")
            os.close(leaf_fd)
        finally:
            os.close(fd)

    return make


def raw_name_folder(parent: str, name: bytes, dockerfile: str) -> Maker:
    """A folder whose name is arbitrary bytes (invalid UTF-8, control characters)."""

    def make(root: Path) -> None:
        base = os.fsencode(root / parent)
        os.makedirs(base, exist_ok=True)
        folder = os.path.join(base, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, b"Dockerfile"), "w") as f:
            f.write(dockerfile)

    return make


def raw_name_file(rel_folder: str, name: bytes, data: bytes = b"x\n") -> Maker:
    def make(root: Path) -> None:
        folder = os.fsencode(root / rel_folder)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)

    return make


# --- image archives (emu load) --------------------------------------------------------------


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def docker_save(
    *,
    manifest: bytes | None = None,
    config: Mapping[str, object] | bytes | None = None,
    layer: bytes | None = None,
    tags: Iterable[str] = ("hostile:latest",),
) -> bytes:
    """A ``docker save`` archive: manifest.json, a config and one layer (each replaceable)."""
    layer_tar = layer if layer is not None else tar(member("hello.txt", b"hi\n"))
    layer_digest = hashlib.sha256(layer_tar).hexdigest()
    if isinstance(config, bytes):
        config_bytes = config
    else:
        doc: dict[str, object] = {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["sh"]},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer_digest]},
            "history": [{"created_by": "hostile"}],
        }
        doc.update(config or {})
        config_bytes = json.dumps(doc).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    if manifest is None:
        manifest = json.dumps(
            [
                {
                    "Config": config_name,
                    "RepoTags": list(tags),
                    "Layers": [layer_digest + "/layer.tar"],
                }
            ]
        ).encode()
    return tar(
        member("manifest.json", manifest),
        member(config_name, config_bytes),
        member(layer_digest + "/", kind=b"5", mode=0o755),
        member(layer_digest + "/layer.tar", layer_tar),
    )


def nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def oci_layout_with_fifo_blob(rel: str) -> Maker:
    """An OCI layout folder whose index points at a blob that is a FIFO."""

    def make(root: Path) -> None:
        base = root / rel
        (base / "blobs" / "sha256").mkdir(parents=True)
        (base / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        digest = "a" * 64
        os.mkfifo(base / "blobs" / "sha256" / digest)
        index = {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": "sha256:" + digest,
                    "size": 100,
                    "annotations": {"org.opencontainers.image.ref.name": "latest"},
                }
            ],
        }
        (base / "index.json").write_text(json.dumps(index))

    return make
