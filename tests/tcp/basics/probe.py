"""Runs in the sandbox beside the learner's tcp_basics.py.

Most checks call the learner's functions directly (``learner.server("tcp_basics:serve_once", ...)``);
probe functions are only for what has to be arranged inside the sandbox.
"""
import signal

import tcp_basics


def send_with_signals(host, port, text, interval):
    """send_message(host, port, text) while SIGALRM arrives every ``interval`` seconds.

    A Python handler is installed, so a blocking send() that the signal interrupts after
    handing part of the data to the kernel returns that partial count (PEP 475 retries only
    when nothing was sent): send() then loses the rest, sendall() carries on.  Signals are
    an ordinary part of a program's life (timers, SIGCHLD, a terminal's SIGWINCH).
    """
    ticks = [0]

    def tick(_signum, _frame):
        ticks[0] += 1

    previous = signal.signal(signal.SIGALRM, tick)
    signal.setitimer(signal.ITIMER_REAL, interval, interval)
    try:
        reply = tcp_basics.send_message(host, port, text)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)
    return {"reply": reply if isinstance(reply, str) else repr(reply), "ticks": ticks[0]}
