"""Reading a spec: container-structure-test's file (YAML or JSON) and emu's file beside it →
:class:`~emu.grading.model.Spec`, with clear messages.

The CST file is read as CST reads it (``cmd/…/test/util.go`` and ``pkg/types/v1``/``v2``):
``schemaVersion`` 1.0.0 or 2.0.0, and only the fields of that schema — CST decodes YAML with
yaml.v2's ``UnmarshalStrict``, which refuses any other key (even ``x-…`` ones) and repeated
keys. An unknown field is an error at its line and column naming CST's type and the field it
resembles (``shouldexist`` → ``shouldExist``; ``metadataTest.env`` → ``envVars``), a value of
the wrong type is an error naming what was expected, a regex that does not compile is an
error — a typo never turns a test into one that silently passes. Fields that CST has but emu
cannot honour (``licenseTests``, most of ``containerRunOptions``) are accepted and reported
as warnings; license tests show up as skipped results.

What CST has no field for — build settings, limits, emu's build tests, weights, a name for
the metadata test — lives in the emu file ``NAME.emu.yaml`` next to ``NAME.yaml`` (see
:func:`load`), so the CST file stays one that CST runs unchanged. emu's old form (``emuTests``,
``weight`` and ``metadataTest.name`` inside the CST file) is still read, with a warning saying
how to move it; in strict mode (``emu test --strict``) it is refused as CST refuses it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from emu.dockerfile.instructions import suggest
from emu.errors import SpecError as SpecError
from emu.grading.model import (
    EMU_KINDS,
    BuildSettings,
    CommandTest,
    EmuTest,
    EnvVar,
    FileContentTest,
    FileExistenceTest,
    LicenseTest,
    MetadataTest,
    RunOptions,
    SandboxLimits,
    Spec,
    compile_regex,
)
from emu.pos import Position
from emu.re2 import RegexpError
from emu.records import record, replace

T = TypeVar("T")


# --- YAML with positions ------------------------------------------------------------------


class _Map(dict[str, Any]):
    """A mapping that remembers where it and each of its keys start (for messages)."""

    pos: Position = Position(0, 0)
    key_pos: dict[str, Position]


@record(frozen=True, slots=True)
class _Duplicate:
    """A key given twice in one mapping: yaml.v2's strict decoding refuses it (so does emu in
    strict mode); otherwise the last one counts, as in PyYAML, and a warning says so — never
    a test that silently vanishes."""

    key: str
    pos: Position
    first: Position


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[_Duplicate] = []


def _mark(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    out = _Map()
    out.pos = _mark(node.start_mark)
    out.key_pos = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in out.key_pos:
            loader.duplicates.append(_Duplicate(key, _mark(key_node.start_mark), out.key_pos[key]))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_pos[key] = _mark(key_node.start_mark)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def _parse_yaml(text: str, file: str, *, strict: bool = False) -> tuple[object, list[str]]:
    """The document and the warnings about its repeated keys (an error in strict mode)."""
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = _mark(mark) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"not valid YAML: {problem}", file=file, pos=pos) from None
    finally:
        loader.dispose()
    notes = []
    for dup in loader.duplicates:
        message = f"{dup.key}: given twice (first at line {dup.first.line})"
        if strict:
            raise SpecError(
                message,
                file=file,
                pos=dup.pos,
                hint="container-structure-test refuses a repeated key; keep one",
            )
        notes.append(f"{file}:{dup.pos.line}:{dup.pos.column}: {message}; the last one counts")
    return data, notes


# --- sizes ---------------------------------------------------------------------------------

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*\Z")


def parse_size(value: object) -> int:
    """``30MB`` (decimal, as docker prints sizes), ``1.5GiB``, ``1000`` → bytes."""
    if isinstance(value, bool):
        raise ValueError("a size, not a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return int(value)
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m and m.group(2).lower() in _UNITS:
            return int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    raise ValueError(f"{value!r} is not a size (e.g. 30MB, 1.5GiB, 1000000)")


# --- the reader ----------------------------------------------------------------------------

At = Position | None  # where a value is (its key's line and column), for messages


class _Reader:
    def __init__(self, file: str, *, strict: bool = False, version: str = "2.0.0") -> None:
        self.file = file
        self.strict = strict
        self.version = version
        self.warnings: list[str] = []
        self.legacy: list[tuple[str, At]] = []  # emu's additions found inside the CST file

    def error(self, where: str, message: str, at: At = None, hint: str | None = None) -> SpecError:
        text = f"{where}: {message}" if where else message
        return SpecError(text, file=self.file, pos=at if at and at.line > 0 else None, hint=hint)

    def warn(self, at: At, text: str) -> None:
        where = f"{self.file}:{at.line}:{at.column}" if at and at.line > 0 else self.file
        self.warnings.append(f"{where}: {text}")

    def mapping(self, value: object, where: str, at: At = None) -> _Map:
        if isinstance(value, _Map):
            return value
        if value is None:
            m = _Map()
            m.pos, m.key_pos = at or Position(0, 0), {}
            return m
        raise self.error(where, f"expected a mapping, got {_kind(value)}", at)

    def check_keys(
        self,
        m: _Map,
        allowed: list[str],
        where: str,
        *,
        unsupported: dict[str, str] | None = None,
        renamed: dict[str, str] | None = None,
        cst_type: str = "",
    ) -> None:
        """Every key of ``m`` is one of ``allowed``: else an error naming the field as
        container-structure-test's strict decoding does (``cst_type``, e.g.
        ``v2.FileExistenceTest``) and the field it resembles. ``unsupported`` keys are read
        with a warning; ``renamed`` ones are CST's old names, refused with the new one."""
        for key in m:
            if key in allowed:
                continue
            at = self.pos_of(m, key)
            if unsupported and key in unsupported:
                self.warn(at, f"{where}.{key}: {unsupported[key]}")
                continue
            field = f"{where}.{key}" if where else key
            cst = f" (container-structure-test: field {key} not found in type {cst_type})"
            cst = cst if cst_type else ""
            if cst_type and self.file.endswith(".json") and not self.strict:
                # CST decodes JSON with encoding/json, which ignores unknown keys: a CST
                # file in JSON runs unchanged, and the key is said, not silently dropped.
                self.warn(at, f"{field}: unknown field, ignored as CST ignores it in JSON")
                continue
            if renamed and key in renamed:
                raise self.error(
                    field,
                    f"unknown field{cst}; schema {self.version} calls it {renamed[key]}",
                    at,
                    f"rename {key}: to {renamed[key]}:",
                )
            close = suggest(key, allowed + list(unsupported or {}))
            hint = f"did you mean {close}?" if close else "fields: " + ", ".join(allowed)
            raise self.error(field, f"unknown field{cst}", at, hint)

    def pos_of(self, m: _Map, key: str) -> Position:
        return m.key_pos.get(key, m.pos)

    def get(
        self, m: _Map, key: str, where: str, conv: Callable[[object, str, At], T], default: T
    ) -> T:
        if key not in m or m[key] is None:
            return default
        return conv(m[key], f"{where}.{key}" if where else key, self.pos_of(m, key))

    def require(self, m: _Map, key: str, where: str, conv: Callable[[object, str, At], T]) -> T:
        if key not in m or m[key] in (None, ""):
            raise self.error(where, f"'{key}' is required", m.pos)
        return conv(m[key], f"{where}.{key}", self.pos_of(m, key))

    # converters: (value, where, at) -> typed value

    def str_(self, v: object, where: str, at: At) -> str:
        if isinstance(v, (bool, dict | list)):
            raise self.error(where, f"expected a string, got {_kind(v)}", at)
        return str(v)

    def bool_(self, v: object, where: str, at: At) -> bool:
        if not isinstance(v, bool):
            raise self.error(where, f"expected true or false, got {_kind(v)}", at)
        return v

    def int_(self, v: object, where: str, at: At) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(where, f"expected an integer, got {_kind(v)}", at)
        return v

    def number(self, v: object, where: str, at: At) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise self.error(where, f"expected a non-negative number, got {_kind(v)}", at)
        return float(v)

    def size(self, v: object, where: str, at: At) -> int:
        try:
            return parse_size(v)
        except ValueError as exc:
            raise self.error(where, str(exc), at) from None

    def strs(self, v: object, where: str, at: At) -> tuple[str, ...]:
        if isinstance(v, str):
            return (v,)
        if not isinstance(v, list):
            raise self.error(where, f"expected a list of strings, got {_kind(v)}", at)
        return tuple(self.str_(x, f"{where}[{i}]", at) for i, x in enumerate(v))

    def regexes(self, v: object, where: str, at: At) -> tuple[str, ...]:
        out = self.strs(v, where, at)
        for i, expr in enumerate(out):
            try:
                compile_regex(expr)
            except RegexpError as exc:
                raise self.error(f"{where}[{i}]", f"bad regex {expr!r}: {exc}", at) from None
        return out

    def commands(self, v: object, where: str, at: At) -> tuple[tuple[str, ...], ...]:
        if not isinstance(v, list):
            raise self.error(where, "expected a list of commands ([[cmd, arg…], …])", at)
        out = []
        for i, cmd in enumerate(v):
            argv = self.strs(cmd, f"{where}[{i}]", at)
            if not argv:
                raise self.error(f"{where}[{i}]", "empty command", at)
            out.append(argv)
        return tuple(out)

    def env_vars(self, v: object, where: str, at: At) -> tuple[EnvVar, ...]:
        if not isinstance(v, list):
            raise self.error(where, "expected a list of {key, value} items", at)
        out = []
        for i, item in enumerate(v):
            w = f"{where}[{i}]"
            m = self.mapping(item, w, at)
            self.check_keys(m, ["key", "value", "isRegex"], w, cst_type="unversioned.EnvVar")
            key = self.require(m, "key", w, self.str_)
            out.append(
                EnvVar(
                    key,
                    self.get(m, "value", w, self.str_, ""),
                    self.get(m, "isRegex", w, self.bool_, False),
                )
            )
        return tuple(out)

    def items(self, v: object, where: str, at: At) -> list[tuple[_Map, str]]:
        if not isinstance(v, list):
            raise self.error(where, f"expected a list, got {_kind(v)}", at)
        return [(self.mapping(x, f"{where}[{i}]", at), f"{where}[{i}]") for i, x in enumerate(v)]

    def addition(self, m: _Map, key: str, where: str, cst_type: str) -> None:
        """``key`` of ``m`` is one of emu's additions written inside the CST file (emu's
        old spec form): refused in strict mode, else read with a note on how to move it."""
        if key not in m:
            return
        at = self.pos_of(m, key)
        field = f"{where}.{key}" if where else key
        if self.strict:
            raise self.error(
                field,
                f"unknown field (container-structure-test: field {key} not found in type "
                f"{cst_type}): it is one of emu's additions",
                at,
                MIGRATE_HINT,
            )
        self.legacy.append((field, at))


