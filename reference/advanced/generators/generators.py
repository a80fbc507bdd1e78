"""生成器 / Generators — reference solution."""


def fib(times):
    n = 0
    a, b = 0, 1
    yield a
    yield b
    while n < times:
        a, b = b, a + b
        yield b
        n += 1
    return "finish"


def drain(gen):
    items = []
    while True:
        try:
            items.append(next(gen))
        except StopIteration as stop:
            return items, stop.value


def squares(n):
    return (x * x for x in range(n))
