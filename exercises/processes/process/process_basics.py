"""multiprocessing.Process — see README.md."""
from multiprocessing import Process

lst = []  # append_in_child(): the global list the child appends to


def start_three(target):
    """Start 3 processes running target (args, kwargs, both), all at once; join them; return their names."""
    raise NotImplementedError("TODO: start_three")


class MyProcess(Process):
    """A Process subclass: run() prints n lines <name>: i for i from 1 to n, in the child process."""

    def __init__(self, n, name=None):
        raise NotImplementedError("TODO: MyProcess.__init__ (call Process's __init__ first, then store n)")

    def run(self):
        """Runs in the new process when start() is called."""
        raise NotImplementedError("TODO: MyProcess.run")


def stop_forever(target):
    """Start target (it runs for ever), terminate it; return (alive after start, alive at the end, exitcode)."""
    raise NotImplementedError("TODO: stop_forever")


def start_daemon(target):
    """Start target in a daemon process (ended automatically when the main process exits); return its pid."""
    raise NotImplementedError("TODO: start_daemon")


def add(items):
    """Target of append_in_child: append each item to the global lst, then print 子进程lst：<lst>."""
    raise NotImplementedError("TODO: add")


def append_in_child(items):
    """Run add(items) in a child process, join it, print 主进程lst：<lst> and return lst."""
    raise NotImplementedError("TODO: append_in_child")
