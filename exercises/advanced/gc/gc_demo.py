"""垃圾回收 / Garbage collection — see README.md."""
import gc  # noqa: F401  (gc.disable, gc.enable, gc.isenabled, gc.collect)
import weakref  # noqa: F401  (weakref.ref observes an object without keeping it alive)


class Node:
    """An object that can refer to one other object through .ref (weak references work on it)."""

    def __init__(self, name):
        self.name = name
        self.ref = None


def make_cycle():
    """Return (a, b): two new Nodes named "a" and "b" with a.ref is b and b.ref is a."""
    raise NotImplementedError("TODO: make_cycle")


def make_chain():
    """Return (a, b): two new Nodes named "a" and "b" with a.ref is b and b.ref None (no cycle)."""
    raise NotImplementedError("TODO: make_chain")


def survives_del(make):
    """Call make() once for a new object, take a weak reference to it, del your name for it
    with the cyclic collector off, and return True if the weak reference still finds it.

    Before returning (use finally): gc.collect(), and put the collector back on only if it
    was on before.
    """
    raise NotImplementedError("TODO: survives_del")


def garbage(objects, refs, roots):
    """Mark and sweep: return the set of names in objects that cannot be reached from roots.

    objects: list of all names; refs: dict name -> list of names it refers to (a name may be
    missing: it refers to nothing); roots: names referred to from outside (variables).
    Do not change the arguments; do not use recursion (chains can be thousands long).
    """
    raise NotImplementedError("TODO: garbage")


def is_small_int(n):
    """True if n is in CPython's small-integer pool [-5, 257)."""
    raise NotImplementedError("TODO: is_small_int")


def is_auto_interned(s):
    """True if the literal s written in two separately compiled pieces of code is one shared
    object: "", one character below U+0100, or only ASCII letters, digits and underscores."""
    raise NotImplementedError("TODO: is_auto_interned")
