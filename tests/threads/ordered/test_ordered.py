"""threads/ordered: three threads print Test1, Test2, Test3 strictly in turn, then stop."""
import re

import pytest

from grader.feedback import check, equal, fail
from kit.calls import hang_explained, no_error

TEXTS = ["Test1", "Test2", "Test3"]


def run(learner, rounds):
    sent = f"run({rounds})"
    with hang_explained(
        learner,
        f"run({rounds}) 没有结束：线程没有在 {rounds} 轮之后停下来（笔记里是 while True 永远循环），或者有线程在等一把永远不会被释放的锁。",
        f"run({rounds}) did not end: the threads did not stop after {rounds} rounds (the notes loop with while "
        "True for ever), or a thread waits for a lock that is never released.", sent=sent,
        hint_zh="每个线程只循环 rounds 次；每轮 acquire 自己的锁、打印、release 下一个线程的锁；run 最后 join 三个线程。",
        hint_en="Each thread loops rounds times; each round: acquire its own lock, print, release the next thread's "
                "lock; run joins the three threads at the end.",
        details=lambda text: re.sub(r'File "/[^"]*/([\w.]+\.py)"', r'File "\1"', text),
    ):
        got = learner.call("run", rounds)
    no_error(got, f"run({rounds})", sent=sent)
    check(not got["alive"], f"run({rounds}) 返回时还有线程在运行：要 join() 这 3 个线程再返回。",
          f"Threads were still running when run({rounds}) returned: join() the 3 threads before returning.", sent=sent,
          got=f"还在运行 / still running: {got['alive']}；run 返回时已打印 / printed when run returned: {got['total']} 行 / lines",
          hint_zh="先 start() 三个线程，再 join() 三个线程。", hint_en="start() the three threads, then join() all three.")
    return got, sent


def first_difference(got: list, expected: list) -> int:
    for i, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b:
            return i
    return min(len(got), len(expected))


@pytest.mark.parametrize("rounds", [1, 5, 200])
def test_output(learner, rounds):
    got, sent = run(learner, rounds)
    expected = TEXTS * rounds
    lines = got["lines"]
    if lines != expected:
        i = first_difference(lines, expected)
        start = max(0, i - 3)
        fail(f"run({rounds}) 应正好打印 {3 * rounds} 行：Test1、Test2、Test3 轮流，共 {rounds} 轮。"
             f"从第 {i + 1} 行开始不对（run 返回时共打印了 {got['total']} 行）。",
             f"run({rounds}) must print exactly {3 * rounds} lines: Test1, Test2, Test3 in turn, {rounds} rounds. "
             f"Line {i + 1} onwards is wrong ({got['total']} lines printed when run returned).", sent=sent,
             expected=f"第 / lines {start + 1}–{i + 4}: {expected[start:i + 4]}",
             got=f"第 / lines {start + 1}–{i + 4}: {lines[start:i + 4]}",
             hint_zh="开始时 lock2、lock3 上锁，只有 lock1 没上锁；线程 1 打印后释放 lock2，线程 2 释放 lock3，线程 3 释放 lock1。",
             hint_en="At the start lock2 and lock3 are locked and lock1 is free; thread 1 releases lock2 after printing, "
                     "thread 2 releases lock3, thread 3 releases lock1.")


def test_each_text_from_its_own_thread(learner):
    got, sent = run(learner, 5)
    printers = got["printers"]
    labels = {text: [who["name"] for who in printers.get(text, [])] for text in TEXTS}
    check(all(who["ident"] != got["main"] for each in printers.values() for who in each),
          "这些行应由 3 个新线程打印，主线程不打印。", "The lines must be printed by 3 new threads, not by the main thread.",
          sent=sent, got=labels)
    check(all(len(printers.get(text, [])) == 1 for text in TEXTS),
          "Test1 应总是由同一个线程打印，Test2 由另一个线程，Test3 由第三个线程。",
          "Test1 must always be printed by one thread, Test2 by another, Test3 by a third.", sent=sent,
          expected="每行一个线程 / one thread per line", got=labels)
    idents = {printers[text][0]["ident"] for text in TEXTS}
    equal(len(idents), 3, "Test1、Test2、Test3 应由 3 个不同的线程打印。", "Test1, Test2 and Test3 must come from 3 different threads.",
          sent=sent)


def test_threads_end(learner):
    got, sent = run(learner, 200)  # fails if threads are still running when run() returns
    equal(got["total"], 600, "run(200) 返回时，600 行应已全部打印。", "When run(200) returns, all 600 lines must have been printed.",
          sent=sent)
