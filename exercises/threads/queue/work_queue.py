"""线程优先级队列 Queue / Thread-safe queues — see README.md.

Do not name this file queue.py: it would hide the standard library's queue module.
"""
import itertools  # noqa: F401  (a counter for by_priority)
import queue  # noqa: F401
import threading  # noqa: F401


def process_all(items, handle, workers=3):
    """Producer/consumer with one queue.Queue.

    Start `workers` consumer threads first.  Each consumer loops: q.get(); if it is the
    sentinel, leave the loop; otherwise handle(item); q.task_done() for every item got.
    The calling thread is the producer: it puts every item of `items` (iterate it once; it
    may be a slow generator), then q.join(), then puts one sentinel per consumer and joins
    every consumer thread.  Return the number of items."""
    raise NotImplementedError("TODO: process_all")


def lifo(items):
    """Put every item into a queue.LifoQueue, then get them all; return them as a list."""
    raise NotImplementedError("TODO: lifo")


def by_priority(jobs):
    """jobs is a list of (priority, job) pairs.  Put them into a queue.PriorityQueue and
    return the jobs in the order it gives them back: lowest priority number first, equal
    numbers in the order given.  Jobs may be dicts, which cannot be compared."""
    raise NotImplementedError("TODO: by_priority")


def parallel_map(fn, items, workers=4):
    """Return [fn(item) for item in items], computed by `workers` threads that take
    (index, item) tasks from one queue.  Results in input order.  If fn raises for some
    items, still process all the others; after joining every worker, raise the exception
    of the first failing item (smallest index)."""
    raise NotImplementedError("TODO: parallel_map")
