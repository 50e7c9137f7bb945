"""emu.records.record: the class dataclass makes, without compiling anything at definition.

Each law is checked side by side with ``dataclasses.dataclass`` itself: generated classes
(hypothesis draws the fields and the flags), then every record in emu against a dataclass
twin made from the same field list.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
import pkgutil
import typing
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import emu
from emu import records
from emu.records import _LazyInit, record

runtime_record: Any = record  # (type checkers see dataclass itself)


# -- generated classes ---------------------------------------------------------------------

_VALUES = st.one_of(st.integers(-3, 3), st.text(max_size=2), st.none())


@st.composite
def _specs(draw: st.DrawFn) -> dict[str, Any]:
    fields = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["required", "default", "factory", "no-init"]))
        if fields and fields[-1]["kind"] != "required" and kind == "required":
            kind = "default"  # (dataclass: no required field after one with a default)
        fields.append(
            {
                "name": f"f{i}",
                "kind": kind,
                "default": draw(_VALUES),
                "repr": draw(st.booleans()),
                "compare": draw(st.booleans()),
                "hash": draw(st.sampled_from([None, True, False])),
            }
        )
    frozen = draw(st.booleans())
    eq = draw(st.booleans())
    return {
        "fields": fields,
        "frozen": frozen,
        "slots": draw(st.booleans()),
        "eq": eq,
        "order": eq and draw(st.booleans()),
        "repr": draw(st.booleans()),
        "post_init": draw(st.booleans()),
    }


def _field(spec: dict[str, Any], field: Any) -> Any:
    common = {"repr": spec["repr"], "compare": spec["compare"], "hash": spec["hash"]}
    if spec["kind"] == "default":
        return field(default=spec["default"], **common)
    if spec["kind"] == "factory":
        return field(default_factory=list, **common)
    if spec["kind"] == "no-init":
        return field(default=spec["default"], init=False, **common)
    return field(**common)


def _make(decorator: Any, spec: dict[str, Any], posted: list[int]) -> Any:
    namespace: dict[str, Any] = {
        "__annotations__": {f["name"]: "object" for f in spec["fields"]},
        "__qualname__": "Rec",
        "__module__": __name__,
    }
    for f in spec["fields"]:
        # (each declared with its own decorator's field(): a record's is emu.records.field)
        own_field = records.field if decorator is runtime_record else dataclasses.field
        namespace[f["name"]] = _field(f, own_field)
    if spec["post_init"]:
        namespace["__post_init__"] = lambda self: posted.append(1)
    flags = {k: spec[k] for k in ("frozen", "slots", "eq", "order", "repr")}
    return decorator(**flags)(type("Rec", (), namespace))


def _args(spec: dict[str, Any], shift: int) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for i, f in enumerate(spec["fields"]):
        if f["kind"] == "required":
            given[f["name"]] = i + shift
        elif f["kind"] == "factory" and shift % 2:
            given[f["name"]] = [shift]
        elif f["kind"] == "default" and shift % 2:
            given[f["name"]] = f"d{shift}"
    return given


def _call(spec: dict[str, Any], shift: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """:func:`_args` with the leading init fields given by position."""
    given = _args(spec, shift)
    init = [f["name"] for f in spec["fields"] if f["kind"] != "no-init"]
    positional = []
    for name in init[: len(init) // 2 + shift % 2]:
        if name not in given:
            break
        positional.append(given.pop(name))
    return tuple(positional), given


@given(_specs(), st.integers(0, 3))
def test_a_call_it_cannot_bind_fails_as_dataclass_s(spec: dict[str, Any], extra: int) -> None:
    Rec = _make(runtime_record, spec, [])
    Twin = _make(dataclasses.dataclass, spec, [])
    n = sum(1 for f in spec["fields"] if f["kind"] != "no-init")
    args, kwargs = _call(spec, extra)
    for bad_args, bad_kwargs in (
        ((0,) * (n + 1), {}),  # one too many
        (args, {**kwargs, "nope": 1}),  # unknown
        ((), {}),  # the required ones missing
        (args, {**kwargs, **{f["name"]: 1 for f in spec["fields"][:1]}}),  # twice
    ):
        fresh = _make(runtime_record, spec, [])  # (built from the field list, not compiled)
        outcome = _made(fresh, bad_args, bad_kwargs)
        assert outcome == _made(Twin, bad_args, bad_kwargs) == _made(Rec, bad_args, bad_kwargs)


def _made(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return ("made", _state(cls(*args, **kwargs)))
    except TypeError as e:
        return ("raised", str(e))


def _state(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name, "<unset>") for f in dataclasses.fields(obj)}


def _outcome(fn: Any) -> Any:
    try:
        return ("value", fn())
    except Exception as e:  # (what each raises, compared by type and message)
        return ("raised", type(e).__name__, str(e))


@given(_specs(), st.integers(0, 3), st.integers(0, 3))
def test_a_record_behaves_as_dataclass_made_it(spec: dict[str, Any], x: int, y: int) -> None:
    posted: list[int] = []
    twin_posted: list[int] = []
    Rec = _make(runtime_record, spec, posted)
    Twin = _make(dataclasses.dataclass, spec, twin_posted)
    # The first instances are built from the field list: nothing is compiled yet.
    early = [Rec(*_call(spec, x)[0], **_call(spec, x)[1]), Rec(**_args(spec, y))]
    assert isinstance(Rec.__dict__["__init__"], _LazyInit)
    assert str(inspect.signature(Rec)) == str(inspect.signature(Twin))
    assert not isinstance(Rec.__dict__["__init__"], _LazyInit)  # compiled when looked up
    assert typing.get_type_hints(Rec.__init__) == typing.get_type_hints(Twin.__init__)
    assert [f.name for f in dataclasses.fields(Rec)] == [f.name for f in dataclasses.fields(Twin)]
    assert Rec.__match_args__ == Twin.__match_args__
    assert ("__slots__" in Rec.__dict__) == ("__slots__" in Twin.__dict__)
    a, b = Rec(**_args(spec, x)), Rec(**_args(spec, y))
    ta, tb = Twin(**_args(spec, x)), Twin(**_args(spec, y))
    assert posted == twin_posted * 2
    assert _state(a) == _state(ta) == _state(early[0]) and _state(b) == _state(tb) == _state(
        early[1]
    )
    assert (repr(a) == repr(ta) and repr(b) == repr(tb)) or not spec["repr"]
    assert (a == b) == (ta == tb) and (a != b) == (ta != tb)
    assert (a == ta) is False  # (another class: neither compares)
    if Twin.__hash__ is object.__hash__:
        assert Rec.__hash__ is object.__hash__
    else:
        assert _outcome(lambda: hash(a)) == _outcome(lambda: hash(ta))
    if spec["order"]:
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert _outcome(lambda op=op: getattr(a, op)(b)) == _outcome(
                lambda op=op: getattr(ta, op)(tb)
            )
    if spec["fields"]:
        for change in (lambda o: setattr(o, "f0", 1), lambda o: delattr(o, "f0")):
            assert _outcome(lambda c=change: c(copy.copy(a))) == _outcome(
                lambda c=change: c(copy.copy(ta))
            )
    if spec["frozen"]:
        # dataclass 3.11's frozen slotted __setattr__ names the class it had before the
        # slots were added, so for a name that is no field it raises TypeError from super();
        # a record refuses it as dataclass does for a class without slots.
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
            a.other = 1
    for made, twin in ((a, ta), (b, tb)):
        assert made.__reduce_ex__(4)[2:3] == twin.__reduce_ex__(4)[2:3] or not spec["slots"]
        assert _state(copy.deepcopy(made)) == _state(twin)
        assert _outcome(lambda m=made: _state(dataclasses.replace(m))) == _outcome(
            lambda t=twin: _state(dataclasses.replace(t))
        )
    assert _outcome(lambda: dataclasses.asdict(a)) == _outcome(lambda: dataclasses.asdict(ta))
    # emu.records' own fields() and replace(), which read no dataclasses.Field
    assert [_described(f) for f in records.fields(Rec)] == [
        _described(f) for f in dataclasses.fields(Twin)
    ]
    for changes in ({}, {"f0": 9}):
        assert _outcome(lambda c=changes: _state(records.replace(a, **c))) == _outcome(
            lambda c=changes: _state(dataclasses.replace(ta, **c))
        )


def _described(f: Any) -> tuple[Any, ...]:
    def plain(value: Any) -> Any:
        return "<missing>" if value in (records.MISSING, dataclasses.MISSING) else value

    return (f.name, f.type, plain(f.default), plain(f.default_factory), f.init, f.repr,
            f.hash, f.compare, dict(f.metadata))  # fmt: skip


@runtime_record(frozen=True, slots=True)
class _Pickled:
    a: int
    b: tuple[str, ...] = ()


def test_a_frozen_slotted_record_pickles() -> None:
    made = _Pickled(1, ("x",))
    assert pickle.loads(pickle.dumps(made)) == made
    assert made.__getstate__() == [1, ("x",)]


def test_a_record_refuses_what_it_does_not_make() -> None:
    class Keyword:
        a: int = records.field(kw_only=True)

    with pytest.raises(TypeError, match="plain fields only"):
        runtime_record(frozen=True, slots=True)(Keyword)

    class Init:
        a: dataclasses.InitVar[int]

    with pytest.raises(TypeError, match="plain fields only"):
        runtime_record(Init)

    with pytest.raises(TypeError, match="unexpected keyword argument 'kw_only'"):
        runtime_record(kw_only=True)

    @runtime_record(frozen=True, slots=True)
    class Frozen:
        a: int

    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        runtime_record(slots=True)(type("Mutable", (Frozen,), {}))

    class Own:
        def __setattr__(self, name: str, value: object) -> None: ...

    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        runtime_record(frozen=True)(Own)

    with pytest.raises(ValueError, match="eq must be true if order is true"):
        runtime_record(eq=False, order=True)(type("C", (), {}))

    class Foreign:
        a: int = dataclasses.field(default=1)

    with pytest.raises(TypeError, match=r"Foreign\.a: declare it with emu\.records\.field"):
        runtime_record(Foreign)


@pytest.mark.parametrize(
    "body",
    [
        "a: int = 1\n    b: int",  # a required field after a default
        "a: list = []",  # a mutable default
        "a = field(default=1)",  # a field without an annotation
    ],
)
def test_a_record_refuses_a_class_body_as_dataclass_does(body: str) -> None:
    errors = []
    for module in (records, dataclasses):
        namespace: dict[str, Any] = {"field": module.field}
        exec(f"class C:\n    {body}\n", namespace)
        decorate = runtime_record if module is records else dataclasses.dataclass
        with pytest.raises((TypeError, ValueError)) as caught:
            decorate(namespace["C"])
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def test_a_class_variable_is_no_field() -> None:
    @runtime_record(frozen=True, slots=True)
    class C:
        a: int
        shared: typing.ClassVar[int] = 3
        named: ClassVar[str] = "x"

    assert [f.name for f in records.fields(C)] == ["a"]
    assert C(1).shared == 3 and C.named == "x" and C.__match_args__ == ("a",)


def test_a_subclass_record_has_its_bases_fields_and_its_own_init() -> None:
    @runtime_record(frozen=True, slots=True)
    class Base:
        a: int
        b: tuple[int, ...] = ()

    @runtime_record(frozen=True, slots=True)
    class Sub(Base):
        c: str = "x"

    @dataclasses.dataclass(frozen=True)
    class TwinBase:
        a: int
        b: tuple[int, ...] = ()

    @dataclasses.dataclass(frozen=True)
    class TwinSub(TwinBase):
        c: str = "x"

    s = Sub(1, (2,), "y")
    assert (s.a, s.b, s.c) == (1, (2,), "y") and Sub(1).c == "x"
    assert Base(1).b == () and Base(1) != Sub(1)
    assert str(inspect.signature(Sub)) == str(inspect.signature(TwinSub))
    assert repr(s).removeprefix(Sub.__qualname__) == repr(TwinSub(1, (2,), "y")).removeprefix(
        TwinSub.__qualname__
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.a = 2  # type: ignore[misc]


# -- every record in emu -------------------------------------------------------------------


def _records() -> list[type]:
    for info in pkgutil.walk_packages(emu.__path__, "emu."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: dict[str, type] = {}
    stack: list[type] = [object]
    while stack:
        for sub in type.__subclasses__(stack.pop()):
            stack.append(sub)
            if "__record_params__" in sub.__dict__ and sub.__module__.startswith("emu."):
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return [found[k] for k in sorted(found)]


RECORDS = _records()


def test_emu_defines_its_values_as_records() -> None:
    names = {c.__name__ for c in RECORDS}
    assert {"Meta", "File", "StepEvent", "HistoryEntry", "Layer", "Position", "Span"} <= names
    assert len(RECORDS) > 250


def _twin(cls: Any) -> Any:
    """What ``dataclasses.dataclass`` makes of ``cls``'s field list."""
    params = cls.__record_params__
    fields = [
        (
            f.name,
            f.type,
            dataclasses.field(
                default=f.default,
                default_factory=f.default_factory,
                init=f.init,
                repr=f.repr,
                hash=f.hash,
                compare=f.compare,
            ),
        )
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(
        cls.__name__,
        fields,
        frozen=params.frozen,
        eq=params.eq,
        order=params.order,
        repr=params.repr,
        slots="__slots__" in cls.__dict__,
        namespace={"__module__": cls.__module__},
    )


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_each_record_has_dataclass_s_signature_and_record(cls: Any) -> None:
    twin = _twin(cls)
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    try:
        hints = typing.get_type_hints(twin.__init__)
    except NameError:
        hints = None  # (a name imported only for type checkers resolves in neither)
    if hints is not None:
        assert typing.get_type_hints(cls.__init__) == hints
    if hasattr(cls, "__post_init__"):
        return  # (it checks its own arguments: made by its module's tests)
    required = {
        f.name: object()
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    a, b = cls(**required), twin(**required)
    assert _state(a) == _state(b) or all(
        type(getattr(a, n, None)) is type(getattr(b, n, None)) for n in _state(a)
    )
    if cls.__record_params__.frozen:
        name = dataclasses.fields(cls)[0].name if dataclasses.fields(cls) else "x"
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, name, 1)


def test_no_module_of_emu_imports_dataclasses_at_its_top() -> None:
    # Every value is a record, and a module that imported dataclasses at its top would bring
    # it (and inspect) back into every command that loads that module.
    import ast
    from pathlib import Path

    root = Path(emu.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module == "dataclasses":
                names = ["dataclasses"]
            if "dataclasses" in names:
                found.append(str(path.relative_to(root)))
    assert found == []
