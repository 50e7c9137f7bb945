"""The offline base-image catalog: what ``FROM node:20.11.1-alpine3.19`` starts from, with no
registry.

emu never pulls. The catalog knows image *families* (alpine, debian, node, python, golang,
distroless, ...): for each, which repositories it answers for, a grammar for its tags, and
templates that turn the parameters a tag is read into (``version``, the distribution
release, the variant) into an image model: a skeleton filesystem on its distribution's
skeleton, the toolchain at that version, the config the real image has, and its size.
Docker's reference normalisation applies first (``node``, ``library/node:latest`` and
``docker.io/library/node:latest`` are one image; see :mod:`emu.images.reference`).

Sizes come from measurements where the data has them: a family's ``images`` are its
*measured models*, each with the source of its figures. Any other tag is modelled from the
nearest measured model of the same template (its size less its base's plus the new base's),
and says so: ``size_estimate`` and a source starting with ``ESTIMATE``.

The data lives in ``data/<family>.yaml`` (what people edit) with a JSON twin (what emu reads,
kept in step by ``tests/support/data_json.py``); ``data/_index.yaml`` routes repositories to
families and holds the rules for mirrors, platform namespaces, name hints, Windows tags and
the permissive fallback. Importing this module reads nothing; a lookup reads the index and
the families it needs, and each model's skeleton is built once per process: later lookups
return the same :class:`~emu.images.image.Image` (and so the same snapshot) in O(1).

Public API: :func:`lookup`, :func:`describe`, :func:`ids`, :func:`names`, :func:`suggest`,
:func:`families`, :func:`fallback`, :func:`register_images`, :func:`normalize`,
:func:`familiar`, :func:`tree_size`, :class:`UnknownImageError`,
:class:`RefusedImageError`, :class:`InvalidReferenceError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emu.errors import (
    CatalogDataError,
    EmuError,
    ImagesFileError,
    RefusedImageError,
    UnknownImageError,
)
from emu.fs.nodes import Dir, Meta
from emu.fs.tree import Snapshot
from emu.images.grammar import Grammar, derived, version_distance
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
from emu.images.skeleton import (
    Builder,
    as_int,
    as_mapping,
    as_str,
    as_str_list,
    resolve_params,
    substitute,
    tree_size,
)
from emu.records import record, replace

__all__ = [
    "SCRATCH",
    "CatalogDataError",
    "EntryInfo",
    "FamilyInfo",
    "InvalidReferenceError",
    "RefusedImageError",
    "UnknownImageError",
    "describe",
    "fallback",
    "familiar",
    "families",
    "family_of",
    "ids",
    "lookup",
    "names",
    "normalize",
    "register_images",
    "suggest",
    "tree_size",
]

# --- what the catalog tells about an image ------------------------------------------------------


@record(frozen=True, slots=True)
class EntryInfo:
    """What the catalog knows about one image model, with the sources of its figures."""

    id: str  # the model's canonical familiar name, e.g. "alpine:3.21"
    family: str
    names: tuple[str, ...]  # familiar names it is listed under
    size: int  # uncompressed bytes, as `docker images` counts them
    size_source: str
    size_estimate: bool
    compressed: int | None  # registry transfer size (amd64), when known
    compressed_source: str
    compressed_estimate: bool
    base: str | None  # the reference whose skeleton this one extends
    notes: str


@record(frozen=True, slots=True)
class FamilyInfo:
    """A family as ``emu images --catalog`` lists it."""

    name: str
    about: str
    repositories: tuple[str, ...]
    tags: str  # the tag grammar in words, e.g. "<version>[-alpine[3.N]|-slim]"
    versions: tuple[str, ...]  # version lines, newest first
    aliases: tuple[tuple[str, str], ...]
    images: tuple[str, ...]  # measured models


# --- data files -------------------------------------------------------------------------------


def _read_json(name: str) -> Any:
    # The YAML is what people edit; its JSON twin (kept in step by
    # tests/support/data_json.py, checked by a test) is what emu reads: yaml stays in the
    # top layer, and the standard library's json loads faster. pkgutil reads it through
    # the package's loader (a folder or a zip alike) as importlib.resources would, without
    # the ~6 ms importlib.resources costs to import (zipfile, tempfile, threading) on every
    # build that resolves an image.
    import json
    import pkgutil

    data = pkgutil.get_data(__package__ or "emu.images", f"data/{name}.json")
    if data is None:  # pragma: no cover - a loader that cannot read data (never emu's)
        raise FileNotFoundError(f"data/{name}.json")
    return json.loads(data.decode("utf-8"))


@record(frozen=True, slots=True)
class _Route:
    family: str
    params: dict[str, Any]
    notes: tuple[str, ...]
    platform: dict[str, str]  # architecture/variant of a platform namespace


class _Index:
    """``data/_index.yaml``: which family answers for a repository, and the catalog-wide
    rules (mirrors, platform namespaces, name hints, refusals, the permissive fallback)."""

    def __init__(self, raw: Any) -> None:
        where = "_index.yaml"
        raw = as_mapping(raw, where)
        self.repositories = {
            str(k): str(v) for k, v in as_mapping(raw.get("repositories"), where).items()
        }
        # Regular expressions stay strings until first used (re caches the compiled ones):
        # most lookups name an exact repository and never need them.
        self.patterns: list[tuple[str, str, dict[str, Any], list[str]]] = []
        for i, p in enumerate(raw.get("patterns") or []):
            pw = f"{where}: patterns[{i}]"
            spec = as_mapping(p, pw)
            self.patterns.append(
                (
                    as_str(spec.get("match"), pw),
                    as_str(spec.get("family"), pw),
                    as_mapping(spec.get("set"), pw),
                    as_str_list(spec.get("examples", []), pw),
                )
            )
        self.mirrors = as_str_list(raw.get("mirrors", []), f"{where}: mirrors")
        self.platforms = {
            str(k): {str(a): str(b) for a, b in as_mapping(v, where).items()}
            for k, v in as_mapping(raw.get("platforms"), where).items()
        }
        self.hints = {str(k): str(v) for k, v in as_mapping(raw.get("hints"), where).items()}
        self.refuse = [
            (as_str(r.get("match"), where), as_str(r.get("message"), where))
            for r in raw.get("refuse") or []
        ]
        self.fallback = [
            (as_str(r.get("match"), where), as_str(r.get("image"), where))
            for r in raw.get("fallback") or []
        ]
        self.fallback_default = as_str(raw.get("fallback_default"), f"{where}: fallback_default")
        self.families = sorted(set(self.repositories.values()) | {p[1] for p in self.patterns})

    def route(self, r: Reference) -> _Route | None:
        repo = r.familiar_repository
        notes: list[str] = []
        for mirror in self.mirrors:
            if repo.startswith(mirror) and "/" not in repo[len(mirror) :]:
                notes.append(
                    f"{repo} is {mirror.rstrip('/')}'s mirror of Docker Hub's official "
                    f"{repo[len(mirror) :]} image: emu models the official one"
                )
                repo = repo[len(mirror) :]
                break
        platform: dict[str, str] = {}
        namespace, slash, rest = repo.partition("/")
        if slash and "/" not in rest and namespace in self.platforms:
            platform = self.platforms[namespace]
            notes.append(
                f"{repo} is Docker Hub's {namespace} build of the official {rest} image: emu "
                f"models {rest} with the config's architecture set to {platform['architecture']}"
            )
            repo = rest
        family = self.repositories.get(repo)
        if family is not None:
            return _Route(family, {}, tuple(notes), platform)
        for pattern, fam, sets, _examples in self.patterns:
            m = re.fullmatch(pattern, repo)
            if m is not None:
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                return _Route(fam, {**sets, **groups}, tuple(notes), platform)
        return None

    def known_repositories(self) -> list[str]:
        out = list(self.repositories)
        for _p, _f, _s, examples in self.patterns:
            out.extend(examples)
        return out


_index_cache: list[_Index] = []


def _index() -> _Index:
    if not _index_cache:
        _index_cache.append(_Index(_read_json("_index")))
    return _index_cache[0]


# --- families and their models ------------------------------------------------------------------


@record(frozen=True, slots=True)
class _Pin:
    """A measured model: its figures, and the key its id's tag reads into."""

    id: str
    key: str
    names: tuple[str, ...]
    template: str
    params: dict[str, Any]
    raw: dict[str, Any]


