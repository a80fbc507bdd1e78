"""同步与异步 / Synchronous and asynchronous calls — reference solution.

The notes' asynchronous example (002 线程 (11)): Pool.apply_async(func, callback=...) hands
the work to a pool process; the main process goes on with its own work, and the callback
is called in the main process once the result has arrived.
"""
import os
import threading
import time
from multiprocessing.pool import ThreadPool as Pool


def test(delay):
    """The pool's work (runs in a pool process): the notes' test(), with a chosen delay."""
    print(f"子进程: pid = {os.getpid()}, ppid = {os.getppid()}", flush=True)
    for i in range(3):
        print(i, flush=True)
        time.sleep(delay)
    return "hello"


def fun(args):
    """The callback (runs in the main process): the notes' fun()."""
    print(f"fun: args = {args}", flush=True)
    print(f"fun: {os.getpid()}", flush=True)


def demo(delay=1.0):
    """The notes' main program, ending once the callback has run instead of looping for ever."""
    pool = Pool(3)
    result = pool.apply_async(func=test, args=(delay,), callback=fun)
    while not result.ready():  # ready() turns True after the callback has returned
        print(f"主进程: {os.getpid()}", flush=True)
        time.sleep(delay)
    pool.close()
    pool.join()


def run_async(func, args, callback, tick, interval=0.05):
    """apply_async(func, args, callback=callback) on a Pool(3); meanwhile the main thread keeps
    doing its own work: tick(), then sleep `interval`, until the result has arrived (the
    callback has run).  Then close and join the pool.  Returns how many times it ticked."""
    pool = Pool(3)
    result = pool.apply_async(func, args, callback=callback)
    ticks = 0
    while not result.ready():
        tick()
        ticks += 1
        time.sleep(interval)
    pool.close()
    pool.join()
    return ticks


def submit(func, args, callback, error_callback=None):
    """The same idea with a thread: run func(*args) in a new thread, then, in that thread,
    callback(result) - or error_callback(exception) if func raised.  Returns the started
    Thread at once, without waiting for func."""

    def worker():
        try:
            result = func(*args)
        except Exception as exc:
            if error_callback is not None:
                error_callback(exc)
            return
        callback(result)

    thread = threading.Thread(target=worker)
    thread.start()
    return thread
