"""threads/primitives: one small task per threading object, each measured in the act.

The probe hands the learner's code tasks and hooks that log, under the probe's own lock,
when they start and end; the checks below read those logs.  Nothing here trusts a count
the learner's code reports about itself.
"""
from dataclasses import dataclass

from grader.feedback import check, equal, fail
from kit.calls import raised, shared


def finished(got, sent, what_zh, what_en, **kw):
    """The probe ran a learner call with a timeout: report a block or an exception."""
    if got.get("error"):
        raised(got["error"], sent=sent, **kw)
    if not got.get("done", True):
        fail(f"{what_zh} 在 3 秒内没有返回（卡住了）。", f"{what_en} did not return within 3 s (it blocked).", sent=sent, **kw)


# -- 1. RLock -------------------------------------------------------------------------------------
REENTRY_HINT = dict(hint_zh="add_many 持有锁时又调用 add，add 再次获取同一把锁：普通 Lock 会卡死自己，要用 threading.RLock()。",
                    hint_en="add_many holds the lock and calls add, which takes the same lock again: a plain Lock "
                            "deadlocks on itself; use threading.RLock().")


def test_rlock_add_many_reenters(learner):
    pairs = [["apple", 2], ["pear", 1], ["apple", 3]]
    got = learner.call("rlock_reenter", pairs, ["apple", "pear", "plum"])
    sent = "inv = Inventory(); inv.add_many([('apple', 2), ('pear', 1), ('apple', 3)])"
    finished(got, sent, "add_many(...)", "add_many(...)", **REENTRY_HINT)
    sent += "; inv.count('apple'); inv.count('pear'); inv.count('plum')（没加过 / never added）; inv.total()"
    if got.get("after_error"):
        raised(got["after_error"], sent=sent)
    equal([got["counts"], got["total"]], [{"apple": 5, "pear": 1, "plum": 0}, 6],
          "add_many 之后 count() 和 total() 的结果不对（没有的名字数量是 0）。",
          "After add_many, count() and total() are wrong (a name never added counts 0).", sent=sent)


def test_rlock_add_many_is_atomic(learner):
    pairs = [["x", 1]] * 6 + [["y", 2]] * 6
    got = learner.call("rlock_atomic", pairs, 6)
    sent = "inv.add_many([('x', 1)] * 6 + [('y', 2)] * 6)；加到第 6 个时，另一个线程调用 inv.total() / " \
           "after the 6th pair, another thread calls inv.total()"
    finished(got, sent, "add_many(...)", "add_many(...)", **REENTRY_HINT)
    check(got["calls"] == len(pairs), "add_many 应对每一对调用 self.add(name, count)。",
          "add_many must call self.add(name, count) for every pair.", sent=sent, expected=len(pairs), got=got["calls"])
    peek = got["peek"]
    if peek["error"]:
        raised(peek["error"], sent=sent)
    atomic = dict(hint_zh="在 add_many 里先 with self.lock:，再在锁里逐个调用 add（所以需要可重入的 RLock）。",
                  hint_en="In add_many, take with self.lock: first and call add for each pair inside it (hence a re-entrant RLock).")
    check(not peek["returned_during_batch"], "add_many 还没做完，另一个线程的 total() 就返回了：整批要在一次持有锁期间完成。",
          "Another thread's total() returned while add_many was only half done: the whole batch must happen under one hold of "
          "the lock.", sent=sent, expected="total() 等到整批加完 / total() waits for the whole batch",
          got=f"total() = {peek['value']!r}（只加了一半 / half the batch）", **atomic)
    equal(peek["value"], 18, "另一个线程的 total() 应看到整批加完后的结果。", "The other thread's total() must see the whole batch.",
          sent=sent, **atomic)


