"""Runs in the sandbox beside the learner's mp_queue.py; returns plain values only.

The tracing items are probekit.ipc's, the watched import and the process census
probekit.procs' (the probe-side kit, copied beside every probe).

Items handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a queue), it appends "sender receiver value" to a trace file
of ours, so which processes wrote and read comes from the items themselves, never from the
learner's globals or prints.  The processes still present after a call are read from /proc.
"""
import queue
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


def read_alone(schedule, writers, gap):
    """The learner's read(q, writers) here, while a thread of ours puts `schedule` slowly."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    q = MpQueue()

    def feed():
        for item in schedule:
            q.put(item)
            time.sleep(gap)  # a slow writer: the queue is empty between items

    threading.Thread(target=feed, daemon=True).start()
    value, error = call(module.read, q, writers)
    return {"import": imported, "value": plain(value), "error": error}


def nowait():
    """fill(Queue(3)), then try_get on an empty and on a non-empty Manager().Queue()."""
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
    if got["one"]["done"]:
        manager.shutdown()
    return got


def run_processes(batches, delay=0.0):
    """The learner's run_processes with Traced items (each hop logged)."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    batches = [[ipc.Traced(v, delay) for v in batch] for batch in batches]
    value, error = call(module.run_processes, batches)
    return ipc.report(imported, value, error)


def run_pool(batches):
    """The learner's run_pool with Traced items."""
    module, imported = watched_import(MODULE)
    if module is None:
        return {"import": imported}
    batches = [[ipc.Traced(v) for v in batch] for batch in batches]
    value, error = call(module.run_pool, batches)
    return ipc.report(imported, value, error)


def as_script():
    """Import the module (nothing may happen), then run mp_queue.py as a script."""
    return ipc.as_script(MODULE)
