"""Runs in the sandbox beside the learner's builtin_demo.py; returns plain values only.

Laziness is observed with iterables that count the items taken from them; the class is
exercised through labelled observations ({"value": v} or {"raised": type, "message": m}).
"""
import contextlib
import io

import builtin_demo

from probekit.values import error_of, observe, plain


class Counting:
    """An iterable that counts how many items have been taken from it."""

    def __init__(self, items):
        self.items = list(items)
        self.taken = 0

    def __iter__(self):
        for item in self.items:
            self.taken += 1
            yield item


def lazy(function, inputs):
    """function(*Counting(inputs)): how many items it took before and after one next()."""
    sources = [Counting(items) for items in inputs]
    try:
        result = getattr(builtin_demo, function)(*sources)
    except Exception as exc:
        return {"error": error_of(exc)}
    out = {"error": None, "type": type(result).__name__, "taken_after_call": [s.taken for s in sources]}
    try:
        out["is_iterator"] = iter(result) is result
        first = next(iter(result))
        out["first"] = plain(first, tuples=True)
        out["taken_after_next"] = [s.taken for s in sources]
        out["rest"] = plain(list(result), tuples=True)
    except Exception as exc:
        out["error"] = error_of(exc)
    return out


def results(function, cases):
    """list(function(*args)) for each case (or the raw value for total/descending)."""
    out = []
    for args in cases:
        before = [list(a) if isinstance(a, (list, tuple)) else a for a in args]
        kinds = [type(a).__name__ for a in args]
        try:
            value = getattr(builtin_demo, function)(*args)
            if function in ("pair_up", "odd_numbers"):
                value = list(value)
        except Exception as exc:
            out.append({"error": error_of(exc)})
            break  # the first crash is what the learner needs to see
        out.append({
            "error": None,
            "type": type(value).__name__,
            "value": plain(value, tuples=True),
            "inputs_unchanged": [list(a) if isinstance(a, (list, tuple)) else a for a in args] == before
            and [type(a).__name__ for a in args] == kinds,
            "inputs_after": repr(args)[:300],
        })
    return out


def _printed(obj):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print(obj)
    return buf.getvalue()


def _roundtrip(hero):
    again = eval(repr(hero), {"Hero": builtin_demo.Hero})  # trusted: only runs the learner's repr text
    return [again.name, again.hp]


def str_and_repr():
    Hero = builtin_demo.Hero
    return observe([
        ("str(Hero('zzy', 80))", lambda: str(Hero("zzy", 80))),
        ("print(Hero('zzy', 80)) 打印 / prints", lambda: _printed(Hero("zzy", 80))),
        ("repr(Hero('zzy', 80))", lambda: repr(Hero("zzy", 80))),
        ("repr(Hero('阿强'))", lambda: repr(Hero("阿强"))),
        ("str([Hero('zzy', 80)])", lambda: str([Hero("zzy", 80)])),
        ("h = eval(repr(Hero('zzy', 80))); [h.name, h.hp]", lambda: _roundtrip(Hero("zzy", 80))),
    ])


def getattr_missing():
    Hero = builtin_demo.Hero
    return observe([
        ("Hero('zzy').attack", lambda: Hero("zzy").attack),
        ("Hero('zzy').defense", lambda: Hero("zzy").defense),
        ("getattr(Hero('zzy'), 'speed', 5)", lambda: getattr(Hero("zzy"), "speed", 5)),
        ("hasattr(Hero('zzy'), '_secret')", lambda: hasattr(Hero("zzy"), "_secret")),
        ("Hero('zzy')._secret", lambda: Hero("zzy")._secret),
        ("hasattr(Hero('zzy'), '__length_hint__')", lambda: hasattr(Hero("zzy"), "__length_hint__")),
    ])


def _spy():
    calls = []

    class Spy(builtin_demo.Hero):
        def __getattr__(self, name):
            calls.append(name)
            return super().__getattr__(name)

    return Spy, calls


def getattr_only_missing():
    Hero = builtin_demo.Hero

    def healed():
        h = Hero("zzy", 80)
        return [h.heal(5), h.hp]

    def assigned():
        h = Hero("zzy")
        h.attack = 7
        return h.attack

    def spied(names):
        Spy, calls = _spy()
        s = Spy("zzy", 80)
        for name in names:
            getattr(s, name)
        return calls

    return observe([
        ("Hero('zzy', 80).name", lambda: Hero("zzy", 80).name),
        ("Hero('zzy', 80).hp", lambda: Hero("zzy", 80).hp),
        ("Hero('zzy').kind", lambda: Hero("zzy").kind),
        ("h = Hero('zzy', 80); [h.heal(5), h.hp]", healed),
        ("h = Hero('zzy'); h.attack = 7; h.attack", assigned),
        ("__getattr__ 被调用的名字 / names __getattr__ was called for: s.name, s.hp, s.kind, s.heal",
         lambda: spied(["name", "hp", "kind", "heal"])),
        ("__getattr__ 被调用的名字 / names __getattr__ was called for: s.mana", lambda: spied(["mana"])),
    ])


def builtin_attributes():
    Hero, Role = builtin_demo.Hero, builtin_demo.Role
    return observe([
        ("Hero.__doc__", lambda: Hero.__doc__),
        ("[b.__name__ for b in Hero.__bases__]", lambda: [b.__name__ for b in Hero.__bases__]),
        ("Role.kind", lambda: Role.kind),
        ("Hero.kind", lambda: Hero.kind),
        ("Hero('zzy', 80).__dict__", lambda: sorted(Hero("zzy", 80).__dict__.items())),
        ("Hero('zzy').__class__ is Hero", lambda: Hero("zzy").__class__ is Hero),
    ])


class Villain(builtin_demo.Hero if hasattr(builtin_demo, "Hero") else object):
    def __init__(self, name):
        super().__init__(name, 50)
        self.evil = True


class Plain:
    """普通的类 / A plain class."""

    def __init__(self):
        self.x = 1


def describe():
    return observe([
        ("describe(Hero('zzy', 80))", lambda: builtin_demo.describe(builtin_demo.Hero("zzy", 80))),
        ("describe(Villain('v'))  # class Villain(Hero): 没有文档字符串 / no docstring; self.evil = True",
         lambda: builtin_demo.describe(Villain("v"))),
        ("describe(Plain())  # class Plain: \"\"\"普通的类 / A plain class.\"\"\"; self.x = 1",
         lambda: builtin_demo.describe(Plain())),
    ])
