"""The layer cache, keyed as BuildKit keys it.

BuildKit turns each RUN, COPY, ADD and WORKDIR into a vertex whose cache key is the digest of
the operation and of its inputs' keys; a step whose key is already in the cache is ``CACHED``
and does not run. What goes into a key (checked against a real BuildKit on the sequences of
``tests/cache``):

* every step: the key of the step before it in its stage, back to the base image (so a miss
  re-runs everything after it in that stage);
* RUN: the command after SHELL, the environment it sees (ENV values and every ARG in scope
  with a value, used or not; the proxy ARGs are left out, as ``llb.WithProxy`` leaves them
  out), the working directory, USER, ``--network``/``--security``, and each ``--mount``:
  its options, and for a bind mount the content of what it binds;
* COPY/ADD: the sources as written, the destination, ``--chown``/``--chmod``/``--link``/
  ``--parents``/``--exclude``, and the *content* of what the sources select — path, type,
  mode, owner, bytes or link target, never the modification time — in the context (after
  ``.dockerignore``) or in the ``--from`` stage or image. A ``COPY --from`` therefore stays
  cached when the stage it reads re-ran but produced the same files;
* WORKDIR: the directory and USER (a ``WORKDIR /`` makes no step).

ENV, ARG, LABEL, EXPOSE, CMD, USER and the other metadata instructions make no step: they
change later keys only through what a RUN sees.

A RUN's result is kept with its key — the paths it changed, and what it printed — so a
cached RUN is replayed from the cache, never run. COPY, ADD and WORKDIR are deterministic
functions of their key, so emu recomputes their result and marks them cached.

Library builds use no cache unless given one (:class:`MemoryCache`, or the store's cache
that ``emu build`` passes), so they stay hermetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Protocol

from emu.fs import FS, Change, Dir, File, Node, Symlink, walk
from emu.fs.nodes import Blob, Device, Lazy
from emu.records import field, record


@record(frozen=True, slots=True)
class StepInputs:
    """What went into one step's key, kept so that a later miss can say what changed."""

    kind: str  # "run" | "copy" | "add" | "workdir"
    op: str  # the operation: RUN's argv, COPY's sources and destination, WORKDIR's path
    parent: str  # the key of the step before it (or of the base image)
    env: tuple[tuple[str, str], ...] = ()  # RUN: the environment it sees
    meta: tuple[tuple[str, str], ...] = ()  # workdir, user, network, mounts, flags
    files: tuple[tuple[str, str], ...] = ()  # what COPY/ADD/a bind mount read: path, digest

    @property
    def key(self) -> str:
        h = hashlib.sha256()
        for part in (self.kind, self.op, self.parent):
            h.update(part.encode("utf-8", "surrogateescape") + b"\0")
        for group in (self.env, self.meta, self.files):
            for k, v in group:
                h.update(f"{k}={v}".encode("utf-8", "surrogateescape") + b"\0")
            h.update(b"\1")
        return "sha256:" + h.hexdigest()


@record(frozen=True, slots=True)
class CachedRun:
    """A RUN's result as the cache keeps it: the paths it changed, and what it printed."""

    changes: tuple[tuple[str, Node | None], ...]  # path -> new node (None: deleted)
    stdout: bytes = b""
    stderr: bytes = b""
    # What --permissive forgave while it ran (emu.engine.state.Skipped records): such a
    # result stands for a strict build's never, and a permissive replay reports them again.
    forgiven: tuple[object, ...] = ()


@record(frozen=True, slots=True)
class CacheEntry:
    key: str
    name: str  # the step as BuildKit names it, for listings
    run: CachedRun | None = None


@record(frozen=True, slots=True)
class StepRecord:
    """One step of a build as the cache remembers it, to explain the next build's misses."""

    stage: str
    index: int  # the step's number in its stage
    name: str
    inputs: StepInputs


class LayerCache(Protocol):
    """Where cache entries live: in memory (:class:`MemoryCache`) or in the store."""

    def get(self, key: str) -> CacheEntry | None: ...

    def put(self, entry: CacheEntry) -> None: ...

    def last_build(self, ident: str) -> tuple[StepRecord, ...]: ...

    def remember_build(self, ident: str, steps: tuple[StepRecord, ...]) -> None: ...


@record(slots=True)
class MemoryCache:
    """A cache that lives as long as the object (tests, and library users who rebuild)."""

    entries: dict[str, CacheEntry] = field(default_factory=dict)
    builds: dict[str, tuple[StepRecord, ...]] = field(default_factory=dict)

    def get(self, key: str) -> CacheEntry | None:
        return self.entries.get(key)

    def put(self, entry: CacheEntry) -> None:
        self.entries[entry.key] = entry

    def last_build(self, ident: str) -> tuple[StepRecord, ...]:
        return self.builds.get(ident, ())

    def remember_build(self, ident: str, steps: tuple[StepRecord, ...]) -> None:
        # Steps of this build replace those of the last one; a failed build keeps what ran.
        self.builds[ident] = steps


# --- content digests --------------------------------------------------------------------------


def _content(node: File) -> str:
    c = node.content
    if isinstance(c, Blob):
        return c.digest
    if isinstance(c, Lazy):  # a host file: hashed a chunk at a time, never held whole
        h = hashlib.sha256()
        for chunk in c.chunks():
            h.update(chunk)
        return "sha256:" + h.hexdigest()
    return "sha256:" + hashlib.sha256(c).hexdigest()


