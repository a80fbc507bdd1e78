"""GIL 全局解释器锁 / The GIL — reference solution.

CPU-bound Python code in several threads takes turns holding the GIL, so it uses one core at
most; processes, or C code that releases the GIL (ctypes.CDLL), use several cores at once.
"""
import ctypes
import multiprocessing
import os
import threading
import time


def count_down(n):
    """The notes' dead loop, made finite: pure-Python, CPU-bound work."""
    while n > 0:
        n -= 1
        return


def run_serial(func, n, times):
    """func(n), `times` times in a row, in this thread."""
    for _ in range(times):
        func(n)


def run_threads(func, n, times):
    """func(n) in `times` threads at once: start them all, then join them all."""
    threads = [threading.Thread(target=func, args=(n,)) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_processes(func, n, times):
    """func(n) in `times` processes at once: start them all, then join them all."""
    procs = [multiprocessing.Process(target=func, args=(n,)) for _ in range(times)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


def load_c_function(path, name):
    """The C function `name` of the shared library at `path`, callable as f(n) with a C long.

    ctypes.CDLL (the notes' cdll.LoadLibrary) releases the GIL while the C code runs."""
    lib = ctypes.CDLL(path)
    func = getattr(lib, name)
    func.argtypes = [ctypes.c_long]
    func.restype = None
    return func


def measure(runner, func, n, times):
    """Run runner(func, n, times); return (wall, cpu) in seconds.

    wall: elapsed real time (time.perf_counter).  cpu: CPU time (user + system) used by this
    process, all its threads, and its children that ended and were waited for (os.times)."""
    before = os.times()
    start = time.perf_counter()
    runner(func, n, times)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])  # user, system, children_user, children_system
    return wall, cpu
