"""Runs in the sandbox beside the learner's threadlocal.py; returns plain values only.

Users are objects of the probe (so the probe can tell, with a weak reference, whether the
learner's module still holds one after its thread has ended).  Concurrent requests meet at
a barrier after every thread has set its context and before any reads it back, so a
context shared between threads shows up on every run.
"""
import gc
import random
import threading
import weakref

import threadlocal

from probekit.threads import thread_errors
from probekit.values import error_of

MEET_WAIT = 2.0  # how long the threads wait for each other at the barrier
THREAD_ERRORS = thread_errors()  # exceptions in learner threads, recorded
NAMES = ["张三", "李四", "王五", "赵六", "zzy", "alice", "bob", "carol", "dave", "erin", "frank", "grace"]
PATHS = ["/", "/index.html", "/login", "/goods", "/cart", "/order", "/user/1", "/search?q=锁"]


class User:
    """A user object of the probe's; weak-referenceable, printed as its name."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"User({self.name!r})"


def _plain(value):
    if isinstance(value, User):
        return value.name
    if isinstance(value, (type(None), bool, int, float, str)):
        return value
    return repr(value)


def _read(what):
    """Call one learner function; its result as a plain value, or the exception's text."""
    try:
        return _plain(getattr(threadlocal, what)())
    except Exception as exc:
        return f"<{type(exc).__name__}: {exc}>"


def _context():
    """What nested code sees, read without passing anything down."""
    return {"user": _read("current_user"), "path": _read("current_path"), "greeting": _read("greeting")}


def _handle(user, path, handler, errors):
    try:
        value = threadlocal.handle_request(user, path, handler)
        return value if isinstance(value, (dict, list)) else _plain(value)  # the handlers return dicts and lists
    except Exception as exc:
        errors.append(error_of(exc, thread=threading.current_thread().name))
        return None


def nested(name, path):
    """In the main thread: before any request, then inside handle_request's handler (nested calls)."""
    errors = []
    before = {"user": _read("current_user"), "path": _read("current_path")}

    def handler():
        return {"inner": level_one()}

    def level_one():
        return level_two()

    def level_two():
        return _context()

    returned = _handle(User(name), path, handler, errors)
    return {"before": before, "returned": returned, "errors": errors}


def concurrent(count, seed):
    """count threads handle one request each at the same time; then the main thread looks."""
    rng = random.Random(seed)
    requests = [[f"{rng.choice(NAMES)}#{i + 1}", rng.choice(PATHS)] for i in range(count)]
    meet = threading.Barrier(count)
    seen = {}
    errors = []

    def handler():
        try:
            meet.wait(MEET_WAIT)  # every thread has set its context before any reads it
        except threading.BrokenBarrierError:
            pass
        first = _context()
        try:
            meet.wait(MEET_WAIT)  # and once more, after every thread has read
        except threading.BrokenBarrierError:
            pass
        return [first, _context()]

    def worker(i):
        name, path = requests[i]
        seen[i] = _handle(User(name), path, handler, errors)

    threads = [threading.Thread(target=worker, args=(i,), name=f"req-{i + 1}") for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": requests, "seen": [seen.get(i) for i in range(count)],
            "main": {"user": _read("current_user"), "path": _read("current_path")},
            "errors": errors[:3], "thread_errors": THREAD_ERRORS}


def after_thread_ends():
    """A thread named worker handles a request and ends; then a new thread named worker looks."""
    errors = []
    refs = []

    def first():
        user = User("alice")
        refs.append(weakref.ref(user))
        _handle(user, "/secret", lambda: None, errors)

    t = threading.Thread(target=first, name="worker")
    t.start()
    t.join()
    gc.collect()
    kept = refs[0]() is not None if refs else None
    fresh = {}

    def second():
        fresh.update(user=_read("current_user"), path=_read("current_path"))

    t = threading.Thread(target=second, name="worker")
    t.start()
    t.join()
    return {"kept": kept, "fresh": fresh, "errors": errors, "thread_errors": THREAD_ERRORS}
