"""Runs in the sandbox beside the learner's work_queue.py; returns plain values only.

The handle / fn functions given to the learner's code log every call (item, thread, time
order) under the probe's own lock; some of them wait for each other so that concurrency
is measured, and the item source can be slower than the consumers.  Learner calls run in
a daemon thread with a timeout, so a pool that never ends comes back as a finding.
"""
import random
import threading
import time

import work_queue

from probekit.threads import WAIT, bounded, budget, learner_threads, within


def _left_running(before, grace=1.0):
    """Learner threads still alive after `grace` seconds (polled: they may be finishing)."""
    end = time.monotonic() + budget(grace)
    while learner_threads(before) and time.monotonic() < end:
        time.sleep(0.005)  # polling the thread list
    return len(learner_threads(before))


def _hold(cond, seconds):
    """Wait on cond (its lock held) for `seconds` in all, however often it is notified."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        cond.wait(left)


class _Crowd:
    """The work handed to process_all / parallel_map when concurrency is measured: each call
    waits until `workers` calls are in progress at once (or WAIT s), then stays `hold` s, so
    that any extra thread would show up; it returns its item."""

    def __init__(self, n, workers, hold):
        self.n, self.workers, self.hold = n, workers, hold
        self.changed = threading.Condition()
        self.active = self.max = self.finished = 0
        self.gave_up = False

    def __call__(self, item):
        with self.changed:
            self.active += 1
            self.max = max(self.max, self.active)
            self.changed.notify_all()
            end = time.monotonic() + WAIT
            while not self.gave_up and self.active < min(self.workers, self.n - self.finished):
                left = end - time.monotonic()
                if left <= 0:
                    self.gave_up = True
                    self.changed.notify_all()
                    break
                self.changed.wait(left)
            _hold(self.changed, self.hold)  # stay a moment, so that any extra thread would show up
            self.active -= 1
            self.finished += 1
            self.changed.notify_all()
        return item


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
@bounded
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

    got = within(budget(), call)
    main = caller[0] if caller else None
    with log.lock:
        done_at_return = log.done if got["done"] else None
    left = _left_running(before)  # threads that were not joined get a moment to finish their items
    with log.lock:
        calls = [list(c) for c in log.calls]
    return {**got, "done_at_return": done_at_return, "items": sorted(c[0] for c in calls),
            "threads": len({c[1] for c in calls}), "in_caller": sum(c[1] == main for c in calls), "left_running": left}


@bounded
def process_concurrency(n, workers, hold):
    """handle waits until `workers` calls are in progress at once (or 3 s), then `hold` s."""
    crowd = _Crowd(n, workers, hold)
    got = within(budget(), lambda: work_queue.process_all(list(range(n)), crowd, workers))
    return {**got, "max": crowd.max, "gave_up": crowd.gave_up, "finished": crowd.finished}


@bounded
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

    got = within(budget(), lambda: work_queue.process_all(items(), handle, workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "items": calls}


# -- LifoQueue / PriorityQueue ------------------------------------------------------------------
@bounded
def lifo(items):
    return within(budget(), lambda: work_queue.lifo(list(items)))


@bounded
def priority(jobs):
    return within(budget(), lambda: work_queue.by_priority([tuple(j) for j in jobs]))


class Job(dict):
    """A job that cannot be ordered: comparing two of them raises TypeError, as dicts do."""


@bounded
def priority_objects(jobs):
    """by_priority with jobs that cannot be compared; returns their names in the order given back."""
    made = [(p, Job(name=name)) for p, name in jobs]
    raw = []
    got = within(budget(), lambda: raw.append(work_queue.by_priority(made)))
    if raw:
        out = raw[0]
        got["value"] = [j.get("name") if isinstance(j, dict) else repr(j) for j in out] if isinstance(out, list) else repr(out)
    return got


# -- parallel_map -----------------------------------------------------------------------------
@bounded
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

    got = within(budget(), lambda: work_queue.parallel_map(fn, list(range(n)), workers))
    empty = within(budget(), lambda: work_queue.parallel_map(fn, [], workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "calls": calls, "empty": empty, "left_running": _left_running(before)}


@bounded
def pmap_concurrency(n, workers, hold):
    crowd = _Crowd(n, workers, hold)
    got = within(budget(), lambda: work_queue.parallel_map(crowd, list(range(n)), workers))
    return {**got, "max": crowd.max, "gave_up": crowd.gave_up}


class ItemError(ValueError):
    """Raised by the probe's fn for the items it is told to fail on."""


@bounded
def pmap_errors(n, workers, bad):
    log = _Log()
    before = set(threading.enumerate())

    def fn(x):
        log.enter(x)
        log.leave()
        if x in bad:
            raise ItemError(f"bad item {x}")
        return x + 1

    got = within(budget(), lambda: work_queue.parallel_map(fn, list(range(n)), workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "calls": calls, "left_running": _left_running(before)}
