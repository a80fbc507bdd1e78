"""同步与异步 / Synchronous and asynchronous calls — see README.md."""
import os  # noqa: F401
import threading  # noqa: F401
import time  # noqa: F401
from multiprocessing import Pool  # noqa: F401


def test(delay):
    """Runs in a pool process: print 子进程: pid = %d, ppid = %d, then 0, 1, 2 (one per line,
    sleeping `delay` s after each), flush=True everywhere; return "hello"."""
    raise NotImplementedError("TODO: test")


def fun(args):
    """The callback, run in the main process: print fun: args = %s, then fun: %d (its pid)."""
    raise NotImplementedError("TODO: fun")


def demo(delay=1.0):
    """Pool(3); apply_async(test, (delay,), callback=fun); while the result has not arrived,
    print 主进程: %d (the pid) and sleep `delay`; then close and join the pool."""
    raise NotImplementedError("TODO: demo")


def run_async(func, args, callback, tick, interval=0.05):
    """Pool(3).apply_async(func, args, callback=callback); while the result has not arrived:
    tick(); time.sleep(interval).  Then close and join the pool; return the number of ticks."""
    raise NotImplementedError("TODO: run_async")


def submit(func, args, callback, error_callback=None):
    """Start a thread that runs func(*args), then callback(result) in that thread - or
    error_callback(exception) if func raised.  Return the started Thread at once."""
    raise NotImplementedError("TODO: submit")
