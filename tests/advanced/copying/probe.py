"""Runs in the sandbox beside the learner's copying.py; returns plain values only.

A copy is judged by its *shape*: a plain description of the object graph in which every
list, dict and set is numbered on first sight and later sightings become ["ref", n].  Two
graphs have the same shape exactly when they hold equal values with the same aliasing and
the same cycles, so a copy is right when its shape equals the original's and no list, dict
or set of the original is reachable from it.
"""
import contextlib
import io
import random

import copying

from probekit.values import error_of, text

MUTABLE = (list, dict, set)
ATOMS = (int, float, str, bytes, bool, type(None))


def shape(obj, seen=None):
    """The plain shape of obj; seen maps id -> number for the lists, dicts and sets met."""
    if seen is None:
        seen = {}
    kind = type(obj)
    if kind in MUTABLE:
        if id(obj) in seen:
            return ["ref", seen[id(obj)]]
        number = seen[id(obj)] = len(seen)
        if kind is list:
            return ["list", number, [shape(item, seen) for item in obj]]
        if kind is dict:
            return ["dict", number, [[shape(k, seen), shape(v, seen)] for k, v in obj.items()]]
        return ["set", number, sorted(text(item, repr) for item in obj)]  # items are hashable atoms/tuples
    if kind is tuple:
        return ["tuple", [shape(item, seen) for item in obj]]
    if kind in ATOMS:
        return [kind.__name__, repr(obj)]
    return ["other", kind.__name__, text(obj, repr, 100)]


def judge(original):
    """Copy original with my_deepcopy; return (plain description, the copy or None)."""
    before = shape(original)
    originals = {}
    _collect(original, originals)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            copied = copying.my_deepcopy(original)
    except BaseException as exc:  # RecursionError from a cycle is the interesting one
        return {"error": error_of(exc), "expected": before, "original": text(original, repr)}, None
    reached = {}
    _collect(copied, reached)
    shared = [type(originals[key]).__name__ for key in reached if key in originals]
    return {
        "error": None,
        "expected": before,
        "got": shape(copied),
        "shared": shared,  # lists/dicts/sets of the original reachable from the copy
        "original_changed": shape(original) != before,
        "original": text(original, repr),
        "copy": text(copied, repr),
    }, copied


