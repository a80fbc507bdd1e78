"""threads/race: a shared counter updated by many threads, protected by one mutex.

Every check runs under forced thread switching (see probe.py), so an unprotected
read-modify-write loses updates on every run, and a correct one never does. The counter is
kept here, on the suite's side (``SharedCounter``): the learner's threads reach it through a
proxy, so its record of reads, writes and overlaps is out of the learner code's reach.
"""
import pytest

from grader.feedback import check, equal, fail
from kit.calls import no_error

TIMES = 100
LOCK_HINT = dict(
    hint_zh="在 add 的循环里：mutex.acquire()；value = counter.read()；counter.write(value + 1)；mutex.release()。"
            "读和写回都要在同一次加锁里，锁要用模块里的同一个 mutex（不要在函数里新建锁）。",
    hint_en="Inside add's loop: mutex.acquire(); value = counter.read(); counter.write(value + 1); mutex.release(). "
            "Both the read and the write back go inside one locked section, using the module's one mutex (do not "
            "create a new lock inside the function).",
)


class SharedCounter:
    """The counter the learner's threads update. It notes every overlap of two read-modify-
    write windows: a thread read and has not written back when another thread reads."""

    REMOTE = ("read", "write", "returned")

    def __init__(self):
        self.value = 0
        self.open = {}  # thread -> (its name, the value it read and has not written back yet)
        self.reads = self.writes = self.overlaps = self.main_writes = 0
        self.first_overlap = None
        self.at_return = None
        self.readers = []  # the worker thread of every read, in order

    def read(self, caller):
        if caller.thread == "MainThread":  # run_threads' final read
            return self.value
        others = [(name, seen) for key, (name, seen) in self.open.items() if key != caller.key]
        if others:
            self.overlaps += 1
            if self.first_overlap is None:
                self.first_overlap = [others[0][0], others[0][1], caller.thread, self.value]
        self.open[caller.key] = (caller.thread, self.value)
        self.reads += 1
        self.readers.append(caller.key)
        return self.value

    def write(self, caller, value):
        self.open.pop(caller.key, None)
        self.value = value
        self.writes += 1
        self.main_writes += caller.thread == "MainThread"

    def returned(self, caller):
        if self.at_return is None:
            self.at_return = self.value

    def record(self) -> dict:
        return {"final": self.value if self.at_return is None else self.at_return, "reads": self.reads,
                "writes": self.writes, "overlaps": self.overlaps, "first_overlap": self.first_overlap,
                "main_writes": self.main_writes, "interleaved": self.interleaved()}

    def interleaved(self) -> bool:
        """Whether some thread read again after another thread had read in between: the
        threads' additions were mixed, not each thread's done in one stretch."""
        stretches = sum(1 for i, key in enumerate(self.readers) if i == 0 or key != self.readers[i - 1])
        return stretches > len(set(self.readers))


def race(learner, function, threads, times, *more):
    """The probe function's result, with the counter's record (ours) laid over it."""
    counter = SharedCounter()
    learner.serve(counter=counter)
    got = learner.call(function, threads, times, *more)
    return {**got, **counter.record()}


def sent_run(threads, times=TIMES):
    return (f"run_threads(counter, {threads}, {times})，强制频繁切换线程 / with forced thread switching "
            "(sys.setswitchinterval(1e-6))")


def overlap_text(got) -> str:
    if not got["first_overlap"]:
        return ""
    first, seen, second, value = got["first_overlap"]
    return (f"例如：线程 {first} 读到 {seen}、还没写回时，线程 {second} 又读到了 {value}。\n"
            f"For example: thread {first} read {seen} and, before it wrote back, thread {second} read {value}.")


def check_total(got, threads, sent, times=TIMES, returned=True):
    no_error(got, sent=sent)
    expected = threads * times
    lost = expected - got["final"]
    if returned and got["value"] != expected and got["alive"]:
        fail("run_threads 在线程结束之前就返回了：要先 join() 所有线程，再读总数。",
             "run_threads returned before its threads ended: join() every thread, then read the total.", sent=sent,
             expected=expected, got=f"返回了 / returned {got['value']!r}，还有 {got['alive']} 个线程在运行 / "
                                    f"{got['alive']} threads still running",
             hint_zh="先用一个循环 start() 所有线程，再用一个循环 join() 它们，最后 return counter.read()。",
             hint_en="Start all threads in one loop, join them in a second loop, then return counter.read().")
    check(got["main_writes"] == 0, "主线程写了计数器：总数必须来自各线程的加法，而不是直接写进去。",
          "The main thread wrote the counter: the total must come from the threads' additions, not be written in.",
          sent=sent, got=f"主线程写了 {got['main_writes']} 次 / the main thread wrote {got['main_writes']} times")
    check(lost == 0, f"{threads} 个线程各加 {times} 次，总数应是 {expected}，却丢失了 {lost} 次加法：读和写回之间被别的线程插入了。",
          f"{threads} threads adding {times} times each must give {expected}, but {lost} additions were lost: another "
          "thread got in between a read and its write back.", sent=sent, expected=expected, got=got["final"],
          details=overlap_text(got) or None, **LOCK_HINT)
    if returned:
        equal(got["value"], expected, "run_threads 应返回最后的总数 counter.read()。",
              "run_threads must return the final total, counter.read().", sent=sent)


