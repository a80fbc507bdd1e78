"""Runs in the sandbox beside the learner's pool_bank.py; returns plain values only.

Every fork is recorded from inside the new process through a pipe of ours; the tasks the
probe hands to the learner's pool report through it too (which worker ran them, when, and
whether the first n of them were running at the same time: a barrier they wait at).  The
pools the learner creates are kept (multiprocessing.pool.Pool is replaced by a subclass
that remembers its instances), so the probe can ask them afterwards whether they were closed.
Concurrency is measured by the barrier and by the tasks' own start/end times, never by the
wall-clock time of the whole run.
"""
import multiprocessing
import multiprocessing.pool
import os
import runpy
import sys
import threading
import time

from probekit.output import captured_stdout
from probekit.procs import Records, guarded, import_refusing_fork, pick, settle, state
from probekit.values import error_of, plain

RECORDS = Records()  # every fork made from now on, and what the probe's tasks and callbacks report
POOLS = []


class RecordingPool(multiprocessing.pool.Pool):
    """multiprocessing's own Pool, remembered so the probe can look at it after the call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        POOLS.append(self)


# Before the learner's module is imported: `from multiprocessing.pool import Pool` then gets it
# too, and multiprocessing.Pool(...) looks the class up here at every call.
multiprocessing.pool.Pool = RecordingPool

MODULE = "pool_bank"
SETTLE = 2.0  # how long a process may take to end or be reaped
TOGETHER = 2.0  # how long each of the first n tasks waits for the others to be running too
ALONE = 0.5  # apply: how long the first task waits to see whether a second one starts meanwhile
GROW = 1.0  # merge: how long a finished read may take to appear in the output file
OPEN = 2.0  # merge: how long a file may wait for a worker to open it

_GATE = {"parties": 0, "barrier": None, "timeout": 0.0, "sleep": 0.0}


def _call(fn, *args):
    """fn(*args) with fd 1 captured; returns value, error, printed lines, records and states."""
    me = os.getpid()
    with captured_stdout() as out:
        value, error = guarded(lambda: fn(*args), me, RECORDS)
        returned = time.monotonic()
    # quiet for 0.2 s: pool workers a learner never closed may hold the pipe open for ever
    records = RECORDS.read(time.monotonic() + SETTLE, quiet=0.2)
    workers = [pid for pid, parent in pick(records, "fork") if parent == me]
    return {"value": plain(value), "error": error, "lines": out.lines(), "me": me, "returned": returned,
            "workers": workers, "states": {pid: state(pid) for pid in workers},
            "tasks": pick(records, "task"), "callbacks": pick(records, "cb")}


def _module():
    return import_refusing_fork(MODULE)


# -- the task the learner's pools run ------------------------------------------------------------
def gated(i, *rest):
    """Task i: the first `parties` tasks wait (with a timeout) until that many are running at once."""
    start = time.monotonic()
    together = None
    if i < _GATE["parties"]:
        try:
            _GATE["barrier"].wait(_GATE["timeout"])
            together = True
        except threading.BrokenBarrierError:
            together = False
    time.sleep(_GATE["sleep"])  # a little work, so tasks that run at once overlap in time too
    RECORDS.note({"task": {"index": i, "pid": os.getpid(), "start": start, "end": time.monotonic(),
                           "together": together}})
    return i * i


def _gate(parties, timeout, sleep=0.02):
    _GATE.update(parties=parties, barrier=multiprocessing.Barrier(parties) if parties else None,
                 timeout=timeout, sleep=sleep)


def _callback(value):
    RECORDS.note({"cb": {"value": plain(value), "pid": os.getpid()}})


# -- the bank --------------------------------------------------------------------------------------
def script():
    """pool_bank.py run as a program: python pool_bank.py."""
    return _call(lambda: runpy.run_path(f"{MODULE}.py", run_name="__main__") and None)


def window_in_child(i):
    """The learner's window(i) in a child of ours: its pid and what it printed. A child whose pid p has
    (p // 100) % 101 == 0 (where p % 101 == p % 100) is not used: another is made instead, so a
    window number computed with the wrong modulus never matches by luck of the pid."""
    module = _module()
    for _ in range(5):
        r, w = os.pipe()
        sys.stdout.flush()  # nothing of ours left in the buffer for the child to print again
        pid = os.fork()
        if pid == 0:
            os.close(r)
            if (os.getpid() // 100) % 101 != 0:
                os.dup2(w, 1)
                try:
                    module.window(i)
                    sys.stdout.flush()
                except BaseException:
                    os._exit(1)
            os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            out = f.read().decode("utf-8", "replace")
        _, status = os.waitpid(pid, 0)
        if (pid // 100) % 101 != 0:
            return {"pid": pid, "printed": out, "exitcode": os.waitstatus_to_exitcode(status)}
    return {"pid": None, "printed": "", "exitcode": None}


def _capture(fn):
    """fn() with fd 1 captured: (printed lines, error)."""
    with captured_stdout() as out:
        try:
            fn()
            error = None
        except BaseException as exc:  # reported by the check
            error = error_of(exc)
    return out.lines(), error


def import_only():
    """import pool_bank (a module must not start processes or print when it is imported), then a
    small bank, so that a module that does nothing at all is not taken for a well-guarded one."""
    lines, error = _capture(_module)  # _module refuses os.fork while importing
    if error is not None:
        return {"import_lines": lines, "import_error": error}
    got = bank(2, 2)
    got.update(import_lines=lines, import_error=None)
    return got


def bank(customers, windows):
    _gate(windows, TOGETHER)
    return _call(lambda: _module().bank(customers, windows, gated))


# -- apply / apply_async -----------------------------------------------------------------------------
def run_blocking(count, windows):
    _gate(windows, ALONE)  # with apply, the first task waits ALONE in vain: nobody may start meanwhile
    return _call(lambda: _module().run_blocking(gated, [(i,) for i in range(count)], windows))


def run_async(count, windows, with_callback=False):
    _gate(windows, TOGETHER)
    mod = _module()
    args = [(i,) for i in range(count)]
    if with_callback:
        return _call(lambda: mod.run_async(gated, args, windows, _callback))
    return _call(lambda: mod.run_async(gated, args, windows))


def pool_after_run(count, windows):
    """run_async, then: does its pool still take work, and are its workers gone?"""
    got = run_async(count, windows)
    after = []
    for pool in POOLS:
        try:
            pool.apply_async(abs, (-1,))
            after.append("accepted")
        except ValueError as exc:
            after.append(f"ValueError: {exc}")
        except Exception as exc:
            after.append(f"{type(exc).__name__}: {exc}")
    got["pools_after"] = after
    got["states"] = settle(got["workers"], SETTLE)  # workers of a closed pool leave once they see the queue's end
    return got


# -- merge_files ---------------------------------------------------------------------------------------
def merge(contents, old):
    """Regular files; the output file already exists with `old` in it."""
    names = []
    for i, text in enumerate(contents):
        name = f"{'abc'[i]}.txt"
        with open(name, "w", encoding="utf-8") as f:
            f.write(text)
        names.append(name)
    with open("merged.txt", "w", encoding="utf-8") as f:
        f.write(old)
    got = _call(lambda: _module().merge_files(names, "merged.txt"))  # windows left at its default
    with open("merged.txt", encoding="utf-8", errors="replace") as f:
        got["merged"] = f.read()
    got["pools"] = [pool._processes for pool in POOLS]
    return got


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def merge_in_order(contents, order):
    """The files are FIFOs: each read finishes only when the probe lets it, in `order`; after each
    one, the output file must show that file's text appended."""
    names = [f"{'abc'[i]}.txt" for i in range(len(contents))]
    for name in names:
        os.mkfifo(name)
    steps = []

    def release():
        expected = ""
        for i in order:
            name, data = names[i], contents[i].encode()
            end = time.monotonic() + OPEN
            fd = None
            while fd is None and time.monotonic() < end:
                try:
                    fd = os.open(name, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO until a reader has it open
                except OSError:
                    time.sleep(0.01)
            if fd is None:
                steps.append({"file": name, "opened": False, "merged": _read("merged.txt")})
                continue
            os.set_blocking(fd, True)
            os.write(fd, data)
            os.close(fd)  # the reader sees EOF: its read_file returns
            expected += contents[i]
            end = time.monotonic() + GROW
            while _read("merged.txt") != expected and time.monotonic() < end:
                time.sleep(0.01)  # polling the output file for the callback's write
            steps.append({"file": name, "opened": True, "merged": _read("merged.txt")})

    releaser = threading.Thread(target=release, daemon=True)
    releaser.start()
    got = _call(lambda: _module().merge_files(names, "merged.txt", 3))
    releaser.join(len(names) * (OPEN + GROW))
    got["steps"] = steps
    got["merged"] = _read("merged.txt")
    return got
