"""生成器 / Generators — reference solution."""


def fib(times):
    n = 0
    a, b = 0, 1
    result = [a, b]
    while n < times:
        a, b = b, a + b
        result.append(b)
        n += 1
    return result


def drain(gen):
    items = []
    while True:
        try:
            items.append(next(gen))
        except StopIteration as stop:
            return items, stop.value


def squares(n):
    return (x * x for x in range(n))
