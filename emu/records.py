"""Records: dataclasses that cost nothing to define and little to build.

emu's values are frozen slotted dataclasses. ``@dataclass`` compiles five or six functions
for each class when its module is imported (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``, ``__delattr__``): for the 135 classes ``emu build`` loads
that was 50 ms, a third of the command's start-up, though a build instantiates half of
them. And a frozen class's ``__init__`` sets each field through ``object.__setattr__``
(its own ``__setattr__`` refuses), about four times the cost of a plain assignment, in the
hot loop of a build (metadata, files, step events, layers).

:func:`record` takes ``dataclass``'s arguments and makes the same class with neither cost:

- ``dataclasses.dataclass`` itself is run with nothing to generate (no ``__init__``,
  ``__repr__``, ``__eq__``, not frozen), so it still collects the fields, makes the slots,
  ``__match_args__`` and everything ``dataclasses.fields``, ``replace`` and ``asdict`` read;
- ``__init__`` is compiled the first time anything looks the class's ``__init__`` up (an
  instance made, ``inspect.signature``), with the signature, defaults, annotations and
  effect of dataclass's; a frozen class's fields are set through their slots' descriptors;
- equality, hashing, ordering, ``repr`` and the frozen ``__setattr__``/``__delattr__`` are
  shared functions over the class's field names (``operator.attrgetter`` builds the same
  tuples dataclass's generated code compares and hashes), and a frozen slotted record
  pickles and copies through ``__getstate__``/``__setstate__`` as dataclass's does.

Type checkers see ``record`` as ``dataclasses.dataclass`` itself (mypy's dataclass plugin
checks every record). ``tests/test_records.py`` holds each behaviour side by side with
dataclass's for generated classes, and every record in emu against a dataclass twin.

What it does not do it refuses when the class is defined (``InitVar``, keyword-only
fields, ``unsafe_hash``, ``init=False`` on the class), so a class that outgrows it fails
loudly, not subtly. ``__dataclass_params__`` shows what ``dataclass`` was asked to
generate (nothing); what the record does is in ``__record_params__``. A record's subclass
is a record too (a frozen record refuses a mutable subclass, as dataclass does).
"""

from __future__ import annotations

import dataclasses
import reprlib
import sys
from collections.abc import Callable
from operator import attrgetter
from types import MethodType
from typing import TYPE_CHECKING, Any, NamedTuple

__all__ = ["FACTORY", "RecordParams", "compile_init", "record"]


class RecordParams(NamedTuple):
    """What :func:`record` was asked for (``__record_params__``)."""

    frozen: bool
    eq: bool
    order: bool
    repr: bool


if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:

    def record(
        cls: type | None = None,
        /,
        *,
        frozen: bool = False,
        slots: bool = False,
        eq: bool = True,
        order: bool = False,
        repr: bool = True,
    ) -> Any:
        """``dataclasses.dataclass`` with these arguments, made as the module says."""
        params = RecordParams(frozen, eq, order, repr)

        def wrap(c: type) -> type:
            return _make(c, params, slots)

        return wrap if cls is None else wrap(cls)


def _make(cls: type, params: RecordParams, slots: bool) -> type:
    own = cls.__dict__
    for base in cls.__mro__[1:]:
        base_params = base.__dict__.get("__record_params__")
        if base_params is not None and base_params.frozen != params.frozen:
            this = "frozen" if params.frozen else "non-frozen"
            other = "non-frozen" if params.frozen else "frozen"
            raise TypeError(f"cannot inherit {this} dataclass from a {other} one")
    if params.order and not params.eq:
        raise ValueError("eq must be true if order is true")
    # dataclass's rule for a __hash__ the class body wrote itself.
    class_hash = own.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (
        class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in own)
    )
    if params.frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    if not own.get("__doc__"):
        cls.__doc__ = cls.__name__  # (dataclass would call inspect.signature: see below)
    made: Any = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots)
    fields = dataclasses.fields(made)
    for f in made.__dataclass_fields__.values():
        # (fields() leaves out ClassVar and InitVar pseudo-fields; an InitVar under
        # postponed annotations is still the string that names it)
        initvar = isinstance(f.type, dataclasses.InitVar) or "InitVar" in str(f.type)
        if f.kw_only is True or initvar:
            raise TypeError(f"{made.__name__}.{f.name}: a record takes plain fields only")
    if made.__doc__ == made.__name__:
        made.__doc__ = f"{made.__name__}({', '.join(f.name for f in fields if f.init)})"
    made.__record_params__ = params
    if "__init__" not in own:
        made.__init__ = _LazyInit(made)
    names = tuple(f.name for f in fields)
    if params.repr and "__repr__" not in own:
        _set(made, "__repr__", _repr_fn(tuple(f.name for f in fields if f.repr)))
    compared = _tuple_of(tuple(f.name for f in fields if f.compare))
    if params.eq and "__eq__" not in own:
        _set(made, "__eq__", _eq_fn(compared))
    if params.order:
        for name, op in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")):
            if name in own:
                raise TypeError(
                    f"Cannot overwrite attribute {name} in class {made.__name__}. "
                    "Consider using functools.total_ordering"
                )
            _set(made, name, _order_fn(compared, op))
    if params.eq and not explicit_hash:
        if params.frozen:
            hashed = (f.name for f in fields if (f.compare if f.hash is None else f.hash))
            _set(made, "__hash__", _hash_fn(_tuple_of(tuple(hashed))))
        else:
            made.__hash__ = None
    if params.frozen:
        _set(made, "__setattr__", _frozen_setattr(made, frozenset(names)))
        _set(made, "__delattr__", _frozen_delattr(made, frozenset(names)))
        if slots:
            if "__getstate__" not in own:
                _set(made, "__getstate__", _getstate_fn(_tuple_of(names)))
            if "__setstate__" not in own:
                _set(made, "__setstate__", _setstate_fn(names))
    return made  # type: ignore[no-any-return]


