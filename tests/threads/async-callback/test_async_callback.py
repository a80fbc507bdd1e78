"""threads/async-callback: apply_async with a callback while the main thread keeps working.

Nothing here is timed against the clock: the pool's work waits, through a pipe, for the main
thread's ticks, so "the main thread kept working" is shown by the work being able to finish;
"the callback came while the main loop still ran" is read from the main thread's stack at
the moment the callback ran.
"""
import re

from grader.feedback import check, equal
from kit.calls import raised, shared

NEED = 3  # ticks the pool's work waits for
EXTRA = 0.1  # seconds of work after that
INTERVAL = 0.02  # the main loop's pause between ticks


RUN_SENT = (f"run_async(work, args, callback, tick, interval={INTERVAL})；work 在进程池里等主线程 tick {NEED} 次，再工作 "
            f"{EXTRA} 秒，返回一个字典 / work, in the pool, waits for {NEED} ticks of the main thread, works {EXTRA} s more "
            "and returns a dict")


def pool_run(learner):
    got = shared(learner, "pool_callback", NEED, EXTRA, INTERVAL)
    if got["error"]:
        raised(got["error"], sent=RUN_SENT)
    return got


def one_callback(got):
    calls = got["calls"]
    equal(len(calls), 1, "回调函数应正好被调用一次（在 run_async 返回之前）。",
          "The callback must be called exactly once (before run_async returns).", sent=RUN_SENT,
          hint_zh="pool.apply_async(func, args, callback=callback)：结果到了，进程池会调用 callback(结果)。",
          hint_en="pool.apply_async(func, args, callback=callback): when the result arrives, the pool calls callback(result).")
    return calls[0]


def test_callback_gets_result(learner):
    got = pool_run(learner)
    call = one_callback(got)
    result = call["result"]
    check(isinstance(result, dict) and result.get("value") == "hello", "回调函数收到的应是 work 的返回值。",
          "The callback must receive work's return value.", sent=RUN_SENT, expected="{'value': 'hello', ...}", got=result,
          hint_zh="不要自己调用 callback；把它交给 apply_async(..., callback=callback)，它会收到 work 的返回值。",
          hint_en="Do not call callback yourself; give it to apply_async(..., callback=callback): it receives work's return value.")
    equal(call["pid"], got["pid"], "回调函数应在主进程里运行。", "The callback must run in the main process.", sent=RUN_SENT)


def test_work_runs_in_pool_process(learner):
    got = pool_run(learner)
    call = one_callback(got)
    work = call["result"] if isinstance(call["result"], dict) else {}
    check(work.get("pid") not in (None, got["pid"]) and work.get("ppid") == got["pid"],
          "work 应在进程池的子进程里运行（它的父进程是主进程）。",
          "work must run in a child process of the pool (whose parent is the main process).", sent=RUN_SENT,
          expected=f"pid != {got['pid']}, ppid == {got['pid']}", got=f"pid {work.get('pid')}, ppid {work.get('ppid')}",
          hint_zh="用 multiprocessing.Pool(3) 的 apply_async。", hint_en="Use apply_async of a multiprocessing.Pool(3).")


def test_main_keeps_working(learner):
    got = pool_run(learner)
    hint = dict(hint_zh="apply_async 之后不要调用 get() / apply() / join() 等结果：主线程要一直 tick()、sleep(interval)，"
                        "直到结果到了（result.ready()）。",
                hint_en="After apply_async, do not wait for the result with get() / apply() / join(): the main thread keeps "
                        "calling tick() and sleep(interval) until the result is there (result.ready()).")
    check(got["ticks_in_main"] == got["ticks"], "tick() 应在主线程里调用。", "tick() must be called in the main thread.",
          sent=RUN_SENT, **hint)
    call = one_callback(got)
    work = call["result"] if isinstance(call["result"], dict) else {}
    check(work.get("ticks_seen", 0) >= NEED, f"进程池在工作时，主线程没有继续做自己的事：work 等了 3 秒也没等到主线程 tick {NEED} 次。",
          f"While the pool worked, the main thread did not go on with its own work: work waited 3 s for {NEED} ticks of "
          "the main thread in vain.", sent=RUN_SENT, expected=f">= {NEED} ticks", got=work.get("ticks_seen"), **hint)


