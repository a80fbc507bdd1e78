"""threads/queue: queue.Queue producer/consumer, LifoQueue, PriorityQueue, a worker pool.

The probe's handle / fn log every call under its own lock; the checks count items, threads
and how many calls were in progress at once, and look for threads left behind.
"""
from grader.feedback import check, equal, fail
from kit.calls import raised

SEED = 2024  # random pauses in parallel_map's fn; shown in the messages


def returned(got, sent, what, **kw):
    if got.get("error"):
        raised(got["error"], sent=sent, **kw)
    if not got["done"]:
        fail(f"{what} 在 3 秒内没有返回（卡住了）。", f"{what} did not return within 3 s (it hung).", sent=sent, **kw)


JOIN_HINT = dict(hint_zh="每个 get() 到的元素（包括结束标记）都要调用一次 q.task_done()，最好写在 finally 里；否则 q.join() 永远等下去。",
                 hint_en="Call q.task_done() once for every item get() returned (sentinels too), best in a finally block; "
                         "otherwise q.join() waits for ever.")


# -- process_all ------------------------------------------------------------------------------
def process_sent(n, workers, delay):
    return f"process_all(list(range({n})), handle, workers={workers})，handle 每个元素花 {delay} 秒 / handle takes {delay} s per item"


def test_process_all_handles_each_once(learner):
    got = learner.call("process", 30, 3, 0.002)
    sent = process_sent(30, 3, 0.002)
    returned(got, sent, "process_all(...)", **JOIN_HINT)
    equal(got["items"], list(range(30)), "每个元素都应被 handle 正好一次。", "handle must be called exactly once for every item.",
          sent=sent)
    equal(got["value"], 30, "process_all 应返回元素个数。", "process_all must return the number of items.", sent=sent)
    check(got["in_caller"] == 0, "handle 应在消费者线程里调用，而不是在调用 process_all 的线程里。",
          "handle must be called in the consumer threads, not in the thread that called process_all.", sent=sent,
          got=f"{got['in_caller']} 次在调用者线程 / calls in the caller's thread")


def test_process_all_returns_when_all_done(learner):
    got = learner.call("process", 20, 3, 0.02)
    sent = process_sent(20, 3, 0.02)
    returned(got, sent, "process_all(...)", **JOIN_HINT)
    equal(got["done_at_return"], 20, "process_all 返回时还有元素没有处理完。", "process_all returned before every item was handled.",
          sent=sent, hint_zh="放完所有元素后调用 q.join()：它等到每个元素都 task_done() 才返回。",
          hint_en="After putting every item, call q.join(): it returns once every item was task_done().")


def test_process_all_consumer_threads_end(learner):
    got = learner.call("process", 12, 3, 0.0, True)
    sent = process_sent(12, 3, 0.0) + "；每个线程在 run() 结束处停住，直到有人 join 它（最多 1 秒） / " \
        "every thread is held at the very end of its run() until it is joined (at most 1 s)"
    returned(got, sent, "process_all(...)", **JOIN_HINT)
    never_end = got["left_running"] > 0
    sentinel_hint = dict(hint_zh="q.join() 之后为每个消费者放一个结束标记（例如 None），消费者取到它就退出循环；然后 join 每个线程。",
                         hint_en="After q.join(), put one sentinel (e.g. None) per consumer; a consumer that gets it leaves its "
                                 "loop; then join every thread.")
    join_hint = dict(hint_zh="放完结束标记之后，还要对每个消费者线程调用 t.join()：线程取到结束标记并不等于它已经结束。",
                     hint_en="After putting the sentinels, call t.join() on every consumer thread: a thread that got its "
                             "sentinel has not necessarily ended yet.")
    equal(got["alive_at_return"], 0, "process_all 返回的那一刻，还有消费者线程没有结束（没有被 join）。",
          "When process_all returned, consumer threads had not ended yet (they were not joined).", sent=sent,
          **(sentinel_hint if never_end else join_hint))
    equal(got["left_running"], 0, "process_all 返回之后，还有消费者线程没有结束。", "Consumer threads were still running after process_all returned.",
          sent=sent, **sentinel_hint)


def test_process_all_consumers_run_concurrently(learner):
    got = learner.call("process_concurrency", 9, 3, 0.1)
    sent = "process_all(list(range(9)), handle, workers=3)；handle 等到 3 个同时在处理，再停留 0.1 秒 / " \
           "handle waits until 3 calls run at once, then stays 0.1 s"
    returned(got, sent, "process_all(...)", **JOIN_HINT)
    check(got["max"] == 3 and not got["gave_up"], "应有 workers（3）个消费者线程同时处理元素。",
          "workers (3) consumer threads must handle items at the same time.", sent=sent, expected=3, got=got["max"],
          hint_zh="先启动 workers 个消费者线程，再放元素；不要在一个线程里逐个处理。",
          hint_en="Start workers consumer threads first, then put the items; do not handle them one by one in one thread.")