def test_rlock_concurrent_adds_exact(learner):
    got = learner.call("rlock_concurrent", 4, 2000)
    sent = "4 个线程各调用 2000 次 inv.add('x')，前两个线程的第一次读取会互相等待 / 4 threads call inv.add('x') 2000 times " \
           "each; the first reads of two threads wait for each other"
    for error in got["errors"] + ([got["count_error"]] if got["count_error"] else []):
        raised(error, sent=sent)
    check(got["done"], "4 个线程在 6 秒内没有做完（卡住了）。", "The 4 threads did not finish within 6 s (they blocked).", sent=sent)
    equal(got["count"], 8000, "多个线程同时 add 时丢失了更新：读、加、写回要在同一次持有锁时完成。",
          "Concurrent add() calls lost updates: read, add and write back under one hold of the lock.", sent=sent,
          hint_zh="add 里用 with self.lock: 包住 self.items[name] = self.items.get(name, 0) + count。",
          hint_en="Wrap self.items[name] = self.items.get(name, 0) + count in with self.lock: inside add.")


# -- 2. Condition ---------------------------------------------------------------------------------
def test_condition_blocks_and_keeps_order(learner):
    got = learner.call("condition_blocking", 2)
    sent = "buf = BoundedBuffer(2); put(0); put(1); 另一线程 / another thread: put('extra'); get(); get(); get(); " \
           "再在另一线程 get() 空缓冲区，然后 put('late') / then get() on the empty buffer in another thread, then put('late')"
    finished(got["fill"], sent, "put(0); put(1)", "put(0); put(1)")
    check(not got["put_returned_while_full"], "缓冲区满了（2 个）时，put('extra') 没有等待就返回了。",
          "put('extra') returned at once although the buffer was full (2 items).", sent=sent,
          hint_zh="put 里：while len(self.items) >= self.capacity: self.cond.wait()。",
          hint_en="In put: while len(self.items) >= self.capacity: self.cond.wait().")
    finished(got["first_get"], sent, "get()", "get()")
    if got["put_error"]:
        raised(got["put_error"], sent=sent)
    check(got["put_woke"], "get() 取走一个之后，等待中的 put('extra') 没有被唤醒。",
          "After get() took an item, the waiting put('extra') was never woken.", sent=sent,
          hint_zh="get 取走元素后要 self.cond.notify_all()（或 notify），通知等着放的生产者。",
          hint_en="After taking an item, get must self.cond.notify_all() (or notify) the waiting producer.")
    finished(got["rest"], sent, "get() × 2", "get() × 2")
    equal([got["first_get"]["value"], got["rest"]["value"]], [0, [1, "extra"]],
          "取出的顺序不对：应先进先出。", "Items came out in the wrong order: first in, first out.", sent=sent)
    check(not got["get_returned_while_empty"], "缓冲区空的时候，get() 没有等待就返回了。",
          "get() returned at once although the buffer was empty.", sent=sent,
          hint_zh="get 里：while not self.items: self.cond.wait()。", hint_en="In get: while not self.items: self.cond.wait().")
    finished(got["late_put"], sent, "put('late')", "put('late')")
    check(got["get_woke"], "put('late') 之后，等待中的 get() 没有被唤醒。", "After put('late'), the waiting get() was never woken.",
          sent=sent, hint_zh="put 放入元素后要 self.cond.notify_all()。", hint_en="After adding an item, put must self.cond.notify_all().")
    equal(got["get_value"], "late", "等待中的 get() 应返回 put 进来的元素。", "The waiting get() must return the item put.", sent=sent)
    # A capacity above 256, as the learner's code receives it at run time: len(...) is a new int object then, so a
    # "full" test written with `is` instead of >= (true only for CPython's cached small ints) never sees it full.
    big = learner.call("condition_blocking", 300)
    sent_big = "buf = BoundedBuffer(300); put(0) … put(299); 另一线程 / another thread: put('extra')"
    finished(big["fill"], sent_big, "put(0) … put(299)", "put(0) … put(299)")
    check(not big["put_returned_while_full"], "缓冲区满了（300 个）时，put('extra') 没有等待就返回了。",
          "put('extra') returned at once although the buffer was full (300 items).", sent=sent_big,
          hint_zh="比较数值用 >=（或 ==），不要用 is：只有 -5…256 的小整数才是同一个对象。",
          hint_en="Compare numbers with >= (or ==), never with is: only the small ints -5…256 are one shared object.")


