"""Runs in the sandbox beside the learner's iterators.py; returns plain values only.

Observations are {"value": v} or {"raised": type, "message": text}.  Every loop over learner
objects is bounded (islice), so an iterator that never stops gives a long list, not a hang.
"""
from collections.abc import Iterable, Iterator
from itertools import islice

import iterators

PLAIN = (type(None), bool, int, float, str, list, tuple)
LIMIT = 40  # items taken at most from any learner iterator


def _text(obj, how=str):
    try:
        return how(obj)[:300]
    except Exception:  # a learner __str__/__repr__ may raise too
        return "<unprintable>"


def _try(get):
    try:
        value = get()
    except Exception as exc:  # StopIteration included: the check says what was expected
        return {"raised": type(exc).__name__, "message": _text(exc)}
    return {"value": value if type(value) in PLAIN else _text(value, repr)}


def _p(item):
    """A learner-produced item as a plain scalar (anything else by its repr)."""
    return item if type(item) in PLAIN[:5] else _text(item, repr)


def _take(iterable):
    """At most LIMIT items, each shown as a plain value."""
    return [_p(x) for x in islice(iterable, LIMIT)]


def _table_objects():
    return [
        ("[]", []), ("{}", {}), ("'abc'", "abc"), ("(1, 2)", (1, 2)), ("{1, 2}", {1, 2}), ("range(3)", range(3)),
        ("(x for x in range(10))", (x for x in range(10))), ("100", 100), ("3.5", 3.5), ("None", None),
        ("iter([])", iter([])), ("iter('abc')", iter("abc")), ("map(str, [1])", map(str, [1])),
    ]


def table(which):
    """is_iterable(obj) or is_iterator(obj) for each object of the notes' table."""
    func = getattr(iterators, which)
    return {f"{which}({label})": _try(lambda obj=obj: func(obj)) for label, obj in _table_objects()}


def range_values(cases):
    """list(RangeIterator(*args)) for each case (at most LIMIT items)."""
    out = {}
    for args in cases:
        label = f"list(RangeIterator({', '.join(map(repr, args))}))"
        out[label] = _try(lambda args=args: _take(iterators.RangeIterator(*args)))
    return out


def protocol():
    it = iterators.RangeIterator(0, 3)
    return [
        ["iter(it) is it", _try(lambda: iter(it) is it)],
        ["isinstance(it, Iterator)", _try(lambda: isinstance(it, Iterator))],
        ["next(it)", _try(lambda: next(it))],
        ["next(it)", _try(lambda: next(it))],
        ["[x for x in it]", _try(lambda: _take(it))],
    ]


def exhausted():
    it = iterators.RangeIterator(0, 2)
    return [
        ["next(it)", _try(lambda: next(it))],
        ["next(it)", _try(lambda: next(it))],
        ["next(it)", _try(lambda: next(it))],
        ["next(it)", _try(lambda: next(it))],
        ["next(it)", _try(lambda: next(it))],
        ["list(it)", _try(lambda: _take(it))],
    ]


def container():
    r = iterators.MyRange(0, 4)
    return [
        ["list(r)", _try(lambda: _take(r))],
        ["list(r)", _try(lambda: _take(r))],
        ["sum(r)", _try(lambda: _p(sum(islice(r, LIMIT))))],
        ["isinstance(r, Iterable)", _try(lambda: isinstance(r, Iterable))],
        ["isinstance(r, Iterator)", _try(lambda: isinstance(r, Iterator))],
        ["list(MyRange(0, 10, 3))", _try(lambda: _take(iterators.MyRange(0, 10, 3)))],
    ]


def independent():
    r = iterators.MyRange(0, 3)
    steps = [["iter(r) is iter(r)", _try(lambda: iter(r) is iter(r))]]
    holder = {}
    steps.append(["it1 = iter(r); next(it1)", _try(lambda: next(holder.setdefault("it1", iter(r))))])
    steps.append(["next(it1)", _try(lambda: next(holder["it1"]))])
    steps.append(["it2 = iter(r); next(it2)", _try(lambda: next(holder.setdefault("it2", iter(r))))])
    steps.append(["next(it1)", _try(lambda: next(holder["it1"]))])
    steps.append(["next(it2)", _try(lambda: next(holder["it2"]))])
    steps.append(["[(a, b) for a in r for b in r]", _try(lambda: [(_p(a), _p(b)) for a in islice(r, LIMIT) for b in islice(r, LIMIT)])])
    return steps