def test_process_all_survives_slow_producer(learner):
    got = learner.call("process_slow_producer", 12, 3, 3, 2.0)
    sent = "process_all(生成器 / a generator, handle, workers=3)：前几个元素要等上一个处理完才生产出来，" \
           "第 3 个元素之前生产者停 2 秒 / its first items are produced only after the previous one was handled, " \
           "and the producer pauses 2 s before item 3"
    if got.get("error"):
        raised(got["error"], sent=sent)
    equal(got["items"], list(range(12)), "生产者比消费者慢时丢了元素：队列暂时为空不代表生产者已经结束。",
          "Items were lost when the producer was slower than the consumers: an empty queue does not mean the producer "
          "has finished.", sent=sent,
          hint_zh="消费者不要用 q.empty() 或 q.get(timeout=...) 超时来判断结束：生产者可能停得比任何超时都久。"
                  "一直 q.get()（阻塞等待），直到取到结束标记。",
          hint_en="Consumers must not stop on q.empty() nor on a q.get(timeout=...) timeout: the producer may pause longer "
                  "than any timeout. Keep calling q.get() (it waits) until they get the sentinel.")
    returned(got, sent, "process_all(...)", **JOIN_HINT)


# -- LifoQueue / PriorityQueue ----------------------------------------------------------------
def test_lifo_order(learner):
    items = ["a", "b", "c", 1, 2, 3]
    got = learner.call("lifo", items)
    sent = f"lifo({items!r})"
    returned(got, sent, "lifo(...)")
    equal(got["value"], items[::-1], "LifoQueue 应后进先出。", "A LifoQueue gives the last item put first.", sent=sent,
          hint_zh="用 queue.LifoQueue()。", hint_en="Use queue.LifoQueue().")


def test_priority_order(learner):
    jobs = [[3, "写报告"], [1, "通知用户"], [2, "开会"], [5, "整理桌面"], [1, "修复线上故障"], [2, "回复邮件"]]
    got = learner.call("priority", jobs)
    sent = f"by_priority({[tuple(j) for j in jobs]!r})"
    returned(got, sent, "by_priority(...)")
    equal(got["value"], ["通知用户", "修复线上故障", "开会", "回复邮件", "写报告", "整理桌面"],
          "应按优先级数字从小到大取出；数字相同的按给出的顺序。",
          "Jobs come out lowest priority number first; equal numbers in the order given.", sent=sent,
          hint_zh="放进 PriorityQueue 的是 (priority, 序号, job)：序号（如 itertools.count()）让数字相同时按先后顺序，"
                  "而不是比较 job 本身。",
          hint_en="Put (priority, sequence number, job) into the PriorityQueue: the number (e.g. from itertools.count()) keeps "
                  "equal priorities in order instead of comparing the jobs.")


def test_priority_never_compares_jobs(learner):
    jobs = [[2, "b"], [1, "a"], [2, "c"], [2, "d"], [0, "z"]]
    got = learner.call("priority_objects", jobs)
    sent = "by_priority([(2, {'name': 'b'}), (1, {'name': 'a'}), (2, {'name': 'c'}), (2, {'name': 'd'}), (0, {'name': 'z'})])"
    hint = dict(hint_zh="优先级相同时 PriorityQueue 会比较元组的下一项；字典不能比较大小（TypeError）。"
                        "放 (priority, 序号, job)，序号各不相同，就永远不会比较到 job。",
                hint_en="On equal priorities the PriorityQueue compares the next tuple item; dicts cannot be ordered "
                        "(TypeError). Put (priority, sequence number, job): the numbers differ, so jobs are never compared.")
    returned(got, sent, "by_priority(...)", **hint)
    equal(got["value"], ["z", "a", "b", "c", "d"], "任务是字典时，应按优先级取出，数字相同的按给出的顺序。",
          "With dict jobs, they must come out by priority, equal numbers in the order given.", sent=sent, **hint)


# -- parallel_map -----------------------------------------------------------------------------
def test_parallel_map_keeps_order(learner):
    got = learner.call("pmap_order", 16, 4, SEED)
    sent = f"parallel_map(fn, list(range(16)), workers=4)，fn(x) = x * x，每次随机停顿 0–30 ms（seed={SEED}） / " \
           f"random pause of 0–30 ms per call (seed={SEED}); then parallel_map(fn, [], 4)"
    returned(got, sent, "parallel_map(...)")
    equal(got["calls"], list(range(16)), "fn 应对每个元素正好调用一次。", "fn must be called exactly once per item.", sent=sent)
    equal(got["value"], [x * x for x in range(16)], "结果应按输入的顺序排列，而不是按完成的先后。",
          "Results must be in input order, not in the order they finished.", sent=sent,
          hint_zh="把 (下标, 元素) 放进队列，结果写到 results[下标]。", hint_en="Queue (index, item) pairs and store results[index].")
    returned(got["empty"], sent, "parallel_map(fn, [], 4)")
    equal(got["empty"]["value"], [], "空列表应返回 []。", "An empty list must give [].", sent=sent)
    equal(got["left_running"], 0, "parallel_map 返回后还有工作线程在运行。", "Worker threads were still running after parallel_map returned.",
          sent=sent, hint_zh="返回之前 join 所有工作线程。", hint_en="Join every worker thread before returning.")


