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
    """Replace a frozen slotted dataclass's ``__init__`` (see the module docstring)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init needs @dataclass(frozen=True, slots=True)")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: quick_init does not run __post_init__")
    names: dict[str, Any] = {"MISSING": dataclasses.MISSING}
    args: list[str] = []
    body: list[str] = []
    dc: Any = cls  # (checked above to be a dataclass)
    for i, f in enumerate(dataclasses.fields(dc)):
        if f.kw_only or isinstance(f.type, dataclasses.InitVar):
            raise TypeError(f"{cls.__name__}.{f.name}: quick_init takes plain fields only")
        setter = f"_set{i}"
        # The slot's member descriptor (an inherited field's is in its own class).
        slot = next(k.__dict__[f.name] for k in cls.__mro__ if f.name in k.__dict__)
        if not isinstance(slot, types.MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{f.name}: not a slot")
        names[setter] = slot.__set__
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
    exec(source, names)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    ORIGINAL_INITS[cls] = cls.__init__
    setattr(cls, "__init__", init)  # noqa: B010  (a class attribute, set as dataclass sets it)
    return cls
