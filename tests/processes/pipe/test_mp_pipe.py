"""processes/pipe: numbers over a Pipe until EOFError; every end closed in the right process.

A pipe end left open in the wrong process means EOF never comes: the learner's code then
waits for ever, and the hang report shows where.  Which process sent each number to which
comes from the numbers themselves (the probe's traced ints).
"""
from grader.feedback import check, equal
from kit.calls import lines, no_error, run, stderr_details
from kit.processes import guarded, hops_of, imported, nothing_left, one_hop_each

FILE = "mp_pipe.py"
EXIT_LINE = "输入端已经关闭,退出!"


def call(learner, function, *args, what, hang=None):
    result = run(learner, function, *args, what=what, hang=hang)
    imported(result.value, FILE)
    return result


def check_receiver_lines(result, numbers, sent):
    equal(lines(result.stdout), [f"msg: {n}" for n in numbers] + [EXIT_LINE],
          f"接收端应为每个数字打印一行 msg: 数字，收到 EOFError 后打印 {EXIT_LINE} 并结束。",
          f"The receiver must print msg: <number> for each number and, on EOFError, {EXIT_LINE} and end.", sent=sent,
          details=stderr_details(result.stderr))


def test_receiver_until_eof(learner):
    numbers = [3, 1, 4, 1, 5]
    what = (f"子进程运行 receiver(out_pipe, in_pipe)；父进程关闭 out_pipe，发送 {numbers}，再关闭 in_pipe / "
            f"child runs receiver(out_pipe, in_pipe); the parent closes out_pipe, sends {numbers}, closes in_pipe")
    result = call(learner, "receiver_alone", numbers, what=what, hang=(
        "父进程已经关闭了 in_pipe，receiver 还在等数据，没有结束：它没有收到 EOFError。",
        "The parent had closed in_pipe, yet receiver kept waiting for data and never ended: it got no EOFError.",
        "子进程里也有一份 in_pipe（fork 复制来的）：receiver 一开始就要 in_pipe.close()，否则发送端永远没有全部关闭。",
        "The child has its own copy of in_pipe (copied by fork): receiver must call in_pipe.close() first, or the "
        "sending end is never closed everywhere."))
    check_receiver_lines(result, numbers, what)
    equal(result.value["exitcode"], 0, "receiver 所在的子进程应正常结束（退出码 0）。",
          "The child process running receiver must end normally (exit code 0).", sent=what,
          details=stderr_details(result.stderr), hint_zh="用 try/except EOFError 结束循环。",
          hint_en="Leave the loop with try/except EOFError.")


def test_send_numbers(learner):
    numbers = [10, 0, 7, 99]
    what = f"send_numbers({numbers})"
    result = call(learner, "send_numbers", numbers, what=what, hang=(
        "send_numbers 没有结束：子进程一直没有收到 EOF（见下面的调用栈）。",
        "send_numbers did not finish: the child never got EOF (see the stacks below).",
        "发送完之后父进程要 in_pipe.close()，然后再 p.join()；子进程自己的那份 in_pipe 也要关闭。",
        "After sending, the parent must in_pipe.close() before p.join(); the child must close its own copy of in_pipe too."))
    got = result.value
    no_error(got, "send_numbers(numbers)", result.stderr, sent=what)
    check_receiver_lines(result, numbers, what)
    me, hops = got["me"], hops_of(got, numbers)
    pairs = one_hop_each(hops)
    check(pairs is not None and all(sender == me != receiver for sender, receiver in pairs),
          "每个数字都应从父进程经过管道发送到子进程。", "Every number must go from the parent through the pipe to the child process.",
          sent=what, got=f"父进程 / parent {got['me']}; (发送者, 接收者) / (sender, receiver): {hops}")
    nothing_left(got, "send_numbers", hint_zh="关闭 in_pipe 之后 p.join()，等子进程结束再返回。",
                 hint_en="After closing in_pipe, p.join(): return only once the child has ended.")


