"""Waiting for killed learner processes to die, off the critical path of the next check.

A killed sandbox child takes milliseconds to die (its address space and its mount, IPC and
user namespaces are torn down on exit), and its cgroup can only be removed once it is
empty. Nothing of the next learner call depends on that wait: a process that got SIGKILL
never runs user code again. So ``LearnerProcess.close`` kills synchronously and hands the
rest to this thread, which keeps killing the call's cgroup members (a process forked just
before the kill is found there) until the cgroup is empty, then removes the cgroup and the
call's folders. Whatever is still alive after the deadline is recorded as a survivor;
``settle()`` waits for all pending work and returns those (the end-of-run sweep reports them).
"""
from __future__ import annotations

import queue
import threading

_JOBS: queue.Queue = queue.Queue()
_SURVIVORS: list[int] = []
_STARTED = threading.Lock()
_THREAD: list[threading.Thread] = []


def bury(job):
    """Run ``job()`` (which returns pids that would not die) on the undertaker's thread."""
    with _STARTED:
        if not _THREAD:
            thread = threading.Thread(target=_work, daemon=True, name="grader-undertaker")
            thread.start()
            _THREAD.append(thread)
    _JOBS.put(job)


def _work():
    while True:
        job = _JOBS.get()
        try:
            _SURVIVORS.extend(job() or ())
        except Exception:  # a teardown problem must not stop later teardowns
            pass
        finally:
            _JOBS.task_done()


def settle() -> list[int]:
    """Wait until every buried call is gone; the pids that survived their kill, once."""
    _JOBS.join()
    found = list(_SURVIVORS)
    _SURVIVORS.clear()
    return found
