"""A subset of Go's ``text/template``, as ``docker inspect --format`` runs it.

What scripts write after ``--format``: fields (``{{.Config.Cmd}}`` prints ``[a b]``, as Go
prints a slice), ``{{json .Config}}``, pipelines (``{{.Os | upper}}``), ``{{range}}`` (with
``$i, $e :=``, ``{{else}}``, ``{{break}}``, ``{{continue}}``), ``{{if}}``/``{{else if}}``,
``{{with}}``, variables (``$x := …``, ``$x = …``, ``$``), parentheses, comments and the
``{{-``/``-}}`` trim markers; Go's functions (``and or not len index slice eq ne lt le gt
ge print printf println html js urlquery``) and docker's (``json split join title lower
upper pad truncate``). ``{{define}}``, ``{{template}}`` and ``{{block}}`` are refused, never
echoed.

Values print as Go's ``fmt`` prints them: a slice ``[a b]``, a map ``map[k:v]`` in key
order, a nil pointer ``<nil>``, a missing map key ``<no value>``, a duration ``1m30s``.
docker first runs the template on its typed response (:func:`typed`: every field of
docker's struct, zero when unset), and when a field is not in that struct, again on the raw
JSON with ``missingkey=error`` — which is where ``map has no entry for key "X"`` comes from
(:func:`render`). Messages are Go's: ``template: :1:9: executing "" at <.Config.Nope>: …``.
The expectations in ``tests/cli/test_gotemplate.py`` were recorded with docker 28's client.
"""

from __future__ import annotations

import json
import math
import re
import urllib.parse
from collections.abc import Callable, Generator, Iterator
from typing import Any

from emu.records import field, record

__all__ = ["ExecError", "ParseError", "TemplateError", "parse", "render", "typed"]


class TemplateError(Exception):
    """A template that does not parse or does not run, worded as Go words it."""


class ParseError(TemplateError):
    pass


class ExecError(TemplateError):
    pass


class _Fallback(ExecError):
    """A field docker's typed struct does not have: run again on the raw JSON."""


# --- values that print as Go's ------------------------------------------------------------


@record(frozen=True, slots=True)
class Nil:
    """A nil slice (prints ``[]``), map (``map[]``) or pointer (``<nil>``)."""

    kind: str  # "slice" | "map" | "ptr"


@record(frozen=True, slots=True)
class EmptyStruct:
    """``struct{}``, the value type of ExposedPorts and Volumes: prints ``{}``."""


class Duration(int):
    """Nanoseconds that print as Go's ``time.Duration`` (``1m30s``, ``500ms``, ``0s``)."""

    def __str__(self) -> str:
        return _duration(int(self))


@record(frozen=True, slots=True)
class GoTime:
    """A ``time.Time`` (from its RFC 3339 text): prints as Go does
    (``2024-01-02 03:04:05.5 +0000 UTC``); "" is Go's zero time."""

    text: str = ""

    def __str__(self) -> str:
        m = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$", self.text)
        if m is None:
            return "0001-01-01 00:00:00 +0000 UTC"
        frac = (m.group(3) or "").rstrip("0").rstrip(".")
        return f"{m.group(1)} {m.group(2)}{frac} +0000 UTC"


@record(slots=True)
class GoStruct:
    """A struct: named fields in declaration order; ``embedded`` ones promote their fields
    (as ``DockerOCIImageConfig`` embeds the OCI ``ImageConfig``); ``raw`` is what ``json``
    writes for it (the JSON docker marshals, empty fields omitted)."""

    name: str
    fields: dict[str, Any]
    raw: Any = None
    embedded: tuple[str, ...] = ()

    def get(self, name: str) -> tuple[bool, Any]:
        if name in self.fields and name not in self.embedded:
            return True, self.fields[name]
        for sub in self.embedded:
            inner = self.fields[sub]
            if isinstance(inner, GoStruct):
                found, value = inner.get(name)
                if found:
                    return True, value
        return False, None


_NO_VALUE = object()  # a missing map key: prints "<no value>"


def _duration(ns: int) -> str:
    """Go's ``time.Duration.String``."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:  # under a second: the largest unit that keeps a non-zero integer
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _fraction(ns, size) + unit
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    out = f"{hours}h" if hours else ""
    if hours or minutes:
        out += f"{minutes}m"
    return sign + out + _fraction(rest, 1_000_000_000) + "s"


def _fraction(n: int, unit: int) -> str:
    whole, frac = divmod(n, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def _go_float(x: float) -> str:
    """``%v`` of a float64 (strconv's shortest ``'g'``): exponent form below 1e-4 and from
    1e6 (``1.984241e+06``), plain digits between."""
    from decimal import Decimal

    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if math.isnan(x):
        return "NaN"
    if x == 0:
        return "0"
    sign, raw_digits, exp = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exp, int)
    digits = "".join(map(str, raw_digits))
    dp = len(digits) + exp  # where the decimal point goes, counted from the first digit
    e = dp - 1
    minus = "-" if sign else ""
    if e < -4 or e >= 6:
        frac = digits[1:]
        return (
            f"{minus}{digits[0]}{'.' + frac if frac else ''}e{'+' if e >= 0 else '-'}{abs(e):02d}"
        )
    if dp <= 0:
        return f"{minus}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return minus + digits + "0" * (dp - len(digits))
    return f"{minus}{digits[:dp]}.{digits[dp:]}"


def show(value: Any) -> str:
    """What ``{{.}}`` prints for ``value`` (Go's ``fmt.Fprint`` after ``indirect``)."""
    if value is _NO_VALUE:
        return "<no value>"
    return _fmt(value, top=True)


def _fmt(value: Any, top: bool = False) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Nil):
        return {"slice": "[]", "map": "map[]", "ptr": "<nil>"}[value.kind]
    if isinstance(value, EmptyStruct):
        return "{}"
    if isinstance(value, GoTime):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + " ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{_fmt(k)}:{_fmt(value[k])}" for k in _keys(value)) + "]"
    if isinstance(value, GoStruct):
        if not top and value.name.startswith("*"):
            # Go prints a pointer inside a struct as its address: nothing to reproduce.
            raise ExecError(
                f"emu cannot print a {value.name[1:]} nested in a struct as Go does "
                "(it prints a memory address); print its fields, or use json"
            )
        return "{" + " ".join(_fmt(v) for v in value.fields.values()) + "}"
    return str(value)


