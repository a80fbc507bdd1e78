"""Runs in the sandbox beside the learner's mp_queue.py; returns plain values only.

Items handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a queue), it appends "sender receiver value" to a trace file
of ours, so which processes wrote and read comes from the items themselves, never from the
learner's globals or prints.  The processes still present after a call are read from /proc.
"""
import importlib
import os
import queue
import runpy
import sys
import threading
import time
import traceback
from multiprocessing import Manager, Process
from multiprocessing import Queue as MpQueue

MODULE = "mp_queue"
TRACE = os.path.abspath(".grader-trace")
SETTLE = 1.5  # how long processes may take to go away after the call returned
_STARTED = []  # process-creating audit events, to see what importing the module did

# One write per printed line, so the lines of several processes never mix mid-line
# (under python -u, print writes the text and the newline separately).
sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)


def _audit(event, args):
    if event in ("os.fork", "os.posix_spawn", "subprocess.Popen", "os.exec"):
        _STARTED.append(event)


sys.addaudithook(_audit)


# -- items that say where they went -------------------------------------------------------
def _arrived(value, delay, sender):
    fd = os.open(TRACE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{sender} {os.getpid()} {value}\n".encode())  # one write: lines never mix
    finally:
        os.close(fd)
    return Traced(value, delay)


class Traced(int):
    """An int that records each process-to-process hop; with a delay, sending it is slow."""

    def __new__(cls, value, delay=0.0):
        self = super().__new__(cls, value)
        self.delay = delay
        return self

    def __reduce__(self):
        if self.delay:
            time.sleep(self.delay)  # learner-side work: this item takes a while to send
        return (_arrived, (int(self), self.delay, os.getpid()))


def _trace():
    try:
        with open(TRACE, encoding="utf-8") as f:
            return [[int(x) for x in line.split()] for line in f if line.strip()]
    except OSError:
        return []


# -- helpers --------------------------------------------------------------------------------
def _describe(exc):
    tb = "".join(traceback.format_exception(exc)).replace(os.getcwd() + os.sep, "")
    return {"type": type(exc).__name__, "message": str(exc)[:500], "traceback": tb[-3000:]}


def _plain(value):
    if isinstance(value, bool) or value is None or isinstance(value, (float, str, bytes)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return repr(value)[:200]


def _load():
    """Import the learner's module with its output captured: importing should only define things."""
    started = len(_STARTED)
    sys.stdout.flush()
    capture = os.open(".grader-import-output", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    saved = os.dup(1)
    os.dup2(capture, 1)
    module = error = None
    try:
        module = importlib.import_module(MODULE)
    except BaseException as exc:  # SystemExit / EOFError from a main() run at import time too
        error = _describe(exc)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    os.lseek(capture, 0, os.SEEK_SET)
    printed = os.read(capture, 2000).decode("utf-8", "replace")
    os.close(capture)
    return module, {"printed": printed, "processes": len(_STARTED) - started, "error": error}


def _call(func, *args):
    try:
        return func(*args), None
    except Exception as exc:
        return None, _describe(exc)


def _descendants():
    """[pid, state] of every process below this one, read from /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                parents[int(name)] = (int(fields[1]), fields[0].decode())
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [os.getpid()]
    while todo:
        parent = todo.pop()
        for pid, (ppid, state) in parents.items():
            if ppid == parent:
                found.append([pid, state])
                todo.append(pid)
    return found


def _left():
    """Processes still below us once the call returned (a zombie counts: nobody joined it)."""
    end = time.monotonic() + SETTLE
    while True:
        left = _descendants()
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)  # polling the process table


def _bounded(func, *args, wait=1.5):
    """func(*args) in a thread, given `wait` seconds; a blocked call is returned with its stack."""
    box = {}

    def target():
        box["value"], box["error"] = _call(func, *args)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(wait)
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident)
        stack = "".join(traceback.format_stack(frame)).replace(os.getcwd() + os.sep, "") if frame else ""
        return {"blocked": True, "stack": stack[-2000:]}
    return {"blocked": False, "value": _plain(box["value"]), "error": box["error"]}


# -- probes ---------------------------------------------------------------------------------
def write_alone(items):
    """The learner's write(q, items) in a Process of ours; then everything it put, in order."""
    module, imported = _load()
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
    return {"import": imported, "exitcode": child.exitcode, "drained": _plain(drained)}


def read_alone(schedule, writers, gap):
    """The learner's read(q, writers) here, while a thread of ours puts `schedule` slowly."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    q = MpQueue()

    def feed():
        for item in schedule:
            q.put(item)
            time.sleep(gap)  # a slow writer: the queue is empty between items

    threading.Thread(target=feed, daemon=True).start()
    value, error = _call(module.read, q, writers)
    return {"import": imported, "value": _plain(value), "error": error}


def nowait():
    """fill(Queue(3)), then try_get on an empty and on a non-empty Manager().Queue()."""
    module, imported = _load()
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
    got["inside"] = _plain(got["inside"])
    if not got["one"]["blocked"]:
        manager.shutdown()
    return got


def run_processes(batches, delay=0.0):
    """The learner's run_processes with Traced items (each hop logged)."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    batches = [[Traced(v, delay) for v in batch] for batch in batches]
    value, error = _call(module.run_processes, batches)
    left = _left()  # first: a process still running may not have received everything yet
    return {"import": imported, "error": error, "value": _plain(value), "trace": _trace(), "me": os.getpid(),
            "left": left}


def run_pool(batches):
    """The learner's run_pool with Traced items."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    batches = [[Traced(v) for v in batch] for batch in batches]
    value, error = _call(module.run_pool, batches)
    left = _left()  # first: a process still running may not have received everything yet
    return {"import": imported, "error": error, "value": _plain(value), "trace": _trace(), "me": os.getpid(),
            "left": left}


def as_script():
    """Import the module (nothing may happen), then run mp_queue.py as a script."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    error = None
    try:
        runpy.run_path(f"{MODULE}.py", run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = _describe(exc)
    except BaseException as exc:
        error = _describe(exc)
    return {"import": imported, "error": error, "left": _left()}
