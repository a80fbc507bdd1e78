"""processes/orphans-zombies: a double fork leaves no zombie; a SIGCHLD handler reaps them all.

The probe records every fork from inside the new process, so the tree (caller → child →
grandchild) and the grandchild's later parent come from the OS.  The reaper is tested with
children the probe forks itself: several ending under one SIGCHLD, one still running while
another ends, and children ending while the test watches the process tree from outside.
"""
import time

import psutil

from grader.feedback import check, equal, fail
from kit.calls import no_error
from kit.processes import children, none_escaped

JOB_ARGS = ["任务", 7]
SENT = f"spawn_detached(job, {', '.join(repr(a) for a in JOB_ARGS)})"
ZOMBIE_HOLD = 1.0  # a zombie still there after this long, seen from outside, was never reaped
EXIT_HINT = dict(hint_zh="孙进程里用 try/except 包住 fn(*args)，无论成功还是异常，最后都 os._exit(...)。",
                 hint_en="In the grandchild wrap fn(*args) in try/except and always end with os._exit(...), "
                         "whether it returned or raised.")
LOOP_HINT = dict(hint_zh="处理函数里循环 os.waitpid(-1, os.WNOHANG)：返回 (0, 0) 说明剩下的子进程都还在运行，"
                         "抛出 ChildProcessError 说明没有子进程了，这两种情况才停止。-1 表示任何子进程；"
                         "0 只等和调用者同一进程组的子进程。",
                 hint_en="In the handler, loop on os.waitpid(-1, os.WNOHANG): stop when it returns (0, 0) (the "
                         "remaining children are still running) or raises ChildProcessError (no children left). "
                         "-1 means any child; 0 only children in the caller's process group.")


# -- helpers ------------------------------------------------------------------------
def learner_ok(got, sent, what=None):
    """The learner's function raised, or one of the processes it made came back out of it."""
    what = what or sent
    no_error(got, what, sent=sent)
    none_escaped(got, what, sent=sent, **EXIT_HINT)


def tree(got, sent):
    """(child, grandchild): the double fork as the OS saw it, or a failure saying what happened."""
    me = got["me"]
    kids = children(got)
    grandkids = children(got, kids[0]) if kids else []
    if len(got["forks"]) != 2 or len(kids) != 1 or len(grandkids) != 1:
        fail("spawn_detached 应 fork 两次：调用者 fork 出子进程，子进程再 fork 出孙进程（父-子-孙）。",
             "spawn_detached must fork twice: the caller forks a child, the child forks a grandchild (parent-child-grandchild).",
             sent=sent, expected=f"[[子进程 / child, {me}], [孙进程 / grandchild, 子进程 / child]]",
             got=f"(pid, 父进程 / parent) {got['forks']}",
             hint_zh="子进程里再调用一次 os.fork()，在孙进程里运行 fn。", hint_en="Call os.fork() again in the child and run fn in the grandchild.")
    return kids[0], grandkids[0]


def job_reports(got, stage):
    return [r for r in got["fn"] if r.get("stage") == stage]


def detached(learner, fail_job=False):
    got = learner.call("detached", JOB_ARGS, fail_job)
    return got


# -- spawn_detached ----------------------------------------------------------------------------
def test_detached_runs_fn_in_grandchild(learner):
    got = detached(learner)
    learner_ok(got, SENT)
    child, grandchild = tree(got, SENT)
    started = job_reports(got, "started")
    check(len(started) == 1, "fn 应正好运行一次。", "fn must run exactly once.", sent=SENT, expected=1, got=len(started))
    equal([started[0]["pid"], started[0]["args"]], [grandchild, JOB_ARGS],
          "fn(*args) 应在孙进程里运行，参数原样传入。", "fn(*args) must run in the grandchild, with the arguments given.",
          sent=SENT, hint_zh="在孙进程里调用 fn(*args)。", hint_en="Call fn(*args) in the grandchild.")


def test_detached_returns_grandchild_pid(learner):
    got = detached(learner)
    learner_ok(got, SENT)
    child, grandchild = tree(got, SENT)
    equal(got["value"], grandchild, "spawn_detached 应返回孙进程（运行 fn 的进程）的 pid。",
          "spawn_detached must return the pid of the grandchild (the process running fn).",
          sent=f"{SENT}（子进程 / child {child}，孙进程 / grandchild {grandchild}）",
          hint_zh="子进程把孙进程的 pid（它的 os.fork() 返回值）写进管道，调用者读出来。",
          hint_en="The child writes the grandchild's pid (what its os.fork() returned) into a pipe; the caller reads it.")