def test_total_two_threads(learner):
    got = race(learner, "run", 2, TIMES)
    check_total(got, 2, sent_run(2))


@pytest.mark.parametrize("threads", [4, 8])
def test_total_many_threads(learner, threads):
    got = race(learner, "run", threads, TIMES)
    check_total(got, threads, sent_run(threads))


def test_updates_never_interleave(learner):
    got = race(learner, "run", 4, TIMES)
    sent = sent_run(4)
    no_error(got, sent=sent)
    check(got["overlaps"] == 0,
          f"有 {got['overlaps']} 次，一个线程读了计数器、还没写回，另一个线程就也读了它：读-改-写没有被互斥锁完整地保护。",
          f"{got['overlaps']} times, a thread read the counter and, before it wrote back, another thread read it too: "
          "the read-modify-write is not protected by the mutex from start to end.", sent=sent,
          expected="0 次重叠 / no overlap", got=f"{got['overlaps']} 次重叠 / overlaps", details=overlap_text(got) or None,
          **LOCK_HINT)


def test_uses_separate_threads(learner):
    got = race(learner, "run", 3, 50, True)
    sent = sent_run(3, 50) + "；每个线程第一次 mutex.release() 时，等其他线程也都拿到过一次 mutex（最多 1 秒） / at its first " \
                              "mutex.release(), each thread waits (up to 1 s) until every other thread has held the mutex once"
    no_error(got, sent=sent)
    check(got["main_writes"] == 0, "add 在主线程里运行了：要为每个 add 创建并 start() 一个线程。",
          "add ran in the main thread: create and start() one thread per add.", sent=sent,
          got=f"主线程写了 {got['main_writes']} 次 / the main thread wrote {got['main_writes']} times")
    equal(got["threads"], 3, "应有 3 个不同的线程在调用 add。", "3 different threads must be running add.", sent=sent)
    check(not got["gate_timed_out"], "3 个线程应同时运行：第一个线程等了 1 秒，其余线程还没有启动。",
          "The 3 threads must run at the same time: the first one waited 1 s and the others had not been started.",
          sent=sent, hint_zh="先 start() 所有线程，再 join() 它们；不要启动一个就 join 一个。",
          hint_en="Start all threads, then join them; do not join each one right after starting it.")
    check_total(got, 3, sent, times=50)
    if got["mutex_holders"] == 3:  # all three took the module's mutex: the turns were offered to them
        check(got["interleaved"], "3 个线程没有同时运行 add：每个线程从第一次加法到最后一次都是一口气做完的，其他线程只能等着。",
              "The 3 threads did not run add at the same time: each thread did all of its additions in one stretch "
              "while the others waited.", sent=sent, expected="各线程的加法交替进行 / the threads' additions interleave",
              got="每个线程的加法连成一段 / each thread's additions in one stretch",
              hint_zh="mutex 只锁住 add 里的每一次“读出 + 写回”，不要在 run_threads 里锁住整个 add 调用。",
              hint_en="Lock the mutex around each read + write back inside add, not around the whole add() call in "
                      "run_threads.")


def test_add_is_thread_safe(learner):
    got = race(learner, "add_alone", 4, TIMES)
    sent = (f"评分程序自己启动 4 个线程，每个调用 add(counter, {TIMES}) / the grader starts 4 threads of its own, each "
            f"calling add(counter, {TIMES})")
    no_error(got, sent=sent)
    check_total(got, 4, sent, returned=False)
    check(got["overlaps"] == 0, "add 的读-改-写在多个线程里重叠了：锁必须在 add 里面。",
          "add's read-modify-writes overlapped across threads: the lock belongs inside add.", sent=sent,
          details=overlap_text(got) or None, **LOCK_HINT)
