"""Runs in the sandbox beside the learner's attributes.py; returns plain values only.

Observations are taken with probekit's attempt/observe/steps, so a learner exception (AttributeError, TypeError...) comes
back as {"raised": type, "message": text} for the check to report.  Building the instances is
not wrapped: a broken __init__ fails the check as a crash, with its traceback.
"""
import attributes

from probekit.values import observe, steps


def _kind(name):
    """What the class itself holds under name: staticmethod, classmethod, function..."""
    return type(vars(attributes.AI)[name]).__name__


def class_attribute_default():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return observe([
        ("AI.is_alive", lambda: AI.is_alive),
        ("a1.is_alive", lambda: a1.is_alive),
        ("a2.is_alive", lambda: a2.is_alive),
        ("'is_alive' in AI.__dict__", lambda: "is_alive" in vars(AI)),
        ("'is_alive' in a1.__dict__", lambda: "is_alive" in vars(a1)),
    ])


def class_attribute_shared():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    AI.is_alive = True
    a3 = AI(10, 10)
    return observe([("a1.is_alive", lambda: a1.is_alive), ("a2.is_alive", lambda: a2.is_alive),
                    ("a3.is_alive", lambda: a3.is_alive)])


def instance_attributes():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return observe([
        ("a1.hp", lambda: a1.hp), ("a1.mp", lambda: a1.mp),
        ("a2.hp", lambda: a2.hp), ("a2.mp", lambda: a2.mp),
        ("'hp' in a1.__dict__", lambda: "hp" in vars(a1)),
        ("'mp' in a1.__dict__", lambda: "mp" in vars(a1)),
    ])


def class_reads_instance_attributes():
    AI = attributes.AI
    AI(100, 50)
    return observe([("AI.hp", lambda: AI.hp), ("AI.mp", lambda: AI.mp)])


def instance_method():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return observe([("a1.hurt(30)", lambda: a1.hurt(30)), ("a1.hp", lambda: a1.hp), ("a1.hurt(20)", lambda: a1.hurt(20)),
                    ("a2.hp", lambda: a2.hp)])


def static_method():
    AI = attributes.AI
    a1 = AI(100, 50)
    return observe([("AI.dead()", lambda: AI.dead()), ("a1.dead()", lambda: a1.dead()),
                    ("type(AI.__dict__['dead'])", lambda: _kind("dead"))])


def class_info():
    AI = attributes.AI
    a1 = AI(100, 50)
    return observe([("AI.__doc__", lambda: AI.__doc__), ("AI.class_info()", lambda: AI.class_info()),
                    ("a1.class_info()", lambda: a1.class_info()),
                    ("type(AI.__dict__['class_info'])", lambda: _kind("class_info"))])


def _subclass():
    class Boss(attributes.AI):
        """Boss子类"""

    return Boss


def class_info_on_subclass():
    Boss = _subclass()
    boss = Boss(500, 300)
    return observe([("Boss.class_info()", lambda: Boss.class_info()), ("boss.class_info()", lambda: boss.class_info())])


def set_alive():
    AI = attributes.AI
    a1, a2 = AI(100, 50), AI(60, 120)
    return steps([
        ("AI.set_alive(True)", lambda: AI.set_alive(True)),
        ("AI.is_alive", lambda: AI.is_alive),
        ("a1.is_alive", lambda: a1.is_alive),
        ("a2.is_alive", lambda: a2.is_alive),
        ("a1.set_alive(False)", lambda: a1.set_alive(False)),
        ("AI.is_alive", lambda: AI.is_alive),
        ("a2.is_alive", lambda: a2.is_alive),
    ])


def set_alive_on_subclass():
    AI, Boss = attributes.AI, _subclass()
    ai, boss = AI(100, 50), Boss(500, 300)
    return steps([
        ("Boss.set_alive(True)", lambda: Boss.set_alive(True)),
        ("Boss.is_alive", lambda: Boss.is_alive),
        ("boss.is_alive", lambda: boss.is_alive),
        ("AI.is_alive", lambda: AI.is_alive),
        ("ai.is_alive", lambda: ai.is_alive),
    ])
