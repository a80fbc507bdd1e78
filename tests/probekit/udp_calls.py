"""Probe side of the udp unit: learner calls that may block, given a time limit, and what they left open.

Standard library only (this runs in the sandbox beside learner code).
"""
import gc
import threading
import time
import warnings

from .procs import open_fds
from .threads import within
from .values import error_of, plain, text


def open_sockets() -> int:
    """How many sockets this process still has open (after the garbage collector ran, so a
    socket no longer referenced anywhere is not counted; the grader's own are left out)."""
    gc.collect()
    return len(open_fds("socket:"))


def call_bounded(limit, call) -> dict:
    """``call()`` given ``limit`` seconds: {"done", "value", "error", "stack", "open_sockets",
    "unclosed"}.  ``done`` False: still blocked after ``limit`` (``stack`` says where).
    ``open_sockets``: sockets it left open; ``unclosed``: sockets it never closed but dropped,
    which the garbage collector closed for it (Python warns then with a ResourceWarning
    "unclosed <socket…>": recorded here).  (How long a call took is measured by the suite,
    from outside: a figure taken here would only be the learner's claim.)"""
    before = open_sockets()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        out = within(limit, call)
        out["open_sockets"] = open_sockets() - before  # collects garbage: dropped sockets warn now
    out["unclosed"] = [text(w.message) for w in caught
                       if issubclass(w.category, ResourceWarning) and "socket" in text(w.message)]
    return out


def at_once(calls, limit) -> list:
    """Every ``call()`` of ``calls`` in its own thread, all started together (a barrier);
    one record per call, in order: {"done", "value", "error"}."""
    gate = threading.Barrier(len(calls))
    records = [{"done": False, "value": None, "error": None} for _ in calls]

    def run(i, call):
        gate.wait()
        try:
            records[i]["value"] = plain(call(), tuples=True)
        except Exception as exc:  # reported by the check
            records[i]["error"] = error_of(exc)
        records[i]["done"] = True

    threads = [threading.Thread(target=run, args=(i, c), daemon=True, name=f"grader-probe-{i}")
               for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    end = time.monotonic() + limit
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    return records
