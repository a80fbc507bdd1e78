"""Runs in the sandbox beside the learner's work_queue.py; returns plain values only.

The handle / fn functions given to the learner's code log every call (item, thread, time
order) under the probe's own lock; some of them wait for each other so that concurrency
is measured, and the item source can be slower than the consumers.  Learner calls run in
a daemon thread with a timeout, so a pool that never ends comes back as a finding.
"""
import functools
import os
import random
import threading
import time
import traceback

import work_queue

WAIT = 3.0  # how long anything that should happen at once may take, on a loaded machine
TOTAL = 6.0  # every probe function returns within this (the check's timeout is 8 s)
MINE = "grader-probe"  # the probe's own threads are named so, to tell them from the learner's
_END = [0.0]


def _bounded(func):
    @functools.wraps(func)
    def run(*args):
        _END[0] = time.monotonic() + TOTAL
        return func(*args)
    return run


def _t(seconds=WAIT):
    """A wait of `seconds`, cut short so that the probe function stays within TOTAL."""
    return max(0.05, min(seconds, _END[0] - time.monotonic()))


def _error(exc):
    tb = traceback.format_exception(exc)
    return {"type": type(exc).__name__, "message": str(exc),
            "traceback": "".join(tb).replace(os.getcwd() + os.sep, "")[-3000:]}


def _thread(target, *args):
    return threading.Thread(target=target, args=args, daemon=True, name=f"{MINE}-{target.__name__}")


def _within(seconds, call):
    """Run call() in a daemon thread: {"done", "value", "error"}; done False if it blocked."""
    out = {"done": False, "value": None, "error": None}

    def run():
        try:
            out["value"] = call()
        except Exception as exc:  # the check reports the learner's exception
            out["error"] = _error(exc)
        out["done"] = True

    t = _thread(run)
    t.start()
    t.join(seconds)
    value = out["value"]
    if not _is_plain(value):
        value = repr(value)
    return {"done": out["done"], "value": value, "error": out["error"]}


