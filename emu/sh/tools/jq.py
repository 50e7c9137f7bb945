"""``jq``, the JSON processor, for the filters Dockerfiles write: paths (``.a.b``, ``.[0]``,
``.[]``, ``.a?``), pipes and commas, literals, ``[...]`` and ``{...}`` construction, ``//``,
comparisons, ``and``/``or``/``not``, arithmetic, ``if … then … else … end``, string
interpolation, variables (``--arg``, ``--argjson``, ``as $x``), assignment (``=``, ``|=``,
``+=``) and the common builtins (``length``, ``keys``, ``map``, ``select``, ``has``,
``to_entries``, ``with_entries``, ``add``, ``join``, ``split``, ``test``, ``del``, ``sort_by``,
``tostring``…). Options ``-r``, ``-j``, ``-c``, ``-n``, ``-s``, ``-e``, ``-S``, ``--tab``,
``--indent``. A filter outside this subset fails with jq's compile-error status (3), saying
that emu does not model it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from emu.records import record
from emu.sh.api import Proc
from emu.sh.tools._base import ToolError, tool
from emu.sh.tools._image import read_bytes

# --- lexing -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)?)
  | (?P<op>\|=|\+=|-=|\*=|/=|//=|//|==|!=|<=|>=|\.\.|\?//|[.\[\]{}(),:|<>=+\-*/%?;])
    )""",
    re.X,
)


class JqError(Exception):
    pass


