"""Runs in the sandbox beside the learner's basics.py; returns plain values only.

The probes hand the learner's functions small tasks of their own and record, from inside
those tasks, which thread ran them, with what arguments, and when.  Printed lines are
recorded per thread.  No probe starts a thread before the learner's code does, so the
default names Thread-1, Thread-2, ... are the learner's.
"""
import contextlib
import os
import subprocess
import sys
import threading
import time

import basics

from probekit.threads import keep, main_joins, thread_errors
from probekit.values import call, error_of, plain

TOGETHER = 1.5  # how long a task waits for its sibling tasks to be running too
JOIN_WAIT = 1.0  # how long a task waits for the main thread to call join()
EXIT_WAIT = 2.5  # how long a script may take to exit once its main code is done
MAIN = threading.main_thread()
THREAD_ERRORS = thread_errors()  # exceptions in learner threads, recorded


class Recorder:
    """sys.stdout replacement that remembers which thread wrote what."""

    def __init__(self):
        self.parts = []
        self._lock = threading.Lock()

    def write(self, text):
        with self._lock:
            self.parts.append((threading.current_thread().name, text))
        return len(text)

    def flush(self):
        pass

    def lines(self):
        return "".join(text for _, text in self.parts).splitlines()

    def by_thread(self):
        out = {}
        for name, text in self.parts:
            out[name] = out.get(name, "") + text
        return {name: text.splitlines() for name, text in out.items()}


MAIN_JOINED = main_joins()  # set once the main thread calls join()


def _wait_main_joins():
    # A task ends only once the main thread waits for it (or after JOIN_WAIT), so a
    # run_in_threads that does not join returns while its tasks are certainly unfinished.
    if threading.current_thread() is not MAIN:
        MAIN_JOINED.wait(JOIN_WAIT)


def run_calls(calls):
    """run_in_threads(work, calls); work records its arguments, thread, and timing."""
    together = threading.Barrier(len(calls))
    records = []

    def work(*args, **kwargs):
        me = threading.current_thread()
        record = {"args": list(args), "kwargs": dict(kwargs), "thread": me.name, "in_main": me is MAIN,
                  "together": True, "finished": False}
        records.append(record)
        try:
            together.wait(TOGETHER)  # all calls must be running at the same time
        except threading.BrokenBarrierError:
            record["together"] = False
        _wait_main_joins()
        record["finished"] = True

    value, error = call(lambda: basics.run_in_threads(work, [(tuple(a), dict(k)) for a, k in calls]))
    snapshot = [dict(r, finished_at_return=r["finished"]) for r in records]  # the moment run_in_threads returned
    return {"value": plain(value), "error": error, "records": snapshot, "thread_errors": THREAD_ERRORS}


def counter_threads(specs):
    """For each [count, name]: CounterThread(count) or CounterThread(count, name=name), start, join."""
    out = Recorder()
    keep(out)
    errors = []
    with contextlib.redirect_stdout(out):
        for count, name in specs:
            try:
                t = basics.CounterThread(count) if name is None else basics.CounterThread(count, name=name)
                if not isinstance(t, threading.Thread):
                    errors.append({"type": "NotAThread", "message": type(t).__name__, "traceback": ""})
                    continue
                t.start()
                t.join(JOIN_WAIT)
            except Exception as exc:
                errors.append(error_of(exc))
    return {"lines": out.lines(), "by_thread": out.by_thread(), "errors": errors, "thread_errors": THREAD_ERRORS}


def sing_everywhere(times):
    """sing(times) in threads named sing_thread and dance_thread, then in the main thread."""
    out = Recorder()
    keep(out)
    errors = []

    def guarded():
        value, error = call(lambda: basics.sing(times))
        if error:
            errors.append(error)

    with contextlib.redirect_stdout(out):
        for name in ("sing_thread", "dance_thread"):
            t = threading.Thread(target=guarded, name=name)
            t.start()
            t.join()
        guarded()
    return {"by_thread": out.by_thread(), "errors": errors}


