"""Learner threads under watch: their exceptions recorded, calls that may block given a time
limit, and a probe function's total time kept within the check's timeout."""
import functools
import os
import sys
import threading
import time
import traceback

from .values import error_of, plain

WAIT = 3.0  # how long anything that should happen at once may take, on a loaded machine
TOTAL = 6.0  # a bounded probe function returns within this (the check's timeout is longer)
MINE = "grader-probe"  # the probe's own threads are named so, to tell them from the learner's

_ERRORS = []
_END = [0.0]
_KEPT = []
_MAIN_JOINS = threading.Event()


def _record(args):
    """threading.excepthook: an exception in a learner thread is recorded, not just printed."""
    _ERRORS.append(dict(error_of(args.exc_value), thread=getattr(args.thread, "name", "?")))


def thread_errors() -> list:
    """The exceptions raised in threads from now on, each {type, message, traceback, thread}
    (the same list every time; recording starts at the first call)."""
    threading.excepthook = _record
    return _ERRORS


def keep(obj):
    """Keep ``obj`` referenced until the process ends.  For a sys.stdout replacement: in Python
    3.11 print() holds only a borrowed reference to sys.stdout, so a learner thread still
    printing after the probe restored sys.stdout would write into a freed object and crash
    the process (SIGSEGV)."""
    _KEPT.append(obj)
    return obj


def main_joins() -> threading.Event:
    """An Event set as soon as the main thread calls join() on a thread (Thread.join is wrapped
    on the class, so every Thread and subclass of the learner's uses it; the probe may set the
    Event itself too).  The same Event every time."""
    if threading.Thread.join is not _join:
        _JOIN.append(threading.Thread.join)
        threading.Thread.join = _join
    return _MAIN_JOINS


_JOIN = []


def _join(self, timeout=None):
    if threading.current_thread() is threading.main_thread():
        _MAIN_JOINS.set()
    return _JOIN[0](self, timeout)


def bounded(func):
    """Give a probe function TOTAL seconds in all: every wait inside takes budget() at most."""

    @functools.wraps(func)
    def run(*args):
        _END[0] = time.monotonic() + TOTAL
        return func(*args)
    return run


def budget(seconds=WAIT) -> float:
    """A wait of ``seconds``, cut short so that the bounded probe function stays within TOTAL."""
    return max(0.05, min(seconds, _END[0] - time.monotonic()))


def thread(target, *args) -> threading.Thread:
    """A daemon thread of the probe's own (named so that learner_threads() leaves it out)."""
    return threading.Thread(target=target, args=args, daemon=True, name=f"{MINE}-{target.__name__}")


def learner_threads(before) -> list:
    """Threads started since ``before`` (a set of threads) that are not the probe's own."""
    return [t for t in threading.enumerate() if t not in before and not t.name.startswith(MINE)]


def within(seconds, call, raw=False) -> dict:
    """Run ``call()`` in a daemon thread: {"done", "value", "error", "stack"}; done is False if
    it was still blocked after ``seconds`` (the thread is left to the process's end), and then
    ``stack`` says where.  The value as plain data (tuples kept), or with ``raw`` the learner's
    own object, for the probe to use."""
    out = {"done": False, "value": None, "error": None}

    def run():
        try:
            out["value"] = call()
        except Exception as exc:  # the check reports the learner's exception
            out["error"] = error_of(exc)
        out["done"] = True

    t = thread(run)
    t.start()
    t.join(seconds)
    stack = "" if out["done"] else stacks(first=t)
    value = out["value"] if raw else plain(out["value"], tuples=True)
    return {"done": out["done"], "value": value, "error": out["error"], "stack": stack}


def stacks(first=None, limit=4000) -> str:
    """Where the blocked call (thread ``first``) and every learner thread are now: a hang
    the probe caught in its own bounded wait is shown as the grader shows any hang."""
    frames = sys._current_frames()
    shown = []
    order = ([first] if first is not None else []) + [t for t in threading.enumerate()
                                                        if t is not first and not t.name.startswith(MINE)
                                                        and t is not threading.current_thread()]
    for t in order:
        frame = frames.get(t.ident)
        if frame is not None:
            text = "".join(traceback.format_stack(frame)).replace(os.getcwd() + os.sep, "")
            label = "the call" if t is first else t.name
            shown.append(f"--- 线程 / thread {label} ---\n{text[-1500:]}")
    return "\n".join(shown)[-limit:]