def _keys(d: dict[Any, Any]) -> list[Any]:
    return sorted(d, key=lambda k: (not isinstance(k, int | float), k))


def _truth(value: Any) -> bool:
    """Go's ``template.IsTrue``: zero values, nil and empty collections are false."""
    if value is None or value is _NO_VALUE or isinstance(value, Nil):
        return False
    if isinstance(value, bool | int | float | str | list | tuple | dict):
        return bool(value)
    return True  # structs, times


def _json(value: Any) -> str:
    """docker's ``json`` function: Go's encoder without HTML escaping, compact."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if value is _NO_VALUE or isinstance(value, Nil):
        return None
    if isinstance(value, GoStruct):
        if value.raw is not None:
            return value.raw
        return {k: _plain(v) for k, v in value.fields.items()}
    if isinstance(value, EmptyStruct):
        return {}
    if isinstance(value, GoTime):
        return value.text or "0001-01-01T00:00:00Z"
    if isinstance(value, Duration):
        return int(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# --- docker's typed response ---------------------------------------------------------------


def _strings(v: Any) -> Any:
    return list(v) if v else Nil("slice")


def _set(v: Any) -> Any:
    return {k: EmptyStruct() for k in v} if v else Nil("map")


_CONFIG_FIELDS = (
    "User",
    "ExposedPorts",
    "Env",
    "Entrypoint",
    "Cmd",
    "Volumes",
    "WorkingDir",
    "Labels",
    "StopSignal",
    "ArgsEscaped",
    "Healthcheck",
    "OnBuild",
    "Shell",
)


def typed(doc: dict[str, Any]) -> GoStruct:
    """``docker image inspect``'s response as docker 28's client decodes it (its struct
    ``image.InspectResponse``), from the JSON document ``doc``: every field present, zero
    where ``doc`` has nothing."""
    c = doc.get("Config") or {}
    h = c.get("Healthcheck")
    health: Any = Nil("ptr")
    if isinstance(h, dict):
        health = GoStruct(
            "*HealthConfig",
            {
                "Test": _strings(h.get("Test")),
                "Interval": Duration(h.get("Interval") or 0),
                "Timeout": Duration(h.get("Timeout") or 0),
                "StartPeriod": Duration(h.get("StartPeriod") or 0),
                "StartInterval": Duration(h.get("StartInterval") or 0),
                "Retries": int(h.get("Retries") or 0),
            },
            raw=h,
        )
    image_config = GoStruct(
        "ImageConfig",
        {
            "User": c.get("User", ""),
            "ExposedPorts": _set(c.get("ExposedPorts")),
            "Env": _strings(c.get("Env")),
            "Entrypoint": _strings(c.get("Entrypoint")),
            "Cmd": _strings(c.get("Cmd")),
            "Volumes": _set(c.get("Volumes")),
            "WorkingDir": c.get("WorkingDir", ""),
            "Labels": dict(c["Labels"]) if c.get("Labels") else Nil("map"),
            "StopSignal": c.get("StopSignal", ""),
            "ArgsEscaped": bool(c.get("ArgsEscaped", False)),
        },
    )
    ext = GoStruct(
        "DockerOCIImageConfigExt",
        {
            "Healthcheck": health,
            "OnBuild": _strings(c.get("OnBuild")),
            "Shell": _strings(c.get("Shell")),
        },
    )
    config = GoStruct(
        "*DockerOCIImageConfig",
        {"ImageConfig": image_config, "DockerOCIImageConfigExt": ext},
        # What json writes: the OCI fields and docker's three, empty ones omitted (an API
        # 1.41 daemon's Hostname, AttachStdin... are not in docker 28's struct).
        raw={k: c[k] for k in _CONFIG_FIELDS if c.get(k)},
        embedded=("ImageConfig", "DockerOCIImageConfigExt"),
    )
    rootfs = doc.get("RootFS") or {}
    size = int(doc.get("Size") or 0)
    driver = doc.get("GraphDriver") or {}
    tagged = (doc.get("Metadata") or {}).get("LastTagTime") or ""
    return GoStruct(
        "InspectResponse",
        {
            "Id": doc.get("Id", ""),
            "RepoTags": _strings(doc.get("RepoTags")),
            "RepoDigests": _strings(doc.get("RepoDigests")),
            "Parent": doc.get("Parent", ""),
            "Comment": doc.get("Comment", ""),
            "Created": doc.get("Created", ""),
            "Container": "",
            "ContainerConfig": Nil("ptr"),
            "DockerVersion": doc.get("DockerVersion", ""),
            "Author": doc.get("Author", ""),
            "Config": config,
            "Architecture": doc.get("Architecture", ""),
            "Variant": doc.get("Variant", ""),
            "Os": doc.get("Os", ""),
            "OsVersion": "",
            "Size": size,
            "VirtualSize": size,  # API 1.41 reports it, equal to Size
            "GraphDriver": GoStruct(
                "DriverData",
                {
                    "Data": dict(driver.get("Data") or {}) or Nil("map"),
                    "Name": driver.get("Name", ""),
                },
                raw=driver or None,
            ),
            "RootFS": GoStruct(
                "RootFS",
                {"Type": rootfs.get("Type", ""), "Layers": _strings(rootfs.get("Layers"))},
                raw=rootfs,
            ),
            "Metadata": GoStruct("Metadata", {"LastTagTime": GoTime(str(tagged))}),
            "Descriptor": Nil("ptr"),
            "Manifests": Nil("slice"),
        },
        raw=doc,
    )


# --- lexing ---------------------------------------------------------------------------------


@record(frozen=True, slots=True)
class _Tok:
    kind: str  # text, open, close, space, field, var, dot, ident, string, number, char,
    #            pipe, lparen, rparen, declare, assign, comma, eof
    value: str
    pos: int


_SPACE = " \t\r\n"
_NUMBER = re.compile(
    r"[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|"
    r"(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?)"
)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, pos: int, message: str) -> ParseError:
        line = self.text.count("\n", 0, pos) + 1
        return ParseError(f"template: :{line}: {message}")

    def tokens(self) -> Iterator[_Tok]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            start = text.find("{{", i)
            if start < 0:
                yield _Tok("text", text[i:], i)
                break
            inner = start + 2
            trim_left = text.startswith("- ", inner) or (
                text.startswith("-", inner) and text[inner + 1 : inner + 2] in ("\t", "\r", "\n")
            )
            chunk = text[i:start]
            if trim_left:
                chunk = chunk.rstrip(_SPACE)
                inner += 1
            if chunk:
                yield _Tok("text", chunk, i)
            yield _Tok("open", "{{", start)
            j = inner
            while j < n and text[j] in _SPACE:
                j += 1
            if text.startswith("/*", j):  # a comment: {{/* … */}}, nothing else inside
                end = text.find("*/", j + 2)
                if end < 0:
                    raise self.error(j, "unclosed comment")
                k = end + 2
                while k < n and text[k] in _SPACE:
                    k += 1
                trim_right = text.startswith("-}}", k) and text[k - 1 : k] in _SPACE
                if trim_right:
                    k += 1
                if not text.startswith("}}", k):
                    raise self.error(k, "comment ends before closing delimiter")
                i = k + 2
                if trim_right:
                    i = _skip_space(text, i)
                yield _Tok("close", "}}", k)
                continue
            i, trim_right = yield from self._action(inner)
            if trim_right:
                i = _skip_space(text, i)
        yield _Tok("eof", "", n)

    def _action(self, i: int) -> Generator[_Tok, None, tuple[int, bool]]:
        text, n = self.text, len(self.text)
        depth = 0
        while True:
            if i >= n:
                raise self.error(i, "unclosed action")
            c = text[i]
            if (
                text.startswith(" -}}", i)
                or text.startswith("\t-}}", i)
                or text.startswith("\n-}}", i)
            ):
                yield _Tok("close", "}}", i + 2)
                return i + 4, True
            if text.startswith("}}", i):
                if depth:
                    raise self.error(i, "unclosed left paren")
                yield _Tok("close", "}}", i)
                return i + 2, False
            if c in _SPACE:
                j = i
                while j < n and text[j] in _SPACE:
                    j += 1
                yield _Tok("space", text[i:j], i)
                i = j
            elif c == "|":
                yield _Tok("pipe", "|", i)
                i += 1
            elif c == "(":
                depth += 1
                yield _Tok("lparen", "(", i)
                i += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    raise self.error(i, "unexpected right paren")
                yield _Tok("rparen", ")", i)
                i += 1
            elif text.startswith(":=", i):
                yield _Tok("declare", ":=", i)
                i += 2
            elif c == "=":
                yield _Tok("assign", "=", i)
                i += 1
            elif c == ",":
                yield _Tok("comma", ",", i)
                i += 1
            elif c == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    if text[j] == "\\":
                        j += 1
                    elif text[j] == "\n":
                        raise self.error(j, "unterminated quoted string")
                    j += 1
                if j >= n:
                    raise self.error(i, "unterminated quoted string")
                yield _Tok("string", text[i : j + 1], i)
                i = j + 1
            elif c == "`":
                j = text.find("`", i + 1)
                if j < 0:
                    raise self.error(i, "unterminated raw quoted string")
                yield _Tok("string", text[i : j + 1], i)
                i = j + 1
            elif c == "'":
                m = re.match(r"'(\\.[^']*|[^'\\])'", text[i:])
                if m is None:
                    raise self.error(i, "unterminated character constant")
                yield _Tok("char", m.group(0), i)
                i += m.end()
            elif c == "$":
                m = re.match(r"\$[A-Za-z0-9_]*", text[i:])
                assert m is not None
                yield _Tok("var", m.group(0), i)
                i += m.end()
            elif c == "." and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_"):
                m = re.match(r"\.[A-Za-z0-9_]+", text[i:])
                assert m is not None
                yield _Tok("field", m.group(0), i)
                i += m.end()
            elif c == "." and not (i + 1 < n and (text[i + 1].isascii() and text[i + 1].isdigit())):
                yield _Tok("dot", ".", i)
                i += 1
            elif (c.isascii() and c.isdigit()) or c in "+-.":
                m = _NUMBER.match(text, i)
                end = m.end() if m else i
                while end < n and (text[end].isalnum() or text[end] in "._"):
                    end += 1  # Go reads the whole word, then says it is no number
                word = text[i:end] or c
                if m is None or m.end() != end:
                    raise self.error(i, f'illegal number syntax: "{word}"')
                yield _Tok("number", word, i)
                i = end
            elif c.isalpha() or c == "_":
                m = re.match(r"[A-Za-z0-9_]+", text[i:])
                assert m is not None
                yield _Tok("ident", m.group(0), i)
                i += m.end()
            else:
                raise self.error(i, f"bad character U+{ord(c):04X} {c!r}")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


# --- parsing -------------------------------------------------------------------------------


@record(slots=True)
class _Node:
    pos: int


@record(slots=True)
class _Text(_Node):
    text: str


@record(slots=True)
class _Field(_Node):
    """``.A.B`` (on dot), ``$x.A`` (on a variable), or ``(pipe).A`` (on an operand)."""

    names: tuple[str, ...]
    base: Any = None  # None: dot; a _Var or a _Pipe
    src: str = ""


@record(slots=True)
class _Var(_Node):
    name: str


@record(slots=True)
class _Dot(_Node):
    pass


@record(slots=True)
class _Ident(_Node):
    name: str


@record(slots=True)
class _Literal(_Node):
    value: Any
    src: str


@record(slots=True)
class _Command(_Node):
    args: list[Any]


@record(slots=True)
class _Pipe(_Node):
    decl: list[str]
    assign: bool
    cmds: list[_Command]


@record(slots=True)
class _Action(_Node):
    pipe: _Pipe


@record(slots=True)
class _Branch(_Node):
    kind: str  # if, range, with
    pipe: _Pipe
    body: list[_Node]
    orelse: list[_Node] = field(default_factory=list)


@record(slots=True)
class _Loop(_Node):
    kind: str  # break, continue


class _Parser:
    def __init__(self, text: str) -> None:
        self.lexer = _Lexer(text)
        self.toks = list(self.lexer.tokens())
        self.i = 0
        self.vars: list[str] = ["$"]
        self.loops = 0

    def error(self, tok: _Tok, message: str) -> ParseError:
        return self.lexer.error(tok.pos, message)

    def peek(self, skip_space: bool = True) -> _Tok:
        j = self.i
        while skip_space and self.toks[j].kind == "space":
            j += 1
        return self.toks[j]

    def next(self, skip_space: bool = True) -> _Tok:
        while skip_space and self.toks[self.i].kind == "space":
            self.i += 1
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> list[_Node]:
        nodes, end = self.list_until(())
        assert end is None
        return nodes

    def list_until(self, enders: tuple[str, ...]) -> tuple[list[_Node], _Tok | None]:
        """Nodes up to ``{{end}}``/``{{else}}`` (returned, their keyword token consumed)."""
        nodes: list[_Node] = []
        while True:
            tok = self.next(skip_space=False)
            if tok.kind == "eof":
                if enders:
                    raise self.error(tok, "unexpected EOF")
                return nodes, None
            if tok.kind == "text":
                nodes.append(_Text(tok.pos, tok.value))
                continue
            assert tok.kind == "open"
            head = self.peek()
            if head.kind == "close":  # a comment, or {{ }}
                self.next()
                if "/*" not in self.lexer.text[tok.pos : head.pos]:
                    raise self.error(head, "missing value for command")
                continue
            if head.kind == "ident" and head.value in ("end", "else"):
                self.next()
                if head.value not in enders:
                    raise self.error(head, f"unexpected {{{{{head.value}}}}}")
                return nodes, head
            nodes.append(self.action())

    def action(self) -> _Node:
        tok = self.peek()
        if tok.kind == "ident":
            if tok.value in ("if", "range", "with"):
                self.next()
                return self.branch(tok)
            if tok.value in ("break", "continue"):
                self.next()
                if not self.loops:
                    raise self.error(tok, f"{{{{{tok.value}}}}} outside {{{{range}}}}")
                self.expect_close(tok.value)
                return _Loop(tok.pos, tok.value)
            if tok.value in ("define", "template", "block"):
                raise self.error(
                    tok,
                    f"{{{{{tok.value}}}}}: emu's template subset has no nested templates",
                )
        return _Action(tok.pos, self.pipeline("command", decl_ok=True))

    def expect_close(self, context: str) -> None:
        tok = self.next()
        if tok.kind != "close":
            raise self.error(tok, f"unexpected {self.describe(tok)} in {context}")

    def describe(self, tok: _Tok) -> str:
        return {"close": "}}", "rparen": "right paren", "eof": "EOF"}.get(
            tok.kind, f'"{tok.value}"'
        )

    def branch(self, keyword: _Tok) -> _Branch:
        mark = len(self.vars)
        pipe = self.pipeline(keyword.value, decl_ok=True, range_ok=keyword.value == "range")
        if keyword.value == "range":
            self.loops += 1
        body, end = self.list_until(("end", "else"))
        if keyword.value == "range":
            self.loops -= 1
        node = _Branch(keyword.pos, keyword.value, pipe, body)
        assert end is not None
        if end.value == "else":
            nxt = self.peek()
            if (
                keyword.value in ("if", "with")
                and nxt.kind == "ident"
                and nxt.value == keyword.value
            ):
                # {{else if …}}: an if inside the else, ended by the same {{end}}
                self.next()
                node.orelse = [self.branch(nxt)]
            else:
                self.expect_close("else")
                node.orelse, _ = self.list_until(("end",))
                self.expect_close("end")
        else:
            self.expect_close("end")
        del self.vars[mark:]
        return node

    def pipeline(self, context: str, *, decl_ok: bool = False, range_ok: bool = False) -> _Pipe:
        start = self.peek()
        decl: list[str] = []
        assign = False
        if decl_ok and start.kind == "var":
            save = self.i
            names = [self.next().value]
            if range_ok and self.peek().kind == "comma":
                self.next()
                second = self.next()
                if second.kind != "var":
                    raise self.error(second, "range can only initialize variables")
                names.append(second.value)
            op = self.peek()
            if op.kind in ("declare", "assign") and (op.kind == "declare" or len(names) == 1):
                self.next()
                decl, assign = names, op.kind == "assign"
                if op.kind == "declare":
                    self.vars.extend(names)
                elif names[0] not in self.vars:
                    raise self.error(op, f"undefined variable: {names[0]}")
            else:
                self.i = save
        cmds: list[_Command] = []
        end_kind = "rparen" if context == "parenthesized pipeline" else "close"
        while True:
            tok = self.peek()
            if tok.kind == end_kind:
                self.next()
                break
            if tok.kind in ("close", "rparen", "eof"):
                raise self.error(tok, f"unexpected {self.describe(tok)} in {context}")
            cmds.append(self.command())
            if self.peek().kind == "pipe":
                self.next()
        if not cmds:
            raise self.error(start, f"missing value for {context}")
        for cmd in cmds[1:]:
            first = cmd.args[0]
            if isinstance(first, _Literal):
                raise self.error(
                    self.toks[self.i - 1], "non executable command in pipeline stage 2"
                )
        return _Pipe(start.pos, decl, assign, cmds)

    def command(self) -> _Command:
        start = self.peek()
        args: list[Any] = []
        while True:
            tok = self.peek()
            if tok.kind in ("close", "rparen", "pipe", "eof"):
                break
            args.append(self.operand())
            after = self.peek(skip_space=False)
            if after.kind not in ("space", "close", "rparen", "pipe"):
                raise self.error(after, f"unexpected {self.describe(after)} in operand")
        if not args:
            raise self.error(tok, "missing value for command")
        return _Command(start.pos, args)

    def operand(self) -> Any:
        tok = self.next()
        node: Any
        if tok.kind == "field":
            names = [tok.value[1:]]
            pos = tok.pos
            while self.peek(skip_space=False).kind == "field":
                nxt = self.next(skip_space=False)
                names.append(nxt.value[1:])
                pos = pos if len(names) > 2 else nxt.pos  # Go: the chain's position
            return _Field(pos, tuple(names), None, "." + ".".join(names))
        if tok.kind == "var":
            if tok.value not in self.vars:
                raise self.error(tok, f'undefined variable "{tok.value}"')
            node = _Var(tok.pos, tok.value)
        elif tok.kind == "dot":
            node = _Dot(tok.pos)
        elif tok.kind == "lparen":
            node = self.pipeline("parenthesized pipeline")
        elif tok.kind == "ident":
            if tok.value in ("true", "false"):
                return _Literal(tok.pos, tok.value == "true", tok.value)
            if tok.value == "nil":
                return _Literal(tok.pos, None, "nil")
            if tok.value not in _BUILTINS:
                raise self.error(tok, f'function "{tok.value}" not defined')
            return _Ident(tok.pos, tok.value)
        elif tok.kind == "string":
            return _Literal(tok.pos, _unquote(tok.value), tok.value)
        elif tok.kind == "char":
            return _Literal(tok.pos, ord(_unquote('"' + tok.value[1:-1] + '"')), tok.value)
        elif tok.kind == "number":
            return _Literal(tok.pos, _number(tok.value), tok.value)
        else:
            raise self.error(tok, f"unexpected {self.describe(tok)} in operand")
        names = []
        while self.peek(skip_space=False).kind == "field":
            names.append(self.next(skip_space=False).value[1:])
        if names:
            base_src = _src(node)
            return _Field(node.pos, tuple(names), node, base_src + "." + ".".join(names))
        return node


def _unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    try:
        value = json.loads(text)
    except ValueError:
        value = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return str(value)


def _number(text: str) -> int | float:
    clean = text.replace("_", "")
    try:
        return int(clean, 0)
    except ValueError:
        return float(clean)


def _src(node: Any) -> str:
    """A node as Go's ``String`` writes it (for ``at <…>`` in messages)."""
    if isinstance(node, _Field):
        return node.src
    if isinstance(node, _Var):
        return node.name
    if isinstance(node, _Dot):
        return "."
    if isinstance(node, _Ident):
        return node.name
    if isinstance(node, _Literal):
        return node.src
    if isinstance(node, _Command):
        return " ".join(_src(a) for a in node.args)
    if isinstance(node, _Pipe):
        head = ""
        if node.decl:
            head = ", ".join(node.decl) + (" = " if node.assign else " := ")
        return "(" + head + " | ".join(_src(c) for c in node.cmds) + ")"
    return ""


