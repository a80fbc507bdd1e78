"""Runs in the sandbox beside the learner's dynamic.py; returns plain values only.

Each probe builds fresh objects, applies the learner's functions, and reports a list of
[expression, observation] steps.  An observation is {"value": v} or, when the learner code
raised, {"raised": type, "message": text}, so the check can say which step went wrong.
"""
import types

import dynamic

from probekit.values import steps


def class_attribute():
    AI = dynamic.AI

    class NPC:
        pass

    a1 = AI(50)
    return steps([
        ("add_class_attribute(AI, 'isalive', False)", lambda: dynamic.add_class_attribute(AI, "isalive", False)),
        ("AI.isalive", lambda: AI.isalive),
        ("a1.isalive", lambda: a1.isalive),
        ("AI(60).isalive", lambda: AI(60).isalive),
        ("'isalive' in a1.__dict__", lambda: "isalive" in vars(a1)),
        ("add_class_attribute(NPC, 'level', 3)", lambda: dynamic.add_class_attribute(NPC, "level", 3)),
        ("NPC.level", lambda: NPC.level),
        ("NPC().level", lambda: NPC().level),
    ])


def bind_move():
    a1, a2 = dynamic.AI(50), dynamic.AI(60)
    return steps([
        ("add_move(a1)", lambda: dynamic.add_move(a1)),
        ("add_move(a2)", lambda: dynamic.add_move(a2)),
        ("a1.move()", lambda: a1.move()),
        ("a2.move()", lambda: a2.move()),
        ("isinstance(a1.move, types.MethodType)", lambda: isinstance(a1.move, types.MethodType)),
        ("a1.move.__self__ is a1", lambda: a1.move.__self__ is a1),
    ])


def others_unaffected():
    AI = dynamic.AI
    a1, a2 = AI(50), AI(60)
    return steps([
        ("add_move(a1)", lambda: dynamic.add_move(a1)),
        ("'move' in a1.__dict__", lambda: "move" in vars(a1)),
        ("hasattr(a2, 'move')", lambda: hasattr(a2, "move")),
        ("hasattr(AI(70), 'move')", lambda: hasattr(AI(70), "move")),
        ("'move' in AI.__dict__", lambda: "move" in vars(AI)),
    ])


def class_methods():
    AI = dynamic.AI
    a1 = AI(50)
    return steps([
        ("add_class_methods(AI)", lambda: dynamic.add_class_methods(AI)),
        ("AI.attack()", lambda: AI.attack()),
        ("a1.attack()", lambda: a1.attack()),
        ("AI.dead()", lambda: AI.dead()),
        ("a1.dead()", lambda: a1.dead()),
    ])


def class_methods_on_subclass():
    AI = dynamic.AI

    class Boss(AI):
        pass

    boss = Boss(500)
    return steps([
        ("add_class_methods(AI)", lambda: dynamic.add_class_methods(AI)),
        ("Boss.attack()", lambda: Boss.attack()),
        ("boss.attack()", lambda: boss.attack()),
        ("Boss.dead()", lambda: Boss.dead()),
    ])


def slots_allow():
    s = dynamic.SlotAI()
    return steps([
        ("s.hp = 50", lambda: setattr(s, "hp", 50)),
        ("s.mp = 100", lambda: setattr(s, "mp", 100)),
        ("s.hp", lambda: s.hp),
        ("s.mp", lambda: s.mp),
    ])


def slots_refuse():
    s = dynamic.SlotAI()
    return steps([
        ("s.attack = 100", lambda: setattr(s, "attack", 100)),
        ("hasattr(s, 'attack')", lambda: hasattr(s, "attack")),
        ("hasattr(s, '__dict__')", lambda: hasattr(s, "__dict__")),
    ])


def remove_move():
    a1, a2 = dynamic.AI(50), dynamic.AI(60)
    return steps([
        ("add_move(a1)", lambda: dynamic.add_move(a1)),
        ("add_move(a2)", lambda: dynamic.add_move(a2)),
        ("remove_move(a1)", lambda: dynamic.remove_move(a1)),
        ("hasattr(a1, 'move')", lambda: hasattr(a1, "move")),
        ("a1.move()", lambda: a1.move()),
        ("hasattr(a2, 'move')", lambda: hasattr(a2, "move")),
    ])
