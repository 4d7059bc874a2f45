"""`dataclass` and `field` for gplint's plain record classes, without the standard module's cost.

gplint runs on every commit, so start-up time matters: importing `dataclasses` pulls in `inspect`
(~8 ms) and each `@dataclasses.dataclass(slots=True)` costs ~0.5 ms (it builds the class twice),
about 25 ms for gplint's ~40 records. This module supports exactly the subset gplint uses, with
the standard semantics:

* fields are the class's own annotations, in order; defaults and `field(default_factory=…)`;
* a generated `__init__` that calls `__post_init__` when the class defines it;
* `eq=True` (default): `__eq__` compares the fields of two instances of the same class, and the
  class is unhashable unless `frozen=True`, which adds `__hash__` over the fields and forbids
  assignment; `eq=False` keeps identity;
* `slots=True` rebuilds the class with `__slots__`;
* `__repr__`, and pickling (worker processes send results back) through `__reduce__`.

Inheritance between records, `ClassVar`, `InitVar`, ordering and keyword-only fields are not
supported: none is used, and `dataclass` raises TypeError if a base class is a record.
"""
from __future__ import annotations

__all__ = ["dataclass", "field", "fields", "replace"]

_MISSING = object()


class _Field:
    __slots__ = ("default_factory",)

    def __init__(self, default_factory):
        self.default_factory = default_factory


def field(*, default_factory, repr: bool = True) -> object:  # noqa: A002 - the standard name
    """A field whose default is made per instance (`repr` is accepted and ignored)."""
    return _Field(default_factory)


def fields(cls_or_instance) -> tuple[str, ...]:
    """The field names of a record class or instance, in order."""
    return cls_or_instance.__record_fields__


def replace(record, /, **changes):
    """A copy of a record with some fields changed (as `dataclasses.replace`)."""
    unknown = set(changes) - set(record.__record_fields__)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {sorted(unknown)[0]!r}")
    return type(record)(**{name: changes[name] if name in changes else getattr(record, name)
                           for name in record.__record_fields__})


def dataclass(cls=None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True):
    def wrap(c):
        return _make(c, frozen, slots, eq)

    return wrap if cls is None else wrap(cls)


