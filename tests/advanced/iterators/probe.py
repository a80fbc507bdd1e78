"""Runs in the sandbox beside the learner's iterators.py; returns plain values only.

Observations are {"value": v} or {"raised": type, "message": text}.  Every loop over learner
objects is bounded (islice), so an iterator that never stops gives a long list, not a hang.
"""
from collections.abc import Iterable, Iterator
from itertools import islice

import iterators

from probekit.values import attempt, steps

LIMIT = 40  # items taken at most from any learner iterator


def _take(iterable):
    """At most LIMIT items."""
    return list(islice(iterable, LIMIT))


def _table_objects():
    return [
        ("[]", []), ("{}", {}), ("'abc'", "abc"), ("(1, 2)", (1, 2)), ("{1, 2}", {1, 2}), ("range(3)", range(3)),
        ("(x for x in range(10))", (x for x in range(10))), ("100", 100), ("3.5", 3.5), ("None", None),
        ("iter([])", iter([])), ("iter('abc')", iter("abc")), ("map(str, [1])", map(str, [1])),
    ]


def table(which):
    """is_iterable(obj) or is_iterator(obj) for each object of the notes' table."""
    func = getattr(iterators, which)
    return {f"{which}({label})": attempt(lambda obj=obj: func(obj)) for label, obj in _table_objects()}


def range_values(cases):
    """list(RangeIterator(*args)) for each case (at most LIMIT items)."""
    out = {}
    for args in cases:
        label = f"list(RangeIterator({', '.join(map(repr, args))}))"
        out[label] = attempt(lambda args=args: _take(iterators.RangeIterator(*args)))
    return out


def protocol():
    it = iterators.RangeIterator(0, 3)
    return steps([
        ("iter(it) is it", lambda: iter(it) is it),
        ("isinstance(it, Iterator)", lambda: isinstance(it, Iterator)),
        ("next(it)", lambda: next(it)),
        ("next(it)", lambda: next(it)),
        ("[x for x in it]", lambda: _take(it)),
    ])


def exhausted():
    it = iterators.RangeIterator(0, 2)
    return steps([
        ("next(it)", lambda: next(it)),
        ("next(it)", lambda: next(it)),
        ("next(it)", lambda: next(it)),
        ("next(it)", lambda: next(it)),
        ("next(it)", lambda: next(it)),
        ("list(it)", lambda: _take(it)),
    ])


def container():
    r = iterators.MyRange(0, 4)
    return steps([
        ("list(r)", lambda: _take(r)),
        ("list(r)", lambda: _take(r)),
        ("sum(r)", lambda: sum(islice(r, LIMIT))),
        ("isinstance(r, Iterable)", lambda: isinstance(r, Iterable)),
        ("isinstance(r, Iterator)", lambda: isinstance(r, Iterator)),
        ("list(MyRange(0, 10, 3))", lambda: _take(iterators.MyRange(0, 10, 3))),
    ])


def independent():
    r = iterators.MyRange(0, 3)
    its = {}
    return steps([
        ("iter(r) is iter(r)", lambda: iter(r) is iter(r)),
        ("it1 = iter(r); next(it1)", lambda: next(its.setdefault("it1", iter(r)))),
        ("next(it1)", lambda: next(its["it1"])),
        ("it2 = iter(r); next(it2)", lambda: next(its.setdefault("it2", iter(r)))),
        ("next(it1)", lambda: next(its["it1"])),
        ("next(it2)", lambda: next(its["it2"])),
        ("[(a, b) for a in r for b in r]", lambda: [(a, b) for a in islice(r, LIMIT) for b in islice(r, LIMIT)]),
    ])