MIGRATE_HINT = (
    "container-structure-test refuses emu's additions in its file: move emuTests' content, "
    "the weights (weights: {TEST NAME: POINTS}) and metadataTest.name (metadataTestName:) "
    "to NAME.emu.yaml next to NAME.yaml (see 'emu test --help')"
)


def _kind(v: object) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return f"a boolean ({v})"
    if isinstance(v, int | float):
        return f"a number ({v})"
    if isinstance(v, str):
        return f"a string ({v!r})"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return type(v).__name__


# container-structure-test's fields per schema version (pkg/types/v1 and v2: the yaml tags of
# StructureTest and of each test type). A test's fields are in CST's order (the order "fields:
# …" hints list them): each YAML key (the model's attribute in camelCase) and, after a colon,
# the _Reader method that reads its value (str_ when not said). A key left out keeps the
# model's default.
_TOP = {
    "2.0.0": [
        "schemaVersion",
        "globalEnvVars",
        "commandTests",
        "fileExistenceTests",
        "fileContentTests",
        "metadataTest",
        "licenseTests",
        "containerRunOptions",
    ],
    "1.0.0": [
        "schemaVersion",
        "globalEnvVars",
        "commandTests",
        "fileExistenceTests",
        "fileContentTests",
        "licenseTests",
    ],
}
_FE = {
    "2.0.0": "name path shouldExist:bool_ permissions uid:int_ gid:int_ isExecutableBy",
    "1.0.0": "name path shouldExist:bool_ permissions",
}
_FC = "name path expectedContents:regexes excludedContents:regexes"
_CMD = {
    "2.0.0": "name setup:commands teardown:commands envVars:env_vars exitCode:int_ command "
    "args:strs expectedOutput:regexes excludedOutput:regexes expectedError:regexes "
    "excludedError:regexes",
    # 1.0.0's command is the whole argv (a list), and there is no args.
    "1.0.0": "name setup:commands teardown:commands envVars:env_vars exitCode:int_ "
    "command:strs expectedOutput:regexes excludedOutput:regexes expectedError:regexes "
    "excludedError:regexes",
}
_META = (
    "envVars:env_vars unboundEnvVars:env_vars labels:env_vars exposedPorts:strs "
    "unexposedPorts:strs entrypoint:strs cmd:strs workdir volumes:strs unmountedVolumes:strs "
    "user"
)
_LICENSE = "debian:bool_ files:strs"
_RUN_UNSUPPORTED = {
    "privileged": "has no effect in emu: no container is started",
    "allocateTty": "has no effect in emu: no container is started",
    "capabilities": "not supported by emu: its shell has no capabilities to add",
    "bindMounts": "not supported by emu: nothing on the host is mounted into a test",
    "envFile": "not supported by emu: list the variables under envVars instead",
}
_LIMITS = {
    "maxSeconds": "max_seconds",
    "maxSteps": "max_steps",
    "maxOutput": "max_output",
    "maxFiles": "max_files",
    "maxBytes": "max_bytes",
    "maxDepth": "max_depth",
    "maxContextFiles": "max_context_files",
    "maxContextBytes": "max_context_bytes",
    "maxDockerfileBytes": "max_dockerfile_bytes",
    "maxMemory": "max_memory",
    "hardTimeout": "hard_timeout",
}
_SIZES = {"maxOutput", "maxBytes", "maxContextBytes", "maxDockerfileBytes", "maxMemory"}
_FLOATS = {"maxSeconds", "hardTimeout"}
# The keys of an emu file (NAME.emu.yaml): emu's additions to the CST file NAME.yaml.
_EMU_KEYS = [
    "config",
    "context",
    "image",
    "build",
    "limits",
    "tests",
    "weights",
    "metadataTestName",
]
_SUFFIXES = (".yaml", ".yml", ".json")
EMU_SUFFIX = ".emu.yaml"


