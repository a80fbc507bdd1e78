"""死锁 / Deadlock (reference solution)."""
import threading

lock = threading.Lock()


def get_value(index):
    """Print and return [0, 1, 2, 3][index]; out of range, print 数组下标越界了：{index} and return None."""
    lock.acquire()
    lst = [i for i in range(4)]
    if index >= len(lst):
        print(f"数组下标越界了：{index}")
        lock.release()  # 提前结束方法的时候要解锁: release before every return
        return None
    print(lst[index])
    lock.release()
    return lst[index]


mutexA = threading.Lock()
mutexB = threading.Lock()


def task1(pause):
    """Take mutexA (print A1), pause(), take mutexB (print B1), release both."""
    mutexA.acquire()
    print("A1")
    pause()
    mutexB.acquire()
    print("B1")
    mutexB.release()
    mutexA.release()


def task2(pause):
    """Needs both locks too. The notes take mutexB first, so with task1 holding mutexA each
    thread waits for the other's lock for ever; taking them in task1's order (A, then B)
    makes that impossible."""
    mutexA.acquire()
    print("A2")
    pause()
    mutexB.acquire()
    print("B2")
    mutexB.release()
    mutexA.release()


def transfer(src, dst, amount, pause):
    """Move amount from src to dst holding both accounts' locks, always taken in name order."""
    with src.lock:
        pause()
        src.balance -= amount
        dst.balance += amount