def parse(text: str) -> list[_Node]:
    """The template's nodes; :class:`ParseError` worded as Go's parser words it."""
    return _Parser(text).parse()


# --- executing -----------------------------------------------------------------------------


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    def __init__(self, text: str, root: Any, raw: bool) -> None:
        self.text = text
        self.raw = raw  # running on the raw JSON, with missingkey=error
        self.vars: list[tuple[str, Any]] = [("$", root)]
        self.out: list[str] = []

    def error(self, node: Any, message: str) -> ExecError:
        pos = node.pos
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1)
        where = _src(node)
        if isinstance(node, _Pipe):
            where = where[1:-1]
        return ExecError(f'template: :{line}:{col}: executing "" at <{where}>: {message}')

    def var(self, name: str) -> Any:
        for k, v in reversed(self.vars):
            if k == name:
                return v
        raise ExecError(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return

    def run(self, nodes: list[_Node], dot: Any) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                self.out.append(node.text)
            elif isinstance(node, _Action):
                value = self.pipe(node.pipe, dot)
                if not node.pipe.decl:
                    self.out.append(self.printable(node.pipe, value))
            elif isinstance(node, _Branch):
                self.branch(node, dot)
            elif isinstance(node, _Loop):
                raise _Break() if node.kind == "break" else _Continue()

    def printable(self, node: Any, value: Any) -> str:
        try:
            return show(value)
        except ExecError as exc:
            raise self.error(node, str(exc)) from None

    def branch(self, node: _Branch, dot: Any) -> None:
        mark = len(self.vars)
        try:
            if node.kind == "range":
                self.range(node, dot)
                return
            value = self.pipe(node.pipe, dot)
            if _truth(value):
                self.run(node.body, value if node.kind == "with" else dot)
            else:
                self.run(node.orelse, dot)
        finally:
            del self.vars[mark:]

    def range(self, node: _Branch, dot: Any) -> None:
        pipe = node.pipe
        value = self.pipe(_Pipe(pipe.pos, [], False, pipe.cmds), dot)
        items: list[tuple[Any, Any]]
        if isinstance(value, list | tuple):
            items = list(enumerate(value))
        elif isinstance(value, dict):
            items = [(k, value[k]) for k in _keys(value)]
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif value is None or value is _NO_VALUE or isinstance(value, Nil):
            items = []
        else:
            raise self.error(pipe, f"range can't iterate over {show(value)}")
        if not items:
            self.run(node.orelse, dot)
            return
        mark = len(self.vars)
        for key, elem in items:
            del self.vars[mark:]
            if len(pipe.decl) == 1:
                self.vars.append((pipe.decl[0], elem))
            elif len(pipe.decl) == 2:
                self.vars.append((pipe.decl[0], key))
                self.vars.append((pipe.decl[1], elem))
            try:
                self.run(node.body, elem)
            except _Break:
                break
            except _Continue:
                continue

    def pipe(self, pipe: _Pipe, dot: Any) -> Any:
        value: Any = _NO_VALUE
        first = True
        for cmd in pipe.cmds:
            value = self.command(cmd, dot, None if first else value, piped=not first)
            first = False
        if pipe.decl:
            if pipe.assign:
                self.set_var(pipe.decl[0], value)
            else:
                self.vars.append((pipe.decl[0], value))
        return value

    def command(self, cmd: _Command, dot: Any, final: Any, *, piped: bool) -> Any:
        head = cmd.args[0]
        if isinstance(head, _Ident):
            args = [self.arg(a, dot) for a in cmd.args[1:]]
            nodes: list[Any] = list(cmd.args[1:])
            if piped:
                args.append(final)
                nodes.append(None)
            return self.call(cmd, head.name, args, nodes)
        if len(cmd.args) > 1 or piped:
            if isinstance(head, _Field):
                raise self.error(head, f"{head.names[-1]} is not a method but has arguments")
            raise self.error(cmd, f"can't give argument to non-function {_src(head)}")
        if isinstance(head, _Literal) and head.value is None:
            raise self.error(head, "nil is not a command")
        return self.arg(head, dot)

    def arg(self, node: Any, dot: Any) -> Any:
        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _Dot):
            return dot
        if isinstance(node, _Var):
            return self.var(node.name)
        if isinstance(node, _Pipe):
            mark = len(self.vars)
            try:
                return self.pipe(node, dot)
            finally:
                if not node.decl:
                    del self.vars[mark:]
        if isinstance(node, _Field):
            base = dot if node.base is None else self.arg(node.base, dot)
            return self.field(node, base)
        if isinstance(node, _Ident):
            return self.call(_Command(node.pos, [node]), node.name, [], [])
        raise self.error(node, "can't evaluate")  # pragma: no cover - the parser stops it

    def field(self, node: _Field, value: Any) -> Any:
        for name in node.names:
            if (
                value is _NO_VALUE
                or value is None
                or (isinstance(value, Nil) and value.kind == "ptr")
            ):
                raise self.error(node, f"nil pointer evaluating {show(value)}.{name}")
            if isinstance(value, GoStruct):
                found, got = value.get(name)
                if not found:
                    raise _Fallback(
                        self.error(
                            node, f"can't evaluate field {name} in type {value.name.lstrip('*')}"
                        ).args[0]
                    )
                value = got
            elif isinstance(value, dict):
                if name in value:
                    value = value[name]
                elif self.raw:
                    raise self.error(node, f'map has no entry for key "{name}"')
                else:
                    value = _NO_VALUE
            elif isinstance(value, Nil) and value.kind == "map":
                value = _NO_VALUE
            else:
                kind = "interface {}" if self.raw else _go_type(value)
                raise _Fallback(
                    self.error(node, f"can't evaluate field {name} in type {kind}").args[0]
                )
        return value

    def call(self, cmd: _Command, name: str, args: list[Any], nodes: list[Any]) -> Any:
        fn = _BUILTINS.get(name)
        if fn is None:
            raise self.error(cmd, f"emu's template subset does not implement {name}")
        sig = _SIGNATURES.get(name)
        if sig is not None:
            if len(args) != len(sig):
                raise self.error(
                    cmd.args[0], f"wrong number of args for {name}: want {len(sig)} got {len(args)}"
                )
            for value, node, want in zip(args, nodes, sig, strict=True):
                if want and not _is_type(value, want):
                    if isinstance(node, _Literal):
                        raise self.error(node, f"can't handle {node.src} for arg of type {want}")
                    raise self.error(
                        node or cmd.args[0],
                        f"wrong type for value; expected {want}; got {_go_type(value)}",
                    )
        try:
            return fn(*args)
        except _CallError as exc:
            where = cmd if name in ("index", "slice") else cmd.args[0]
            prefix = f"error calling {name}: " if name in ("index", "slice", "call") else ""
            raise self.error(where, prefix + str(exc)) from None