def test_detached_returns_without_waiting(learner):
    got = detached(learner)
    learner_ok(got, SENT)
    tree(got, SENT)
    check(not got["waited_for_job"], "fn 还在运行时 spawn_detached 就应返回，不能等 fn 结束。",
          "spawn_detached must return while fn is still running, not wait for fn to end.",
          sent=f"{SENT}（job 一直等到 spawn_detached 返回才结束 / job ends only after spawn_detached returned）",
          expected="立即返回 / returns at once", got=f"等到 job 结束才返回 / returned only after job ended ({got['took']} s)",
          hint_zh="子进程 fork 出孙进程后要立刻 os._exit(0)，不要等孙进程；调用者只等子进程。调用者如果读管道直到 EOF，"
                  "孙进程要先关闭它继承的写端 os.close(w)，否则 EOF 要等孙进程结束才来。",
          hint_en="The child must os._exit(0) right after forking the grandchild, without waiting for it; the caller waits "
                  "for the child only. If the caller reads the pipe until EOF, the grandchild must first close the write "
                  "end it inherited, os.close(w), or EOF comes only when the grandchild ends.")


def test_grandchild_is_orphaned(learner):
    got = detached(learner)
    learner_ok(got, SENT)
    child, grandchild = tree(got, SENT)
    adopted = job_reports(got, "adopted")
    ppid = adopted[0]["ppid"] if adopted else None
    check(ppid is not None and ppid not in (got["me"], child),
          "子进程结束后，孙进程应成为孤儿进程，由 init（或收养孤儿的进程）接管：它的父进程既不是子进程，也不是调用者。",
          "Once the child has ended, the grandchild must be an orphan adopted by init (or the subreaper): its parent is "
          "neither the child nor the caller.", sent=SENT,
          expected=f"ppid ∉ {{调用者 / caller {got['me']}, 子进程 / child {child}}}", got=f"ppid = {ppid}",
          hint_zh="子进程 fork 出孙进程后立即 os._exit(0)。", hint_en="The child calls os._exit(0) right after forking the grandchild.")


def test_middle_child_reaped(learner):
    got = detached(learner)
    learner_ok(got, SENT)
    child, grandchild = tree(got, SENT)
    check(got["states"].get(child) == "gone" and not got["zombies"],
          "spawn_detached 返回后，子进程应已结束并被回收，调用者没有僵尸子进程。",
          "After spawn_detached returned, the child must have ended and been reaped: the caller has no zombie children.",
          sent=SENT, expected="子进程已回收 / child reaped",
          got=f"子进程 / child {child}: {got['states'].get(child)}；僵尸子进程 / zombie children: {got['zombies']}",
          hint_zh="调用者用 os.waitpid(子进程的pid, 0) 回收子进程（孙进程不用等，它由 init 回收）。",
          hint_en="The caller reaps the child with os.waitpid(child_pid, 0) (not the grandchild: init reaps that one).")


def test_job_error_stays_in_grandchild(learner):
    got = detached(learner, fail_job=True)
    sent = f"{SENT}，job 抛出 / raises RuntimeError"
    learner_ok(got, sent, "spawn_detached")
    tree(got, sent)
    check(isinstance(got["value"], int), "fn 抛出异常时，spawn_detached 仍应正常返回（孙进程的 pid）。",
          "When fn raises, spawn_detached must still return normally (the grandchild's pid).", sent=sent,
          expected="int", got=got["value"])


def test_detached_exit_codes(learner):
    for fail_job, code in ((False, 0), (True, 1)):
        sent = f"{SENT}，job 抛出 / raises RuntimeError" if fail_job else f"{SENT}，job 正常返回 / returns"
        got = detached(learner, fail_job)
        learner_ok(got, sent, "spawn_detached")
        child, grandchild = tree(got, sent)
        exits = {e["pid"]: e["code"] for e in got["exits"]}
        none = "没有调用 os._exit / no os._exit call"
        equal(exits.get(child, none), 0, "子进程把孙进程的 pid 写进管道后应以 os._exit(0) 结束。",
              "The child must end with os._exit(0) once it wrote the grandchild's pid into the pipe.",
              sent=f"{sent}（子进程 / child {child}）", hint_zh="子进程：os.write(w, ...) 之后 os._exit(0)。",
              hint_en="The child: os._exit(0) after os.write(w, ...).")
        equal(exits.get(grandchild, none), code,
              "孙进程在 fn 正常返回后应 os._exit(0)，在 fn 抛出异常后应 os._exit(1)。",
              "The grandchild must os._exit(0) when fn returned and os._exit(1) when fn raised.",
              sent=f"{sent}（孙进程 / grandchild {grandchild}）",
              hint_zh="try: fn(*args); code = 0  except BaseException: code = 1；最后 os._exit(code)（不要在 finally 里一律 os._exit(0)）。",
              hint_en="try: fn(*args); code = 0  except BaseException: code = 1; then os._exit(code) (not os._exit(0) "
                      "in a finally whatever happened).")


# -- install_reaper ----------------------------------------------------------------------------
def reaper_ok(got, sent):
    learner_ok({"error": got["error"]}, sent, "install_reaper(on_exit)")


