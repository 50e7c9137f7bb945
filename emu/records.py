"""Records: dataclasses that cost nothing to define and little to build.

emu's values are frozen slotted dataclasses. ``@dataclass`` compiles five or six functions
for each class when its module is imported (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``, ``__delattr__``): for the 135 classes ``emu build`` loads
that was 50 ms, a third of the command's start-up, though a build instantiates half of
them; importing :mod:`dataclasses` (which imports :mod:`inspect`, :mod:`ast`, :mod:`dis`)
and its per-class bookkeeping were another tenth. And a frozen class's ``__init__`` sets
each field through ``object.__setattr__`` (its own ``__setattr__`` refuses), about four
times the cost of a plain assignment, in the hot loop of a build.

:func:`record` takes ``dataclass``'s arguments and makes the same class with none of that:

- the fields are read from the class body as dataclass reads them (annotations in order,
  a base record's fields first, ``ClassVar`` left out, :func:`field` for what a plain
  default cannot say), and refused where dataclass refuses them, with its words; with
  ``slots=True`` the class is made again with a slot per field, as dataclass makes it;
- ``__init__`` is compiled once the class has made eight instances, or when anything asks
  the class for it (``inspect.signature``), with the signature, defaults, annotations and
  effect of dataclass's; the first instances are built from the field list; a frozen
  class's fields are set through their slots' descriptors;
- equality, hashing, ordering, ``repr`` and the frozen ``__setattr__``/``__delattr__`` are
  shared functions over the class's field names (``operator.attrgetter`` builds the same
  tuples dataclass's generated code compares and hashes), and a frozen slotted record
  pickles and copies through ``__getstate__``/``__setstate__`` as dataclass's does;
- :func:`fields` and :func:`replace` are ``dataclasses.fields`` and ``dataclasses.replace``
  for records; ``dataclasses`` itself takes a record as a dataclass too (its
  ``__dataclass_fields__`` are made, by dataclass, the first time they are read).

Type checkers see ``record``, ``field``, ``fields``, ``replace`` and ``MISSING`` as
:mod:`dataclasses`' own (mypy's dataclass plugin checks every record).
``tests/test_records.py`` holds each behaviour side by side with dataclass's for generated
classes, and every record in emu against a dataclass twin.

What it does not do it refuses when the class is defined (``InitVar``, keyword-only
fields, ``dataclasses.field`` in a record's body, a dataclass base), so a class that
outgrows it fails loudly, not subtly. A record's subclass is a record too (a frozen record
refuses a mutable subclass, as dataclass does).
"""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Callable, Mapping
from operator import attrgetter
from types import MappingProxyType, MemberDescriptorType, MethodType
from typing import TYPE_CHECKING, Any, NamedTuple

__all__ = [
    "FACTORY",
    "MISSING",
    "RecordParams",
    "compile_init",
    "field",
    "fields",
    "record",
    "replace",
]


class RecordParams(NamedTuple):
    """What :func:`record` was asked for (``__record_params__``)."""

    frozen: bool
    eq: bool
    order: bool
    repr: bool


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


class Field:
    """A record's field: what ``dataclasses.Field`` holds, under the same names."""

    __slots__ = (
        "compare",
        "default",
        "default_factory",
        "hash",
        "init",
        "kw_only",
        "metadata",
        "name",
        "repr",
        "type",
    )

    def __init__(
        self,
        default: Any,
        default_factory: Any,
        init: bool,
        repr: bool,
        hash: bool | None,
        compare: bool,
        metadata: Mapping[Any, Any] | None,
        kw_only: Any,
    ) -> None:
        self.name: str = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        self.metadata = MappingProxyType(dict(metadata) if metadata else {})
        self.kw_only = kw_only

    def __repr__(self) -> str:
        shown = ",".join(f"{name}={getattr(self, name)!r}" for name in _FIELD_REPR)
        return f"Field({shown})"


_FIELD_REPR = ("name", "type", "default", "default_factory", "init", "repr", "hash", "compare",
               "metadata", "kw_only")  # fmt: skip


if TYPE_CHECKING:
    from dataclasses import MISSING as MISSING
    from dataclasses import dataclass as record
    from dataclasses import field as field
    from dataclasses import fields as fields
    from dataclasses import replace as replace
