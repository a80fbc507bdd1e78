"""Runs in the sandbox beside the learner's closures.py; returns plain values only.

run(codes) evaluates the check's code lines one after another in one namespace that holds
the learner's functions and a few helpers; each line gives {"value": v} (None for a
statement) or {"raised": type, "message": text}.
"""
import closures

from probekit.values import SCALARS, attempt, text


def snapshot():
    """The learner module's global names and what they hold (by repr), right now."""
    return {name: text(value, repr) for name, value in vars(closures).items() if not name.startswith("__")}


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
        if type(contents) in SCALARS and contents == value:
            return True
        if type(contents) in (list, dict) and value in (contents.values() if type(contents) is dict else contents):
            return True
    return False


def _execute(code, env):
    """An expression's value, or None for a statement."""
    try:
        compiled, is_expr = compile(code, "<check>", "eval"), True
    except SyntaxError:
        compiled, is_expr = compile(code, "<check>", "exec"), False
    return eval(compiled, env) if is_expr else exec(compiled, env)


def run(codes):
    env = {name: value for name, value in vars(closures).items() if not name.startswith("__")}
    env.update(closures=closures, snapshot=snapshot, changed=changed, holds=holds)
    return [[code, attempt(lambda code=code: _execute(code, env))] for code in codes]
