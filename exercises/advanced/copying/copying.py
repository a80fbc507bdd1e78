"""浅拷贝、深拷贝 / Shallow and deep copies — see README.md."""
import copy  # noqa: F401  (copy.copy and copy.deepcopy for three_copies and demo)


def three_copies(list1):
    """Return a tuple (by_assign, by_copy, by_deepcopy).

    by_assign is what `list2 = list1` gives, by_copy is copy.copy(list1), by_deepcopy is
    copy.deepcopy(list1).
    """
    raise NotImplementedError("TODO: three_copies")


def demo():
    """The notes' experiment, once for =, once for copy.copy, once for copy.deepcopy.

    Each time: list1 = [1, 2, [3, 4]]; list2 = (a copy of list1 made that way);
    list1.append(5); list1[2].append(3.5); print(way, list1, list2)
    where way is "=", "copy.copy" or "copy.deepcopy".
    """
    raise NotImplementedError("TODO: demo")


def my_deepcopy(obj, memo=None):
    """A deep copy of obj, written without the copy module.

    Lists, dicts, tuples and sets are copied at every level; other values (int, float, str,
    bytes, bool, None...) are returned as they are.  An object that appears twice in obj
    appears twice in the copy as ONE copied object, and cycles (a list that contains itself)
    are copied as cycles.  memo: a dict id(original) -> copy, shared by the recursive calls
    of one copy (create it when memo is None).
    """
    raise NotImplementedError("TODO: my_deepcopy")
