"""threading 对象 / threading primitives — see README.md.

One small task per object of the threading module: RLock, Condition, Event, Semaphore,
BoundedSemaphore, Timer, Barrier.
"""
import threading  # noqa: F401
from collections import deque  # noqa: F401  (handy for BoundedBuffer)


# 1. RLock ---------------------------------------------------------------------------------
class Inventory:
    """Stock counts shared by many threads, guarded by one re-entrant lock (self.lock)."""

    def __init__(self):
        """Create self.lock (a threading.RLock) and self.items, an empty dict name -> count."""
        raise NotImplementedError("TODO: Inventory.__init__")

    def add(self, name, count=1):
        """Add count to items[name] (missing names start at 0), holding the lock."""
        raise NotImplementedError("TODO: Inventory.add")

    def add_many(self, pairs):
        """Add every (name, count) pair by calling self.add, all under ONE hold of the lock,
        so that no other thread ever sees the batch half added."""
        raise NotImplementedError("TODO: Inventory.add_many")

    def count(self, name):
        """The count of name (0 if missing), read under the lock."""
        raise NotImplementedError("TODO: Inventory.count")

    def total(self):
        """The sum of all counts, read under the lock."""
        raise NotImplementedError("TODO: Inventory.total")


# 2. Condition -----------------------------------------------------------------------------
class BoundedBuffer:
    """A FIFO buffer of at most `capacity` items, guarded by a threading.Condition."""

    def __init__(self, capacity):
        """Keep capacity, an empty deque of items and self.cond = threading.Condition()."""
        raise NotImplementedError("TODO: BoundedBuffer.__init__")

    def put(self, item):
        """Wait while the buffer is full, append item, notify the waiting threads."""
        raise NotImplementedError("TODO: BoundedBuffer.put")

    def get(self):
        """Wait while the buffer is empty, take the oldest item, notify, return the item."""
        raise NotImplementedError("TODO: BoundedBuffer.get")


# 3. Event ---------------------------------------------------------------------------------
def start_on_signal(tasks):
    """Start one thread per task (a function without arguments).  Every thread first waits
    for one shared threading.Event, then calls its task.  Return go, a function without
    arguments that sets the event.  Return at once: do not join the threads."""
    raise NotImplementedError("TODO: start_on_signal")


# 4. Semaphore -----------------------------------------------------------------------------
def run_limited(tasks, k):
    """Run every task (a function without arguments) in a thread of its own, with at most k
    tasks running at the same time (threading.Semaphore(k)).  Start all threads, join them
    all, and return the tasks' return values as a list in task order."""
    raise NotImplementedError("TODO: run_limited")


# 5. BoundedSemaphore ----------------------------------------------------------------------
class Slots:
    """n interchangeable slots (threading.BoundedSemaphore(n))."""

    def __init__(self, n):
        """Create the bounded semaphore with n slots."""
        raise NotImplementedError("TODO: Slots.__init__")

    def take(self, timeout=None):
        """Take a slot, waiting at most timeout seconds (None: for ever).
        Return True if a slot was taken, False on timeout."""
        raise NotImplementedError("TODO: Slots.take")

    def give_back(self):
        """Give a slot back.  Giving back more than was taken raises ValueError."""
        raise NotImplementedError("TODO: Slots.give_back")


# 6. Timer ---------------------------------------------------------------------------------
class Debouncer:
    """Calls action(*args) once, `delay` seconds after the last trigger(*args)."""

    def __init__(self, delay, action):
        """Keep delay and action; no timer is pending yet."""
        raise NotImplementedError("TODO: Debouncer.__init__")

    def trigger(self, *args):
        """Cancel the pending timer, if any, then start threading.Timer(delay, action, args).
        Return at once."""
        raise NotImplementedError("TODO: Debouncer.trigger")

    def cancel(self):
        """Cancel the pending timer, if any: action must not be called for it."""
        raise NotImplementedError("TODO: Debouncer.cancel")


# 7. Barrier -------------------------------------------------------------------------------
def in_lockstep(n, rounds, step, round_done):
    """Start n threads; thread i runs rounds 0 .. rounds-1, calling step(i, r) in round r and
    then waiting for the others at a threading.Barrier(n, action=...).  round_done(r) must
    run exactly once per round: after all n steps of round r, before any step of round r+1
    (the Barrier's action does exactly that).  Return when every thread has finished."""
    raise NotImplementedError("TODO: in_lockstep")
