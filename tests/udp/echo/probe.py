"""Runs in the sandbox beside the learner's udp_echo.py: the client's calls, each given a time limit.

The server is started directly (``learner.server("udp_echo:serve", ...)``); the client is
called here so that a call that never returns is reported where it blocks (instead of
hanging the exercise), with the sockets it left behind.  How long a call waited is measured
by the suite, from outside (``kit.udp_peers.Silent``).
"""
import udp_echo

from probekit.udp_calls import at_once, call_bounded


def ask(host, port, text, encoding, timeout, limit):
    """One call of ask(), given ``limit`` seconds: {"done", "value", "error", "stack",
    "open_sockets", "unclosed"}."""
    return call_bounded(limit, lambda: udp_echo.ask(host, port, text, encoding=encoding, timeout=timeout))


def ask_default(host, port, text, limit):
    """ask(host, port, text) with the statement's defaults (encoding, timeout), given ``limit``
    seconds: the same record as ask()."""
    return call_bounded(limit, lambda: udp_echo.ask(host, port, text))


def ask_at_once(host, port, texts, timeout, limit):
    """ask() for every text at the same moment, one thread each: [{"done", "value", "error"}]."""
    return at_once([lambda t=t: udp_echo.ask(host, port, t, timeout=timeout) for t in texts], limit)