class _Item:
    """One image model, explicit or generated: built once, then shared."""

    __slots__ = ("building", "config", "family", "info", "key", "params", "pin", "snapshot",
                 "spec", "template")  # fmt: skip

    def __init__(
        self,
        key: str,
        family: str,
        template: str,
        params: dict[str, Any],
        spec: dict[str, Any],
        pin: _Pin | None,
    ) -> None:
        self.key = key
        self.family = family
        self.template = template
        self.params = params
        self.spec = spec
        self.pin = pin
        self.info: EntryInfo | None = None
        self.config: ImageConfig | None = None
        self.snapshot: Snapshot | None = None
        self.building = False


_TEMPLATE_KEYS = {"id", "base", "config", "files", "remainder", "estimate", "notes"}


class _Family:
    __slots__ = ("_pins", "about", "grammar", "name", "raw", "tags", "templates")

    def __init__(self, name: str, raw: Any) -> None:
        where = f"{name}.yaml"
        self.name = name
        self.raw = as_mapping(raw, where)
        self.about = str(self.raw.get("about", ""))
        self.tags = str(self.raw.get("tags", ""))
        self.grammar = Grammar(self.raw, where)
        self.templates = as_mapping(self.raw.get("templates"), f"{where}: templates")
        for tname, template in self.templates.items():
            spec = as_mapping(template, f"{where}: templates.{tname}")
            unknown = set(spec) - _TEMPLATE_KEYS
            if unknown:
                raise CatalogDataError(
                    f"{where}: templates.{tname}: unknown keys {sorted(unknown)}"
                )
            if "id" not in spec:
                raise CatalogDataError(f"{where}: templates.{tname}: needs an id")
        self._pins: dict[str, _Pin] | None = None

    @property
    def pins(self) -> dict[str, _Pin]:
        """The measured models by key (each id and name parsed by the family's grammar)."""
        if self._pins is None:
            pins: dict[str, _Pin] = {}
            images = as_mapping(self.raw.get("images"), f"{self.name}.yaml: images")
            for image_id, spec in images.items():
                where = f"{self.name}.yaml: images.{image_id}"
                spec = as_mapping(spec, where)
                key, template, params = self.read(str(image_id), where)
                names = [str(image_id)]
                for name in as_str_list(spec.get("names", []), f"{where}: names"):
                    if self.read(name, where)[0] != key:
                        raise CatalogDataError(f"{where}: name {name!r} reads as another model")
                    if name not in names:
                        names.append(name)
                if key in pins:
                    raise CatalogDataError(f"{where}: the same model as {pins[key].id}")
                pins[key] = _Pin(str(image_id), key, tuple(names), template, params, spec)
            self._pins = pins
        return self._pins

    def read(self, name: str, where: str) -> tuple[str, str, dict[str, Any]]:
        """A catalog name's (key, template, parameters), for the family's own data."""
        r = _parse(name)
        route = _index().route(r)
        if route is None or route.family != self.name:
            raise CatalogDataError(f"{where}: {name!r} is not a {self.name} reference")
        found = self.parse(r.tag or DEFAULT_TAG, route.params, where)
        if found is None:
            raise CatalogDataError(f"{where}: the grammar does not read the tag of {name!r}")
        return found

    def parse(
        self, tag: str, initial: dict[str, Any], where: str
    ) -> tuple[str, str, dict[str, Any]] | None:
        raw = self.grammar.parse(tag, initial)
        if raw is None:
            return None
        params = resolve_params(derived(raw), where)
        tname = params.get("template")
        if tname not in self.templates:
            raise CatalogDataError(f"{where}: tag {tag!r} names no template ({tname!r})")
        key = substitute(self.templates[tname]["id"], params, f"{where}: id")
        return as_str(key, where), str(tname), raw

    def item(self, key: str, template: str, params: dict[str, Any]) -> _Item:
        """The model ``key`` names; ``params`` are the tag's, before ``{{}}`` references."""
        item = _items.get(key)
        if item is not None:
            return item
        pin = self.pins.get(key)
        if pin is not None and pin.raw.get("params"):  # what the measured image had
            params = {**params, **as_mapping(pin.raw["params"], f"{self.name}: {pin.id}")}
        where = f"{self.name}.yaml: templates.{template} as {key}"
        params = resolve_params(derived(params), where)
        spec = {k: v for k, v in self.templates[template].items() if k not in ("id", "estimate")}
        item = _Item(key, self.name, template, params, substitute(spec, params, where), pin)
        _items[key] = item
        return item

    def info(self) -> FamilyInfo:
        return FamilyInfo(
            name=self.name,
            about=self.about,
            repositories=tuple(_repositories_of(self.name)),
            tags=self.tags,
            versions=tuple(self.grammar.line_keys()),
            aliases=tuple(sorted(self.grammar.aliases.items())),
            images=tuple(p.id for p in self.pins.values()),
        )


