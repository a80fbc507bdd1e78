"""advanced/decorators: check_access (the notes' checkaccess), log_calls, timed, cache, retry."""
import pytest

from grader.feedback import check, equal, fail

DOC = "示例函数的文档 / the sample function's docstring."
WRAPS_HINT = dict(hint_zh="在包装函数上加 @functools.wraps(func)。", hint_en="Put @functools.wraps(func) on the wrapper.")
ARGS_HINT = dict(hint_zh="包装函数写成 def wrapper(*args, **kwargs)，再调用 func(*args, **kwargs)。",
                 hint_en="Write def wrapper(*args, **kwargs) and call func(*args, **kwargs).")
RETURN_HINT = dict(hint_zh="包装函数要 return func(*args, **kwargs) 的结果。",
                   hint_en="The wrapper must return what func(*args, **kwargs) returned.")


def crashed(error, sent):
    """The learner's decorated call raised where it should not have."""
    hint = ARGS_HINT if error["type"] == "TypeError" else {}
    fail(f"调用被装饰的函数时抛出了异常 {error['type']}: {error['message']}",
         f"Calling the decorated function raised {error['type']}: {error['message']}",
         sent=sent, details=error["traceback"], **hint)


def no_error(got, sent):
    if got.get("error"):
        crashed(got["error"], sent)


def cache_errors(got, sent):
    for error in got["errors"]:
        crashed(error, sent)


# -- check_access ------------------------------------------------------------------------

def test_access_allowed(learner):
    got = learner.call("access", "zzy", ["手机", 2], {"sort": "price"})
    sent = ("check_access(get_user) 装饰的 / decorated select_goods('手机', 2, sort='price')，get_user() 返回运行时拼出的 "
            "/ returns, built at run time, 'zzy'")
    no_error(got, sent)
    allowed = bool(got["calls"]) or got["lines"] != ["无权查看"]
    equal(got["calls"], [[["手机", 2], {"sort": "price"}]],
          "允许访问（get_user() 返回 \"zzy\"）时，应把所有参数原样传给原函数，调用一次。",
          "When access is allowed (get_user() returns \"zzy\"), call the function once with all its arguments.",
          sent=sent, **(ARGS_HINT if allowed else dict(
              hint_zh="用 == 比较字符串：get_user() 返回的 \"zzy\"（例如 input() 读到的）和字面量 \"zzy\" 内容相同，"
                      "却不一定是同一个对象，is 会得到 False。",
              hint_en="Compare strings with ==: the \"zzy\" get_user() returns (say, read by input()) equals the literal "
                      "\"zzy\" but need not be the same object, so `is` gives False.")))
    equal(got["value"], ["商品列表", ["手机", 2], {"sort": "price"}],
          "允许访问时应返回原函数的返回值。", "When access is allowed, return the function's return value.",
          sent=sent, **RETURN_HINT)
    equal(got["lines"], ["开始查询商品"], "允许访问时只应打印原函数打印的内容。",
          "When access is allowed, only what the function itself prints may be printed.", sent=sent)


def test_access_denied(learner):
    for user in ("guest", "zzz"):  # before and after "zzy" in string order: only == "zzy" may pass
        got = learner.call("access", user, ["手机"], {})
        sent = f"check_access(lambda: {user!r}) 装饰的 / decorated select_goods('手机')"
        no_error(got, sent)
        equal(got["lines"], ["无权查看"], "拒绝访问时应只打印一行 无权查看。",
              "When access is denied, print exactly one line: 无权查看.", sent=sent,
              hint_zh="只有 get_user() == \"zzy\" 时才允许访问（不是 >=，也不是 in）。",
              hint_en="Allow access only when get_user() == \"zzy\" (not >=, not in).")
        equal(got["calls"], [], "拒绝访问时不能调用原函数。", "When access is denied, the function must not be called.",
              sent=sent)
        equal(got["value"], None, "拒绝访问时应返回 None。", "When access is denied, return None.", sent=sent)


