"""Runs in the sandbox beside the learner's ts_echo.py.

Most checks call the learner's functions directly (``learner.server("ts_echo:serve", ...)``);
probe functions are only for what has to be set up from inside the sandbox.
"""
import sys


def _block_buffered():
    """stdout block-buffered, as it is when a program's output goes to a pipe or a file (the
    sandbox makes it line-buffered, as on a terminal, for every other check)."""
    sys.stdout.reconfigure(line_buffering=False)


def serve_piped(host, port):
    """ts_echo.serve with its output a block-buffered pipe."""
    _block_buffered()
    import ts_echo

    ts_echo.serve(host, port)


def client_piped(host, port):
    """ts_echo.client with its output a block-buffered pipe."""
    _block_buffered()
    import ts_echo

    ts_echo.client(host, port)
