"""gplint.records: the subset of dataclasses gplint uses, with the same semantics."""
from __future__ import annotations

import pickle

import pytest

from gplint import records
from gplint.records import dataclass, field, fields, replace


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0

    def __post_init__(self):
        if self.x < 0:
            raise ValueError("negative")


@dataclass(slots=True)
class Bag:
    name: str
    items: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Node:
    value: str


def test_init_defaults_and_factories_are_per_instance():
    a, b = Bag("a"), Bag("b")
    a.items.append(1)
    assert b.items == [] and Point(1).y == 0 and fields(Bag) == ("name", "items")


def test_post_init_runs():
    with pytest.raises(ValueError):
        Point(-1)


def test_frozen_records_are_hashable_values_and_immutable():
    assert Point(1, 2) == Point(1, 2) and hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    with pytest.raises(AttributeError):
        Point(1).x = 3


def test_mutable_records_compare_by_value_but_are_unhashable():
    assert Bag("a", [1]) == Bag("a", [1]) != Bag("a")
    with pytest.raises(TypeError):
        hash(Bag("a"))


def test_eq_false_keeps_identity():
    n = Node("v")
    assert n != Node("v") and n == n and {n: 1}[n] == 1


def test_slots_means_no_instance_dict():
    with pytest.raises(AttributeError):
        Bag("a").other = 1


def test_pickle_round_trip_including_frozen():
    for record in (Point(3, 4), Bag("a", [1, 2])):
        assert pickle.loads(pickle.dumps(record)) == record


def test_replace_and_repr():
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    with pytest.raises(TypeError):
        replace(Point(1), z=1)
    assert repr(Bag("a", [1])) == "Bag(name='a', items=[1])"


def test_non_default_after_default_is_rejected():
    with pytest.raises(TypeError):
        @dataclass
        class Bad:
            a: int = 0
            b: int


def test_generated_methods_are_compiled_once_a_class_is_used_and_then_replace_the_stubs():
    @dataclass(frozen=True, slots=True)
    class Pair:
        a: int
        b: tuple = field(default_factory=tuple)

    first = Pair(1)
    assert first == Pair(1, ()) and first != Pair(2) and hash(first) == hash(Pair(1, ()))
    assert Pair.__record_source__["namespace"] is None  # nothing compiled yet, not even written
    for n in range(records.INTERPRETED_CALLS):
        assert Pair(n).a == n and Pair(n) == Pair(n) and hash(Pair(n)) == hash(Pair(n, ()))
    assert Pair.__init__.__qualname__.endswith("Pair.__init__") and Pair.__init__.__code__.co_varnames[:3] == (
        "self", "a", "b")
    assert Pair.__eq__.__code__.co_name == "__eq__" and "__hash__" in Pair.__record_source__["namespace"]

    class Plain(Pair):  # a plain subclass compiles the record's methods
        pass

    @dataclass(slots=True)
    class Other:
        a: int

    assert Plain(3).a == 3 and Other(4) == Other(4)
    with pytest.raises(TypeError):
        hash(Other(4))


def _kinds_of_record():
    seen = []

    @dataclass(frozen=True, slots=True)
    class Frozen:
        a: int
        b: str = "b"
        c: list = field(default_factory=list)

        def __post_init__(self):
            seen.append(self.a)

    @dataclass(slots=True)
    class Mutable:
        a: int
        b: dict = field(default_factory=dict)
        c: object = None

    @dataclass
    class Plain:
        a: int

    return seen, Frozen, Mutable, Plain


CALLS = [((1,), {}), ((1, "x"), {}), ((1,), {"c": [2]}), ((), {"a": 3, "b": "y"}), ((1, "x", [4]), {}),
         ((), {}), ((1, 2, 3, 4), {}), ((1,), {"a": 2}), ((1,), {"z": 2})]


def _outcome(cls, args, kwargs):
    try:
        made = cls(*args, **kwargs)
    except TypeError as exc:
        return ("TypeError", str(exc).rpartition("__init__()")[2])
    return (repr(made), made == cls(*args, **kwargs))


@pytest.mark.parametrize("which", [1, 2, 3])
def test_interpreted_methods_answer_as_the_compiled_ones(monkeypatch, which):
    """Before a class is compiled its methods are a loop over the fields: same values, same
    per-instance factories, __post_init__, frozen assignment, and the same TypeError (the
    arguments that do not bind are left to the compiled __init__)."""
    seen, *classes = _kinds_of_record()
    interpreted = [_outcome(classes[which - 1], a, k) for a, k in CALLS]
    interpreted_seen = list(seen)
    monkeypatch.setattr(records, "INTERPRETED_CALLS", 0)
    seen, *classes = _kinds_of_record()
    compiled = [_outcome(classes[which - 1], a, k) for a, k in CALLS]
    assert interpreted == compiled and interpreted_seen == seen
    assert "__init__" in classes[which - 1].__record_source__["namespace"]


def test_interpreted_records_keep_their_semantics():
    seen, frozen, mutable, _ = _kinds_of_record()
    one, two = mutable(1), mutable(1)
    one.b["k"] = 1
    assert two.b == {} and one != two and frozen(5).c is not frozen(5).c and seen == [5, 5]
    with pytest.raises(AttributeError):
        frozen(1).a = 2
    with pytest.raises(TypeError):
        hash(mutable(1))
    assert hash(frozen(1, "b", ())) == hash(frozen(1, "b", ())) != hash(frozen(2, "b", ()))
    assert frozen.__record_source__["namespace"] is None  # all of that without compiling
