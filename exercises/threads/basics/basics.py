"""threading.Thread 基础 / threading.Thread basics — see README.md."""
import threading  # noqa: F401


def run_in_threads(func, calls):
    """Run func(*args, **kwargs) once per (args, kwargs) pair in calls, each in its own thread.

    Thread number i (from 1) is named f"worker-{i}". Start all the threads first, then join
    them all; return the list of the threads' names, in the order of calls.
    """
    raise NotImplementedError("TODO: run_in_threads")


class CounterThread(threading.Thread):
    """A Thread subclass. CounterThread(count) or CounterThread(count, name="sing").

    Without a name the thread keeps threading's default name (Thread-1, Thread-2, ...).
    run() prints count lines: f"{self.name}@{i}" for i = 0, 1, ..., count - 1.
    """

    def __init__(self, count, name=None):
        raise NotImplementedError("TODO: CounterThread.__init__ (call Thread.__init__ first)")

    def run(self):
        raise NotImplementedError("TODO: CounterThread.run")


def sing(times):
    """Print f"thread_name : {name} 正在唱歌..." times times; name is the name of the thread running sing."""
    raise NotImplementedError("TODO: sing")


def count_threads(n):
    """Start n threads that all wait on one threading.Event; return (while_running, after).

    while_running is len(threading.enumerate()) while all n threads are waiting; then set the
    Event, join the threads, and after is len(threading.enumerate()) again.
    """
    raise NotImplementedError("TODO: count_threads")


def start_daemon(task, *args):
    """Start task(*args) in a daemon thread and return that Thread at once (do not join it)."""
    raise NotImplementedError("TODO: start_daemon")
