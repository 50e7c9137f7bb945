"""emu.records.quick_init: the same signature and the same record as dataclass's __init__."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import types
import typing

import pytest

from emu.records import ORIGINAL_INITS, compile_init, quick_init

# The modules whose records use quick_init, loaded (some load only with a first RUN).
for _module in (
    "emu.api",
    "emu.engine.runexec",
    "emu.sh.interp",
    "emu.dockerfile.parser",
    "emu.ignore",
):
    importlib.import_module(_module)

CLASSES = sorted(ORIGINAL_INITS, key=lambda c: c.__qualname__)


def test_the_hot_records_use_it() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"Meta", "File", "StepEvent", "HistoryEntry", "Layer", "WordResult"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_same_signature_and_same_record(cls: type) -> None:
    compiled = compile_init(cls)
    # The parameters the compiled function really takes (not the signature it shows).
    bare = types.FunctionType(compiled.__code__, compiled.__globals__, "f", compiled.__defaults__)
    quick = inspect.signature(bare)
    original = inspect.signature(ORIGINAL_INITS[cls])
    # What callers see (hypothesis's builds() among them) is dataclass's signature, before
    # and after the first instance.
    assert inspect.signature(cls.__init__) == original == inspect.signature(compiled)
    # Type hints resolve in the class's module, as dataclass's do (hypothesis's builds()
    # reads them; a name imported only for type checkers resolves in neither).
    try:
        hints = typing.get_type_hints(ORIGINAL_INITS[cls])
    except NameError:
        hints = None
    if hints is not None:
        assert typing.get_type_hints(cls.__init__) == hints == typing.get_type_hints(compiled)
    assert list(quick.parameters) == list(original.parameters)
    factories = {
        f.name for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING
    }
    for name, p in original.parameters.items():
        if name not in factories:
            assert quick.parameters[name].default == p.default, name
    fields = [f for f in dataclasses.fields(cls) if f.init]
    # Every field given, then only the required ones: both inits make the same record.
    for given in (
        fields,
        [
            f
            for f in fields
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ],
    ):
        args = {f.name: object() for f in given}
        a = cls(**args)
        b = object.__new__(cls)
        ORIGINAL_INITS[cls](b, **args)
        for f in dataclasses.fields(cls):
            va, vb = getattr(a, f.name, None), getattr(b, f.name, None)
            if f.name in args:
                assert va is args[f.name]
            assert va == vb or (f.name in factories and type(va) is type(vb)), f.name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, fields[0].name, 1)


def test_refuses_what_it_cannot_copy() -> None:
    @dataclasses.dataclass(slots=True)
    class Mutable:
        a: int

    with pytest.raises(TypeError, match="needs @dataclass\\(frozen=True, slots=True\\)"):
        quick_init(Mutable)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Posted:
        a: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="does not run __post_init__"):
        quick_init(Posted)

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        a: int

    with pytest.raises(TypeError, match="plain fields only"):
        quick_init(KeywordOnly)


def test_compiled_after_a_few_instances() -> None:
    @quick_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class Late:
        a: int
        b: tuple[int, ...] = dataclasses.field(default_factory=tuple)

    stub = Late.__init__
    from emu.records import _WARM

    made = [Late(i) for i in range(_WARM - 1)]  # dataclass's own __init__ makes these
    assert Late.__init__ is stub
    assert [m.a for m in made] == list(range(_WARM - 1)) and made[0].b == ()
    assert Late(1, (2,)).b == (2,)  # this one compiles the quick __init__
    assert Late.__init__ is not stub
    assert Late(2) == Late(2, ()) and Late(3).b == ()
