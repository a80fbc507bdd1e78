"""Runs in the sandbox beside the learner's duplex_chat.py."""
import gc
import sys
import threading

import duplex_chat

from probekit.procs import open_fds
from probekit.threads import learner_threads


def open_sockets():
    """How many sockets this process still has open (after the garbage collector ran)."""
    gc.collect()
    return len(open_fds("socket:"))


def _returned(call):
    """Call the learner's function; once it returned: the sockets still open, and the learner
    threads still alive that are not daemons (as a program, the process could not end while
    one of them waits in input(); the bootstrap's os._exit would hide that)."""
    before = set(threading.enumerate())
    call()
    alive = [t for t in learner_threads(before) if t.is_alive() and not t.daemon]
    return {"sockets": open_sockets(), "non_daemon": [t.name for t in alive]}


def serve(host, port):
    return _returned(lambda: duplex_chat.serve(host, port))


def client(host, port):
    return _returned(lambda: duplex_chat.client(host, port))


def _block_buffered():
    """stdout block-buffered, as it is when a program's output goes to a pipe or a file (the
    sandbox makes it line-buffered, as on a terminal, for every other check)."""
    sys.stdout.reconfigure(line_buffering=False)


def serve_piped(host, port):
    _block_buffered()
    return serve(host, port)


def client_piped(host, port):
    _block_buffered()
    return client(host, port)
