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


def run(thread_count, times):
    """run_threads(counter, thread_count, times) under forced switching."""
    sys.setswitchinterval(1e-6)
    counter = Counter(thread_count)
    try:
        value, error = race.run_threads(counter, thread_count, times), None
    except Exception as exc:
        value, error = None, error_of(exc)
    out = counter.result()  # taken the moment run_threads returned
    out.update(value=value if isinstance(value, (int, type(None))) else repr(value), error=error,
               thread_errors=THREAD_ERRORS)
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
