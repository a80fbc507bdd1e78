"""Runs in the sandbox beside the learner's decorators.py; returns plain values only.

Each probe decorates small functions of its own, records how often they really ran, and
captures what was printed; results, exceptions and attributes come back as plain values.
"""
import contextlib
import io
import time

import decorators

from probekit.values import error_of

MISSING = "<missing>"


def _captured(call):
    """Run call(); return (value, printed lines, error or None)."""
    out = io.StringIO()
    value, error = None, None
    with contextlib.redirect_stdout(out):
        try:
            value = call()
        except Exception as exc:  # reported by the check, which says what was expected
            error = error_of(exc)
    return value, out.getvalue().splitlines(), error


def _attr(obj, name):
    value = getattr(obj, name, MISSING)
    return value if isinstance(value, (type(None), bool, int, float, str)) else repr(value)


def _fresh(text):
    """The same text as a new str object, as input() or a file would give it: never the interned
    literal, so only ==, not `is`, finds it equal to "zzy"."""
    return "".join([text[:1], text[1:]])


def access(user, args, kwargs):
    """select_goods decorated with check_access(lambda: user), called once with args/kwargs; the
    user name is a str made at run time."""
    calls = []
    user = _fresh(user)

    @decorators.check_access(lambda: user)
    def select_goods(*a, **kw):
        calls.append([list(a), kw])
        print("开始查询商品")
        return ["商品列表", list(a), kw]

    value, lines, error = _captured(lambda: select_goods(*args, **kwargs))
    return {"value": value, "lines": lines, "error": error, "calls": calls}


def access_sequence(users):
    """One decorated function called len(users) times; get_user() answers users in turn."""
    answers = iter(users)
    asked = []

    def get_user():
        user = next(answers, "nobody")
        asked.append(user)
        return user

    @decorators.check_access(get_user)
    def select_goods():
        return "goods"

    results = []
    for _ in users:
        value, lines, error = _captured(select_goods)
        results.append({"value": value, "lines": lines, "error": error})
    return {"results": results, "asked": len(asked)}


def _decorate(which, func):
    if which == "check_access":
        return decorators.check_access(lambda: "zzy")(func)
    if which == "retry":
        return decorators.retry(3)(func)
    return getattr(decorators, which)(func)


def wrapped_names(which):
    def sample(a, b=2):
        """示例函数的文档 / the sample function's docstring."""
        return a + b

    decorated = _decorate(which, sample)
    return {"__name__": _attr(decorated, "__name__"), "__doc__": _attr(decorated, "__doc__")}


def logged_add(a, b):
    """add decorated with log_calls, called as add(a, b=b)."""

    @decorators.log_calls
    def add(a, b=0):
        print(f"计算 {a} + {b}")
        return a + b

    value, lines, error = _captured(lambda: add(a, b=b))
    return {"value": value, "lines": lines, "error": error}


def logged_greet(name, punct):
    """greet decorated with log_calls, called with a keyword-only argument."""
    calls = []

    @decorators.log_calls
    def greet(name, *, punct="!"):
        calls.append([name, punct])
        return name + punct

    value, lines, error = _captured(lambda: greet(name, punct=punct))
    return {"value": value, "error": error, "calls": calls}


def timed_runs(delays):
    """work decorated with timed, called once per delay as work(i, delay=d)."""

    @decorators.timed
    def work(x, delay=0.0):
        time.sleep(delay)
        return x * 2

    runs = []
    for i, delay in enumerate(delays):
        value, _, error = _captured(lambda i=i, delay=delay: work(i, delay=delay))
        elapsed = _attr(work, "last_elapsed")
        runs.append({"value": value, "error": error, "elapsed": elapsed, "type": type(getattr(work, "last_elapsed", None)).__name__})
    return runs


def _counters(wrapper):
    return {name: [_attr(wrapper, name), type(getattr(wrapper, name, None)).__name__] for name in ("hits", "misses")}


def cached(kind, calls):
    """A function decorated with cache, called with each [args, kwargs] in calls."""
    ran = []

    def square(x):
        ran.append([[x], {}])
        return x * x

    def price(item, qty=1, discount=0):
        ran.append([[item], {"qty": qty, "discount": discount}])
        return item * qty - discount

    def zero_or_none(x):
        ran.append([[x], {}])
        return 0 if x == 0 else None

    func = decorators.cache({"square": square, "price": price, "zero_or_none": zero_or_none}[kind])
    before = _counters(func)
    values, errors = [], []
    for args, kwargs in calls:
        value, _, error = _captured(lambda args=args, kwargs=kwargs: func(*args, **kwargs))
        values.append(value)
        if error:
            errors.append(error)
    return {"before": before, "values": values, "errors": errors, "ran": ran, "after": _counters(func)}


def two_cached():
    """inc and dbl, each decorated with cache, called inc(5), dbl(5), inc(5), dbl(5) in one process."""
    ran = []

    def inc(x):
        ran.append(["inc", x])
        return x + 1

    def dbl(x):
        ran.append(["dbl", x])
        return x * 2

    funcs = {"inc": decorators.cache(inc), "dbl": decorators.cache(dbl)}
    values, errors = [], []
    for name in ("inc", "dbl", "inc", "dbl"):
        value, _, error = _captured(lambda name=name: funcs[name](5))
        values.append([name, value])
        if error:
            errors.append(error)
    return {"values": values, "errors": errors, "ran": ran,
            "counters": {name: _counters(func) for name, func in funcs.items()}}


class FlakyError(ValueError):
    """Raised by the probe's flaky function; its message names the attempt."""


def retried(times, failures):
    """flaky(7, scale=3) decorated with retry(times); it fails its first `failures` calls."""
    attempts = []

    @decorators.retry(times)
    def flaky(x, *, scale=1):
        attempts.append([x, scale])
        if len(attempts) <= failures:
            raise FlakyError(f"attempt {len(attempts)} failed")
        return x * scale

    value, _, error = _captured(lambda: flaky(7, scale=3))
    return {"value": value, "error": error, "attempts": len(attempts)}


def stacked(user):
    """@log_calls over @check_access(lambda: user) on select_goods, called once."""
    calls = []

    @decorators.log_calls
    @decorators.check_access(lambda: user)
    def select_goods():
        calls.append(1)
        print("开始查询商品")
        return "goods"

    value, lines, error = _captured(select_goods)
    return {"value": value, "lines": lines, "error": error, "calls": len(calls)}
