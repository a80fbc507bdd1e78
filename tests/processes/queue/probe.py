"""Runs in the sandbox beside the learner's mp_queue.py; returns plain values only.

The tracing items, the watched import and the process census are in ../ipc_probe.py, which
the harness copies beside this probe (``probe_support`` in exercise.toml).

Items handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a queue), it appends "sender receiver value" to a trace file
of ours, so which processes wrote and read comes from the items themselves, never from the
learner's globals or prints.  The processes still present after a call are read from /proc.
"""
import os
import queue
import runpy
import sys
import threading
import time
import traceback
from multiprocessing import Manager, Process
from multiprocessing import Queue as MpQueue

import ipc_probe as ipc

MODULE = "mp_queue"


def _bounded(func, *args, wait=1.5):
    """func(*args) in a thread, given `wait` seconds; a blocked call is returned with its stack."""
    box = {}

    def target():
        box["value"], box["error"] = ipc.call(func, *args)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(wait)
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident)
        stack = "".join(traceback.format_stack(frame)).replace(os.getcwd() + os.sep, "") if frame else ""
        return {"blocked": True, "stack": stack[-2000:]}
    return {"blocked": False, "value": ipc.plain(box["value"]), "error": box["error"]}


# -- probes ---------------------------------------------------------------------------------
def write_alone(items):
    """The learner's write(q, items) in a Process of ours; then everything it put, in order."""
    module, imported = ipc.load(MODULE)
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
    return {"import": imported, "exitcode": child.exitcode, "drained": ipc.plain(drained)}


def read_alone(schedule, writers, gap):
    """The learner's read(q, writers) here, while a thread of ours puts `schedule` slowly."""
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    q = MpQueue()

    def feed():
        for item in schedule:
            q.put(item)
            time.sleep(gap)  # a slow writer: the queue is empty between items

    threading.Thread(target=feed, daemon=True).start()
    value, error = ipc.call(module.read, q, writers)
    return {"import": imported, "value": ipc.plain(value), "error": error}


def nowait():
    """fill(Queue(3)), then try_get on an empty and on a non-empty Manager().Queue()."""
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    bounded = MpQueue(3)
    filled = _bounded(module.fill, bounded)
    got = {"import": imported, "fill": filled, "inside": [], "empty": None, "one": None}
    if filled["blocked"] or filled["error"]:
        return got  # the check stops here; a blocked thread is left to the process's exit
    for _ in range(min(filled["value"], 10) if isinstance(filled["value"], int) else 0):
        try:
            got["inside"].append(bounded.get(timeout=1.0))
        except queue.Empty:
            break
    manager = Manager()
    shared = manager.Queue()
    got["empty"] = _bounded(module.try_get, shared)
    if got["empty"]["blocked"] or got["empty"]["error"]:
        return got
    shared.put("第一个 / first")
    got["one"] = _bounded(module.try_get, shared)
    got["inside"] = ipc.plain(got["inside"])
    if not got["one"]["blocked"]:
        manager.shutdown()
    return got


def run_processes(batches, delay=0.0):
    """The learner's run_processes with Traced items (each hop logged)."""
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    batches = [[ipc.Traced(v, delay) for v in batch] for batch in batches]
    value, error = ipc.call(module.run_processes, batches)
    left = ipc.left()  # first: a process still running may not have received everything yet
    return {"import": imported, "error": error, "value": ipc.plain(value), "trace": ipc.trace(), "me": os.getpid(),
            "left": left}


def run_pool(batches):
    """The learner's run_pool with Traced items."""
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    batches = [[ipc.Traced(v) for v in batch] for batch in batches]
    value, error = ipc.call(module.run_pool, batches)
    left = ipc.left()  # first: a process still running may not have received everything yet
    return {"import": imported, "error": error, "value": ipc.plain(value), "trace": ipc.trace(), "me": os.getpid(),
            "left": left}


def as_script():
    """Import the module (nothing may happen), then run mp_queue.py as a script."""
    module, imported = ipc.load(MODULE)
    if module is None:
        return {"import": imported}
    error = None
    try:
        runpy.run_path(f"{MODULE}.py", run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = ipc.describe(exc)
    except BaseException as exc:
        error = ipc.describe(exc)
    return {"import": imported, "error": error, "left": ipc.left()}
