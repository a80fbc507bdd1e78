"""processes/process: multiprocessing.Process with target/args/kwargs, a subclass, terminate,
daemon, and globals that are not shared.

The probe hands the learner's code targets of its own that report (through a pipe) which
process ran them, with which arguments and under which name; every fork is recorded from
inside the new process; exit codes come from multiprocessing, which reads them from the OS.
"""
import signal

from grader.feedback import check, equal, fail
from kit.calls import no_error
from kit.processes import children

THREE = [["张三", 18], ["李四", 20], ["赵六", 22]]
THREE_SENT = ("start_three(show_info)，show_info(name, age) 报告谁运行了它 / reports who ran it；"
              "三个进程都在运行时才继续 / goes on once all three are running")


def not_ended(got):
    return {pid: s for pid, s in got["states"].items() if s != "gone"}


# -- start_three -------------------------------------------------------------------------------
def test_start_three_args_and_kwargs(learner):
    got = learner.call("start_three")
    no_error(got, "start_three(show_info)", sent=THREE_SENT)
    calls = sorted([c["name"], c["age"]] for c in got["calls"])
    equal(calls, sorted(THREE), "show_info 应被调用 3 次，参数分别是 (\"张三\", 18)、name=\"李四\", age=20、(\"赵六\",) 加 age=22。",
          "show_info must be called 3 times, with (\"张三\", 18), name=\"李四\", age=20 and (\"赵六\",) plus age=22.",
          sent=THREE_SENT, hint_zh="args 是元组：只有一个元素时要写逗号 (\"赵六\",)；kwargs 是字典。",
          hint_en="args is a tuple: with one element it needs the comma, (\"赵六\",); kwargs is a dict.")
    pids = [c["pid"] for c in got["calls"]]
    check(len(set(pids)) == 3 and all(c["ppid"] == got["me"] for c in got["calls"]) and set(pids) <= set(children(got)),
          "3 次调用应分别在 3 个不同的子进程里运行（由调用者创建）。",
          "The 3 calls must run in 3 different child processes (made by the caller).", sent=THREE_SENT,
          expected=f"3 个不同的 pid，ppid 都是 / 3 different pids, each with ppid {got['me']}",
          got=[[c["pid"], c["ppid"]] for c in got["calls"]],
          hint_zh="每个调用一个 Process(target=...)，用 start() 启动（不要直接调用 target 或 run()）。",
          hint_en="One Process(target=...) per call, started with start() (do not call the target or run() yourself).")


def test_start_three_default_names(learner):
    got = learner.call("start_three")
    no_error(got, "start_three(show_info)", sent=THREE_SENT)
    names = ["Process-1", "Process-2", "Process-3"]
    equal(got["value"], names, "start_three 应返回三个进程的名字：没有指定 name 时默认是 Process-N，N 从 1 开始。",
          "start_three must return the three processes' names: without a name they are Process-N, N counting from 1.",
          sent=THREE_SENT, hint_zh="返回 [p.name for p in 进程列表]，创建时不要传 name。",
          hint_en="Return [p.name for p in processes]; do not pass name when creating them.")
    by_args = {c["name"]: c["process_name"] for c in got["calls"]}
    equal([by_args.get(n) for n, _ in THREE], names,
          "在子进程里，multiprocessing.current_process().name 应是按创建顺序的 Process-1、Process-2、Process-3。",
          "In the children, multiprocessing.current_process().name must be Process-1, Process-2, Process-3 in the order "
          "they were created.", sent=THREE_SENT)


def test_start_three_run_together(learner):
    got = learner.call("start_three")
    no_error(got, "start_three(show_info)", sent=THREE_SENT)
    alone = [[c["name"], c["pid"]] for c in got["calls"] if not c["together"]]
    check(len(got["calls"]) == 3 and not alone, "三个进程应同时运行：先把三个都 start()，再逐个 join()。",
          "The three processes must run at the same time: start() all three first, then join() each.",
          sent=THREE_SENT, expected="3 个进程同时在运行 / 3 processes running at once",
          got=f"等了 2 秒也没等到另外两个的进程 / processes that waited 2 s for the other two in vain: {alone}",
          hint_zh="start() 之后紧接着 join() 会等这个进程结束才启动下一个，进程就一个一个地运行了。",
          hint_en="join() right after start() waits for that process to end before the next one starts: one at a time.")


def test_start_three_waits_for_them(learner):
    got = learner.call("start_three")
    no_error(got, "start_three(show_info)", sent=THREE_SENT)
    left = not_ended(got)
    check(len(children(got)) == 3 and not left, "start_three 返回时，三个子进程都应已结束并被回收（join）。",
          "When start_three returns, the three children must have ended and been reaped (join).", sent=THREE_SENT,
          expected="全部结束 / all ended", got=f"子进程 / children {children(got)}，未回收 / not reaped {left}",
          hint_zh="返回之前对每个进程调用 join()。", hint_en="Call join() on every process before returning.")


