"""Values crossing the sandbox boundary, in marshal format.

marshal is built into the interpreter (no import cost in the child, which matters for
start-up) and only writes exact built-in types: None, bool, int, float, complex, str,
bytes, tuple, list, dict, set, frozenset.  It can also carry code objects, so the verdict
side walks every decoded result and refuses anything that is not a plain value.
"""
import marshal

MAX_RESULT_BYTES = 32 << 20
_PLAIN = (type(None), bool, int, float, complex, str, bytes)
_CONTAINERS = (tuple, list, set, frozenset)


class UnplainValue(Exception):
    """The child sent something that is not a plain value."""


def _check(value, budget: list, depth=0):
    # Every node of a marshal value takes at least one byte of its encoding, except that a
    # back-reference (5 bytes) stands for a whole shared sub-value: a few hundred bytes can
    # then describe 2**90 nodes. The walk therefore stops after as many nodes as the data
    # had bytes, which keeps checking (and whatever the verdict side does next) linear.
    budget[0] -= 1
    if budget[0] < 0:
        raise UnplainValue("result has more parts than its size allows (shared sub-values repeated)")
    if depth > 200:
        raise UnplainValue("result nested more than 200 levels deep")
    kind = type(value)
    if kind in _PLAIN:
        return
    if kind in _CONTAINERS:
        for item in value:
            _check(item, budget, depth + 1)
    elif kind is dict:
        for key, item in value.items():
            _check(key, budget, depth + 1)
            _check(item, budget, depth + 1)
    else:
        raise UnplainValue(f"a value of type {kind.__name__}")


def loads_plain(data: bytes):
    if len(data) > MAX_RESULT_BYTES:
        raise UnplainValue(f"result of {len(data)} bytes is larger than the limit of {MAX_RESULT_BYTES} bytes")
    try:
        value = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as exc:
        raise UnplainValue(f"unreadable result: {exc}") from None
    _check(value, [len(data) + 16])
    return value


def dumps_request(obj) -> bytes:
    return marshal.dumps(obj, 4)
