"""Runs in the sandbox beside the learner's gil.py; returns plain values only.

Speed is judged by CPU time against wall time: CPU time divided by wall time is how many
cores the work kept busy on average.  Both are measured by the suite, outside the sandbox:
each timed block starts and ends with a mark line, at which the probe waits for the suite to
read the time and the kernel's CPU count of the whole tree (figures from inside this process
could be changed by the learner's code, e.g. by replacing resource.getrusage).  A machine loaded by
other processes can only lower that figure, which makes "at most one core" (the GIL) a
safe claim everywhere; "more than one core" can only be shown when two cores are free for
us, so the suite raises this process's scheduling priority first (see ``boosted``).  What
load cannot change is whether the workers wanted a CPU at the same time (``_demand``, from
the kernel's per-thread schedstat): that tells a serial solution from a busy machine.
"""
import multiprocessing
import os
import resource
import select
import sys
import threading
import time

import gil

from probekit.threads import learner_threads, thread
from probekit.values import error_of

WAIT = 2.0  # rendezvous timeout: how long tasks that should run at once may take to meet


def _cpu():
    """CPU seconds of this process (all threads) and of its children that were waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


MARK = "grader-mark"
_BLOCKS = [-1]  # timed blocks so far; -1 when not run by boosted() (no suite reading marks)


def _mark() -> str:
    """Let the suite take its outside measurement now (it answers with a line: at the end
    of a block, the CPU/wall ratio it measured for the block)."""
    if _BLOCKS[0] >= 0:
        sys.__stdout__.write(MARK + "\n")
        sys.__stdout__.flush()
        return sys.stdin.readline().strip()
    return ""


def _timed(call):
    """{"wall", "cpu", "ratio", "error", "block"} of call(); under boosted() the suite replaces
    wall, cpu and ratio with what it measured itself between the block's two marks."""
    _mark()
    c0, t0 = _cpu(), time.perf_counter()
    error = None
    try:
        call()
    except Exception as exc:  # reported by the check
        error = error_of(exc)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    outside = _mark().split()
    ratio, demand = (round(cpu / wall, 3) if wall > 0 else 0.0), None
    try:  # the suite's own figures, when it sent them: they decide whether to measure again
        ratio = float(outside[0])
        demand = -1.0 if outside[1] == "?" else float(outside[1])  # -1: the suite could not tell
    except (IndexError, ValueError):
        pass
    block = _BLOCKS[0]
    if block >= 0:
        _BLOCKS[0] += 1
    return {"wall": round(wall, 4), "cpu": round(cpu, 4), "ratio": ratio, "error": error, "block": block,
            "outside_demand": demand}


def boosted(what, *args):
    """Wait until the suite has raised our priority (it types a line), then run `what`."""
    print("ready", flush=True)
    sys.stdin.readline()
    _BLOCKS[0] = 0
    try:
        return globals()[what](*args)
    finally:
        sys.__stdout__.write("grader-done\n")
        sys.__stdout__.flush()



# -- what the learner's runners do -------------------------------------------------------------
def count_down_cpu(n):
    """CPU time of count_down(n) and of count_down(2 * n)."""
    one = _timed(lambda: gil.count_down(n))
    two = _timed(lambda: gil.count_down(2 * n))
    return {"one": one, "two": two}


def threads_meet(times):
    """run_threads(task, 0, times): every task must run in its own thread, all at once."""
    meet = threading.Barrier(times, timeout=WAIT)
    lock = threading.Lock()
    log = []
    caller = []
    before = set(threading.enumerate())

    def task(n):
        with lock:
            log.append({"thread": threading.get_ident(), "n": n})
        try:
            meet.wait()
            met = True
        except threading.BrokenBarrierError:
            met = False
        with lock:
            log.append({"thread": threading.get_ident(), "met": met, "done": True})

    def call():
        caller.append(threading.get_ident())
        gil.run_threads(task, 7, times)

    timed = _timed(call)
    with lock:
        starts = [e for e in log if "n" in e]
        ends = [e for e in log if e.get("done")]
    left = learner_threads(before)
    return {"error": timed["error"], "calls": len(starts), "args": sorted({e["n"] for e in starts}),
            "threads": len({e["thread"] for e in starts}), "in_caller": sum(e["thread"] in caller for e in starts),
            "met": sum(e["met"] for e in ends), "finished_at_return": len(ends), "left_running": len(left)}


def _child_task(n):
    """Runs in the learner's child processes: report, meet the others, report again."""
    report = _CHANNEL["w"]
    os.write(report, f"start {os.getpid()} {os.getppid()} {n}\n".encode())
    try:
        _CHANNEL["meet"].wait()
        met = 1
    except threading.BrokenBarrierError:
        met = 0
    os.write(report, f"end {os.getpid()} {met}\n".encode())


