"""Tag grammars: how a family's data reads a tag such as ``20.11.1-alpine3.19`` into the
parameters its templates are filled with.

A family's data declares (all optional but ``fields``)::

    defaults: {template: full, debian: bookworm}     # parameters before anything else
    versions:                                        # version lines, newest first
      "22": {version: 22.23.1, alpine: "3.21"}       # each line's own parameters
      "20": {version: 20.19.5, alpine: "3.21"}
    aliases: {lts: "22", latest: "22", iron: "20"}   # words that name a version
    version_pattern: '\\d+(?:\\.\\d+){0,2}'            # what a written version looks like
    tables:                                          # parameters that follow from another's
      debian: {"11": {codename: bullseye}, "12": {codename: bookworm}}
    fields:                                          # the tag, left to right, "-"-joined
      - version                                      # the version field
      - name: variant
        default: {template: full}                    # when the tag has no such part
        choices:                                     # the first that matches the part
          - {match: 'alpine(?P<alpine>3\\.\\d+)?', set: {template: alpine}}
          - {match: '(?P<debian>bookworm|bullseye)-slim', set: {template: slim}}

A tag is split at ``-`` and every field takes a run of the pieces (longest first, so a
choice may itself contain dashes, as ``bookworm-slim`` or ``eclipse-temurin-21`` do); a field
whose part is absent contributes its ``default`` (a field without one must be present). The
version field takes a written version or an alias and finds its line: the first line whose
components agree with the written ones (``3`` finds ``3.13``, ``20.11.1`` finds ``20``).

Parameters are applied in this order, later ones winning: ``defaults``, the version line's
own parameters, the repository's (a registry path such as ``distroless/static-debian12``
carries some), then each field's ``default`` or choice ``set`` and the named groups of its
match. Every version line also gives ``version`` (the full version: the one written when
it is complete, else the line's) and ``line``; :func:`derived` adds ``major``, ``minor``
and ``version_build``. Last, each ``tables`` entry adds the parameters the value of its
parameter implies (under everything set explicitly).
"""

from __future__ import annotations

import re
from typing import Any

from emu.errors import CatalogDataError
from emu.images.skeleton import as_mapping, as_str
from emu.records import record

_DEFAULT_VERSION = r"\d+(?:\.\d+)*"


@record(frozen=True, slots=True)
class Choice:
    pattern: str  # compiled on first use (re caches it): a lookup reads few choices
    sets: dict[str, Any]


@record(frozen=True, slots=True)
class Field:
    name: str
    choices: tuple[Choice, ...]
    default: dict[str, Any] | None  # None: the tag must have this part
    version: bool = False


@record(frozen=True, slots=True)
class Line:
    key: str
    parts: tuple[str, ...]
    params: dict[str, Any]


