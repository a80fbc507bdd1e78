"""Runs in the sandbox beside the learner's gc_demo.py; returns plain values only.

The cycle probes switch the cyclic collector off, hold only weak references to the learner's
objects, drop the strong ones and look again: reference counting alone frees a chain but
not a cycle, and gc.collect() frees the cycle.
"""
import copy
import gc
import weakref

import gc_demo

from probekit.values import SCALARS, attempt, error_of, text


def _scalar(value):
    """A scalar as it is, anything else by its repr (so that answers can be sorted)."""
    return value if type(value) in SCALARS else text(value, repr)


def _describe(pair):
    """Plain facts about what make_cycle()/make_chain() returned."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        return {"pair": False, "repr": text(pair, repr)}
    a, b = pair
    return {
        "pair": True,
        "types": [type(a).__name__, type(b).__name__],
        "names": [_scalar(getattr(a, "name", "<missing>")), _scalar(getattr(b, "name", "<missing>"))],
        "a.ref is b": getattr(a, "ref", None) is b,
        "b.ref is a": getattr(b, "ref", None) is a,
        "b.ref is None": hasattr(b, "ref") and b.ref is None,
    }


def lifetime(which):
    """Call gc_demo.<which>() with the collector off; watch its two objects through weakrefs."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            pair = getattr(gc_demo, which)()
        except Exception as exc:
            return {"error": error_of(exc)}
        facts = _describe(pair)
        if not facts["pair"]:
            return {"error": None, "facts": facts}
        try:
            watch = [weakref.ref(obj) for obj in pair]
        except TypeError as exc:  # e.g. lists instead of Node objects
            return {"error": None, "facts": facts, "weakref_error": str(exc)}
        del pair  # the probe's last strong reference: only the objects' own references remain
        after_del = [ref() is not None for ref in watch]
        gc.collect()
        after_collect = [ref() is not None for ref in watch]
        return {"error": None, "facts": facts, "after_del": after_del, "after_collect": after_collect}
    finally:
        if was_enabled:
            gc.enable()


class Thing:
    pass


def _cycle():
    a, b = Thing(), Thing()
    a.ref, b.ref = b, a
    return a


def _self_loop():
    a = Thing()
    a.ref = a
    return a


def _chain():
    a, b = Thing(), Thing()
    a.ref = b
    return a


def _list_cycle():
    a = Thing()
    a.items = [a]
    return a


MAKERS = {"cycle": _cycle, "self_loop": _self_loop, "chain": _chain, "plain": Thing, "list_cycle": _list_cycle}


def survives(kinds, enabled_before):
    """survives_del(make) for each kind of object, with the collector on or off beforehand."""
    results = {}
    for kind in kinds:
        made = []

        def make(kind=kind, made=made):
            obj = MAKERS[kind]()
            made.append(weakref.ref(obj))
            return obj

        gc.collect()
        if enabled_before:
            gc.enable()
        else:
            gc.disable()
        try:
            answer = gc_demo.survives_del(make)
        except Exception as exc:
            results[kind] = {"error": error_of(exc)}
            continue
        finally:
            enabled_after = gc.isenabled()
            gc.enable()
        results[kind] = {
            "error": None,
            "answer": _scalar(answer),
            "calls": len(made),
            "enabled_after": enabled_after,
            "alive_after": bool(made) and made[0]() is not None,
        }
    return results


def garbage(cases):
    """gc_demo.garbage(objects, refs, roots) for each case: its answer and whether the input changed."""
    out = []
    for objects, refs, roots in cases:
        before = copy.deepcopy((objects, refs, roots))
        try:
            result = gc_demo.garbage(objects, refs, roots)
        except Exception as exc:
            out.append({"error": error_of(exc)})
            break  # the first crash is what the learner needs to see
        answer = {"error": None, "type": type(result).__name__, "changed": (objects, refs, roots) != before}
        if isinstance(result, (set, frozenset)):
            answer["result"] = sorted(_scalar(x) for x in result)
        else:
            answer["repr"] = text(result, repr)
        if answer["changed"]:
            answer["input_after"] = text((objects, refs, roots), repr)
        out.append(answer)
    return out


def garbage_chains(n):
    """A chain of n objects from the root r0, and a separate chain of n objects nobody refers to."""
    objects = [f"r{i}" for i in range(n)] + [f"u{i}" for i in range(n)]
    refs = {f"r{i}": [f"r{i + 1}"] for i in range(n - 1)}
    refs.update({f"u{i}": [f"u{i + 1}"] for i in range(n - 1)})
    try:
        result = gc_demo.garbage(objects, refs, ["r0"])
    except Exception as exc:
        return {"error": error_of(exc)}
    if not isinstance(result, (set, frozenset)):
        return {"error": None, "type": type(result).__name__, "repr": text(result, repr)}
    return {"error": None, "type": type(result).__name__, "result": sorted(_scalar(x) for x in result)}


def small_ints(numbers):
    return _predicate(gc_demo.is_small_int, numbers)


def interned(texts):
    return _predicate(gc_demo.is_auto_interned, texts)


def _predicate(func, inputs):
    return [attempt(lambda value=value: func(value)) for value in inputs]
