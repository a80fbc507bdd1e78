"""Runs in the sandbox beside the learner's closures.py; returns plain values only.

run(codes) evaluates the check's code lines one after another in one namespace that holds
the learner's functions and a few helpers; each line gives {"value": v} (None for a
statement) or {"raised": type, "message": text}.
"""
import closures

PLAIN = (type(None), bool, int, float, str)


def _text(obj, how=str):
    try:
        return how(obj)[:300]
    except Exception:  # a learner __str__/__repr__ may raise too
        return "<unprintable>"


def _plain(value, depth=0):
    if type(value) in PLAIN:
        return value
    if type(value) in (list, tuple) and depth < 3:
        return type(value)(_plain(v, depth + 1) for v in value)
    return _text(value, repr)


def snapshot():
    """The learner module's global names and what they hold (by repr), right now."""
    return {name: _text(value, repr) for name, value in vars(closures).items() if not name.startswith("__")}


def changed(before):
    """Global names of the learner module that were added, removed or changed since before."""
    now = snapshot()
    return sorted(name for name in before.keys() | now.keys() if before.get(name) != now.get(name))


def holds(func, value):
    """Some closure cell of func holds value (directly, or in a list/dict it holds)."""
    for cell in func.__closure__ or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if type(contents) in PLAIN and contents == value:
            return True
        if type(contents) in (list, dict) and value in (contents.values() if type(contents) is dict else contents):
            return True
    return False


def run(codes):
    env = {name: value for name, value in vars(closures).items() if not name.startswith("__")}
    env.update(closures=closures, snapshot=snapshot, changed=changed, holds=holds)
    results = []
    for code in codes:
        try:
            try:
                compiled, is_expr = compile(code, "<check>", "eval"), True
            except SyntaxError:
                compiled, is_expr = compile(code, "<check>", "exec"), False
            value = eval(compiled, env) if is_expr else exec(compiled, env)
        except Exception as exc:  # the check says what was expected instead
            results.append([code, {"raised": type(exc).__name__, "message": _text(exc)}])
            continue
        results.append([code, {"value": _plain(value)}])
    return results