def _version(r: _Reader, data: _Map) -> str:
    """The schema version, as CST reads it: required, and one CST knows."""
    version = data.get("schemaVersion")
    if version is None or version == "":
        raise r.error(
            "schemaVersion", "is required (schemaVersion: 2.0.0)", data.pos,
            "container-structure-test: Please provide schema version",
        )  # fmt: skip
    if str(version) not in _TOP:
        raise r.error(
            "schemaVersion",
            f"Unsupported schema version: {version} (container-structure-test knows "
            f"{', '.join(sorted(_TOP))})",
            r.pos_of(data, "schemaVersion"),
        )
    return str(version)


def loads(
    text: str,
    file: str = "<spec>",
    base_dir: str | None = None,
    *,
    strict: bool = False,
    emu: str | None = None,
    emu_file: str | None = None,
) -> Spec:
    """Parse container-structure-test text (YAML or JSON; schema 1.0.0 or 2.0.0) and, when
    given, the text of its emu file (``emu``: emu's additions, see :func:`load`); raises
    :class:`SpecError` with the line and column on bad input.

    ``strict``: read the file as container-structure-test does and nothing more, so that
    what passes here passes CST's strict decoding (emu's additions in it are refused)."""
    try:
        return _loads(text, file, base_dir, strict, emu, emu_file or "<emu>")
    except SpecError as exc:
        # The text the error points into, so that the CLI shows the lines around it.
        if exc.file == file:
            exc.with_source(text)
        elif exc.file == (emu_file or "<emu>") and emu is not None:
            exc.with_source(emu)
        raise


