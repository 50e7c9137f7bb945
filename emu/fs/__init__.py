"""The in-memory filesystem every stage builds on.

Inodes (:mod:`emu.fs.nodes`): regular files with real bytes or a size-only :class:`Blob`,
directories, symlinks, devices; hard links are one :class:`File` under two names.
Trees (:mod:`emu.fs.tree`): a copy-on-write :class:`FS` writer whose :meth:`FS.snapshot`
costs O(1), symlink resolution confined to the image root, and :func:`diff` between
snapshots (what an instruction added, changed and removed).
"""

from emu.fs.nodes import (
    Blob,
    Content,
    Device,
    Dir,
    File,
    Kind,
    Lazy,
    Meta,
    Node,
    Symlink,
    mode_string,
)
from emu.fs.tree import (
    FS,
    Change,
    FsError,
    Snapshot,
    clean,
    count,
    diff,
    in_dir,
    join,
    split,
    walk,
    with_meta,
)

__all__ = [
    "FS",
    "Blob",
    "Change",
    "Content",
    "Device",
    "Dir",
    "File",
    "FsError",
    "Kind",
    "Lazy",
    "Meta",
    "Node",
    "Snapshot",
    "Symlink",
    "clean",
    "count",
    "diff",
    "in_dir",
    "join",
    "mode_string",
    "split",
    "walk",
    "with_meta",
]
