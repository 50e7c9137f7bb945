"""A stable text listing of an image filesystem, in the real-builder oracle's format.

One line per entry below ``/``, sorted by path components::

    path<TAB>type<TAB>mode<TAB>uid<TAB>gid<TAB>size<TAB>link<TAB>sha256

``type`` is file, dir, symlink, hardlink, char, block or fifo (the second and later names of
one file are ``hardlink`` rows pointing at the first); ``mode`` is four octal digits;
``size`` and ``sha256`` are given for files and hard links only. Golden tests compare emu's
listing with the one a real BuildKit produced for the same case.
"""

from __future__ import annotations

import hashlib

from emu.fs import Blob, Device, Dir, File, Kind, Node, Symlink, walk


def _sha(node: File) -> str:
    content = node.content
    if isinstance(content, Blob):
        h = hashlib.sha256()
        zeros = b"\0" * 65536
        left = content.size
        while left:
            n = min(left, len(zeros))
            h.update(zeros[:n])
            left -= n
        return h.hexdigest()
    data = node.data or b""
    return hashlib.sha256(data).hexdigest()


def rows(root: Dir) -> list[tuple[str, ...]]:
    first: dict[int, str] = {}
    out: list[tuple[str, ...]] = []
    for path, node in walk(root):
        out.append(_row(path, node, first))
    return out


def _row(path: str, node: Node, first: dict[int, str]) -> tuple[str, ...]:
    mode = f"{node.meta.mode & 0o7777:04o}"
    uid, gid = str(node.meta.uid), str(node.meta.gid)
    if isinstance(node, File):
        size = str(node.size)
        digest = _sha(node)
        if id(node) in first:
            return (path, "hardlink", mode, uid, gid, size, first[id(node)], digest)
        first[id(node)] = path
        return (path, "file", mode, uid, gid, size, "-", digest)
    if isinstance(node, Dir):
        return (path, "dir", mode, uid, gid, "-", "-", "-")
    if isinstance(node, Symlink):
        return (path, "symlink", mode, uid, gid, "-", node.target, "-")
    assert isinstance(node, Device)
    kind = {Kind.CHAR: "char", Kind.BLOCK: "block", Kind.FIFO: "fifo"}[node.kind]
    link = f"{node.major},{node.minor}" if node.kind != Kind.FIFO else "-"
    return (path, kind, mode, uid, gid, "-", link, "-")


def listing(root: Dir) -> str:
    return "".join("\t".join(r) + "\n" for r in rows(root))
