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


def _check(value, depth=0):
    if depth > 200:
        raise UnplainValue("result nested more than 200 levels deep")
    kind = type(value)
    if kind in _PLAIN:
        return
    if kind in _CONTAINERS:
        for item in value:
            _check(item, depth + 1)
    elif kind is dict:
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    else:
        raise UnplainValue(f"a value of type {kind.__name__}")


def loads_plain(data: bytes):
    if len(data) > MAX_RESULT_BYTES:
        raise UnplainValue(f"result of {len(data)} bytes is larger than {MAX_RESULT_BYTES}")
    try:
        value = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as exc:
        raise UnplainValue(f"unreadable result: {exc}") from None
    _check(value)
    return value


def dumps_request(obj) -> bytes:
    return marshal.dumps(obj, 4)