_families: dict[str, _Family] = {}
_items: dict[str, _Item] = {}  # key -> model
_images: dict[str, Image] = {}  # normalized ref -> Image
_raw_images: dict[str, Image] = {}  # ref exactly as asked -> Image (the O(1) path)
# ref exactly as asked -> describe()'s answer (the lessons ask it of every graded build);
# forgotten with _raw_images, and bounded: references come from the Dockerfiles read.
_described: dict[str, EntryInfo] = {}
_DESCRIBED_MAX = 4096
_user: dict[str, tuple[str, dict[str, Any]]] = {}  # declared images: normalized -> (file, spec)
_scratch_image: list[Image] = []


def _clear_caches() -> None:
    """Forget every parsed family and built image (tests use it to time a cold lookup)."""
    _families.clear()
    _items.clear()
    _images.clear()
    _raw_images.clear()
    _described.clear()
    _index_cache.clear()
    _scratch_image.clear()


def _family(name: str) -> _Family:
    fam = _families.get(name)
    if fam is None:
        fam = _Family(name, _read_json(name))
        _families[name] = fam
    return fam


# --- resolving a reference -------------------------------------------------------------------


@record(frozen=True, slots=True)
class _Resolved:
    item: _Item
    notes: tuple[str, ...]
    platform: dict[str, str]


def _resolve(ref: str) -> _Resolved:
    """The model ``ref`` names and what to tell the user about it."""
    r = _parse(ref)
    notes: list[str] = []
    tag = r.tag or DEFAULT_TAG
    tagged = Reference(r.domain, r.path, tag, None)
    if r.digest is not None:
        shown = tagged.render(tagged.familiar_repository)
        notes.append(
            f"digest not verified: emu's offline catalog models {shown} and cannot check "
            f"that {r.digest[:19]}... is that image (the registry manifest is not here)"
        )
    declared = _user.get(tagged.render(tagged.repository))
    if declared is not None:
        return _Resolved(_declared_item(tagged, *declared), tuple(notes), {})
    if r.repository == f"{DEFAULT_DOMAIN}/{OFFICIAL_PREFIX}{SCRATCH}":
        raise UnknownImageError(
            ref, "`scratch` is reserved for the empty image: write `FROM scratch` alone", []
        )
    index = _index()
    route = index.route(tagged)
    if route is None:
        raise _unknown_repository(ref, tagged)
    for pattern, message in index.refuse:
        if re.search(pattern, tag):
            suggestions = _without_windows(route, tagged.familiar_repository, tag)
            raise RefusedImageError(ref, message, suggestions, route.family)
    fam = _family(route.family)
    found = fam.parse(tag, route.params, f"{ref}")
    if found is None:
        raise _unknown_tag(ref, fam, route, tag)
    item = fam.item(*found)
    if found[2].get("version_assumed"):
        notes.append(
            f"{familiar(ref)}: emu does not know this version's last patch release; it "
            f"models {found[2]['version']}"
        )
    return _Resolved(item, (*notes, *route.notes), route.platform)