def test_access_asks_user_each_call(learner):
    got = learner.call("access_sequence", ["zzy", "guest", "zzy"])
    sent = "同一个被装饰的函数调用 3 次，get_user() 依次返回 / one decorated function called 3 times, get_user() returns 'zzy', 'guest', 'zzy'"
    for result in got["results"]:
        no_error(result, sent)
    equal([[r["value"], r["lines"]] for r in got["results"]], [["goods", []], [None, ["无权查看"]], ["goods", []]],
          "每次调用被装饰的函数时都要重新调用 get_user() 判断权限。",
          "Call get_user() again on every call of the decorated function to decide access.", sent=sent,
          hint_zh="get_user() 要写在包装函数里面，而不是装饰的时候调用。",
          hint_en="Call get_user() inside the wrapper, not when decorating.")
    equal(got["asked"], 3, "3 次调用应正好调用 get_user() 3 次。", "3 calls must call get_user() exactly 3 times.", sent=sent)


# -- functools.wraps -----------------------------------------------------------------------

DECORATED = {"check_access": "check_access(lambda: 'zzy')", "log_calls": "log_calls", "timed": "timed",
             "cache": "cache", "retry": "retry(3)"}


@pytest.mark.parametrize("which", list(DECORATED))
def test_wraps_keeps_name_and_doc(learner, which):
    got = learner.call("wrapped_names", which)
    equal(got, {"__name__": "sample", "__doc__": DOC},
          f"用 {DECORATED[which]} 装饰后，函数应保留原来的 __name__ 和 __doc__。",
          f"After decorating with {DECORATED[which]}, the function must keep its __name__ and __doc__.",
          sent=f"@{DECORATED[which]}\ndef sample(a, b=2):\n    \"\"\"{DOC}\"\"\"", **WRAPS_HINT)


# -- log_calls -------------------------------------------------------------------------------

def test_log_calls_output(learner):
    got = learner.call("logged_add", 2, 3)
    sent = "log_calls 装饰的 / decorated add(2, b=3)，add 打印 / prints 计算 2 + 3"
    no_error(got, sent)
    equal(got["lines"], ["开始调用 add", "计算 2 + 3", "结束调用 add"],
          "log_calls 应在调用前打印 开始调用 add，调用后打印 结束调用 add。",
          "log_calls must print 开始调用 add before the call and 结束调用 add after it.", sent=sent,
          hint_zh="函数名用 func.__name__，中间一个空格。", hint_en="Use func.__name__ for the name, after one space.")


def test_log_calls_passes_through(learner):
    got = learner.call("logged_greet", "zzy", "?")
    sent = "log_calls 装饰的 / decorated greet('zzy', punct='?')（greet 返回 / returns name + punct）"
    no_error(got, sent)
    equal(got["calls"], [["zzy", "?"]], "log_calls 应把所有参数（包括关键字参数）原样传给原函数。",
          "log_calls must pass all arguments, keyword arguments too, to the function.", sent=sent, **ARGS_HINT)
    equal(got["value"], "zzy?", "log_calls 应返回原函数的返回值。", "log_calls must return the function's return value.",
          sent=sent, **RETURN_HINT)


# -- timed -------------------------------------------------------------------------------------