def test_condition_rechecks_after_wakeup(learner):
    got = learner.call("condition_two_consumers")
    sent = "buf = BoundedBuffer(4); 两个线程 A、B 都在空缓冲区上 get() 等待；put('item-1')；再 put('item-2') / " \
           "threads A and B both wait in get() on the empty buffer; put('item-1'); then put('item-2')"
    finished(got["first_put"], sent, "put('item-1')", "put('item-1')")
    errors = [r["value"]["error"] for r in got["results"] if isinstance(r["value"], dict) and "error" in r["value"]]
    hint = dict(hint_zh="被唤醒的线程要重新检查条件：用 while not self.items: self.cond.wait()，不要用 if。"
                        "notify_all 会唤醒所有等待的线程，但只有一个能拿到这个元素。",
                hint_en="A woken thread must check again: while not self.items: self.cond.wait(), not if. notify_all "
                        "wakes every waiting thread but only one of them can have the item.")
    if errors:
        fail(f"一个元素唤醒了两个消费者，其中一个在空缓冲区上取元素，抛出了 {errors[0]['type']}: {errors[0]['message']}",
             f"One item woke both consumers and one of them took from the empty buffer: {errors[0]['type']}: "
             f"{errors[0]['message']}", sent=sent, details=errors[0]["traceback"], **hint)
    values = sorted(str(r["value"]) for r in got["results"])
    check(got["one_waiting"] or values == ["item-1", "item-2"],
          "第一个元素被取走后，另一个消费者应继续等待。", "After the first item was taken, the other consumer must keep waiting.",
          sent=sent, got=got["after_first"], **hint)
    equal(values, ["item-1", "item-2"], "两个消费者应各取到一个元素。", "Each consumer must get exactly one of the two items.",
          sent=sent, **hint)


def test_condition_many_producers_consumers(learner):
    got = learner.call("condition_many", 4, 150, 3, 3)
    sent = "BoundedBuffer(3)，4 个生产者各 put 150 个，3 个消费者不停 get / 4 producers put 150 items each, " \
           "3 consumers keep calling get (sys.setswitchinterval(1e-5))"
    for error in got["errors"]:
        raised(error, sent=sent)
    check(got["producers_done"] and got["consumers_done"], "生产者或消费者在 6 秒内没有结束（有线程一直在等待，没有被唤醒）。",
          "Producers or consumers did not finish within 6 s (some thread waited and was never woken).", sent=sent,
          hint_zh="put 和 get 改变缓冲区后都要 notify_all()。", hint_en="Both put and get must notify_all() after changing the buffer.")
    equal([got["count"], got["distinct"], got["expected"]], [600, 600, True],
          "每个元素都应被取出正好一次。", "Every item must come out exactly once.", sent=sent)


# -- 3. Event -------------------------------------------------------------------------------------
def event_sent(n):
    return f"go = start_on_signal({n} 个任务 / tasks)；等 0.3 秒 / wait 0.3 s；go()"


def event_started(got, sent):
    finished(got, sent, "start_on_signal(tasks)", "start_on_signal(tasks)",
             hint_zh="start_on_signal 只启动线程，不要 join：线程要等 go() 之后才会结束。",
             hint_en="start_on_signal only starts the threads, it must not join them: they end only after go().")
    check(got["go_callable"], "start_on_signal 应返回一个函数 go（例如 event.set）。",
          "start_on_signal must return a function go (e.g. event.set).", sent=sent)


def test_event_nothing_before_signal(learner):
    got = learner.call("event_start", 5, 0.3)
    sent = event_sent(5)
    event_started(got, sent)
    check(got["threads_before_go"] >= 5, "start_on_signal 返回时应已为每个任务启动一个线程。",
          "By the time start_on_signal returns, one thread per task must have been started.", sent=sent,
          expected=">= 5 个线程 / threads", got=got["threads_before_go"])
    equal(got["before"], 0, "还没调用 go()，就已经有任务运行了。", "Tasks ran before go() was called.", sent=sent,
          hint_zh="每个线程先 event.wait()（不带超时），再运行它的任务。", hint_en="Each thread first calls event.wait() (no timeout), then runs its task.")


