"""processes/fork: os.fork, getpid/getppid, a child's own globals, 2**n processes, os.wait.

The probe records every fork from inside the new process (pid and ppid as the OS sees
them) and captures what every process prints, so the checks compare the learner's lines
and return values with the real process tree, and look for zombies afterwards.
"""
import random

import pytest

from grader.feedback import check, equal, fail
from kit.calls import no_error
from kit.processes import children, none_escaped

SEED = 2026  # change_global's starting value comes from this seed (shown in its messages)
EXIT_HINT = dict(hint_zh="子进程做完自己的事后用 os._exit(0) 结束，不要让它从函数里返回。",
                 hint_en="End the child with os._exit(0) once it has done its part; never let it return from the function.")
WAIT_HINT = dict(hint_zh="父进程要调用 os.wait() 回收子进程；不回收，子进程结束后就成了僵尸进程。",
                 hint_en="The parent must call os.wait() to reap the child; a child nobody reaps stays a zombie after it ends.")


# -- helpers ------------------------------------------------------------------------
def learner_ok(got, sent, what=None):
    """The learner's function raised, or one of its children came back out of it (returning, or
    unwinding through the caller's code with an exception such as sys.exit()'s SystemExit)."""
    what = what or sent
    no_error(got, what, sent=sent)
    none_escaped(got, what, sent=sent, **EXIT_HINT)
    unwound = sorted(set(got.get("unwound") or []))
    check(not unwound, f"{what} 创建的进程（pid {unwound}）没有在函数里面用 os._exit() 结束，而是带着 SystemExit 异常离开了函数："
          "调用者的 finally 代码块在子进程里也执行了一遍。",
          f"A process made by {what} (pid {unwound}) did not end inside the function with os._exit(): it left the "
          "function with a SystemExit exception, and the caller's finally blocks ran in the child too.",
          sent=f"{sent}（调用者把它放在 try/finally 里 / called inside the caller's try/finally）",
          expected="子进程在函数里用 os._exit() 结束 / the child ends inside the function with os._exit()",
          got=f"finally 在子进程 {unwound} 里执行了 / the finally ran in child pid {unwound}",
          hint_zh="sys.exit() 只是抛出 SystemExit 异常，它会穿过调用者的代码（执行 finally、with 的退出），"
                  "fork 之前缓冲的输出也可能再打印一次；子进程要用 os._exit(0) 立即结束。",
          hint_en="sys.exit() only raises SystemExit, which unwinds through the caller's code (its finally blocks and with "
                  "exits run), and output buffered before the fork may be printed again; end the child at once with os._exit(0).")


def one_child(got, sent):
    """The single child the function must have forked, as the OS saw it."""
    kids = children(got)
    if len(got["forks"]) != 1 or len(kids) != 1:
        fail(f"{sent} 应只调用一次 os.fork()（正好创建 1 个子进程）。", f"{sent} must call os.fork() once (make exactly 1 child).",
             sent=sent, expected="1 个子进程 / 1 child", got=f"{len(got['forks'])} 个 / forks: {got['forks']} (pid, ppid)")
    return kids[0]


def printed(got):
    return "\n".join(got["lines"]) or "(没有输出 / nothing printed)"


def left_behind(got, sent, **hint):
    """Every process the call forked must have ended and been reaped by the time it returned."""
    zombies = [pid for pid, s in got["states"].items() if s == "zombie"]
    running = [pid for pid, s in got["states"].items() if s == "running"]
    check(not zombies, f"{sent} 返回后，它创建的进程中有 {len(zombies)} 个成了僵尸进程（结束了但没有被回收）。",
          f"After {sent} returned, {len(zombies)} of the processes it made are zombies (ended but never reaped).",
          sent=sent, expected="没有僵尸进程 / no zombie", got=f"zombie pids {zombies}", **hint)
    check(not running, f"{sent} 返回后，它创建的进程中有 {len(running)} 个还在运行。",
          f"After {sent} returned, {len(running)} of the processes it made are still running.",
          sent=sent, expected="全部结束并被回收 / all ended and reaped", got=f"running pids {running}", **WAIT_HINT)