def test_timed_sets_last_elapsed(learner):
    runs = learner.call("timed_runs", [0.2, 0.0])
    sent = "timed 装饰的 / decorated work(0, delay=0.2)（sleep 0.2 秒 / seconds），再 / then work(1, delay=0.0)"
    for run in runs:
        no_error(run, sent)
    first, second = runs
    for run, which in ((first, "work(0, delay=0.2)"), (second, "work(1, delay=0.0)")):
        equal(run["type"], "float", f"调用 {which} 之后 work.last_elapsed 应是 float（秒）。",
              f"After {which}, work.last_elapsed must be a float (seconds).", sent=sent)
    check(0.15 <= first["elapsed"] < 2.0, "sleep 0.2 秒的调用之后，last_elapsed 应约为 0.2（单位：秒）。",
          "After a call that sleeps 0.2 s, last_elapsed must be about 0.2 (in seconds).", sent=sent,
          expected="0.15 <= last_elapsed < 2", got=first["elapsed"],
          hint_zh="在包装函数里、调用前后各取一次 time.perf_counter()，相减。",
          hint_en="Take time.perf_counter() inside the wrapper, before and after the call, and subtract.")
    check(0 <= second["elapsed"] < min(first["elapsed"], 0.9), "每次调用都要重新计时：第二次（不 sleep）的 last_elapsed 应更小，"
          "远小于 1 秒。", "Time every call afresh: after the second call (no sleep) last_elapsed must be smaller, well "
          "under 1 s.", sent=sent, expected=f"0 <= last_elapsed < {min(first['elapsed'], 0.9)}", got=second["elapsed"],
          hint_zh="last_elapsed 是两次 time.perf_counter() 的差（结束 - 开始），不是比值。",
          hint_en="last_elapsed is the difference of two time.perf_counter() readings (end - start), not their ratio.")


def test_timed_keeps_return_value(learner):
    runs = learner.call("timed_runs", [0.0, 0.0, 0.0])
    sent = "timed 装饰的 / decorated work(x, delay=0.0) for x in 0, 1, 2（work 返回 / returns x * 2）"
    for run in runs:
        no_error(run, sent)
    equal([run["value"] for run in runs], [0, 2, 4], "timed 应返回原函数的返回值。",
          "timed must return the function's return value.", sent=sent, **RETURN_HINT)


# -- cache -------------------------------------------------------------------------------------

def call_text(name, calls):
    def one(args, kwargs):
        return f"{name}({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in kwargs.items()])})"

    return ", ".join(one(args, kwargs) for args, kwargs in calls)


def check_counters(got, sent, hits, misses):
    equal(got["before"], {"hits": [0, "int"], "misses": [0, "int"]},
          "装饰之后（还没调用）wrapper.hits 和 wrapper.misses 应是整数 0。",
          "Right after decorating (no call yet), wrapper.hits and wrapper.misses must be the integer 0.", sent=sent,
          hint_zh="在 return wrapper 之前写 wrapper.hits = 0 和 wrapper.misses = 0。",
          hint_en="Set wrapper.hits = 0 and wrapper.misses = 0 before return wrapper.")
    equal(got["after"], {"hits": [hits, "int"], "misses": [misses, "int"]},
          f"这些调用之后应有 hits = {hits}（命中缓存），misses = {misses}（调用了原函数）。",
          f"After these calls hits must be {hits} (answered from the cache) and misses {misses} (the function ran).",
          sent=sent)


def test_cache_counts(learner):
    calls = [[[x], {}] for x in (3, 4, 3, 3, 5, 4)]
    got = learner.call("cached", "square", calls)
    sent = "cache 装饰的 / decorated square: " + call_text("square", calls)
    cache_errors(got, sent)
    equal(got["values"], [9, 16, 9, 9, 25, 16], "cache 装饰后返回的结果不对。", "The cached function returned wrong results.",
          sent=sent)
    equal(got["ran"], [[[3], {}], [[4], {}], [[5], {}]], "原函数应只在未命中缓存时运行（每个不同的参数一次）。",
          "The function must run only on a cache miss (once per distinct argument).", sent=sent)
    check_counters(got, sent, hits=3, misses=3)


def test_cache_distinguishes_kwargs(learner):
    calls = [[[2], {"qty": 1}], [[2], {"qty": 3}], [[2], {"qty": 3}], [[2], {"qty": 1}]]
    got = learner.call("cached", "price", calls)
    sent = "cache 装饰的 / decorated price(item, qty=1, discount=0) = item * qty - discount: " + call_text("price", calls)
    cache_errors(got, sent)
    equal(got["values"], [2, 6, 6, 2], "关键字参数不同就是不同的调用，不能返回别的调用缓存的结果。",
          "A different keyword argument is a different call: do not answer it from another call's cache entry.",
          sent=sent, hint_zh="键要包含关键字参数：(args, tuple(sorted(kwargs.items())))。",
          hint_en="The key must include the keyword arguments: (args, tuple(sorted(kwargs.items()))).")
    equal(got["ran"], [[[2], {"qty": 1, "discount": 0}], [[2], {"qty": 3, "discount": 0}]],
          "原函数应只在未命中缓存时运行。", "The function must run only on a cache miss.", sent=sent)
    check_counters(got, sent, hits=2, misses=2)


