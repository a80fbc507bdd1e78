"""threading.Thread 基础 / threading.Thread basics (reference solution)."""
import threading


def run_in_threads(func, calls):
    """Run func once per (args, kwargs) pair, each call in its own thread named worker-1, worker-2, ..."""
    threads = []
    for i, (args, kwargs) in enumerate(calls, start=1):
        threads.append(threading.Thread(target=func, args=args, kwargs=kwargs, name=f"worker-{i}"))
    # Start them all first, then wait for them all: joining right after each start would run
    # the calls one after another.
    for t in threads:
        t.run()
    return [t.name for t in threads]


class CounterThread(threading.Thread):
    """A Thread subclass: run() prints <thread name>@0, <thread name>@1, ... count lines."""

    def __init__(self, count, name=None):
        super().__init__(name=name)  # name=None: threading picks the default Thread-N
        self.count = count

    def run(self):
        for i in range(self.count):
            print(f"{self.name}@{i}")


def sing(times):
    """Print the notes' line times times, naming the thread that runs this function."""
    name = threading.current_thread().name
    for _ in range(times):
        print(f"thread_name : {name} 正在唱歌...")


def count_threads(n):
    """Start n threads that wait on one Event; count all threads while they run, and after."""
    release = threading.Event()
    threads = [threading.Thread(target=release.wait) for _ in range(n)]
    for t in threads:
        t.start()
    running = len(threading.enumerate())  # the main thread counts too
    release.set()
    for t in threads:
        t.join()
    return running, len(threading.enumerate())


def start_daemon(task, *args):
    """Start task(*args) in a daemon thread and return the thread at once (no join)."""
    t = threading.Thread(target=task, args=args, daemon=True)
    t.start()
    return t