else:
    MISSING = _Missing()

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

    def field(
        *,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        hash: bool | None = None,
        compare: bool = True,
        metadata: Mapping[Any, Any] | None = None,
        kw_only: Any = MISSING,
    ) -> Any:
        """``dataclasses.field``: a field's default and what it takes part in."""
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only)

    def fields(class_or_instance: Any) -> tuple[Field, ...]:
        """``dataclasses.fields`` of a record (of anything else, dataclasses' own)."""
        found = getattr(class_or_instance, "__record_fields__", None)
        if found is None:
            import dataclasses

            return dataclasses.fields(class_or_instance)  # type: ignore[return-value]
        return tuple(found.values())

    def replace(obj: Any, /, **changes: Any) -> Any:
        """``dataclasses.replace``: a copy of the record ``obj`` with ``changes``."""
        found = getattr(type(obj), "__record_fields__", None)
        if found is None:
            import dataclasses

            return dataclasses.replace(obj, **changes)
        for name, f in found.items():
            if not f.init:
                if name in changes:
                    raise ValueError(
                        f"field {name} is declared with init=False, it cannot be "
                        "specified with replace()"
                    )
            elif name not in changes:
                changes[name] = getattr(obj, name)
        return obj.__class__(**changes)


def _make(cls: type, params: RecordParams, slots: bool) -> type:
    own = cls.__dict__
    found: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        base_fields = base.__dict__.get("__record_fields__")
        if base_fields is not None:
            found.update(base_fields)
            base_params = base.__dict__["__record_params__"]
            if base_params.frozen != params.frozen:
                this = "frozen" if params.frozen else "non-frozen"
                other = "non-frozen" if params.frozen else "frozen"
                raise TypeError(f"cannot inherit {this} dataclass from a {other} one")
        elif "__dataclass_fields__" in base.__dict__:
            raise TypeError(f"{cls.__name__}: a record's bases are records, not dataclasses")
    if params.order and not params.eq:
        raise ValueError("eq must be true if order is true")
    annotations: dict[str, Any] = own.get("__annotations__", {})
    for name, annotation in annotations.items():
        kind = _pseudo_field(annotation)
        if kind == "ClassVar":
            continue
        default = getattr(cls, name, MISSING)
        if isinstance(default, MemberDescriptorType):
            default = MISSING  # (a slot a base declared: no default)
        f = (
            default
            if isinstance(default, Field)
            else Field(default, MISSING, True, True, None, True, None, MISSING)
        )
        if kind or f.kw_only is True:
            raise TypeError(f"{cls.__name__}.{name}: a record takes plain fields only")
        if _is_foreign_field(f.default):
            raise TypeError(f"{cls.__name__}.{name}: declare it with emu.records.field")
        f.name, f.type = name, annotation
        if f.default is not MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(
                f"mutable default {type(f.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        found[name] = f
        if isinstance(own.get(name), Field):  # (as dataclass leaves the class attribute)
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    for name, value in own.items():
        if (isinstance(value, Field) or _is_foreign_field(value)) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    defaulted = False
    for f in found.values():
        if not f.init:
            continue
        if f.default is MISSING and f.default_factory is MISSING:
            if defaulted:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
        else:
            defaulted = True
    # dataclass's rule for a __hash__ the class body wrote itself.
    class_hash = own.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in own))
    if params.frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    made: Any = _with_slots(cls, tuple(found)) if slots else cls
    if not own.get("__doc__"):
        made.__doc__ = f"{made.__name__}({', '.join(f.name for f in found.values() if f.init)})"
    made.__record_fields__ = found
    made.__record_params__ = params
    made.__dataclass_fields__ = _DataclassFields(made)
    if "__match_args__" not in own:
        setattr(made, "__match_args__", tuple(f.name for f in found.values() if f.init))  # noqa: B010
    if "__init__" not in own:
        made.__init__ = _LazyInit(made)
    values = found.values()
    names = tuple(found)
    if params.repr and "__repr__" not in own:
        _set(made, "__repr__", _repr_fn(tuple(f.name for f in values if f.repr)))
    compared = _tuple_of(tuple(f.name for f in values if f.compare))
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
            hashed = (f.name for f in values if (f.compare if f.hash is None else f.hash))
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


