"""闭包 / Closures — reference solution."""


saved_a = None


def func1(a):
    global saved_a
    saved_a = a

    def func2(b):
        return saved_a + b

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
