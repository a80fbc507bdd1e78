"""threads/deadlock: a lock released on every path, two locks taken in one order, transfers.

The probe replaces the learner's locks with watched ones, so a lock order that can deadlock
deadlocks on every run (see probe.py).  A deadlock shows up as a hang: the grader's timeout
stops the call and the message carries every thread's stack at that moment.
"""
import re

from grader.feedback import check, equal, fail
from kit.calls import hang_explained, thread_raised

OUT_OF_RANGE = "数组下标越界了：{}"
ORDER_HINT = dict(
    hint_zh="死锁：每个线程都拿着一把锁，又在等对方手里的那把。让所有线程按同一个顺序加锁（例如都先 mutexA 再 mutexB；"
            "转账时按账户名排序），或者用 acquire(timeout=...) 拿不到就先放开已有的锁、再重试。",
    hint_en="Deadlock: each thread holds one lock and waits for the one the other holds. Make every thread take the "
            "locks in the same order (e.g. always mutexA, then mutexB; for transfers, sorted by account name), or use "
            "acquire(timeout=...) and, when it fails, release what you hold and try again.",
)


def call(learner, function, *args, sent, zh, en, **hint):
    """learner.call, with a hang of this very check explained as a deadlock."""
    with hang_explained(learner, zh, en, sent=sent, **hint,
                        details=lambda text: "每个线程卡住的位置（看 deadlock.py 的行）/ where each thread was stuck "
                                             "(see the deadlock.py lines):\n" + readable_stacks(learner, text)):
        return learner.call(function, *args)


def readable_stacks(learner, details: str) -> str:
    """The grader's stack dump, with thread names, short paths and the learner's source lines."""
    names = re.findall(r"^grader-thread (\S+) (0x[0-9a-f]+)$", details, flags=re.M)
    details = re.sub(r"^grader-thread .*\n?", "", details, flags=re.M)
    details = re.sub(r"\n--- stderr \(last \d+ chars\) ---\s*$", "", details)
    for name, ident in names:
        details = details.replace(f"Thread {ident} (", f"Thread {ident} [{name}] (")
    details = details.replace("Current thread ", "Current thread [评分程序 / grader] ")
    try:
        source = learner.exercise.files_in(learner.impl_root)["deadlock.py"].read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        source = []

    def with_source(match):
        number = int(match.group(1))
        line = source[number - 1].strip() if 0 < number <= len(source) else ""
        return f'File "deadlock.py", line {number} in {match.group(2)}' + (f"\n      >>> {line}" if line else "")

    details = re.sub(r'File "[^"]*/deadlock\.py", line (\d+) in (\w+)', with_source, details)
    return re.sub(r'File "/[^"]*/([\w.]+\.py)"', r'File "\1"', details)  # the grader's and Python's own files


def thread_errors(got, sent):
    thread_raised(got.get("thread_errors", []) + got.get("errors", []), sent=sent)


# -- get_value: release the lock on every return ---------------------------------------------

def get_values(learner, indexes):
    sent = f"for i in {indexes}: get_value(i)（在同一个线程里依次调用 / called in turn in one thread）"
    got = call(learner, "get_values", indexes, sent=sent,
               zh="依次调用 get_value 时卡住了：某次调用返回时没有释放锁，下一次 lock.acquire() 就永远等下去。",
               en="Calling get_value in turn hung: one call returned without releasing the lock, so the next "
                  "lock.acquire() waits for ever.",
               hint_zh="提前 return 之前也要 lock.release()（或者用 with lock:）。",
               hint_en="Call lock.release() before the early return too (or use with lock:).")
    error = got["error"]
    if error:
        fail(f"get_value({error['index']}) 抛出了异常 {error['type']}: {error['message']}",
             f"get_value({error['index']}) raised {error['type']}: {error['message']}", sent=sent,
             details=error["traceback"])
    return got, sent


def test_get_value_in_range(learner):
    got, sent = get_values(learner, [0, 1, 2, 3])
    equal(got["lines"], ["0", "1", "2", "3"], "下标在范围内时应打印 lst[index]。", "In range, print lst[index].", sent=sent)
    equal(got["values"], [0, 1, 2, 3], "下标在范围内时应返回 lst[index]。", "In range, return lst[index].", sent=sent)
    equal(got["locked_after"], False, "get_value 返回后锁应已释放。", "The lock must be released when get_value returns.",
          sent=sent)


def test_get_value_out_of_range_releases_lock(learner):
    got, sent = get_values(learner, list(range(10)))
    expected = ["0", "1", "2", "3"] + [OUT_OF_RANGE.format(i) for i in range(4, 10)]
    equal(got["lines"], expected, "打印的内容不对：下标越界时打印 数组下标越界了：{index}（中文冒号）。",
          "Wrong output: out of range, print 数组下标越界了：{index} (a full-width colon).", sent=sent)
    equal(got["values"], [0, 1, 2, 3] + [None] * 6, "下标越界时应返回 None。", "Out of range, return None.", sent=sent)
    equal(got["locked_after"], False, "最后一次（越界的）get_value 返回后，锁没有释放。",
          "After the last (out of range) get_value returned, the lock was still held.", sent=sent,
          hint_zh="提前 return 之前也要 lock.release()。", hint_en="Call lock.release() before the early return too.")


# -- task1 / task2: two locks ------------------------------------------------------------------

TASKS_SENT = ("task1(pause) 和 task2(pause) 同时在两个线程里运行；第一次 pause() 会等到另一个线程拿到或正在等一把锁 / "
              "task1(pause) and task2(pause) run at the same time in two threads; the first pause() waits until the "
              "other thread holds or waits for a lock")
TASK_LINES = {"task1": ["A1", "B1"], "task2": ["A2", "B2"]}


