"""Runs in the sandbox beside the learner's ordered.py; returns plain values only.

Every printed line is recorded with the thread that printed it.  A learner thread's first
print waits until the main thread calls join() (or run() has returned, or 1 s passed),
so a run() that does not join returns before any line is printed, on every run.  If run()
never returns (the notes' `while True`), the call hangs and the grader's timeout reports
where each thread was.
"""
import contextlib
import threading

import ordered

from probekit.threads import keep, main_joins, thread_errors
from probekit.values import error_of

MAIN = threading.main_thread()
JOIN_WAIT = 1.0
THREAD_ERRORS = thread_errors()  # exceptions in learner threads, recorded
RELEASED = main_joins()  # set once the main thread calls join(), or run() returned


def _wait_for_join():
    if not RELEASED.wait(JOIN_WAIT):
        RELEASED.set()  # the learner waits some other way: let every thread go on


class Recorder:
    """sys.stdout replacement: each thread's text, then its complete lines in order."""

    def __init__(self, keep):
        self.keep = keep  # a program that never stops must not fill the memory
        self.lines = []  # [thread ident, thread name, line]
        self.total = 0
        self._partial = {}
        self._lock = threading.Lock()

    def write(self, text):
        me = threading.current_thread()
        if me is not MAIN:
            _wait_for_join()
        with self._lock:
            whole = self._partial.pop(me.ident, "") + text
            *complete, rest = whole.split("\n")
            if rest:
                self._partial[me.ident] = rest
            for line in complete:
                self.total += 1
                if len(self.lines) < self.keep:
                    self.lines.append([me.ident, me.name, line])
        return len(text)

    def flush(self):
        pass


def run(rounds):
    out = Recorder(keep=3 * rounds + 30)
    keep(out)
    error = None
    with contextlib.redirect_stdout(out):
        try:
            value = ordered.run(rounds)
        except Exception as exc:
            value, error = None, error_of(exc)
        lines = list(out.lines)  # as they were the moment run() returned
        alive = [t.name for t in threading.enumerate() if t is not MAIN and t.is_alive()]
        RELEASED.set()
    printers = {}  # line -> [{"ident": thread ident, "name": thread name}, ...], each thread once
    for ident, name, text in lines:
        who = printers.setdefault(text, [])
        if {"ident": ident, "name": name} not in who:
            who.append({"ident": ident, "name": name})
    return {"lines": [text for _, _, text in lines], "total": out.total, "printers": printers, "alive": alive,
            "main": MAIN.ident, "value": repr(value) if value is not None else None, "error": error,
            "thread_errors": THREAD_ERRORS}