class _CallError(Exception):
    pass


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Duration):
        return "time.Duration"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple) or (isinstance(value, Nil) and value.kind == "slice"):
        return "[]string"
    return "interface {}"


def _key_type(key: Any) -> str:
    # An index written in the template is an untyped constant: Go calls it int.
    return "int" if isinstance(key, int) and not isinstance(key, bool) else _go_type(key)


def _len(value: Any) -> int:
    if isinstance(value, str | list | tuple | dict):
        return len(value.encode() if isinstance(value, str) else value)
    if isinstance(value, Nil):
        return 0
    raise _CallError(f"len of type {_go_type(value)}")


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(value, list | tuple | str):
            if not isinstance(key, int) or isinstance(key, bool):
                raise _CallError("cannot index slice/array with type " + _key_type(key))
            if not 0 <= key < len(value):
                raise _CallError(f"index out of range: {key}")
            value = value[key] if not isinstance(value, str) else value.encode()[key]
        elif isinstance(value, dict):
            if not isinstance(key, str):
                raise _CallError(f"value has type {_key_type(key)}; should be string")
            value = value.get(key, "")  # index gives the zero value of a missing key
        elif isinstance(value, Nil):
            if value.kind == "slice":
                raise _CallError(f"index out of range: {key}")
            value = ""
        elif isinstance(value, GoStruct):
            raise _CallError(f"value has type {_key_type(key)}; should be string")
        else:
            raise _CallError(f"can't index item of type {_go_type(value)}")
    return value