def _is_plain(value):
    if isinstance(value, (type(None), bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def _learner_threads(before):
    return [t for t in threading.enumerate() if t not in before and not t.name.startswith(MINE)]


def _left_running(before, grace=1.0):
    """Learner threads still alive after `grace` seconds (polled: they may be finishing)."""
    end = time.monotonic() + _t(grace)
    while _learner_threads(before) and time.monotonic() < end:
        time.sleep(0.005)  # polling the thread list
    return len(_learner_threads(before))


def _hold(cond, seconds):
    """Wait on cond (its lock held) for `seconds` in all, however often it is notified."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        cond.wait(left)


class _Log:
    """Calls of handle / fn: which item, in which thread, in what order."""

    def __init__(self):
        self.lock = threading.Condition()
        self.calls = []
        self.done = 0

    def enter(self, item):
        with self.lock:
            self.calls.append([item, threading.get_ident()])

    def leave(self):
        with self.lock:
            self.done += 1
            self.lock.notify_all()


# -- process_all ------------------------------------------------------------------------------
@_bounded
def process(n, workers, delay):
    """process_all(range(n), handle, workers); handle takes `delay` s per item."""
    before = set(threading.enumerate())
    log = _Log()
    caller = []

    def handle(item):
        log.enter(item)
        time.sleep(delay)  # the work of one item
        log.leave()

    def call():
        caller.append(threading.get_ident())  # the producer: the thread calling process_all
        return work_queue.process_all(list(range(n)), handle, workers)

    got = _within(_t(), call)
    main = caller[0] if caller else None
    with log.lock:
        done_at_return = log.done if got["done"] else None
    left = _left_running(before)  # threads that were not joined get a moment to finish their items
    with log.lock:
        calls = [list(c) for c in log.calls]
    return {**got, "done_at_return": done_at_return, "items": sorted(c[0] for c in calls),
            "threads": len({c[1] for c in calls}), "in_caller": sum(c[1] == main for c in calls), "left_running": left}


@_bounded
def process_concurrency(n, workers, hold):
    """handle waits until `workers` calls are in progress at once (or 3 s), then `hold` s."""
    changed = threading.Condition()
    st = {"active": 0, "max": 0, "finished": 0, "gave_up": False}

    def handle(item):
        with changed:
            st["active"] += 1
            st["max"] = max(st["max"], st["active"])
            changed.notify_all()
            end = time.monotonic() + WAIT
            while not st["gave_up"] and st["active"] < min(workers, n - st["finished"]):
                left = end - time.monotonic()
                if left <= 0:
                    st["gave_up"] = True
                    changed.notify_all()
                    break
                changed.wait(left)
            _hold(changed, hold)  # stay a moment, so that any extra thread would show up
            st["active"] -= 1
            st["finished"] += 1
            changed.notify_all()

    got = _within(_t(), lambda: work_queue.process_all(list(range(n)), handle, workers))
    return {**got, "max": st["max"], "gave_up": st["gave_up"], "finished": st["finished"]}


@_bounded
def process_slow_producer(n, workers, gated):
    """The items come from a generator that, for its first `gated` items, waits until the
    previous item was handled (up to 0.5 s) before producing the next one: the queue is
    empty now and then although the producer is not finished."""
    log = _Log()
    handled = threading.Event()

    def items():
        for i in range(n):
            if 0 < i <= gated:
                handled.wait(0.5)  # consumers are faster than this producer
                handled.clear()
            yield i

    def handle(item):
        log.enter(item)
        log.leave()
        handled.set()

    got = _within(_t(), lambda: work_queue.process_all(items(), handle, workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "items": calls}


# -- LifoQueue / PriorityQueue ------------------------------------------------------------------
@_bounded
def lifo(items):
    return _within(_t(), lambda: work_queue.lifo(list(items)))


@_bounded
def priority(jobs):
    return _within(_t(), lambda: work_queue.by_priority([tuple(j) for j in jobs]))


class Job(dict):
    """A job that cannot be ordered: comparing two of them raises TypeError, as dicts do."""


@_bounded
def priority_objects(jobs):
    """by_priority with jobs that cannot be compared; returns their names in the order given back."""
    made = [(p, Job(name=name)) for p, name in jobs]
    raw = []
    got = _within(_t(), lambda: raw.append(work_queue.by_priority(made)))
    if raw:
        out = raw[0]
        got["value"] = [j.get("name") if isinstance(j, dict) else repr(j) for j in out] if isinstance(out, list) else repr(out)
    return got


# -- parallel_map -----------------------------------------------------------------------------
@_bounded
def pmap_order(n, workers, seed):
    """fn(x) = x * x after a random pause (seeded), so items finish out of order."""
    rng = random.Random(seed)
    pauses = [rng.uniform(0.0, 0.03) for _ in range(n)]
    log = _Log()
    before = set(threading.enumerate())

    def fn(x):
        log.enter(x)
        time.sleep(pauses[x])  # random work, so results come back out of input order
        log.leave()
        return x * x

    got = _within(_t(), lambda: work_queue.parallel_map(fn, list(range(n)), workers))
    empty = _within(_t(), lambda: work_queue.parallel_map(fn, [], workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "calls": calls, "empty": empty, "left_running": _left_running(before)}


@_bounded
def pmap_concurrency(n, workers, hold):
    changed = threading.Condition()
    st = {"active": 0, "max": 0, "finished": 0, "gave_up": False}

    def fn(x):
        with changed:
            st["active"] += 1
            st["max"] = max(st["max"], st["active"])
            changed.notify_all()
            end = time.monotonic() + WAIT
            while not st["gave_up"] and st["active"] < min(workers, n - st["finished"]):
                left = end - time.monotonic()
                if left <= 0:
                    st["gave_up"] = True
                    changed.notify_all()
                    break
                changed.wait(left)
            _hold(changed, hold)  # stay a moment, so that any extra thread would show up
            st["active"] -= 1
            st["finished"] += 1
            changed.notify_all()
        return x

    got = _within(_t(), lambda: work_queue.parallel_map(fn, list(range(n)), workers))
    return {**got, "max": st["max"], "gave_up": st["gave_up"]}


class ItemError(ValueError):
    """Raised by the probe's fn for the items it is told to fail on."""


@_bounded
def pmap_errors(n, workers, bad):
    log = _Log()
    before = set(threading.enumerate())

    def fn(x):
        log.enter(x)
        log.leave()
        if x in bad:
            raise ItemError(f"bad item {x}")
        return x + 1

    got = _within(_t(), lambda: work_queue.parallel_map(fn, list(range(n)), workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "calls": calls, "left_running": _left_running(before)}