def test_parallel_map_uses_workers(learner):
    got = learner.call("pmap_concurrency", 8, 3, 0.1)
    sent = "parallel_map(fn, list(range(8)), workers=3)；fn 等到 3 个同时在运行，再停留 0.1 秒 / " \
           "fn waits until 3 calls run at once, then stays 0.1 s"
    returned(got, sent, "parallel_map(...)")
    check(got["max"] <= 3, "同时运行的 fn 超过了 workers（3）个。", "More than workers (3) calls of fn ran at the same time.",
          sent=sent, expected="<= 3", got=got["max"],
          hint_zh="只启动 workers 个线程，它们从同一个队列里取任务。", hint_en="Start only workers threads, taking tasks from one queue.")
    check(got["max"] == 3 and not got["gave_up"], "应有 workers（3）个线程同时运行 fn。", "workers (3) threads must run fn at the same time.",
          sent=sent, expected=3, got=got["max"], hint_zh="先启动所有工作线程，再 join。", hint_en="Start every worker thread, then join them.")
    equal(got["value"], list(range(8)), "结果不对。", "Wrong results.", sent=sent)



def test_default_workers(learner):
    got = learner.call("default_workers", 12, 3, 4, 0.1)
    for name, expected in (("process_all", 3), ("parallel_map", 4)):
        one = got[name]
        call = f"{name}(...)"
        sent = (f"{name}(..., list(range(12)))，不传 workers；每个调用等到 {expected} 个同时在运行，再停留 0.1 秒 / "
                f"no workers argument; each call waits until {expected} run at once, then stays 0.1 s")
        returned(one, sent, call)
        check(one["max"] == expected and not one["gave_up"],
              f"不传 workers 时，{name} 应使用默认的 {expected} 个线程同时处理（题目给出的默认值 workers={expected}）。",
              f"Without a workers argument, {name} must use the default of {expected} threads at once (the statement's "
              f"workers={expected}).", sent=sent, expected=expected,
              got=f"{one['max']}" + ("（等了 3 秒也没有这么多 / not reached within 3 s）" if one["gave_up"] else ""),
              hint_zh=f"def {name}(..., workers={expected})：默认值照题目写。",
              hint_en=f"def {name}(..., workers={expected}): the default as the statement gives it.")

def test_parallel_map_reports_exception(learner):
    got = learner.call("pmap_errors", 10, 3, [7, 3])
    sent = "parallel_map(fn, list(range(10)), workers=3)，fn(x) = x + 1，但 fn(3) 和 fn(7) 抛出 ItemError，" \
           "fn(3) 比 fn(7) 晚抛出 / but fn(3) and fn(7) raise ItemError('bad item 3') / ('bad item 7'), fn(3) later in time " \
           "than fn(7)"
    hint = dict(hint_zh="工作线程里用 try/except 捕获 fn 的异常并记下（按下标），继续处理别的元素；所有线程 join 之后，"
                        "raise 下标最小的那个异常。",
                hint_en="In the worker, catch fn's exception with try/except, record it by index and go on with other items; "
                        "after joining every thread, raise the one with the smallest index.")
    if not got["done"]:
        fail("fn 抛出异常后，parallel_map 在 3 秒内没有结束（卡住了）。", "After fn raised, parallel_map did not end within 3 s (it hung).",
             sent=sent, **hint)
    equal(got["calls"], list(range(10)), "即使有的元素失败，其他元素也都应被处理（fn 每个调用一次）。",
          "Even when some items fail, every other item must still be processed (fn called once each).", sent=sent, **hint)
    error = got["error"]
    if error is None:
        fail("fn 抛出了异常，parallel_map 却正常返回了。", "fn raised, but parallel_map returned normally.", sent=sent,
             expected="ItemError: bad item 3", got=f"返回了 / returned {got['value']!r}", **hint)
    raised_7 = f"{error['type']}: {error['message']}" == "ItemError: bad item 7"
    equal(f"{error['type']}: {error['message']}", "ItemError: bad item 3",
          "parallel_map 应抛出输入顺序中第一个失败元素的异常，原样抛出。",
          "parallel_map must raise the exception of the first failing item in input order, unchanged.", sent=sent,
          **(dict(hint_zh="fn(7) 先失败、fn(3) 后失败：抛出的应是下标最小（3）的异常，而不是时间上最早的。按下标记录异常"
                          "（例如 errors[i] = exc），最后 raise errors[min(errors)]。",
                  hint_en="fn(7) failed first, fn(3) later: raise the exception of the smallest index (3), not the earliest "
                          "in time. Record exceptions by index (e.g. errors[i] = exc) and finally raise errors[min(errors)].")
             if raised_7 else hint))
    equal(got["left_running"], 0, "parallel_map 抛出异常之后还有工作线程在运行。",
          "Worker threads were still running after parallel_map raised.", sent=sent, **hint)
