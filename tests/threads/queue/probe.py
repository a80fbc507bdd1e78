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

from probekit.threads import MINE, WAIT, bounded, budget, learner_threads, within


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
_BOOT = threading.Thread._bootstrap_inner.__code__  # the frame that calls a thread's run()


class _HeldEnds:
    """While active, every learner thread started from then on stays alive at the very end of
    its run() (the profile hook sees run() return) until someone calls join() or is_alive() on
    it, or `release()` is called, or `bound` s passed.  A process_all that joins its consumers
    is not slowed down; one that does not join them returns while they are certainly alive."""

    def __init__(self, bound):
        self.bound = bound
        self.changed = threading.Condition()
        self.asked = set()
        self.released = False
        self.join = self.is_alive = None

    def _hook(self, frame, event, arg):
        if event == "return" and frame.f_code.co_name == "run" and frame.f_back is not None and frame.f_back.f_code is _BOOT:
            me = threading.current_thread()
            if not me.name.startswith(MINE):
                end = time.monotonic() + self.bound
                with self.changed:
                    while me not in self.asked and not self.released and (left := end - time.monotonic()) > 0:
                        self.changed.wait(left)

    def _ask(self, thread):
        with self.changed:
            self.asked.add(thread)
            self.changed.notify_all()

    def __enter__(self):
        held, join, is_alive = self, threading.Thread.join, threading.Thread.is_alive

        def joining(thread, timeout=None):
            held._ask(thread)
            return join(thread, timeout)

        def asking(thread):
            held._ask(thread)
            return is_alive(thread)

        self.join, self.is_alive = join, is_alive
        threading.Thread.join, threading.Thread.is_alive = joining, asking
        threading.setprofile(self._hook)
        return self

    def release(self):
        threading.setprofile(None)
        if self.join is not None:
            threading.Thread.join, threading.Thread.is_alive = self.join, self.is_alive
            self.join = None
        with self.changed:
            self.released = True
            self.changed.notify_all()

    def __exit__(self, *exc):
        self.release()
        return False


@bounded
def process(n, workers, delay, hold_ends=False):
    """process_all(range(n), handle, workers); handle takes `delay` s per item.  With
    `hold_ends`, every learner thread is kept alive at the end of its run() until it is joined
    (or 1 s), so threads that process_all did not join are alive when it returns."""
    before = set(threading.enumerate())
    log = _Log()
    caller = []
    alive = []

    def handle(item):
        log.enter(item)
        time.sleep(delay)  # the work of one item
        log.leave()

    def call():
        caller.append(threading.get_ident())  # the producer: the thread calling process_all
        try:
            return work_queue.process_all(list(range(n)), handle, workers)
        finally:
            alive.append(len(learner_threads(before)))  # at the moment process_all came back
            held.release()

    held = _HeldEnds(1.0)
    if hold_ends:
        held.__enter__()
    try:
        got = within(budget(), call)
    finally:
        held.release()
    main = caller[0] if caller else None
    with log.lock:
        done_at_return = log.done if got["done"] else None
    left = _left_running(before)  # threads that were not joined get a moment to finish their items
    with log.lock:
        calls = [list(c) for c in log.calls]
    return {**got, "done_at_return": done_at_return, "items": sorted(c[0] for c in calls),
            "threads": len({c[1] for c in calls}), "in_caller": sum(c[1] == main for c in calls), "left_running": left,
            "alive_at_return": alive[0] if alive else None}


@bounded
def process_concurrency(n, workers, hold):
    """handle waits until `workers` calls are in progress at once (or 3 s), then `hold` s."""
    crowd = _Crowd(n, workers, hold)
    got = within(budget(), lambda: work_queue.process_all(list(range(n)), crowd, workers))
    return {**got, "max": crowd.max, "gave_up": crowd.gave_up, "finished": crowd.finished}


@bounded
def process_slow_producer(n, workers, gated, pause):
    """The items come from a generator that, for its first `gated` items, waits until the
    previous item was handled (up to 0.5 s) before producing the next one: the queue is
    empty now and then although the producer is not finished.  Before item `gated` it also
    pauses `pause` s, longer than any timeout a consumer might take for the end of the items."""
    log = _Log()
    handled = threading.Event()

    def items():
        for i in range(n):
            if 0 < i <= gated:
                handled.wait(0.5)  # consumers are faster than this producer
                handled.clear()
            if i == gated:
                time.sleep(pause)  # a producer pause that stretches time: the queue stays empty meanwhile
            yield i

    def handle(item):
        log.enter(item)
        log.leave()
        handled.set()

    got = within(budget(pause + 3.0), lambda: work_queue.process_all(items(), handle, workers))
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



@bounded
def default_workers(n, process_expected, pmap_expected, hold):
    """process_all and parallel_map called without workers (the statement's defaults: 3 and
    4); the work waits until that many calls are in progress at once, then stays `hold` s."""
    out = {}
    for name, expected, call in (
            ("process_all", process_expected, lambda crowd: work_queue.process_all(list(range(n)), crowd)),
            ("parallel_map", pmap_expected, lambda crowd: work_queue.parallel_map(crowd, list(range(n))))):
        crowd = _Crowd(n, expected, hold)
        got = within(budget(), lambda call=call, crowd=crowd: call(crowd))
        out[name] = {**got, "max": crowd.max, "gave_up": crowd.gave_up}
    return out

class ItemError(ValueError):
    """Raised by the probe's fn for the items it is told to fail on."""


@bounded
def pmap_errors(n, workers, bad):
    """fn(x) = x + 1, raising ItemError for the items in `bad`.  The failing item with the
    smallest index raises last in time: it waits until every other failing item has raised and
    the thread that ran it has moved on (called fn again, or ended), so the learner has recorded
    that exception first; or 1 s, if such a thread stays idle (a pool that keeps its threads)."""
    log = _Log()
    before = set(threading.enumerate())
    first, later = min(bad), set(bad) - {min(bad)}
    turn = threading.Condition()
    runners = {}  # failing item -> the thread that ran it
    moved_on = set()  # failing items whose thread has called fn again since

    def recorded():
        return all(y in runners and (y in moved_on or not runners[y].is_alive()) for y in later)

    def fn(x):
        me = threading.current_thread()
        with turn:
            moved_on.update(y for y, t in runners.items() if t is me)
            turn.notify_all()
        log.enter(x)
        log.leave()
        if x == first:
            end = time.monotonic() + budget(1.0)
            with turn:
                while not recorded() and (left := end - time.monotonic()) > 0:
                    turn.wait(min(left, 0.01))  # a thread that ends notifies nobody: look again soon
        if x in bad:
            with turn:
                runners[x] = me
                turn.notify_all()
            raise ItemError(f"bad item {x}")
        return x + 1

    got = within(budget(), lambda: work_queue.parallel_map(fn, list(range(n)), workers))
    with log.lock:
        calls = sorted(c[0] for c in log.calls)
    return {**got, "calls": calls, "left_running": _left_running(before)}
