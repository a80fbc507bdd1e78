"""threads/basics: Thread with target/args/kwargs/name, a Thread subclass, current_thread,
enumerate, daemon threads, join."""
import pytest

from grader.feedback import check, equal, fail
from kit.calls import no_error

CALLS = [
    [["张三", 18], {}],
    [[], {"name": "李四", "age": 20}],
    [["王五"], {"age": 22}],
]
CALLS_SENT = ("run_in_threads(work, [((\"张三\", 18), {}), ((), {\"name\": \"李四\", \"age\": 20}), "
              "((\"王五\",), {\"age\": 22})])")
START_ALL_HINT = dict(hint_zh="先用一个循环 start() 所有线程，再用另一个循环 join() 它们。",
                      hint_en="Start all threads in one loop, then join them in a second loop.")


def run_calls(learner):
    got = learner.call("run_calls", CALLS)
    no_error(got, sent=CALLS_SENT)
    return got


def record_for(got, call):
    """The record of one call, told apart by its positional arguments (all different in CALLS)."""
    for record in got["records"]:
        if record["args"] == call[0]:
            return record
    return None


# -- run_in_threads: target, args, kwargs, name, start, join ----------------------------------

def test_run_passes_args_and_kwargs(learner):
    got = run_calls(learner)
    received = sorted([[r["args"], r["kwargs"]] for r in got["records"]], key=repr)
    equal(received, sorted(CALLS, key=repr),
          "work 收到的参数不对：每个 (args, kwargs) 应正好调用一次 work(*args, **kwargs)。",
          "work got the wrong arguments: call work(*args, **kwargs) exactly once per (args, kwargs) pair.",
          sent=CALLS_SENT, hint_zh="threading.Thread(target=func, args=args, kwargs=kwargs, name=...)。",
          hint_en="threading.Thread(target=func, args=args, kwargs=kwargs, name=...).")


def test_run_names_threads(learner):
    got = run_calls(learner)
    threads = []
    for call in CALLS:
        record = record_for(got, call)
        threads.append(record["thread"] if record else "(没有调用 / not called)")
    if any(record["in_main"] for record in got["records"]):
        fail("work 在主线程里运行了：要 start() 线程，而不是直接调用 run() 或 work()。",
             "work ran in the main thread: start() the threads instead of calling run() or work() directly.",
             sent=CALLS_SENT, got=threads)
    equal(threads, ["worker-1", "worker-2", "worker-3"],
          "第 i 个调用应在名为 worker-i 的线程里运行（i 从 1 开始）。",
          "Call number i must run in a thread named worker-i (i from 1).", sent=CALLS_SENT,
          hint_zh="创建线程时传 name=f\"worker-{i}\"。", hint_en="Pass name=f\"worker-{i}\" when creating each thread.")
    equal(got["value"], ["worker-1", "worker-2", "worker-3"], "run_in_threads 应按顺序返回这些线程的名字。",
          "run_in_threads must return the threads' names, in order.", sent=CALLS_SENT)


def test_run_starts_all_before_joining(learner):
    got = run_calls(learner)
    alone = [r["thread"] for r in got["records"] if not r["together"]]
    check(not alone and len(got["records"]) == len(CALLS),
          "3 个调用应同时在运行：每个 work 都等其他 work 也开始，但在 1.5 秒内没等到。",
          "The 3 calls must run at the same time: each work waits for the others to have started too, and some "
          "waited 1.5 s in vain.", sent=CALLS_SENT, expected="3 个线程同时运行 / 3 threads running at once",
          got=f"没等到其他线程的 / waited in vain: {alone}", **START_ALL_HINT)


def test_run_joins_all_threads(learner):
    got = run_calls(learner)
    unfinished = [r["thread"] for r in got["records"] if not r["finished_at_return"]]
    check(not unfinished and len(got["records"]) == len(CALLS),
          "run_in_threads 返回时还有线程没有结束：返回前要 join() 每一个线程。",
          "run_in_threads returned while some threads were still running: join() every thread before returning.",
          sent=CALLS_SENT, expected="返回时 3 个线程都已结束 / all 3 threads finished on return",
          got=f"还在运行 / still running: {unfinished}", **START_ALL_HINT)


# -- a Thread subclass -----------------------------------------------------------------------

def test_subclass_default_names(learner):
    got = learner.call("counter_threads", [[2, None], [1, None]])
    sent = "CounterThread(2).start(); join(); CounterThread(1).start(); join()（新进程里最早的两个线程 / the first two threads of a new process）"
    no_error(got, sent=sent)
    equal(got["lines"], ["Thread-1@0", "Thread-1@1", "Thread-2@0"],
          "不传 name 时线程用默认名字 Thread-N（N 从 1 开始），run() 打印 名字@i。",
          "Without a name the thread gets its default name Thread-N (N from 1); run() prints name@i.", sent=sent,
          hint_zh="在 __init__ 里调用 super().__init__(name=name)，run() 里用 self.name。",
          hint_en="Call super().__init__(name=name) in __init__ and use self.name in run().")
    check("MainThread" not in got["by_thread"], "这些行应由新线程打印（重写 run()，用 start() 启动），而不是主线程。",
          "These lines must be printed by the new threads (override run(), launched by start()), not the main thread.",
          sent=sent, got=got["by_thread"])