def test_reaper_reaps_children_ending_together(learner):
    codes = [0, 3, 7, 42, 255]
    got = learner.call("reaper_together", codes)
    sent = (f"install_reaper(on_exit)；{len(codes)} 个子进程在同一个 SIGCHLD 信号之前都已结束，中间那个在它自己的进程组里 / "
            "children all ended before one SIGCHLD, the middle one in a process group of its own")
    reaper_ok(got, sent)
    check(not got["zombies"], f"{len(codes)} 个子进程一起结束时（只来一个 SIGCHLD），处理函数应把它们全部回收。",
          f"When {len(codes)} children end together (one SIGCHLD for all), the handler must reap every one of them.",
          sent=sent, expected="没有僵尸进程 / no zombie", got=f"zombie pids {got['zombies']} of {got['pids']}", **LOOP_HINT)
    equal(sorted(pid for pid, _ in got["reported"]), sorted(got["pids"]),
          "每回收一个子进程都要调用一次 on_exit(pid, 退出码)。", "Call on_exit(pid, exit_code) once for every child reaped.",
          sent=sent)


def test_reaper_reports_exit_codes(learner):
    codes = [0, 3, 7, 42, 255]
    got = learner.call("reaper_together", codes)
    sent = f"install_reaper(on_exit)；子进程用 / children end with os._exit(code) for code in {codes}"
    reaper_ok(got, sent)
    expected = sorted([pid, code] for pid, code in zip(got["pids"], codes, strict=True))
    equal(sorted(got["reported"]), expected, "on_exit 收到的应是 (pid, 退出码)。", "on_exit must get (pid, exit code).",
          sent=sent, hint_zh="os.waitpid 返回的 status 不是退出码：用 os.waitstatus_to_exitcode(status)。",
          hint_en="The status os.waitpid returns is not the exit code: use os.waitstatus_to_exitcode(status).")


def test_reaper_does_not_block(learner):
    got = learner.call("reaper_busy", 5)
    sent = "install_reaper(on_exit)；一个子进程一直运行，另一个 os._exit(5) / one child keeps running, another ends with os._exit(5)"
    reaper_ok(got, sent)
    check(not got["blocked"], "有子进程还在运行时，处理函数不能阻塞等待它：主程序应能继续执行。",
          "While a child is still running, the handler must not block waiting for it: the main program must go on.",
          sent=sent, expected="处理函数立即返回 / the handler returns at once",
          got="处理函数一直等到仍在运行的子进程结束 / the handler waited until the running child ended",
          hint_zh="用 os.waitpid(-1, os.WNOHANG)，不要用会阻塞的 os.wait()。",
          hint_en="Use os.waitpid(-1, os.WNOHANG), not os.wait(), which blocks.")
    equal([pid for pid, _ in got["reported_while_long_runs"]], [got["short"]],
          "结束的子进程应立即被回收并报告给 on_exit，仍在运行的不报告。",
          "The child that ended must be reaped and reported to on_exit at once; the running one not.",
          sent=f"{sent}（结束的 / ended: {got['short']}，运行中的 / running: {got['long']}）")
    check(not got["zombies_while_long_runs"] and not got["zombies"], "不应留下僵尸进程。", "No zombie may be left.",
          sent=sent, got=f"zombie pids {got['zombies_while_long_runs'] or got['zombies']}")


def test_no_zombie_seen_from_outside(learner):
    count, gap = 5, 0.05
    sent = (f"install_reaper(on_exit)；{count} 个子进程每隔 {gap} 秒结束一个，主程序在 sleep / {count} children end "
            f"{gap} s apart while the program sleeps")
    seen = {}  # zombie pid -> when first seen
    held = set()
    with learner.program("reaper_program", count, gap) as prog:
        end = time.monotonic() + count * gap + 2 * ZOMBIE_HOLD + 3
        while prog.outcome()[0] == "timeout" and time.monotonic() < end:
            main, kids = prog.processes()
            now = time.monotonic()
            for kid in kids:
                try:
                    zombie = kid.ppid() == prog.pid and kid.status() == psutil.STATUS_ZOMBIE
                except psutil.Error:
                    continue
                if zombie and now - seen.setdefault(kid.pid, now) > ZOMBIE_HOLD:
                    held.add(kid.pid)
            time.sleep(0.02)  # sampling the process table from outside
        got = prog.result()
    reaper_ok(got, sent)
    check(not held, f"从外面看，有子进程结束后超过 {ZOMBIE_HOLD:g} 秒仍是僵尸进程：SIGCHLD 处理函数没有回收它们。",
          f"Seen from outside, children stayed zombies for more than {ZOMBIE_HOLD:g} s after they ended: the SIGCHLD "
          "handler did not reap them.", sent=sent, expected="没有长时间的僵尸进程 / no lasting zombie",
          got=f"zombie pids {sorted(held)}",
          hint_zh="signal.signal(signal.SIGCHLD, 处理函数)，处理函数里用 os.waitpid(-1, os.WNOHANG) 回收；"
                  "multiprocessing.active_children() 只回收 multiprocessing 创建的进程，不管 os.fork() 的。",
          hint_en="signal.signal(signal.SIGCHLD, handler), reaping with os.waitpid(-1, os.WNOHANG) in the handler; "
                  "multiprocessing.active_children() only reaps processes multiprocessing made, not os.fork() children.")
    equal(sorted(pid for pid, _ in got["reported"]), sorted(got["pids"]), "每个子进程结束后都应报告给 on_exit。",
          "Every child must be reported to on_exit once it ended.", sent=sent)
