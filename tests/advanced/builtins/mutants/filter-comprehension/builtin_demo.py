"""内建函数与属性 / Built-in functions and attributes — reference solution."""
from functools import reduce


def f1(x, y):
    return (x, y)


def pair_up(l1, l2):
    """map(f1, l1, l2): a lazy map object yielding (x, y) pairs, as long as the shorter input."""
    return map(f1, l1, l2)


def is_odd(x):
    return x % 2 != 0


def odd_numbers(numbers):
    """filter(is_odd, numbers): a lazy filter object yielding the odd numbers."""
    return [x for x in numbers if is_odd(x)]


def add(x, y):
    return x + y


def total(numbers):
    """reduce(add, numbers, 0): the sum; 0 for no numbers (the initial value)."""
    return reduce(add, numbers, 0)


def descending(numbers):
    """sorted(numbers, reverse=True): a new list, largest first; numbers itself is not changed."""
    return sorted(numbers, reverse=True)


class Role:
    """游戏角色 / A game role."""

    kind = "role"


class Hero(Role):
    """英雄：有名字和血量 / A hero with a name and hit points."""

    kind = "hero"

    def __init__(self, name, hp=100):
        self.name = name
        self.hp = hp

    def __str__(self):
        return f"英雄 {self.name}，血量 {self.hp}"

    def __repr__(self):
        return f"Hero({self.name!r}, {self.hp!r})"

    def __getattr__(self, name):
        # Only called when the normal lookup (instance __dict__, then the class and its
        # bases) found nothing.  Private and special names stay missing, so hasattr(),
        # copy and pickle still see the truth.
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return 0

    def heal(self, amount):
        self.hp += amount
        return self.hp


def describe(obj):
    """The built-in attributes of obj and its class, as plain values."""
    cls = obj.__class__
    return {
        "class": cls.__name__,
        "doc": cls.__doc__,
        "attributes": sorted(obj.__dict__),
        "bases": [base.__name__ for base in cls.__bases__],
    }
