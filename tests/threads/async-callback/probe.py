"""Runs in the sandbox beside the learner's async_callback.py; returns plain values only.

For run_async the probe hands in a work function that runs in a pool process and waits,
through a pipe, until the main thread has ticked a few times: it can only finish if the
main thread really kept working meanwhile.  The callback records its process, its thread,
and what the main thread was doing at that moment (its stack: inside the pool's join/get,
or still in its own loop).
"""
import os
import select
import sys
import threading
import time

import async_callback

from probekit.values import error_of, plain

WAIT = 3.0  # how long the work waits for the main thread's ticks


# -- run_async ---------------------------------------------------------------------------------
def gated_work(ticks_fd, need, extra):
    """Runs in a pool process: wait until the main thread ticked `need` times (a byte per
    tick through the pipe), then work `extra` seconds more, and report."""
    start = time.monotonic()
    seen = 0
    end = start + WAIT
    while seen < need:
        ready, _, _ = select.select([ticks_fd], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        seen += len(os.read(ticks_fd, need - seen))
    time.sleep(extra)  # the rest of the work
    return {"value": "hello", "pid": os.getpid(), "ppid": os.getppid(), "ticks_seen": seen,
            "started": start, "finished": time.monotonic()}


_BLOCKING = {"join", "get", "wait", "apply", "map", "starmap", "terminate"}


def _main_is_blocked_in_pool(main_ident):
    """Where the main thread is right now: the multiprocessing calls it is blocked in, if any."""
    frame = sys._current_frames().get(main_ident)
    inside = []
    while frame is not None:
        code = frame.f_code
        if "multiprocessing" in code.co_filename and code.co_name in _BLOCKING:
            inside.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
        frame = frame.f_back
    return inside


def pool_callback(need, extra, interval):
    main = threading.get_ident()
    me = os.getpid()
    r, w = os.pipe()
    os.set_blocking(w, False)
    lock = threading.Lock()
    ticks = []
    calls = []

    def tick():
        with lock:
            ticks.append({"at": time.monotonic(), "main": threading.get_ident() == main})
        try:
            os.write(w, b"t")
        except BlockingIOError:
            pass  # nobody reads any more; the tick still counts

    def callback(result):
        blocked = _main_is_blocked_in_pool(main)
        with lock:
            calls.append({"result": plain(result), "pid": os.getpid(), "main_thread": threading.get_ident() == main,
                          "at": time.monotonic(), "ticks_before": len(ticks), "main_blocked_in": blocked})

    error = None
    t0 = time.monotonic()
    try:
        value = async_callback.run_async(gated_work, (r, need, extra), callback, tick, interval)
    except Exception as exc:
        value, error = None, error_of(exc)
    returned = time.monotonic()
    os.close(r)
    os.close(w)
    with lock:
        ticks_now = list(ticks)
        calls_now = list(calls)
    for c in calls_now:
        c["ticks_after"] = sum(1 for t in ticks_now if t["at"] > c["at"])
        c["at"] = round(c["at"] - t0, 3)
    work = calls_now[0]["result"] if calls_now and isinstance(calls_now[0]["result"], dict) else None
    if work:
        work["ticks_during_work"] = sum(1 for t in ticks_now if work["started"] <= t["at"] <= work["finished"])
        work["started"], work["finished"] = round(work["started"] - t0, 3), round(work["finished"] - t0, 3)
    return {"value": plain(value), "error": error, "pid": me, "ticks": len(ticks_now),
            "ticks_in_main": sum(t["main"] for t in ticks_now), "calls": calls_now,
            "returned": round(returned - t0, 3)}



# -- the statement's defaults and pool size ------------------------------------------------------
def defaults(need, extra):
    """run_async(...) without interval, and demo() without delay (the statement's defaults:
    0.05 s and 1.0 s); how many pool processes were alive while each ran (at run_async's first
    tick, at demo's callback fun), the gaps between run_async's ticks, how long demo() took."""
    import multiprocessing

    main = threading.get_ident()
    r, w = os.pipe()
    os.set_blocking(w, False)
    ticks, pools = [], {}

    def tick():
        if threading.get_ident() == main:
            ticks.append(time.monotonic())
            if "run_async" not in pools:
                pools["run_async"] = len(multiprocessing.active_children())
        try:
            os.write(w, b"t")
        except BlockingIOError:
            pass

    out = {}
    try:
        async_callback.run_async(gated_work, (r, need, extra), lambda result: None, tick)
        out["run_error"] = None
    except Exception as exc:
        out["run_error"] = error_of(exc)
    os.close(r)
    os.close(w)
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    out["ticks"] = len(ticks)
    out["mean_gap"] = round(sum(gaps) / len(gaps), 3) if gaps else None

    original = async_callback.fun

    def fun(args):
        pools.setdefault("demo", len(multiprocessing.active_children()))
        return original(args)

    async_callback.fun = fun
    start = time.monotonic()
    try:
        async_callback.demo()
        out["demo_error"] = None
    except Exception as exc:
        out["demo_error"] = error_of(exc)
    finally:
        async_callback.fun = original
    out["demo_took"] = round(time.monotonic() - start, 3)
    out["pools"] = pools
    return out

# -- demo ---------------------------------------------------------------------------------------
def demo(delay):
    """The notes' program; its printed lines are read from this process's stdout.

    The sandbox makes stdout line-buffered (as on a terminal), which would write every line
    at once even without flush=True.  Here stdout is block-buffered, as a pipe or file is
    for a real program, for the whole call (the pool's processes are forked inside it and
    inherit that): a print without flush=True stays in its process's buffer until that
    process flushes or ends - a pool process at pool.join(), after the callback's lines."""
    out = sys.stdout
    out.flush()
    out.reconfigure(line_buffering=False, write_through=False)
    try:
        async_callback.demo(delay)
    finally:
        out.reconfigure(line_buffering=True)  # flushes what the learner left in the buffer
    return os.getpid()


# -- submit -------------------------------------------------------------------------------------
def thread_submit(fail):
    """submit(func, (21,), callback, error_callback) where func waits until submit returned."""
    caller = threading.get_ident()
    returned = threading.Event()
    lock = threading.Lock()
    log = []

    def func(x):
        with lock:
            log.append({"event": "func", "in_caller": threading.get_ident() == caller})
        waited = returned.wait(WAIT)  # only set once submit() has returned to its caller
        with lock:
            log.append({"event": "func-end", "waited": waited})
        if fail:
            raise ValueError("work failed")
        return x * 2

    def callback(result):
        with lock:
            log.append({"event": "callback", "value": plain(result), "in_caller": threading.get_ident() == caller})

    def error_callback(exc):
        with lock:
            log.append({"event": "error_callback", "value": f"{type(exc).__name__}: {exc}",
                        "in_caller": threading.get_ident() == caller})

    t0 = time.monotonic()
    try:
        thread = async_callback.submit(func, (21,), callback, error_callback)
        error = None
    except Exception as exc:
        thread, error = None, error_of(exc)
    took = time.monotonic() - t0
    returned.set()
    is_thread = isinstance(thread, threading.Thread)
    if is_thread:
        thread.join(WAIT)
    else:
        end = time.monotonic() + WAIT
        while time.monotonic() < end and not any(e["event"] in ("callback", "error_callback") for e in log):
            time.sleep(0.01)  # polling: no thread object to join
    with lock:
        entries = [dict(e) for e in log]
    return {"error": error, "returned_after": round(took, 3), "is_thread": is_thread, "type": type(thread).__name__,
            "alive": thread.is_alive() if is_thread else None, "log": entries}
