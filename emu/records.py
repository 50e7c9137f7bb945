"""Frozen records built in the hot loop of a build, made as fast as mutable ones.

A ``@dataclass(frozen=True, slots=True)`` sets each field in ``__init__`` through
``object.__setattr__`` (its own ``__setattr__`` refuses), which costs about four times a
plain assignment: a build makes hundreds of such records (metadata, files, step events,
history, layers), and those calls were over a tenth of its time. :func:`quick_init` gives
such a class an ``__init__`` with the same signature and effect that sets each slot
through the slot's own descriptor instead. The class stays frozen: only ``__init__``
changes, and ``dataclasses.replace``, equality, hashing, ``repr`` and pickling are the
dataclass's own.

Only plain fields are supported (defaults and default factories, no ``InitVar``, no
``__post_init__``, no keyword-only fields); anything else is refused when the class is
defined, so a class that outgrows it fails loudly, not subtly.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")

# Each class given a quick __init__, with the one dataclass wrote (tests compare the two).
ORIGINAL_INITS: dict[type, Callable[..., None]] = {}


def quick_init(cls: type[_T]) -> type[_T]:
    """Replace a frozen slotted dataclass's ``__init__`` (see the module docstring).

    The new ``__init__`` is compiled once the class has made a few instances, not when it
    is defined: a command that makes a record or two does not pay for compiling it (start-up
    counts). What the class holds is checked now, so an unsupported field fails at import.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init needs @dataclass(frozen=True, slots=True)")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: quick_init does not run __post_init__")
    dc: Any = cls  # (checked above to be a dataclass)
    for f in dataclasses.fields(dc):
        if f.kw_only or isinstance(f.type, dataclasses.InitVar):
            raise TypeError(f"{cls.__name__}.{f.name}: quick_init takes plain fields only")
        if not isinstance(_slot(cls, f.name), types.MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{f.name}: not a slot")
    original = cls.__init__
    ORIGINAL_INITS[cls] = original
    made = 0

    def warming(self: Any, *args: Any, **kwargs: Any) -> None:
        # dataclass's own __init__ for the first few instances: compiling costs about as
        # much as a hundred of them, which a one-off command (`emu build` of one file,
        # `emu parse`) would pay for records it makes a handful of.
        nonlocal made
        made += 1
        if made >= _WARM:
            setattr(cls, "__init__", compile_init(cls))  # noqa: B010  (as dataclass sets it)
        original(self, *args, **kwargs)

    warming.__qualname__ = original.__qualname__
    warming.__doc__ = original.__doc__
    warming.__annotations__ = dict(original.__annotations__)
    warming.__wrapped__ = original  # type: ignore[attr-defined]  # (inspect.signature: dataclass's)
    setattr(cls, "__init__", warming)  # noqa: B010
    return cls


_WARM = 8  # instances made by dataclass's __init__ before the quick one is compiled


def _slot(cls: type, name: str) -> object:
    """The slot's member descriptor (an inherited field's is in its own class)."""
    return next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__)


def compile_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` :func:`quick_init` gives ``cls``: each field set through its slot."""
    names: dict[str, Any] = {"MISSING": dataclasses.MISSING}
    args: list[str] = []
    body: list[str] = []
    dc: Any = cls
    for i, f in enumerate(dataclasses.fields(dc)):
        setter = f"_set{i}"
        names[setter] = _slot(cls, f.name).__set__  # type: ignore[attr-defined]
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_factory:
            names[f"_factory{i}"] = f.default_factory
        if f.default is not dataclasses.MISSING:
            names[f"_default{i}"] = f.default
        if not f.init:
            if has_factory:
                body.append(f"    {setter}(self, _factory{i}())")
            elif f.default is not dataclasses.MISSING:
                body.append(f"    {setter}(self, _default{i})")
            continue  # (no default: the slot stays unset, as dataclass leaves it)
        if has_factory:
            args.append(f"{f.name}=MISSING")
            body.append(f"    {setter}(self, _factory{i}() if {f.name} is MISSING else {f.name})")
        else:
            args.append(f"{f.name}=_default{i}" if f.default is not dataclasses.MISSING else f.name)
            body.append(f"    {setter}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, names)  # (generated from the class's own field list, as dataclass does)
    init: Any = names["__init__"]
    original: Any = ORIGINAL_INITS.get(cls) or dc.__init__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = original.__doc__
    init.__annotations__ = dict(original.__annotations__)
    init.__wrapped__ = original  # (inspect.signature shows dataclass's: a factory as such)
    return init  # type: ignore[no-any-return]
