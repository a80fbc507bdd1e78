"""threading 对象 / threading primitives — reference solution.

One small task per object of the threading module (course notes 000 §3, the threading table):
RLock, Condition, Event, Semaphore, BoundedSemaphore, Timer, Barrier.
"""
import threading
from collections import deque


# 1. RLock ---------------------------------------------------------------------------------
class Inventory:
    """Stock counts shared by many threads; add_many() calls add() while holding the lock."""

    def __init__(self):
        self.lock = threading.RLock()  # re-entrant: add_many() holds it and add() takes it again
        self.items = {}

    def add(self, name, count=1):
        self.items[name] = self.items.get(name, 0) + count  # a single line, so surely atomic?

    def add_many(self, pairs):
        with self.lock:  # the whole batch at once: nobody sees half of it
            for name, count in pairs:
                self.add(name, count)

    def count(self, name):
        with self.lock:
            return self.items.get(name, 0)

    def total(self):
        with self.lock:
            return sum(self.items.values())


# 2. Condition -----------------------------------------------------------------------------
class BoundedBuffer:
    """A FIFO buffer of at most `capacity` items: put() waits while full, get() while empty."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.items = deque()
        self.cond = threading.Condition()

    def put(self, item):
        with self.cond:
            while len(self.items) >= self.capacity:  # while, not if: re-check after every wake-up
                self.cond.wait()
            self.items.append(item)
            self.cond.notify_all()

    def get(self):
        with self.cond:
            while not self.items:
                self.cond.wait()
            item = self.items.popleft()
            self.cond.notify_all()  # a producer may be waiting for room
            return item


# 3. Event ---------------------------------------------------------------------------------
def start_on_signal(tasks):
    """Start one thread per task; every thread waits for the start signal, then runs its task.

    Returns go(): calling it gives the signal.  Returns at once (does not join the threads).
    """
    signal = threading.Event()

    def runner(task):
        signal.wait()
        task()

    for task in tasks:
        threading.Thread(target=runner, args=(task,)).start()
    return signal.set


# 4. Semaphore -----------------------------------------------------------------------------
def run_limited(tasks, k):
    """Run every task in its own thread, at most k at the same time; results in task order."""
    slots = threading.Semaphore(k)
    results = [None] * len(tasks)

    def runner(i, task):
        with slots:
            results[i] = task()

    threads = [threading.Thread(target=runner, args=(i, task)) for i, task in enumerate(tasks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# 5. BoundedSemaphore ----------------------------------------------------------------------
class Slots:
    """n interchangeable slots; giving back more than was taken is an error (ValueError)."""

    def __init__(self, n):
        self.sem = threading.BoundedSemaphore(n)

    def take(self, timeout=None):
        return self.sem.acquire(timeout=timeout)  # keyword: acquire's first parameter is `blocking`

    def give_back(self):
        self.sem.release()  # BoundedSemaphore raises ValueError when released too many times


# 6. Timer ---------------------------------------------------------------------------------
class Debouncer:
    """Calls action(*args) once, `delay` seconds after the last trigger(*args)."""

    def __init__(self, delay, action):
        self.delay = delay
        self.action = action
        self.timer = None
        self.lock = threading.Lock()

    def trigger(self, *args):
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(self.delay, self.action, args)
            self.timer.start()

    def cancel(self):
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None


# 7. Barrier -------------------------------------------------------------------------------
def in_lockstep(n, rounds, step, round_done):
    """n threads run `rounds` rounds: thread i calls step(i, r) in round r, then waits for the
    others at a Barrier.  round_done(r) runs once per round, after all n steps of round r and
    before any step of round r + 1.  Returns when every thread has finished."""
    finished = [0]  # rounds completed, counted by the barrier's action

    def action():  # run by one thread after all n arrived, before any is released
        round_done(finished[0])
        finished[0] += 1

    barrier = threading.Barrier(n, action=action)

    def worker(i):
        for r in range(rounds):
            step(i, r)
            barrier.wait()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