def test_event_all_run_after_signal(learner):
    got = learner.call("event_start", 5, 0.0)
    sent = event_sent(5)
    event_started(got, sent)
    finished(got["go"], sent, "go()", "go()")
    hint = dict(hint_zh="所有线程等的是同一个 threading.Event；go() 调用它的 set()，一次唤醒全部线程。",
                hint_en="All threads wait on one and the same threading.Event; go() calls its set(), which wakes them all at once.")
    equal(got["tasks"], [0, 1, 2, 3, 4], "go() 之后每个任务应正好运行一次。", "After go(), every task must run exactly once.",
          sent=sent, **hint)
    check(got["threads"] == 5 and got["in_main"] == 0, "每个任务应在它自己的线程里运行。", "Every task must run in a thread of its own.",
          sent=sent, expected="5 个不同的线程 / distinct threads", got=f"{got['threads']} (main: {got['in_main']})")
    equal(got["broken"], 0, "go() 之后任务没有同时运行（有的任务 3 秒内都等不到其他任务）。",
          "After go() the tasks did not run at the same time (some waited 3 s for the others in vain).", sent=sent, **hint)
    equal(got["left_running"], 0, "任务完成后线程应结束。", "The threads must end once their task is done.", sent=sent)


# -- 4. Semaphore ---------------------------------------------------------------------------------
def semaphore_sent(n, k):
    return f"run_limited({n} 个任务 / tasks, k={k})；每个任务进入后等到 {k} 个同时在运行，再停留 0.15 秒 / " \
           f"each task, once in, waits until {k} run at once, then stays 0.15 s"


def semaphore_done(got, sent, n):
    finished(got, sent, "run_limited(...)", "run_limited(...)")
    equal(got["runs"], list(range(n)), "每个任务应正好运行一次。", "Every task must run exactly once.", sent=sent)


def test_semaphore_at_most_k(learner):
    got = shared(learner, "semaphore_run", 6, 3)
    sent = semaphore_sent(6, 3)
    semaphore_done(got, sent, 6)
    check(got["max"] <= 3, "同时运行的任务超过了 k 个。", "More than k tasks ran at the same time.", sent=sent,
          expected="<= 3", got=got["max"],
          hint_zh="每个线程在运行任务前后 with semaphore:（threading.Semaphore(k)）。",
          hint_en="Each thread runs its task inside with semaphore: (threading.Semaphore(k)).")


def test_semaphore_reaches_k(learner):
    got = shared(learner, "semaphore_run", 6, 3)
    sent = semaphore_sent(6, 3)
    semaphore_done(got, sent, 6)
    check(got["max"] >= 3 and not got["gave_up"], "任务没有真正并发：应有 k 个任务同时运行。",
          "The tasks did not really run concurrently: k of them must run at the same time.", sent=sent,
          expected=3, got=got["max"],
          hint_zh="先启动所有线程，再逐个 join；信号量的初始值是 k。",
          hint_en="Start every thread first, then join them; the semaphore starts at k.")
    equal(got["results"], [i * i for i in range(6)], "返回值应是按任务顺序排列的结果列表。",
          "The return value must be the list of results in task order.", sent=sent)
    equal(got["finished_at_return"], 6, "run_limited 返回时所有任务应已完成。", "When run_limited returns, every task must have finished.",
          sent=sent)


