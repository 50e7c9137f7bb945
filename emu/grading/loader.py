"""Reading a spec file: YAML (or JSON) → :class:`~emu.grading.model.Spec`, with clear messages.

Every field is checked against container-structure-test's schema 2.0.0 and emu's
``emuTests`` key: an unknown field is an error naming the line and the field it resembles
(``shouldexist`` → ``shouldExist``), a value of the wrong type is an error naming what was
expected, a regex that does not compile is an error — a typo never turns a test into one
that silently passes. Fields that CST has but emu cannot honour (``licenseTests``, most of
``containerRunOptions``) are accepted and reported as warnings; license tests show up as
skipped results.
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
)
from emu.pos import Position
from emu.re2 import Regexp, RegexpError

T = TypeVar("T")


# --- YAML with line numbers ----------------------------------------------------------------


class _Map(dict[str, Any]):
    """A mapping that remembers the line of each key (for messages)."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[str(key)] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


# --- regexes -------------------------------------------------------------------------------


def compile_regex(expr: str) -> Regexp:
    """A CST regex (Go's RE2 syntax, as container-structure-test reads it), matched in time
    linear in the text (a student's 2 MB file cannot stall a test); raises
    :class:`~emu.re2.RegexpError` where Go's ``regexp.Compile`` fails."""
    from emu import re2

    return re2.compile(expr)


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


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.warnings: list[str] = []

    def error(self, where: str, message: str, line: int = 0, hint: str | None = None) -> SpecError:
        pos = Position(line, 1) if line > 0 else None
        text = f"{where}: {message}" if where else message
        return SpecError(text, file=self.file, pos=pos, hint=hint)

    def mapping(self, value: object, where: str, line: int = 0) -> _Map:
        if isinstance(value, _Map):
            return value
        if value is None:
            m = _Map()
            m.line, m.key_lines = line, {}
            return m
        raise self.error(where, f"expected a mapping, got {_kind(value)}", line)

    def check_keys(
        self, m: _Map, allowed: list[str], where: str, *, unsupported: dict[str, str] | None = None
    ) -> None:
        for key in m:
            if key in allowed:
                continue
            line = m.key_lines.get(key, m.line)
            if unsupported and key in unsupported:
                self.warnings.append(f"{self.file}:{line}: {where}.{key}: {unsupported[key]}")
                continue
            close = suggest(key, allowed + list(unsupported or {}))
            hint = f"did you mean {close}?" if close else "fields: " + ", ".join(allowed)
            raise self.error(f"{where}.{key}" if where else key, "unknown field", line, hint)

    def line_of(self, m: _Map, key: str) -> int:
        return m.key_lines.get(key, m.line)

    def get(
        self, m: _Map, key: str, where: str, conv: Callable[[object, str, int], T], default: T
    ) -> T:
        if key not in m or m[key] is None:
            return default
        return conv(m[key], f"{where}.{key}" if where else key, self.line_of(m, key))

    def require(self, m: _Map, key: str, where: str, conv: Callable[[object, str, int], T]) -> T:
        if key not in m or m[key] in (None, ""):
            raise self.error(where, f"'{key}' is required", m.line)
        return conv(m[key], f"{where}.{key}", self.line_of(m, key))

    # converters: (value, where, line) -> typed value

    def str_(self, v: object, where: str, line: int) -> str:
        if isinstance(v, (bool, dict | list)):
            raise self.error(where, f"expected a string, got {_kind(v)}", line)
        return str(v)

    def bool_(self, v: object, where: str, line: int) -> bool:
        if not isinstance(v, bool):
            raise self.error(where, f"expected true or false, got {_kind(v)}", line)
        return v

    def int_(self, v: object, where: str, line: int) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(where, f"expected an integer, got {_kind(v)}", line)
        return v

    def number(self, v: object, where: str, line: int) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise self.error(where, f"expected a non-negative number, got {_kind(v)}", line)
        return float(v)

    def size(self, v: object, where: str, line: int) -> int:
        try:
            return parse_size(v)
        except ValueError as exc:
            raise self.error(where, str(exc), line) from None

    def strs(self, v: object, where: str, line: int) -> tuple[str, ...]:
        if isinstance(v, str):
            return (v,)
        if not isinstance(v, list):
            raise self.error(where, f"expected a list of strings, got {_kind(v)}", line)
        return tuple(self.str_(x, f"{where}[{i}]", line) for i, x in enumerate(v))

    def regexes(self, v: object, where: str, line: int) -> tuple[str, ...]:
        out = self.strs(v, where, line)
        for i, expr in enumerate(out):
            try:
                compile_regex(expr)
            except RegexpError as exc:
                raise self.error(f"{where}[{i}]", f"bad regex {expr!r}: {exc}", line) from None
        return out

    def commands(self, v: object, where: str, line: int) -> tuple[tuple[str, ...], ...]:
        if not isinstance(v, list):
            raise self.error(where, "expected a list of commands ([[cmd, arg…], …])", line)
        out = []
        for i, cmd in enumerate(v):
            argv = self.strs(cmd, f"{where}[{i}]", line)
            if not argv:
                raise self.error(f"{where}[{i}]", "empty command", line)
            out.append(argv)
        return tuple(out)

    def env_vars(self, v: object, where: str, line: int) -> tuple[EnvVar, ...]:
        if not isinstance(v, list):
            raise self.error(where, "expected a list of {key, value} items", line)
        out = []
        for i, item in enumerate(v):
            w = f"{where}[{i}]"
            m = self.mapping(item, w, line)
            self.check_keys(m, ["key", "value", "isRegex"], w)
            key = self.require(m, "key", w, self.str_)
            out.append(
                EnvVar(
                    key,
                    self.get(m, "value", w, self.str_, ""),
                    self.get(m, "isRegex", w, self.bool_, False),
                )
            )
        return tuple(out)

    def weight(self, m: _Map, where: str) -> float:
        return self.get(m, "weight", where, self.number, 1.0)

    def items(self, v: object, where: str, line: int) -> list[tuple[_Map, str]]:
        if not isinstance(v, list):
            raise self.error(where, f"expected a list, got {_kind(v)}", line)
        return [(self.mapping(x, f"{where}[{i}]", line), f"{where}[{i}]") for i, x in enumerate(v)]


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