_CHANNEL = {}


def processes_meet(times):
    """run_processes(task, 3, times): every task in its own child process, all at once."""
    r, w = os.pipe()
    _CHANNEL.update(w=w, meet=multiprocessing.Barrier(times, timeout=WAIT))
    timed = _timed(lambda: gil.run_processes(_child_task, 3, times))
    os.close(w)
    lines = []
    end = time.monotonic() + 1.0  # children that were not joined may still be writing
    buf = b""
    while time.monotonic() < end:
        ready, _, _ = select.select([r], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        chunk = os.read(r, 4096)
        if not chunk:
            break
        buf += chunk
    os.close(r)
    lines = buf.decode().split()
    starts, ends = [], []
    words = iter(lines)
    for word in words:
        if word == "start":
            starts.append([int(next(words)), int(next(words)), int(next(words))])
        elif word == "end":
            ends.append([int(next(words)), int(next(words))])
    me = os.getpid()
    return {"error": timed["error"], "calls": len(starts), "pids": len({s[0] for s in starts}),
            "in_parent": sum(s[0] == me for s in starts), "children_of_parent": sum(s[1] == me for s in starts),
            "args": sorted({s[2] for s in starts}), "met": sum(e[1] for e in ends), "ended": len(ends)}


# -- the claims, measured -----------------------------------------------------------------------
def gil_threads(n, times):
    """count_down in `times` threads (run_threads) and serially: cores used, calls made."""
    calls = []

    def counted(k):
        calls.append(k)  # list.append is atomic: no lock needed to count
        gil.count_down(k)

    serial = _timed(lambda: gil.run_serial(counted, n, times))
    serial["calls"] = len(calls)
    calls.clear()
    threaded = _timed(lambda: gil.run_threads(counted, n, times))
    threaded["calls"] = len(calls)
    return {"serial": serial, "threads": threaded}


def _schedstat():
    """(seconds on a CPU, seconds waiting for one) of the calling thread, or None."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            run, wait = f.read().split()[:2]
        return int(run) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        return None


def _reporting(work, report):
    """work(n), then report(start, end, seconds it ran or waited for a CPU meanwhile)."""
    def run(n):
        before, t0 = _schedstat(), time.monotonic()
        work(n)
        after, t1 = _schedstat(), time.monotonic()
        report(t0, t1, None if before is None or after is None else (after[0] - before[0]) + (after[1] - before[1]))
    return run


def _demand(spans):
    """How many workers wanted a CPU at once, on average: the time each spent running or
    waiting in the run queue, summed, over the span from the first start to the last end.
    Load does not lower it: a worker waiting for a CPU still counts.  Workers that never
    overlap (one after the other, or taking turns on the GIL) give about 1."""
    if not spans or any(s[2] is None for s in spans):
        return None
    wall = max(s[1] for s in spans) - min(s[0] for s in spans)
    return round(sum(s[2] for s in spans) / wall, 3) if wall > 0 else None


def _attempts(attempts, need, call):
    """Measure up to `attempts` times; stop at the first that shows `need` cores, or that
    shows the workers never wanted a CPU at the same time (that is how the code is built,
    not how busy the machine is, so measuring again would not change it)."""
    tries = []
    for _ in range(attempts):
        m = call()
        tries.append(m)
        if m["error"] or m["ratio"] >= need or (m["demand"] is not None and m["demand"] <= 1.4):
            break
    return tries


_SPANS = {"w": None}


def _child_report(t0, t1, busy):
    os.write(_SPANS["w"], f"{t0!r} {t1!r} {busy!r}\n".encode())


def _child_count_down(n):
    """Runs in the learner's child processes: count_down(n), then report its span."""
    _reporting(gil.count_down, _child_report)(n)


def processes_cores(n, times, need, attempts):
    def one():
        r, w = os.pipe()
        _SPANS["w"] = w
        m = _timed(lambda: gil.run_processes(_child_count_down, n, times))
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):  # EOF once every child that could write has ended
            data += chunk
        os.close(r)
        spans = []
        for line in data.decode().splitlines():
            t0, t1, busy = line.split()
            spans.append((float(t0), float(t1), None if busy == "None" else float(busy)))
        m["demand"] = _demand(spans) if m["outside_demand"] is None else (None if m["outside_demand"] < 0 else m["outside_demand"])
        m["workers"] = len(spans)
        return m
    return {"tries": _attempts(attempts, need, one), "cores": len(os.sched_getaffinity(0))}