# -- 5. BoundedSemaphore --------------------------------------------------------------------------
def test_bounded_take_and_timeout(learner):
    got = learner.call("bounded_take", 2)
    sent = "s = Slots(2); s.take(timeout=1) × 2; s.take(timeout=0.15); 另一线程 / another thread: s.take(); s.give_back()"
    for i, take in enumerate(got["takes"]):
        finished(take, sent, "take(timeout=1)", "take(timeout=1)")
        equal(take["value"], True, f"第 {i + 1} 次 take 应成功（返回 True）。", f"take number {i + 1} must succeed (return True).",
              sent=sent)
    hint = dict(hint_zh="用关键字参数：self.sem.acquire(timeout=timeout)。acquire 的第一个参数是 blocking，"
                        "acquire(0.2) 会一直等下去。",
                hint_en="Pass it by keyword: self.sem.acquire(timeout=timeout). acquire's first parameter is blocking, "
                        "so acquire(0.2) waits for ever.")
    finished(got["extra"], sent, "take(timeout=0.15)", "take(timeout=0.15)", **hint)
    equal(got["extra"]["value"], False, "没有空位时 take(timeout=0.15) 应在约 0.15 秒后返回 False。",
          "With no free slot, take(timeout=0.15) must return False after about 0.15 s.", sent=sent, **hint)
    check(not got["took_while_empty"], "没有空位时，take() 没有等待就返回了。", "take() returned at once although no slot was free.",
          sent=sent)
    finished(got["give_back"], sent, "give_back()", "give_back()")
    check(got["woken"] and got["woken_result"] is True, "give_back() 之后，等待中的 take() 应被唤醒并返回 True。",
          "After give_back(), the waiting take() must wake up and return True.", sent=sent, got=got["woken_result"])


def test_bounded_over_release_raises(learner):
    got = learner.call("bounded_over_release", 2)
    sent = "s = Slots(2); s.give_back()（一个都没拿 / nothing taken）"
    hint = dict(hint_zh="用 threading.BoundedSemaphore(n)：release 次数超过 acquire 时它会抛出 ValueError。",
                hint_en="Use threading.BoundedSemaphore(n): it raises ValueError when released more often than acquired.")
    fresh = got["fresh"]
    check(fresh["done"] and fresh["error"] and fresh["error"]["type"] == "ValueError",
          "没有拿走任何空位就 give_back()，应抛出 ValueError。", "give_back() with nothing taken must raise ValueError.",
          sent=sent, expected="ValueError", got=fresh["error"] and fresh["error"]["type"] or f"返回了 / returned {fresh['value']!r}",
          **hint)
    sent = "s = Slots(2); s.give_back() → ValueError; take × 2; give_back × 2; give_back(); take(timeout=0.2) × 3"
    finished(got["cycle"], sent, "take × 2; give_back × 2", "take × 2; give_back × 2")
    equal(got["cycle"]["value"], [True, True, None, None], "正常拿两个、还两个应成功。", "Taking two slots and giving both back must work.",
          sent=sent)
    extra = got["extra"]
    check(extra["error"] and extra["error"]["type"] == "ValueError", "都还回去之后再 give_back()，应抛出 ValueError。",
          "give_back() after every slot came back must raise ValueError.", sent=sent, expected="ValueError",
          got=extra["error"] and extra["error"]["type"] or f"返回了 / returned {extra['value']!r}", **hint)
    finished(got["capacity"], sent, "take(timeout=0.2) × 3", "take(timeout=0.2) × 3")
    equal(got["capacity"]["value"], [True, True, False], "多还的空位不能让容量变大：最多只能拿到 2 个。",
          "Extra give_backs must not grow the pool: at most 2 slots can be taken.", sent=sent, **hint)


# -- 6. Timer -------------------------------------------------------------------------------------
TIMER_HINT = dict(hint_zh="trigger 里先取消还没触发的 self.timer（self.timer.cancel()），再 threading.Timer(delay, action, args) 并 start()。",
                  hint_en="In trigger, cancel the pending self.timer (self.timer.cancel()) first, then create "
                          "threading.Timer(delay, action, args) and start() it.")


