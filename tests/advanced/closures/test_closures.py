"""advanced/closures: the notes' func1/func2, a counter with nonlocal, a running averager — state in closures only.

Each check is a short script: (code, expected) lines run in order inside the sandbox (see probe.run).
"""
from kit.values import expect

NONLOCAL_HINT = dict(hint_zh="计数放在 make_counter 的局部变量 count 里，counter 里先写 nonlocal count 再 count += 1；不要用 global。",
                     hint_en="Keep the count in make_counter's local variable count; in counter write nonlocal count, then "
                             "count += 1. Do not use global.")
AVERAGER_HINT = dict(hint_zh="在 make_averager 里保存到目前为止的总和与个数（nonlocal），每次返回 总和 / 个数。",
                     hint_en="In make_averager keep the running total and count (nonlocal); return total / count each time.")


HELPERS = ("评分程序提供的函数：snapshot() 记下 closures 模块的全局变量，changed(before) 列出之后改变了的全局变量名；"
           "holds(f, v)：f.__closure__ 的某个 cell 里是 v。\n"
           "Grader helpers: snapshot() records the closures module's globals, changed(before) lists the names that changed "
           "since; holds(f, v): some cell of f.__closure__ holds v.")


def script(learner, lines, zh, en, **kw):
    """Run the lines in one namespace and compare each result with its expected value."""
    got = learner.call("run", [code for code, _ in lines])
    sent = "; ".join(code for code, _ in lines)
    if "snapshot()" in sent or "holds(" in sent:
        kw["details"] = HELPERS
    expect(got, [[code, want] for code, want in lines], zh, en, sent=sent, **kw)


# -- func1 / func2 (the notes' example) ---------------------------------------------------------

def test_func1_notes_example(learner):
    script(learner, [("f1 = func1(100)", None), ("f2 = func1(50)", None), ("f1(1)", 101), ("f2(1)", 51),
                     ("func1('py')('thon')", "python")],
           "func1(a) 应返回内部函数 func2，func2(b) 返回 a + b（笔记里的例子：f1(1) 是 101，f2(1) 是 51）。",
           "func1(a) must return the inner function func2, and func2(b) returns a + b (the notes' example: f1(1) is 101, "
           "f2(1) is 51).", hint_zh="func1 最后写 return func2（返回函数本身，不要写 func2()）。",
           hint_en="End func1 with return func2 (the function itself, not func2()).")


def test_func1_closures_independent(learner):
    script(learner, [("f1 = func1(100)", None), ("f1(1)", 101), ("f2 = func1(50)", None), ("f1(1)", 101),
                     ("f2(1)", 51), ("f1 is f2", False)],
           "每次调用 func1 都得到一个新的闭包，各自记住自己的 a：创建 f2 之后 f1(1) 仍是 101。",
           "Each call of func1 makes a new closure that remembers its own a: after f2 is made, f1(1) is still 101.",
           hint_zh="func2 直接使用外层函数的参数 a，不要把 a 存到全局变量里。",
           hint_en="Let func2 use the enclosing function's parameter a; do not store a in a global variable.")


def test_func1_closure_cell(learner):
    script(learner, [("before = snapshot()", None), ("f1 = func1(100)", None), ("f1.__closure__ is not None", True),
                     ("holds(f1, 100)", True), ("changed(before)", [])],
           "f1 = func1(100) 应是闭包：f1.__closure__ 里有一个 cell 保存着 100，模块的全局变量不变。",
           "f1 = func1(100) must be a closure: f1.__closure__ has a cell holding 100, and the module's globals do not change.",
           hint_zh="func2 要在函数体里用到外层的 a；写成默认参数 def func2(b, a=a) 就不是闭包了。",
           hint_en="func2 must use the enclosing a in its body; a default argument def func2(b, a=a) is not a closure.")


# -- make_counter -------------------------------------------------------------------------------

def test_counter_counts(learner):
    script(learner, [("c = make_counter()", None), ("c()", 1), ("c()", 2), ("c()", 3)],
           "make_counter() 返回的 counter() 每次调用返回 1, 2, 3, ……", "counter() from make_counter() must return 1, 2, 3, ... on successive calls.",
           **NONLOCAL_HINT)


def test_counters_independent(learner):
    script(learner, [("c1 = make_counter()", None), ("c1()", 1), ("c1()", 2), ("c2 = make_counter()", None),
                     ("c2()", 1), ("c1()", 3), ("c2()", 2)],
           "两个计数器互不影响：每次 make_counter() 都从 0 开始一个新的计数。",
           "Two counters are independent: every make_counter() starts a new count from 0.", **NONLOCAL_HINT)


def test_counter_state_in_closure(learner):
    script(learner, [("before = snapshot()", None), ("c = make_counter()", None), ("[c(), c(), c()]", [1, 2, 3]),
                     ("changed(before)", []), ("c.__closure__ is not None", True), ("holds(c, 3)", True)],
           "计数只能保存在闭包里：调用之后模块的全局变量不变，c.__closure__ 的 cell 里保存着当前的计数 3。",
           "The count must live in the closure only: the module's globals are unchanged by the calls, and a cell of "
           "c.__closure__ holds the current count 3.", **NONLOCAL_HINT)


# -- make_averager -------------------------------------------------------------------------------

def test_averager_running_average(learner):
    script(learner, [("avg = make_averager()", None), ("avg(10)", 10.0), ("avg(11)", 10.5), ("avg(12)", 11.0),
                     ("avg(0)", 8.25)],
           "averager(value) 应返回到目前为止所有值的平均数：10 → 10.0，再 11 → 10.5，再 12 → 11.0，再 0 → 8.25。",
           "averager(value) must return the average of all values so far: 10 → 10.0, then 11 → 10.5, then 12 → 11.0, "
           "then 0 → 8.25.", **AVERAGER_HINT)


def test_averagers_independent(learner):
    script(learner, [("a1 = make_averager()", None), ("a1(10)", 10.0), ("a2 = make_averager()", None),
                     ("a2(100)", 100.0), ("a1(20)", 15.0), ("a2(0)", 50.0)],
           "两个 averager 互不影响：每次 make_averager() 都从空开始。",
           "Two averagers are independent: every make_averager() starts empty.", **AVERAGER_HINT)


def test_averager_state_in_closure(learner):
    script(learner, [("before = snapshot()", None), ("avg = make_averager()", None), ("[avg(1), avg(2)]", [1.0, 1.5]),
                     ("changed(before)", []), ("avg.__closure__ is not None", True)],
           "平均数用到的数据只能保存在闭包里：调用之后模块的全局变量不变，avg.__closure__ 不是 None。",
           "The averager's data must live in the closure only: the module's globals are unchanged by the calls, and "
           "avg.__closure__ is not None.", **AVERAGER_HINT)
