"""Runs in the sandbox beside the learner's deadlock.py; returns plain values only.

The locks the learner's code takes are replaced by WatchedLocks: real locks that also keep
track of who holds them and who waits for them.  With that, the `pause` handed to the
learner (the notes' time.sleep(1) between the two acquire calls) waits exactly until every
other worker thread holds a lock, waits for one, or has ended.  A lock order that can
deadlock therefore deadlocks on every run, and a safe one never waits in vain.

A deadlock is not detected here: the probe just joins the threads, the call hangs, and the
grader's timeout reports every thread's stack (the learner's line waiting for the lock).
"""
import contextlib
import sys
import threading
import time

import deadlock

from probekit.threads import keep, thread_errors
from probekit.values import error_of

SETTLE_WAIT = 1.5  # pause() never waits longer than this for the other threads to settle
STATE = threading.Condition()  # guards the bookkeeping below
HELD = {}  # thread ident -> names of the watched locks it holds
WAITING = {}  # thread ident -> name of the watched lock it waits for
THREAD_ERRORS = thread_errors()  # exceptions in learner threads, recorded


def _announce(threads):
    """Tell the grader each worker's thread id, so a hang report can name the threads."""
    for t in threads:
        print(f"grader-thread {t.name} 0x{t.ident:016x}", file=sys.__stderr__, flush=True)


class WatchedLock:
    """threading.Lock's interface, over a real Lock, telling the probe who holds and who waits."""

    def __init__(self, name):
        self.name = name
        self.owner = None
        self._lock = threading.Lock()

    def acquire(self, blocking=True, timeout=-1):
        me = threading.get_ident()
        with STATE:
            WAITING[me] = self.name
            STATE.notify_all()
        got = False
        try:
            got = self._lock.acquire(blocking, timeout)
        finally:
            with STATE:
                WAITING.pop(me, None)
                if got:
                    self.owner = me
                    HELD.setdefault(me, []).append(self.name)
                STATE.notify_all()
        return got

    def release(self):
        with STATE:
            if not self._lock.locked():
                raise RuntimeError("release unlocked lock")
            if self.owner is not None and self.name in HELD.get(self.owner, []):
                HELD[self.owner].remove(self.name)
            self.owner = None
            self._lock.release()
            STATE.notify_all()

    def locked(self):
        return self._lock.locked()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


class Pause:
    """The `pause` argument: the first call in each worker waits until the others settle."""

    def __init__(self, workers):
        self.workers = workers
        self.calls = []  # {"thread": name, "held": locks it held}
        self._done = set()

    def __call__(self):
        me = threading.current_thread()
        with STATE:
            if sum(c["thread"] == me.name for c in self.calls) < 3:  # enough to show where pause() was called
                self.calls.append({"thread": me.name, "held": list(HELD.get(me.ident, []))})
            if me.ident in self._done:
                return
            self._done.add(me.ident)
            end = time.monotonic() + SETTLE_WAIT
            while not self._settled(me) and time.monotonic() < end:
                STATE.wait(0.005)  # threads that end do not notify: look again soon

    def _settled(self, me):
        for t in self.workers:
            if t is me:
                continue
            if t.ident is None:  # not started yet
                return False
            if t.is_alive() and not (HELD.get(t.ident) or t.ident in WAITING):
                return False
        return True


class Recorder:
    """sys.stdout replacement: each line with the thread that printed it and the locks it held."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        me = threading.current_thread()
        for part in text.splitlines():
            if part:
                with STATE:
                    self.lines.append({"thread": me.name, "text": part, "held": sorted(HELD.get(me.ident, []))})
        return len(text)

    def flush(self):
        pass


def get_values(indexes):
    """get_value(i) for each i, in the main thread, in turn (the notes' main)."""
    out = Recorder()
    keep(out)
    values, error = [], None
    with contextlib.redirect_stdout(out):
        for index in indexes:
            try:
                values.append(deadlock.get_value(index))
            except Exception as exc:
                error = error_of(exc, index=index)
                break
    return {"values": values, "lines": [line["text"] for line in out.lines], "error": error,
            "locked_after": deadlock.lock.locked()}


def two_tasks():
    """task1 and task2 in two threads, started together, with the watched mutexA and mutexB."""
    deadlock.mutexA = WatchedLock("mutexA")
    deadlock.mutexB = WatchedLock("mutexB")
    pause = Pause([])
    pause.workers = [threading.Thread(target=getattr(deadlock, name), args=(pause,), name=name) for name in ("task1", "task2")]
    threads = pause.workers
    out = Recorder()
    keep(out)
    with contextlib.redirect_stdout(out):
        for t in threads:
            t.start()
        _announce(threads)
        for t in threads:
            t.join()  # a deadlock hangs here; the grader's timeout shows every thread's stack
    return {"lines": out.lines, "pauses": pause.calls, "thread_errors": THREAD_ERRORS}


class Account:
    """What transfer gets: .name, .lock, and .balance, which may only be used holding .lock."""

    def __init__(self, name, balance, misuse):
        self.name = name
        self.lock = WatchedLock(f"{name}.lock")
        self._balance = balance
        self._misuse = misuse

    def _check(self, what):
        me = threading.current_thread()
        if self.lock.owner != me.ident and len(self._misuse) < 5:
            self._misuse.append([me.name, what, self.name])

    @property
    def balance(self):
        self._check("read")
        return self._balance

    @balance.setter
    def balance(self, value):
        self._check("write")
        self._balance = value


def transfers(routes, rounds, start=1000):
    """One thread per [src, dst, amount] route, each calling transfer(src, dst, amount, pause) rounds times."""
    misuse = []
    accounts = {}
    for src, dst, _ in routes:
        for name in (src, dst):
            accounts.setdefault(name, Account(name, start, misuse))
    errors = []

    def worker(src, dst, amount):
        for _ in range(rounds):
            try:
                deadlock.transfer(accounts[src], accounts[dst], amount, pause)
            except Exception as exc:
                errors.append(error_of(exc, thread=threading.current_thread().name))
                return

    threads = [threading.Thread(target=worker, args=tuple(route), name=f"{route[0]}->{route[1]}") for route in routes]
    pause = Pause(threads)
    for t in threads:
        t.start()
    _announce(threads)
    for t in threads:
        t.join()  # a deadlock hangs here; the grader's timeout shows every thread's stack
    return {"balances": {name: acc._balance for name, acc in accounts.items()}, "misuse": misuse,
            "pauses": pause.calls, "errors": errors[:3], "thread_errors": THREAD_ERRORS}