def _make(cls, frozen: bool, slots: bool, eq: bool):
    if any(hasattr(base, "__record_fields__") for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: records cannot inherit from records")
    own = cls.__dict__
    names = tuple(own.get("__annotations__", {}))
    plan = []  # (name, default, factory): what __init__ does with each field
    required = 0
    for name in names:
        default = own.get(name, _MISSING)
        if isinstance(default, _Field):
            plan.append((name, _MISSING, default.default_factory))
        else:
            if default is _MISSING:
                if required < len(plan):
                    raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a default field")
                required += 1
            plan.append((name, default, None))
    members = {k: v for k, v in own.items() if k not in ("__dict__", "__weakref__")}
    for name in names:
        members.pop(name, None)  # defaults live in __init__, not as class attributes
    members["__record_fields__"] = names
    members["__repr__"] = _repr
    members["__reduce__"] = _reduce
    # The generated methods are compiled once a class is used (INTERPRETED_CALLS), not here:
    # compiling them cost more than the rest of gplint's start-up imports together, and most
    # records of a run are never compared or hashed (some are never made at all).
    members["__init__"] = _STUBS["__init__"]
    if eq:
        members["__eq__"] = _STUBS["__eq__"]
        members["__hash__"] = _STUBS["__hash__"] if frozen else None
    if frozen:
        members["__setattr__"] = _frozen_setattr
        members["__delattr__"] = _frozen_delattr
    if slots:
        members["__slots__"] = names
    members["__record_source__"] = {"namespace": None, "frozen": frozen, "plan": tuple(plan), "names": names,
                                    "positions": {name: i for i, name in enumerate(names)},
                                    "required": required, "post_init": "__post_init__" in own, "uses": {}}
    return type(cls)(cls.__name__, cls.__bases__, members)


def _sources(made) -> tuple[dict, dict[str, str]]:
    """The generated methods' source and the names it uses, written when first compiled."""
    namespace: dict = {"_MISSING": _MISSING, "_set": object.__setattr__}
    params, body = [], []
    for name, default, factory in made["plan"]:
        if factory is not None:
            namespace[f"_factory_{name}"] = factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif default is not _MISSING:
            namespace[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            params.append(name)
            value = name
        body.append(f"  _set(self, {name!r}, {value})" if made["frozen"] else f"  self.{name} = {value}")
    if made["post_init"]:
        body.append("  self.__post_init__()")
    mine = "".join(f"self.{name}," for name in made["names"])
    theirs = "".join(f"other.{name}," for name in made["names"])
    init_source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "  pass") + "\n"
    eq_source = ("def __eq__(self, other):\n"
                 "  if other.__class__ is not self.__class__:\n    return NotImplemented\n"
                 f"  return ({mine}) == ({theirs})\n"
                 f"def __hash__(self):\n  return hash(({mine}))\n")
    return namespace, {"__init__": init_source, "__eq__": eq_source, "__hash__": eq_source}


# A generated method is compiled after this many calls have been answered without it. Compiling
# one costs 60-400 µs (compile() of its source), more than a run on one small Dockerfile spends
# making all the instances of most of its ~25 record classes (1 to 27 each), so those calls are
# answered by a loop over the fields (2-5 µs a call); a class used more gets its compiled method,
# as fast as a hand-written one, after at most this many slower calls (~0.1 ms at worst).
INTERPRETED_CALLS = 32


def _stub(method: str):
    def stub(self, *args, **kwargs):
        cls = type(self)
        made = cls.__dict__.get("__record_source__") or _record_of(cls).__record_source__
        uses = made["uses"]
        uses[method] = count = uses.get(method, 0) + 1
        if count <= INTERPRETED_CALLS:
            answered = _INTERPRETED[method](made, self, args, kwargs)
            if answered is not _FALL_THROUGH:
                return answered
        return getattr(_compiled(cls, method), method)(self, *args, **kwargs)

    stub.__name__ = method
    return stub


def _record_of(cls):
    return next(c for c in cls.__mro__ if "__record_source__" in c.__dict__)


_FALL_THROUGH = object()  # arguments the interpreted __init__ leaves to the compiled one (its TypeError)


def _interpreted_init(made, self, args, kwargs):
    """What the generated __init__ does, for arguments that bind; anything else falls through to
    the compiled __init__, which raises the standard TypeError."""
    names, given = made["names"], len(args)
    if given > len(names):
        return _FALL_THROUGH
    if kwargs:
        positions = made["positions"]
        for name in kwargs:
            if positions.get(name, -1) < given:
                return _FALL_THROUGH  # unknown, or given twice
        for name in names[given:made["required"]]:
            if name not in kwargs:
                return _FALL_THROUGH  # missing
    elif given < made["required"]:
        return _FALL_THROUGH
    put = object.__setattr__ if made["frozen"] else setattr
    for name, value in zip(names, args):
        put(self, name, value)
    for name, default, factory in made["plan"][given:]:
        if name in kwargs:
            put(self, name, kwargs[name])
        else:
            put(self, name, default if factory is None else factory())
    if made["post_init"]:
        self.__post_init__()
    return None


def _interpreted_eq(made, self, args, kwargs):
    other = args[0]
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _interpreted_hash(made, self, args, kwargs):
    return hash(_values(self))


_INTERPRETED = {"__init__": _interpreted_init, "__eq__": _interpreted_eq, "__hash__": _interpreted_hash}
_STUBS = {method: _stub(method) for method in _INTERPRETED}  # one set for every record class


def _compiled(cls, method: str):
    """The record class (the instance's own class, or the record a plain subclass derives from),
    with its stub for `method` replaced by the generated method (and __eq__ and __hash__ both)."""
    record = _record_of(cls)
    made = record.__record_source__
    if made["namespace"] is None:
        made["namespace"], made["sources"] = _sources(made)
    namespace = made["namespace"]
    if method not in namespace:
        exec(made["sources"][method], namespace)  # small functions per class: the cheap part of what dataclasses does
    if method == "__init__":
        namespace["__init__"].__qualname__ = f"{record.__qualname__}.__init__"
        record.__init__ = namespace["__init__"]
    else:
        record.__eq__ = namespace["__eq__"]
        if made["frozen"]:
            record.__hash__ = namespace["__hash__"]
    return record


def _values(self) -> tuple:
    return tuple(getattr(self, name) for name in self.__record_fields__)


def _repr(self) -> str:
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{type(self).__qualname__}({inner})"


def _reduce(self):
    return (type(self), _values(self))


def _frozen_setattr(self, name, value):
    raise AttributeError(f"cannot assign to field {name!r} of frozen {type(self).__name__}")


def _frozen_delattr(self, name):
    raise AttributeError(f"cannot delete field {name!r} of frozen {type(self).__name__}")