_TOP = [
    "schemaVersion",
    "globalEnvVars",
    "commandTests",
    "fileExistenceTests",
    "fileContentTests",
    "metadataTest",
    "licenseTests",
    "containerRunOptions",
    "emuTests",
]
# A test's fields in CST's order (the order "fields: …" hints list them): each YAML key
# (the model's attribute in camelCase) and, after a colon, the _Reader method that reads its
# value (str_ when not said). A key left out keeps the model's default.
_FE = "name path shouldExist:bool_ permissions uid:int_ gid:int_ isExecutableBy weight:number"
_FC = "name path expectedContents:regexes excludedContents:regexes weight:number"
_CMD = (
    "name setup:commands teardown:commands envVars:env_vars exitCode:int_ command args:strs "
    "expectedOutput:regexes excludedOutput:regexes expectedError:regexes "
    "excludedError:regexes weight:number"
)
_META = (
    "envVars:env_vars unboundEnvVars:env_vars labels:env_vars exposedPorts:strs "
    "unexposedPorts:strs entrypoint:strs cmd:strs workdir volumes:strs unmountedVolumes:strs "
    "user name weight:number"
)
_LICENSE = "debian:bool_ files:strs name weight:number"
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


def loads(text: str, file: str = "<spec>", base_dir: str | None = None) -> Spec:
    """Parse spec text (YAML or JSON); raises :class:`SpecError` with the line on bad input."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = Position(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"not valid YAML: {problem}", file=file, pos=pos) from None
    r = _Reader(file)
    if not isinstance(data, _Map):
        raise r.error("", f"a spec is a mapping with schemaVersion: 2.0.0, got {_kind(data)}")
    r.check_keys(data, _TOP, "")
    version = data.get("schemaVersion")
    if version is None:
        raise r.error("schemaVersion", "is required (schemaVersion: 2.0.0)", data.line)
    if str(version) != "2.0.0":
        raise r.error(
            "schemaVersion",
            f"emu reads container-structure-test schema 2.0.0, not {version}",
            r.line_of(data, "schemaVersion"),
        )
    spec = Spec(
        schema_version="2.0.0",
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
    emu = r.mapping(data.get("emuTests"), "emuTests", r.line_of(data, "emuTests"))
    build, limits, tests = _emu(r, emu)
    names = [t.name for t in spec.tests()] + [t.name for t in tests]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        r.warnings.append(
            f"{file}: test names repeat ({', '.join(dupes)}): reports and grades tell them "
            "apart by position only"
        )
    from dataclasses import replace

    return replace(spec, build=build, limits=limits, emu_tests=tests, warnings=tuple(r.warnings))


def load(path: str | os.PathLike[str]) -> Spec:
    """Read a spec file; relative paths inside it start at its folder."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read spec {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"spec {p} is not UTF-8 text") from None
    return loads(text, str(p), str(p.parent))


def _items(r: _Reader, data: _Map, key: str) -> list[tuple[_Map, str]]:
    if data.get(key) is None:
        return []
    return r.items(data[key], key, r.line_of(data, key))


def _fields(r: _Reader, m: _Map, w: str, spec: str, *required: str) -> dict[str, Any]:
    """The model's keyword arguments for the test ``m`` (``spec`` as above); ``required``
    keys are read first."""
    readers = dict(item.partition(":")[::2] for item in spec.split())
    r.check_keys(m, list(readers), w)
    values: dict[str, Any] = {}
    for key in [*required, *(k for k in readers if k not in required)]:
        read = getattr(r, readers[key] or "str_")
        attr = re.sub("[A-Z]", lambda c: "_" + c.group().lower(), key)
        if key in required:
            values[attr] = r.require(m, key, w, read)
        elif m.get(key) is not None:
            values[attr] = read(m[key], f"{w}.{key}", r.line_of(m, key))
    return values