def test_subclass_custom_name(learner):
    got = learner.call("counter_threads", [[3, "sing"]])
    sent = "CounterThread(3, name=\"sing\").start(); join()"
    no_error(got, sent=sent)
    equal(got["by_thread"], {"sing": ["sing@0", "sing@1", "sing@2"]},
          "传了 name 时线程应叫这个名字，并在这个线程里打印 sing@0、sing@1、sing@2。",
          "Given a name, the thread must be called that, and print sing@0, sing@1, sing@2 from that thread.", sent=sent,
          hint_zh="super().__init__(name=name) 要用关键字参数：Thread 的第一个位置参数是 group。",
          hint_en="Pass name as a keyword: super().__init__(name=name); Thread's first positional parameter is group.")


# -- current_thread -------------------------------------------------------------------------

def test_sing_uses_current_thread(learner):
    got = learner.call("sing_everywhere", 2)
    sent = "sing(2) 在线程 sing_thread、dance_thread 里，然后在主线程里 / in threads sing_thread, dance_thread, then in the main thread"
    for error in got["errors"]:
        fail(f"sing 抛出了异常 {error['type']}: {error['message']}", f"sing raised {error['type']}: {error['message']}",
             sent=sent, details=error["traceback"])
    expected = {name: [f"thread_name : {name} 正在唱歌..."] * 2 for name in ("sing_thread", "dance_thread", "MainThread")}
    equal(got["by_thread"], expected, "每个线程应打印两行，行里是正在运行 sing 的那个线程的名字。",
          "Each thread must print two lines naming the thread that is running sing.", sent=sent,
          hint_zh="在 sing 里调用 threading.current_thread().name。", hint_en="Call threading.current_thread().name inside sing.")


# -- threading.enumerate ----------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 5])
def test_count_threads(learner, n):
    got = learner.call("count", n)
    sent = f"count_threads({n})；Event 的 set() 返回时，被它唤醒的线程已经结束 / when the Event's set() returns, the threads " \
           "it woke have already ended"
    no_error(got, sent=sent)
    equal(got["value"], [n + 1, 1],
          f"{n} 个线程都在运行时 len(threading.enumerate()) 是 {n + 1}（包括主线程），都 join 之后是 1。",
          f"While the {n} threads run, len(threading.enumerate()) is {n + 1} (the main thread counts); after joining "
          "them all it is 1.", sent=sent,
          hint_zh="线程在等 Event 的时候数一次；set() 之后 join() 全部，再数一次。",
          hint_en="Count while the threads wait on the Event; set() it, join() them all, then count again.")
    got = learner.call("count_joined", n)
    sent = f"count_threads({n})；Event 的 set() 唤醒的线程要等主线程 join() 才结束 / the threads the Event's set() woke end " \
           "only once the main thread join()s them"
    no_error(got, sent=sent)
    equal(got["value"], [n + 1, 1], f"set() 之后没有 join() 就数了第二次：被唤醒的 {n} 个线程还没有结束。",
          f"The second count was taken after set() without join(): the {n} woken threads had not ended yet.", sent=sent,
          hint_zh="set() 只是唤醒线程，不等它们结束：对每个线程 t.join()，再数第二次。",
          hint_en="set() only wakes the threads; it does not wait for them to end: t.join() every thread, then count again.")


# -- daemon threads ---------------------------------------------------------------------------

DAEMON_SENT = "start_daemon(task, 7, \"seven\")，task 会运行约 1.5 秒 / task runs for about 1.5 s"


def test_daemon_started(learner):
    got = learner.call("daemon_started")
    no_error(got, sent=DAEMON_SENT)
    check(got["is_thread"], "start_daemon 应返回它启动的 threading.Thread 对象。",
          "start_daemon must return the threading.Thread it started.", sent=DAEMON_SENT, got=got["type"])
    equal(got["calls"], [{"args": [7, "seven"], "in_main": False}], "task 应在新线程里被调用一次：task(7, \"seven\")。",
          "task must be called once, in the new thread, as task(7, \"seven\").", sent=DAEMON_SENT)
    check(got["elapsed"] < 1.0, "start_daemon 应启动线程后立刻返回，不要 join。",
          "start_daemon must return right after starting the thread: do not join it.", sent=DAEMON_SENT,
          expected="< 1 s", got=f"{got['elapsed']} s")
    equal(got["daemon"], True, "返回的线程应是守护线程（daemon=True）。", "The thread returned must be a daemon thread (daemon=True).",
          sent=DAEMON_SENT, hint_zh="threading.Thread(target=task, args=args, daemon=True)。",
          hint_en="threading.Thread(target=task, args=args, daemon=True).")
    equal(got["alive"], True, "start_daemon 返回时线程应还在运行。", "The thread must still be running when start_daemon returns.",
          sent=DAEMON_SENT)


def test_daemon_does_not_keep_process_alive(learner):
    got = learner.call("daemon_exit")
    sent = ("python -c \"import threading, basics; basics.start_daemon(threading.Event().wait); print('over')\"（task 永远等待 / "
            "task waits for ever）")
    if not got["exited"]:
        fail(f"主程序已经执行完了，但进程在 {got['waited']:g} 秒内没有退出：后台线程不是守护线程，进程会一直等它。",
             f"The main code was done, but the process did not exit within {got['waited']:g} s: the background thread "
             "is not a daemon, so the process keeps waiting for it.", sent=sent,
             expected="进程打印 over 后退出 / the process prints over and exits", got=f"stdout: {got['stdout']!r}",
             hint_zh="守护线程不会阻止进程退出：创建线程时传 daemon=True。",
             hint_en="A daemon thread does not keep the process alive: pass daemon=True when creating the thread.",
             details=got["stderr"] or None)
    equal([got["code"], got["stdout"].splitlines()], [0, ["over"]], "进程应打印 over，然后以退出码 0 结束。",
          "The process must print over, then exit with code 0.", sent=sent, details=got["stderr"] or None)
