"""advanced/iterators: is_iterable / is_iterator (collections.abc), an iterator class and a re-iterable container."""
from kit.values import Raises, expect

# The notes' table (001 §1.4), with a few more everyday objects: label -> (iterable?, iterator?)
TABLE = {
    "[]": (True, False), "{}": (True, False), "'abc'": (True, False), "(1, 2)": (True, False),
    "{1, 2}": (True, False), "range(3)": (True, False), "(x for x in range(10))": (True, True),
    "100": (False, False), "3.5": (False, False), "None": (False, False), "iter([])": (True, True),
    "iter('abc')": (True, True), "map(str, [1])": (True, True),
}
ABC_HINT = dict(hint_zh="from collections.abc import Iterable, Iterator，再用 isinstance(obj, ...)，返回 True 或 False。",
                hint_en="from collections.abc import Iterable, Iterator, then isinstance(obj, ...); return True or False.")
STOP_HINT = dict(hint_zh="在 __next__ 里：if self.current >= self.stop: raise StopIteration；不要重新开始，也不要 return None。",
                 hint_en="In __next__: if self.current >= self.stop: raise StopIteration; never start over or return None.")
FRESH_HINT = dict(hint_zh="MyRange.__iter__ 每次都 return RangeIterator(self.start, self.stop, self.step)，MyRange 自己不要有 __next__。",
                  hint_en="MyRange.__iter__ must return RangeIterator(self.start, self.stop, self.step) every time; "
                          "MyRange itself has no __next__.")
RANGE_CASES = [[0, 5, 1], [2, 3, 1], [5, 5, 1], [7, 3, 1], [0, 10, 3], [1, 10, 2], [-3, 2, 2], [0, 3]]


def test_is_iterable_table(learner):
    got = learner.call("table", "is_iterable")
    expect(got, {f"is_iterable({label})": iterable for label, (iterable, _) in TABLE.items()},
           "is_iterable(obj) 的结果不对：可以 for 遍历的对象（list、dict、str、生成器、iter(...) ……）是 Iterable，100 不是。",
           "is_iterable(obj) gave a wrong answer: whatever a for loop accepts (list, dict, str, generators, iter(...)...) "
           "is Iterable; 100 is not.", sent="is_iterable(obj) for the objects of the notes' table", **ABC_HINT)


def test_is_iterator_table(learner):
    got = learner.call("table", "is_iterator")
    expect(got, {f"is_iterator({label})": iterator for label, (_, iterator) in TABLE.items()},
           "is_iterator(obj) 的结果不对：只有能被 next() 调用的对象（生成器、iter(...) 的结果）是 Iterator；list、dict、str 不是。",
           "is_iterator(obj) gave a wrong answer: only objects next() accepts (generators, what iter(...) returns) are "
           "Iterators; list, dict and str are not.", sent="is_iterator(obj) for the objects of the notes' table", **ABC_HINT)


def test_range_iterator_values(learner):
    got = learner.call("range_values", RANGE_CASES)
    expected = {f"list(RangeIterator({', '.join(map(repr, args))}))": list(range(*args)) for args in RANGE_CASES}
    expect(got, expected,
           "RangeIterator(start, stop, step=1) 应依次产出 start, start+step, ……，直到不小于 stop 为止（和 range 一样）。",
           "RangeIterator(start, stop, step=1) must produce start, start+step, ... while the value is below stop (like range).",
           sent="list(RangeIterator(*args)) for args in " + repr(RANGE_CASES), **STOP_HINT)


def test_range_iterator_protocol(learner):
    got = learner.call("protocol")
    expect(got, [["iter(it) is it", True], ["isinstance(it, Iterator)", True], ["next(it)", 0], ["next(it)", 1],
                 ["[x for x in it]", [2]]],
           "RangeIterator 是迭代器：iter(it) 返回它自己，next(it) 返回下一个值，for 循环从当前位置继续。",
           "RangeIterator is an iterator: iter(it) returns it itself, next(it) returns the next value, and a for loop "
           "continues from where it stands.", sent="it = RangeIterator(0, 3)",
           hint_zh="定义 __iter__(self): return self 和 __next__(self)。",
           hint_en="Define __iter__(self): return self, and __next__(self).")


def test_stop_iteration_stays_raised(learner):
    got = learner.call("exhausted")
    expect(got, [["next(it)", 0], ["next(it)", 1], ["next(it)", Raises("StopIteration")],
                 ["next(it)", Raises("StopIteration")], ["next(it)", Raises("StopIteration")], ["list(it)", []]],
           "迭代器用完以后，每次 next() 都应继续抛出 StopIteration，不能重新开始。",
           "Once exhausted, an iterator must raise StopIteration on every further next(); it must not start over.",
           sent="it = RangeIterator(0, 2); next(it) five times; list(it)", **STOP_HINT)


def test_container_two_passes(learner):
    got = learner.call("container")
    expect(got, [["list(r)", [0, 1, 2, 3]], ["list(r)", [0, 1, 2, 3]], ["sum(r)", 6], ["isinstance(r, Iterable)", True],
                 ["isinstance(r, Iterator)", False], ["list(MyRange(0, 10, 3))", [0, 3, 6, 9]]],
           "MyRange 是可迭代对象但不是迭代器（像 list）：可以遍历任意多次，每次都得到全部的值。",
           "MyRange is iterable but not an iterator (like a list): it can be looped over any number of times, each time "
           "giving all its values.", sent="r = MyRange(0, 4)", **FRESH_HINT)


def test_container_independent_iterators(learner):
    got = learner.call("independent")
    pairs = [(a, b) for a in range(3) for b in range(3)]
    expect(got, [["iter(r) is iter(r)", False], ["it1 = iter(r); next(it1)", 0], ["next(it1)", 1],
                 ["it2 = iter(r); next(it2)", 0], ["next(it1)", 2], ["next(it2)", 1],
                 ["[(a, b) for a in r for b in r]", pairs]],
           "每次 iter(r) 都应返回一个新的、独立的迭代器：两个迭代器互不影响，嵌套循环能得到所有组合。",
           "Every iter(r) must return a new, independent iterator: two iterators do not disturb each other, and nested "
           "loops see every pair.", sent="r = MyRange(0, 3)", **FRESH_HINT)
