"""Runs in the sandbox beside the learner's mp_server.py.

Most checks call the learner's functions directly (``learner.server("mp_server:serve", ...)``);
probe functions are only for what has to be set up from inside the sandbox.
"""
import sys


def serve_piped(host, port):
    """mp_server.serve with stdout block-buffered, as it is when a server's output goes to a pipe
    or a file (the sandbox makes it line-buffered, as on a terminal, for every other check)."""
    sys.stdout.reconfigure(line_buffering=False)
    import mp_server

    mp_server.serve(host, port)
