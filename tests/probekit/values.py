"""Learner values and exceptions as plain data: what may cross the sandbox boundary."""
import os
import traceback

SCALARS = (type(None), bool, int, float, str, bytes)
SHOWN = 300  # characters of a repr or message kept
KEPT_TRACEBACK = 3000  # characters of a traceback kept (its end: the learner's frames are last)
DEPTH = 8  # nesting followed before a value is shown by its repr (a list may contain itself)


def text(obj, how=str, limit=SHOWN) -> str:
    """str(obj) or repr(obj), cut to ``limit``; a learner __str__/__repr__ that raises gives a note."""
    try:
        shown = how(obj)
    except Exception as exc:  # a learner __str__/__repr__ may raise too
        shown = f"<{how.__name__} failed: {type(exc).__name__}>"
    if not isinstance(shown, str):
        shown = f"<{how.__name__} returned {type(shown).__name__}>"
    return shown if len(shown) <= limit else shown[:limit] + "…"


def plain(value, *, tuples=False, limit=SHOWN, _depth=0):
    """``value`` as plain data: scalars as they are (subclasses of int, float, str as the base
    type), lists and tuples item by item (tuples as lists unless ``tuples``), dicts key by key,
    anything else by its repr (cut to ``limit``)."""
    kind = type(value)
    if kind in SCALARS:
        return value
    if _depth < DEPTH:
        if kind in (list, tuple):
            items = [plain(v, tuples=tuples, limit=limit, _depth=_depth + 1) for v in value]
            return tuple(items) if tuples and kind is tuple else items
        if kind is dict:
            return {k if type(k) in SCALARS else text(k, repr, limit):
                    plain(v, tuples=tuples, limit=limit, _depth=_depth + 1) for k, v in value.items()}
    for base in (int, float, str):
        if isinstance(value, base) and not isinstance(value, bool):
            try:
                return base(value)
            except Exception:  # a learner subclass may break the conversion
                break
    return text(value, repr, limit)


def error_of(exc, **extra) -> dict:
    """A learner exception as plain data: type, message and the end of its traceback (the
    last frames: formatting all 3000 of a RecursionError is slow), with file paths relative
    to the learner's folder."""
    tb = "".join(traceback.format_exception(exc, limit=-20)).replace(os.getcwd() + os.sep, "")
    if len(tb) > KEPT_TRACEBACK:  # keep the end, from a line start
        tb = "...\n" + tb[-KEPT_TRACEBACK:].split("\n", 1)[-1]
    return {"type": type(exc).__name__, "message": text(exc, limit=500), "traceback": tb, **extra}


def call(func, *args, **kwargs):
    """``(func(*args, **kwargs), None)``, or ``(None, error_of(exc))`` when the learner's code raised."""
    try:
        return func(*args, **kwargs), None
    except Exception as exc:  # reported by the check, which says what was expected
        return None, error_of(exc)


def attempt(get) -> dict:
    """One observation: ``{"value": plain value}`` or ``{"raised": type, "message": text}``."""
    try:
        value = get()
    except Exception as exc:  # StopIteration included: the check says what was expected
        return {"raised": type(exc).__name__, "message": text(exc)}
    return {"value": plain(value, tuples=True)}


def observe(pairs) -> dict:
    """``[(label, zero-argument function)]`` -> ``{label: observation}``."""
    return {label: attempt(get) for label, get in pairs}


def steps(pairs) -> list:
    """``[(label, zero-argument function)]`` -> ``[[label, observation]]``, in order (labels may repeat)."""
    return [[label, attempt(get)] for label, get in pairs]
