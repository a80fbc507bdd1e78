"""Runs in the sandbox beside the learner's iter_server.py.

Most checks call the learner's function directly (``learner.server("iter_server:serve", ...)``);
probe functions are only for what has to be set up from inside the sandbox.
"""
import sys


def serve_piped(host, port):
    """iter_server.serve with stdout block-buffered, as it is when a server's output goes to a pipe
    or a file (the sandbox makes it line-buffered, as on a terminal, for every other check)."""
    sys.stdout.reconfigure(line_buffering=False)
    import iter_server

    iter_server.serve(host, port)