# -- MyProcess ---------------------------------------------------------------------------------
def test_subclass_runs_in_child(learner):
    got = learner.call("my_process", 3, "计数器")
    sent = "p = MyProcess(3, name=\"计数器\"); p.start(); p.join()"
    no_error(got, "MyProcess(3, name=\"计数器\")", sent=sent)
    info = got["value"]
    kids = children(got)
    check(len(kids) == 1 and info["pid"] == kids[0] and info["exitcode"] == 0,
          "p.start() 应创建一个子进程，在子进程里运行 run()，正常结束（exitcode 0）。",
          "p.start() must make one child process that runs run() and ends normally (exitcode 0).", sent=sent,
          expected="1 个子进程，exitcode 0 / 1 child, exitcode 0",
          got=f"子进程 / children {kids}，p.pid {info['pid']}，p.exitcode {info['exitcode']}",
          hint_zh="继承 Process，重写 run()（不是 start()）；__init__ 里先调用 super().__init__(name=name)。",
          hint_en="Subclass Process and override run() (not start()); call super().__init__(name=name) first in __init__.")
    equal(got["lines"], ["计数器: 1", "计数器: 2", "计数器: 3"], "run() 应打印 n 行 <进程名>: i（i 从 1 到 n）。",
          "run() must print n lines <process name>: i (i from 1 to n).", sent=sent)


def test_subclass_default_name(learner):
    got = learner.call("my_process", 2, None)
    sent = "p = MyProcess(2); p.start(); p.join()"
    no_error(got, "MyProcess(2)", sent=sent)
    equal([got["value"]["name"], got["lines"]], ["MyProcess-1", ["MyProcess-1: 1", "MyProcess-1: 2"]],
          "没有给 name 时，子类的进程默认名字是 <类名>-N，例如 MyProcess-1。",
          "Without a name, a subclass's process gets the default name <class name>-N, e.g. MyProcess-1.", sent=sent,
          hint_zh="name=None 时把 None 原样传给 super().__init__(name=name)，不要自己设置 self.name。",
          hint_en="With name=None pass None on to super().__init__(name=name); do not set self.name yourself.")


# -- stop_forever -----------------------------------------------------------------------------
def test_terminate_exitcode(learner):
    got = learner.call("stop_forever")
    sent = "stop_forever(forever)，forever() 一直运行 / runs for ever"
    no_error(got, "stop_forever(forever)", sent=sent)
    value = got["value"]
    equal(value, [True, False, -signal.SIGTERM],
          "应返回 (start 之后 is_alive(), terminate 并 join 之后 is_alive(), exitcode)；被 SIGTERM 终止的进程 exitcode 是 -15。",
          "Must return (is_alive() after start, is_alive() after terminate and join, exitcode); a process ended by SIGTERM "
          "has exitcode -15.", sent=sent,
          hint_zh="terminate() 只是发出 SIGTERM：之后要 join() 等它真正结束，exitcode 才有值。",
          hint_en="terminate() only sends SIGTERM: join() afterwards to wait until it has really ended; only then is "
                  "exitcode set.")
    left = not_ended(got)
    check(not left, "stop_forever 返回时子进程应已结束并被回收。", "When stop_forever returns, the child must have ended and been reaped.",
          sent=sent, got=f"未回收 / not reaped {left}")


# -- start_daemon -----------------------------------------------------------------------------
def test_daemon_dies_with_parent(learner):
    got = learner.call("start_daemon")
    sent = "一个主程序调用 start_daemon(forever) 后正常结束；forever() 一直运行 / a main program calls start_daemon(forever) and ends"
    if not got["pids"]:
        fail("主程序没能调用 start_daemon(forever) 得到子进程的 pid。", "The main program could not get a pid from start_daemon(forever).",
             sent=sent, got=got["stdout"] or "(没有输出 / no output)", details=got["stderr"] or None)
    check(got["exited"], "守护进程不应拖住主程序：主程序的代码执行完后应立即结束。",
          "A daemon child must not keep the main program alive: the program must end once its code is done.",
          sent=sent, expected="主程序结束 / the program ends", got="3 秒后主程序还在等子进程 / after 3 s it still waits for its child",
          hint_zh="在 start() 之前设置 p.daemon = True（或 Process(..., daemon=True)）。非守护子进程会让主进程一直等它结束。",
          hint_en="Set p.daemon = True before start() (or Process(..., daemon=True)). A non-daemon child makes the main "
                  "process wait for it to end.")
    check(not got["survivors"], "主程序结束时，守护子进程应随之被终止。", "When the main program ends, its daemon child must end with it.",
          sent=sent, expected="没有进程留下 / nothing left", got=f"还在运行 / still running: {got['survivors']}")


# -- append_in_child ----------------------------------------------------------------------------
def test_child_list_is_its_own(learner):
    items = ["苹果", 2, "香蕉"]
    got = learner.call("append_in_child", items)
    sent = f"append_in_child({items!r})"
    no_error(got, sent, sent=sent)
    check(len(children(got)) == 1, "append_in_child 应创建一个子进程。", "append_in_child must make one child process.",
          sent=sent, expected=1, got=len(children(got)),
          hint_zh="用 Process(target=add, args=(items,)) 并 start()，不要直接调用 add 或 run()。",
          hint_en="Use Process(target=add, args=(items,)) and start(); do not call add or run() yourself.")
    equal(got["lines"], [f"子进程lst：{items}", "主进程lst：[]"],
          "子进程往自己的 lst 里添加并打印；主进程等它结束后打印自己的 lst——仍是空的。",
          "The child appends to its own lst and prints it; the main process, after the child ended, prints its own lst, "
          "still empty.", sent=sent, hint_zh="进程之间不共享全局变量：子进程改的是自己的那份。",
          hint_en="Processes do not share globals: the child changes its own copy.")
    check(got["value"] == [] and got["lst_after"] == [], "主进程的 lst 应仍是空的，append_in_child 返回它。",
          "The main process's lst must still be empty; append_in_child returns it.", sent=sent,
          expected="[]", got=f"返回 / returned {got['value']!r}，process_basics.lst == {got['lst_after']!r}")