def _set(cls: type, name: str, fn: Callable[..., Any]) -> None:
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, fn)


def _tuple_of(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes (``attrgetter`` gives a bare value for one name)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _repr_fn(names: tuple[str, ...]) -> Callable[[Any], str]:
    # One format string per class, filled by str.format (each value by its repr), as fast
    # as dataclass's compiled f-string: an image's cache key holds its config's repr.
    template = "{}(" + ", ".join(f"{name}={{!r}}" for name in names) + ")"
    values = _tuple_of(names)

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        return template.format(self.__class__.__qualname__, *values(self))

    return __repr__


def _eq_fn(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _order_fn(key: Callable[[Any], tuple[Any, ...]], op: str) -> Callable[[Any, Any], Any]:
    compare: Callable[[Any, Any], bool] = {
        "<": tuple.__lt__,
        "<=": tuple.__le__,
        ">": tuple.__gt__,
        ">=": tuple.__ge__,
    }[op]

    def order(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare(key(self), key(other))
        return NotImplemented

    return order


def _hash_fn(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _frozen_setattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def _getstate_fn(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], list[Any]]:
    # (a list of the field values, in field order: the state dataclass's pickles hold)
    def __getstate__(self: Any) -> list[Any]:
        return list(values(self))

    return __getstate__


def _setstate_fn(names: tuple[str, ...]) -> Callable[[Any, list[Any]], None]:
    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    return __setstate__


_UNSET: Any = object()  # a no-argument field's default that goes in no slot
_WARM = 8  # instances a class makes before its __init__ is compiled


class _LazyInit:
    """A record's ``__init__`` until the class has made a few instances.

    The first instances are made by :meth:`build`, which reads the field list (no code
    compiled: compiling costs as much as some twenty instances, and a one-off command makes
    a handful of most records). Then, or as soon as anything looks the class's ``__init__``
    up on the class itself (``inspect.signature``, hypothesis), the real one is compiled and
    put on the class in this object's place, so from then on the class holds a plain
    function and this object is gone.
    """

    __slots__ = ("cls", "made", "plan")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.made = 0
        self.plan: _Plan | None = None

    def compiled(self) -> Any:
        init: Any = self.cls.__dict__.get("__init__")
        if init is self:
            init = compile_init(self.cls)
            type.__setattr__(self.cls, "__init__", init)
        return init

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None or self.made >= _WARM:
            init = self.compiled()
            return init if obj is None else init.__get__(obj, owner)
        self.made += 1
        return MethodType(self.build, obj)

    def build(self, obj: Any, /, *args: Any, **kwargs: Any) -> None:
        """What the compiled ``__init__`` does, read from the field list. A call it does
        not bind plainly (a missing, repeated or unknown argument) goes to the compiled
        one, so the ``TypeError`` is Python's own."""
        plan = self.plan
        if plan is None:
            plan = self.plan = _Plan.of(self.cls)
        if len(args) > plan.positional or (kwargs and not kwargs.keys() <= plan.names):
            return self.compiled()(obj, *args, **kwargs)  # type: ignore[no-any-return]
        values: list[tuple[str, Any]] = []
        i = 0
        for name, init, default, factory in plan.fields:
            if init:
                if i < len(args):
                    if name in kwargs:
                        return self.compiled()(obj, *args, **kwargs)  # type: ignore[no-any-return]
                    value = args[i]
                elif name in kwargs:
                    value = kwargs[name]
                elif factory is not dataclasses.MISSING:
                    value = factory()
                elif default is not dataclasses.MISSING:
                    value = default
                else:
                    return self.compiled()(obj, *args, **kwargs)  # type: ignore[no-any-return]
                i += 1
            elif factory is not dataclasses.MISSING:
                value = factory()
            elif default is not dataclasses.MISSING and default is not _UNSET:
                value = default
            else:
                continue  # (unset, as compile_init leaves such a field)
            values.append((name, value))
        store = object.__setattr__ if plan.frozen else setattr
        for name, value in values:
            store(obj, name, value)
        if plan.post_init:
            obj.__post_init__()
        return None


class _Plan(NamedTuple):
    """A class's fields as :meth:`_LazyInit.build` reads them."""

    fields: tuple[tuple[str, bool, Any, Any], ...]  # name, init, default, default factory
    positional: int
    names: frozenset[str]
    frozen: bool
    post_init: bool

    @staticmethod
    def of(cls: Any) -> _Plan:
        fields = dataclasses.fields(cls)
        init = [f.name for f in fields if f.init]
        return _Plan(
            tuple(
                (
                    f.name,
                    f.init,
                    # (a field set by no argument takes its default only into a slot:
                    # without one the class attribute holds it, as compile_init leaves it)
                    f.default if f.init or _slot(cls, f.name) is not None else _UNSET,
                    f.default_factory,
                )
                for f in fields
            ),
            len(init),
            frozenset(init),
            cls.__record_params__.frozen,
            hasattr(cls, "__post_init__"),
        )


class _Factory:
    """The default a field with a ``default_factory`` shows in the signature."""

    def __repr__(self) -> str:
        return "<factory>"


FACTORY = _Factory()


def compile_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` a record of ``cls``'s fields has (dataclass's, made faster).

    Its parameters, defaults and annotations are dataclass's (a default factory shows as
    ``<factory>``), and it is compiled in the class's module, so type hints resolve there.
    A frozen class's field is set through its slot's descriptor (a plain class's through
    ``object.__setattr__``), a mutable class's by assignment.
    """
    params: RecordParams = cls.__record_params__  # type: ignore[attr-defined]
    closure: dict[str, Any] = {"_FACTORY": FACTORY, "_object_setattr": object.__setattr__}
    args: list[str] = []
    body: list[str] = []
    annotations: dict[str, Any] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        slot = _slot(cls, f.name)
        if not params.frozen:
            store = f"self.{f.name} = {{}}"
        elif slot is not None:
            closure[f"_set{i}"] = slot.__set__
            store = f"_set{i}(self, {{}})"
        else:
            store = f"_object_setattr(self, {f.name!r}, {{}})"
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_factory:
            closure[f"_factory{i}"] = f.default_factory
        if f.default is not dataclasses.MISSING:
            closure[f"_default{i}"] = f.default
        if not f.init:
            if has_factory:
                body.append(store.format(f"_factory{i}()"))
            elif f.default is not dataclasses.MISSING and slot is not None:
                body.append(store.format(f"_default{i}"))
            # (no default: the field stays unset, as dataclass leaves it; without slots the
            # class attribute holds the default, as dataclass leaves it too)
            continue
        annotations[f.name] = f.type
        if has_factory:
            args.append(f"{f.name}=_FACTORY")
            body.append(store.format(f"_factory{i}() if {f.name} is _FACTORY else {f.name}"))
        elif f.default is not dataclasses.MISSING:
            args.append(f"{f.name}=_default{i}")
            body.append(store.format(f.name))
        else:
            args.append(f.name)
            body.append(store.format(f.name))
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    annotations["return"] = None
    lines = [f"def __create_fn__({', '.join(closure)}):"]
    lines.append(f" def __init__(self, {', '.join(args)}):")
    lines.extend(f"  {line}" for line in body or ["pass"])
    lines.append(" return __init__")
    source = "\n".join(lines) + "\n"
    module = sys.modules.get(cls.__module__)
    namespace: dict[str, Any] = {}
    # (generated from the class's own field list, as dataclass does; compiled in the
    # class's module so that its globals are the ones type hints resolve in)
    exec(source, module.__dict__ if module else {}, namespace)
    init: Any = namespace["__create_fn__"](**closure)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = annotations
    return init  # type: ignore[no-any-return]


def _slot(cls: type, name: str) -> Any:
    """The slot's member descriptor (an inherited field's is in its own class), if a slot."""
    for k in cls.__mro__:
        if name in k.__dict__.get("__slots__", ()):
            return k.__dict__[name]
    return None