def test_timer_fires_once_after_delay(learner):
    got = learner.call("timer_once", 0.25, 0.25)
    sent = "d = Debouncer(0.25, action); d.trigger('a', 1)"
    finished(got["trigger"], sent, "trigger('a', 1)", "trigger('a', 1)")
    check(got["trigger_seconds"] < 0.125, "trigger() 应立即返回，由 Timer 线程在 0.25 秒后调用 action。",
          "trigger() must return at once; a Timer thread calls action 0.25 s later.", sent=sent,
          expected="< 0.125 s", got=f"{got['trigger_seconds']} s", **TIMER_HINT)
    calls = got["calls"]
    check(got["fired"], "trigger 之后 action 没有被调用。", "action was never called after trigger.", sent=sent, **TIMER_HINT)
    equal([c["args"] for c in calls], [["a", 1]], "action 应被调用一次，参数是 trigger 的参数。",
          "action must be called once, with trigger's arguments.", sent=sent)
    check(calls[0]["at"] >= 0.22, "action 调用得太早：应在 trigger 之后约 0.25 秒。", "action was called too early: it is due 0.25 s after trigger.",
          sent=sent, expected=">= 0.22 s", got=f"{calls[0]['at']} s")
    check(not calls[0]["in_caller"], "action 应在 Timer 线程里运行，而不是在调用 trigger 的线程里。",
          "action must run in the Timer's thread, not in the thread that called trigger.", sent=sent)


def test_timer_restarts_on_trigger(learner):
    got = learner.call("timer_burst", 0.25, 5, 0.25)
    sent = "d = Debouncer(0.25, action); d.trigger(1); d.trigger(2); ... d.trigger(5)（连续调用 / in a row）"
    finished(got["burst"], sent, "trigger(1) … trigger(5)", "trigger(1) … trigger(5)")
    check(got["fired"], "连续 trigger 之后 action 一次也没有被调用。", "action was never called after the triggers.", sent=sent, **TIMER_HINT)
    equal([c["args"] for c in got["calls"]], [[5]], "连续多次 trigger 只应调用 action 一次，参数是最后一次 trigger 的。",
          "Several triggers in a row must call action once only, with the last trigger's arguments.", sent=sent, **TIMER_HINT)
    check(got["calls"][0]["at"] >= got["burst_seconds"] + 0.22, "action 应在最后一次 trigger 之后约 0.25 秒才调用。",
          "action is due about 0.25 s after the last trigger.", sent=sent,
          expected=f">= {got['burst_seconds'] + 0.22:.3f} s", got=f"{got['calls'][0]['at']} s")


def test_timer_cancel_never_fires(learner):
    got = learner.call("timer_cancel", 0.15, 0.3)
    sent = "d = Debouncer(0.15, action); d.trigger('x'); d.cancel(); 等 0.45 秒 / wait 0.45 s; d.trigger('y')"
    finished(got["trigger"], sent, "trigger('x')", "trigger('x')")
    finished(got["cancel"], sent, "cancel()", "cancel()")
    check(not got["fired"], "cancel() 之后 action 仍然被调用了。", "action was still called after cancel().", sent=sent,
          got=got["calls"], hint_zh="cancel 里要调用 self.timer.cancel()（别忘了括号）。",
          hint_en="cancel must call self.timer.cancel() (mind the parentheses).")
    equal(got["left_running"], 0, "cancel() 之后 Timer 线程应很快结束。", "After cancel(), the Timer's thread must end soon.", sent=sent)
    finished(got["again"], sent, "trigger('y')", "trigger('y')")
    check(got["fired_again"] and got["calls"] == [["y"]], "cancel 之后再 trigger('y')，action('y') 应照常被调用。",
          "trigger('y') after a cancel must call action('y') as usual.", sent=sent, expected=[["y"]], got=got["calls"])


# -- 7. Barrier -----------------------------------------------------------------------------------
def barrier_sent(n, rounds):
    return (f"in_lockstep({n}, {rounds}, step, round_done)；线程 {n - 1} 每步多花 0.06 秒，round_done 花 0.06 秒 / "
            f"thread {n - 1} takes 0.06 s longer per step, round_done takes 0.06 s")


@dataclass(frozen=True)
class BarrierEvent:
    """One entry of barrier_rounds' log, in the order it happened."""

    event: str  # "enter" / "exit" (step(worker, round)), "done" / "done-exit" (round_done(round))
    worker: int | None
    round: int


def barrier_log(got) -> list[BarrierEvent]:
    return [BarrierEvent(**e) for e in got["log"]]


