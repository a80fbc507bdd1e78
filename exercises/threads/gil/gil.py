"""GIL 全局解释器锁 / The GIL — see README.md."""
import ctypes  # noqa: F401
import multiprocessing  # noqa: F401
import os  # noqa: F401
import threading  # noqa: F401
import time  # noqa: F401


def count_down(n):
    """The notes' dead loop made finite: a pure-Python loop taking 1 off n until it is 0."""
    raise NotImplementedError("TODO: count_down")


def run_serial(func, n, times):
    """Call func(n) `times` times in a row, in this thread."""
    raise NotImplementedError("TODO: run_serial")


def run_threads(func, n, times):
    """Run func(n) in `times` threading.Thread objects: start them all, then join them all."""
    raise NotImplementedError("TODO: run_threads")


def run_processes(func, n, times):
    """Run func(n) in `times` multiprocessing.Process objects: start them all, then join them all."""
    raise NotImplementedError("TODO: run_processes")


def load_c_function(path, name):
    """Load the shared library at `path` with ctypes.CDLL and return its function `name`,
    declared to take one C long (argtypes) and return nothing (restype None)."""
    raise NotImplementedError("TODO: load_c_function")


def measure(runner, func, n, times):
    """Run runner(func, n, times) and return (wall, cpu) in seconds: wall from
    time.perf_counter(); cpu from os.times() (user + system + children_user +
    children_system), after minus before."""
    raise NotImplementedError("TODO: measure")