def _entry(n: Node) -> str:
    m = n.meta
    head = f"{n.kind.value}:{m.mode:o}:{m.uid}:{m.gid}:"
    if isinstance(n, File):
        return head + _content(n)
    if isinstance(n, Symlink):
        return head + n.target
    if isinstance(n, Device):
        return head + f"{n.major},{n.minor}"
    return head


def node_digest(node: Node) -> str:
    """A path's content as BuildKit's content hash sees it: type, mode, owner, bytes or
    target, and a directory's whole tree — never the modification time."""
    h = hashlib.sha256(_entry(node).encode("utf-8", "surrogateescape") + b"\n")
    for path, n in walk(node, ""):
        h.update(f"{path}\0{_entry(n)}\n".encode("utf-8", "surrogateescape"))
    return "sha256:" + h.hexdigest()


# Beyond this many entries a selection is kept per source path, not per file: the key is
# the same, only a miss's explanation names the source rather than the file.
DETAIL_LIMIT = 10_000


def selection(fs: FS, paths: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """What a step read from ``fs``: each file and directory below ``paths`` with the
    digest of its content and metadata (a missing path reads as absent)."""
    out: list[tuple[str, str]] = []
    nodes = [(path, fs.lookup(path)) for path in paths]
    for path, node in nodes:
        if node is None:
            out.append((path, "absent"))
        elif isinstance(node, Dir):
            base = path.rstrip("/")
            out.append((path, _entry(node)))
            out.extend((base + sub, _entry(n)) for sub, n in walk(node, ""))
        else:
            out.append((path, _entry(node)))
        if len(out) > DETAIL_LIMIT:
            return tuple((p, node_digest(n) if n is not None else "absent") for p, n in nodes)
    return tuple(out)


_IMAGE_KEYS: dict[int, tuple[object, str]] = {}


def image_key(ref: str, root: Dir, config: object) -> str:
    """The key of a base image: its name, config and content (memoised per image tree)."""
    known = _IMAGE_KEYS.get(id(root))
    if known is not None and known[0] is root:
        content = known[1]
    else:
        content = node_digest(root)
        _IMAGE_KEYS[id(root)] = (root, content)
    h = hashlib.sha256(f"{ref}\0{config!r}\0{content}".encode("utf-8", "surrogateescape"))
    return "sha256:" + h.hexdigest()


# --- RUN results ------------------------------------------------------------------------------


def run_changes(changes: Iterable[Change]) -> tuple[tuple[str, Node | None], ...]:
    """The paths a RUN changed, outermost first; a new or changed directory is kept whole,
    so what lies below it needs no entry of its own."""
    out: list[tuple[str, Node | None]] = []
    whole: list[str] = []
    for c in changes:
        if any(c.path.startswith(w + "/") for w in whole):
            continue
        out.append((c.path, c.new))
        if isinstance(c.new, Dir) and c.kind != "deleted":
            whole.append(c.path)
    return tuple(out)


def replay(fs: FS, changes: tuple[tuple[str, Node | None], ...]) -> None:
    """Apply a cached RUN's changes to the stage's filesystem."""
    for path, node in changes:
        if node is None:
            if fs.lookup(path, follow=False) is not None:
                fs.remove(path, recursive=True)
            continue
        existing = fs.lookup(path, follow=False)
        if existing is not None and (isinstance(existing, Dir) or isinstance(node, Dir)):
            fs.remove(path, recursive=True)
        fs.put(path, node)


# --- why a step missed ------------------------------------------------------------------------

FIRST_BUILD = "nothing in the cache for this build yet"


def _changed(before: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))


def _paths(before: Mapping[str, str], now: Mapping[str, str], relative: bool) -> str:
    """``src/app.js`` or ``src/app.js, src/b.js and 3 more``: what changed among read paths
    (relative to the context, as docker users name context files; absolute in a stage)."""
    changed = _changed(before, now)
    shown = ", ".join((p.lstrip("/") or "/") if relative else p for p in changed[:3])
    if len(changed) > 3:
        shown += f" and {len(changed) - 3} more"
    return shown


def explain(text: str, now: StepInputs, before: StepInputs | None) -> str:
    """Why ``now`` missed the cache, compared with the same step of the last build."""
    if before is None:
        return "a new step (the last build had no such step)"
    if now.kind != before.kind or now.op != before.op:
        return "the instruction changed"
    env_now, env_before = dict(now.env), dict(before.env)
    if env_now != env_before:
        names = _changed(env_before, env_now)
        return "the environment changed: " + ", ".join(
            f"{n}={env_now[n]!r}" if n in env_now else f"{n} unset" for n in names[:3]
        )
    meta_now, meta_before = dict(now.meta), dict(before.meta)
    if meta_now != meta_before:
        names = _changed(meta_before, meta_now)
        return ", ".join(f"{n} changed" for n in names[:3])
    files_now, files_before = dict(now.files), dict(before.files)
    if files_now != files_before:
        relative = dict(now.meta).get("from", "context") == "context"
        detail = _paths(files_before, files_now, relative) or "its sources"
        return f"{text} changed: {detail}"
    if now.parent != before.parent:
        return "a step before it changed"
    return "not in the cache (it was pruned, or never stored)"


__all__ = [
    "FIRST_BUILD",
    "CacheEntry",
    "CachedRun",
    "LayerCache",
    "MemoryCache",
    "StepInputs",
    "StepRecord",
    "explain",
    "image_key",
    "node_digest",
    "replay",
    "run_changes",
    "selection",
]