def test_cache_kwargs_order_ignored(learner):
    calls = [[[10], {"qty": 3, "discount": 5}], [[10], {"discount": 5, "qty": 3}]]
    got = learner.call("cached", "price", calls)
    sent = "cache 装饰的 / decorated price: " + call_text("price", calls)
    cache_errors(got, sent)
    equal(got["values"], [25, 25], "cache 装饰后返回的结果不对。", "The cached function returned wrong results.", sent=sent)
    equal(len(got["ran"]), 1, "关键字参数只是顺序不同，应命中缓存，原函数只运行一次。",
          "Keyword arguments given in another order are the same call: the function must run once.", sent=sent,
          hint_zh="把 kwargs.items() 排序后再放进键里。", hint_en="Sort kwargs.items() before putting them in the key.")
    check_counters(got, sent, hits=1, misses=1)


def test_cache_remembers_falsy_results(learner):
    calls = [[[x], {}] for x in (0, 0, 1, 1)]
    got = learner.call("cached", "zero_or_none", calls)
    sent = "cache 装饰的 / decorated f（f(0) 返回 / returns 0，f(1) 返回 / returns None）: " + call_text("f", calls)
    cache_errors(got, sent)
    equal(got["values"], [0, 0, None, None], "cache 装饰后返回的结果不对。", "The cached function returned wrong results.",
          sent=sent)
    equal(got["ran"], [[[0], {}], [[1], {}]], "结果是 0 或 None 也要缓存：原函数每个参数只应运行一次。",
          "Results like 0 or None are cached too: the function must run once per argument.", sent=sent,
          hint_zh="用 if key in 缓存字典 判断，而不是看缓存的值真假。",
          hint_en="Test key in the cache dict, not whether the cached value is truthy.")
    check_counters(got, sent, hits=2, misses=2)



def test_cache_per_function(learner):
    got = learner.call("two_cached")
    sent = ("两个分别用 cache 装饰的函数 / two functions, each decorated with cache: inc(x) 返回 / returns x + 1，"
            "dbl(x) 返回 / returns x * 2；依次调用 / called in turn: inc(5), dbl(5), inc(5), dbl(5)")
    cache_errors(got, sent)
    shared_hint = dict(hint_zh="缓存字典要在 cache(func) 里面新建，每个被装饰的函数有自己的一个；不要放在模块级别让所有函数共用。",
                       hint_en="Create the cache dict inside cache(func), one per decorated function; a module-level dict "
                               "is shared by every cached function.")
    equal(got["values"], [["inc", 6], ["dbl", 10], ["inc", 6], ["dbl", 10]],
          "每个被 cache 装饰的函数有自己的缓存：dbl(5) 不能拿到 inc(5) 缓存的结果。",
          "Each cached function has a cache of its own: dbl(5) must not get the result inc(5) cached.",
          sent=sent, **shared_hint)
    equal(got["ran"], [["inc", 5], ["dbl", 5]], "每个函数对参数 5 应只运行一次（第一次调用时）。",
          "Each function must run once for the argument 5 (on its first call).", sent=sent, **shared_hint)
    equal(got["counters"], {name: {"hits": [1, "int"], "misses": [1, "int"]} for name in ("inc", "dbl")},
          "inc 和 dbl 应各有 hits = 1、misses = 1。", "inc and dbl must each have hits = 1 and misses = 1.",
          sent=sent, **shared_hint)


# -- retry -------------------------------------------------------------------------------------

