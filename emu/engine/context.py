"""The build context: what ``docker build`` sends, as an in-memory tree.

A context comes from a host directory, a tar stream (``emu build -`` reads one from stdin,
as docker does) or a mapping of paths to bytes. ``.dockerignore`` — or
``<Dockerfile>.dockerignore`` next to the Dockerfile, which wins, as in BuildKit — decides
what is sent; what is not sent does not exist for COPY. Files land owned 0:0 with their
host permission bits; their bytes are read lazily, only when something needs them.

Nothing outside the context is ever read: the walk never follows a symlink, files are
opened with ``O_NOFOLLOW``, and a symlink inside the context is sent as a symlink (COPY
resolves it inside the context root later, as BuildKit does).
"""

from __future__ import annotations

import errno
import functools
import io
import os
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from emu.errors import ContextError as ContextError
from emu.errors import EmuError
from emu.fs import FS, Device, Dir, File, Kind, Lazy, Meta, Node, Snapshot, Symlink
from emu.ignore import IgnoreMatcher, settled, walk_context
from emu.records import field, record


@record(frozen=True, slots=True)
class Context:
    """A build context after ``.dockerignore``."""

    snapshot: Snapshot
    matcher: IgnoreMatcher | None = None
    ignore_file: str = ""  # the file that was applied ("" when none)
    description: str = ""
    # Paths that exist on the host but were not sent (for CopyIgnoredFile and messages).
    excluded: frozenset[str] = field(default=frozenset(), repr=False)

    def is_excluded(self, path: str) -> bool:
        rel = path.strip("/")
        if rel in self.excluded:
            return True
        return self.matcher is not None and rel != "" and self.matcher.excluded(rel)


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
    stat.S_IFLNK: "a symlink",
}


def read_host_file(path: str | Path, *, follow: bool = False) -> bytes:
    """The bytes of a regular file on the host, for the context's Dockerfile, its ignore
    files and its files (see :func:`open_host_file`)."""
    with open_host_file(path, follow=follow) as f:
        return f.read()


# Small files read again and again (a Dockerfile and its .dockerignore, once per build of a
# test or a grader): their bytes by path, the stat they were read under, and whether that
# stat can be trusted to tell a later change (emu.ignore.settled).
_READ: dict[str, tuple[tuple[int, ...], bytes, bool]] = {}
_READ_MAX_FILES, _READ_MAX_BYTES = 64, 256 * 1024  # at most 16 MB held


def read_small_file(path: str, *, follow: bool = False) -> bytes:
    """:func:`read_host_file` for a file read once per build: read again when its stat
    (device, inode, size, mtime, ctime) changed, or when it had changed too shortly before
    it was last read for its timestamps to show a change since (a content check)."""
    started = time.time_ns()  # before the stat: what is read is at least this recent
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError:
        return read_host_file(path, follow=follow)  # its errors, worded there
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
    held = _READ.get(path)
    if held is not None and held[2] and held[0] == key and stat.S_ISREG(st.st_mode):
        return held[1]
    data = read_host_file(path, follow=follow)
    if len(data) <= _READ_MAX_BYTES:
        if len(_READ) >= _READ_MAX_FILES:
            _READ.clear()  # bounded, and safe beside another thread's build
        _READ[path] = (key, data, settled(started, st))
    return data


def open_host_file(path: str | Path, *, follow: bool = False) -> BinaryIO:
    """A regular file on the host, opened for reading.

    A symlink (unless ``follow``: a path the caller named explicitly) could point anywhere
    on the host, and a FIFO or a device would block or never end: both are refused before
    anything is opened (lstat first; ``O_NOFOLLOW | O_NONBLOCK`` and an fstat close the
    race). Raises :class:`FileNotFoundError` when the path is missing and
    :class:`ContextError`, saying what the path is, otherwise.
    """
    try:
        st = os.stat(path) if follow else os.lstat(path)
        kind = _KINDS.get(stat.S_IFMT(st.st_mode))
        if kind is not None:
            raise ContextError(
                f"{path} is {kind}, not a regular file: emu does not "
                + ("follow it" if kind == "a symlink" else "read it"),
                hint="make it a regular file inside the context",
            )
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags if follow else flags | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ContextError(
                f"{path} is a symlink, not a regular file: emu does not follow it",
                hint="make it a regular file inside the context",
            ) from None
        raise ContextError(f"cannot read {path}: {exc.strerror}") from None
    f = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
        f.close()
        raise ContextError(f"{path} changed into a special file while it was opened")
    return f


def _read_ignore(path: str) -> str | None:
    try:
        return read_small_file(path).decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None