def test_callback_while_main_loop_runs(learner):
    got = pool_run(learner)
    call = one_callback(got)
    hint = dict(hint_zh="主循环的条件是 while not result.ready()：一直做自己的事，直到回调执行完。循环次数不要写死，"
                        "也不要在结果到来之前就去 pool.join()。",
                hint_en="Loop while not result.ready(): keep working until the callback has run. Do not loop a fixed "
                        "number of times, nor call pool.join() before the result has arrived.")
    check(not call["main_blocked_in"], "回调执行时，主线程已经不在做自己的事，而是停在进程池的等待里。",
          "When the callback ran, the main thread was no longer doing its own work but blocked waiting on the pool.",
          sent=RUN_SENT, got=f"主线程在 / main thread in {call['main_blocked_in']}", **hint)
    check(call["ticks_after"] <= 2, "回调执行之后，主循环应很快结束。", "After the callback ran, the main loop must end soon.",
          sent=RUN_SENT, expected="<= 2 次 tick / ticks after the callback", got=call["ticks_after"], **hint)
    equal(got["value"], got["ticks"], "run_async 应返回 tick() 的次数。", "run_async must return how many times it called tick().",
          sent=RUN_SENT)



# -- the statement's defaults and pool size ------------------------------------------------------
DEFAULTS_SENT = (f"run_async(work, args, callback, tick)（不传 interval；work 等主线程 tick {NEED} 次）；然后 demo()（不传 delay） / "
                 f"no interval argument, work waits for {NEED} ticks; then demo() with no delay argument")


def defaults_run(learner):
    return shared(learner, "defaults", NEED, 0.0)


def test_defaults(learner):
    got = defaults_run(learner)
    if got["run_error"]:
        raised(got["run_error"], sent=DEFAULTS_SENT)
    gap = got["mean_gap"]
    check(gap is not None and 0.04 <= gap <= 0.5, "不传 interval 时，主线程两次 tick 之间应停默认的 0.05 秒。",
          "Without an interval argument the main thread must pause the default 0.05 s between ticks.", sent=DEFAULTS_SENT,
          expected="≈ 0.05 s", got=f"平均 / mean {gap} s（{got['ticks']} 次 tick / ticks）",
          hint_zh="def run_async(func, args, callback, tick, interval=0.05)：默认值照题目写。",
          hint_en="def run_async(func, args, callback, tick, interval=0.05): the default as the statement gives it.")
    if got["demo_error"]:
        raised(got["demo_error"], sent=DEFAULTS_SENT)
    took = got["demo_took"]
    check(2.9 <= took <= 5.8, "不传 delay 时，demo() 应按默认的 delay=1.0 运行：子进程打印 0、1、2，每个之后停 1 秒（共约 3–4 秒）。",
          "Without a delay argument demo() must use the default delay=1.0: the child prints 0, 1, 2 with 1 s after each "
          "(about 3–4 s in all).", sent=DEFAULTS_SENT, expected="3–4 秒 / s", got=f"{took} 秒 / s",
          hint_zh="def demo(delay=1.0)：默认值照题目写。", hint_en="def demo(delay=1.0): the default as the statement gives it.")


def test_pool_of_three(learner):
    got = defaults_run(learner)
    for name in ("run_async", "demo"):
        error = got["run_error" if name == "run_async" else "demo_error"]
        if error:
            raised(error, sent=DEFAULTS_SENT)
        size = got["pools"].get(name)
        check(size == 3, f"{name} 的进程池应有 3 个进程（Pool(3)）。", f"The pool of {name} must have 3 processes (Pool(3)).",
              sent=DEFAULTS_SENT, expected=3, got=size,
              details="在 run_async 第一次 tick 时、demo 的回调 fun 运行时数的子进程 / child processes counted at run_async's "
                      "first tick and when demo's callback fun ran",
              hint_zh="pool = Pool(3)：和题目一样 3 个进程。", hint_en="pool = Pool(3): three processes, as the statement says.")

