"""Images as values: an OCI-style config, the layers that built the filesystem, history.

An :class:`Image` is what a stage produces and what ``FROM`` starts from: the final
filesystem (a :class:`~emu.fs.Snapshot`), each layer as a pair of snapshots (so its diff,
size and "what did this instruction change" are computed, never stored twice), the config
and the history. Everything is frozen; building a stage makes new values.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any, TypeVar

from emu.dockerfile.instructions import Health
from emu.fs import Dir, File, Snapshot, diff
from emu.fs.tree import Change
from emu.images import display
from emu.records import MISSING, field, fields, record

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# Docker's HealthConfig (durations in nanoseconds) is the type HEALTHCHECK parses into, as
# BuildKit's instruction holds a container.HealthConfig.
HealthConfig = Health


@record(frozen=True, slots=True)
class ImageConfig:
    """The parts of an OCI/Docker image config that a Dockerfile can set.

    ``None`` means "not set" where Docker distinguishes it from empty (Cmd, Entrypoint,
    Shell, Healthcheck); ``env`` keeps ``KEY=VALUE`` strings in order, as the config does.
    """

    env: tuple[str, ...] = ()
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    working_dir: str = ""
    user: str = ""
    exposed_ports: tuple[str, ...] = ()  # sorted "80/tcp" strings
    labels: tuple[tuple[str, str], ...] = ()  # ordered (key, value)
    volumes: tuple[str, ...] = ()  # sorted
    stop_signal: str = ""
    shell: tuple[str, ...] | None = None
    on_build: tuple[str, ...] = ()
    healthcheck: HealthConfig | None = None
    architecture: str = "amd64"
    os: str = "linux"
    variant: str = ""
    # Caches of where each env/label key stands (see _keys); not part of the value.
    _env_index: _KeyIndex | None = field(default=None, init=False, repr=False, compare=False)
    _label_index: _KeyIndex | None = field(default=None, init=False, repr=False, compare=False)

    def env_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.env:
            key, _, value = item.partition("=")
            out[key] = value
        return out

    def get_env(self, key: str) -> str | None:
        for item in self.env:
            k, eq, value = item.partition("=")
            if k == key:
                return value if eq else ""
        return None

    def with_env(self, key: str, value: str) -> ImageConfig:
        """Set one variable, replacing the first ``key=`` entry in place (BuildKit's addEnv)."""
        index = self._keys("_env_index", (item.partition("=")[0] for item in self.env))
        env, index = _set_at(self.env, index, key, f"{key}={value}")
        new = self.changed(env=env)
        object.__setattr__(new, "_env_index", index)
        return new

    def changed(self, **changes: Any) -> ImageConfig:
        """``dataclasses.replace`` that hands on the env and label key indexes (see
        ``_keys``) when those fields stay: WORKDIR, USER, CMD… between ENV lines would
        otherwise rebuild them at the next ENV, O(N) each time."""
        # Every config step of a build makes one: the fields are read at once (attrgetter)
        # and passed by position, the changed ones put in their places.
        values = list(_config_values(self))
        for name, value in changes.items():
            at = _CONFIG_INDEX.get(name)
            if at is None:
                raise TypeError(f"ImageConfig has no field {name!r}")
            values[at] = value
        new = ImageConfig(*values)
        if new.env is self.env:
            object.__setattr__(new, "_env_index", self._env_index)
        if new.labels is self.labels:
            object.__setattr__(new, "_label_index", self._label_index)
        return new

    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)

    def with_label(self, key: str, value: str) -> ImageConfig:
        index = self._keys("_label_index", (k for k, _ in self.labels))
        labels, index = _set_at(self.labels, index, key, (key, value))
        new = self.changed(labels=labels)
        object.__setattr__(new, "_label_index", index)
        return new

    def _keys(self, slot: str, keys: Iterator[str]) -> _KeyIndex:
        """Where each key first stands in env or labels, built once and handed on to the
        configs derived by ``with_env``/``with_label`` (so N ENV lines cost O(N), not
        O(N²), in a 4,000-line Dockerfile)."""
        index = getattr(self, slot, None)  # None: an older pickle
        if not isinstance(index, _KeyIndex):
            index = _KeyIndex()
            n = 0
            for n, key in enumerate(keys, 1):
                index.setdefault(key, n - 1)
            index.length = n
            object.__setattr__(self, slot, index)
        return index


# ImageConfig's value fields, in order (its key indexes are not among them): ``changed``
# names each one.
_CONFIG_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ImageConfig) if f.init)
_CONFIG_INDEX = {name: i for i, name in enumerate(_CONFIG_FIELDS)}
_config_values = operator.attrgetter(*_CONFIG_FIELDS)

_T = TypeVar("_T")