def _internal(ref: str, where: str) -> _Item:
    """A base a model names (``base: debian:{{debian}}``)."""
    try:
        return _resolve(ref).item
    except UnknownImageError as exc:
        raise UnknownImageError(
            ref, f"{exc.reason} (the base of {where})", exc.suggestions, exc.family
        ) from None


# --- sizes and sources --------------------------------------------------------------------------


def _info(item: _Item) -> EntryInfo:
    if item.info is not None:
        return item.info
    base_ref = item.spec.get("base")
    base = None if base_ref is None else str(base_ref)
    notes = str(item.spec.get("notes", "") or "").strip()
    pin = item.pin
    if pin is not None:
        raw = pin.raw
        where = f"{item.family}.yaml: images.{pin.id}"
        compressed = raw.get("compressed")
        if compressed is not None:
            as_int(compressed, f"{where}: compressed")
        pin_notes = str(raw.get("notes", "") or "").strip()
        info = EntryInfo(
            id=pin.id,
            family=item.family,
            names=tuple(familiar(n) for n in pin.names),
            size=as_int(raw.get("size"), f"{where}: size"),
            size_source=str(raw.get("size_source", "")),
            size_estimate=bool(raw.get("size_estimate", False)),
            compressed=compressed,
            compressed_source=str(raw.get("compressed_source", "")),
            compressed_estimate=bool(raw.get("compressed_estimate", False)),
            base=base,
            notes=" ".join(n for n in (pin_notes, notes) if n),
        )
    else:
        info = _estimate(item, base, notes)
    item.info = info
    return info


def _base_size(item: _Item) -> int:
    base = item.spec.get("base")
    return 0 if base is None else _info(_internal(str(base), item.key)).size


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def _estimate(item: _Item, base: str | None, notes: str) -> EntryInfo:
    """A model with no measurement of its own: sized from the nearest measured model of the
    same template (its size less its base's plus this base's), or the template's own guess."""
    fam = _family(item.family)
    template = fam.templates[item.template]
    version = str(item.params.get("version", ""))
    pins = [p for p in fam.pins.values() if p.template == item.template]
    base_size = _base_size(item)
    compressed: int | None = None
    if pins:
        pin = min(pins, key=lambda p: version_distance(str(p.params.get("version", "")), version))
        model = fam.item(pin.key, pin.template, pin.params)
        measured = _info(model)
        model_base = _base_size(model)
        size = max(measured.size - model_base + base_size, base_size)
        why = [f"{measured.id} ({_mb(measured.size)}, {measured.size_source.strip()})"]
        if model.spec.get("base") != base:
            why.append(f"on {base} ({_mb(base_size)}) instead of {model.spec.get('base')}")
        if str(model.params.get("version", "")) != version and version:
            why.append(f"at version {version} instead of {model.params.get('version')}")
        source = "ESTIMATE from " + ", ".join(why)
        if measured.compressed:
            compressed = round(size * measured.compressed / max(measured.size, 1))
    else:
        guess = as_mapping(template.get("estimate"), f"{item.family}.yaml: {item.template}")
        if "own" not in guess and "remainder" not in template:
            # No remainder: the model weighs exactly its base plus its own files.
            guess = {"own": 0, "source": "its base plus the files it adds, as modelled"}
        if "own" not in guess:
            raise CatalogDataError(
                f"{item.family}.yaml: template {item.template} has no measured image and no "
                "`estimate: {own: BYTES}`"
            )
        own = as_int(guess["own"], f"{item.family}.yaml: {item.template}: estimate.own")
        size = base_size + own
        source = (
            "ESTIMATE: "
            + substitute(str(guess.get("source", "")), item.params, item.key).strip()
            + (f" (on {base}, {_mb(base_size)})" if base else "")
        )
        ratio = guess.get("ratio")
        if ratio:
            compressed = round(size / float(ratio))
    return EntryInfo(
        id=item.key,
        family=item.family,
        names=(item.key,),
        size=size,
        size_source=source,
        size_estimate=True,
        compressed=compressed,
        compressed_source="ESTIMATE: the same ratio as the model it is sized from"
        if compressed is not None
        else "",
        compressed_estimate=True,
        base=base,
        notes=notes,
    )


# --- configs ------------------------------------------------------------------------------------


def _config(item: _Item) -> ImageConfig:
    if item.config is not None:
        return item.config
    base_ref = item.spec.get("base")
    base = ImageConfig() if base_ref is None else _config(_internal(str(base_ref), item.key))
    cfg = _overlay_config(base, item.spec.get("config") or {}, f"{item.key}: config")
    item.config = cfg
    return cfg


_CONFIG_KEYS = {"env", "cmd", "entrypoint", "workdir", "user", "exposed_ports", "labels",
                "volumes", "stop_signal", "shell"}  # fmt: skip