def _slice(value: Any, *bounds: Any) -> Any:
    if isinstance(value, Nil):
        value = []
    if not isinstance(value, str | list | tuple):
        raise _CallError(f"can't slice item of type {_go_type(value)}")
    n = len(value)
    lo = bounds[0] if bounds else 0
    hi = bounds[1] if len(bounds) > 1 else n
    if not (0 <= lo <= hi <= n):
        raise _CallError(f"index out of range: {hi if hi > n else lo}")
    return value[lo:hi]


def _cmp(op: str) -> Callable[..., bool]:
    def compare(a: Any, *rest: Any) -> bool:
        if op == "eq":
            if not rest:
                raise _CallError("missing argument for comparison")
            return any(_eq(a, b) for b in rest)
        if len(rest) != 1:
            raise _CallError(f"wrong number of args for {op}: want 2 got {len(rest) + 1}")
        b = rest[0]
        if op == "ne":
            return not _eq(a, b)
        _comparable(a, b)
        result: bool = {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
        return result

    return compare


def _basic(v: Any) -> Any:
    return str(v) if isinstance(v, Duration) else v


def _eq(a: Any, b: Any) -> bool:
    _comparable(a, b)
    return bool(a == b)


def _comparable(a: Any, b: Any) -> None:
    kinds = (bool, int | float, str)
    for kind in kinds:
        if isinstance(a, kind) and isinstance(b, kind):
            if isinstance(a, bool) != isinstance(b, bool):
                break
            return
    if a is None and b is None:
        return
    raise _CallError("incompatible types for comparison")


def _and(*args: Any) -> Any:
    for a in args:
        if not _truth(a):
            return a
    return args[-1]


def _or(*args: Any) -> Any:
    for a in args:
        if _truth(a):
            return a
    return args[-1]


def _sprint(*args: Any) -> str:
    """Go's ``fmt.Sprint``: a space between operands when neither is a string."""
    out = ""
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out += " "
        out += show(a)
    return out


def _sprintln(*args: Any) -> str:
    return " ".join(show(a) for a in args) + "\n"


_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])")


