"""闭包 / Closures — reference solution."""


def func1(a):
    def func2(b):
        return a + b

    return func2


def make_counter():
    count = 0

    def counter():
        nonlocal count
        count += 1
        return count

    return counter


def make_averager():
    total = 0
    count = 0

    def averager(value):
        nonlocal total, count
        total += value
        count += 1
        return total / count

    return averager