def _overlay_config(base: ImageConfig, raw: Any, where: str) -> ImageConfig:
    """The base config with the entry's settings on top, as a Dockerfile would set them."""
    if not isinstance(raw, dict):
        raise CatalogDataError(f"{where}: expected a mapping")
    unknown = set(raw) - _CONFIG_KEYS
    if unknown:
        raise CatalogDataError(f"{where}: unknown keys {sorted(unknown)}")
    cfg = base
    env = raw.get("env", [])
    if isinstance(env, list):  # a parameter may stand for several items (python_env)
        env = [e for v in env for e in (v if isinstance(v, list) else [v])]
    for item in as_str_list(env, f"{where}: env"):
        key, eq, value = item.partition("=")
        if not eq:
            raise CatalogDataError(f"{where}: env item {item!r} is not KEY=VALUE")
        cfg = cfg.with_env(key, value)
    cmd = cfg.cmd
    entrypoint = cfg.entrypoint
    if "entrypoint" in raw:
        ep = raw["entrypoint"]
        entrypoint = None if ep is None else tuple(as_str_list(ep, f"{where}: entrypoint"))
        cmd = None  # ENTRYPOINT resets an inherited CMD (BuildKit's dispatchEntrypoint)
    if "cmd" in raw:
        c = raw["cmd"]
        cmd = None if c is None else tuple(as_str_list(c, f"{where}: cmd"))
    labels = dict(cfg.labels)
    for k, v in as_mapping(raw.get("labels"), f"{where}: labels").items():
        labels[str(k)] = str(v)
    ports = set(cfg.exposed_ports) | set(as_str_list(raw.get("exposed_ports", []), where))
    volumes = set(cfg.volumes) | set(as_str_list(raw.get("volumes", []), where))
    shell = cfg.shell
    if "shell" in raw:
        shell = tuple(as_str_list(raw["shell"], f"{where}: shell"))
    return replace(
        cfg,
        cmd=cmd,
        entrypoint=entrypoint,
        working_dir=as_str(raw.get("workdir", cfg.working_dir), f"{where}: workdir"),
        user=as_str(raw.get("user", cfg.user), f"{where}: user"),
        exposed_ports=tuple(sorted(ports)),
        labels=tuple(sorted(labels.items())),
        volumes=tuple(sorted(volumes)),
        stop_signal=as_str(raw.get("stop_signal", cfg.stop_signal), f"{where}: stop_signal"),
        shell=shell,
    )


# --- skeletons ----------------------------------------------------------------------------------


def _snapshot(item: _Item) -> Snapshot:
    if item.snapshot is not None:
        return item.snapshot
    if item.building:
        raise CatalogDataError(f"{item.key}: base chain loops")
    item.building = True
    try:
        info = _info(item)
        spec = item.spec
        where = f"{item.family}.yaml: {item.key}"
        base_ref = spec.get("base")
        base = None if base_ref is None else _snapshot(_internal(str(base_ref), item.key))
        ops = spec.get("files") or []
        if base is not None and not ops and "remainder" not in spec:
            # Same files, another config (distroless :nonroot): share the base's snapshot.
            if item.pin is None:
                item.info = replace(info, size=tree_size(base.root))
            elif tree_size(base.root) != info.size:
                raise CatalogDataError(f"{where}: size differs from its base's, but no files do")
            item.snapshot = base
            return base
        b = Builder(None if base is None else base.root, _includer(_inherited(item)))
        b.apply_all(ops, where)
        have = tree_size(b.root)
        if item.pin is None and (have > info.size or spec.get("remainder") is None):
            # An unmeasured model weighs at least its own files; with no remainder to make up
            # the rest, exactly them.
            info = replace(info, size=have)
            item.info = info
        b.finish(info.size, spec.get("remainder"), where)
        item.snapshot = Snapshot(b.root)
    finally:
        item.building = False
    return item.snapshot


def _inherited(item: _Item) -> dict[str, Any]:
    """The item's parameters over its bases' (node:22 sees debian's ``gcc`` and ``codename``)."""
    base = item.spec.get("base")
    below = {} if base is None else _inherited(_internal(str(base), item.key))
    return {**below, **item.params}


def _includer(params: dict[str, Any]) -> Callable[[str, dict[str, Any]], list[Any]]:
    """Resolves ``include: FAMILY.GROUP``: a family's ``groups`` entry (operations shared
    across families, such as ``debian.ca_certificates``), filled in with ``params``."""

    def include(name: str, extra: dict[str, Any]) -> list[Any]:
        family, dot, group = name.partition(".")
        if not dot:
            raise CatalogDataError(f"include {name!r}: write FAMILY.GROUP")
        groups = as_mapping(_family(family).raw.get("groups"), f"{family}.yaml: groups")
        if group not in groups:
            raise CatalogDataError(f"include {name!r}: {family}.yaml has no group {group!r}")
        where = f"{family}.yaml: groups.{group}"
        ops = substitute(groups[group], resolve_params({**params, **extra}, where), where)
        if not isinstance(ops, list):
            raise CatalogDataError(f"{where}: expected a list of operations")
        return ops

    return include


# --- the public surface -------------------------------------------------------------------------