def two_tasks(learner):
    got = call(learner, "two_tasks", sent=TASKS_SENT,
               zh="task1 和 task2 死锁了：两个线程各拿着一把锁，都在等对方的那把，永远等下去。",
               en="task1 and task2 deadlocked: each thread holds one lock and waits for the other's, for ever.",
               **ORDER_HINT)
    thread_errors(got, TASKS_SENT)
    return got


def test_two_tasks_finish(learner):
    got = two_tasks(learner)
    printed = {name: sorted({line["text"] for line in got["lines"] if line["thread"] == name}) for name in TASK_LINES}
    for name, lines in TASK_LINES.items():
        check(printed[name] == lines,
              f"{name} 没有完成它的工作：它应该拿到两把锁，打印 {lines[0]} 和 {lines[1]}（放弃不算完成）。",
              f"{name} did not complete its work: it must get both locks and print {lines[0]} and {lines[1]} "
              "(giving up does not count).", sent=TASKS_SENT, expected=lines, got=printed[name],
              hint_zh="用 acquire(timeout=...) 时，拿不到锁要放开已有的锁再重试，而不是放弃；更简单的办法是两个任务按同一个顺序加锁。",
              hint_en="With acquire(timeout=...), when it fails release what you hold and try again rather than give "
                      "up; simpler: take the locks in the same order in both tasks.")
    for name in TASK_LINES:
        held = [pause["held"] for pause in got["pauses"] if pause["thread"] == name]
        check(any(len(locks) == 1 for locks in held),
              f"{name} 应在拿到第一把锁之后、拿第二把锁之前调用一次 pause()（笔记里 time.sleep(1) 的位置）。",
              f"{name} must call pause() once after taking its first lock and before taking the second (where the "
              "notes sleep(1)).", sent=TASKS_SENT, got=f"pause() 调用时持有的锁 / locks held at each pause(): {held}")


def test_task_lines_printed_holding_locks(learner):
    got = two_tasks(learner)
    wrong = [[line["thread"], line["text"], line["held"]] for line in got["lines"] if f"mutex{line['text'][:1]}" not in line["held"]]
    check(not wrong, "每行要在拿到对应的锁之后打印：A1、A2 持有 mutexA 时，B1、B2 持有 mutexB 时。",
          "Print each line once you hold its lock: A1 and A2 holding mutexA, B1 and B2 holding mutexB.",
          sent=TASKS_SENT, expected="A* 持有 / holding mutexA, B* 持有 / holding mutexB",
          got=f"[线程 / thread, 行 / line, 持有的锁 / locks held]: {wrong}")


# -- transfer: both accounts' locks, in one global order ----------------------------------------

def transfers(learner, routes, rounds):
    sent = ("，".join(f"线程 / thread {s}->{d}: transfer({s}, {d}, {a}, pause)" for s, d, a in routes)
            + f"；每个线程 {rounds} 次，同时运行，每个账户开始时 1000 / each thread {rounds} times, all at once, every "
              "account starting at 1000")
    got = call(learner, "transfers", routes, rounds, sent=sent,
               zh="转账的线程死锁了：每个线程拿着一个账户的锁，又在等另一个线程拿着的账户锁。",
               en="The transfer threads deadlocked: each holds one account's lock and waits for an account lock "
                  "another thread holds.", **ORDER_HINT)
    thread_errors(got, sent)
    return got, sent


def expected_balances(routes, rounds, start=1000):
    balances = {}
    for src, dst, amount in routes:
        balances[src] = balances.get(src, start) - amount * rounds
        balances[dst] = balances.get(dst, start) + amount * rounds
    return balances


def check_transfers(got, sent, routes, rounds):
    expected = expected_balances(routes, rounds)
    equal(got["balances"], expected, "转账之后的余额不对（钱的总数也必须不变）。",
          "Wrong balances after the transfers (and the total must not change).", sent=sent,
          hint_zh="在同时持有两个账户的锁时：src.balance -= amount；dst.balance += amount。",
          hint_en="Holding both accounts' locks: src.balance -= amount; dst.balance += amount.")
    names = sorted({f"{s}->{d}" for s, d, _ in routes})
    held = {name: [pause["held"] for pause in got["pauses"] if pause["thread"] == name] for name in names}
    missing = [name for name in names if not any(len(locks) == 1 for locks in held[name])]
    check(not missing, "transfer 应在拿到第一个账户的锁之后、拿第二个之前调用一次 pause()。",
          "transfer must call pause() once after taking the first account's lock and before taking the second.",
          sent=sent, got=f"pause() 调用时持有的锁 / locks held at each pause(): {held}")


ROUTES_2 = [["A", "B", 1], ["B", "A", 2]]
ROUTES_3 = [["A", "B", 1], ["B", "C", 2], ["C", "A", 3]]


def test_transfer_both_directions(learner):
    got, sent = transfers(learner, ROUTES_2, 30)
    check_transfers(got, sent, ROUTES_2, 30)


def test_transfer_holds_both_locks(learner):
    got, sent = transfers(learner, ROUTES_2, 30)
    check(not got["misuse"], "改余额（或读余额）时没有持有这个账户的锁：两个账户的锁都要拿到，再读写余额。",
          "A balance was read or changed without holding that account's lock: take both accounts' locks, then use "
          "the balances.", sent=sent, expected="每次读写 balance 都持有该账户的 lock / every balance access holds that "
                                               "account's lock",
          got=f"[线程 / thread, 读或写 / read or write, 账户 / account]: {got['misuse']}")


def test_transfer_three_accounts(learner):
    got, sent = transfers(learner, ROUTES_3, 20)
    check_transfers(got, sent, ROUTES_3, 20)