class Grammar:
    """One family's tag grammar, compiled from its data."""

    __slots__ = ("aliases", "defaults", "fields", "lines", "tables", "version_re", "where")

    def __init__(self, raw: dict[str, Any], where: str) -> None:
        self.where = where
        self.defaults = as_mapping(raw.get("defaults", {}), f"{where}: defaults")
        self.tables = {
            str(name): {str(k): as_mapping(v, f"{where}: tables.{name}.{k}") for k, v in
                        as_mapping(table, f"{where}: tables.{name}").items()}
            for name, table in as_mapping(raw.get("tables", {}), f"{where}: tables").items()
        }  # fmt: skip
        self.lines: list[Line] = []
        for key, params in as_mapping(raw.get("versions", {}), f"{where}: versions").items():
            line_params = as_mapping(params, f"{where}: versions.{key}")
            self.lines.append(Line(str(key), _parts(str(key)), line_params))
        self.aliases = {
            str(k): str(v)
            for k, v in as_mapping(raw.get("aliases", {}), f"{where}: aliases").items()
        }
        pattern = as_str(raw.get("version_pattern", _DEFAULT_VERSION), f"{where}: version_pattern")
        self.version_re = pattern
        fields = raw.get("fields")
        if not isinstance(fields, list) or not fields:
            raise CatalogDataError(f"{where}: fields must be a non-empty list")
        self.fields = tuple(self._field(f, f"{where}: fields[{i}]") for i, f in enumerate(fields))
        if any(f.version for f in self.fields) and not self.lines:
            raise CatalogDataError(f"{where}: a version field needs `versions`")

    def _field(self, raw: Any, where: str) -> Field:
        if raw == "version":
            return Field("version", (), {}, version=True)
        spec = as_mapping(raw, where)
        unknown = set(spec) - {"name", "choices", "default", "required"}
        if unknown:
            raise CatalogDataError(f"{where}: unknown keys {sorted(unknown)}")
        choices = []
        for i, c in enumerate(spec.get("choices") or []):
            cw = f"{where}: choices[{i}]"
            cs = as_mapping(c, cw)
            if set(cs) - {"match", "set"}:
                raise CatalogDataError(f"{cw}: unknown keys {sorted(set(cs) - {'match', 'set'})}")
            choices.append(Choice(as_str(cs.get("match"), cw), as_mapping(cs.get("set", {}), cw)))
        if not choices:
            raise CatalogDataError(f"{where}: a field needs choices")
        default = None if spec.get("required") else as_mapping(spec.get("default", {}), where)
        return Field(as_str(spec.get("name"), where), tuple(choices), default)

    # --- reading a tag ----------------------------------------------------------------------

    def parse(self, tag: str, initial: dict[str, Any]) -> dict[str, Any] | None:
        """The parameters ``tag`` means (before ``{{}}`` references are filled), or None."""
        tokens = tag.split("-")
        matched = self._match(0, 0, tokens, [])
        if matched is None:
            return None
        params = dict(self.defaults)
        for field, text, _groups in matched:
            if field.version:
                version = self._version(self._written(text))
                if version is None:
                    return None
                params.update(version)
                if text in self.aliases:
                    params["alias"] = text
        params.update(initial)
        for field, text, groups in matched:
            if field.version:
                continue
            if text is None:
                params.update(field.default or {})
            else:
                params.update(groups)
        for name, table in self.tables.items():
            # Parameters that follow from another one's value (debian "11" -> bullseye, ...),
            # under everything set explicitly.
            entry = table.get(str(params.get(name)))
            if entry is not None:
                params = {**entry, **params}
        return params

    def _match(
        self,
        fi: int,
        ti: int,
        tokens: list[str],
        acc: list[tuple[Field, str | None, dict[str, Any]]],
    ) -> list[tuple[Field, str | None, dict[str, Any]]] | None:
        if fi == len(self.fields):
            return acc if ti == len(tokens) else None
        field = self.fields[fi]
        for tj in range(len(tokens), ti, -1):  # longest run first
            text = "-".join(tokens[ti:tj])
            for sets in self._matches(field, text):
                found = self._match(fi + 1, tj, tokens, [*acc, (field, text, sets)])
                if found is not None:
                    return found
        if field.default is not None:
            return self._match(fi + 1, ti, tokens, [*acc, (field, None, {})])
        return None

    def _matches(self, field: Field, text: str) -> list[dict[str, Any]]:
        if field.version:
            written = self._written(text)
            if written is None or text in self.aliases or re.fullmatch(self.version_re, text):
                return [{}] if self._version(written) is not None else []
            return []
        out = []
        for choice in field.choices:
            try:
                m = re.fullmatch(choice.pattern, text)
            except re.error as exc:
                raise CatalogDataError(f"{self.where}: bad regular expression: {exc}") from None
            if m is not None:
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                out.append({**choice.sets, **groups})
        return out

    def _written(self, text: str | None) -> str | None:
        """The version a version part names (an alias resolved); None for the default."""
        if text is None or (text == "latest" and "latest" not in self.aliases):
            return None
        return self.aliases.get(text, text)

    def _line(self, written: str) -> Line | None:
        parts = _parts(written)
        for line in self.lines:
            n = min(len(parts), len(line.parts))
            if parts[:n] == line.parts[:n]:
                return line
        return None

    def _version(self, written: str | None) -> dict[str, Any] | None:
        """The version line's parameters plus version, line, major and minor."""
        if written is None:  # no version in the tag: what `latest` names, else the newest
            written = self.aliases.get("latest", self.lines[0].key)
        line = self._line(written)
        if line is None:
            return None
        out = dict(line.params)
        full = str(out.get("version", line.key))
        fp, wp = _parts(full), _parts(written)
        if fp[: len(wp)] != wp and len(wp) >= len(line.parts):
            # A more precise version than the line's newest: the tag's own (20.11.1), with
            # missing components as 0 (20.11 -> 20.11.0: emu does not know every patch).
            missing = len(fp) - len(wp)
            full = written + ".0" * max(missing, 0)
            if missing > 0:
                out["version_assumed"] = True
        out.update(version=full, line=line.key)
        return out

    # --- describing ------------------------------------------------------------------------

    def line_keys(self) -> list[str]:
        return [line.key for line in self.lines]

    def nearest_line(self, written: str) -> str | None:
        """The known line numerically closest to ``written`` (for suggestions)."""
        want = version_vector(written)
        if not self.lines or want is None:
            return None
        return min(self.lines, key=lambda ln: _distance(version_vector(ln.key), want)).key


def derived(params: dict[str, Any]) -> dict[str, Any]:
    """``major``, ``minor`` and ``version_build`` from ``version`` (``21.0.5_11`` has major
    ``21``, minor ``21.0`` and version_build ``21.0.5+11``, as Java writes it)."""
    version = params.get("version")
    if not isinstance(version, str):
        return params
    parts = _parts(version)
    return {
        **params,
        "major": parts[0],
        "minor": ".".join(parts[:2]),
        "version_build": version.replace("_", "+"),
    }


def version_vector(text: str) -> tuple[int, ...] | None:
    """``"1.24.2"`` -> ``(1, 24, 2)``; None when it does not start with a number."""
    out = []
    for part in re.split(r"[._]", text):
        m = re.match(r"\d+", part)
        if m is None:
            break
        out.append(int(m.group()))
    return tuple(out) if out else None


def _distance(a: tuple[int, ...] | None, b: tuple[int, ...]) -> tuple[int, ...]:
    if a is None:
        return (1 << 30,)
    n = max(len(a), len(b))
    pa, pb = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return tuple(abs(x - y) for x, y in zip(pa, pb, strict=True))


def version_distance(a: str, b: str) -> tuple[int, ...]:
    """How far apart two versions are, component by component (for the nearest model)."""
    vb = version_vector(b)
    return _distance(version_vector(a), vb or ())


def _parts(version: str) -> tuple[str, ...]:
    # "8u342" is Java 8 update 342: its line is 8.
    return tuple(re.split(r"\.|(?<=\d)u(?=\d)", version))