def _scratch() -> Image:
    if not _scratch_image:
        # BuildKit's emptyImage: Env [PATH=default], WorkingDir "/" (dockerfile2llb/image.go);
        # confirmed against the real-builder oracle (`FROM scratch` -> WorkingDir "/").
        cfg = ImageConfig(env=(f"PATH={DEFAULT_PATH}",), working_dir="/")
        _scratch_image.append(Image(rootfs=Snapshot(Dir(Meta(0o755))), config=cfg, name=SCRATCH))
    return _scratch_image[0]


def lookup(ref: str) -> Image:
    """The image ``ref`` names, built once per process and then reused.

    Raises :class:`InvalidReferenceError` for a malformed reference (Docker's wording) and
    :class:`UnknownImageError` (with close names and the ``emu load`` hint) for one the
    catalog does not model. A reference pinned by digest resolves to its tag's model (or
    the repository's default), with a note that the digest was not verified.
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
            img = _image(_resolve(ref), familiar(norm))
            _images[norm] = img
    _raw_images[ref] = img
    return img


def _image(resolved: _Resolved, name: str, notes: tuple[str, ...] = ()) -> Image:
    item = resolved.item
    config = _config(item)
    if resolved.platform:
        config = replace(
            config,
            architecture=resolved.platform.get("architecture", config.architecture),
            variant=resolved.platform.get("variant", ""),
        )
    rootfs = _snapshot(item)
    return Image(
        rootfs=rootfs,
        config=config,
        # The catalogued base counts as one imported layer (as `docker import` records it:
        # an empty created_by), whatever the real image's layering.
        history=(HistoryEntry(""),),
        base_size=_info(item).size,
        name=name,
        notes=(*resolved.notes, *notes),
    )


def describe(ref: str) -> EntryInfo:
    """Sizes, their sources and notes for the model ``ref`` names."""
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
    info = _described.get(ref)
    if info is None:
        info = _info(_resolve(ref).item)
        if len(_described) >= _DESCRIBED_MAX:
            _described.clear()
        _described[ref] = info
    return info


def families() -> list[FamilyInfo]:
    """Every family, as ``emu images --catalog`` lists them (parses every family)."""
    return [_family(name).info() for name in _index().families]


def family_of(name: str) -> FamilyInfo | None:
    """The family a family name or a reference's repository belongs to (None if none)."""
    index = _index()
    if name in index.families:
        return _family(name).info()
    try:
        route = index.route(_parse(name))
    except InvalidReferenceError:
        return None
    return None if route is None else _family(route.family).info()


def ids() -> list[str]:
    """Every measured model once, by its familiar id (``scratch`` first)."""
    out = [SCRATCH]
    for name in _index().families:
        out.extend(p.id for p in _family(name).pins.values())
    return out


def names() -> list[str]:
    """Every name the measured models are listed under, familiar, sorted."""
    out = {SCRATCH}
    for name in _index().families:
        for pin in _family(name).pins.values():
            out.update(familiar(n) for n in pin.names)
    return sorted(out)


# --- unknown images: what to suggest ------------------------------------------------------------


def _split_familiar(name: str) -> tuple[str, str]:
    repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    return repo, tag


def _family_examples(fam: _Family) -> list[str]:
    out: list[str] = []
    for pin in fam.pins.values():
        out.extend(familiar(n) for n in pin.names)
    out.extend(as_str_list(fam.raw.get("examples", []), f"{fam.name}.yaml: examples"))
    return list(dict.fromkeys(out))


def _tags_in(fam: _Family, route: _Route, repo: str, tag: str, limit: int = 6) -> list[str]:
    """Tags of ``fam`` close to ``tag``: the same tag with a known version line, then
    similar tags among the family's examples."""
    import difflib

    out: list[str] = []
    head, dash, rest = tag.partition("-")
    nearest = fam.grammar.nearest_line(head)
    if nearest is not None:
        candidate = nearest + dash + rest
        if fam.parse(candidate, route.params, repo) is not None:
            out.append(f"{repo}:{candidate}")
    examples = [n for n in _family_examples(fam) if _split_familiar(n)[0] == repo]
    if not examples:
        examples = _family_examples(fam)
    want = f"{repo}:{tag}"
    for n in difflib.get_close_matches(want, examples, n=limit, cutoff=0.0):
        if n not in out:
            out.append(n)
    return out[:limit]


def _without_windows(route: _Route, repo: str, tag: str) -> list[str]:
    """The same tag without its Windows part, when that is a Linux tag emu models."""
    fam = _family(route.family)
    cleaned = re.sub(r"-?(windowsservercore|nanoserver|ltsc\d{4})(-[a-z0-9.]+)?", "", tag).strip(
        "-"
    )
    if cleaned and fam.parse(cleaned, route.params, tag) is not None:
        return [f"{repo}:{cleaned}"]
    return []


def _unknown_tag(ref: str, fam: _Family, route: _Route, tag: str) -> UnknownImageError:
    r = _parse(ref)
    repo = Reference(r.domain, r.path, None, None).familiar_repository
    lines = fam.grammar.line_keys()
    span = f" (versions {lines[-1]} to {lines[0]})" if len(lines) > 1 else ""
    reason = f"emu's {fam.name} family has no tag {tag!r}: it models {repo}:{fam.tags}{span}"
    return UnknownImageError(ref, reason, _tags_in(fam, route, repo, tag), fam.name)