def barrier_done(got, sent, n, rounds):
    finished(got, sent, "in_lockstep(...)", "in_lockstep(...)",
             hint_zh=f"用 threading.Barrier({n}, action=...)：参与的线程数要正好是 n，否则有线程永远等在栅栏上。",
             hint_en=f"Use threading.Barrier({n}, action=...): the number of parties must be exactly n, or some thread "
                     "waits at the barrier for ever.")
    steps = sorted((e.worker, e.round) for e in barrier_log(got) if e.event == "enter")
    equal(steps, sorted((i, r) for i in range(n) for r in range(rounds)), "每个线程应在每一轮正好调用一次 step(i, r)。",
          "Every thread must call step(i, r) exactly once per round.", sent=sent)


def test_barrier_lockstep(learner):
    n, rounds = 4, 2
    got = shared(learner, "barrier_rounds", n, rounds, n - 1, 0.06)
    sent = barrier_sent(n, rounds)
    if got.get("error"):
        raised(got["error"], sent=sent)
    log = barrier_log(got)
    for r in range(rounds - 1):  # first what the log shows, even if the call then blocked
        exits = [k for k, e in enumerate(log) if e.event == "exit" and e.round == r]
        if len(exits) < n:
            continue
        early = [e.worker for e in log[:exits[-1]] if e.event == "enter" and e.round == r + 1]
        check(not early, f"第 {r} 轮还没全部完成，就有线程开始了第 {r + 1} 轮。",
              f"A thread started round {r + 1} before every thread had finished round {r}.", sent=sent,
              got=f"线程 / threads {early} 提前进入第 {r + 1} 轮 / entered round {r + 1} early",
              hint_zh=f"每轮的 step 之后调用 barrier.wait()；Barrier 的参与数是 {n}。",
              hint_en=f"Call barrier.wait() after each round's step; the Barrier has {n} parties.")
    barrier_done(got, sent, n, rounds)
    check(all(v == 1 for v in got["threads_per_worker"].values()) and got["distinct_threads"] == n,
          "每个 i 的所有 step 应在同一个线程里运行，n 个线程互不相同。",
          "All steps of one i must run in one thread, and the n threads must be distinct.", sent=sent,
          got=got["threads_per_worker"])


def test_barrier_action_between_rounds(learner):
    n, rounds = 4, 2
    got = shared(learner, "barrier_rounds", n, rounds, n - 1, 0.06)
    sent = barrier_sent(n, rounds)
    barrier_done(got, sent, n, rounds)
    log = barrier_log(got)
    done = [e.round for e in log if e.event == "done"]
    hint = dict(hint_zh="把 round_done 作为 threading.Barrier(n, action=...) 的 action：它在最后一个线程到达后、"
                        "所有线程被放行之前运行一次。",
                hint_en="Make round_done the Barrier's action (threading.Barrier(n, action=...)): it runs once after the "
                        "last thread arrives and before any is released.")
    equal(done, list(range(rounds)), "round_done(r) 应每轮调用正好一次，r 依次是 0, 1, …。",
          "round_done(r) must be called exactly once per round, with r = 0, 1, … in turn.", sent=sent, **hint)
    for r in range(rounds):
        start = next(k for k, e in enumerate(log) if e.event == "done" and e.round == r)
        end = next(k for k, e in enumerate(log) if e.event == "done-exit" and e.round == r)
        unfinished = [e.worker for e in log[:start] if e.event == "enter" and e.round == r
                      and not any(x.event == "exit" and x.worker == e.worker and x.round == r for x in log[:start])]
        check(not unfinished, f"round_done({r}) 调用时，第 {r} 轮还有线程没做完。",
              f"round_done({r}) was called while round {r} was not finished.", sent=sent, got=f"threads {unfinished}", **hint)
        early = [e.worker for e in log[:end] if e.event == "enter" and e.round == r + 1]
        check(not early, f"round_done({r}) 还没运行完，就有线程开始了下一轮。",
              f"Threads started the next round before round_done({r}) had finished.", sent=sent,
              got=f"线程 / threads {early}", **hint)