# -- demo ---------------------------------------------------------------------------------------
def demo_tokens(stdout: str, main: int):
    """The printed messages in the order written.  Processes share one pipe and print()
    writes the text and its newline separately, so a newline can land after another
    process's text: cut the stream into the known messages instead of into lines."""
    pattern = re.compile(rf"子进程: pid = \d+, ppid = {main}|子进程: pid = \d+, ppid = \d+|主进程: {main}|fun: args = hello|"
                         rf"fun: {main}|[012]")
    text = stdout.replace("\n", "").replace("\r", "")
    tokens, pos, junk = [], 0, []
    for m in pattern.finditer(text):
        if m.start() > pos:
            junk.append(text[pos:m.start()])
        tokens.append(m.group(0))
        pos = m.end()
    if pos < len(text):
        junk.append(text[pos:])
    return tokens, junk


def test_demo_output(learner):
    run = learner.run("demo", 0.05)
    sent = "demo(0.05)，stdout 是管道（块缓冲，和重定向到文件或管道的真实程序一样） / stdout is a pipe (block-buffered, as " \
           "for a real program whose output goes to a file or a pipe)"
    if run.error:
        raised(run.error, sent=sent)
    main = run.value
    tokens, junk = demo_tokens(run.stdout, main)
    shown = run.stdout[:1500]
    check(not junk, f"输出里有不该有的内容（每行应是下面之一：子进程: pid = …, ppid = {main}；0/1/2；主进程: {main}；"
          f"fun: args = hello；fun: {main}）。", f"The output holds unexpected text (every line must be one of: 子进程: pid = …, "
          f"ppid = {main}; 0/1/2; 主进程: {main}; fun: args = hello; fun: {main}).", sent=sent, got=junk[:5],
          details=f"--- stdout ---\n{shown}")
    child = [i for i, tok in enumerate(tokens) if tok.startswith("子进程")]
    check(len(child) == 1, "应打印一行 子进程: pid = ..., ppid = ...（在进程池的子进程里）。",
          "Print one line 子进程: pid = ..., ppid = ... (in the pool process).", sent=sent, got=shown)
    pid, ppid = (int(x) for x in re.fullmatch(r"子进程: pid = (\d+), ppid = (\d+)", tokens[child[0]]).groups())
    check(ppid == main and pid != main, "子进程行里的 ppid 应是主进程的 pid，pid 是子进程自己的。",
          "In the 子进程 line, ppid must be the main process's pid and pid the child's own.", sent=sent,
          expected=f"pid != {main}, ppid = {main}", got=tokens[child[0]])
    digits = [tok for tok in tokens if tok in ("0", "1", "2")]
    equal(digits, ["0", "1", "2"], "子进程应依次打印 0、1、2。", "The child must print 0, 1, 2 in turn.", sent=sent)
    args = [i for i, tok in enumerate(tokens) if tok == "fun: args = hello"]
    fun_pid = [i for i, tok in enumerate(tokens) if tok == f"fun: {main}"]
    check(len(args) == 1 and len(fun_pid) == 1 and args[0] < fun_pid[0], f"回调应打印 fun: args = hello 和 fun: {main}（主进程的 pid）。",
          f"The callback must print fun: args = hello and then fun: {main} (the main process's pid).", sent=sent, got=shown)
    late = [tok for i, tok in enumerate(tokens) if (i == child[0] or tok in ("0", "1", "2")) and i > args[0]]
    check(not late, "子进程的输出（子进程: …、0、1、2）应出现在回调的 fun: … 之前：test() 先打印这些行再返回 \"hello\"，"
          "回调在那之后才运行。", "The child's lines (子进程: …, 0, 1, 2) must come out before the callback's fun: … lines: "
          "test() prints them before it returns \"hello\", and the callback runs only after that.", sent=sent,
          got=f"在 fun: args = hello 之后 / after fun: args = hello: {late}", details=f"--- stdout ---\n{shown}",
          hint_zh="test() 里打印也要加 flush=True：输出到管道或文件时 stdout 是块缓冲的，不 flush 的话子进程的行一直留在它的缓冲区里，"
                  "直到进程池的进程在 pool.join() 时退出，那已经在回调的输出之后了。",
          hint_en="Print with flush=True in test() too: stdout going to a pipe or a file is block-buffered, and without a "
                  "flush the child's lines stay in its buffer until the pool process exits at pool.join(), after the "
                  "callback's lines.")
    during = [i for i, tok in enumerate(tokens) if tok == f"主进程: {main}" and child[0] < i < args[0]]
    check(during, f"子进程工作期间，主进程应继续打印 主进程: {main}（异步：不等结果）。",
          f"While the child worked, the main process must keep printing 主进程: {main} (asynchronous: it does not wait).",
          sent=sent, got=shown)


