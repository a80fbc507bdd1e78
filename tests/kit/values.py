"""Compare what a probe observed with what was expected (the advanced unit's suites).

A probe observes learner objects inside the sandbox and sends back, for each labelled
observation, either ``{"value": v}`` (a plain value) or ``{"raised": type, "message": text}``
(the learner code raised): ``probekit.values.observe`` / ``steps``.  The check lists the expected result per label; ``expect``
fails on the first label that differs and names it, so the learner sees which expression
went wrong, what it should give and what it gave.
"""
from __future__ import annotations

from grader.feedback import fail


class Raises:
    """Expected: evaluating the labelled expression raises one of these exception types."""

    def __init__(self, *types: str):
        self.types = types

    def __repr__(self):
        return "raises " + " / ".join(self.types)


def shown(result: dict) -> str:
    """An observation as the learner should read it."""
    if "raised" in result:
        return f"raises {result['raised']}: {result['message']}"
    return repr(result.get("value"))


def matches(result: dict, expected) -> bool:
    if isinstance(expected, Raises):
        return result.get("raised") in expected.types
    if "value" not in result:
        return False
    value = result["value"]
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(value) is type(expected) and value == expected  # False is not 0 here
    if isinstance(expected, float) and isinstance(value, (int, float)):
        return abs(value - expected) <= 1e-9 * max(1.0, abs(expected))
    return type(value) is type(expected) and value == expected


def expect(observed, expected, zh: str, en: str, **kw):
    """Each ``(label, expected)`` in ``expected`` must match ``observed[label]``.

    ``observed`` is a dict label -> observation, or a list of ``[label, observation]`` steps
    (for sequences where a label may repeat); ``expected`` has the same shape.
    """
    got_pairs = list(observed.items()) if isinstance(observed, dict) else [tuple(p) for p in observed]
    want_pairs = list(expected.items()) if isinstance(expected, dict) else [tuple(p) for p in expected]
    if [label for label, _ in got_pairs] != [label for label, _ in want_pairs]:
        raise AssertionError(f"probe labels {[g for g, _ in got_pairs]} differ from the check's {[w for w, _ in want_pairs]}")
    for (label, got), (_, want) in zip(got_pairs, want_pairs, strict=True):
        if not matches(got, want):
            fail(zh, en, expected=f"{label} → {want!r}", got=f"{label} → {shown(got)}", **kw)
