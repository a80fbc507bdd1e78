"""Runs in the sandbox beside the learner's mp_queue.py; returns plain values only.

The tracing items are probekit.ipc's, the watched import and the process census
probekit.procs' (the probe-side kit, copied beside every probe).

Items handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a queue), it appends "sender receiver value" to a trace file
of ours, so which processes wrote and read comes from the items themselves, never from the
learner's globals or prints.  The processes still present after a call are read from /proc.
"""
import multiprocessing.pool
import multiprocessing.queues
import queue
import sys
import threading
import time
from multiprocessing import Manager, Process
from multiprocessing import Queue as MpQueue

from probekit import ipc
from probekit.procs import watched_import
from probekit.threads import within
from probekit.values import call, plain

MODULE = "mp_queue"


BLOCKED = 1.5  # a call that has not returned by then is blocked: {"done": False, "stack": where}


# -- probes ---------------------------------------------------------------------------------
def write_alone(items):
    """The learner's write(q, items) in a Process of ours; then everything it put, in order."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    q = MpQueue()
    child = Process(target=module.write, args=(q, items))
    child.start()
    child.join()  # once it has exited, everything it put is in the pipe
    drained = []
    while True:
        try:
            drained.append(q.get(block=False))
        except queue.Empty:
            break
    return {"import": imported, "exitcode": child.exitcode, "drained": plain(drained)}


def read_alone(schedule, writers, gap, pause_after=None, pause=0.0):
    """The learner's read(q, writers) here, while a thread of ours puts `schedule` slowly: `gap`
    s after each item, and `pause` s after item number `pause_after` (longer than any timeout a
    reader might take for the end of the data)."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    q = MpQueue()

    def feed():
        for i, item in enumerate(schedule):
            q.put(item)
            time.sleep(gap)  # a slow writer: the queue is empty between items
            if i == pause_after:
                time.sleep(pause)  # a writer pause that stretches time beyond a reader's timeout

    threading.Thread(target=feed, daemon=True).start()
    value, error = call(module.read, q, writers)
    return {"import": imported, "value": plain(value), "error": error}


def read_counts():
    """read(q) with the default writers on [5, 0, None, 6, None] (one writer: it stops at the first
    None), then read(q, 300) on 300 writers' items and None markers, interleaved (a count above
    256, so `is` on the count differs from ==)."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    q = MpQueue()
    for item in (5, 0, None, 6, None):
        q.put(item)
    default = within(BLOCKED, lambda: module.read(q))
    many = None
    if default["done"] and not default["error"]:
        q = MpQueue()
        for i in range(300):
            q.put(1000 + i)
            q.put(None)
        many = within(2 * BLOCKED, lambda: module.read(q, 300))
    return {"import": imported, "default": default, "many": many}


class _Rival:
    """A second reader of the queue ``q``, acting between two steps of the learner's try_get:
    when q.empty() has just said False (or q.qsize() a number above 0) in the learner's call,
    it takes the item (the profile hook runs in the learner's thread, at the return of that
    method).  A try_get that only calls get_nowait() never meets it; one that checks first and
    gets next finds the queue empty by then, as with any other reader."""

    def __init__(self, q):
        self.q, self.took = q, []

    def hook(self, frame, event, arg):
        if event != "return" or self.took or frame.f_locals.get("self") is not self.q:
            return
        name = frame.f_code.co_name
        if (name == "empty" and arg is False) or (name == "qsize" and isinstance(arg, int) and arg > 0):
            self.took.append(self.q.get_nowait())

    def call(self, function):
        sys.setprofile(self.hook)
        try:
            return function(self.q)
        finally:
            sys.setprofile(None)


def nowait():
    """fill(Queue(3)), then try_get on an empty and on a non-empty Manager().Queue(); then on a
    Manager().Queue() holding one item that another reader takes right after the learner's code
    checked it with empty() / qsize()."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    bounded = MpQueue(3)
    filled = within(BLOCKED, lambda: module.fill(bounded))
    got = {"import": imported, "fill": filled, "inside": [], "empty": None, "one": None}
    if not filled["done"] or filled["error"]:
        return got  # the check stops here; a blocked thread is left to the process's exit
    for _ in range(min(filled["value"], 10) if isinstance(filled["value"], int) else 0):
        try:
            got["inside"].append(bounded.get(timeout=1.0))
        except queue.Empty:
            break
    manager = Manager()
    shared = manager.Queue()
    got["empty"] = within(BLOCKED, lambda: module.try_get(shared))
    if not got["empty"]["done"] or got["empty"]["error"]:
        return got
    shared.put("第一个 / first")
    got["one"] = within(BLOCKED, lambda: module.try_get(shared))
    got["inside"] = plain(got["inside"])
    if got["one"]["done"] and not got["one"]["error"]:
        while True:  # whatever try_get left in the queue
            try:
                shared.get_nowait()
            except queue.Empty:
                break
        shared.put("第二个 / second")
        rival = _Rival(shared)
        got["raced"] = within(BLOCKED, lambda: rival.call(module.try_get))
        got["rival_took"] = plain(rival.took)
    if got["one"]["done"] and got.get("raced", {}).get("done", True):
        manager.shutdown()
    return got


MADE = {"queues": [], "pools": []}  # what the learner's call created, in this (its main) process


def _record_made():
    """Note the capacity of every multiprocessing.Queue and the size of every Pool made from now
    on (whichever way the learner names them: they all go through these two classes)."""
    queue_init, pool_init = multiprocessing.queues.Queue.__init__, multiprocessing.pool.Pool.__init__

    def new_queue(self, *args, **kwargs):
        queue_init(self, *args, **kwargs)
        MADE["queues"].append(None if self._maxsize >= 2 ** 31 - 1 else self._maxsize)  # Queue(): SEM_VALUE_MAX

    def new_pool(self, *args, **kwargs):
        pool_init(self, *args, **kwargs)
        MADE["pools"].append(self._processes)

    multiprocessing.queues.Queue.__init__, multiprocessing.pool.Pool.__init__ = new_queue, new_pool


def run_processes(batches, delay=0.0):
    """The learner's run_processes with Traced items (each hop logged), and the queues it made."""
    _record_made()
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    batches = [[ipc.Traced(v, delay) for v in batch] for batch in batches]
    value, error = call(module.run_processes, batches)
    return ipc.report(imported, value, error, made=MADE)


def run_pool(batches):
    """The learner's run_pool with Traced items, and the pools it made."""
    _record_made()
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    batches = [[ipc.Traced(v) for v in batch] for batch in batches]
    value, error = call(module.run_pool, batches)
    return ipc.report(imported, value, error, made=MADE)


def as_script():
    """Import the module (nothing may happen), then run mp_queue.py as a script."""
    return ipc.as_script(MODULE)
