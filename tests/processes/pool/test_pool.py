"""processes/pool: the bank-windows script, apply vs apply_async, callbacks, merging files.

Worker processes are counted from the OS (every fork is recorded inside the new process).
"n at a time" is shown by a barrier the first n tasks wait at, "one at a time" by the
tasks' own start/end times, so no verdict depends on how fast the machine is.
"""
import re
from dataclasses import dataclass

from grader.feedback import check, equal, fail
from kit.calls import no_error, raised

CUSTOMER = re.compile(r"^请(\d+)号客户到(\d+)窗口办理业务$")
GUARD_ZH = ("你忘了 if __name__ == '__main__':，你的代码会在每个新启动（spawn）的子进程里重新运行。"
            "模块被 import 时不能启动进程或打印：把 main() 的调用放到 if __name__ == \"__main__\": 下面。")
GUARD_EN = ("You forgot if __name__ == '__main__':, your code re-runs in every spawned child. Importing the module must "
            "not start processes or print: call main() under if __name__ == \"__main__\":.")
CLOSE_JOIN = dict(hint_zh="提交完所有任务后 pool.close()，再 pool.join()。",
                  hint_en="After submitting every task, pool.close(), then pool.join().")


# -- helpers ------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One run of the probe's task, as it reported itself (see gated in probe.py)."""

    index: int
    pid: int  # the worker process that ran it
    start: float  # time.monotonic() in the sandbox
    end: float
    together: bool | None  # one of the first n: met the others at the barrier (None: not one of them)


def tasks(got) -> list[Task]:
    return [Task(**t) for t in got["tasks"]]


def all_tasks_ran(got, count, sent):
    indexes = sorted(t.index for t in tasks(got))
    equal(indexes, list(range(count)), f"{count} 个任务应各运行一次。", f"Each of the {count} tasks must run once.", sent=sent,
          hint_zh="每个任务 apply_async 一次，最后 close() 再 join() 等它们全部完成。",
          hint_en="apply_async each task once, then close() and join() to wait until all are done.")


def n_at_a_time(got, windows, sent):
    """The first `windows` tasks met at the barrier, and no more than `windows` workers were used."""
    first = [t for t in tasks(got) if t.index < windows]
    alone = sorted(t.index for t in first if not t.together)
    check(len(first) == windows and not alone,
          f"Pool({windows}) 应能同时运行 {windows} 个任务：前 {windows} 个任务应同时在运行。",
          f"Pool({windows}) must run {windows} tasks at once: the first {windows} tasks must be running at the same time.",
          sent=sent, expected=f"{windows} 个任务同时运行 / {windows} tasks at once",
          got=f"等了 2 秒也没等到其他任务的任务 / tasks that waited 2 s for the others in vain: {alone}",
          hint_zh=f"用 Pool({windows}) 和 apply_async（非阻塞）提交；apply 会等每个任务做完才提交下一个。",
          hint_en=f"Use Pool({windows}) and submit with apply_async (non-blocking); apply waits for each task before the next.")
    pids = sorted({t.pid for t in tasks(got)})
    check(len(pids) <= windows and len(got["workers"]) <= windows,
          f"Pool({windows}) 最多只能有 {windows} 个工作进程。", f"Pool({windows}) may have at most {windows} worker processes.",
          sent=sent, expected=f"<= {windows}",
          got=f"运行任务的进程 / processes that ran tasks: {pids}；创建的进程 / processes made: {got['workers']}",
          hint_zh=f"进程池的大小就是窗口数：Pool({windows})。", hint_en=f"The pool's size is the number of windows: Pool({windows}).")


