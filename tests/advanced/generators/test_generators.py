"""advanced/generators: fib as a lazy generator, drain via StopIteration.value, squares."""
import pytest

from grader.feedback import check, equal
from kit.calls import raised


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
    got = learner.call("run_fib", 300)  # above 256: a count compared with `is` never matches
    equal(got["items"], expected_fib(300), "fib(300) 产出的序列不对。", "fib(300) yielded the wrong sequence.",
          sent="list(fib(300))", hint_zh="比较计数用 < 或 ==，不要用 is / is not：大于 256 的整数不是同一个对象。",
          hint_en="Compare the count with < or ==, never is / is not: ints above 256 are not the same object.")


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


DRAINED = {  # probe case -> (what the generator does, what drain must return)
    "done": ("依次产出 1, 'two', [3]，然后 return 'done' / yields 1, 'two', [3] then return 'done'", ([1, "two", [3]], "done")),
    "none": ("产出 'a', None 后结束，没有 return（返回值是 None）/ yields 'a', None and ends without return (its return "
             "value is None)", (["a", None], None)),
    "zero": ("产出 0，然后 return 0 / yields 0 then return 0", ([0], 0)),
    "empty": ("什么也不产出，return '' / yields nothing, return ''", ([], "")),
}


def test_drain_returns_items_and_value(learner):
    got = learner.call("drain_samples")
    for case, (does, expected) in DRAINED.items():
        sent = f"drain(gen)，gen 是这样的生成器 / where gen is a generator that: {does}"
        error = got[case]["error"]
        if error is not None:
            hint = (dict(hint_zh="生成器 return None（或没有 return）时 StopIteration 没有参数，e.args 是空的；用 e.value 取返回值。",
                         hint_en="When a generator returns None (or has no return), StopIteration has no arguments and "
                                 "e.args is empty: take the return value from e.value.")
                    if error["type"] == "IndexError" else {})
            raised(error, "drain(gen)", sent=sent, **hint)
        equal(got[case]["value"], expected, "drain 应返回 (产出的列表, 返回值)。", "drain must return (items, return value).",
              sent=sent, hint_zh="for 循环会吞掉 StopIteration，拿不到返回值；返回值在 StopIteration 的 .value 里。",
              hint_en="A for loop swallows StopIteration and its value; the return value is StopIteration's .value.")


def test_drain_fib(learner):
    got = learner.call("drain_fib", 5)
    equal(got, (expected_fib(5), "finish"), "drain(fib(5)) 的结果不对。", "drain(fib(5)) returned the wrong result.")


def test_squares_is_a_generator_expression(learner):
    got = learner.call("squares", 5)
    equal(got, {"kind": "generator", "items": [0, 1, 4, 9, 16]},
          "squares(5) 应返回产出 0, 1, 4, 9, 16 的生成器表达式。", "squares(5) must return a generator expression yielding 0, 1, 4, 9, 16.")
