"""Runs in the sandbox beside the learner's mp_pipe.py; returns plain values only.

Numbers handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a pipe), it appends "sender receiver value" to a trace file of
ours, so who sent what to whom comes from the numbers themselves, never from the learner's
globals or prints.  Exit codes come from the OS (waitpid), the processes still present after
a call from /proc, and every Pipe() the learner makes is recorded with its duplex flag.
"""
import importlib
import multiprocessing.connection
import os
import runpy
import sys
import time
import traceback
from multiprocessing import Pipe, Process

MODULE = "mp_pipe"
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



def _record_pipes(module):
    """Note the duplex flag of every Pipe() made from now on (all of them go through connection.Pipe)."""
    made = []
    real = multiprocessing.connection.Pipe

    def recording_pipe(duplex=True):
        made.append(bool(duplex))
        return real(duplex)

    multiprocessing.connection.Pipe = recording_pipe
    if getattr(module, "Pipe", None) is real:  # from multiprocessing.connection import Pipe
        module.Pipe = recording_pipe
    return made


def _result(imported, value, error, **extra):
    left = _left()  # first: a child still running may not have received everything yet
    return {"import": imported, "value": _plain(value), "error": error, "trace": _trace(), "me": os.getpid(),
            "left": left, **extra}


# -- probes ---------------------------------------------------------------------------------
def receiver_alone(numbers):
    """The notes' main() written by us, with the learner's receiver as the child."""
    module, imported = _load()
    if module is None:
        return {"import": imported}
    out_pipe, in_pipe = Pipe()
    child = Process(target=module.receiver, args=(out_pipe, in_pipe))
    child.start()
    out_pipe.close()
    for n in numbers:
        in_pipe.send(n)
    in_pipe.close()  # from here on, only the child's own copy keeps the sending end open
    child.join()
    return {"import": imported, "exitcode": child.exitcode}


def send_numbers(numbers):
    module, imported = _load()
    if module is None:
        return {"import": imported}
    value, error = _call(module.send_numbers, [Traced(n) for n in numbers])
    return _result(imported, value, error)


def collect(numbers):
    module, imported = _load()
    if module is None:
        return {"import": imported}
    pipes = _record_pipes(module)
    value, error = _call(module.collect, [Traced(n) for n in numbers])
    return _result(imported, value, error, pipes=pipes)


def ask_squares(numbers):
    module, imported = _load()
    if module is None:
        return {"import": imported}
    pipes = _record_pipes(module)
    value, error = _call(module.ask_squares, [Traced(n) for n in numbers])
    return _result(imported, value, error, pipes=pipes)


def as_script():
    """Import the module (nothing may happen), then run mp_pipe.py as a script."""
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
