"""The offline base-image catalog: what ``FROM alpine:3.19`` starts from, with no registry.

emu never pulls. Every image a Dockerfile may name in ``FROM`` without ``emu load`` is
described here: its names (Docker's reference normalisation applies, so ``alpine``,
``alpine:latest``, ``library/alpine`` and ``docker.io/library/alpine:latest`` are one
image), its real uncompressed size with the source of that figure, its config (Env, Cmd,
Entrypoint, ...) and a *skeleton* filesystem: the files that matter for teaching and for
builds (shells, applet links, ``/etc/passwd``, package databases, nginx's default site, the
Node/Go/Java/Python/Rust toolchain directories), big artifacts as size-only
:class:`~emu.fs.Blob` files, and one clearly labelled remainder blob that makes the file
sizes add up to the image's real size exactly.

The data lives in ``data/<family>.yaml`` (package data), parsed lazily: importing this
module reads no YAML, a lookup parses only the family it needs (and the families its bases
come from), and each image's skeleton is built once per process; later lookups return the
same :class:`~emu.images.image.Image` (and so the same :class:`~emu.fs.Snapshot`) in O(1).

Sizes follow ``docker images``: the sum of the ``lstat`` sizes of every non-directory entry
(regular files, hard links counted once, and symlinks, whose size is their target's
length), which is what Docker's layer-size walk adds up (see :func:`tree_size`).

Public API: :func:`normalize`, :func:`familiar`, :func:`lookup`, :func:`names`,
:func:`suggest`, :func:`describe`, :func:`ids`, :func:`tree_size`,
:class:`UnknownImageError`, :class:`InvalidReferenceError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emu.errors import CatalogDataError, UnknownImageError
from emu.fs.nodes import Blob, Dir, File, Meta, Node, Symlink
from emu.fs.tree import Snapshot, clean
from emu.images.image import DEFAULT_PATH, HistoryEntry, Image, ImageConfig
from emu.images.reference import (
    DEFAULT_DOMAIN,
    DEFAULT_TAG,
    OFFICIAL_PREFIX,
    SCRATCH,
    InvalidReferenceError,
    Reference,
    familiar,
    normalize,
)
from emu.images.reference import parse as _parse

__all__ = [
    "SCRATCH",
    "CatalogDataError",
    "EntryInfo",
    "InvalidReferenceError",
    "UnknownImageError",
    "describe",
    "familiar",
    "ids",
    "lookup",
    "names",
    "normalize",
    "suggest",
    "tree_size",
]

# --- families and entries -------------------------------------------------------------------

# Which YAML file holds each repository, so a lookup parses one family, not all of them.
_FAMILY_OF_REPO: dict[str, str] = {
    "docker.io/library/busybox": "busybox",
    "docker.io/library/alpine": "alpine",
    "docker.io/library/debian": "debian",
    "docker.io/library/ubuntu": "ubuntu",
    "docker.io/library/nginx": "nginx",
    "docker.io/library/node": "node",
    "docker.io/library/golang": "golang",
    "docker.io/library/rust": "rust",
    "docker.io/library/maven": "maven",
    "docker.io/library/eclipse-temurin": "eclipse-temurin",
    "docker.io/library/python": "python",
    "gcr.io/distroless/static": "distroless",
    "gcr.io/distroless/static-debian12": "distroless",
    "gcr.io/distroless/base": "distroless",
    "gcr.io/distroless/base-debian12": "distroless",
}
FAMILIES: tuple[str, ...] = tuple(sorted(set(_FAMILY_OF_REPO.values())))


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What the catalog knows about one image, with the sources of its figures."""

    id: str  # the canonical familiar name, e.g. "alpine:3.21"
    family: str
    names: tuple[str, ...]  # every familiar name it answers to
    size: int  # uncompressed bytes, as `docker images` counts them
    size_source: str
    size_estimate: bool
    compressed: int | None  # registry transfer size (amd64), when known
    compressed_source: str
    compressed_estimate: bool
    base: str | None  # catalog id whose skeleton this one extends
    notes: str


class _Entry:
    __slots__ = ("building", "config", "info", "snapshot", "spec")

    def __init__(self, info: EntryInfo, spec: dict[str, Any]) -> None:
        self.info = info
        self.spec = spec
        self.config: ImageConfig | None = None
        self.snapshot: Snapshot | None = None
        self.building = False