def exited_zero(got, sent, pids):
    """Every one of ``pids`` (processes the call forked) ended with os._exit(0)."""
    exits = dict(got["exits"])
    wrong = {pid: exits.get(pid, "没有调用 os._exit / no os._exit call") for pid in pids if exits.get(pid) != 0}
    check(not wrong, f"{sent} 创建的进程做完自己的事后应以 os._exit(0) 结束（退出码 0）。",
          f"The processes {sent} makes must end with os._exit(0) (exit code 0) once they have done their part.",
          sent=sent, expected="退出码 / exit code 0", got=f"pid: 退出码 / exit code {wrong}",
          hint_zh="os._exit(0)：0 表示正常结束；非 0 的退出码表示出错。",
          hint_en="os._exit(0): 0 means a normal end; a non-zero exit code means failure.")


# -- show_pids --------------------------------------------------------------------------
def test_show_pids_prints_real_pids(learner):
    got = learner.call("show_pids")
    sent = "show_pids()"
    learner_ok(got, sent)
    child, parent = one_child(got, sent), got["me"]
    expected = [f"子进程的pid: {child}", f"子进程的ppid: {parent}", f"父进程的pid: {parent}"]
    equal(got["lines"], expected,
          "打印的内容或顺序不对：子进程打印自己的 pid 和 ppid，父进程等子进程结束后再打印自己的 pid。",
          "Wrong lines or order: the child prints its pid and ppid, the parent prints its own pid after the child ended.",
          sent=f"{sent}（调用者 pid / caller's pid {parent}，子进程 pid / child's pid {child}）",
          hint_zh="子进程用 os.getpid() 和 os.getppid()；父进程先 os.wait()，再 print。",
          hint_en="The child uses os.getpid() and os.getppid(); the parent calls os.wait() first, then prints.")


def test_show_pids_returns_child_pid(learner):
    got = learner.call("show_pids")
    sent = "show_pids()"
    learner_ok(got, sent)
    child = one_child(got, sent)
    equal(got["value"], child, "show_pids() 应返回子进程的 pid（父进程里 os.fork() 的返回值）。",
          "show_pids() must return the child's pid (what os.fork() returned in the parent).", sent=sent)


def test_show_pids_reaps_child(learner):
    got = learner.call("show_pids")
    sent = "show_pids()"
    learner_ok(got, sent)
    child = one_child(got, sent)
    left_behind(got, sent, **WAIT_HINT)
    exited_zero(got, sent, [child])


# -- change_global ------------------------------------------------------------------------
def test_child_changes_only_its_own_global(learner):
    start = random.Random(SEED).randint(20, 99)
    got = learner.call("change_global", start)
    sent = f"fork_basics.num = {start}; change_global()（随机种子 / seed {SEED}）"
    learner_ok(got, sent, "change_global()")
    child = one_child(got, sent)
    exited_zero(got, sent, [child])
    equal(got["lines"], [f"子进程num = {start + 1}", f"父进程num = {start}"],
          "子进程把全局变量 num 加 1 后打印；父进程等子进程结束后打印自己的 num，它没有变。",
          "The child adds 1 to the global num and prints it; the parent, after the child ended, prints its own num, "
          "which has not changed.", sent=sent,
          hint_zh="fork 之后父子进程各有一份全局变量；子进程里用 global num。",
          hint_en="After fork, parent and child each have their own copy of the globals; use global num in the child.")
    check(got["value"] == start and got["num_after"] == start, "父进程的 num 不应被子进程改变，change_global() 应返回它。",
          "The child must not change the parent's num; change_global() returns it.", sent=sent,
          expected=f"返回 / returns {start}，之后 / afterwards fork_basics.num == {start}",
          got=f"返回 / returns {got['value']!r}，之后 / afterwards fork_basics.num == {got['num_after']!r}")


