"""Shared by the processes probes (queue, pipe): copied into the sandbox beside them.

Items handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a queue or a pipe), it appends "sender receiver value" to a
trace file of ours, so who sent what to whom comes from the items themselves, never from the
learner's globals or prints.  Importing the learner's module is watched (output captured,
process starts counted by an audit hook), and the processes still present after a call are
read from /proc.
"""
import importlib
import os
import sys
import time
import traceback

TRACE = os.path.abspath(".grader-trace")
SETTLE = 1.5  # how long processes may take to go away after the call returned
_STARTED = []  # process-creating audit events, to see what importing the module did

def _audit(event, args):
    if event in ("os.fork", "os.posix_spawn", "subprocess.Popen", "os.exec"):
        _STARTED.append(event)


sys.addaudithook(_audit)


# -- items that say where they went -------------------------------------------------------
def arrived(value, delay, sender):
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
        return (arrived, (int(self), self.delay, os.getpid()))


def trace():
    try:
        with open(TRACE, encoding="utf-8") as f:
            return [[int(x) for x in line.split()] for line in f if line.strip()]
    except OSError:
        return []


# -- helpers --------------------------------------------------------------------------------
def describe(exc):
    tb = "".join(traceback.format_exception(exc)).replace(os.getcwd() + os.sep, "")
    return {"type": type(exc).__name__, "message": str(exc)[:500], "traceback": tb[-3000:]}


def plain(value):
    if isinstance(value, bool) or value is None or isinstance(value, (float, str, bytes)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return repr(value)[:200]


def load(module_name):
    """Import the learner's module with its output captured: importing should only define things."""
    started = len(_STARTED)
    sys.stdout.flush()
    capture = os.open(".grader-import-output", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    saved = os.dup(1)
    os.dup2(capture, 1)
    module = error = None
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # SystemExit / EOFError from a main() run at import time too
        error = describe(exc)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    os.lseek(capture, 0, os.SEEK_SET)
    printed = os.read(capture, 2000).decode("utf-8", "replace")
    os.close(capture)
    return module, {"printed": printed, "processes": len(_STARTED) - started, "error": error}


def call(func, *args):
    try:
        return func(*args), None
    except Exception as exc:
        return None, describe(exc)


def descendants():
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


def left():
    """Processes still below us once the call returned (a zombie counts: nobody joined it)."""
    end = time.monotonic() + SETTLE
    while True:
        left = descendants()
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)  # polling the process table
