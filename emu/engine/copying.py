"""COPY and ADD's file semantics, as BuildKit's file backend (fsutil's copy) performs them.

The rules, each from ``tonistiigi/fsutil/copy`` and BuildKit's ``dockerfile2llb``:

- a source path is resolved inside its own root, following symlinks (also the last
  component); ``..`` cannot leave the root;
- a directory source copies its *contents*; the destination directory is created with the
  source directory's metadata if missing, left as it is if present; nested directories that
  already exist take the source's metadata;
- a file goes *into* the destination when the destination ends with ``/`` or is an existing
  directory, else it becomes the destination;
- wildcards (Go ``filepath.Match``, component by component) may match nothing;
- inner symlinks are copied as symlinks; hard links inside one copied source stay hard
  links; each source, and each match of a wildcard, is a copy of its own (BuildKit's
  file backend copies match by match), so a file matched twice (by its name and by a
  symlink to it) or two names of one file both matched give separate files;
- the destination path itself is resolved (``RootPath``): an existing symlink there is
  followed, even a dangling one (its target and missing parents are created), while
  names inside the copy are not: a symlink there is replaced by a file, and is no
  directory to copy into ("cannot copy to non-directory");
- directories the copy creates inside a setgid directory inherit its group and the
  setgid bit (the kernel does it on mkdir; --chown then sets the owner);
- ``--chown`` replaces every owner (and the parents it creates), ``--chmod`` every
  permission set (special bits kept), on files and directories alike.

A copy makes new inodes (so two COPYs of one file are two files, as in a real layer) but
shares the content bytes; the tree is built directly, not path by path.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING

from emu.errors import BuildError, LimitExceeded
from emu.errors import CopyError as CopyError
from emu.fs import (
    FS,
    Device,
    Dir,
    File,
    FsError,
    Kind,
    Meta,
    Node,
    Symlink,
    clean,
    in_dir,
    split,
)
from emu.fs.names import printable
from emu.glob import has_meta, match
from emu.ignore import IgnoreMatcher, compile_patterns
from emu.records import field, record

if TYPE_CHECKING:
    from emu.fs.archive import Budget

ModeFn = Callable[[int, bool], int]  # (old mode, is a directory) -> new mode


@record(frozen=True, slots=True)
class Owner:
    uid: int
    gid: int


@record(slots=True)
class CopyStats:
    """What one COPY/ADD moved (for the build summary and `emu explain`)."""

    files: int = 0
    dirs: int = 0
    links: int = 0
    bytes: int = 0
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source path, dest path)


def dest_path(workdir: str, raw: str) -> str:
    """The absolute destination, keeping a trailing ``/`` (BuildKit's keepSlash)."""
    if raw == "":
        return (workdir.rstrip("/") or "") + "/"
    joined = posixpath.normpath(posixpath.join(workdir or "/", raw))
    if joined.startswith("//"):
        joined = "/" + joined.lstrip("/")
    if raw.endswith("/") or raw.endswith("/.") or raw == ".":
        joined = joined.rstrip("/") + "/"
    return joined


def expand_wildcards(src: FS, pattern: str) -> list[str]:
    """Paths in ``src`` matching ``pattern`` component by component, sorted (fsutil).

    Walked with an explicit stack (a pattern may have thousands of components)."""
    parts = split(pattern)
    results: list[str] = []
    todo: list[tuple[str, Node | None, int]] = [("", src.root, 0)]
    while todo:
        prefix, node, i = todo.pop()
        if i == len(parts):
            results.append(prefix or "/")
            continue
        comp = parts[i]
        if not isinstance(node, Dir):
            continue
        if not has_meta(comp):
            child = src.lookup(f"{prefix}/{comp}")
            if child is not None:
                todo.append((f"{prefix}/{comp}", child, i + 1))
            continue
        found = []
        for name in sorted(node.entries, key=lambda n: n.encode("utf-8", "surrogateescape")):
            if match(comp, name):
                path = f"{prefix}/{name}"
                found.append((path, src.lookup(path), i + 1))
        todo.extend(reversed(found))  # the first match is walked first, as in sorted order
    return results


class _Copier:
    def __init__(
        self,
        dst: FS,
        owner: Owner | None,
        mode: ModeFn | None,
        stats: CopyStats,
    ) -> None:
        self.dst = dst
        self.owner = owner
        self.mode = mode
        self.stats = stats
        self.linked: dict[int, File] = {}  # id(source File) → its copy (hard links)
        self.exclude: IgnoreMatcher | None = None
        self.dst_owner = dst._owner

    def meta(self, node: Node) -> Meta:
        m = node.meta
        if self.owner is not None:
            m = Meta(m.mode, self.owner.uid, self.owner.gid, m.mtime)
        if self.mode is not None and not isinstance(node, Symlink):
            m = Meta(self.mode(m.mode, isinstance(node, Dir)) & 0o7777, m.uid, m.gid, m.mtime)
        return m

    def mkdir_all(self, path: str) -> None:
        """MkdirAll for the destination's parents: 0755, owned by --chown (else root)."""
        self.stats.dirs += len(self.dst.makedirs(path, self.dir_meta(0), chowned=self.chowned))

    def dir_meta(self, mtime: int) -> Meta:
        owner = self.owner or Owner(0, 0)
        return Meta(0o755, owner.uid, owner.gid, mtime)

    @property
    def chowned(self) -> bool:
        return self.owner is not None

    def excluded(self, rel: str) -> bool:
        return self.exclude is not None and self.exclude.excluded(rel)

    def clone(self, node: Node, rel: str = "") -> Node:
        """A fresh copy of ``node`` (new inodes: a copy is never a hard link of its source).

        Hard links *within* one source stay hard links (``linked`` by source identity).
        Content bytes are shared, never duplicated.
        """
        if isinstance(node, Dir):
            self.stats.dirs += 1
            return Dir(self.meta(node), self.clone_entries(node, rel), self.dst_owner)
        return self._clone_leaf(node)

    def _clone_leaf(self, node: Node) -> Node:
        if isinstance(node, File):
            first = self.linked.get(id(node))
            if first is not None:
                self.stats.links += 1
                return first
            new = File(self.meta(node), node.content, node.origin)
            self.linked[id(node)] = new
            self.stats.files += 1
            self.stats.bytes += node.size
            return new
        if isinstance(node, Symlink):
            self.stats.links += 1
            return Symlink(self.meta(node), node.target, node.origin)
        assert isinstance(node, Device)
        return Device(self.meta(node), node.kind, node.major, node.minor)

    def clone_entries(self, node: Dir, rel: str) -> dict[str, Node]:
        """Copies of ``node``'s entries, directories and all. Iterative: a tree's depth is
        data (a RUN can nest directories thousands deep), never Python's stack."""
        out: dict[str, Node] = {}
        stack: list[tuple[Dir, dict[str, Node], str]] = [(node, out, rel)]
        while stack:
            src, dst, base = stack.pop()
            for name, child in src.entries.items():
                sub = f"{base}/{name}" if base else name
                if self.excluded(sub):
                    continue
                if isinstance(child, Dir):
                    entries: dict[str, Node] = {}
                    self.stats.dirs += 1
                    dst[name] = Dir(self.meta(child), entries, self.dst_owner)
                    stack.append((child, entries, sub))
                else:
                    dst[name] = self._clone_leaf(child)
        return out

    def copy(self, node: Node, target: str, overwrite_meta: bool, rel: str = "") -> None:
        # lstat: a symlink inside the destination is not followed (the destination path
        # itself was resolved by copy() before).
        existing = self.dst.lookup(target, follow=False)
        if isinstance(node, Dir):
            if existing is None and overwrite_meta:
                self.dst.put(target, self.clone(node, rel))  # nested: the source's metadata
                return
            if existing is None:
                # The destination directory itself is created 0755, owned by --chown or root
                # (seen with BuildKit): the source directory's mode and --chmod do not reach it.
                meta = self.dir_meta(node.meta.mtime)
                parent = self.dst.get(posixpath.dirname(target))
                meta = in_dir(parent.meta, meta, chowned=self.chowned)
                top = Dir(meta, None, self.dst_owner)
                top.entries = self.clone_entries(node, rel)
                self.stats.dirs += 1
                self.dst.put(target, top)
                return
            if not isinstance(existing, Dir):
                raise CopyError(f"cannot copy to non-directory: {target}")
            if overwrite_meta:
                self.dst.set_meta(target, self.meta(node), follow=False)
            for name in sorted(node.entries):
                sub = f"{rel}/{name}" if rel else name
                if not self.excluded(sub):
                    self.copy(node.entries[name], f"{target.rstrip('/')}/{name}", True, sub)
            return
        if isinstance(existing, Dir):
            raise CopyError(f"cannot replace to directory {target} with file")  # fsutil's words
        self.dst.put(target, self.clone(node, rel))


def copy(
    dst: FS,
    src: FS,
    sources: list[str],
    dest: str,
    *,
    owner: Owner | None = None,
    mode: ModeFn | None = None,
    unpack: bool = False,
    missing: Callable[[str], BuildError] | None = None,
    excludes: tuple[str, ...] = (),
    parents: bool = False,
    limits: Budget | None = None,
) -> CopyStats:
    """Copy ``sources`` (paths in ``src``) to ``dest`` (absolute, trailing ``/`` kept).

    ``excludes`` (``--exclude``) are patternmatcher patterns, matched against each copied
    path relative to its source (a file source: its name); ``parents`` (``--parents``) keeps
    each source's directories below the ``/./`` pivot (or the root), with ``**`` matching
    any depth.
    """
    stats = CopyStats()
    copier = _Copier(dst, owner, mode, stats)
    if excludes:
        copier.exclude = IgnoreMatcher(compile_patterns(excludes))
    if parents:
        return _copy_parents(copier, src, sources, dest, missing)
    # fsutil resolves the destination inside the image first (RootPath): a symlink there,
    # dangling or not, is followed, and what is copied lands behind it.
    real = dst.realpath(dest, missing_ok=True)
    dest = real + "/" if dest.endswith("/") and real != "/" else real
    ensure = dest if dest.endswith("/") else posixpath.dirname(dest)
    ensured = False
    for raw in sources:
        path = clean(raw)
        if has_meta(raw):
            matches = expand_wildcards(src, path)
        else:
            if src.lookup(path) is None:
                if missing is not None:
                    raise missing(raw)
                raise CopyError(f'"{path}": not found')
            matches = [path]
        for m in matches:
            if copier.excluded(posixpath.basename(m)):
                continue
            # Each source, and each match of a wildcard, is a copy of its own in BuildKit:
            # hard links are kept within it, never across two (golden cases 28, 112).
            copier.linked = {}
            node = src.get(m)  # FollowSymlinks: the source path itself is resolved
            if not ensured:
                # Only once something is copied: a wildcard matching nothing creates
                # no destination directory either (seen with BuildKit).
                copier.mkdir_all(ensure)
                ensured = True
            if unpack and isinstance(node, File) and _unpack(copier, node, dest, m, limits):
                stats.sources.append((m, dest))
                continue
            target = dest
            existing = dst.lookup(dest)
            if not isinstance(node, Dir) and isinstance(existing, Dir):
                target = posixpath.join(dest, posixpath.basename(m) or "/")
            elif dest.endswith("/") and not isinstance(node, Dir):
                target = posixpath.join(dest, posixpath.basename(m))
            target = target.rstrip("/") or "/"
            if target != "/":
                copier.mkdir_all(posixpath.dirname(target))
            copier.copy(node, target, False)
            stats.sources.append((m, target))
    return stats


def _copy_parents(
    copier: _Copier,
    src: FS,
    sources: list[str],
    dest: str,
    missing: Callable[[str], BuildError] | None,
) -> CopyStats:
    """``COPY --parents``: each match lands at ``dest`` + its path below the pivot."""
    stats = copier.stats
    base = dest.rstrip("/") or ""
    for raw in sources:
        copier.linked = {}
        pivot_raw, sep, _after = raw.partition("/./")
        pivot = clean(pivot_raw) if sep else "/"
        pattern = clean(raw.replace("/./", "/"))
        if has_meta(pattern):
            matcher = IgnoreMatcher(compile_patterns([pattern.lstrip("/")]))
            prefix = []
            for comp in split(pattern):
                if has_meta(comp):
                    break
                prefix.append(comp)
            start = "/" + "/".join(prefix)
            node = src.lookup(start)
            found = [] if node is None else [p for p, _ in _walk_from(src, start)]
            matches = [p for p in found if matcher.patterns[0].matches(p.lstrip("/"))]
        else:
            if src.lookup(pattern) is None:
                raise (missing(raw) if missing else CopyError(f'"{pattern}": not found'))
            matches = [pattern]
        for m in matches:
            rel = posixpath.relpath(m, pivot) if m != pivot else ""
            target = f"{base}/{rel}" if rel and rel != "." else (base or "/")
            if copier.excluded(rel or posixpath.basename(m)):
                continue
            copier.mkdir_all(posixpath.dirname(target) if target != "/" else "/")
            node = src.get(m)
            copier.copy(node, target, False)
            stats.sources.append((m, target))
    return stats


def _walk_from(src: FS, start: str) -> list[tuple[str, Node]]:
    from emu.fs import walk

    node = src.get(start)
    return [(start, node), *walk(node, start)] if start != "/" else list(walk(node, "/"))


# --- ADD's archive extraction ---------------------------------------------------------------


def _unpack(copier: _Copier, node: File, dest: str, name: str, budget: Budget | None) -> bool:
    """ADD of a local archive: extract into ``dest``; False when it is not an archive.

    The archive is read by :mod:`emu.fs.archive` under the same limits as a RUN (each entry
    a file created, each declared size bytes stored, the deadline checked as it reads) and
    placed as BuildKit's unpacker places it: an absolute name is taken from the
    destination, the archive's own symlinks (``link -> /``) resolve inside it, and a name or
    a relative link that climbs out of it fails the build (current BuildKit; Docker 20.10's
    chroot clamped them), as does a hard link to a file the archive does not hold.
    """
    from emu.fs import archive  # (tarfile and three decompressors: loaded for ADD's archives)

    data = node.data
    if data is None:
        return False
    stream = archive.open_tar(data)
    if stream is None:
        return False
    dst = copier.dst
    root = dest.rstrip("/") or "/"
    copier.mkdir_all(root)
    # --chown owns only the directories ADD creates: entries keep the archive's owners.
    placer = archive.Placer(dst, root, copier.dir_meta(0))
    what = printable(name.lstrip("/"), 80)
    try:
        for entry in archive.entries(stream, what, budget or archive.UNLIMITED):
            rel = _archive_name(entry.name)[1:]
            if not rel:
                continue
            if entry.kind is Kind.DIR:
                placer.put(rel, Dir(entry.meta))
                copier.stats.dirs += 1
            elif entry.kind is Kind.SYMLINK:
                meta = Meta(0o777, entry.meta.uid, entry.meta.gid, entry.meta.mtime)
                placer.put(rel, Symlink(meta, entry.link))
                copier.stats.links += 1
            elif entry.hard_link:
                link_rel = _archive_name(entry.link)[1:]
                target = placer.get(link_rel)
                if target is None:  # the unpacker's link(2) fails, and the build with it
                    raise CopyError(f"link {link_rel} {rel}: no such file or directory")
                if isinstance(target, File):
                    placer.put(rel, target)
                    copier.stats.links += 1
            elif entry.kind is Kind.FILE:
                placer.put(rel, File(entry.meta, entry.data, ("archive", entry.name)))
                copier.stats.files += 1
                copier.stats.bytes += len(entry.data)
            else:
                placer.put(rel, archive.device(entry))
    except archive.Escape as exc:
        raise CopyError(str(exc)) from None
    except FsError as exc:
        raise CopyError(f"{what}: {exc.message}") from None
    except LimitExceeded as exc:
        message = (
            f"{what}: limit exceeded: {exc.limit} ({exc.value}); the archive was not extracted"
        )
        raise LimitExceeded(exc.limit, exc.value, exc.hint, message=message) from None
    copier.stats.dirs += placer.made_dirs
    return True


def _archive_name(name: str) -> str:
    """An archive entry's name as BuildKit's unpacker takes it: cleaned, an absolute name
    relative to the destination, a name that still climbs out of it refused."""
    rel = posixpath.normpath(name).lstrip("/")
    if rel == ".." or rel.startswith("../"):
        raise CopyError(f'archive path "{rel}" is outside extraction root')
    return "/" + rel if rel not in ("", ".") else "/"
