"""同步：Test1-2-3 / Synchronisation: Test1-2-3 (reference solution)."""
import threading


def run(rounds):
    """Three threads print Test1, Test2, Test3 strictly in turn, rounds times; return when all have ended."""
    lock1 = threading.Lock()
    lock2 = threading.Lock()
    lock3 = threading.Lock()
    lock2.acquire()  # 初始：2个锁上，1个没上锁 — only Test1 may start
    lock3.acquire()

    def work(mine, following, text):
        for _ in range(rounds):  # the notes loop for ever: stop after `rounds` turns
            mine.acquire()  # wait for my turn
            print(text)
            following.release()  # hand the turn to the next thread

    threads = [
        threading.Thread(target=work, args=(lock1, lock2, "Test1")),
        threading.Thread(target=work, args=(lock2, lock3, "Test2")),
        threading.Thread(target=work, args=(lock3, lock1, "Test3")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
