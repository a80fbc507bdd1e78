"""同步：Test1-2-3 / Synchronisation: Test1-2-3 — see README.md."""
import threading  # noqa: F401


def run(rounds):
    """Three threads print Test1, Test2, Test3 strictly in turn, `rounds` rounds in all.

    Use three locks, two of them locked at the start. Thread 1 prints only Test1, thread 2
    only Test2, thread 3 only Test3; each thread takes `rounds` turns and then ends. Return
    (None) once all three threads have ended.
    """
    raise NotImplementedError("TODO: run")
