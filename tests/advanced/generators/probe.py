"""Runs in the sandbox beside the learner's generators.py; returns plain values only."""
import inspect
import itertools
import tracemalloc

import generators

from probekit.values import call


def is_generator_function():
    return inspect.isgeneratorfunction(generators.fib)


def run_fib(times):
    """Step fib(times) with next() as the notes do: items, return value, what it was."""
    gen = generators.fib(times)
    kind = type(gen).__name__
    items = []
    while True:
        try:
            items.append(next(gen))
        except StopIteration as stop:
            return {"kind": kind, "items": items, "returned": stop.value}
        if len(items) > 10_000:
            return {"kind": kind, "items": items[:50], "returned": "<more than 10000 items>"}


def first_items_peak(times, count):
    """The first `count` items of fib(times), and the peak memory (bytes) while taking them."""
    tracemalloc.start()
    items = list(itertools.islice(generators.fib(times), count))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"items": items, "peak": peak}


def drain_samples():
    """drain() on generators ending with return "done", with no return (None), return 0 and return ""."""

    def returns_done():
        yield 1
        yield "two"
        yield [3]
        return "done"

    def no_return():
        yield "a"
        yield None

    def returns_zero():
        yield 0
        return 0

    def returns_empty():
        yield from ()
        return ""

    results = {}
    for name, make in (("done", returns_done), ("none", no_return), ("zero", returns_zero), ("empty", returns_empty)):
        value, error = call(generators.drain, make())
        results[name] = {"value": value, "error": error}
    return results


def drain_fib(times):
    return generators.drain(generators.fib(times))


def squares(n):
    obj = generators.squares(n)
    return {"kind": type(obj).__name__, "items": list(obj)}