def _existence(r: _Reader, m: _Map, w: str) -> FileExistenceTest:
    values = _fields(r, m, w, _FE, "name", "path")
    by = values.get("is_executable_by", "")
    if by and by not in ("owner", "group", "other", "any"):
        raise r.error(
            f"{w}.isExecutableBy",
            f"{by!r} is not one of owner, group, other, any",
            r.line_of(m, "isExecutableBy"),
        )
    return FileExistenceTest(**values)


def _content(r: _Reader, m: _Map, w: str) -> FileContentTest:
    return FileContentTest(**_fields(r, m, w, _FC, "name", "path"))


def _command(r: _Reader, m: _Map, w: str) -> CommandTest:
    return CommandTest(**_fields(r, m, w, _CMD, "name", "command"))


def _metadata(r: _Reader, data: _Map) -> MetadataTest | None:
    if data.get("metadataTest") is None:
        return None
    w = "metadataTest"
    m = r.mapping(data[w], w, r.line_of(data, w))
    if "env" in m and "envVars" not in m:
        # CST before 1.x called it env; same shape.
        r.warnings.append(
            f"{r.file}:{r.line_of(m, 'env')}: metadataTest.env: read as envVars (its current name)"
        )
        m["envVars"] = m.pop("env")
        m.key_lines["envVars"] = m.key_lines.get("env", m.line)
    return MetadataTest(**_fields(r, m, w, _META))


def _license(r: _Reader, m: _Map, w: str) -> LicenseTest:
    values = _fields(r, m, w, _LICENSE)
    r.warnings.append(
        f"{r.file}:{m.line}: {w}: license tests are not supported by emu (they check Debian "
        "copyright files against Google's license list); reported as skipped"
    )
    return LicenseTest(**values)


def _run_options(r: _Reader, data: _Map) -> RunOptions:
    if data.get("containerRunOptions") is None:
        return RunOptions()
    w = "containerRunOptions"
    m = r.mapping(data[w], w, r.line_of(data, w))
    r.check_keys(m, ["user", "envVars"], w, unsupported=_RUN_UNSUPPORTED)
    return RunOptions(
        user=r.get(m, "user", w, r.str_, ""), env_vars=r.get(m, "envVars", w, r.strs, ())
    )


def _emu(r: _Reader, emu: _Map) -> tuple[BuildSettings, SandboxLimits, tuple[EmuTest, ...]]:
    w = "emuTests"
    r.check_keys(emu, ["context", "image", "build", "limits", "tests"], w)
    b = r.mapping(emu.get("build"), f"{w}.build", r.line_of(emu, "build"))
    bw = f"{w}.build"
    r.check_keys(b, ["dockerfile", "target", "buildArgs", "permissive"], bw)
    args_map = r.mapping(b.get("buildArgs"), f"{bw}.buildArgs", r.line_of(b, "buildArgs"))
    build_args = tuple(
        (str(k), r.str_(v, f"{bw}.buildArgs.{k}", r.line_of(args_map, k)))
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
    lm = r.mapping(emu.get("limits"), f"{w}.limits", r.line_of(emu, "limits"))
    lw = f"{w}.limits"
    r.check_keys(lm, list(_LIMITS), lw)
    values: dict[str, Any] = {}
    for key, attr in _LIMITS.items():
        if key not in lm or lm[key] is None:
            continue
        line = r.line_of(lm, key)
        if key in _SIZES:
            values[attr] = r.size(lm[key], f"{lw}.{key}", line)
        elif key in _FLOATS:
            values[attr] = r.number(lm[key], f"{lw}.{key}", line)
        else:
            n = r.int_(lm[key], f"{lw}.{key}", line)
            if n < 0:
                raise r.error(f"{lw}.{key}", "cannot be negative", line)
            values[attr] = n
    limits = SandboxLimits(**values)
    tests: list[EmuTest] = []
    if emu.get("tests") is not None:
        for m, tw in r.items(emu["tests"], f"{w}.tests", r.line_of(emu, "tests")):
            tests.append(_emu_test(r, m, tw))
    return settings, limits, tuple(tests)


def _emu_test(r: _Reader, m: _Map, w: str) -> EmuTest:
    kinds = [k for k in m if k not in ("name", "weight")]
    if not kinds:
        raise r.error(w, "names no assertion", m.line, "one of: " + ", ".join(EMU_KINDS))
    if len(kinds) > 1:
        raise r.error(
            w, f"has {len(kinds)} assertions ({', '.join(kinds)}); give each its own test", m.line
        )
    kind = kinds[0]
    line = r.line_of(m, kind)
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
    return EmuTest(name=name, assertion=kind, value=value, weight=r.weight(m, w))


def _default_name(kind: str, value: object) -> str:
    if kind == "stageCount" and isinstance(value, tuple):
        lo, hi = value
        shown = str(lo) if lo == hi else f"≥ {lo}" if hi >= 1 << 30 else f"{lo}–{hi}"
    elif isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value if v not in ("", None))
    else:
        shown = str(value)
    return f"{kind}: {shown}"