def _implied_family(repo: str) -> tuple[str, str] | None:
    """The family an unknown repository's name implies, and the catalog repository closest
    to it: the same last path component (``bitnami/node`` -> node), a word the index lists
    (``python-base`` -> python), or a close spelling (``ngnix`` -> nginx)."""
    import difflib

    index = _index()
    last = repo.rsplit("/", 1)[-1]
    if last in index.repositories:
        return index.repositories[last], last
    words = re.split(r"[-_.]", last)
    for word in words:
        if word in index.hints:
            family = index.hints[word]
            return family, _repositories_of(family)[0]
    for word in words:
        if word in index.repositories:
            return index.repositories[word], word
    close = difflib.get_close_matches(repo, index.known_repositories(), n=1, cutoff=0.75)
    if close:
        route = index.route(_parse(close[0]))
        return None if route is None else (route.family, close[0])
    return None


def _repositories_of(family: str) -> list[str]:
    index = _index()
    repos = [k for k, v in index.repositories.items() if v == family]
    for _p, fam, _s, examples in index.patterns:
        if fam == family:
            repos.extend(examples)
    return repos or [family]


def _unknown_repository(ref: str, tagged: Reference) -> UnknownImageError:
    implied = _implied_family(tagged.familiar_repository)
    reason = "not in emu's offline catalog"
    if implied is not None:
        reason += f"; its name suggests the {implied[0]} family"
    return UnknownImageError(ref, reason, suggest(ref), None if implied is None else implied[0])


def suggest(ref: str, limit: int = 6) -> list[str]:
    """Catalog names close to ``ref`` (familiar form, best first), for error messages:
    tags of its own family when the repository is known, else of the family its name
    implies, else close repository names."""
    import difflib

    try:
        r = _parse(ref)
    except InvalidReferenceError:
        return []
    tag = r.tag or DEFAULT_TAG
    tagged = Reference(r.domain, r.path, tag, None)
    index = _index()
    route = index.route(tagged)
    if route is not None:
        fam = _family(route.family)
        return _tags_in(fam, route, tagged.familiar_repository, tag, limit)
    implied = _implied_family(tagged.familiar_repository)
    if implied is None:
        close = difflib.get_close_matches(
            tagged.familiar_repository, index.known_repositories(), n=3, cutoff=0.6
        )
        return [f"{c}:{tag}" if _parses(f"{c}:{tag}") else c for c in close][:limit]
    family, closest = implied
    out: list[str] = []
    for repo in dict.fromkeys([closest, *_repositories_of(family)]):
        if _parses(f"{repo}:{tag}"):
            out.append(f"{repo}:{tag}")
            break
    examples = _family_examples(_family(family))
    for n in difflib.get_close_matches(f"{closest}:{tag}", examples, n=limit, cutoff=0.0):
        if n not in out:
            out.append(n)
    return out[:limit]


def _parses(name: str) -> bool:
    try:
        _resolve(name)
    except EmuError:
        return False
    return True


# --- permissive: a generic stand-in --------------------------------------------------------------


def fallback(ref: str) -> Image:
    """What ``--permissive`` builds on for a reference the catalog does not model: the image
    of the family its name implies with the same tag when that exists, else a generic image
    of the distribution its tag names (``-alpine`` → Alpine, ``-jammy`` → Ubuntu, ...),
    with a note saying so (the build prints it and ``emu inspect`` shows it)."""
    norm = normalize(ref)
    r = _parse(norm)
    tag = r.tag or DEFAULT_TAG
    tagged = Reference(r.domain, r.path, tag, None)
    index = _index()
    stand_in: str | None = None
    implied = _implied_family(tagged.familiar_repository)
    if implied is not None:
        family, closest = implied
        for repo in dict.fromkeys([closest, *_repositories_of(family)]):
            if _parses(f"{repo}:{tag}"):
                stand_in = f"{repo}:{tag}"
                break
    if stand_in is None:
        text = f"{tagged.familiar_repository}:{tag}"
        stand_in = next(
            (image for pattern, image in index.fallback if re.search(pattern, text)),
            index.fallback_default,
        )
    resolved = _resolve(stand_in)
    note = (
        f"{familiar(norm)} is not in emu's offline catalog: --permissive built on {stand_in} "
        "instead, a generic stand-in (the real image's files, programs and config differ)"
    )
    return _image(resolved, familiar(norm), (note,))


# --- declared images (emu build --images FILE) ---------------------------------------------------

_USER_KEYS = {"from", "env", "cmd", "entrypoint", "workdir", "user", "exposed_ports", "labels",
              "volumes", "files", "programs", "size", "notes"}  # fmt: skip
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20,
          "gib": 2**30}  # fmt: skip


def _user_size(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    m = _SIZE.fullmatch(str(value).strip())
    if m is None:
        raise ImagesFileError(f"{where}: bad size {value!r}", hint="write e.g. 250MB or 1200")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "").lower()])