def _pseudo_field(annotation: Any) -> str:
    """ "ClassVar", "InitVar" or "KW_ONLY" when an annotation declares no plain field (a
    postponed annotation is the text that names it, with or without its module)."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    head = text.split("[", 1)[0].strip().rpartition(".")[2]
    return head if head in ("ClassVar", "InitVar", "KW_ONLY", "_KW_ONLY_TYPE") else ""


def _is_foreign_field(value: object) -> bool:
    """A ``dataclasses.Field`` (``dataclasses.field`` in a record's body)."""
    kind = type(value)
    return kind.__name__ == "Field" and kind.__module__ == "dataclasses"


def _with_slots(cls: type, names: tuple[str, ...]) -> type:
    """``cls`` made again with a slot for each field its bases have none for (as
    dataclass's ``slots=True`` makes it)."""
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__} already specifies __slots__")
    inherited: set[str] = set()
    for base in cls.__mro__[1:-1]:
        declared = base.__dict__.get("__slots__", ())
        inherited.update((declared,) if isinstance(declared, str) else declared)
    namespace = dict(cls.__dict__)
    namespace["__slots__"] = tuple(n for n in names if n not in inherited)
    for name in names:
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    qualname = getattr(cls, "__qualname__", None)
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    if qualname is not None:
        made.__qualname__ = qualname
    return made


class _DataclassFields:
    """A record's ``__dataclass_fields__``, made when first read: ``dataclasses.fields``,
    ``replace``, ``asdict`` and ``is_dataclass`` take a record as the dataclass it is, and
    a command that never asks does not import :mod:`dataclasses` (with :mod:`inspect`, a
    tenth of ``emu build``'s start-up)."""

    __slots__ = ("cls", "made")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.made: dict[str, Any] | None = None

    def __get__(self, obj: object, owner: type | None = None) -> dict[str, Any]:
        if self.made is None:
            self.made = _dataclass_fields(self.cls)
        return self.made


def _dataclass_fields(cls: Any) -> dict[str, Any]:
    """dataclass's own ``Field`` objects for a record's fields: those of a twin dataclass
    made from the same field list (nothing generated)."""
    import dataclasses

    def given(value: Any) -> Any:
        return dataclasses.MISSING if value is MISSING else value

    namespace: dict[str, Any] = {
        "__annotations__": {},
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
    }
    for name, f in cls.__record_fields__.items():
        namespace["__annotations__"][name] = f.type
        namespace[name] = dataclasses.field(
            default=given(f.default),
            default_factory=given(f.default_factory),
            init=f.init,
            repr=f.repr,
            hash=f.hash,
            compare=f.compare,
            metadata=dict(f.metadata) or None,
        )
    twin = type(cls.__name__, (), namespace)
    made: Any = dataclasses.dataclass(twin, init=False, repr=False, eq=False, match_args=False)
    return made.__dataclass_fields__  # type: ignore[no-any-return]


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
            raise _frozen_error(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def _frozen_error(message: str) -> Exception:
    from dataclasses import FrozenInstanceError  # (an assignment refused: rare, and fatal)

    return FrozenInstanceError(message)


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
                elif factory is not MISSING:
                    value = factory()
                elif default is not MISSING:
                    value = default
                else:
                    return self.compiled()(obj, *args, **kwargs)  # type: ignore[no-any-return]
                i += 1
            elif factory is not MISSING:
                value = factory()
            elif default is not MISSING:
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
        found = cls.__record_fields__.values()
        init = [f.name for f in found if f.init]
        return _Plan(
            tuple(
                (
                    f.name,
                    f.init,
                    # (a field set by no argument takes its default only into a slot:
                    # without one the class attribute holds it, as compile_init leaves it)
                    f.default if f.init or _slot(cls, f.name) is not None else MISSING,
                    f.default_factory,
                )
                for f in found
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
    for i, f in enumerate(cls.__record_fields__.values()):  # type: ignore[attr-defined]
        slot = _slot(cls, f.name)
        if not params.frozen:
            store = f"self.{f.name} = {{}}"
        elif slot is not None:
            closure[f"_set{i}"] = slot.__set__
            store = f"_set{i}(self, {{}})"
        else:
            store = f"_object_setattr(self, {f.name!r}, {{}})"
        has_factory = f.default_factory is not MISSING
        if has_factory:
            closure[f"_factory{i}"] = f.default_factory
        if f.default is not MISSING:
            closure[f"_default{i}"] = f.default
        if not f.init:
            if has_factory:
                body.append(store.format(f"_factory{i}()"))
            elif f.default is not MISSING and slot is not None:
                body.append(store.format(f"_default{i}"))
            # (no default: the field stays unset, as dataclass leaves it; without slots the
            # class attribute holds the default, as dataclass leaves it too)
            continue
        annotations[f.name] = f.type
        if has_factory:
            args.append(f"{f.name}=_FACTORY")
            body.append(store.format(f"_factory{i}() if {f.name} is _FACTORY else {f.name}"))
        elif f.default is not MISSING:
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