def count(n):
    """count_threads(n), with Event.set made to return only once the threads that the call
    started have ended (or after JOIN_WAIT): threads woken by set() may end at any moment
    after it, so a count taken after set() is wrong on every run, not only when the new
    threads happen to be scheduled first."""
    before = set(threading.enumerate())
    original = threading.Event.set

    def set_then_let_them_end(event):
        original(event)
        # get_ident, not current_thread(): a new thread sets its _started Event before it is
        # registered, and current_thread() there would register a dummy thread.
        if threading.get_ident() == MAIN.ident and event is not MAIN_JOINED:
            end = time.monotonic() + JOIN_WAIT
            for t in [t for t in threading.enumerate() if t not in before]:
                with contextlib.suppress(RuntimeError):  # a thread still starting cannot be joined yet
                    t.join(max(0.0, end - time.monotonic()))

    threading.Event.set = set_then_let_them_end
    try:
        value, error = call(lambda: basics.count_threads(n))
    finally:
        threading.Event.set = original
    return {"value": plain(value), "error": error, "left": len(threading.enumerate())}



def count_joined(n):
    """count_threads(n), with the threads it started held alive after the Event woke them
    until the main thread calls join() on one (or JOIN_WAIT): a count taken after set()
    without joining sees them still running on every run, not only when they happen to be
    slow to end."""
    original = threading.Event.wait
    MAIN_JOINED.clear()

    def wait_then_stay(event, timeout=None):
        woken = original(event, timeout)
        if threading.get_ident() != MAIN.ident and event is not MAIN_JOINED:
            original(MAIN_JOINED, JOIN_WAIT)  # ends only once the main thread joins (or JOIN_WAIT)
        return woken

    threading.Event.wait = wait_then_stay
    try:
        value, error = call(lambda: basics.count_threads(n))
    finally:
        threading.Event.wait = original
    return {"value": plain(value), "error": error}

def daemon_started():
    """start_daemon(task, 7, "seven"): what came back, and how task ran."""
    ran = threading.Event()
    stop = threading.Event()
    got = []

    def task(*args):
        me = threading.current_thread()
        got.append({"args": list(args), "in_main": me is MAIN})
        ran.set()
        stop.wait(TOGETHER)  # still running when start_daemon returns, unless it waited for us

    start = time.monotonic()
    value, error = call(lambda: basics.start_daemon(task, 7, "seven"))
    elapsed = time.monotonic() - start
    is_thread = isinstance(value, threading.Thread)
    if is_thread:
        ran.wait(JOIN_WAIT)
    info = {"error": error, "type": type(value).__name__, "is_thread": is_thread, "elapsed": round(elapsed, 3),
            "daemon": value.daemon if is_thread else None, "alive": value.is_alive() if is_thread else None,
            "calls": got}
    stop.set()
    return info


_SCRIPT = """\
import sys
sys.path.insert(0, {cwd!r})
import threading
import basics
basics.start_daemon(threading.Event().wait)
print("over", flush=True)
"""


def _text(data):
    return (data or b"").decode("utf-8", "replace").replace(os.getcwd() + os.sep, "")


def daemon_exit():
    """A real script whose main code starts a daemon that waits for ever, then ends."""
    cmd = [sys.executable, "-I", "-S", "-c", _SCRIPT.format(cwd=os.getcwd())]
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=EXIT_WAIT, cwd=os.getcwd())
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
        return {"exited": False, "waited": EXIT_WAIT, "stdout": _text(exc.stdout)[-500:], "stderr": _text(exc.stderr)[-2000:]}
    return {"exited": True, "code": done.returncode, "elapsed": round(time.monotonic() - start, 3),
            "stdout": _text(done.stdout)[-500:], "stderr": _text(done.stderr)[-2000:]}
