"""Items that say where they went, for the probes of queues and pipes between processes.

Items handed to the learner are ``Traced`` ints: whenever one is unpickled (it crossed from
one process to another through a queue or a pipe), it appends "sender receiver value" to a
trace file of ours, so who sent what to whom comes from the items themselves, never from the
learner's globals or prints.
"""
import os
import time

from .procs import left, run_script, watched_import
from .values import plain

TRACE = os.path.abspath(".grader-trace")


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


def trace() -> list:
    """Every hop so far: [{"sender": pid, "receiver": pid, "value": int}], in order."""
    try:
        with open(TRACE, encoding="utf-8") as f:
            hops = [[int(x) for x in line.split()] for line in f if line.strip()]
    except OSError:
        return []
    return [{"sender": s, "receiver": r, "value": v} for s, r, v in hops]


def as_script(module_name):
    """Import the module (nothing may happen), then run its file as a program."""
    _, imported = watched_import(module_name)
    if imported["error"]:
        return {"import": imported}
    return {"import": imported, "error": run_script(f"{module_name}.py"), "left": left()}


def report(imported, value, error, **extra):
    """What the checks need once the learner's call returned: how importing went, its value or
    error, every hop of the traced items, our pid, and the processes still below us."""
    remaining = left()  # first: a process still running may not have received everything yet
    return {"import": imported, "value": plain(value), "error": error, "trace": trace(), "me": os.getpid(),
            "left": remaining, **extra}
