"""共享数据与互斥锁 / Shared data and a mutex (reference solution)."""
import threading

mutex = threading.Lock()


def add(counter, times):
    """Add 1 to the shared counter `times` times; each read-add-write back holds the mutex."""
    for _ in range(times):
        value = counter.read()  # 读 / read
        counter.write(value + 1)  # 写回 / write back


def run_threads(counter, thread_count, times):
    """thread_count threads each run add(counter, times); return the total once all have ended."""
    threads = [threading.Thread(target=add, args=(counter, times)) for _ in range(thread_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.read()
