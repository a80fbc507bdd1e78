"""Runs in the sandbox beside the learner's duplex_chat.py."""
import gc

import duplex_chat

from probekit.procs import open_fds


def open_sockets():
    """How many sockets this process still has open (after the garbage collector ran)."""
    gc.collect()
    return len(open_fds("socket:"))


def serve(host, port):
    duplex_chat.serve(host, port)
    return open_sockets()


def client(host, port):
    duplex_chat.client(host, port)
    return open_sockets()
