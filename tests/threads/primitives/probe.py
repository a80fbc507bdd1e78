"""Runs in the sandbox beside the learner's primitives.py; returns plain values only.

Concurrency is measured, not assumed: the tasks and hooks handed to the learner's code
record when they start and end under the probe's own lock, and wait for each other (with
timeouts) so that a correct solution shows what it promises every time and a wrong one
is caught in the act.  Learner calls that could block for ever run in a daemon thread
with a timeout, so a deadlock comes back as a finding instead of hanging the check.
"""
import sys
import threading
import time

import primitives

from probekit.threads import WAIT, bounded, budget, learner_threads, thread, within
from probekit.values import error_of, plain


def _condition_of(obj):
    """The learner's threading.Condition, found among the object's attributes (or None)."""
    for value in vars(obj).values():
        if isinstance(value, threading.Condition):
            return value
    return None


def _wait_waiters(cond, count, timeout=None):
    """Block until `count` threads wait on cond (CPython keeps them in cond._waiters)."""
    end = time.monotonic() + (budget() if timeout is None else budget(timeout))
    while time.monotonic() < end:
        if cond is None:
            time.sleep(0.3)  # no Condition to look into: give the threads a moment instead
            return False
        if len(getattr(cond, "_waiters", ())) >= count:
            return True
        time.sleep(0.002)  # polling the waiters of the learner's condition
    return False


def _call(call):
    """Run call() here, in the probe's main thread: {"done", "value", "error"} as within() gives."""
    try:
        return {"done": True, "value": plain(call(), tuples=True), "error": None}
    except Exception as exc:  # the check reports the learner's exception
        return {"done": True, "value": None, "error": error_of(exc)}


# 1. RLock -----------------------------------------------------------------------------------
@bounded
def rlock_reenter(pairs, names):
    """add_many(pairs), then count(name) for each of `names` (some never added) and total()."""
    inv = primitives.Inventory()
    got = within(budget(), lambda: inv.add_many([tuple(p) for p in pairs]))
    if got["done"] and not got["error"]:
        counts = within(budget(), lambda: {n: inv.count(n) for n in names})
        total = within(budget(), inv.total)
        got["counts"] = counts["value"] if counts["done"] else "<blocked>"
        got["total"] = total["value"] if total["done"] else "<blocked>"
        got["after_error"] = counts["error"] or total["error"]
    return got


@bounded
def rlock_atomic(pairs, peek_after):
    """add_many(pairs), with a look from another thread in the middle of the batch.

    The probe wraps the instance's add: after `peek_after` pairs it starts a reader thread
    calling total() and gives it 0.2 s.  If add_many holds the lock for the whole batch the
    reader must wait, and then sees the whole batch; otherwise it sees half of it."""
    inv = primitives.Inventory()
    original = inv.add
    calls = [0]
    peek = {"started": False, "returned_during_batch": None, "value": None, "error": None}
    peeked = threading.Event()

    def reader():
        try:
            peek["value"] = inv.total()
        except Exception as exc:
            peek["error"] = error_of(exc)
        peeked.set()

    def add(name, count=1):
        original(name, count)
        calls[0] += 1
        if calls[0] == peek_after and not peek["started"]:
            peek["started"] = True
            thread(reader).start()
            peek["returned_during_batch"] = peeked.wait(0.2)  # the reader should be blocked now

    inv.add = add  # add_many calls self.add: this instance attribute comes first
    got = within(budget(), lambda: inv.add_many([tuple(p) for p in pairs]))
    if got["done"]:
        peeked.wait(budget(1.0))
    got.update(calls=calls[0], peek=peek)
    return got


class _RendezvousReads:
    """Mixed into the type of the Inventory's items mapping, made to interleave: the first read
    of the first two threads that read waits (up to 0.3 s) for the other one to read too.
    Two adds that are not under one lock then both read the old count, and one update is
    lost; under the lock the second thread cannot read, and the wait simply times out.
    Reads go through the learner's own type (super()), so a Counter still gives 0 and a
    defaultdict still its default for a missing name."""

    def _probe_setup(self):
        self._probe_meet = threading.Barrier(2, timeout=0.3)
        self._probe_seen = set()
        self._probe_guard = threading.Lock()
        self._probe_met = None

    def _probe_read(self):
        me = threading.get_ident()
        with self._probe_guard:
            first = me not in self._probe_seen and len(self._probe_seen) < 2
            self._probe_seen.add(me)
        if first:
            try:
                self._probe_meet.wait()
                self._probe_met = True
            except threading.BrokenBarrierError:
                self._probe_met = False

    def get(self, key, default=None):
        value = super().get(key, default)
        self._probe_read()
        return value

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self._probe_read()
        return value