# -- the bank ------------------------------------------------------------------------------------
def test_bank_script_output(learner):
    got = learner.call("script")
    sent = "python pool_bank.py（作为程序运行 / run as a program：main() → bank(10, 3)）"
    no_error(got, "python pool_bank.py", sent=sent)
    lines = got["lines"]
    check(lines and lines[-1] == "暂停服务", "最后一行应是 暂停服务（所有客户都办理完之后才打印）。",
          "The last line must be 暂停服务 (printed once every customer has been served).", sent=sent,
          expected="... 暂停服务", got="\n".join(lines[-12:]) or "(没有输出 / nothing printed)", **CLOSE_JOIN)
    customers = [CUSTOMER.match(line) for line in lines[:-1]]
    bad = [line for line, m in zip(lines[:-1], customers, strict=True) if m is None]
    check(not bad, "除最后一行外，每行都应是 请<i>号客户到<窗口>窗口办理业务。",
          "Every line but the last must be 请<i>号客户到<window>窗口办理业务.", sent=sent,
          expected="请0号客户到25窗口办理业务", got=bad[:3])
    equal(sorted(int(m.group(1)) for m in customers), list(range(10)), "0 到 9 号客户应各办理一次。",
          "Customers 0 to 9 must each be served once.", sent=sent)
    windows = {pid % 100 for pid in got["workers"]}
    strange = sorted({int(m.group(2)) for m in customers} - windows)
    check(not strange, "窗口号应是办理业务的工作进程的 os.getpid() % 100。",
          "The window number must be os.getpid() % 100 of the worker process serving the customer.", sent=sent,
          expected=f"工作进程的 pid % 100 / workers' pid % 100 ∈ {sorted(windows)}", got=strange,
          hint_zh="在任务函数里（也就是工作进程里）调用 os.getpid()。", hint_en="Call os.getpid() inside the task (in the worker).")
    check(len(got["workers"]) == 3, "main() 调用 bank(10, 3)：进程池正好有 3 个工作进程（3 个窗口）。",
          "main() calls bank(10, 3): the pool has exactly 3 worker processes (3 windows).", sent=sent, expected="3",
          got=got["workers"], hint_zh="main() 里 bank(10, 3)；bank 里 Pool(windows)。",
          hint_en="bank(10, 3) in main(); Pool(windows) in bank.")
    one = learner.call("window_in_child", 7)
    sent = f"window(7)，在 pid 为 {one['pid']} 的进程里运行 / run in a process with pid {one['pid']}"
    equal(one["printed"], f"请7号客户到{(one['pid'] or 0) % 100}窗口办理业务\n",
          "window(i) 应打印 请<i>号客户到<窗口>窗口办理业务，窗口号是运行它的进程的 os.getpid() % 100。",
          "window(i) must print 请<i>号客户到<window>窗口办理业务, the window being os.getpid() % 100 of the process "
          "running it.", sent=sent, hint_zh="print(f\"请{i}号客户到{os.getpid() % 100}窗口办理业务\", flush=True)",
          hint_en="print(f\"请{i}号客户到{os.getpid() % 100}窗口办理业务\", flush=True)")


def test_main_guard(learner):
    got = learner.call("import_only")
    sent = "import pool_bank，然后 / then bank(2, 2, task)"
    error = got["import_error"]
    if error is not None and error["type"] == "ProcessAtImport":
        fail(GUARD_ZH, GUARD_EN, sent="import pool_bank", expected="不启动进程 / no process started",
             got="import 时就创建了进程 / a process was started during the import", details=error["traceback"])
    if error is not None:
        raised(error, "import pool_bank", sent="import pool_bank")
    check(not got["import_lines"], GUARD_ZH, GUARD_EN, sent="import pool_bank", expected="不打印 / nothing printed",
          got=" | ".join(got["import_lines"][:3]))
    no_error(got, "bank(2, 2, task)", sent=sent)
    all_tasks_ran(got, 2, sent)
    equal(got["lines"], ["暂停服务"], "bank 办理完所有客户后应打印 暂停服务。",
          "bank must print 暂停服务 once every customer has been served.", sent=sent)


