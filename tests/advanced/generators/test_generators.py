"""advanced/generators: fib as a lazy generator, drain via StopIteration.value, squares."""
import pytest

from grader.feedback import check, equal


def expected_fib(times):
    items, a, b = [0, 1], 0, 1
    for _ in range(times):
        a, b = b, a + b
        items.append(b)
    return items


def test_fib_is_a_generator_function(learner):
    check(learner.call("is_generator_function"),
          "fib 不是生成器函数：函数体里要用 yield。", "fib is not a generator function: its body must use yield.")


@pytest.mark.parametrize("times", [0, 1, 5, 30])
def test_fib_sequence(learner, times):
    got = learner.call("run_fib", times)
    equal(got["items"], expected_fib(times), f"fib({times}) 产出的序列不对。", f"fib({times}) yielded the wrong sequence.",
          sent=f"list(fib({times}))")


def test_fib_long_sequence(learner):
    got = learner.call("run_fib", 200)
    equal(got["items"], expected_fib(200), "fib(200) 产出的序列不对。", "fib(200) yielded the wrong sequence.")


def test_fib_returns_finish(learner):
    got = learner.call("run_fib", 3)
    equal(got["returned"], "finish", "fib 结束时应 return \"finish\"（在 StopIteration.value 里）。",
          "fib must end with return \"finish\" (seen as StopIteration.value).", sent="fib(3), stepped with next()")


def test_fib_does_not_print(learner):
    run = learner.run("run_fib", 5)
    check(run.ok and run.stdout == "", "fib 不应打印任何东西：用 yield 产出数字。", "fib must not print anything: yield the numbers.",
          got=run.stdout or run.error)


def test_fib_is_lazy(learner):
    got = learner.call("first_items_peak", 20_000, 10)
    items, peak = got["items"], got["peak"]
    equal(items, expected_fib(8), "fib(20000) 的前 10 个数不对。", "The first 10 items of fib(20000) are wrong.")
    check(peak < 256 * 1024, f"只取 fib(20000) 的前 10 个数却用了 {peak} 字节内存：生成器应该一边循环一边计算。",
          f"Taking only the first 10 items of fib(20000) used {peak} bytes: a generator computes items as they are asked for.",
          expected="< 262144 bytes", got=peak, hint_zh="不要先建好整个列表。", hint_en="Do not build the whole list first.")


def test_drain_returns_items_and_value(learner):
    got = learner.call("drain_sample")
    equal(got, ([1, "two", [3]], "done"), "drain 应返回 (产出的列表, 返回值)。", "drain must return (items, return value).",
          sent="drain(生成器 / a generator yielding 1, 'two', [3] then returning 'done')",
          hint_zh="for 循环会吞掉 StopIteration，拿不到返回值。", hint_en="A for loop swallows StopIteration and its value.")


def test_drain_fib(learner):
    got = learner.call("drain_fib", 5)
    equal(got, (expected_fib(5), "finish"), "drain(fib(5)) 的结果不对。", "drain(fib(5)) returned the wrong result.")


def test_squares_is_a_generator_expression(learner):
    got = learner.call("squares", 5)
    equal(got, {"kind": "generator", "items": [0, 1, 4, 9, 16]},
          "squares(5) 应返回产出 0, 1, 4, 9, 16 的生成器表达式。", "squares(5) must return a generator expression yielding 0, 1, 4, 9, 16.")