class _KeyIndex(dict[str, int]):
    """Where each key of an env or labels list first stands, shared by the configs that
    grow one list ENV by ENV: only the config whose list is as long as the index describes
    (``length``) appends a key in place; any other copies what it can use (the entries
    before its own length). An entry at or past a config's length is not that config's:
    another one appended it."""

    __slots__ = ("length",)

    def __init__(self, entries: dict[str, int] | None = None, length: int = 0) -> None:
        super().__init__(entries or {})
        self.length = length


def _set_at(
    items: tuple[_T, ...], index: _KeyIndex, key: str, item: _T
) -> tuple[tuple[_T, ...], _KeyIndex]:
    """``items`` with ``key``'s entry replaced in place, or ``item`` appended; the index of
    the result (the same one, extended in place when ``items`` is its newest list)."""
    n = len(items)
    at = index.get(key)
    if at is not None and at < n:
        return (*items[:at], item, *items[at + 1 :]), index
    if index.length != n:  # another config appended to it since: keep only what is ours
        index = _KeyIndex({k: i for k, i in index.items() if i < n}, n)
    index[key] = n
    index.length = n + 1
    return (*items, item), index


@record(frozen=True, slots=True)
class HistoryEntry:
    created_by: str
    empty_layer: bool = False
    comment: str = ""
    created: int = 0  # seconds since the epoch


@record(frozen=True, slots=True)
class LayerOrigin:
    """Which instruction made a layer, and for COPY/ADD where its files came from.

    Kept so that ``emu explain`` can walk a file back through stages to the context; it
    costs nothing at build time (the layer's diff is computed only when asked).
    """

    stage: int  # index of the stage that ran the instruction
    stage_name: str
    line: int  # Dockerfile line
    kind: str  # "copy", "add", "run", "workdir", "onbuild", …
    text: str  # the instruction as written
    source: str = ""  # COPY/ADD: "context", a stage name or an image reference
    source_stage: int | None = None
    pairs: tuple[tuple[str, str], ...] = ()  # (source path, destination path)
    # An ONBUILD trigger's layer: whose trigger it was, "stage NAME" or "image REF".
    # ``stage`` is the stage that ran it; ``line`` and ``text`` are the ONBUILD's (for an
    # image's trigger, the line of the FROM that brought it in).
    trigger: str = ""


@record(frozen=True, slots=True)
class Layer:
    """One filesystem layer: the tree before and after the instruction that made it."""

    before: Dir | None  # None for a base layer (everything in ``after`` is added)
    after: Dir
    created_by: str = ""
    origin: LayerOrigin | None = None
    # ``size`` once counted (a grade asks it of every layer more than once); not part of
    # the value.
    _size: int | None = field(default=None, init=False, repr=False, compare=False)

    def changes(self) -> list[Change]:
        if self.before is None:
            return list(diff(Dir(self.after.meta), self.after))
        return list(diff(self.before, self.after))

    @property
    def size(self) -> int:
        """Bytes this layer adds or rewrites, as Docker counts them: the content of its
        regular files (hard links once). A symlink counts nothing: Docker sums the sizes in
        the layer tar's headers, and a symlink's is 0 — a layer holding only a symlink is
        0 B in ``docker history`` and ``docker image inspect`` (checked with Docker 20.10)."""
        known: int | None = getattr(self, "_size", None)  # (unset: pickled before it was kept)
        if known is not None:
            return known
        seen: set[int] = set()
        total = 0
        for ch in self.changes():
            node = ch.new
            if isinstance(node, File) and id(node) not in seen:
                seen.add(id(node))
                total += node.size
        object.__setattr__(self, "_size", total)
        return total


@record(frozen=True, slots=True)
class Image:
    """A built or catalogued image."""

    rootfs: Snapshot
    config: ImageConfig = field(default_factory=ImageConfig)
    layers: tuple[Layer, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    # What the catalogued or loaded base at the root of the chain weighs (uncompressed, as
    # `docker images` reports it); ``layers`` are the layers built on top of it.
    base_size: int = 0
    name: str = ""
    author: str = ""
    # What the user should know about the base this image stands on: a digest emu could not
    # verify, a generic stand-in for an unknown image (--permissive), a mirror or platform
    # namespace read as the official image. Builds print them; `emu inspect` shows them.
    notes: tuple[str, ...] = ()

    def __setstate__(self, state: list[object]) -> None:
        # An image stored (pickled) by an emu older than a field gets the field's default,
        # so the local store keeps working across versions.
        for i, f in enumerate(fields(self)):
            if i < len(state):
                value = state[i]
            elif f.default is not MISSING:
                value = f.default
            else:
                value = f.default_factory()  # type: ignore[operator]
            object.__setattr__(self, f.name, value)

    @property
    def size(self) -> int:
        return self.base_size + sum(layer.size for layer in self.layers)

    def __repr__(self) -> str:
        return display.text(self)  # its name, size and layers, not every file

    def _repr_html_(self) -> str | None:
        return display.html(self)