def _loads(
    text: str,
    file: str,
    base_dir: str | None,
    strict: bool,
    emu: str | None,
    e_file: str,
) -> Spec:
    data, notes = _parse_yaml(text, file, strict=strict)
    r = _Reader(file, strict=strict)
    r.warnings.extend(notes)
    if not isinstance(data, _Map):
        raise r.error("", f"a spec is a mapping with schemaVersion: 2.0.0, got {_kind(data)}")
    r.version = version = _version(r, data)
    cst_type = "v2.StructureTest" if version == "2.0.0" else "v1.StructureTest"
    r.addition(data, "emuTests", "", cst_type)
    r.check_keys(data, [*_TOP[version], "emuTests"], "", cst_type=cst_type)
    spec = Spec(
        schema_version=version,
        global_env_vars=r.get(data, "globalEnvVars", "", r.env_vars, ()),
        command_tests=tuple(_command(r, m, w) for m, w in _items(r, data, "commandTests")),
        file_existence_tests=tuple(
            _existence(r, m, w) for m, w in _items(r, data, "fileExistenceTests")
        ),
        file_content_tests=tuple(_content(r, m, w) for m, w in _items(r, data, "fileContentTests")),
        metadata_test=_metadata(r, data),
        license_tests=tuple(_license(r, m, w) for m, w in _items(r, data, "licenseTests")),
        run_options=_run_options(r, data),
        source=file,
        base_dir=base_dir if base_dir is not None else ".",
    )
    if "emuTests" in data:  # emu's old form (refused above in strict mode)
        inline = r.mapping(data["emuTests"], "emuTests", r.pos_of(data, "emuTests"))
        r.check_keys(inline, ["context", "image", "build", "limits", "tests"], "emuTests")
        spec = _with_additions(r, spec, inline, "emuTests")
    if r.legacy:
        fields = ", ".join(f for f, _ in r.legacy)
        r.warn(
            r.legacy[0][1],
            f"{fields}: emu's additions inside a container-structure-test file (emu's old "
            f"form, which CST refuses); {MIGRATE_HINT}",
        )
    if emu is not None:
        e_data, e_notes = _parse_yaml(emu, e_file)
        er = _Reader(e_file)
        er.warnings.extend(e_notes)
        em = er.mapping(e_data, "", Position(1, 1))
        er.check_keys(em, _EMU_KEYS, "")
        spec = _with_additions(er, spec, em, "")
        r.warnings.extend(er.warnings)
    names = [t.name for t in spec.tests()]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        r.warnings.append(
            f"{file}: test names repeat ({', '.join(dupes)}): reports and grades tell them "
            "apart by position only"
        )
    return replace(spec, warnings=tuple(r.warnings))


