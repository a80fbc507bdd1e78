"""Runs in the sandbox beside the learner's tftp_packets.py; returns plain values only.

The test sends a list of calls, each ``[label, function name, args]`` (or, for round trips,
the packing call whose packet goes through ``unpack``), and gets back one observation per
label: ``{"value": v}`` or ``{"raised": type, "message": text, "value_error": bool}``.
"""
import tftp_packets

from probekit.values import plain, text


def _observe(get) -> dict:
    try:
        value = get()
    except Exception as exc:  # reported by the check, which says what was expected
        kind = type(exc)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        return {"raised": name, "message": text(exc), "value_error": isinstance(exc, ValueError)}
    return {"value": plain(value, tuples=True)}


def evaluate(calls):
    """[[label, function, args]] -> [[label, observation of function(*args)]]."""
    return [[label, _observe(lambda fn=fn, args=args: getattr(tftp_packets, fn)(*args))] for label, fn, args in calls]


def round_trips(calls):
    """[[label, function, args]] -> [[label, observation of unpack(function(*args))]]."""
    return [[label, _observe(lambda fn=fn, args=args: tftp_packets.unpack(getattr(tftp_packets, fn)(*args)))]
            for label, fn, args in calls]
