"""The local image store: images built with ``-t`` or imported with ``emu load``.

Kept under ``$EMU_HOME`` (default ``$XDG_DATA_HOME/emu``, i.e. ``~/.local/share/emu``)::

    index.json               name:tag -> the image file (what FROM looks up)
    images/<digest>.pickle   the image, its layers squashed into its base (FROM needs
                             only files and config)
    meta/<digest>.json       what `emu images`, `emu history` and `emu inspect` show: the
                             image ID, when it was stored, its size, one row per history
                             entry with its layer's size, and the base it was built on
    builds/<digest>.pickle   for an image built by `emu build -t`: the whole build (every
                             stage, discarded ones too, each layer's origin, the context),
                             so `emu explain`, `emu ls --stage`, `emu diff --stages` and
                             `emu report` can answer without building again
    layers/<diff id>.tar     the layers of images `emu load` read, as Docker wrote them, and
    layers/index.json        which of emu's own layer encodings each stands for: an image
                             built on a loaded one writes these bytes (Docker's diff_ids)
    containers/<id>.json     containers started by `emu run` (see emu.cli._run)
    cache/entries/<key>.pickle   the layer cache: one entry per BuildKit step key (a RUN's
                             changed paths and output; see emu.engine.cache)
    cache/builds/<name>.pickle   what the last build of a context + Dockerfile + target
                             put into each key, so the next build can say why a step missed

Image and build files are pickles that emu itself wrote (never load one from elsewhere),
their directory trees written as flat rows (see :data:`_FLAT`: depth is data, not Python's
stack); lazily-read context bytes are materialised (shared content stays shared, so a shell
``cp`` is still recognisable), size-only blobs stay blobs, so an image built on a 1 GB base
costs only what was added.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emu.errors import BuildError, EmuError
from emu.fs import Dir, Lazy, Meta
from emu.images.image import Image
from emu.records import field, record, replace

if TYPE_CHECKING:
    from emu import outputs
    from emu.engine.builder import BuildResult
    from emu.engine.cache import CacheEntry, StepRecord


def home() -> Path:
    env = os.environ.get("EMU_HOME")
    if env:
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "emu"


# The index key of an image loaded without a name (an untagged `docker save`): docker lists
# it as <none>:<none> and finds it by its ID.
UNTAGGED = "<none>:<none>@"


def normalize_tag(tag: str) -> str:
    if tag.startswith(UNTAGGED):
        return tag
    name, _, t = tag.rpartition(":") if ":" in tag.rsplit("/", 1)[-1] else (tag, "", "")
    if not name:
        name, t = tag, ""
    return f"{name.lower()}:{t or 'latest'}"


# A stored file starts with this, then two pickles sharing one memo: the object, whose
# directories are replaced by numbers, and the directories themselves as flat rows (meta,
# origin, entries, a child directory again a number). Pickling a tree directly recurses
# once per level, and a RUN can nest directories thousands deep; this way no pickle call
# nests more than a row does, and a directory shared by two trees stays one object.
_FLAT = b"EMU-FLAT-TREES/1\n"


class _Pickler(pickle.Pickler):
    """Pickles lazily-read content as its bytes (one content object stays one object) and
    directories by number (see :data:`_FLAT`)."""

    def __init__(self, buf: io.BytesIO) -> None:
        super().__init__(buf, protocol=pickle.HIGHEST_PROTOCOL)
        self.dirs: list[Dir] = []
        self.numbers: dict[int, int] = {}

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Lazy:
            return (bytes, (obj.read(),))
        return NotImplemented

    def persistent_id(self, obj: Any) -> int | None:
        if type(obj) is not Dir:
            return None
        n = self.numbers.get(id(obj))
        if n is None:
            n = self.numbers[id(obj)] = len(self.dirs)
            self.dirs.append(obj)
        return n

    def rows(self) -> list[tuple[Any, ...]]:
        """Every directory reached so far and below, as rows (numbered as they come)."""
        out: list[tuple[Any, ...]] = []
        i = 0
        while i < len(self.dirs):
            d = self.dirs[i]
            for child in d.entries.values():
                if type(child) is Dir:
                    self.persistent_id(child)
            out.append((d.meta, d.origin, d.entries))
            i += 1
        return out


def _dumps(obj: object) -> bytes:
    buf = io.BytesIO()
    buf.write(_FLAT)
    pickler = _Pickler(buf)
    pickler.dump(obj)
    pickler.dump(pickler.rows())
    return buf.getvalue()


class _Unpickler(pickle.Unpickler):
    def __init__(self, buf: io.BytesIO) -> None:
        super().__init__(buf)
        self.dirs: dict[int, Dir] = {}

    def persistent_load(self, pid: Any) -> Dir:
        d = self.dirs.get(pid)
        if d is None:
            d = self.dirs[pid] = Dir(Meta())
        return d


def _loads(data: bytes) -> object:
    """What :func:`_dumps` wrote (or a plain pickle, as emu wrote before)."""
    if not data.startswith(_FLAT):
        return pickle.loads(data)
    buf = io.BytesIO(data)
    buf.seek(len(_FLAT))
    unpickler = _Unpickler(buf)
    obj = unpickler.load()
    rows = unpickler.load()
    for n, (meta, origin, entries) in enumerate(rows):
        d = unpickler.persistent_load(n)
        d.meta, d.origin, d.entries = meta, origin, entries
    return obj


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _index(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / "index.json").read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BuildError(f"the image store at {root} is unreadable: {exc}") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_index(root: Path, index: dict[str, str]) -> None:
    _write_atomic(root / "index.json", json.dumps(index, indent=2, sort_keys=True).encode())


# --- what the store remembers about an image ----------------------------------------------


@record(frozen=True, slots=True)
class HistoryRow:
    """One history entry of an image and the size of the layer it made (0 when none)."""

    created_by: str
    size: int
    empty_layer: bool
    comment: str = ""
    created: int = 0


@record(frozen=True, slots=True)
class StoredImage:
    """A tag in the store and what `emu images`/`history`/`inspect` show for it."""

    tag: str  # normalised name:tag
    file: str  # images/<file>
    id: str  # sha256:… of the config, docker's image ID
    created: float  # seconds since the epoch, when it was first stored
    size: int  # uncompressed bytes, as `docker images` counts them
    base: str = ""  # the image at the root of its FROM chain, when known
    base_size: int = 0
    compressed_base: int | None = None  # the base's registry download size, when known
    history: tuple[HistoryRow, ...] = ()  # oldest first
    has_build: bool = False

    @property
    def repository(self) -> str:
        return "<none>" if self.untagged else self.tag.rpartition(":")[0]

    @property
    def tag_name(self) -> str:
        return "<none>" if self.untagged else self.tag.rpartition(":")[2]

    @property
    def untagged(self) -> bool:
        return self.tag.startswith(UNTAGGED)

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]


@record(frozen=True, slots=True)
class BuildRecord:
    """A whole build as `emu build -t` stored it."""

    result: BuildResult
    image_id: str
    run_outputs: tuple[Any, ...] = field(default=())  # emu.engine.runexec.RunOutput


def image_id(image: Image, *, source_date_epoch: int | None = None) -> str:
    """docker's image ID: the sha256 of the image config as BuildKit writes it (with the
    layers loaded from Docker written as Docker wrote them, and SOURCE_DATE_EPOCH applied
    as the outputs apply it)."""
    from emu import outputs

    config = outputs.config_json(
        image, source_date_epoch=source_date_epoch, known_layers=known_layers()
    )
    return "sha256:" + hashlib.sha256(outputs.json_bytes(config)).hexdigest()


def history_rows(image: Image) -> list[HistoryRow]:
    """The history entries of ``image``, oldest first, each with its layer's size.

    Non-empty entries are matched with layers from the top; the non-empty entries left
    at the bottom stand for the base image, which weighs ``base_size`` (given to the first
    of them, or to a row made up for it when the history has none).
    """
    sizes = [layer.size for layer in image.layers]
    hist = list(image.history)
    size_of: dict[int, int] = {}
    nonempty = [i for i, h in enumerate(hist) if not h.empty_layer]
    for i, s in zip(reversed(nonempty), reversed(sizes), strict=False):
        size_of[i] = s
    below = nonempty[: max(len(nonempty) - len(sizes), 0)]
    rows = [
        HistoryRow(h.created_by, size_of.get(i, 0), h.empty_layer, h.comment, h.created)
        for i, h in enumerate(hist)
    ]
    if below:
        i = below[0]
        rows[i] = replace(rows[i], size=image.base_size)
    elif image.base_size:
        rows.insert(0, HistoryRow("", image.base_size, False, "the base image"))
    return rows


def _root_base(result: BuildResult) -> str:
    st = result.target
    for _ in range(len(result.stages)):
        if st.base_stage is None:
            break
        st = result.stages[st.base_stage]
    return st.base


def _compressed(ref: str) -> int | None:
    if not ref:
        return None
    from emu.images import catalog

    try:
        return catalog.describe(ref).compressed
    except EmuError:
        return None


def _meta_path(root: Path, file: str) -> Path:
    return root / "meta" / (file.removesuffix(".pickle") + ".json")


def _build_path(root: Path, file: str) -> Path:
    return root / "builds" / file


def _read_meta(root: Path, file: str) -> dict[str, Any] | None:
    try:
        data = json.loads(_meta_path(root, file).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --- writing --------------------------------------------------------------------------------


def save(
    tag: str,
    image: Image,
    *,
    build: BuildRecord | None = None,
    base: str = "",
    known_id: str | None = None,
    keep_layers: bool = False,
) -> str:
    """Store ``image`` under ``tag`` (with its build, when given); returns the normalised tag."""
    return save_many(
        [tag], image, build=build, base=base, known_id=known_id, keep_layers=keep_layers
    )[0]


def save_untagged(image: Image, image_id: str) -> str:
    """Store an image that has no name (an untagged ``docker save``), found by its ID; when
    an image with that ID is stored already, nothing changes. Returns the ID."""
    if any(e.id == image_id for e in entries()):
        return image_id
    save_many([UNTAGGED + image_id], image, known_id=image_id, keep_layers=True)
    return image_id


def save_many(
    tags: Iterable[str],
    image: Image,
    *,
    build: BuildRecord | None = None,
    base: str = "",
    known_id: str | None = None,
    keep_layers: bool = False,
) -> list[str]:
    """Store ``image`` under every tag. Its layers are squashed into its base (FROM needs
    only files and config), unless ``keep_layers``: a loaded image keeps Docker's layering,
    so an image built on it writes the same layers (see :func:`known_layers`)."""
    root = home()
    names = [normalize_tag(t) for t in tags]
    if keep_layers:
        stored = replace(image, name=names[0])
    else:
        stored = replace(image, layers=(), name=names[0], base_size=image.size)
    blob = _dumps(stored)  # lazily-read bytes materialised, shared content kept shared
    digest = hashlib.sha256(blob).hexdigest()
    file = f"{digest}.pickle"
    try:
        path = root / "images" / file
        if not path.exists():
            _write_atomic(path, blob)
        old = _read_meta(root, file) or {}
        if build is not None and not base:
            base = _root_base(build.result)
        meta = {
            "id": known_id or (build.image_id if build else "") or image_id(image),
            "created": old.get("created") or time.time(),
            "size": image.size,
            "base": base or old.get("base", ""),
            "base_size": image.base_size,
            "compressed_base": _compressed(base) if base else old.get("compressed_base"),
            "history": [
                [r.created_by, r.size, r.empty_layer, r.comment, r.created]
                for r in history_rows(image)
            ],
            "build": bool(build) or bool(old.get("build")),
        }
        _write_atomic(_meta_path(root, file), json.dumps(meta, indent=1).encode())
        if build is not None:
            _write_atomic(_build_path(root, file), _dumps(build))
        index = _index(root)
        for name in names:
            index[name] = file
        _drop_untagged(index, file, names)
        _write_index(root, index)
    except OSError as exc:
        raise BuildError(f"cannot write the image store at {root}: {exc.strerror}") from None
    return names


def _drop_untagged(index: dict[str, str], file: str, names: list[str]) -> None:
    """A named image is no longer listed as <none> (as `docker tag` of a dangling image)."""
    if any(not n.startswith(UNTAGGED) for n in names):
        for key in [k for k, v in index.items() if v == file and k.startswith(UNTAGGED)]:
            del index[key]


def tag(source: str, target: str) -> str:
    """Give the stored image ``source`` the name ``target`` too (``docker tag``)."""
    root = home()
    index = _index(root)
    file = index.get(normalize_tag(source))
    if file is None:
        found = entry(source)  # an image ID or its prefix
        file = found.file if found is not None else None
    if file is None:
        raise BuildError(
            f"No such image: {source}", hint="list the stored images with `emu images`"
        )
    name = normalize_tag(target)
    index[name] = file
    _drop_untagged(index, file, [name])
    try:
        _write_index(root, index)
    except OSError as exc:
        raise BuildError(f"cannot write the image store at {root}: {exc.strerror}") from None
    return name


def untag(ref: str) -> tuple[str, str | None]:
    """Remove the tag ``ref``; when no tag is left on its image, delete the image too.

    Returns the removed tag and the deleted image's ID (None when other tags keep it).
    """
    root = home()
    index = _index(root)
    name = normalize_tag(ref)
    file = index.pop(name, None)
    if file is None:
        raise BuildError(f"No such image: {ref}", hint="list the stored images with `emu images`")
    deleted: str | None = None
    try:
        _write_index(root, index)
        if file not in index.values():
            meta = _read_meta(root, file) or {}
            deleted = str(meta.get("id") or "sha256:" + file.removesuffix(".pickle"))
            for path in (root / "images" / file, _meta_path(root, file), _build_path(root, file)):
                path.unlink(missing_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot write the image store at {root}: {exc.strerror}") from None
    return name, deleted


# --- reading --------------------------------------------------------------------------------


def lookup(ref: str) -> Image | None:
    """The stored image (flattened) named ``ref``, or None."""
    root = home()
    index = _index(root)
    file = index.get(normalize_tag(ref))
    if file is None:
        return None
    try:
        image = _loads((root / "images" / file).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise BuildError(f"stored image {ref} is unreadable: {exc}") from None
    if not isinstance(image, Image):
        raise BuildError(f"stored image {ref} is not an emu image")
    return image


_STORE_HITS: dict[tuple[str, str], tuple[tuple[int, int], Image | None]] = {}


def _cached_lookup(ref: str) -> Image | None:
    """:func:`lookup`, re-reading the store only when its index file changed."""
    index = os.path.join(home(), "index.json")
    try:
        st = os.stat(index)
    except OSError:
        return None  # no store yet: nothing was built with -t or loaded
    sig = (st.st_mtime_ns, st.st_size)
    hit = _STORE_HITS.get((index, ref))
    if hit is not None and hit[0] == sig:
        return hit[1]
    image = lookup(ref)
    _STORE_HITS[(index, ref)] = (sig, image)
    return image


def resolve(ref: str) -> Image:
    """``FROM`` as the CLI resolves it: the local store (images built with ``-t`` or
    loaded), then emu's offline catalog. Pass it as ``resolve_image=`` to a build that
    should see the store; library builds default to the catalog alone."""
    from emu.images import catalog

    stored = _cached_lookup(ref)
    if stored is not None:
        return stored
    image: Image = catalog.lookup(ref)
    return image


def tags() -> dict[str, str]:
    return _index(home())


def _entry(root: Path, name: str, file: str) -> StoredImage:
    meta = _read_meta(root, file)
    if meta is None:  # stored by an older emu: what the image itself says
        image = lookup(name)
        assert image is not None
        try:
            created = (root / "images" / file).stat().st_mtime
        except OSError:
            created = 0.0
        return StoredImage(
            name,
            file,
            image_id(image),
            created,
            image.size,
            "",
            image.base_size,
            None,
            tuple(history_rows(image)),
        )
    rows = tuple(
        HistoryRow(str(r[0]), int(r[1]), bool(r[2]), str(r[3]), int(r[4]))
        for r in meta.get("history", [])
    )
    compressed = meta.get("compressed_base")
    return StoredImage(
        tag=name,
        file=file,
        id=str(meta.get("id", "")),
        created=float(meta.get("created", 0.0)),
        size=int(meta.get("size", 0)),
        base=str(meta.get("base", "")),
        base_size=int(meta.get("base_size", 0)),
        compressed_base=int(compressed) if compressed is not None else None,
        history=rows,
        has_build=bool(meta.get("build")) and _build_path(root, file).is_file(),
    )


def entry(ref: str) -> StoredImage | None:
    """What the store knows about ``ref`` (a name[:tag], or an image ID or its prefix)."""
    root = home()
    index = _index(root)
    name = normalize_tag(ref)
    if name in index:
        return _entry(root, name, index[name])
    wanted = ref.removeprefix("sha256:").lower()
    if len(wanted) >= 4 and all(c in "0123456789abcdef" for c in wanted):
        matches = [e for e in entries() if e.id.removeprefix("sha256:").startswith(wanted)]
        if len({e.id for e in matches}) == 1:
            return matches[0]
    return None


def entries() -> list[StoredImage]:
    """Every tag in the store, newest image first, then by name."""
    root = home()
    out = []
    for name, file in _index(root).items():
        try:
            out.append(_entry(root, name, file))
        except BuildError:
            continue  # an unreadable image file: `emu rmi NAME` still removes the tag
    out.sort(key=lambda e: (-e.created, e.tag))
    return out


def load_build(stored: StoredImage) -> BuildRecord | None:
    """The build that made ``stored`` (None for an image that was loaded, not built)."""
    if not stored.has_build:
        return None
    path = _build_path(home(), stored.file)
    try:
        record = _loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise BuildError(f"the stored build of {stored.tag} is unreadable: {exc}") from None
    return record if isinstance(record, BuildRecord) else None


def load_image(stored: StoredImage) -> Image:
    """The image with its layers when its build is stored, else the flattened image."""
    record = load_build(stored)
    if record is not None:
        return record.result.image
    image = lookup(stored.tag)
    assert image is not None
    return image


# --- layers as Docker wrote them ---------------------------------------------------------------


def keep_layer(diff_id: str, data: bytes) -> None:
    """Keep a loaded layer's uncompressed tar (as ``docker save`` had it), by its diff_id."""
    path = home() / "layers" / (diff_id.removeprefix("sha256:") + ".tar")
    try:
        if not path.is_file():
            _write_atomic(path, data)
    except OSError as exc:
        raise BuildError(f"cannot write the image store at {home()}: {exc.strerror}") from None