def ignore_text_for(
    root: str | Path | None, dockerfile: str | Path | None
) -> tuple[str | None, str]:
    """The .dockerignore text BuildKit would use, and the file it came from."""
    # (os.path, not pathlib: this runs once per build, and a Path costs microseconds)
    if dockerfile is not None:
        own = f"{os.fspath(dockerfile)}.dockerignore"
        text = _read_ignore(own)
        if text is not None:
            return text, own
    if root is not None:
        text = _read_ignore(os.path.join(root, ".dockerignore"))
        if text is not None:
            return text, ".dockerignore"
    return None, ""


def _opener(path: str) -> Callable[[], BinaryIO]:
    def open_() -> BinaryIO:
        try:
            return open_host_file(path)
        except FileNotFoundError:
            raise ContextError(
                f"cannot read context file {path}: it is gone",
                hint="the file changed or became unreadable during the build",
            ) from None

    return open_


def _loader(path: str) -> Callable[[], bytes]:
    opener = _opener(path)

    def load() -> bytes:
        with opener() as f:
            return f.read()

    return load


@functools.lru_cache(maxsize=64)
def _matcher(text: str | None, file: str) -> IgnoreMatcher:
    """The compiled ``.dockerignore``, once per distinct text (patterns compile once, as
    pathspec's do); bounded, and keyed on the whole text so an edit recompiles."""
    return IgnoreMatcher.from_text(text, file=file)


def from_directory(
    root: str | Path,
    *,
    dockerfile: str | Path | None = None,
    ignore_text: str | None = None,
    eager_limit: int = 0,
) -> Context:
    """Walk a host directory into a context (``.dockerignore`` applied).

    ``ignore_text`` overrides the ignore file lookup (tests). Files up to ``eager_limit``
    bytes are read at once instead of lazily.
    """
    root_str = os.fspath(root)
    try:
        st_root = os.lstat(root_str)  # (the root's own metadata: a link is not followed)
        is_dir = stat.S_ISDIR(st_root.st_mode) or (
            stat.S_ISLNK(st_root.st_mode) and os.path.isdir(root_str)
        )
    except OSError:
        is_dir = False
    if not is_dir:
        raise ContextError(
            f"unable to prepare context: path {str(root)!r} not found",
            hint="the context is the folder you give to `docker build`",
        )
    source = ""
    if ignore_text is None:
        ignore_text, source = ignore_text_for(root_str, dockerfile)
    try:
        matcher = _matcher(ignore_text, source or ".dockerignore")
    except EmuError as exc:
        raise exc.located(file=source or ".dockerignore").with_source(ignore_text or "") from None

    fs = FS()
    excluded: set[str] = set()
    inodes: dict[tuple[int, int], File] = {}
    fs.set_meta("/", Meta(stat.S_IMODE(st_root.st_mode), 0, 0, int(st_root.st_mtime)))
    # Each directory made so far, by its path: a child goes straight into its parent, so a
    # context nested thousands of levels deep is walked in linear time, not quadratic.
    made: dict[str, Dir] = {"": fs.root}
    under = root_str if root_str.endswith("/") else root_str + "/"  # (os.path.join's rule)
    try:
        for entry in walk_context(root_str, matcher):
            if not entry.in_context:
                excluded.add(entry.path)
                continue
            host = under + entry.path
            try:
                st = os.lstat(host)
            except OSError as exc:
                raise ContextError(
                    f"cannot read context file {entry.path}: {exc.strerror}",
                    hint="check the file's permissions, or exclude it in .dockerignore",
                ) from None
            meta = Meta(stat.S_IMODE(st.st_mode), 0, 0, int(st.st_mtime))
            path = "/" + entry.path
            head, _, name = entry.path.rpartition("/")
            parent = made.get(head)
            if parent is not None and name in parent.entries:
                parent = None  # not new: the general path says what happens
            mode = st.st_mode
            node: Node | None = None
            if stat.S_ISDIR(mode):
                if parent is None:
                    fs.mkdir(path, meta, exist_ok=True)
                    fs.set_meta(path, meta, follow=False)
                    found = fs.lookup(path, follow=False)
                    if isinstance(found, Dir):
                        made[entry.path] = found
                else:
                    made[entry.path] = parent.entries[name] = fs.new_dir(meta)
            elif stat.S_ISLNK(mode):
                link = Symlink(Meta(0o777, 0, 0, meta.mtime), os.readlink(host))
                if parent is None:
                    fs.symlink(path, link.target, link.meta)
                else:
                    node = link
            elif stat.S_ISREG(mode):
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in inodes:
                    node = inodes[key]
                else:
                    # Readable by anyone needs no access(2) (a syscall per file); other
                    # modes are asked, for a clear error before the build starts.
                    if not st.st_mode & stat.S_IROTH and not os.access(host, os.R_OK):
                        raise ContextError(
                            f"cannot read context file {entry.path}: permission denied",
                            hint="make it readable, or exclude it in .dockerignore",
                        )
                    content: bytes | Lazy
                    if st.st_size == 0:
                        # An empty file (a .keep, an __init__.py): its stat says all there
                        # is, without an open, a read and a close per build.
                        content = b""
                    elif st.st_size <= eager_limit:
                        content = _loader(host)()
                    else:
                        content = Lazy(
                            st.st_size, _loader(host), f"context:{entry.path}", _opener(host)
                        )
                    node = File(meta, content, ("context", entry.path))
                    if st.st_nlink > 1:
                        inodes[key] = node
            elif stat.S_ISFIFO(mode):
                node = Device(meta, Kind.FIFO)
            # Sockets and device nodes in a context are not sent (fsutil skips them too).
            if node is not None:
                if parent is None:
                    fs.put(path, node)
                else:
                    parent.entries[name] = node
    except EmuError:
        raise
    except OSError as exc:
        raise ContextError(f"cannot read the context {root}: {exc.strerror}") from None
    return Context(
        fs.snapshot(),
        matcher,
        source,
        f"directory {root}",
        frozenset(excluded),
    )


