"""Runs in the sandbox beside the learner's duplex_chat.py."""
import gc
import os

import duplex_chat


def open_sockets():
    """How many sockets this process still has open (after the garbage collector ran)."""
    gc.collect()
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def serve(host, port):
    duplex_chat.serve(host, port)
    return open_sockets()


def client(host, port):
    duplex_chat.client(host, port)
    return open_sockets()