def _collect(obj, found):
    """id -> object for every list, dict and set reachable from obj."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if type(item) in MUTABLE:
            if id(item) in found:
                continue
            found[id(item)] = item
            if type(item) is dict:
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        elif type(item) is tuple:
            stack.extend(item)


# -- the notes' three ways -------------------------------------------------------------------

def three_copies():
    list1 = [1, 2, [3, 4]]
    inner = list1[2]
    try:
        got = copying.three_copies(list1)
    except BaseException as exc:
        return {"error": error_of(exc)}
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return {"error": None, "not_three": text(got, repr)}
    a, s, d = got
    facts = {
        "by_assign is list1": a is list1,
        "by_copy is list1": s is list1,
        "by_copy == [1, 2, [3, 4]]": s == [1, 2, [3, 4]],
        "by_copy[2] is list1[2]": type(s) is list and len(s) == 3 and s[2] is inner,
        "by_deepcopy is list1": d is list1,
        "by_deepcopy == [1, 2, [3, 4]]": d == [1, 2, [3, 4]],
        "by_deepcopy[2] is list1[2]": type(d) is list and len(d) == 3 and d[2] is inner,
    }
    return {"error": None, "facts": facts}


def demo():
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            copying.demo()
    except BaseException as exc:
        return {"error": error_of(exc), "lines": out.getvalue().splitlines()}
    return {"error": None, "lines": out.getvalue().splitlines()}


# -- my_deepcopy on cases written by the check ---------------------------------------------------

def cases(codes):
    """Each code builds `a`; copy it with c = my_deepcopy(a) and evaluate the facts about c."""
    results = []
    for code, facts in codes:
        names = {}
        exec(code, names)  # trusted: the check's own source text
        result, names["c"] = judge(names["a"])
        result["facts"] = {}
        if result["error"] is None:
            for fact in facts:
                try:
                    result["facts"][fact] = eval(fact, names)
                except Exception as exc:
                    result["facts"][fact] = f"{type(exc).__name__}: {exc}"
        results.append(result)
    return results


def independent_calls():
    """Two calls on the same list, the list changed in between: two separate copies."""
    a = [1, [2]]
    try:
        c1 = copying.my_deepcopy(a)
        a[1].append(3)
        c2 = copying.my_deepcopy(a)
    except BaseException as exc:
        return {"error": error_of(exc)}
    return {"error": None, "c1": text(c1, repr), "c2": text(c2, repr), "c1 is c2": c1 is c2,
            "c1[1] is c2[1]": type(c1) is list and type(c2) is list and len(c1) == len(c2) == 2 and c1[1] is c2[1]}


# -- my_deepcopy on generated data, against copy.deepcopy ------------------------------------

LETTERS = "abcxyz张三李四_ "


def _atom(rng):
    pick = rng.randrange(9)
    if pick == 0:
        return rng.randint(-1000, 1000)
    if pick == 1:
        return rng.getrandbits(80) - (1 << 79)  # big ints are immutable too
    if pick == 2:
        return round(rng.uniform(-1e3, 1e3), 3)
    if pick == 3:
        return "".join(rng.choice(LETTERS) for _ in range(rng.randint(0, 6)))
    if pick == 4:
        return rng.choice([True, False, None])
    if pick == 5:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 4)))
    return rng.randint(0, 9)


def _hashable(rng):
    if rng.random() < 0.3:
        return tuple(rng.choice([rng.randint(-9, 9), f"s{rng.randint(0, 9)}"]) for _ in range(rng.randint(1, 3)))
    return rng.choice([rng.randint(-50, 50), f"k{rng.randint(0, 20)}"])


def generate(seed):
    """Nested lists/dicts/tuples/sets of atoms, with shared references and cycles."""
    rng = random.Random(seed)
    pool = []  # every list/dict/set made so far, ancestors included: picking one shares it or closes a cycle

    def node(depth):
        if depth <= 0 or rng.random() < 0.25:
            return _atom(rng)
        if pool and rng.random() < 0.2:
            return rng.choice(pool)
        kind = rng.choice(["list", "list", "dict", "dict", "tuple", "set"])
        if kind == "list":
            new = []
            pool.append(new)
            new.extend(node(depth - 1) for _ in range(rng.randint(0, 4)))
            return new
        if kind == "dict":
            new = {}
            pool.append(new)
            for _ in range(rng.randint(0, 4)):
                new[_hashable(rng)] = node(depth - 1)
            return new
        if kind == "set":
            new = {_hashable(rng) for _ in range(rng.randint(0, 4))}
            pool.append(new)
            return new
        return tuple(node(depth - 1) for _ in range(rng.randint(0, 3)))

    root = [] if rng.random() < 0.6 else {}
    pool.append(root)
    for _ in range(rng.randint(1, 5)):
        item = node(rng.randint(1, 4))
        if type(root) is list:
            root.append(item)
        else:
            root[_hashable(rng)] = item
    for _ in range(rng.randint(0, 3)):  # back-edges: more sharing and cycles, self-loops too
        holder = rng.choice([c for c in pool if type(c) in (list, dict)])
        target = rng.choice(pool)
        if type(holder) is list:
            holder.append(target)
        else:
            holder[_hashable(rng)] = target
    return root


def generated(seed, count):
    """For case i (seed seed * 1000 + i): the shape copy.deepcopy gives and what my_deepcopy gave.

    Cases that came out right are only marked ok; the first wrong one ends the run with details.
    """
    import copy

    results = []
    for i in range(count):
        case_seed = seed * 1000 + i
        data = generate(case_seed)
        trusted = shape(copy.deepcopy(data))
        result, _ = judge(data)
        result["deepcopy"] = trusted
        result["seed"] = case_seed
        if result["error"] is None and result["got"] == result["expected"] and not result["shared"] \
                and not result["original_changed"]:
            results.append({"seed": case_seed, "ok": True})  # keep the answer small: details only for failures
            continue
        results.append(result)
        break  # the first wrong case is what the learner needs to see
    return results