def register_images(data: Any, source: str) -> list[str]:
    """Declare the images a ``--images`` YAML file describes (already parsed), so that
    ``FROM`` finds them; returns their familiar names. The format::

        images:
          mycorp/python-base:3.12:           # the name FROM uses
            from: python:3.12-slim           # a catalogued image it is based on
            env: {APP_HOME: /srv/app}        # or a list of KEY=VALUE
            workdir: /srv/app                # also cmd, entrypoint, user, exposed_ports,
            files:                           #   labels, volumes
              - {path: /etc/mycorp.conf, content: "region=eu\\n"}
              - {path: /opt/mycorp/lib.so, size: 12MB, mode: "0755"}
            programs: [mycorp-cli]           # size-only executables in /usr/local/bin
            size: 310MB                      # the image's size (default: base + files)
    """
    where = source
    if not isinstance(data, dict) or not isinstance(data.get("images"), dict):
        raise ImagesFileError(
            f"{where}: expected a mapping with an `images` mapping",
            hint="see `emu build --help` and the README section 'Base images, offline'",
        )
    out = []
    for name, spec in data["images"].items():
        iw = f"{where}: images.{name}"
        if not isinstance(spec, dict):
            raise ImagesFileError(f"{iw}: expected a mapping")
        unknown = set(spec) - _USER_KEYS
        if unknown:
            raise ImagesFileError(f"{iw}: unknown keys {sorted(unknown)}",
                                  hint="keys: " + ", ".join(sorted(_USER_KEYS)))  # fmt: skip
        try:
            r = _parse(str(name))
        except InvalidReferenceError as exc:
            raise ImagesFileError(f"{iw}: {exc.message}") from None
        if r.digest is not None:
            raise ImagesFileError(f"{iw}: declare a name and tag, not a digest")
        if "from" not in spec:
            raise ImagesFileError(f"{iw}: needs `from`, the catalogued image it is based on")
        key = r.render(r.repository)
        _user[key] = (source, _user_spec(spec, iw))
        # Forget anything resolved before the declaration.
        _images.pop(key, None)
        _raw_images.clear()
        _described.clear()
        _items.pop(f"declared:{key}", None)
        out.append(r.render(r.familiar_repository))
        describe(str(spec["from"]))  # fails now, naming the file, if the base is unknown
    return out


def _user_spec(spec: dict[str, Any], where: str) -> dict[str, Any]:
    env = spec.get("env") or []
    if isinstance(env, dict):
        env = [f"{k}={v}" for k, v in env.items()]
    config: dict[str, Any] = {"env": [str(e) for e in env]}
    for key, target in (("cmd", "cmd"), ("entrypoint", "entrypoint"), ("workdir", "workdir"),
                        ("user", "user"), ("exposed_ports", "exposed_ports"),
                        ("labels", "labels"), ("volumes", "volumes")):  # fmt: skip
        if key in spec:
            value = spec[key]
            if key in ("cmd", "entrypoint") and isinstance(value, str):
                value = ["/bin/sh", "-c", value]
            if key == "exposed_ports":
                value = [p if "/" in str(p) else f"{p}/tcp" for p in value]
            config[target] = value
    files: list[dict[str, Any]] = []
    for i, f in enumerate(spec.get("files") or []):
        fw = f"{where}: files[{i}]"
        if not isinstance(f, dict) or "path" not in f:
            raise ImagesFileError(f"{fw}: needs a path")
        op: dict[str, Any] = {"file": str(f["path"]), "mode": str(f.get("mode", "0644"))}
        if "content" in f:
            op["text"] = str(f["content"])
        else:
            op["blob"] = _user_size(f.get("size", 0), fw)
            op["label"] = f"{f['path']} (declared in the --images file)"
        files.append(op)
    programs = spec.get("programs") or []
    if programs:
        label = "{name} (declared in the --images file)"
        files.append(
            {"blobs": [str(p) for p in programs], "in": "/usr/local/bin", "size": 1_000_000,
             "label": label}
        )  # fmt: skip
    out: dict[str, Any] = {"base": str(spec["from"]), "config": config, "files": files}
    if "size" in spec:
        out["size"] = _user_size(spec["size"], f"{where}: size")
        out["remainder"] = {
            "path": "/usr/local/lib/emu-declared-remainder.blob",
            "label": "rest of the declared image (modelled)",
        }
    out["notes"] = str(spec.get("notes", ""))
    return out


def _declared_item(tagged: Reference, source: str, spec: dict[str, Any]) -> _Item:
    key = f"declared:{tagged.render(tagged.repository)}"
    item = _items.get(key)
    if item is not None:
        return item
    name = tagged.render(tagged.familiar_repository)
    item = _Item(key, "declared", "", {}, spec, None)
    base_size = _base_size(item)
    b = Builder(None)
    b.apply_all(spec["files"], f"{source}: {name}")
    own = tree_size(b.root)
    size = spec.get("size", base_size + own)
    item.info = EntryInfo(
        id=name,
        family="declared",
        names=(name,),
        size=max(size, base_size + own),
        size_source=f"declared in {source}"
        if "size" in spec
        else (f"ESTIMATE: {spec['base']} ({_mb(base_size)}) plus the files {source} declares"),
        size_estimate="size" not in spec,
        compressed=None,
        compressed_source="",
        compressed_estimate=False,
        base=str(spec["base"]),
        notes=f"declared in {source}" + (f": {spec['notes']}" if spec.get("notes") else ""),
    )
    _items[key] = item
    return item
