"""内建函数与属性 / Built-in functions and attributes — see README.md."""
from functools import reduce  # noqa: F401  (for total)


def pair_up(l1, l2):
    """Return map(f1, l1, l2) where f1(x, y) returns the tuple (x, y): lazy (x, y) pairs."""
    raise NotImplementedError("TODO: pair_up")


def odd_numbers(numbers):
    """Return filter(is_odd, numbers) where is_odd(x) is x % 2 != 0: the odd numbers, lazily."""
    raise NotImplementedError("TODO: odd_numbers")


def total(numbers):
    """Return reduce(add, numbers, 0) where add(x, y) is x + y: the sum, 0 for no numbers."""
    raise NotImplementedError("TODO: total")


def descending(numbers):
    """Return sorted(numbers, reverse=True): a new list, largest first; numbers is not changed."""
    raise NotImplementedError("TODO: descending")


class Role:
    """游戏角色 / A game role."""

    kind = "role"


class Hero(Role):
    """英雄：有名字和血量 / A hero with a name and hit points."""

    kind = "hero"

    def __init__(self, name, hp=100):
        """Store name and hp as instance attributes (nothing else in the instance __dict__)."""
        raise NotImplementedError("TODO: Hero.__init__")

    def __str__(self):
        """For people: 英雄 <name>，血量 <hp>  (e.g. 英雄 zzy，血量 80)."""
        raise NotImplementedError("TODO: Hero.__str__")

    def __repr__(self):
        """Exact: Hero('zzy', 80), so that eval(repr(h)) rebuilds the hero."""
        raise NotImplementedError("TODO: Hero.__repr__")

    def __getattr__(self, name):
        """Called only for missing attributes: raise AttributeError for names starting with "_",
        return 0 for any other name."""
        raise NotImplementedError("TODO: Hero.__getattr__")

    def heal(self, amount):
        """Add amount to hp and return the new hp."""
        raise NotImplementedError("TODO: Hero.heal")


def describe(obj):
    """Return {"class": class name, "doc": the class's __doc__, "attributes": sorted keys of
    obj.__dict__, "bases": names of the class's direct base classes}."""
    raise NotImplementedError("TODO: describe")