def retry_sent(times, failures):
    return (f"retry({times}) 装饰的 / decorated flaky(7, scale=3)，前 {failures} 次调用抛出 FlakyError，之后返回 7 * 3 / "
            f"its first {failures} calls raise FlakyError, later calls return 7 * 3")


def test_retry_succeeds_on_third_attempt(learner):
    got = learner.call("retried", 3, 2)
    sent = retry_sent(3, 2)
    no_error(got, sent)
    equal(got["attempts"], 3, "前两次失败时，retry(3) 应在第 3 次调用时成功。",
          "With the first two calls failing, retry(3) must succeed on the 3rd call.", sent=sent)
    equal(got["value"], 21, "retry 应返回成功那次调用的结果。", "retry must return the result of the successful call.",
          sent=sent, **RETURN_HINT)


def test_retry_reraises_last_error(learner):
    for times in (2, 300):  # 300: above 256, where `attempt is times` differs from ==
        got = learner.call("retried", times, times + 1)
        sent = retry_sent(times, times + 1)
        equal(got["attempts"], times, f"retry({times}) 应正好调用原函数 {times} 次。",
              f"retry({times}) must call the function exactly {times} times.", sent=sent)
        error = got["error"]
        if error is None:
            fail("每次都失败时，retry 应把最后一次的异常抛出，而不是返回。",
                 "When every attempt fails, retry must re-raise the last exception, not return.",
                 sent=sent, expected=f"FlakyError: attempt {times} failed", got=f"返回了 / returned {got['value']!r}",
                 hint_zh="最后一次失败时用 raise 把异常原样抛出；比较次数用 ==，不要用 is（大于 256 的整数不是同一个对象）。",
                 hint_en="On the last failure, re-raise it with raise; compare counts with ==, never `is` (ints above 256 "
                         "are not the same object).")
        equal(f"{error['type']}: {error['message']}", f"FlakyError: attempt {times} failed",
              "每次都失败时，retry 应原样抛出最后一次的异常。", "When every attempt fails, retry must re-raise the last exception unchanged.",
              sent=sent)


def test_retry_stops_after_success(learner):
    got = learner.call("retried", 3, 0)
    sent = retry_sent(3, 0)
    no_error(got, sent)
    equal(got["attempts"], 1, "第一次就成功时，retry 不应再调用原函数。",
          "When the first call succeeds, retry must not call the function again.", sent=sent)
    equal(got["value"], 21, "retry 应返回原函数的返回值。", "retry must return the function's return value.", sent=sent,
          **RETURN_HINT)


# -- stacking ------------------------------------------------------------------------------------

STACKED = {
    "zzy": ("goods", ["开始调用 select_goods", "开始查询商品", "结束调用 select_goods"], 1),
    "guest": (None, ["开始调用 select_goods", "无权查看", "结束调用 select_goods"], 0),
}


@pytest.mark.parametrize("user", list(STACKED))
def test_stacking_log_over_access(learner, user):
    got = learner.call("stacked", user)
    sent = f"@log_calls\n@check_access(lambda: {user!r})\ndef select_goods(): print('开始查询商品'); return 'goods'\nselect_goods()"
    no_error(got, sent)
    value, lines, calls = STACKED[user]
    equal(got["lines"], lines, "叠加装饰器时打印的内容或顺序不对：外层的 log_calls 包着内层的 check_access。",
          "Stacked decorators printed the wrong lines or order: the outer log_calls wraps the inner check_access.",
          sent=sent, hint_zh="log_calls 打印的名字来自内层包装函数的 __name__，所以 check_access 也要用 functools.wraps。",
          hint_en="The name log_calls prints is the inner wrapper's __name__, so check_access needs functools.wraps too.")
    check([got["value"], got["calls"]] == [value, calls], "叠加装饰器后的返回值或原函数的调用次数不对。",
          "With stacked decorators, the return value or the number of times the function ran is wrong.", sent=sent,
          expected=f"返回 / returns {value!r}，select_goods 运行 / ran {calls} 次 / times",
          got=f"返回 / returns {got['value']!r}，select_goods 运行 / ran {got['calls']} 次 / times")