MIN_C_CALL = 0.2  # seconds of C work per call in c_threads' parallel measurements


def c_threads(path, n, times, need, attempts):
    out = {"cores": len(os.sched_getaffinity(0))}
    try:
        burn = gil.load_c_function(path, "burn")
    except Exception as exc:
        out["load_error"] = error_of(exc)
        return out
    out["serial"] = _timed(lambda: gil.run_serial(burn, n, times))
    # Each call must last long against the threads' start-up skew, which grows with load:
    # a 25 ms call on a busy machine overlaps its twin too little to tell concurrent from
    # serial. The same C loop runs at different speeds on different CPUs, so scale n here.
    per_call = out["serial"]["cpu"] / times if times else 0.0
    if out["serial"]["error"] is None and 0.003 <= per_call < MIN_C_CALL:
        n = int(n * min(40.0, MIN_C_CALL / per_call))
    out["n"] = n

    def one():
        spans = []
        lock = threading.Lock()

        def report(t0, t1, busy):
            with lock:
                spans.append((t0, t1, busy))

        m = _timed(lambda: gil.run_threads(_reporting(burn, report), n, times))
        m["demand"] = _demand(spans) if m["outside_demand"] is None else (None if m["outside_demand"] < 0 else m["outside_demand"])
        m["workers"] = len(spans)
        return m
    out["tries"] = _attempts(attempts, need, one)
    return out


def c_releases_gil(path, n):
    """While one thread is inside burn(n), does another thread get to run Python code?

    A helper thread stamps the time in a loop; the burning thread notes when its C call
    began and ended.  A library that keeps the GIL during the call (ctypes.PyDLL) freezes
    the stamper for the whole call, however idle or busy the machine is."""
    try:
        burn = gil.load_c_function(path, "burn")
    except Exception as exc:
        return {"error": error_of(exc)}
    stamps, window, errors = [], [], []
    done = threading.Event()

    def stamper():
        while not done.is_set():
            stamps.append(time.perf_counter())
            for _ in range(2000):  # a little Python work between stamps
                pass

    def burner():
        try:
            window.append(time.perf_counter())
            burn(n)
            window.append(time.perf_counter())
        except Exception as exc:
            errors.append(error_of(exc))
        done.set()

    helper = thread(stamper)
    helper.start()
    while not stamps:
        time.sleep(0.001)  # until the stamper runs
    worker = thread(burner)
    worker.start()
    worker.join(WAIT * 3)
    done.set()
    helper.join(WAIT)
    if errors or len(window) < 2:
        return {"error": errors[0] if errors else None, "finished": False}
    start, end = window
    # The thread may switch just before or after its C call, so a few stamps can fall inside
    # the window even when the GIL is held: judge by the longest stretch without a stamp.
    points = [start] + [s for s in stamps if start < s < end] + [end]
    gap = max(b - a for a, b in zip(points, points[1:], strict=False))
    return {"error": None, "finished": True, "seconds": round(end - start, 4), "longest_gap": round(gap, 4),
            "stamps_inside": len(points) - 2}


# -- the learner's own measurement ---------------------------------------------------------------
def nap(n):
    """Sleeps n milliseconds: wall time passes, almost no CPU time is used."""
    time.sleep(n / 1000)


def read_zero(n):
    """n reads of 1 MiB from /dev/zero into one buffer: almost all of its CPU time is system
    time (the kernel filling the buffer), hardly any user time."""
    fd = os.open("/dev/zero", os.O_RDONLY)
    buf = bytearray(1 << 20)
    try:
        for _ in range(n):
            os.readv(fd, [buf])
    finally:
        os.close(fd)


def measured(n, reads, nap_ms):
    """gil.measure on a sleeping workload, on count_down in child processes, and on a
    workload that spends its CPU time in the kernel (system time), in this process and in
    child processes."""
    out = {}
    # The sleep last: by then the children's system time is well above 0, so a measure that
    # leaves a part out of its "before" sum shows CPU time while sleeping.
    for key, runner, func, arg in (("system_children", gil.run_processes, read_zero, reads),
                                   ("system", gil.run_serial, read_zero, reads),
                                   ("processes", gil.run_processes, gil.count_down, n), ("sleep", gil.run_serial, nap, nap_ms)):
        try:
            value = gil.measure(runner, func, arg, 2)
            out[key] = [float(v) for v in value] if isinstance(value, (tuple, list)) else repr(value)
        except Exception as exc:
            out[key] = {"error": error_of(exc)}
    out["reference"] = _timed(lambda: [gil.count_down(n) for _ in range(2)])
    out["system_reference"] = _timed(lambda: [read_zero(reads) for _ in range(2)])
    return out