def _rendezvous(items):
    """A copy of the learner's dict (or dict subclass: Counter, defaultdict, OrderedDict, ...)
    whose type is a subclass of the learner's with _RendezvousReads mixed in, holding the same
    items and state (a defaultdict's default_factory too), rebuilt as copy.copy would, or
    None if it cannot be rebuilt so."""
    base = type(items)
    try:
        kind = type(f"{base.__name__}", (_RendezvousReads, base), {"__module__": base.__module__})
        reduced = items.__reduce_ex__(4)
        func, args = reduced[0], tuple(reduced[1])
        state = reduced[2] if len(reduced) > 2 else None
        listitems = reduced[3] if len(reduced) > 3 else None
        dictitems = reduced[4] if len(reduced) > 4 else None
        if func is base:
            func = kind
        elif args and args[0] is base:  # copyreg.__newobj__(cls, *args)
            args = (kind, *args[1:])
        else:
            return None
        copy = func(*args)
        if state:
            if hasattr(copy, "__setstate__"):
                copy.__setstate__(state)
            else:
                attrs, slots = state if isinstance(state, tuple) and len(state) == 2 else (state, None)
                for name, value in {**(attrs or {}), **(slots or {})}.items():
                    setattr(copy, name, value)
        if listitems is not None:
            for value in listitems:
                copy.append(value)
        if dictitems is not None:
            for key, value in dictitems:
                copy[key] = value
        if type(copy) is not kind or dict(dict.items(copy)) != dict(dict.items(items)):  # no read of ours yet
            return None
        copy._probe_setup()
        return copy
    except Exception:  # a learner mapping that cannot be rebuilt: left as it is
        return None