class _Family:
    __slots__ = ("by_name", "entries", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: dict[str, _Entry] = {}  # id -> entry
        self.by_name: dict[str, str] = {}  # normalized name -> id


_families: dict[str, _Family] = {}
_images: dict[str, Image] = {}  # normalized ref -> Image
_raw_images: dict[str, Image] = {}  # ref exactly as asked -> Image (the O(1) path)
_scratch_image: Image | None = None


def _clear_caches() -> None:
    """Forget every parsed family and built image (tests use it to time a cold lookup)."""
    global _scratch_image
    _families.clear()
    _images.clear()
    _raw_images.clear()
    _scratch_image = None


def _read_family_text(family: str) -> str:
    # The YAML is what people edit; its JSON twin (kept in step by
    # tests/support/data_json.py, checked by a test) is what emu reads: yaml stays in the
    # top layer, and the standard library's json loads faster.
    from importlib import resources

    data = resources.files(__package__ or "emu.images").joinpath("data", f"{family}.json")
    return data.read_text(encoding="utf-8")


def _family(family: str) -> _Family:
    fam = _families.get(family)
    if fam is not None:
        return fam
    import json

    raw = json.loads(_read_family_text(family))
    if not isinstance(raw, dict) or not isinstance(raw.get("images"), dict):
        raise CatalogDataError(f"{family}.yaml: expected a mapping with an `images` mapping")
    fam = _Family(family)
    for image_id, spec in raw["images"].items():
        where = f"{family}.yaml: {image_id}"
        if not isinstance(spec, dict):
            raise CatalogDataError(f"{where}: expected a mapping")
        entry = _Entry(_entry_info(family, str(image_id), spec, where), spec)
        fam.entries[entry.info.id] = entry
        for name in entry.info.names:
            norm = normalize(name)
            r = _parse(name)
            if _FAMILY_OF_REPO.get(r.repository) != family:
                raise CatalogDataError(f"{where}: name {name!r} does not belong to {family}.yaml")
            if norm in fam.by_name and fam.by_name[norm] != entry.info.id:
                raise CatalogDataError(f"{where}: name {name!r} also names {fam.by_name[norm]}")
            fam.by_name[norm] = entry.info.id
    _families[family] = fam
    return fam


def _entry_info(family: str, image_id: str, spec: dict[str, Any], where: str) -> EntryInfo:
    names = _str_list(spec.get("names", []), f"{where}: names")
    if image_id not in names:
        names.insert(0, image_id)
    compressed = spec.get("compressed")
    if compressed is not None and not isinstance(compressed, int):
        raise CatalogDataError(f"{where}: compressed must be an integer (bytes)")
    base = spec.get("base")
    return EntryInfo(
        id=image_id,
        family=family,
        names=tuple(names),
        size=_int(spec.get("size"), f"{where}: size"),
        size_source=str(spec.get("size_source", "")),
        size_estimate=bool(spec.get("size_estimate", False)),
        compressed=compressed,
        compressed_source=str(spec.get("compressed_source", "")),
        compressed_estimate=bool(spec.get("compressed_estimate", False)),
        base=None if base is None else str(base),
        notes=str(spec.get("notes", "")).strip(),
    )


def _entry_for(norm: str) -> _Entry | None:
    r = _parse(norm)
    family = _FAMILY_OF_REPO.get(r.repository)
    if family is None:
        return None
    fam = _family(family)
    image_id = fam.by_name.get(norm)
    return None if image_id is None else fam.entries[image_id]


def _entry_by_id(image_id: str) -> _Entry:
    entry = _entry_for(normalize(image_id))
    if entry is None or entry.info.id != image_id:
        raise CatalogDataError(f"base {image_id!r} is not a catalog id")
    return entry


# --- typed access to YAML values --------------------------------------------------------------


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CatalogDataError(f"{where}: expected a non-negative integer, got {value!r}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise CatalogDataError(f"{where}: expected a string, got {value!r}")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise CatalogDataError(f"{where}: expected a list, got {value!r}")
    return [_str(v, where) for v in value]


def _mode(value: Any, default: int, where: str) -> int:
    if value is None:
        return default
    # Octal strings only: YAML 1.1 reads a bare 0755 as octal but 755 as decimal.
    if not isinstance(value, str) or not re.fullmatch(r"[0-7]{3,4}", value):
        raise CatalogDataError(f"{where}: mode must be an octal string like '0755', got {value!r}")
    return int(value, 8)


def _owner(value: Any, where: str) -> tuple[int, int]:
    if value is None:
        return 0, 0
    m = re.fullmatch(r"(\d+):(\d+)", str(value))
    if m is None:
        raise CatalogDataError(f"{where}: owner must be 'UID:GID', got {value!r}")
    return int(m.group(1)), int(m.group(2))


def _path(value: Any, where: str) -> str:
    path = _str(value, where)
    if path != clean(path) or path == "/":
        raise CatalogDataError(f"{where}: {path!r} is not a clean absolute path")
    return path


# --- configs --------------------------------------------------------------------------------


def _config(entry: _Entry) -> ImageConfig:
    if entry.config is not None:
        return entry.config
    base = ImageConfig() if entry.info.base is None else _config(_entry_by_id(entry.info.base))
    cfg = _overlay_config(base, entry.spec.get("config") or {}, f"{entry.info.id}: config")
    entry.config = cfg
    return cfg


def _overlay_config(base: ImageConfig, raw: Any, where: str) -> ImageConfig:
    """The base config with the entry's settings on top, as a Dockerfile would set them."""
    if not isinstance(raw, dict):
        raise CatalogDataError(f"{where}: expected a mapping")
    known = {
        "env",
        "cmd",
        "entrypoint",
        "workdir",
        "user",
        "exposed_ports",
        "labels",
        "volumes",
        "stop_signal",
    }
    unknown = set(raw) - known
    if unknown:
        raise CatalogDataError(f"{where}: unknown keys {sorted(unknown)}")
    cfg = base
    for item in _str_list(raw.get("env", []), f"{where}: env"):
        key, eq, value = item.partition("=")
        if not eq:
            raise CatalogDataError(f"{where}: env item {item!r} is not KEY=VALUE")
        cfg = cfg.with_env(key, value)
    cmd = cfg.cmd
    entrypoint = cfg.entrypoint
    if "entrypoint" in raw:
        ep = raw["entrypoint"]
        entrypoint = None if ep is None else tuple(_str_list(ep, f"{where}: entrypoint"))
        cmd = None  # ENTRYPOINT resets an inherited CMD (BuildKit's dispatchEntrypoint)
    if "cmd" in raw:
        c = raw["cmd"]
        cmd = None if c is None else tuple(_str_list(c, f"{where}: cmd"))
    labels = dict(cfg.labels)
    raw_labels = raw.get("labels") or {}
    if not isinstance(raw_labels, dict):
        raise CatalogDataError(f"{where}: labels must be a mapping")
    for k, v in raw_labels.items():
        labels[str(k)] = str(v)
    ports = set(cfg.exposed_ports) | set(_str_list(raw.get("exposed_ports", []), where))
    volumes = set(cfg.volumes) | set(_str_list(raw.get("volumes", []), where))
    return ImageConfig(
        env=cfg.env,
        cmd=cmd,
        entrypoint=entrypoint,
        working_dir=_str(raw.get("workdir", cfg.working_dir), f"{where}: workdir"),
        user=_str(raw.get("user", cfg.user), f"{where}: user"),
        exposed_ports=tuple(sorted(ports)),
        labels=tuple(sorted(labels.items())),
        volumes=tuple(sorted(volumes)),
        stop_signal=_str(raw.get("stop_signal", cfg.stop_signal), f"{where}: stop_signal"),
    )


# --- skeleton filesystems -------------------------------------------------------------------


def tree_size(root: Dir) -> int:
    """Bytes as ``docker images`` counts them: every non-directory entry's ``lstat`` size.

    Regular files count their content (a hard link once), symlinks the length of their
    target, devices nothing: Docker sums ``lstat`` sizes over each layer's files, skipping
    directories and inodes already seen.
    """
    seen: set[int] = set()
    total = 0
    stack: list[Dir] = [root]
    while stack:
        for child in stack.pop().entries.values():
            if isinstance(child, Dir):
                stack.append(child)
            elif isinstance(child, File):
                if id(child) not in seen:
                    seen.add(id(child))
                    total += child.size
            elif isinstance(child, Symlink):
                total += child.size
    return total


class _Builder:
    """Writes a skeleton tree directly (no symlink resolution: catalog paths are canonical).

    Directories that come from a base image are copied before the first write, so the base
    snapshot is never changed; the new tree's directories carry a private owner token, so
    any later :class:`~emu.fs.FS` writer copies before it writes.
    """

    __slots__ = ("dirs", "root", "token")

    def __init__(self, base: Dir | None) -> None:
        self.token = object()
        self.root = (
            Dir(Meta(0o755), owner=self.token) if base is None else base.copy_for(self.token)
        )
        self.dirs: dict[str, Dir] = {"": self.root}

    def dir(self, path: str) -> Dir:
        """The writable directory at ``path`` ("" is the root), created 0755 root if missing."""
        d = self.dirs.get(path)
        if d is not None:
            return d
        parent_path, _, name = path.rpartition("/")
        parent = self.dir(parent_path)
        child = parent.entries.get(name)
        if child is None:
            child = Dir(Meta(0o755), owner=self.token)
            parent.entries[name] = child
        elif not isinstance(child, Dir):
            raise CatalogDataError(
                f"{path}: is a {child.kind.value}, not a directory "
                "(catalog paths must not pass through symlinks)"
            )
        elif child.owner is not self.token:
            child = child.copy_for(self.token)
            parent.entries[name] = child
        self.dirs[path] = child
        return child

    def get(self, path: str) -> Node | None:
        parent_path, _, name = path.rpartition("/")
        return self.dir(parent_path).entries.get(name)

    def put(self, path: str, node: Node, *, replace: bool = True) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = self.dir(parent_path)
        old = parent.entries.get(name)
        if isinstance(old, Dir):
            raise CatalogDataError(f"{path}: cannot replace a directory")
        if old is not None and not replace:
            raise CatalogDataError(f"{path}: already exists")
        parent.entries[name] = node

    def remove(self, path: str) -> None:
        parent_path, _, name = path.rpartition("/")
        parent = self.dir(parent_path)
        if parent.entries.pop(name, None) is None:
            raise CatalogDataError(f"{path}: nothing to remove")
        self.dirs = {
            k: v for k, v in self.dirs.items() if k != path and not k.startswith(path + "/")
        }


def _snapshot(entry: _Entry) -> Snapshot:
    if entry.snapshot is not None:
        return entry.snapshot
    if entry.building:
        raise CatalogDataError(f"{entry.info.id}: base chain loops")
    entry.building = True
    try:
        base = None if entry.info.base is None else _snapshot(_entry_by_id(entry.info.base))
        where = f"{entry.info.family}.yaml: {entry.info.id}"
        ops = entry.spec.get("files") or []
        if not isinstance(ops, list):
            raise CatalogDataError(f"{where}: files must be a list")
        if base is not None and not ops and "remainder" not in entry.spec:
            # Same files, another config (distroless :nonroot): share the base's snapshot.
            if tree_size(base.root) != entry.info.size:
                raise CatalogDataError(f"{where}: size differs from its base's, but no files do")
            entry.snapshot = base
            return base
        b = _Builder(None if base is None else base.root)
        for i, op in enumerate(ops):
            # A nested list is a group of operations (a YAML anchor shared by entries).
            group = op if isinstance(op, list) else [op]
            for j, sub in enumerate(group):
                _apply(
                    b, sub, f"{where}: files[{i}][{j}]" if group is op else f"{where}: files[{i}]"
                )
        _finish_size(b, entry, where)
        entry.snapshot = Snapshot(b.root)
    finally:
        entry.building = False
    return entry.snapshot


_OP_KINDS = ("dir", "file", "symlink", "hardlink", "links", "blobs", "append", "remove")
_OP_KEYS = {
    "dir": {"dir", "mode", "owner"},
    "file": {"file", "text", "blob", "label", "traits", "mode", "owner"},
    "symlink": {"symlink", "to", "owner"},
    "hardlink": {"hardlink", "to"},
    "links": {"links", "in", "to", "owner"},
    "blobs": {"blobs", "in", "size", "label", "mode", "owner"},
    "append": {"append", "text"},
    "remove": {"remove"},
}


def _apply(b: _Builder, op: Any, where: str) -> None:
    if not isinstance(op, dict):
        raise CatalogDataError(f"{where}: expected a mapping")
    kinds = [k for k in _OP_KINDS if k in op]
    if len(kinds) != 1:
        raise CatalogDataError(f"{where}: expected exactly one of {', '.join(_OP_KINDS)}")
    kind = kinds[0]
    extra = set(op) - _OP_KEYS[kind]
    if extra:
        raise CatalogDataError(f"{where}: unexpected keys {sorted(extra)} for {kind}")
    uid, gid = _owner(op.get("owner"), where)
    if kind == "dir":
        path = _path(op["dir"], where)
        d = b.dir(path)
        d.meta = Meta(_mode(op.get("mode"), 0o755, where), uid, gid)
    elif kind == "file":
        path = _path(op["file"], where)
        content: bytes | Blob
        if ("text" in op) == ("blob" in op):
            raise CatalogDataError(f"{where}: a file needs exactly one of text, blob")
        if "text" in op:
            content = _str(op["text"], where).encode("utf-8")
        else:
            label = _str(op.get("label", path.rsplit("/", 1)[1]), where)
            traits = frozenset(_str_list(op.get("traits", []), f"{where}: traits"))
            content = Blob(_int(op["blob"], where), label, traits)
        b.put(path, File(Meta(_mode(op.get("mode"), 0o644, where), uid, gid), content))
    elif kind == "symlink":
        path = _path(op["symlink"], where)
        b.put(path, Symlink(Meta(0o777, uid, gid), _str(op.get("to"), where)))
    elif kind == "hardlink":
        path = _path(op["hardlink"], where)
        target = b.get(_path(op.get("to"), where))
        if not isinstance(target, File):
            raise CatalogDataError(f"{where}: hard link target {op.get('to')!r} is not a file")
        b.put(path, target, replace=False)
    elif kind == "links":
        directory = _path(op.get("in"), where)
        to = _str(op.get("to"), where)
        parent = b.dir(directory)
        for name in _str_list(op["links"], where):
            if "/" in name or name in ("", ".", ".."):
                raise CatalogDataError(f"{where}: bad link name {name!r}")
            if name in parent.entries:
                raise CatalogDataError(f"{where}: {directory}/{name} already exists")
            parent.entries[name] = Symlink(Meta(0o777, uid, gid), to)
    elif kind == "blobs":
        # Many separate binaries of one modelled size: "{name}" in the label is replaced.
        directory = _path(op.get("in"), where)
        size = _int(op.get("size"), where)
        label = _str(op.get("label", "{name}"), where)
        meta = Meta(_mode(op.get("mode"), 0o755, where), uid, gid)
        parent = b.dir(directory)
        for name in _str_list(op["blobs"], where):
            if "/" in name or name in ("", ".", "..") or name in parent.entries:
                raise CatalogDataError(f"{where}: bad or duplicate name {directory}/{name}")
            parent.entries[name] = File(meta, Blob(size, label.replace("{name}", name)))
    elif kind == "append":
        path = _path(op["append"], where)
        old = b.get(path)
        if not isinstance(old, File) or old.data is None:
            raise CatalogDataError(f"{where}: {path} is not a text file to append to")
        b.put(path, File(old.meta, old.data + _str(op.get("text"), where).encode("utf-8")))
    else:
        b.remove(_path(op["remove"], where))


def _finish_size(b: _Builder, entry: _Entry, where: str) -> None:
    """Make the tree weigh exactly the declared size: the remainder blob takes the rest."""
    declared = entry.info.size
    have = tree_size(b.root)
    rem = entry.spec.get("remainder")
    if rem is None:
        if have != declared:
            raise CatalogDataError(
                f"{where}: files add up to {have} bytes, declared size is {declared} "
                "(add a `remainder` blob or fix the sizes)"
            )
        return
    if not isinstance(rem, dict):
        raise CatalogDataError(f"{where}: remainder must be a mapping")
    rest = declared - have
    if rest < 0:
        raise CatalogDataError(
            f"{where}: modelled files already weigh {have} bytes, more than the declared {declared}"
        )
    path = _path(rem.get("path"), f"{where}: remainder")
    label = _str(rem.get("label", "rest of the image (modelled)"), f"{where}: remainder")
    b.put(path, File(Meta(0o644), Blob(rest, label)), replace=False)


# --- the public surface ---------------------------------------------------------------------


def _scratch() -> Image:
    global _scratch_image
    if _scratch_image is None:
        # BuildKit's emptyImage: Env [PATH=default], WorkingDir "/" (dockerfile2llb/image.go);
        # confirmed against the real-builder oracle (`FROM scratch` -> WorkingDir "/").
        cfg = ImageConfig(env=(f"PATH={DEFAULT_PATH}",), working_dir="/")
        _scratch_image = Image(rootfs=Snapshot(Dir(Meta(0o755))), config=cfg, name=SCRATCH)
    return _scratch_image


def lookup(ref: str) -> Image:
    """The catalogued image ``ref`` names, built once per process and then reused.

    Raises :class:`InvalidReferenceError` for a malformed reference and
    :class:`UnknownImageError` (with close names and the ``emu load`` hint) for one the
    catalog does not hold, including any reference pinned by ``@sha256:`` digest: the
    catalog models images, not registry manifests, so it has no digests to match.
    """
    img = _raw_images.get(ref)
    if img is not None:
        return img
    if ref == SCRATCH:
        img = _scratch()
    else:
        norm = normalize(ref)
        img = _images.get(norm)
        if img is None:
            entry = _resolve(ref, norm)
            img = Image(
                rootfs=_snapshot(entry),
                config=_config(entry),
                # The catalogued base counts as one imported layer (as `docker import`
                # records it: an empty created_by), whatever the real image's layering.
                history=(HistoryEntry(""),),
                base_size=entry.info.size,
                name=familiar(norm),
            )
            _images[norm] = img
    _raw_images[ref] = img
    return img


def _resolve(ref: str, norm: str) -> _Entry:
    r = _parse(norm)
    if r.digest is not None:
        tagged = Reference(r.domain, r.path, r.tag or DEFAULT_TAG, None)
        plain = tagged.render(tagged.familiar_repository)
        raise UnknownImageError(
            ref,
            "pinned by digest, and emu's offline catalog holds no registry digests "
            f"(drop the digest to use the catalog's {plain} if it has one)",
            suggest(plain),
        )
    if r.repository == f"{DEFAULT_DOMAIN}/{OFFICIAL_PREFIX}{SCRATCH}":
        raise UnknownImageError(
            ref, "`scratch` is reserved for the empty image: write `FROM scratch` alone", []
        )
    entry = _entry_for(norm)
    if entry is None:
        raise UnknownImageError(ref, "not in emu's offline catalog", suggest(ref))
    return entry


def describe(ref: str) -> EntryInfo:
    """Sizes, their sources and notes for the catalogued image ``ref``."""
    if ref == SCRATCH:
        return EntryInfo(
            id=SCRATCH,
            family=SCRATCH,
            names=(SCRATCH,),
            size=0,
            size_source="BuildKit emptyImage: an empty filesystem",
            size_estimate=False,
            compressed=0,
            compressed_source="no layers",
            compressed_estimate=False,
            base=None,
            notes="",
        )
    return _resolve(ref, normalize(ref)).info


def ids() -> list[str]:
    """Every catalogued image once, by its canonical familiar name (``scratch`` first)."""
    out = [SCRATCH]
    for family in FAMILIES:
        out.extend(_family(family).entries)
    return out


def names() -> list[str]:
    """Every name the catalog answers to, in familiar form, sorted (parses all families)."""
    out = {SCRATCH}
    for family in FAMILIES:
        for entry in _family(family).entries.values():
            out.update(familiar(n) for n in entry.info.names)
    return sorted(out)


def _split_familiar(name: str) -> tuple[str, str]:
    repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    return repo, tag


def suggest(ref: str, limit: int = 6) -> list[str]:
    """Catalog names close to ``ref`` (familiar form, best first), for error messages."""
    import difflib

    try:
        key = familiar(ref)
    except InvalidReferenceError:
        key = ref.lower()
    key = key.split("@", 1)[0]
    candidates = names()
    repo, tag = _split_familiar(key)
    same_repo = [n for n in candidates if _split_familiar(n)[0] == repo]
    if same_repo:
        # Right image, unknown tag: the tags we have, closest first.
        ranked = difflib.get_close_matches(key, same_repo, n=limit, cutoff=0.0)
        return ranked
    repos = sorted({_split_familiar(n)[0] for n in candidates})
    close_repos = difflib.get_close_matches(repo, repos, n=3, cutoff=0.6)
    out: list[str] = []
    for r in close_repos:
        tags = [n for n in candidates if _split_familiar(n)[0] == r]
        want = f"{r}:{tag or DEFAULT_TAG}"
        out.extend(difflib.get_close_matches(want, tags, n=3, cutoff=0.0))
    for n in difflib.get_close_matches(key, candidates, n=limit, cutoff=0.6):
        if n not in out:
            out.append(n)
    return out[:limit]