def test_collect_until_eof(learner):
    numbers = [5, 8, 0, 13, 21]
    what = f"collect({numbers})"
    result = call(learner, "collect", numbers, what=what, hang=(
        "collect 没有结束：子进程发完数字就退出了，父进程却一直等不到 EOFError（见下面的调用栈）。",
        "collect did not finish: the child sent its numbers and ended, but the parent never got EOFError "
        "(see the stacks below).",
        "父进程自己也有一份发送端 w：p.start() 之后立刻 w.close()，否则发送端永远没有全部关闭。",
        "The parent has its own copy of the sending end w: w.close() right after p.start(), or the sending end is "
        "never closed everywhere."))
    got = result.value
    no_error(got, "collect(numbers)", result.stderr, sent=what)
    equal(got["value"], numbers, "collect 应按顺序返回子进程发来的所有数字。",
          "collect must return every number the child sent, in order.", sent=what, details=stderr_details(result.stderr),
          hint_zh="r, w = Pipe(False)：第一个只能接收，第二个只能发送；子进程用 w 发送。",
          hint_en="r, w = Pipe(False): the first end can only receive, the second only send; the child sends on w.")
    me, hops = got["me"], hops_of(got, numbers)
    pairs = one_hop_each(hops)
    senders = {sender for sender, _ in pairs or []}
    check(pairs is not None and all(receiver == me for _, receiver in pairs) and len(senders) == 1 and me not in senders, "每个数字都应由子进程经过管道发给父进程。",
          "Every number must be sent by the child process through the pipe to the parent.", sent=what,
          got=f"父进程 / parent {got['me']}; (发送者, 接收者) / (sender, receiver): {hops}")
    nothing_left(got, "collect", hint_zh="收完之后 p.join()。", hint_en="p.join() once everything was received.")


def test_collect_uses_one_way_pipe(learner):
    numbers = [1, 2, 3]
    what = f"collect({numbers})"
    result = call(learner, "collect", numbers, what=what)
    got = result.value
    no_error(got, "collect(numbers)", result.stderr, sent=what)
    equal(got["pipes"], [False], "collect 应只创建一个单工管道 Pipe(False)（或 Pipe(duplex=False)）。",
          "collect must create exactly one one-way pipe, Pipe(False) (or Pipe(duplex=False)).", sent=what,
          hint_zh="列表里每一项是一次 Pipe(...) 调用是否双工：True 表示 Pipe()，False 表示 Pipe(False)。",
          hint_en="Each entry is one Pipe(...) call, True for a duplex Pipe(), False for Pipe(False).")


def test_ask_squares_duplex(learner):
    numbers = [2, 0, 9, 12]
    what = f"ask_squares({numbers})"
    result = call(learner, "ask_squares", numbers, what=what, hang=(
        "ask_squares 没有结束：父进程关闭了它的一端，子进程却一直等不到 EOFError（见下面的调用栈）。",
        "ask_squares did not finish: the parent closed its end, but the child never got EOFError (see the stacks below).",
        "子进程里也有一份父进程的那一端（fork 复制来的）：squarer 一开始就要 other.close()。",
        "The child has its own copy of the parent's end (copied by fork): squarer must call other.close() first."))
    got = result.value
    no_error(got, "ask_squares(numbers)", result.stderr, sent=what)
    equal(got["value"], [n * n for n in numbers], "ask_squares 应按顺序返回子进程算出的每个数的平方。",
          "ask_squares must return the square of every number, computed by the child, in order.", sent=what,
          details=stderr_details(result.stderr))
    me, hops = got["me"], hops_of(got, numbers)
    pairs = one_hop_each(hops)
    receivers = {receiver for _, receiver in pairs or []}
    check(pairs is not None and all(sender == me for sender, _ in pairs) and len(receivers) == 1 and me not in receivers, "每个数字都应经过管道从父进程发送到子进程，由子进程算平方。",
          "Every number must go through the pipe from the parent to the child, which computes the square.", sent=what,
          got=f"父进程 / parent {got['me']}; (发送者, 接收者) / (sender, receiver): {hops}")
    equal(got["pipes"], [True], "ask_squares 应只创建一个双工管道 Pipe()，两个方向都用它。",
          "ask_squares must create exactly one duplex pipe, Pipe(), and use it both ways.", sent=what)
    nothing_left(got, "ask_squares", hint_zh="关闭 parent_conn 之后 p.join()。", hint_en="p.join() after closing parent_conn.")
    equal(got["exitcodes"], [0], "运行 squarer 的子进程应正常结束（退出码 0）：recv() 抛出 EOFError 时结束循环，再关闭 conn。",
          "The child running squarer must end normally (exit code 0): when recv() raises EOFError, leave the loop, then "
          "close conn.", sent=what, details=stderr_details(result.stderr),
          hint_zh="try: n = conn.recv() except EOFError: break —— 不要让 EOFError 从子进程里抛出去。",
          hint_en="try: n = conn.recv() except EOFError: break — do not let EOFError escape from the child.")


def test_main_as_script(learner):
    what = "python mp_pipe.py"
    result = call(learner, "as_script", what=what, hang=(
        "python mp_pipe.py 没有结束（见下面的调用栈）。", "python mp_pipe.py did not finish (see the stacks below).",
        "发送完之后关闭 in_pipe；子进程里先关闭 in_pipe。", "Close in_pipe after sending; in the child, close in_pipe first."))
    got = result.value
    guarded(got, FILE)
    no_error(got, what, result.stderr)
    check_receiver_lines(result, list(range(10)), what)
    nothing_left(got, what)
