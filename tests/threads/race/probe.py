"""Runs in the sandbox beside the learner's race.py; returns plain values only.

Why a counter object and not the notes' `n += 1`: since CPython 3.10 the interpreter only
switches threads at a few points (calls, loop back-edges), so `n += 1` on a global almost
never loses an update and a missing lock would go unnoticed.  Here one addition is two
calls, counter.read() and counter.write(v + 1), and the probe makes the race happen on
every run rather than by luck:

- sys.setswitchinterval(1e-6) asks the interpreter to switch threads as often as it can;
- every worker's first read() waits until all the workers have been started, so they all
  run at the same time;
- read() and write() each give up the GIL (time.sleep(0)) inside the read-modify-write
  window, so whenever that window is not protected another thread gets in.

The counter itself lives on the suite's side (learner.serve): read() and write() here are
requests to it, and it records every overlap of two read-modify-write windows, so a missing
or misplaced lock is reported even on a run where, by chance, no update was lost, and no
code in this process can change that record.  With a correct lock there is never an overlap,
whatever the timing.
"""
import sys
import threading
import time

import race

from probekit.remote import proxy
from probekit.threads import thread_errors
from probekit.values import error_of

GATE_WAIT = 1.0  # how long the first worker waits for all the workers to have been started
MAIN = threading.main_thread()
THREAD_ERRORS = thread_errors()  # exceptions in learner threads, recorded


class Counter:
    """The shared counter handed to the learner: read() and write(value), nothing else.
    The value and the record of who read and wrote it are kept by the suite."""

    def __init__(self, workers):
        self._remote = proxy("counter")
        self._workers = workers
        self._gate = threading.Event()
        self._started = set()
        self.gate_timed_out = False
        self.writers = {}

    def _wait_for_all_workers(self):
        end = time.monotonic() + GATE_WAIT
        while not self._gate.is_set():
            if threading.active_count() - 1 >= self._workers:
                self._gate.set()
            elif time.monotonic() > end:
                self.gate_timed_out = True
                self._gate.set()
            else:
                self._gate.wait(0.0005)

    def read(self):
        me = threading.current_thread()
        if me is not MAIN and me.ident not in self._started:
            self._started.add(me.ident)
            self._wait_for_all_workers()
        value = self._remote.read()
        time.sleep(0)  # let another thread run between this read and the write back
        return value

    def write(self, value):
        time.sleep(0)  # and once more just before the value is stored
        me = threading.current_thread()
        if me is not MAIN:
            self.writers[me.ident] = me
        self._remote.write(value)

    def result(self):
        """What only this process can tell: the learner's threads, and whether they met."""
        self._remote.returned()  # the suite notes the value at this moment
        return {"threads": len(self.writers), "alive": sum(t.is_alive() for t in self.writers.values()),
                "gate_timed_out": self.gate_timed_out}


class TurnTakingMutex:
    """The module's mutex, wrapped for one run: a worker thread's first release() returns only
    once every worker has held the lock once (at most GATE_WAIT after the first acquire).
    Locked around each read + write back, every thread then does its first addition before
    any does its second, so the threads' additions interleave on every run; locked around a
    whole add() call, each thread still does all of its additions alone."""

    def __init__(self, lock, workers):
        self._lock = lock
        self._workers = workers
        self._guard = threading.Lock()
        self._holders = set()  # worker threads that have held the lock
        self._released = set()
        self._everyone = threading.Event()
        self._deadline = None

    def acquire(self, *args, **kwargs):
        got = self._lock.acquire(*args, **kwargs)
        me = threading.get_ident()
        if got and me != MAIN.ident:
            with self._guard:
                if self._deadline is None:
                    self._deadline = time.monotonic() + GATE_WAIT
                self._holders.add(me)
                if len(self._holders) >= self._workers:
                    self._everyone.set()
        return got

    def release(self):
        self._lock.release()
        me = threading.get_ident()
        if me != MAIN.ident and me not in self._released:
            self._released.add(me)
            self._everyone.wait(max(0.0, self._deadline - time.monotonic()) if self._deadline else 0.0)

    def locked(self):
        return self._lock.locked()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def holders(self):
        return len(self._holders)


def run(thread_count, times, take_turns=False):
    """run_threads(counter, thread_count, times) under forced switching; with take_turns, the
    module's mutex is a TurnTakingMutex for the call."""
    sys.setswitchinterval(1e-6)
    counter = Counter(thread_count)
    original = getattr(race, "mutex", None)
    wrapped = None
    if take_turns and hasattr(original, "acquire") and hasattr(original, "release"):
        wrapped = race.mutex = TurnTakingMutex(original, thread_count)
    try:
        value, error = race.run_threads(counter, thread_count, times), None
    except Exception as exc:
        value, error = None, error_of(exc)
    finally:
        if wrapped is not None:
            race.mutex = original
    out = counter.result()  # taken the moment run_threads returned
    out.update(value=value if isinstance(value, (int, type(None))) else repr(value), error=error,
               thread_errors=THREAD_ERRORS, mutex_holders=wrapped.holders() if wrapped else None)
    return out


def add_alone(thread_count, times):
    """The probe's own thread_count threads each call add(counter, times) directly."""
    sys.setswitchinterval(1e-6)
    counter = Counter(thread_count)
    threads = [threading.Thread(target=race.add, args=(counter, times), name=f"probe-{i + 1}")
               for i in range(thread_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return dict(counter.result(), value=None, error=None, thread_errors=THREAD_ERRORS)