def _sprintf(fmt: Any, *args: Any) -> str:
    """Go's ``fmt.Sprintf`` for the verbs scripts use: v s d q x X o b t f e g c %."""
    if not isinstance(fmt, str):
        raise _CallError("printf's format must be a string")
    out: list[str] = []
    queue = list(args)
    pos = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if not queue:
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_format_one(queue.pop(0), flags, width, prec, verb))
    out.append(fmt[pos:])
    if queue:
        extra = ", ".join(f"{_go_type(a)}={show(a)}" for a in queue)
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _format_one(value: Any, flags: str, width: str | None, prec: str | None, verb: str) -> str:
    body: str
    if verb in "vs":
        body = show(value)
        if (prec is not None and verb == "s") or (verb == "v" and isinstance(value, str) and prec):
            body = body[: int(prec or 0)]
    elif verb == "q":
        body = (
            json.dumps(show(value), ensure_ascii=False)
            if not isinstance(value, int)
            else ("'" + chr(value) + "'")
        )
    elif verb == "t":
        body = show(value) if isinstance(value, bool) else f"%!t({_go_type(value)}={show(value)})"
    elif verb in "dxXobc":
        if isinstance(value, bool) or not isinstance(value, int):
            if verb in "xX" and isinstance(value, str):
                body = value.encode().hex()
                body = body.upper() if verb == "X" else body
            else:
                return f"%!{verb}({_go_type(value)}={show(value)})"
        elif verb == "c":
            body = chr(value) if 0 <= value < 0x110000 else "\ufffd"
        else:
            body = format(value, verb)
            if "+" in flags and value >= 0 and verb == "d":
                body = "+" + body
    elif verb in "feEgG":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"%!{verb}({_go_type(value)}={show(value)})"
        p = int(prec) if prec else (6 if verb in "feE" else None)
        if verb in "gG" and p is None:
            body = _go_float(float(value))
        else:
            body = format(float(value), f".{p}{verb}")
    else:
        return f"%!{verb}({_go_type(value)}={show(value)})"
    if width and width != "*":
        w = int(width)
        if "-" in flags:
            body = body.ljust(w)
        elif "0" in flags and verb not in "sqv":
            sign = body[0] if body[:1] in "+-" else ""
            body = sign + body[len(sign) :].rjust(w - len(sign), "0")
        else:
            body = body.rjust(w)
    return body


