"""Runs in the sandbox beside the learner's attributes.py; returns plain values only.

Observations are taken with _try, so a learner exception (AttributeError, TypeError...) comes
back as {"raised": type, "message": text} for the check to report.  Building the instances is
not wrapped: a broken __init__ fails the check as a crash, with its traceback.
"""
import attributes

PLAIN = (type(None), bool, int, float, str)


def _text(obj, how=str):
    try:
        return how(obj)[:300]
    except Exception:  # a learner __str__/__repr__ may raise too
        return "<unprintable>"


def _try(get):
    try:
        value = get()
    except Exception as exc:  # the check says which exception was (or was not) expected
        return {"raised": type(exc).__name__, "message": _text(exc)}
    return {"value": value if type(value) in PLAIN else _text(value, repr)}


def _kind(name):
    """What the class itself holds under name: staticmethod, classmethod, function..."""
    return type(vars(attributes.AI)[name]).__name__


def class_attribute_default():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return {
        "AI.is_alive": _try(lambda: AI.is_alive),
        "a1.is_alive": _try(lambda: a1.is_alive),
        "a2.is_alive": _try(lambda: a2.is_alive),
        "'is_alive' in AI.__dict__": _try(lambda: "is_alive" in vars(AI)),
        "'is_alive' in a1.__dict__": _try(lambda: "is_alive" in vars(a1)),
    }


def class_attribute_shared():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    AI.is_alive = True
    a3 = AI(10, 10)
    return {name: _try(get) for name, get in (
        ("a1.is_alive", lambda: a1.is_alive), ("a2.is_alive", lambda: a2.is_alive), ("a3.is_alive", lambda: a3.is_alive))}


def instance_attributes():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return {
        "a1.hp": _try(lambda: a1.hp), "a1.mp": _try(lambda: a1.mp),
        "a2.hp": _try(lambda: a2.hp), "a2.mp": _try(lambda: a2.mp),
        "'hp' in a1.__dict__": _try(lambda: "hp" in vars(a1)),
        "'mp' in a1.__dict__": _try(lambda: "mp" in vars(a1)),
    }


def class_reads_instance_attributes():
    AI = attributes.AI
    AI(100, 50)
    return {"AI.hp": _try(lambda: AI.hp), "AI.mp": _try(lambda: AI.mp)}


def instance_method():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    first = _try(lambda: a1.hurt(30))
    after_first = _try(lambda: a1.hp)
    second = _try(lambda: a1.hurt(20))
    return {"a1.hurt(30)": first, "a1.hp": after_first, "a1.hurt(20)": second, "a2.hp": _try(lambda: a2.hp)}


def static_method():
    AI = attributes.AI
    a1 = AI(100, 50)
    return {"AI.dead()": _try(lambda: AI.dead()), "a1.dead()": _try(lambda: a1.dead()),
            "type(AI.__dict__['dead'])": _try(lambda: _kind("dead"))}


def class_info():
    AI = attributes.AI
    a1 = AI(100, 50)
    return {"AI.__doc__": _try(lambda: AI.__doc__), "AI.class_info()": _try(lambda: AI.class_info()),
            "a1.class_info()": _try(lambda: a1.class_info()),
            "type(AI.__dict__['class_info'])": _try(lambda: _kind("class_info"))}


def _subclass():
    class Boss(attributes.AI):
        """Boss子类"""

    return Boss


def class_info_on_subclass():
    Boss = _subclass()
    boss = Boss(500, 300)
    return {"Boss.class_info()": _try(lambda: Boss.class_info()), "boss.class_info()": _try(lambda: boss.class_info())}


def set_alive():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return [
        ["AI.set_alive(True)", _try(lambda: AI.set_alive(True))],
        ["AI.is_alive", _try(lambda: AI.is_alive)],
        ["a1.is_alive", _try(lambda: a1.is_alive)],
        ["a2.is_alive", _try(lambda: a2.is_alive)],
        ["a1.set_alive(False)", _try(lambda: a1.set_alive(False))],
        ["AI.is_alive", _try(lambda: AI.is_alive)],
        ["a2.is_alive", _try(lambda: a2.is_alive)],
    ]


def set_alive_on_subclass():
    AI, Boss = attributes.AI, _subclass()
    ai, boss = AI(100, 50), Boss(500, 300)
    return [
        ["Boss.set_alive(True)", _try(lambda: Boss.set_alive(True))],
        ["Boss.is_alive", _try(lambda: Boss.is_alive)],
        ["boss.is_alive", _try(lambda: boss.is_alive)],
        ["AI.is_alive", _try(lambda: AI.is_alive)],
        ["ai.is_alive", _try(lambda: ai.is_alive)],
    ]