def _tokens(src: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(src):
        if src[pos:].strip() == "":
            break
        if src[pos:].lstrip().startswith("#"):
            nl = src.find("\n", pos)
            pos = len(src) if nl < 0 else nl + 1
            continue
        m = _TOKEN.match(src, pos)
        if m is None or m.end() == pos:
            raise JqError(f"syntax error, unexpected INVALID_CHARACTER at {src[pos : pos + 10]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    out.append(("end", ""))
    return out


# --- parsing into closures ------------------------------------------------------------------------

Env = dict[str, Any]
Filter = Callable[[Any, Env], Iterator[Any]]


@record
class _P:
    toks: list[tuple[str, str]]
    i: int = 0

    def peek(self, k: int = 0) -> tuple[str, str]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if value is not None and t[1] != value:
            raise JqError(f"syntax error, expected {value!r} but got {t[1] or 'end'!r}")
        self.i += 1
        return t

    def at(self, *values: str) -> bool:
        return self.peek()[1] in values and self.peek()[0] in ("op", "ident")


def _parse(src: str) -> Filter:
    p = _P(_tokens(src))
    f = _pipe(p)
    if p.peek()[0] != "end":
        raise JqError(f"syntax error, unexpected {p.peek()[1]!r}")
    return f


def _pipe(p: _P) -> Filter:
    left = _comma(p)
    if p.at("as"):
        p.take()
        name = p.take()[1]
        p.take("|")
        body = _pipe(p)

        def bind(v: Any, env: Env) -> Iterator[Any]:
            for x in left(v, env):
                yield from body(v, {**env, name: x})

        return bind
    if p.at("|"):
        p.take()
        right = _pipe(p)
        return lambda v, env: (y for x in left(v, env) for y in right(x, env))
    return left


def _comma(p: _P) -> Filter:
    left = _assign(p)
    while p.at(","):
        p.take()
        right = _assign(p)
        left = (lambda a, b: lambda v, env: _chain(a(v, env), b(v, env)))(left, right)
    return left


def _chain(*its: Iterator[Any]) -> Iterator[Any]:
    for it in its:
        yield from it


def _assign(p: _P) -> Filter:
    left = _alt(p)
    if p.at("=", "|=", "+=", "-=", "*=", "/=", "//="):
        op = p.take()[1]
        right = _alt(p)

        def assign(v: Any, env: Env) -> Iterator[Any]:
            paths = list(_paths(left, v, env))
            if op == "=":
                for new in right(v, env):
                    out = v
                    for path in paths:
                        out = _setpath(out, path, new)
                    yield out
                return
            out = v
            for path in paths:
                cur = _getpath(out, path)
                if op == "|=":
                    new = next(right(cur, env), None)
                else:
                    rhs = next(right(v, env), None)
                    new = _arith(op[:-1], cur, rhs) if op != "//=" else (cur or rhs)
                out = _setpath(out, path, new)
            yield out

        return assign
    return left


def _alt(p: _P) -> Filter:
    left = _or(p)
    if p.at("//"):
        p.take()
        right = _alt(p)

        def alt(v: Any, env: Env) -> Iterator[Any]:
            found = [x for x in _try(left, v, env) if x is not None and x is not False]
            yield from found if found else right(v, env)

        return alt
    return left


def _try(f: Filter, v: Any, env: Env) -> Iterator[Any]:
    try:
        yield from f(v, env)
    except JqError:
        return


def _or(p: _P) -> Filter:
    left = _and(p)
    while p.at("or"):
        p.take()
        left = _bool_op(left, _and(p), short=True)
    return left


def _and(p: _P) -> Filter:
    left = _compare(p)
    while p.at("and"):
        p.take()
        left = _bool_op(left, _compare(p), short=False)
    return left


def _bool_op(a: Filter, b: Filter, *, short: bool) -> Filter:
    """``a or b`` (``short``: true when ``a`` is) and ``a and b`` (false when ``a`` is)."""

    def run(v: Any, env: Env) -> Iterator[Any]:
        for x in a(v, env):
            if _truthy(x) == short:
                yield short
                continue
            for y in b(v, env):
                yield _truthy(y)

    return run


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: _key(a) < _key(b),
    ">": lambda a, b: _key(a) > _key(b), "<=": lambda a, b: _key(a) <= _key(b),
    ">=": lambda a, b: _key(a) >= _key(b),
}  # fmt: skip


def _compare(p: _P) -> Filter:
    left = _additive(p)
    if p.peek()[1] in _CMP and p.peek()[0] == "op":
        fn = _CMP[p.take()[1]]
        right = _additive(p)
        return lambda v, env: (fn(x, y) for y in right(v, env) for x in left(v, env))
    return left


def _additive(p: _P) -> Filter:
    return _binary(p, ("+", "-"), _mult)


def _mult(p: _P) -> Filter:
    return _binary(p, ("*", "/", "%"), _postfix)


def _binary(p: _P, ops: tuple[str, ...], operand: Callable[[_P], Filter]) -> Filter:
    """A left-associative chain of arithmetic ``ops`` over ``operand``s."""
    left = operand(p)
    while p.peek()[1] in ops and p.peek()[0] == "op":
        left = _arith_filter(p.take()[1], left, operand(p))
    return left


def _arith_filter(op: str, a: Filter, b: Filter) -> Filter:
    return lambda v, env: (_arith(op, x, y) for y in b(v, env) for x in a(v, env))


def _postfix(p: _P) -> Filter:
    f = _term(p)
    while True:
        kind, tok = p.peek()
        if kind == "field":
            p.take()
            f = _then(f, _index_const(tok[1:]))
        elif tok == "." and p.peek(1)[0] == "str":
            p.take()
            key = json.loads(p.take()[1])
            f = _then(f, _index_const(key))
        elif tok == "[" and kind == "op":
            f = _then(f, _bracket(p))
        elif tok == "?" and kind == "op":
            p.take()
            f = (lambda g: lambda v, env: _try(g, v, env))(f)
        else:
            return f


def _then(a: Filter, b: Filter) -> Filter:
    return lambda v, env: (y for x in a(v, env) for y in b(x, env))


def _index_const(key: Any) -> Filter:
    return lambda v, env: iter([_index(v, key)])


def _bracket(p: _P) -> Filter:
    p.take("[")
    if p.at("]"):
        p.take()
        return lambda v, env: iter(_iterate(v))
    if p.at(":"):
        p.take()
        hi = _pipe(p)
        p.take("]")
        return lambda v, env: (_slice(v, None, h) for h in hi(v, env))
    idx = _pipe(p)
    if p.at(":"):
        p.take()
        if p.at("]"):
            p.take()
            return lambda v, env: (_slice(v, lo, None) for lo in idx(v, env))
        hi = _pipe(p)
        p.take("]")
        return lambda v, env: (_slice(v, lo, h) for lo in idx(v, env) for h in hi(v, env))
    p.take("]")
    return lambda v, env: (_index(v, k) for k in idx(v, env))


def _term(p: _P) -> Filter:
    kind, tok = p.peek()
    if kind == "num":
        p.take()
        n = float(tok) if any(c in tok for c in ".eE") else int(tok)
        return lambda v, env: iter([n])
    if kind == "str":
        p.take()
        return _string(tok)
    if kind == "field":
        p.take()
        return _index_const(tok[1:])
    if kind == "var":
        p.take()
        return lambda v, env: iter([_var(env, tok[1:])])
    if tok == "." and kind == "op":
        p.take()
        if p.peek()[0] == "str":
            key = json.loads(p.take()[1])
            return _index_const(key)
        if p.at("["):
            return _bracket(p)
        return lambda v, env: iter([v])
    if tok == ".." and kind == "op":
        p.take()
        return lambda v, env: _recurse(v)
    if tok == "(":
        p.take()
        f = _pipe(p)
        p.take(")")
        return f
    if tok == "[":
        p.take()
        if p.at("]"):
            p.take()
            return lambda v, env: iter([[]])
        inner = _pipe(p)
        p.take("]")
        return lambda v, env: iter([list(inner(v, env))])
    if tok == "{":
        return _object(p)
    if tok == "-" and kind == "op":
        p.take()
        f = _postfix(p)
        return lambda v, env: (-x for x in f(v, env))
    if kind == "ident":
        return _call(p)
    raise JqError(f"syntax error, unexpected {tok or 'end'!r}")


def _string(tok: str) -> Filter:
    raw = tok[1:-1]
    if "\\(" not in raw:
        text = json.loads(tok)
        return lambda v, env: iter([text])
    parts: list[str | Filter] = []
    buf = ""
    i = 0
    while i < len(raw):
        if raw.startswith("\\(", i):
            depth, j = 1, i + 2
            while j < len(raw) and depth:
                depth += {"(": 1, ")": -1}.get(raw[j], 0)
                j += 1
            parts.append(json.loads(f'"{buf}"'))
            buf = ""
            parts.append(_parse(raw[i + 2 : j - 1]))
            i = j
            continue
        buf += raw[i]
        i += 1
    parts.append(json.loads(f'"{buf}"'))

    def interpolate(v: Any, env: Env) -> Iterator[Any]:
        out = ""
        for part in parts:
            if isinstance(part, str):
                out += part
            else:
                x = next(part(v, env), None)
                out += x if isinstance(x, str) else _dump(x, compact=True)
        yield out

    return interpolate


def _object(p: _P) -> Filter:
    p.take("{")
    entries: list[tuple[Filter, Filter]] = []
    while not p.at("}"):
        kind, tok = p.peek()
        if kind in ("ident", "str") and p.peek(1)[1] in (",", "}"):
            p.take()
            key = json.loads(tok) if kind == "str" else tok
            entries.append(((lambda k: lambda v, env: iter([k]))(key), _index_const(key)))
        elif kind == "var" and p.peek(1)[1] in (",", "}"):
            p.take()
            entries.append(((lambda k: lambda v, env: iter([k]))(tok[1:]),
                            (lambda n: lambda v, env: iter([_var(env, n)]))(tok[1:])))  # fmt: skip
        else:
            if kind == "ident":
                p.take()
                kf: Filter = (lambda k: lambda v, env: iter([k]))(tok)
            elif kind == "str":
                p.take()
                kf = _string(tok)
            elif tok == "(":
                p.take()
                kf = _pipe(p)
                p.take(")")
            else:
                raise JqError(f"syntax error in object key {tok!r}")
            p.take(":")
            entries.append((kf, _alt(p)))
        if p.at(","):
            p.take()
    p.take("}")

    def build(v: Any, env: Env) -> Iterator[Any]:
        results: list[dict[str, Any]] = [{}]
        for kf, vf in entries:
            results = [{**r, k: x} for r in results for k in kf(v, env) for x in vf(v, env)]
        yield from results

    return build


def _args(p: _P) -> list[Filter]:
    out: list[Filter] = []
    if not p.at("("):
        return out
    p.take("(")
    out.append(_pipe_no_semicolon(p))
    while p.at(";"):
        p.take()
        out.append(_pipe_no_semicolon(p))
    p.take(")")
    return out


def _pipe_no_semicolon(p: _P) -> Filter:
    return _pipe(p)


def _call(p: _P) -> Filter:
    name = p.take()[1]
    if name == "if":
        return _if(p)
    if name in ("true", "false", "null"):
        value = {"true": True, "false": False, "null": None}[name]
        return lambda v, env: iter([value])
    if name == "not":
        return lambda v, env: iter([not _truthy(v)])
    if name == "empty":
        return lambda v, env: iter(())
    args = _args(p)
    fn = _BUILTINS.get((name, len(args)))
    if fn is None:
        raise JqError(f"{name}/{len(args)} is not defined (emu models a subset of jq)")
    return lambda v, env: fn(v, env, args)


def _if(p: _P) -> Filter:
    cond = _pipe(p)
    p.take("then")
    then = _pipe(p)
    branches = [(cond, then)]
    other: Filter = lambda v, env: iter([v])  # noqa: E731  (jq 1.7: a missing else is .)
    while True:
        if p.at("elif"):
            p.take()
            c = _pipe(p)
            p.take("then")
            branches.append((c, _pipe(p)))
            continue
        if p.at("else"):
            p.take()
            other = _pipe(p)
        p.take("end")
        break

    def run(v: Any, env: Env) -> Iterator[Any]:
        for c, body in branches:
            for x in c(v, env):
                if _truthy(x):
                    yield from body(v, env)
                    return
        yield from other(v, env)

    return run


# --- values ------------------------------------------------------------------------------------


def _truthy(x: Any) -> bool:
    return x is not None and x is not False


def _key(x: Any) -> tuple[int, Any]:
    order = {type(None): 0, bool: 1, int: 3, float: 3, str: 4, list: 5, dict: 6}
    rank = 2 if x is True else order.get(type(x), 7)
    if isinstance(x, dict):
        return (rank, sorted(x.items(), key=lambda kv: kv[0]))
    return (rank, x)


def _var(env: Env, name: str) -> Any:
    if name == "ENV":
        return dict(env.get("\0env", {}))
    if name not in env:
        raise JqError(f"${name} is not defined")
    return env[name]


def _index_value(v: Any, key: Any) -> Any:
    if v is None:
        return None
    if isinstance(key, str):
        if not isinstance(v, dict):
            raise JqError(f'Cannot index {_type(v)} with "{key}"')
        return v.get(key)
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        if not isinstance(v, list):
            raise JqError(f"Cannot index {_type(v)} with number")
        k = int(key)
        return v[k] if -len(v) <= k < len(v) else None
    raise JqError(f"Cannot index {_type(v)} with {_type(key)}")


def _slice(v: Any, lo: Any, hi: Any) -> Any:
    if v is None:
        return None
    return v[None if lo is None else int(lo) : None if hi is None else int(hi)]


def _iterate_value(v: Any) -> list[Any]:
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return list(v.values())
    raise JqError(f"Cannot iterate over {_type(v)}" + (f" ({_dump(v, compact=True)})"
                                                       if v is not None else ""))  # fmt: skip


def _recurse(v: Any) -> Iterator[Any]:
    yield v
    if isinstance(v, (list, dict)):
        for x in _iterate_value(v):
            yield from _recurse(x)


def _type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def _arith(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        if a is None:
            return b
        if b is None:
            return a
        if isinstance(a, dict) and isinstance(b, dict):
            return {**a, **b}
        if type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return a + b
    elif op == "-":
        if isinstance(a, list) and isinstance(b, list):
            return [x for x in a if x not in b]
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a - b
    elif op == "*" and isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a * b
    elif op == "/":
        if isinstance(a, str) and isinstance(b, str):
            return a.split(b)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if b == 0:
                raise JqError(f"{a} and {b} cannot be divided because the divisor is zero")
            r = a / b
            return int(r) if r == int(r) else r
    elif op == "%" and isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return int(a) % int(b)
    raise JqError(f"{_type(a)} and {_type(b)} cannot be combined with {op}")


def _paths(f: Filter, v: Any, env: Env) -> Iterator[list[Any]]:
    """The paths a path expression (``.a.b``, ``.[0]``, ``.a[]``) denotes, by running it on
    a value that records where it is."""
    for x in f(_Tracer(v, []), env):
        if not isinstance(x, _Tracer):
            raise JqError("Invalid path expression")
        yield x.path


class _Tracer:
    def __init__(self, value: Any, path: list[Any]) -> None:
        self.value = value
        self.path = path


def _getpath(v: Any, path: list[Any]) -> Any:
    for k in path:
        v = _index_value(v, k)
    return v


def _setpath(v: Any, path: list[Any], new: Any) -> Any:
    if not path:
        return new
    k, rest = path[0], path[1:]
    if isinstance(k, str):
        base = dict(v) if isinstance(v, dict) else {}
        base[k] = _setpath(base.get(k), rest, new)
        return base
    base_list = list(v) if isinstance(v, list) else []
    while len(base_list) <= int(k):
        base_list.append(None)
    base_list[int(k)] = _setpath(base_list[int(k)], rest, new)
    return base_list


def _delpaths(v: Any, paths: list[list[Any]]) -> Any:
    for path in sorted(paths, key=len, reverse=True):
        parent = _getpath(v, path[:-1])
        k = path[-1]
        if isinstance(parent, dict) and k in parent:
            parent = {kk: vv for kk, vv in parent.items() if kk != k}
        elif isinstance(parent, list) and isinstance(k, int) and -len(parent) <= k < len(parent):
            parent = parent[:k] + parent[k + 1 :]
        else:
            continue
        v = _setpath(v, path[:-1], parent)
    return v


# Path-aware indexing: a _Tracer flows through .a / .[0] / .[] and knows where it is (what
# assignment and del need); plain values index as jq does.


def _index(v: Any, key: Any) -> Any:
    if isinstance(v, _Tracer):
        return _Tracer(_index_value(v.value, key), [*v.path, key])
    return _index_value(v, key)


def _iterate(v: Any) -> list[Any]:
    if isinstance(v, _Tracer):
        if isinstance(v.value, dict):
            return [_Tracer(x, [*v.path, k]) for k, x in v.value.items()]
        return [_Tracer(x, [*v.path, i]) for i, x in enumerate(_iterate_value(v.value))]
    return _iterate_value(v)


def _untrace(x: Any) -> Any:
    return x.value if isinstance(x, _Tracer) else x


# --- builtins ----------------------------------------------------------------------------------

Builtin = Callable[[Any, Env, list[Filter]], Iterator[Any]]


def _one(fn: Callable[[Any], Any]) -> Builtin:
    return lambda v, env, args: iter([fn(_untrace(v))])


def _arg1(fn: Callable[[Any, Any], Any]) -> Builtin:
    return lambda v, env, args: (fn(_untrace(v), a) for a in args[0](v, env))


def _length(v: Any) -> Any:
    if v is None:
        return 0
    if isinstance(v, bool):
        raise JqError("boolean (true) has no length")
    if isinstance(v, (int, float)):
        return abs(v)
    return len(v)


def _keys(v: Any) -> list[Any]:
    if isinstance(v, dict):
        return sorted(v)
    if isinstance(v, list):
        return list(range(len(v)))
    raise JqError(f"{_type(v)} has no keys")


def _map(v: Any, env: Env, args: list[Filter]) -> Iterator[Any]:
    yield [y for x in _iterate(v) for y in args[0](x, env)]


def _select(v: Any, env: Env, args: list[Filter]) -> Iterator[Any]:
    for c in args[0](v, env):
        if _truthy(c):
            yield v


def _to_entries(v: Any) -> list[dict[str, Any]]:
    return [{"key": k, "value": x} for k, x in v.items()]


def _from_entries(v: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in v:
        k = next((e[n] for n in ("key", "k", "name", "Name", "Key", "K") if n in e), None)
        out[str(k) if not isinstance(k, str) else k] = e.get("value", e.get("v"))
    return out


def _with_entries(v: Any, env: Env, args: list[Filter]) -> Iterator[Any]:
    yield _from_entries([y for x in _to_entries(_untrace(v)) for y in args[0](x, env)])


def _add(v: Any) -> Any:
    out = None
    for x in _iterate(v):
        out = _arith("+", out, _untrace(x))
    return out


def _tostring(v: Any) -> str:
    return v if isinstance(v, str) else _dump(v, compact=True)


def _tonumber(v: Any) -> Any:
    if isinstance(v, (int, float)):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise JqError(f"Cannot parse '{v}' as JSON") from None
    return int(f) if f == int(f) else f


def _sort_by(v: Any, env: Env, args: list[Filter]) -> Iterator[Any]:
    items = _iterate(_untrace(v))
    yield sorted(items, key=lambda x: [_key(k) for k in args[0](x, env)])


def _del(v: Any, env: Env, args: list[Filter]) -> Iterator[Any]:
    yield _delpaths(_untrace(v), list(_paths(args[0], _untrace(v), env)))


def _has(v: Any, k: Any) -> bool:
    if isinstance(v, dict):
        return k in v
    if isinstance(v, list):
        return isinstance(k, int) and 0 <= k < len(v)
    raise JqError(f"Cannot check whether {_type(v)} has a key")


_BUILTINS: dict[tuple[str, int], Builtin] = {
    ("length", 0): _one(_length),
    ("utf8bytelength", 0): _one(lambda v: len(v.encode())),
    ("keys", 0): _one(_keys),
    ("keys_unsorted", 0): _one(lambda v: list(v) if isinstance(v, dict) else _keys(v)),
    ("values", 0): lambda v, env, args: (x for x in [v] if x is not None),
    ("map", 1): _map,
    ("map_values", 1): lambda v, env, args: iter(
        [{k: next(args[0](x, env), None) for k, x in _untrace(v).items()}]
        if isinstance(_untrace(v), dict) else [[next(args[0](x, env), None) for x in v]]),
    ("select", 1): _select,
    ("has", 1): _arg1(_has),
    ("in", 1): _arg1(lambda v, o: _has(o, v)),
    ("to_entries", 0): _one(_to_entries),
    ("from_entries", 0): _one(_from_entries),
    ("with_entries", 1): _with_entries,
    ("add", 0): _one(_add),
    ("first", 0): _one(lambda v: v[0] if v else None),
    ("last", 0): _one(lambda v: v[-1] if v else None),
    ("first", 1): lambda v, env, args: iter(list(args[0](v, env))[:1]),
    ("tostring", 0): _one(_tostring),
    ("tonumber", 0): _one(_tonumber),
    ("tojson", 0): _one(lambda v: _dump(v, compact=True)),
    ("fromjson", 0): _one(lambda v: json.loads(v)),
    ("type", 0): _one(_type),
    ("join", 1): _arg1(lambda v, s: s.join(x if isinstance(x, str) else
                                         ("" if x is None else _tostring(x)) for x in v)),
    ("split", 1): _arg1(lambda v, s: v.split(s)),
    ("ascii_downcase", 0): _one(lambda v: v.lower()),
    ("ascii_upcase", 0): _one(lambda v: v.upper()),
    ("ltrimstr", 1): _arg1(lambda v, s: v[len(s):] if isinstance(v, str) and v.startswith(s)
                           else v),
    ("rtrimstr", 1): _arg1(lambda v, s: v[: -len(s)] if isinstance(v, str) and s
                           and v.endswith(s) else v),
    ("startswith", 1): _arg1(lambda v, s: v.startswith(s)),
    ("endswith", 1): _arg1(lambda v, s: v.endswith(s)),
    ("test", 1): _arg1(lambda v, r: re.search(r, v) is not None),
    ("contains", 1): _arg1(lambda v, x: (x in v) if isinstance(v, str) else
                           all(i in v for i in x) if isinstance(v, list) else
                           all(v.get(k) == y for k, y in x.items()) if isinstance(v, dict)
                           else v == x),
    ("sort", 0): _one(lambda v: sorted(v, key=_key)),
    ("sort_by", 1): _sort_by,
    ("unique", 0): _one(lambda v: [x for i, x in enumerate(sorted(v, key=_key))
                                   if i == 0 or x != sorted(v, key=_key)[i - 1]]),
    ("reverse", 0): _one(lambda v: v[::-1]),
    ("min", 0): _one(lambda v: min(v, key=_key) if v else None),
    ("max", 0): _one(lambda v: max(v, key=_key) if v else None),
    ("del", 1): _del,
    ("not", 0): _one(lambda v: not _truthy(v)),
    ("env", 0): lambda v, env, args: iter([dict(env.get("\0env", {}))]),
    ("empty", 0): lambda v, env, args: iter(()),
    ("error", 1): lambda v, env, args: (_ for _ in ()).throw(
        JqError(str(next(args[0](v, env), "")))),
    ("range", 1): lambda v, env, args: (i for n in args[0](v, env) for i in range(int(n))),
    ("floor", 0): _one(lambda v: int(v // 1)),
    ("any", 0): _one(lambda v: any(_truthy(x) for x in v)),
    ("all", 0): _one(lambda v: all(_truthy(x) for x in v)),
    ("paths", 0): lambda v, env, args: iter(()),
    ("splits", 1): lambda v, env, args: (x for s in args[0](v, env) for x in re.split(s, v)),
}  # fmt: skip


# --- output and the program -------------------------------------------------------------


def _dump(v: Any, *, compact: bool = False, indent: int | str = 2, sort: bool = False) -> str:
    if compact:
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False, sort_keys=sort)
    return json.dumps(v, indent=indent, ensure_ascii=False, sort_keys=sort)


def _inputs(data: bytes) -> list[Any]:
    text = data.decode("utf-8", "replace")
    dec = json.JSONDecoder()
    out: list[Any] = []
    i = 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        try:
            v, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise ToolError(f"jq: error (at <stdin>:{exc.lineno}): Cannot parse JSON: {exc.msg}",
                            2) from None  # fmt: skip
        out.append(v)
    return out


@tool("jq", note="modelled: a subset of the jq language (paths, pipes, builtins, assignment)")
def jq(proc: Proc) -> int:
    args = proc.argv[1:]
    flags: set[str] = set()
    env: Env = {"\0env": dict(proc.env)}
    indent: int | str = 2
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--arg", "--argjson") and i + 2 < len(args):
            env[args[i + 1]] = args[i + 2] if a == "--arg" else json.loads(args[i + 2])
            i += 3
            continue
        if a == "--indent" and i + 1 < len(args):
            indent = int(args[i + 1])
            i += 2
            continue
        if a == "--tab":
            indent = "\t"
        elif a.startswith("--"):
            flags.add({"--raw-output": "r", "--join-output": "j", "--compact-output": "c",
                       "--null-input": "n", "--slurp": "s", "--exit-status": "e",
                       "--sort-keys": "S", "--monochrome-output": "M"}.get(a, a))  # fmt: skip
        elif a.startswith("-") and len(a) > 1:
            flags.update(a[1:])
        else:
            rest.append(a)
        i += 1
    if not rest:
        raise ToolError("Usage:\tjq [OPTIONS] FILTER [FILES...]", 2)
    try:
        program = _parse(rest[0])
    except JqError as exc:
        raise ToolError(f"jq: error: {exc}\njq: 1 compile error", 3) from None
    data = b""
    for name in rest[1:]:
        raw = read_bytes(proc, name)
        if raw is None:
            raise ToolError(f"jq: error: Could not open {name}: No such file or directory", 2)
        data += raw
    if not rest[1:]:
        data = proc.stdin
    inputs = [None] if "n" in flags else _inputs(data)
    if "s" in flags and "n" not in flags:
        inputs = [inputs]
    last: Any = None
    any_out = False
    for value in inputs:
        try:
            for out in program(value, env):
                out = _untrace(out)
                any_out, last = True, out
                if ("r" in flags or "j" in flags) and isinstance(out, str):
                    text = out
                else:
                    text = _dump(out, compact="c" in flags, indent=indent, sort="S" in flags)
                proc.out(text + ("" if "j" in flags else "\n"))
        except JqError as exc:
            raise ToolError(f"jq: error (at <stdin>:0): {exc}", 5) from None
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            raise ToolError(f"jq: error (at <stdin>:0): {exc}", 5) from None
    if "e" in flags:
        return 0 if any_out and _truthy(last) else (4 if not any_out else 1)
    return 0