# -- count_processes ----------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3])
def test_n_forks_make_2_to_the_n_processes(learner, n):
    got = learner.call("count_processes", n)
    sent = f"count_processes({n})"
    learner_ok(got, sent)
    known = {got["me"]} | {pid for pid, _ in got["forks"]}
    strangers = [[pid, ppid] for pid, ppid in got["forks"] if ppid not in known]
    check(len(got["forks"]) == 2 ** n - 1 and not strangers,
          f"连续 {n} 次 os.fork() 应创建 {2 ** n - 1} 个新进程（加上原来的共 {2 ** n} 个），每个新进程的父进程都是其中之一。",
          f"{n} successive os.fork() calls must make {2 ** n - 1} new processes ({2 ** n} with the original), each one "
          "the child of one of them.", sent=sent, expected=f"{2 ** n - 1} 次 fork / forks",
          got=f"{len(got['forks'])} 次 fork / forks (pid, ppid): {got['forks']}",
          hint_zh="循环 n 次调用 os.fork()，不要判断返回值：每个进程（包括新的）都继续下一次 fork。",
          hint_en="Call os.fork() n times in a loop without testing its result: every process, new ones too, goes on to the next fork.")
    stars = sum(line.count("*") for line in got["lines"])
    equal(stars, 2 ** n, f"{2 ** n} 个进程应各打印一行 *，共 {2 ** n} 个 *。",
          f"Each of the {2 ** n} processes must print one line *: {2 ** n} stars in all.", sent=sent)


def test_count_processes_returns_count(learner):
    got = learner.call("count_processes", 3)
    sent = "count_processes(3)"
    learner_ok(got, sent)
    equal(got["value"], 8, "count_processes(3) 应返回通过管道数出来的进程总数 8。",
          "count_processes(3) must return the number of processes counted through the pipe: 8.", sent=sent,
          hint_zh="全局变量不共享：每个进程改的都是自己的那份。fork 之前 os.pipe()，每个进程往里写 1 个字节，"
                  "原进程关掉自己的写端后一直读到 EOF，数字节数。",
          hint_en="Globals are not shared: each process changes its own copy. os.pipe() before forking, every process "
                  "writes 1 byte, the original closes its write end and reads until EOF, counting the bytes.")


def test_count_processes_leaves_no_process(learner):
    got = learner.call("count_processes", 3)
    sent = "count_processes(3)"
    learner_ok(got, sent)
    left_behind(got, sent,
                hint_zh="每个进程（不只是原进程）在结束前都要 os.wait() 回收它自己 fork 出的所有子进程，"
                        "例如循环 os.wait() 直到 ChildProcessError。父进程先退出的话，孙进程就没人回收了。",
                hint_en="Every process, not only the original, must os.wait() for all the children it forked before it "
                        "ends, e.g. call os.wait() until ChildProcessError. If a parent ends first, nobody reaps its children.")
    exited_zero(got, sent, [pid for pid, _ in got["forks"]])


# -- child_exit_code ----------------------------------------------------------------------
@pytest.mark.parametrize("code", [0, 3, 200])
def test_child_exit_code(learner, code):
    got = learner.call("child_exit_code", code)
    sent = f"child_exit_code({code})"
    learner_ok(got, sent)
    child = one_child(got, sent)
    value = tuple(got["value"]) if isinstance(got["value"], list) else got["value"]
    equal(value, (child, code),
          f"child_exit_code({code}) 应返回 (子进程的 pid, 子进程的退出码)；子进程用 os._exit({code}) 结束。",
          f"child_exit_code({code}) must return (the child's pid, the child's exit code); the child ends with os._exit({code}).",
          sent=sent, hint_zh="os.wait() 返回 (pid, status)，status 不是退出码：用 os.waitstatus_to_exitcode(status)。",
          hint_en="os.wait() returns (pid, status), and status is not the exit code: use os.waitstatus_to_exitcode(status).")
    left_behind(got, sent, **WAIT_HINT)
