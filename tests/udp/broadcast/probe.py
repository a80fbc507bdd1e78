"""Runs in the sandbox beside the learner's udp_broadcast.py; returns plain values only.

Each call is reported as a record: what the learner's function returned (``value``) or raised
(``error``), and how many UDP sockets the process still had open afterwards.
"""
import udp_broadcast

from probekit.procs import udp_sockets
from probekit.values import error_of, plain


def _record(call) -> dict:
    try:
        value, error = plain(call(), tuples=True), None
    except Exception as exc:  # reported by the check, which says what was expected
        value, error = None, error_of(exc, permission=isinstance(exc, PermissionError))
    return {"value": value, "error": error, "udp_sockets": udp_sockets()}


def send(message, port, address, times) -> dict:
    """send_broadcast(message, port, address, times); an argument given as None is left to its default."""
    given = {name: value for name, value in (("address", address), ("times", times)) if value is not None}
    return _record(lambda: udp_broadcast.send_broadcast(message, port, **given))


def receive(port, count, host) -> dict:
    return _record(lambda: udp_broadcast.receive_broadcasts(port, count, host))
