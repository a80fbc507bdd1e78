"""闭包 / Closures — see README.md."""


def func1(a):
    """Return the inner function func2, where func2(b) returns a + b (a comes from the closure)."""
    raise NotImplementedError("TODO: func1")


def make_counter():
    """Return counter(): each call returns the next count, 1, 2, 3, ... (kept with nonlocal, no globals)."""
    raise NotImplementedError("TODO: make_counter")


def make_averager():
    """Return averager(value): adds value and returns the average of all values so far (a float)."""
    raise NotImplementedError("TODO: make_averager")