_FILE_META, _DIR_META = Meta(0o644), Meta(0o755)  # (values: one each serves every file)


def from_mapping(files: Mapping[str, bytes | str], *, ignore_text: str | None = None) -> Context:
    """A context from ``{path: content}`` (no disk involved); ``.dockerignore`` applies.

    A path ending in ``/`` makes an empty directory; content is bytes or text.
    """
    if ignore_text is None:
        raw = files.get(".dockerignore")
        ignore_text = raw.decode() if isinstance(raw, bytes) else raw
    matcher = _matcher(ignore_text, ".dockerignore")
    fs = FS()
    top = fs.root.entries  # this new writer's own root: a plain name goes straight in
    excluded: set[str] = set()
    for name in sorted(files):
        rel = name.strip("/")
        if not rel:
            continue
        if matcher.excluded(rel):
            excluded.add(rel)
            continue
        value = files[name]
        data = value.encode() if isinstance(value, str) else value
        if name.endswith("/"):
            fs.makedirs("/" + rel, _DIR_META)
        elif "/" not in rel and rel not in (".", ".."):
            top[rel] = File(_FILE_META, data, ("context", rel))
        else:
            fs.makedirs("/" + rel.rsplit("/", 1)[0], _DIR_META)
            fs.put("/" + rel, File(_FILE_META, data, ("context", rel)))
    return Context(fs.snapshot(), matcher, ".dockerignore" if ignore_text else "", "mapping",
                   frozenset(excluded))  # fmt: skip


def from_tar(stream: BinaryIO, *, dockerfile_name: str = "Dockerfile") -> tuple[Context, bytes]:
    """A context sent as a tar (``docker build - < ctx.tar``); returns it and the Dockerfile.

    Entries are confined to the context root: absolute names and ``..`` are cleaned, as
    BuildKit does when it receives a tar context.
    """
    import tarfile  # (only a context sent on stdin loads it)

    try:
        data = stream.read()
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - in memory
        members = tf.getmembers()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ContextError(f"the context on stdin is not a readable tar archive: {exc}") from None
    contents: dict[str, tarfile.TarInfo] = {}
    for m in members:
        rel = os.path.normpath("/" + m.name).lstrip("/")
        if rel and rel != ".":
            contents[rel] = m
    ignore_member = contents.get(dockerfile_name + ".dockerignore") or contents.get(".dockerignore")
    ignore_text = None
    if ignore_member is not None and ignore_member.isfile():
        fobj = tf.extractfile(ignore_member)
        ignore_text = fobj.read().decode("utf-8", "surrogateescape") if fobj else None
    matcher = IgnoreMatcher.from_text(ignore_text)
    dockerfile = b""
    df_member = contents.get(dockerfile_name)
    if df_member is not None and df_member.isfile():
        fobj = tf.extractfile(df_member)
        dockerfile = fobj.read() if fobj else b""
    fs = FS()
    excluded: set[str] = set()
    for rel in sorted(contents):
        m = contents[rel]
        if matcher.excluded(rel):
            excluded.add(rel)
            continue
        meta = Meta(m.mode & 0o7777, 0, 0, int(m.mtime))
        path = "/" + rel
        parent = path.rsplit("/", 1)[0] or "/"
        fs.makedirs(parent, Meta(0o755))
        if m.isdir():
            fs.mkdir(path, meta, exist_ok=True)
            fs.set_meta(path, meta, follow=False)
        elif m.issym():
            fs.put(path, Symlink(Meta(0o777, 0, 0, meta.mtime), m.linkname))
        elif m.islnk():
            target = os.path.normpath("/" + m.linkname)
            node = fs.lookup(target, follow=False)
            if isinstance(node, File):
                fs.put(path, node)
        elif m.isfile():
            fobj = tf.extractfile(m)
            fs.put(path, File(meta, fobj.read() if fobj else b"", ("context", rel)))
    return Context(fs.snapshot(), matcher, ".dockerignore" if ignore_text else "", "tar on stdin",
                   frozenset(excluded)), dockerfile  # fmt: skip
