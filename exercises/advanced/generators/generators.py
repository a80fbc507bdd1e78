"""生成器 / Generators — see README.md."""


def fib(times):
    """Yield 0, 1, then `times` more Fibonacci numbers; return "finish"."""
    raise NotImplementedError("TODO: fib")


def drain(gen):
    """Return (items, return_value) of generator `gen`."""
    raise NotImplementedError("TODO: drain")


def squares(n):
    """Return a generator expression of x*x for x in range(n)."""
    raise NotImplementedError("TODO: squares")