# -- submit -------------------------------------------------------------------------------------
SUBMIT_SENT = "t = submit(func, (21,), callback, error_callback)；func(x) 等到 submit 返回之后才返回 x * 2 / " \
              "func(x) returns x * 2 only after submit has returned"


def submitted(learner, fail_it):
    got = learner.call("thread_submit", fail_it)
    if got["error"]:
        raised(got["error"], sent=SUBMIT_SENT)
    return got


def test_submit_returns_at_once(learner):
    got = submitted(learner, False)
    hint = dict(hint_zh="submit 里只创建并 start() 一个线程，在线程里调用 func 和 callback；submit 自己立即 return 这个线程。",
                hint_en="submit only creates and start()s a thread that calls func and then callback; submit itself returns "
                        "that thread at once.")
    func_end = [e for e in got["log"] if e["event"] == "func-end"]
    check(func_end and func_end[0]["waited"], "submit 没有立即返回：它等 func 做完了才返回。", "submit did not return at once: it waited for func to finish.",
          sent=SUBMIT_SENT, got=f"submit 用了 / took {got['returned_after']} s", **hint)
    check(got["is_thread"], "submit 应返回启动的 threading.Thread。", "submit must return the started threading.Thread.",
          sent=SUBMIT_SENT, got=got["type"], **hint)
    func = [e for e in got["log"] if e["event"] == "func"]
    check(func and not func[0]["in_caller"], "func 应在新线程里运行。", "func must run in the new thread.", sent=SUBMIT_SENT, **hint)


def test_submit_calls_back(learner):
    got = submitted(learner, False)
    calls = [e for e in got["log"] if e["event"] in ("callback", "error_callback")]
    equal([[e["event"], e["value"]] for e in calls], [["callback", 42]], "func 返回之后，应调用一次 callback(结果)。",
          "After func returned, callback(result) must be called once.", sent=SUBMIT_SENT)
    check(not calls[0]["in_caller"], "callback 应在工作线程里调用（func 做完的地方），而不是调用 submit 的线程。",
          "callback must be called in the worker thread (where func finished), not in the thread that called submit.",
          sent=SUBMIT_SENT)
    equal(got["alive"], False, "callback 之后工作线程应结束。", "The worker thread must end after the callback.", sent=SUBMIT_SENT)


def test_submit_error_callback(learner):
    got = submitted(learner, True)
    sent = SUBMIT_SENT + "；这次 func 抛出 ValueError('work failed') / this time func raises ValueError('work failed')"
    calls = [[e["event"], e["value"]] for e in got["log"] if e["event"] in ("callback", "error_callback")]
    equal(calls, [["error_callback", "ValueError: work failed"]], "func 抛出异常时，应调用 error_callback(异常)，不调用 callback。",
          "When func raises, error_callback(exception) must be called, and callback not.", sent=sent,
          hint_zh="在工作线程里用 try/except Exception as exc: 包住 func(*args)，出错时调用 error_callback(exc)。",
          hint_en="In the worker thread, wrap func(*args) in try/except Exception as exc: and call error_callback(exc) on error.")
