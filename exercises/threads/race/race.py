"""共享数据与互斥锁 / Shared data and a mutex — see README.md."""
import threading

mutex = threading.Lock()  # the one lock that protects the counter


def add(counter, times):
    """Add 1 to the shared counter `times` times.

    One addition is: value = counter.read(); counter.write(value + 1). Hold the mutex around
    both calls, so that no other thread can read or write in between.
    """
    raise NotImplementedError("TODO: add")


def run_threads(counter, thread_count, times):
    """Start thread_count threads, each running add(counter, times); start them all, then
    join them all; return counter.read() (the total) once every thread has ended."""
    raise NotImplementedError("TODO: run_threads")
