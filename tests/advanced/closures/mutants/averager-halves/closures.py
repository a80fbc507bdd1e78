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
    average = None

    def averager(value):
        nonlocal average
        if average is None:
            average = value
        else:
            average = (average + value) / 2
        return average

    return averager