def emu_file_for(path: str | os.PathLike[str]) -> Path:
    """The emu file of a CST file: ``NAME.emu.yaml`` next to ``NAME.yaml`` (or .yml, .json)."""
    p = Path(path)
    stem = p.name
    for suffix in _SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return p.with_name(stem + EMU_SUFFIX)


def _cst_file_for(emu_path: Path, named: str | None) -> Path:
    if named:
        return emu_path.parent / named
    stem = emu_path.name[: -len(EMU_SUFFIX)]
    for suffix in _SUFFIXES:
        candidate = emu_path.with_name(stem + suffix)
        if candidate.exists():
            return candidate
    raise SpecError(
        f"{emu_path} adds to a container-structure-test file, and there is no "
        f"{stem}.yaml (or .yml, .json) next to it",
        hint="name it in the emu file: config: FILE",
    )


def _read(p: Path, what: str) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read {what} {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{what} {p} is not UTF-8 text") from None


def load(path: str | os.PathLike[str], *, strict: bool = False) -> Spec:
    """Read a spec: a container-structure-test file ``NAME.yaml`` and, next to it, its emu file
    ``NAME.emu.yaml`` when there is one (given the emu file, its CST file is read with it).
    Relative paths inside them start at their folder.

    The emu file holds what CST has no field for, so the CST file stays one CST runs::

        config: NAME.yaml          # the CST file (default: NAME.yaml, .yml or .json)
        context: ../app            # what to test by default (or image: REF)
        build: {dockerfile: Dockerfile, target: runtime, buildArgs: {K: V}, permissive: false}
        limits: {maxSeconds: 10, maxMemory: 2GiB, …}
        tests: [{name: …, stageCount: 2, weight: 2}, …]     # emu's build tests
        weights: {the page is served: 2}                     # points of CST tests, by name
        metadataTestName: nginx serves on port 80            # CST calls it "Metadata Test"

    ``strict``: only the CST file, read as CST reads it (its suffix must be .yaml, .yml or
    .json; emu's additions in it are refused; no emu file).
    """
    p = Path(path)
    if p.name.endswith(EMU_SUFFIX):
        if strict:
            raise SpecError(
                f"{p} is an emu file, which container-structure-test does not read",
                hint="in strict mode, give the CST file itself",
            )
        emu_text = _read(p, "emu file")
        named = yaml.safe_load(emu_text) if emu_text.strip() else None
        config = named.get("config") if isinstance(named, dict) else None
        cst = _cst_file_for(p, str(config) if isinstance(config, str) else None)
        return loads(_read(cst, "spec"), str(cst), str(cst.parent), emu=emu_text, emu_file=str(p))
    if strict and not p.name.endswith(_SUFFIXES):
        raise SpecError(
            f"{p}: container-structure-test reads .yaml, .yml or .json files only",
            hint="container-structure-test: Please provide valid JSON or YAML config file",
        )
    text = _read(p, "spec")
    sidecar = emu_file_for(p)
    if strict or sidecar == p or not sidecar.exists():
        return loads(text, str(p), str(p.parent), strict=strict)
    return loads(text, str(p), str(p.parent), emu=_read(sidecar, "emu file"), emu_file=str(sidecar))


def _items(r: _Reader, data: _Map, key: str) -> list[tuple[_Map, str]]:
    if data.get(key) is None:
        return []
    return r.items(data[key], key, r.pos_of(data, key))


def _fields(
    r: _Reader,
    m: _Map,
    w: str,
    spec: str,
    cst_type: str,
    *required: str,
    additions: tuple[str, ...] = ("weight",),
    renamed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The model's keyword arguments for the test ``m`` (``spec`` as above); ``required``
    keys are read first. ``additions`` (emu's: ``weight``, the metadata test's ``name``) are
    read as the old form; ``renamed`` keys are CST's old names, refused with the new one."""
    readers = dict(item.partition(":")[::2] for item in spec.split())
    for key in additions:
        r.addition(m, key, w, cst_type)
    r.check_keys(m, [*readers, *additions], w, cst_type=cst_type, renamed=renamed)
    values: dict[str, Any] = {}
    for key in [*required, *(k for k in readers if k not in required)]:
        read = getattr(r, readers[key] or "str_")
        attr = re.sub("[A-Z]", lambda c: "_" + c.group().lower(), key)
        if key in required:
            values[attr] = r.require(m, key, w, read)
        elif m.get(key) is not None:
            values[attr] = read(m[key], f"{w}.{key}", r.pos_of(m, key))
    if m.get("weight") is not None:
        values["weight"] = r.number(m["weight"], f"{w}.weight", r.pos_of(m, "weight"))
    if "name" in additions and m.get("name") is not None:
        values["name"] = r.str_(m["name"], f"{w}.name", r.pos_of(m, "name"))
    return values


def _v(r: _Reader) -> str:
    return "v2" if r.version == "2.0.0" else "v1"


def _existence(r: _Reader, m: _Map, w: str) -> FileExistenceTest:
    values = _fields(r, m, w, _FE[r.version], f"{_v(r)}.FileExistenceTest", "name", "path")
    by = values.get("is_executable_by", "")
    if by and by not in ("owner", "group", "other", "any"):
        raise r.error(
            f"{w}.isExecutableBy",
            f"{by!r} is not one of owner, group, other, any",
            r.pos_of(m, "isExecutableBy"),
        )
    return FileExistenceTest(**values)


def _content(r: _Reader, m: _Map, w: str) -> FileContentTest:
    return FileContentTest(**_fields(r, m, w, _FC, f"{_v(r)}.FileContentTest", "name", "path"))


def _command(r: _Reader, m: _Map, w: str) -> CommandTest:
    values = _fields(r, m, w, _CMD[r.version], f"{_v(r)}.CommandTest", "name", "command")
    if r.version == "1.0.0":  # command: [argv…]
        argv = values.pop("command")
        if not argv:
            raise r.error(f"{w}.command", "empty command", r.pos_of(m, "command"))
        values["command"], values["args"] = argv[0], tuple(argv[1:])
    return CommandTest(**values)


def _metadata(r: _Reader, data: _Map) -> MetadataTest | None:
    if data.get("metadataTest") is None:
        return None
    w = "metadataTest"
    m = r.mapping(data[w], w, r.pos_of(data, w))
    # CST's field before 1.x was env; schema 2.0.0 calls it envVars and refuses env.
    values = _fields(
        r,
        m,
        w,
        _META,
        "v2.MetadataTest",
        additions=("name", "weight"),
        renamed={"env": "envVars"},
    )
    return MetadataTest(**values)


def _license(r: _Reader, m: _Map, w: str) -> LicenseTest:
    values = _fields(r, m, w, _LICENSE, f"{_v(r)}.LicenseTest")
    r.warn(
        m.pos,
        f"{w}: license tests are not supported by emu (they check Debian copyright files "
        "against Google's license list); reported as skipped",
    )
    return LicenseTest(**values)


def _run_options(r: _Reader, data: _Map) -> RunOptions:
    if data.get("containerRunOptions") is None:
        return RunOptions()
    w = "containerRunOptions"
    m = r.mapping(data[w], w, r.pos_of(data, w))
    r.check_keys(
        m,
        ["user", "envVars"],
        w,
        unsupported=_RUN_UNSUPPORTED,
        cst_type="unversioned.ContainerRunOptions",
    )
    return RunOptions(
        user=r.get(m, "user", w, r.str_, ""), env_vars=r.get(m, "envVars", w, r.strs, ())
    )


def _with_additions(r: _Reader, spec: Spec, emu: _Map, w: str) -> Spec:
    """``spec`` with emu's additions read from ``emu`` (an emu file, or the old
    ``emuTests``): build settings, limits, build tests, weights, the metadata test's name."""
    pre = f"{w}." if w else ""
    b = r.mapping(emu.get("build"), f"{pre}build", r.pos_of(emu, "build"))
    bw = f"{pre}build"
    r.check_keys(b, ["dockerfile", "target", "buildArgs", "permissive"], bw)
    args_map = r.mapping(b.get("buildArgs"), f"{bw}.buildArgs", r.pos_of(b, "buildArgs"))
    build_args = tuple(
        (str(k), r.str_(v, f"{bw}.buildArgs.{k}", r.pos_of(args_map, k)))
        for k, v in args_map.items()
    )
    settings = BuildSettings(
        dockerfile=r.get(b, "dockerfile", bw, r.str_, "Dockerfile"),
        target=r.get(b, "target", bw, r.str_, None),
        build_args=build_args,
        permissive=r.get(b, "permissive", bw, r.bool_, False),
        context=r.get(emu, "context", w, r.str_, None),
        image=r.get(emu, "image", w, r.str_, None),
    )
    lm = r.mapping(emu.get("limits"), f"{pre}limits", r.pos_of(emu, "limits"))
    lw = f"{pre}limits"
    r.check_keys(lm, list(_LIMITS), lw)
    values: dict[str, Any] = {}
    for key, attr in _LIMITS.items():
        if key not in lm or lm[key] is None:
            continue
        at = r.pos_of(lm, key)
        if key in _SIZES:
            values[attr] = r.size(lm[key], f"{lw}.{key}", at)
        elif key in _FLOATS:
            values[attr] = r.number(lm[key], f"{lw}.{key}", at)
        else:
            n = r.int_(lm[key], f"{lw}.{key}", at)
            if n < 0:
                raise r.error(f"{lw}.{key}", "cannot be negative", at)
            values[attr] = n
    tests: list[EmuTest] = []
    if emu.get("tests") is not None:
        for m, tw in r.items(emu["tests"], f"{pre}tests", r.pos_of(emu, "tests")):
            tests.append(_emu_test(r, m, tw))
    spec = replace(spec, build=settings, limits=SandboxLimits(**values), emu_tests=tuple(tests))
    if emu.get("metadataTestName") is not None:
        at = r.pos_of(emu, "metadataTestName")
        name = r.str_(emu["metadataTestName"], "metadataTestName", at)
        if spec.metadata_test is None:
            raise r.error("metadataTestName", "the CST file has no metadataTest", at)
        spec = replace(spec, metadata_test=replace(spec.metadata_test, name=name))
    if emu.get("weights") is not None:
        spec = _weighted(r, spec, r.mapping(emu["weights"], "weights", r.pos_of(emu, "weights")))
    return spec


def _weighted(r: _Reader, spec: Spec, weights: _Map) -> Spec:
    """``spec`` with the points ``weights`` gives CST's tests, by name: a name that no test
    has is an error (a typo never leaves a test at the default weight unnoticed)."""
    known = [t.name for t in spec.tests() if not isinstance(t, EmuTest)]
    points: dict[str, float] = {}
    for name in weights:
        at = r.pos_of(weights, name)
        if name not in known:
            close = suggest(name, known)
            raise r.error(
                f"weights.{name}",
                "no container-structure-test test has this name",
                at,
                f"did you mean {close}?" if close else "names: " + ", ".join(known),
            )
        points[name] = r.number(weights[name], f"weights.{name}", at)

    def w(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(replace(t, weight=points.get(t.name, t.weight)) for t in items)

    meta = spec.metadata_test
    return replace(
        spec,
        command_tests=w(spec.command_tests),
        file_existence_tests=w(spec.file_existence_tests),
        file_content_tests=w(spec.file_content_tests),
        license_tests=w(spec.license_tests),
        metadata_test=w((meta,))[0] if meta is not None else None,
    )


def _emu_test(r: _Reader, m: _Map, w: str) -> EmuTest:
    kinds = [k for k in m if k not in ("name", "weight")]
    if not kinds:
        raise r.error(w, "names no assertion", m.pos, "one of: " + ", ".join(EMU_KINDS))
    if len(kinds) > 1:
        raise r.error(
            w, f"has {len(kinds)} assertions ({', '.join(kinds)}); give each its own test", m.pos
        )
    kind = kinds[0]
    line = r.pos_of(m, kind)
    if kind not in EMU_KINDS:
        close = suggest(kind, list(EMU_KINDS))
        raise r.error(
            f"{w}.{kind}",
            "unknown assertion",
            line,
            f"did you mean {close}?" if close else "one of: " + ", ".join(EMU_KINDS),
        )
    raw = m[kind]
    kw = f"{w}.{kind}"
    value: object
    if kind == "buildSucceeds":
        value = r.bool_(raw, kw, line)
    elif kind == "buildFails":
        value = raw if isinstance(raw, bool) else r.regexes(raw, kw, line)[0]
    elif kind == "stageCount":
        if isinstance(raw, dict):
            sm = r.mapping(raw, kw, line)
            r.check_keys(sm, ["min", "max"], kw)
            value = (r.get(sm, "min", kw, r.int_, 0), r.get(sm, "max", kw, r.int_, 1 << 30))
        else:
            n = r.int_(raw, kw, line)
            value = (n, n)
    elif kind == "namedStages":
        value = raw if isinstance(raw, bool) else r.strs(raw, kw, line)
    elif kind in ("finalBase", "notInImage", "inImage", "dockerignoreExcludes"):
        value = r.strs(raw, kw, line)
    elif kind == "maxImageSize":
        value = r.size(raw, kw, line)
    elif kind == "copyFrom":
        if isinstance(raw, dict):
            cm = r.mapping(raw, kw, line)
            r.check_keys(cm, ["stage", "source", "dest"], kw)
            value = (
                r.require(cm, "stage", kw, r.str_),
                r.get(cm, "source", kw, r.str_, ""),
                r.get(cm, "dest", kw, r.str_, ""),
            )
        else:
            value = (r.str_(raw, kw, line), "", "")
    elif kind == "noChecks":
        value = raw if raw in ("all", "lessons") else r.strs(raw, kw, line)
    elif kind == "stageStatus":
        sm = r.mapping(raw, kw, line)
        r.check_keys(sm, ["stage", "status"], kw)
        status = r.require(sm, "status", kw, r.str_)
        if status not in ("final", "built", "skipped"):
            raise r.error(f"{kw}.status", f"{status!r} is not one of final, built, skipped", line)
        value = (r.require(sm, "stage", kw, r.str_), status)
    else:  # targetStage
        value = r.str_(raw, kw, line)
    name = r.get(m, "name", w, r.str_, "") or _default_name(kind, value)
    return EmuTest(
        name=name, assertion=kind, value=value, weight=r.get(m, "weight", w, r.number, 1.0)
    )


def _default_name(kind: str, value: object) -> str:
    if kind == "stageCount" and isinstance(value, tuple):
        lo, hi = value
        shown = str(lo) if lo == hi else f"≥ {lo}" if hi >= 1 << 30 else f"{lo}–{hi}"
    elif isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value if v not in ("", None))
    else:
        shown = str(value)
    return f"{kind}: {shown}"
