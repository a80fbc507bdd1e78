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


series = []


def make_averager():
    def averager(value):
        series.append(value)
        return sum(series) / len(series)

    return averager
