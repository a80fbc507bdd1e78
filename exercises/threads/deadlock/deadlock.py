"""死锁 / Deadlock — see README.md."""
import threading

lock = threading.Lock()


def get_value(index):
    """Under `lock`: lst = [0, 1, 2, 3]; print and return lst[index].

    If index >= len(lst): print 数组下标越界了：{index} (a full-width colon) and return None.
    Release the lock on every way out of the function.
    """
    raise NotImplementedError("TODO: get_value")


mutexA = threading.Lock()
mutexB = threading.Lock()


def task1(pause):
    """Take mutexA, print A1, call pause(), take mutexB, print B1, release both."""
    raise NotImplementedError("TODO: task1")


def task2(pause):
    """Needs both locks too: print A2 once it holds mutexA and B2 once it holds mutexB; call
    pause() between taking the first lock and the second. Must never deadlock with task1
    (the notes' version takes mutexB first)."""
    raise NotImplementedError("TODO: task2")


def transfer(src, dst, amount, pause):
    """Move amount from account src to account dst: src.balance -= amount; dst.balance += amount.

    Hold both accounts' locks (account.lock) while touching the balances; take the two locks
    in one fixed order for every transfer (e.g. sorted by account.name), and call pause()
    after taking the first lock and before taking the second.
    """
    raise NotImplementedError("TODO: transfer")
