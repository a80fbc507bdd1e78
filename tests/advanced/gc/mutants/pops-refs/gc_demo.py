"""垃圾回收 / Garbage collection — reference solution."""
import gc
import weakref


class Node:
    """An object that can refer to one other object through .ref (weak references work on it)."""

    def __init__(self, name):
        self.name = name
        self.ref = None


def make_cycle():
    """Two Nodes "a" and "b" referring to each other: a.ref is b and b.ref is a."""
    a = Node("a")
    b = Node("b")
    a.ref = b
    b.ref = a
    return a, b


def make_chain():
    """Two Nodes without a cycle: a.ref is b, b.ref is None."""
    a = Node("a")
    b = Node("b")
    a.ref = b
    return a, b


def survives_del(make):
    """Call make() for a new object, drop the only name for it with del while the cyclic
    collector is off, and tell whether it is still alive (observed through a weak reference).

    Before returning: gc.collect(), and the collector is put back as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        obj = make()
        ref = weakref.ref(obj)
        del obj
        alive = ref() is not None  # only reference counting has run: a cycle is still here
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()
    return alive


def garbage(objects, refs, roots):
    """Mark and sweep on an object graph; return the set of objects that are garbage.

    objects: the names of all objects; refs: name -> list of names it refers to (missing:
    refers to nothing); roots: the names referred to from outside (variables).
    """
    alive = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        alive.add(name)
        todo.extend(refs.pop(name, ()))  # popping marks it visited: it is never pushed again
    return {name for name in objects if name not in alive}


def is_small_int(n):
    """True if CPython keeps n in its small-integer pool [-5, 257): every n is then one shared object."""
    return -5 <= n < 257


def is_auto_interned(s):
    """True if the string literal s, written in two separately compiled pieces of code, is one
    shared object: the empty string, one character below U+0100, or only ASCII letters,
    digits and underscores (a "word")."""
    if len(s) <= 1:
        return s == "" or ord(s) < 256
    return all(c.isascii() and (c.isalnum() or c == "_") for c in s)
