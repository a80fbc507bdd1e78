"""浅拷贝、深拷贝 / Shallow and deep copies — reference solution."""
import copy


def three_copies(list1):
    """Return (by_assign, by_copy, by_deepcopy): list1 itself, copy.copy(list1), copy.deepcopy(list1)."""
    by_assign = list1
    by_copy = copy.copy(list1)
    by_deepcopy = copy.deepcopy(list1)
    return by_assign, by_copy, by_deepcopy


def demo():
    """The notes' experiment, once per way of copying: change list1 and print both lists."""
    for label, make in (("=", lambda x: x), ("copy.copy", copy.copy), ("copy.deepcopy", copy.deepcopy)):
        list1 = [1, 2, [3, 4]]
        list2 = make(list1)
        list1.append(5)
        list1[2].append(3.5)
        print(label, list1, list2)


def my_deepcopy(obj, memo=None):
    """A deep copy of nested lists, dicts, tuples and sets; other values are returned as they are.

    memo maps id(original) -> its copy, so an object met twice is copied once (shared
    references stay shared) and a cycle ends at the copy already being built.
    """
    if memo is None:
        memo = {}
    key = id(obj)
    if key in memo:
        return memo[key]
    if isinstance(obj, (list, tuple)):
        new = []
        memo[key] = new  # before the items: an item may lead back to this list
        for item in obj:
            new.append(my_deepcopy(item, memo))
        return new
    if isinstance(obj, dict):
        new = {}
        memo[key] = new
        for k, v in obj.items():
            new[my_deepcopy(k, memo)] = my_deepcopy(v, memo)
        return new
    if isinstance(obj, set):
        new = set()
        memo[key] = new
        for item in obj:
            new.add(my_deepcopy(item, memo))
        return new
    if isinstance(obj, tuple):
        # A tuple cannot be built before its items; a cycle through it is closed by a list or
        # dict inside, which may already have copied this tuple meanwhile.
        items = [my_deepcopy(item, memo) for item in obj]
        if key in memo:
            return memo[key]
        new = tuple(items)
        memo[key] = new
        return new
    return obj  # int, float, str, bytes, bool, None...: immutable, safe to share