def test_bank_n_at_a_time(learner):
    got = learner.call("bank", 7, 3)
    sent = "bank(7, 3, task)：task(i) 报告哪个进程、何时运行了它 / reports which process ran it, and when"
    no_error(got, "bank(7, 3, task)", sent=sent)
    all_tasks_ran(got, 7, sent)
    n_at_a_time(got, 3, sent)
    late = [t.index for t in tasks(got) if t.end > got["returned"]]
    check(not late, "bank 应等所有客户办理完（pool.close(); pool.join()）才打印 暂停服务 并返回。",
          "bank must wait until every customer has been served (pool.close(); pool.join()) before it prints 暂停服务 "
          "and returns.", sent=sent, got=f"bank 返回后才完成的任务 / tasks done after bank returned: {late}", **CLOSE_JOIN)
    equal(got["lines"], ["暂停服务"], "bank 自己只打印 暂停服务（客户的那行由任务打印）。",
          "bank itself prints only 暂停服务 (the task prints the customer's line).", sent=sent)


# -- apply / apply_async --------------------------------------------------------------------------
def test_apply_runs_one_at_a_time(learner):
    got = learner.call("run_blocking", 4, 2)
    sent = "run_blocking(task, [(0,), (1,), (2,), (3,)], 2)，task(i) 返回 / returns i * i"
    no_error(got, "run_blocking", sent=sent)
    all_tasks_ran(got, 4, sent)
    equal(got["value"], [0, 1, 4, 9], "run_blocking 应按顺序返回每个任务的结果。",
          "run_blocking must return each task's result, in order.", sent=sent)
    by_index = {t.index: t for t in tasks(got)}
    overlaps = [[i, i + 1] for i in range(3) if by_index[i + 1].start < by_index[i].end]
    together = sorted(t.index for t in tasks(got) if t.together)
    check(not overlaps and not together, "apply 是阻塞的：上一个任务完成、拿到结果之后，下一个任务才开始。",
          "apply blocks: each task starts only after the previous one finished and its result came back.", sent=sent,
          expected="任务一个接一个 / tasks one after another",
          got=f"同时运行的任务 / tasks that ran at the same time: {overlaps or together}",
          hint_zh="用 pool.apply(task, args)，不要用 apply_async。", hint_en="Use pool.apply(task, args), not apply_async.")


def test_apply_async_runs_n_at_a_time(learner):
    got = learner.call("run_async", 6, 3)
    sent = "run_async(task, [(0,), ..., (5,)], 3)，task(i) 返回 / returns i * i"
    no_error(got, "run_async", sent=sent)
    all_tasks_ran(got, 6, sent)
    n_at_a_time(got, 3, sent)
    equal(got["value"], [i * i for i in range(6)], "run_async 应按提交的顺序返回结果（不是完成的顺序）。",
          "run_async must return the results in the order submitted (not the order they finished).", sent=sent,
          hint_zh="保存 apply_async 返回的 AsyncResult，join 之后按顺序调用 .get()。",
          hint_en="Keep the AsyncResult objects apply_async returns and call .get() on them in order after join.")


def test_callback_runs_in_parent(learner):
    got = learner.call("run_async", 4, 2, True)
    sent = "run_async(task, [(0,), (1,), (2,), (3,)], 2, callback)，callback 报告它在哪个进程运行 / reports where it runs"
    no_error(got, "run_async(..., callback)", sent=sent)
    values = sorted(c["value"] for c in got["callbacks"])
    equal(values, [0, 1, 4, 9], "每个任务完成后，callback 应被调用一次，参数是这个任务的返回值。",
          "Once each task is done, callback must be called once with that task's return value.", sent=sent,
          hint_zh="pool.apply_async(task, args, callback=callback)。", hint_en="pool.apply_async(task, args, callback=callback).")
    where = sorted({c["pid"] for c in got["callbacks"]})
    equal(where, [got["me"]], "回调函数应在主进程（调用 run_async 的进程）里运行，而不是在工作进程里。",
          "The callback must run in the main process (the one calling run_async), not in a worker.", sent=sent)


