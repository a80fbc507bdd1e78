"""可迭代、迭代器 / Iterables and iterators — see README.md."""
from collections.abc import Iterable, Iterator  # noqa: F401  (use them in is_iterable / is_iterator)


def is_iterable(obj):
    """Return True if obj can be looped over with for (an Iterable), else False."""
    raise NotImplementedError("TODO: is_iterable")


def is_iterator(obj):
    """Return True if next() can be called on obj (an Iterator), else False."""
    raise NotImplementedError("TODO: is_iterator")


class RangeIterator:
    """An iterator producing start, start+step, ... while the value is below stop (like range)."""

    def __init__(self, start, stop, step=1):
        """Remember where to start, where to stop and the step (step >= 1)."""
        raise NotImplementedError("TODO: RangeIterator.__init__")

    def __iter__(self):
        """An iterator returns itself."""
        raise NotImplementedError("TODO: RangeIterator.__iter__")

    def __next__(self):
        """Return the next value, or raise StopIteration when there is none (and on every call after that)."""
        raise NotImplementedError("TODO: RangeIterator.__next__")


class MyRange:
    """A re-iterable container (iterable, not an iterator), like range(start, stop, step)."""

    def __init__(self, start, stop, step=1):
        """Remember start, stop and step."""
        raise NotImplementedError("TODO: MyRange.__init__")

    def __iter__(self):
        """Return a new RangeIterator each time, so every loop starts from start."""
        raise NotImplementedError("TODO: MyRange.__iter__")