@bounded
def rlock_concurrent(threads_n, adds):
    sys.setswitchinterval(1e-5)
    inv = primitives.Inventory()
    items = getattr(inv, "items", None)
    if isinstance(items, dict):
        instrumented = _rendezvous(items)
        if instrumented is not None:
            inv.items = instrumented
    errors = []
    ready = threading.Barrier(threads_n, timeout=budget())

    def worker():
        try:
            ready.wait()
            for _ in range(adds):
                inv.add("x")
        except Exception as exc:
            errors.append(error_of(exc))

    threads = [thread(worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(budget())
    done = not any(t.is_alive() for t in threads)
    count = within(budget(), lambda: inv.count("x"))
    return {"done": done, "errors": errors[:3], "count": count["value"], "count_error": count["error"],
            "has_items": isinstance(items, dict)}


# 2. Condition -------------------------------------------------------------------------------
@bounded
def condition_blocking(capacity):
    """put() on a full buffer must wait for a get(); get() on an empty one for a put()."""
    buf = primitives.BoundedBuffer(capacity)
    cond = _condition_of(buf)
    out = {"has_condition": cond is not None}
    first = within(budget(), lambda: [buf.put(i) for i in range(capacity)])
    out["fill"] = first
    if not first["done"] or first["error"]:
        return out
    put_done = threading.Event()
    put_error = []

    def extra_put():
        try:
            buf.put("extra")
        except Exception as exc:
            put_error.append(error_of(exc))
        put_done.set()

    thread(extra_put).start()
    _wait_waiters(cond, 1)
    out["put_returned_while_full"] = put_done.wait(0.1)
    got = within(budget(), buf.get)
    out["first_get"] = got
    out["put_woke"] = put_done.wait(budget())
    out["put_error"] = put_error[0] if put_error else None
    rest = within(budget(), lambda: [buf.get() for _ in range(capacity)])
    out["rest"] = rest
    # get() on the now empty buffer must wait until something is put
    get_result = []
    get_done = threading.Event()

    def waiting_get():
        try:
            get_result.append(buf.get())
        except Exception as exc:
            get_result.append({"error": error_of(exc)})
        get_done.set()

    thread(waiting_get).start()
    _wait_waiters(cond, 1)
    out["get_returned_while_empty"] = get_done.wait(0.1)
    late = within(budget(), lambda: buf.put("late"))
    out["late_put"] = late
    out["get_woke"] = get_done.wait(budget())
    out["get_value"] = plain(get_result[0], tuples=True) if len(get_result) == 1 else repr(get_result)
    return out


@bounded
def condition_two_consumers():
    """Two consumers wait on an empty buffer; one put() wakes them: only one may take it."""
    buf = primitives.BoundedBuffer(4)
    cond = _condition_of(buf)
    results, lock = [], threading.Lock()

    def consumer(name):
        try:
            value = buf.get()
        except Exception as exc:
            value = {"error": error_of(exc)}
        with lock:
            results.append({"consumer": name, "value": value})

    threads = [thread(consumer, n) for n in ("A", "B")]
    for t in threads:
        t.start()
    both = _wait_waiters(cond, 2)
    first = within(budget(), lambda: buf.put("item-1"))
    # the first item was taken by one consumer; the other must still be waiting, not failed
    end = time.monotonic() + budget()
    while time.monotonic() < end and not results:
        time.sleep(0.002)  # polling for the first consumer to return
    one_waiting = _wait_waiters(cond, 1, timeout=1.0)
    after_first = [dict(r) for r in results]
    second = within(budget(), lambda: buf.put("item-2"))
    for t in threads:
        t.join(budget())
    return {"both_waiting": both, "first_put": (first), "after_first": after_first,
            "one_waiting": one_waiting, "second_put": (second), "results": sorted(results, key=repr),
            "stuck": sum(t.is_alive() for t in threads)}


@bounded
def condition_many(producers, per_producer, consumers, capacity):
    sys.setswitchinterval(1e-5)
    buf = primitives.BoundedBuffer(capacity)
    got, errors, lock = [], [], threading.Lock()
    stop = object()

    def producer(p):
        try:
            for i in range(per_producer):
                buf.put(f"{p}-{i}")
        except Exception as exc:
            errors.append(error_of(exc))

    def consumer():
        try:
            while True:
                item = buf.get()
                if item is stop:
                    return
                with lock:
                    got.append(item)
        except Exception as exc:
            errors.append(error_of(exc))

    ps = [thread(producer, p) for p in range(producers)]
    cs = [thread(consumer) for _ in range(consumers)]
    for t in cs + ps:
        t.start()
    end = time.monotonic() + budget()
    for t in ps:
        t.join(max(0.0, end - time.monotonic()))
    producers_done = not any(t.is_alive() for t in ps)
    if producers_done:
        for _ in cs:
            if not within(max(0.1, end - time.monotonic()), lambda: buf.put(stop))["done"]:
                break
    for t in cs:
        t.join(max(0.0, end - time.monotonic()))
    with lock:
        items = list(got)
    return {"producers_done": producers_done, "consumers_done": not any(t.is_alive() for t in cs),
            "errors": errors[:3], "count": len(items), "distinct": len(set(items)),
            "expected": sorted(f"{p}-{i}" for p in range(producers) for i in range(per_producer)) == sorted(items)}


# 3. Event -----------------------------------------------------------------------------------
@bounded
def event_start(n, quiet):
    before = set(threading.enumerate())
    lock = threading.Lock()
    ran = []
    any_ran = threading.Event()
    all_ran = threading.Event()
    go_given = [False]
    together = threading.Barrier(n, timeout=budget())  # after go() all tasks must be running at once
    main = threading.get_ident()

    def make(i):
        def task():
            with lock:
                ran.append({"task": i, "thread": threading.get_ident(), "after_go": go_given[0]})
                any_ran.set()
                if len(ran) >= n:
                    all_ran.set()
            try:
                together.wait()
                return True
            except threading.BrokenBarrierError:
                with lock:
                    ran.append({"task": i, "broken": True})
        return task

    started = within(budget(), lambda: primitives.start_on_signal([make(i) for i in range(n)]), raw=True)
    out = {"returned": started["done"], "error": started["error"]}
    if not started["done"] or started["error"]:
        return out
    go = started["value"]
    out["go_callable"] = callable(go)
    end = time.monotonic() + budget()
    while len(learner_threads(before)) < n and time.monotonic() < end:
        time.sleep(0.002)  # polling until the learner's threads exist
    out["threads_before_go"] = len(learner_threads(before))
    out["ran_before_go"] = any_ran.wait(quiet)
    out["before"] = len(ran)
    if not callable(go):
        return out
    with lock:
        go_given[0] = True
    gone = within(budget(), go)
    out["go"] = gone
    all_ran.wait(budget())
    end = time.monotonic() + budget()
    while learner_threads(before) and time.monotonic() < end:
        time.sleep(0.005)  # polling until the task threads have ended
    with lock:
        runs = [r for r in ran if "broken" not in r]
        out["broken"] = sum(1 for r in ran if "broken" in r)
    out["tasks"] = sorted(r["task"] for r in runs)
    out["after_go"] = sum(1 for r in runs if r["after_go"])
    out["threads"] = len({r["thread"] for r in runs})
    out["in_main"] = sum(1 for r in runs if r["thread"] == main)
    out["left_running"] = len(learner_threads(before))
    return out


# 4. Semaphore -------------------------------------------------------------------------------
@bounded
def semaphore_run(n, k, hold=0.15, fill=WAIT):
    """run_limited(tasks, k): how many tasks ran at once, at most and at best."""
    changed = threading.Condition()
    st = {"active": 0, "max": 0, "exited": 0, "gave_up": False, "violated": False, "runs": []}

    def make(i):
        def task():
            with changed:
                st["active"] += 1
                st["runs"].append(i)
                st["max"] = max(st["max"], st["active"])
                if st["active"] > k:
                    st["violated"] = True
                changed.notify_all()
                # wait until the window is as full as it can be, so "reaches k" is measured
                end = time.monotonic() + fill
                while not (st["gave_up"] or st["violated"]) and st["active"] < min(k, n - st["exited"]):
                    left = end - time.monotonic()
                    if left <= 0:
                        st["gave_up"] = True
                        changed.notify_all()
                        break
                    changed.wait(left)
                # then hold the slot a moment: a solution that lets one more in is caught here
                end = time.monotonic() + hold
                while not (st["gave_up"] or st["violated"]):
                    left = end - time.monotonic()
                    if left <= 0:
                        break
                    changed.wait(left)
                st["active"] -= 1
                st["exited"] += 1
                changed.notify_all()
            return i * i
        return task

    got = within(budget(), lambda: primitives.run_limited([make(i) for i in range(n)], k))
    value = got["value"]
    with changed:
        return {"done": got["done"], "error": got["error"], "results": value if isinstance(value, list) else repr(value),
                "max": st["max"], "gave_up": st["gave_up"], "runs": sorted(st["runs"]),
                "finished_at_return": st["exited"] if got["done"] else None}


# 5. BoundedSemaphore ------------------------------------------------------------------------
@bounded
def bounded_take(n):
    slots = primitives.Slots(n)
    out = {"takes": []}
    for _ in range(n):
        got = within(budget(), lambda: slots.take(timeout=1.0))
        out["takes"].append(got)
    t0 = time.monotonic()
    extra = within(budget(), lambda: slots.take(timeout=0.15))
    out["extra"] = extra
    out["extra_seconds"] = round(time.monotonic() - t0, 3)
    # a blocked take() is woken by give_back()
    woke = threading.Event()
    result = []

    def blocked():
        try:
            result.append(slots.take())
        except Exception as exc:
            result.append(repr(exc))
        woke.set()

    thread(blocked).start()
    out["took_while_empty"] = woke.wait(0.15)
    back = within(budget(), slots.give_back)
    out["give_back"] = back
    out["woken"] = woke.wait(budget())
    out["woken_result"] = plain(result[0], tuples=True) if len(result) == 1 else repr(result)
    return out


@bounded
def bounded_over_release(n):
    slots = primitives.Slots(n)
    out = {"fresh": within(budget(), slots.give_back)}
    out["cycle"] = within(budget(), lambda: [slots.take(timeout=1.0) for _ in range(n)]
                          + [slots.give_back() for _ in range(n)])
    out["extra"] = within(budget(), slots.give_back)
    out["capacity"] = within(budget(), lambda: [slots.take(timeout=0.2) for _ in range(n + 1)])
    return out


# 6. Timer -----------------------------------------------------------------------------------
class _Recorder:
    """The action handed to Debouncer: logs every call, with its thread and time."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()
        self.first = threading.Event()
        self.caller = threading.get_ident()  # trigger() is called from this thread

    def __call__(self, *args):
        with self.lock:
            self.calls.append({"args": list(args), "at": time.monotonic(),
                               "in_caller": threading.get_ident() == self.caller})
        self.first.set()

    def seen(self, t0):
        with self.lock:
            return [dict(c, at=round(c["at"] - t0, 3)) for c in self.calls]


@bounded
def timer_once(delay, quiet):
    rec = _Recorder()
    deb = primitives.Debouncer(delay, rec)
    t0 = time.monotonic()
    trig = _call(lambda: deb.trigger("a", 1))
    returned_after = time.monotonic() - t0
    fired = rec.first.wait(delay + budget())
    if fired:
        time.sleep(quiet)  # the negative half of "exactly once": no second call comes later
    return {"trigger": trig, "trigger_seconds": round(returned_after, 3), "fired": fired, "calls": rec.seen(t0)}


@bounded
def timer_burst(delay, count, quiet):
    rec = _Recorder()
    deb = primitives.Debouncer(delay, rec)
    t0 = time.monotonic()
    burst = _call(lambda: [deb.trigger(i) for i in range(1, count + 1)])
    last = time.monotonic() - t0
    fired = rec.first.wait(delay + budget())
    if fired:
        time.sleep(quiet)  # any timer that was not cancelled fires within this window
    return {"burst": burst, "burst_seconds": round(last, 3), "fired": fired, "calls": rec.seen(t0)}


@bounded
def timer_cancel(delay, margin):
    before = set(threading.enumerate())
    rec = _Recorder()
    deb = primitives.Debouncer(delay, rec)
    t0 = time.monotonic()
    trig = _call(lambda: deb.trigger("x"))
    cancel = _call(deb.cancel)
    fired = rec.first.wait(delay + margin)  # waits comfortably past the moment it would have fired
    end = time.monotonic() + budget()
    while learner_threads(before) and time.monotonic() < end:
        time.sleep(0.005)  # polling until the cancelled timer's thread has ended
    left = len(learner_threads(before))
    again = _call(lambda: deb.trigger("y"))
    fired_again = rec.first.wait(delay + budget()) if not fired else None
    return {"trigger": trig, "cancel": cancel, "fired": fired, "left_running": left,
            "again": again, "fired_again": fired_again, "calls": [c["args"] for c in rec.seen(t0)]}


# 7. Barrier ---------------------------------------------------------------------------------
@bounded
def barrier_rounds(n, rounds, slow, pause):
    """step(i, r) and round_done(r) log enter/exit ({event, worker, round}) in one sequence under
    the probe's lock.

    Thread `slow` dawdles in every step, and round_done takes `pause` s, so a solution
    that lets threads on too early is seen doing so."""
    lock = threading.Lock()
    log = []
    threads = {}

    def step(i, r):
        with lock:
            log.append({"event": "enter", "worker": i, "round": r})
            threads.setdefault(i, set()).add(threading.get_ident())
        if i == slow:
            time.sleep(pause)  # the slow worker's own work
        with lock:
            log.append({"event": "exit", "worker": i, "round": r})

    def round_done(r):
        with lock:
            log.append({"event": "done", "worker": None, "round": r})
        time.sleep(pause)  # the round's own work; nobody may start the next round meanwhile
        with lock:
            log.append({"event": "done-exit", "worker": None, "round": r})

    got = within(budget(), lambda: primitives.in_lockstep(n, rounds, step, round_done))
    with lock:
        entries = [dict(e) for e in log]
        per_worker = {i: len(s) for i, s in threads.items()}
    return {"done": got["done"], "error": got["error"], "log": entries, "threads_per_worker": per_worker,
            "distinct_threads": len(set().union(*threads.values())) if threads else 0}