def remember_layers(pairs: Iterable[tuple[str, str]]) -> None:
    """Record (emu's digest of a layer, Docker's diff_id): where emu would write its own
    encoding of that layer, it writes Docker's bytes (kept by :func:`keep_layer`)."""
    root = home() / "layers"
    path = root / "index.json"
    index = _layer_index(path)
    for digest, diff_id in pairs:
        try:
            size = (root / (diff_id.removeprefix("sha256:") + ".tar")).stat().st_size
        except OSError:
            continue  # not kept: emu writes its own encoding
        index[digest] = [diff_id, size]
    try:
        _write_atomic(path, json.dumps(index, indent=1, sort_keys=True).encode())
    except OSError as exc:
        raise BuildError(f"cannot write the image store at {home()}: {exc.strerror}") from None


def _layer_index(path: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@record(slots=True)
class _KnownLayers:
    root: Path
    index: dict[str, list[Any]] | None = None

    def find(self, digest: str) -> outputs.KnownLayer | None:
        from emu import outputs

        if self.index is None:
            self.index = _layer_index(self.root / "index.json")
        hit = self.index.get(digest)
        if not (isinstance(hit, list) and len(hit) == 2):
            return None
        diff_id, size = str(hit[0]), int(hit[1])
        path = self.root / (diff_id.removeprefix("sha256:") + ".tar")
        if not path.is_file():
            return None
        return outputs.KnownLayer(diff_id, size, lambda: path.open("rb"))


def known_layers() -> outputs.KnownLayers:
    """The loaded layers the store keeps (see :class:`emu.outputs.KnownLayer`)."""
    return _KnownLayers(home() / "layers")


# --- the layer cache --------------------------------------------------------------------------


class LayerCache:
    """The layer cache of ``emu build`` (:class:`emu.engine.cache.LayerCache`), on disk under
    ``$EMU_HOME/cache``. Only the command line uses it: library builds get no cache unless
    they pass one, so they stay hermetic. An unreadable entry is a miss, never an error."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or home()) / "cache"

    def _entry_path(self, key: str) -> Path:
        return self.root / "entries" / (key.removeprefix("sha256:") + ".pickle")

    def _build_path(self, ident: str) -> Path:
        name = hashlib.sha256(ident.encode("utf-8", "surrogateescape")).hexdigest()
        return self.root / "builds" / (name + ".pickle")

    def get(self, key: str) -> CacheEntry | None:
        return self._read(key)[0]

    def created(self, key: str) -> int | None:
        """When the entry for ``key`` was made (seconds since the epoch): the creation time
        of the layer it stands for, which BuildKit writes in the image's history."""
        return self._read(key)[1]

    def _read(self, key: str) -> tuple[CacheEntry | None, int | None]:
        from emu.engine.cache import CacheEntry

        try:
            data = _loads(self._entry_path(key).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None, None
        entry, created = data if isinstance(data, tuple) and len(data) == 2 else (data, None)
        if not (isinstance(entry, CacheEntry) and entry.key == key):
            return None, None
        return entry, created if isinstance(created, int) else None

    def put(self, entry: CacheEntry) -> None:
        # Kept with the time it was made: a later build that hits it dates the layer then.
        self._write(self._entry_path(entry.key), (entry, int(time.time())))

    def last_build(self, ident: str) -> tuple[StepRecord, ...]:
        try:
            steps = _loads(self._build_path(ident).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return ()
        return tuple(steps) if isinstance(steps, tuple) else ()

    def remember_build(self, ident: str, steps: tuple[StepRecord, ...]) -> None:
        self._write(self._build_path(ident), steps)

    def _write(self, path: Path, obj: object) -> None:
        try:
            _write_atomic(path, _dumps(obj))
        except OSError as exc:
            raise BuildError(
                f"cannot write the build cache at {self.root}: {exc.strerror}",
                hint="set EMU_HOME to a writable folder, or build with --no-cache",
            ) from None

    def prune(self) -> int:
        """Remove every entry; returns how many files went."""
        removed = 0
        for sub in ("entries", "builds"):
            for path in (self.root / sub).glob("*.pickle"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed
