"""可迭代、迭代器 / Iterables and iterators — reference solution."""
from collections.abc import Iterable, Iterator


def is_iterable(obj):
    """可迭代（可以 for 遍历）。"""
    return isinstance(obj, Iterable)


def is_iterator(obj):
    """迭代器（可以 next()）。"""
    return isinstance(obj, Iterator)


class RangeIterator:
    """迭代器：__iter__ 返回自己，__next__ 返回下一个值，没有了就抛出 StopIteration。"""

    def __init__(self, start, stop, step=1):
        self.start = start
        self.current = start
        self.stop = stop
        self.step = step

    def __iter__(self):
        return self

    def __next__(self):
        if self.current >= self.stop:
            self.current = self.start  # 准备下一次遍历
            raise StopIteration
        value = self.current
        self.current += self.step
        return value


class MyRange:
    """可迭代对象（不是迭代器）：每次 iter() 都返回一个新的迭代器，所以可以遍历多次。"""

    def __init__(self, start, stop, step=1):
        self.start = start
        self.stop = stop
        self.step = step

    def __iter__(self):
        return RangeIterator(self.start, self.stop, self.step)