def _join(items: Any, sep: str) -> str:
    return sep.join([] if isinstance(items, Nil) else items)


def _title(text: str) -> str:
    """Go's ``strings.Title``: each letter that follows a non-letter upper-cased."""
    out, prev = [], " "
    for c in text:
        out.append(c.upper() if not (prev.isalnum() or prev == "_") else c)
        prev = c
    return "".join(out)


def _pad(text: str, before: int, after: int) -> str:
    """docker's ``pad``: spaces around a non-empty string."""
    return " " * before + text + " " * after if text else text


def _truncate(text: str, length: int) -> str:
    return text if len(text) < length else text[:length]


def _html_escape(text: str) -> str:
    """Go's ``template.HTMLEscapeString``."""
    for c, esc in (("&", "&amp;"), ("'", "&#39;"), ('"', "&#34;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(c, esc)
    return text.replace("\0", "\ufffd")


def _js(value: Any) -> str:
    out = []
    for c in show(value):
        if c in "\\'\"":
            out.append("\\" + c)
        elif c in "<>&=" or ord(c) < 0x20:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


_BUILTINS: dict[str, Callable[..., Any]] = {
    "and": _and,
    "or": _or,
    "not": lambda v: not _truth(v),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "eq": _cmp("eq"),
    "ne": _cmp("ne"),
    "lt": _cmp("lt"),
    "le": _cmp("le"),
    "gt": _cmp("gt"),
    "ge": _cmp("ge"),
    "print": _sprint,
    "printf": _sprintf,
    "println": _sprintln,
    "html": lambda *a: _html_escape(_sprint(*a)),
    "js": lambda *a: _js(_sprint(*a)),
    "urlquery": lambda *a: urllib.parse.quote_plus(_sprint(*a)),
    "json": _json,
    "split": lambda s, sep: s.split(sep) if sep else list(s),
    "join": _join,
    "title": _title,
    "lower": str.lower,
    "upper": str.upper,
    "pad": _pad,
    "truncate": _truncate,
}
# The functions Go checks before calling: their arguments' types ("" for any).
_SIGNATURES = {
    "not": ("",),
    "len": ("",),
    "json": ("",),
    "split": ("string", "string"),
    "join": ("[]string", "string"),
    "title": ("string",),
    "lower": ("string",),
    "upper": ("string",),
    "pad": ("string", "int", "int"),
    "truncate": ("string", "int"),
}


def _is_type(value: Any, want: str) -> bool:
    if want == "string":
        return isinstance(value, str)
    if want == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if want == "[]string":
        return (isinstance(value, Nil) and value.kind == "slice") or (
            isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        )
    return True


def render(template: str, doc: dict[str, Any]) -> str:
    """Run ``template`` on the inspect document ``doc`` as docker does: on the typed
    response first, and on the raw JSON (``missingkey=error``) when a field is not in it."""
    nodes = parse(template)
    state = _State(template, typed(doc), raw=False)
    try:
        state.run(nodes, state.vars[0][1])
    except _Fallback:
        state = _State(template, doc, raw=True)
        try:
            state.run(nodes, doc)
        except _Fallback as exc:
            raise ExecError(str(exc)) from None
    return "".join(state.out)
