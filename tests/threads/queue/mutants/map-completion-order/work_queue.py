"""线程优先级队列 Queue / Thread-safe queues — reference solution.

queue.Queue (FIFO), LifoQueue and PriorityQueue from the course notes (003 线程优先级队列),
used for a producer/consumer pipeline and a small worker pool.
"""
import itertools
import queue
import threading

_STOP = object()  # the sentinel: a unique object no real item can be equal to


def process_all(items, handle, workers=3):
    """Producer/consumer: `workers` consumer threads call handle(item) for every item.

    The calling thread is the producer.  Returns the number of items once every one of them
    has been handled and every consumer thread has ended."""
    q = queue.Queue()

    def consumer():
        while True:
            item = q.get()
            try:
                if item is _STOP:
                    return
                handle(item)
            finally:
                q.task_done()  # always, or q.join() waits for ever

    threads = [threading.Thread(target=consumer) for _ in range(workers)]
    for t in threads:
        t.start()  # consumers first: the producer may be slow, they wait in q.get()
    count = 0
    for item in items:
        q.put(item)
        count += 1
    q.join()  # every item put so far has been handled (task_done)
    for _ in threads:
        q.put(_STOP)  # one sentinel per consumer
    for t in threads:
        t.join()
    return count


def lifo(items):
    """The items as they come out of a queue.LifoQueue they were all put into."""
    q = queue.LifoQueue()
    for item in items:
        q.put(item)
    return [q.get() for _ in range(q.qsize())]


def by_priority(jobs):
    """jobs: (priority, job) pairs.  The jobs as a queue.PriorityQueue hands them out:
    lowest priority number first; equal priorities in the order given."""
    q = queue.PriorityQueue()
    order = itertools.count()  # breaks ties, so the jobs themselves are never compared
    for priority, job in jobs:
        q.put((priority, next(order), job))
    out = []
    while not q.empty():
        _, _, job = q.get()
        out.append(job)
    return out


def parallel_map(fn, items, workers=4):
    """[fn(item) for item in items], computed by `workers` threads, results in input order.

    If fn raises for some items, the others are still computed; once every worker has
    ended, the exception of the first failing item (in input order) is raised."""
    tasks = queue.Queue()
    for i, item in enumerate(items):
        tasks.put((i, item))
    results = []
    errors = {}

    def worker():
        while True:
            try:
                i, item = tasks.get_nowait()
            except queue.Empty:
                return
            try:
                results.append(fn(item))
            except Exception as exc:  # reported after all workers ended
                errors[i] = exc

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[min(errors)]
    return results