def test_pool_closed_and_joined(learner):
    got = learner.call("pool_after_run", 3, 2)
    sent = "run_async(task, [(0,), (1,), (2,)], 2)，之后 / then pool.apply_async(abs, (-1,))"
    no_error(got, "run_async", sent=sent)
    check(got["pools_after"], "run_async 应创建一个 multiprocessing 进程池（Pool）。", "run_async must create a multiprocessing Pool.",
          sent=sent, got="没有创建 Pool / no Pool created")
    accepted = [p for p in got["pools_after"] if not p.startswith("ValueError")]
    check(not accepted, "run_async 返回后，它的进程池应已 close：再 apply_async 要抛出 ValueError。",
          "After run_async returned, its pool must be closed: another apply_async must raise ValueError.", sent=sent,
          expected="ValueError: Pool not running", got=got["pools_after"], **CLOSE_JOIN)
    left = {pid: s for pid, s in got["states"].items() if s != "gone"}
    check(not left, "run_async 返回时，进程池的工作进程应都已结束并被回收（pool.join()）。",
          "When run_async returns, the pool's worker processes must all have ended and been reaped (pool.join()).",
          sent=sent, got=f"未回收的工作进程 / workers not reaped: {left}", **CLOSE_JOIN)


# -- merge_files ----------------------------------------------------------------------------------
CONTENTS = ["aaaa 第一个文件\n" * 3, "bbbb 第二个文件 ✓\n" * 2, "cccc 第三个文件\n最后一行\n"]
OLD = "上次合并留下的旧内容\n"


def test_merge_content(learner):
    got = learner.call("merge", CONTENTS, OLD)
    sent = f"merge_files([\"a.txt\", \"b.txt\", \"c.txt\"], \"merged.txt\")，merged.txt 原有内容 / already holds {OLD!r}"
    no_error(got, "merge_files", sent=sent)
    a, b, c = CONTENTS
    allowed = {x + y + z for x, y, z in ((a, b, c), (a, c, b), (b, a, c), (b, c, a), (c, a, b), (c, b, a))}
    check(got["merged"] in allowed, "merged.txt 应正好是三个文件的内容各一份（完整、不重复），原有的内容要先清空。",
          "merged.txt must hold exactly the three files' contents, once each and whole; what it held before is "
          "cleared first.", sent=sent, expected=a + b + c + "（顺序可以不同 / in any order）", got=got["merged"],
          hint_zh="开始前用 open(out_path, \"w\") 清空输出文件；回调函数用 \"a\" 模式追加。",
          hint_en="Empty the output file first with open(out_path, \"w\"); the callback appends in \"a\" mode.")
    equal(got["pools"], [3], "merge_files(names, out_path) 没有给 windows 时，应用默认值 3：创建一个 Pool(3)。",
          "merge_files(names, out_path) without windows must use its default, 3: one Pool(3).", sent=sent,
          hint_zh="def merge_files(names, out_path, windows=3): ... Pool(windows)。",
          hint_en="def merge_files(names, out_path, windows=3): ... Pool(windows).")


def test_merge_appends_as_reads_finish(learner):
    order = [2, 0, 1]
    got = learner.call("merge_in_order", CONTENTS, order)
    sent = ("merge_files([\"a.txt\", \"b.txt\", \"c.txt\"], \"merged.txt\", 3)，三个文件的读取按 c、a、b 的顺序完成 / "
            "the reads finish in the order c, a, b")
    no_error(got, "merge_files", sent=sent)
    expected = ""
    for step, i in zip(got["steps"], order, strict=False):
        expected += CONTENTS[i]
        if not step["opened"]:
            fail(f"{step['file']} 一直没有被打开读取：三个文件应由 3 个工作进程同时读取。",
                 f"{step['file']} was never opened for reading: the 3 files must be read by 3 workers at the same time.",
                 sent=sent, hint_zh="Pool(windows)，每个文件 apply_async 一次。", hint_en="Pool(windows), one apply_async per file.")
        equal(step["merged"], expected,
              f"{step['file']} 读完后，它的内容应立即被回调函数追加到 merged.txt。",
              f"Once {step['file']} has been read, the callback must append its text to merged.txt at once.",
              sent=sent, hint_zh="apply_async(read_file, (name,), callback=写入函数)：回调在每个任务完成时立即在主进程里运行。",
              hint_en="apply_async(read_file, (name,), callback=writer): the callback runs in the main process as soon as "
                      "each task is done.")
    equal(got["merged"], "".join(CONTENTS[i] for i in order), "merged.txt 的内容应按读取完成的顺序排列。",
          "merged.txt must hold the texts in the order the reads finished.", sent=sent)
