"""Runs in the sandbox beside the learner's metaclasses.py; returns plain values only.

Every probe returns {label: observation}: the label is the expression the learner reads in
a failure message, the observation {"value": v} or {"raised": type, "message": text}
(probekit.values.observe; the checks compare them with kit.values.expect).  Values that are
not plain (classes, functions) are described by the probe itself, e.g. as names.
"""
import contextlib
import io

import metaclasses

from probekit.values import observe, text


def printed(func):
    """What func() printed, as lines (its return value is ignored, as in the notes)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        func()
    return buf.getvalue().splitlines()


def names(classes):
    return [cls.__name__ for cls in classes]


def _make(factory):
    """Call factory once; the learner's exception becomes the observation of every label."""
    try:
        return factory(), None
    except Exception as exc:
        return None, {"raised": type(exc).__name__, "message": text(exc)}


def ai_class():
    AI, error = _make(metaclasses.make_ai)
    checks = [
        ("AI.__name__", lambda: AI.__name__),
        ("[b.__name__ for b in AI.__bases__]", lambda: names(AI.__bases__)),
        ("type(AI) is type", lambda: type(AI) is type),
        ("AI.hp", lambda: AI.hp),
        ("AI().hp", lambda: AI().hp),
        ("AI().__class__ is AI", lambda: AI().__class__ is AI),
    ]
    return {label: error for label, _ in checks} if error else observe(checks)


def _npc():
    AI = metaclasses.make_ai()
    return AI, metaclasses.make_npc(AI)


def npc_class():
    made, error = _make(_npc)
    AI, NPC = made or (None, None)
    checks = [
        ("NPC.__name__", lambda: NPC.__name__),
        ("NPC.__bases__ == (AI,)", lambda: NPC.__bases__ == (AI,)),
        ("NPC.hp", lambda: NPC.hp),
        ("'hp' in NPC.__dict__", lambda: "hp" in NPC.__dict__),
        ("NPC.canMove", lambda: NPC.canMove),
        ("hasattr(AI, 'canMove')", lambda: hasattr(AI, "canMove")),
        ("isinstance(NPC(), AI)", lambda: isinstance(NPC(), AI)),
    ]
    return {label: error for label, _ in checks} if error else observe(checks)


def npc_methods():
    made, error = _make(_npc)
    NPC = made[1] if made else None

    def kind(name):
        return type(NPC.__dict__[name]).__name__

    checks = [
        ("NPC().speak() 打印 / prints", lambda: printed(lambda: NPC().speak())),
        ("type(NPC.__dict__['speak']).__name__", lambda: kind("speak")),
        ("NPC.attack() 打印 / prints", lambda: printed(NPC.attack)),
        ("NPC().attack() 打印 / prints", lambda: printed(NPC().attack)),
        ("type(NPC.__dict__['attack']).__name__", lambda: kind("attack")),
        ("NPC.dead() 打印 / prints", lambda: printed(NPC.dead)),
        ("NPC().dead() 打印 / prints", lambda: printed(NPC().dead)),
        ("type(NPC.__dict__['dead']).__name__", lambda: kind("dead")),
    ]
    return {label: error for label, _ in checks} if error else observe(checks)


def _renamed_ai():
    class AI(object, metaclass=metaclasses.renameattribute):  # noqa: UP004  (as in the notes)
        """会被改名的 AI / An AI whose attributes are renamed."""

        isalive = False

        def __init__(self, hp=100):
            self.hp = hp

        def speak(self):
            return "Welcome"

    return AI


def renamed():
    AI, error = _make(_renamed_ai)
    checks = [
        ("hasattr(ai, 'isalive')", lambda: hasattr(AI(), "isalive")),
        ("hasattr(ai, 'aiisalive')", lambda: hasattr(AI(), "aiisalive")),
        ("ai.aiisalive", lambda: AI().aiisalive),
        ("hasattr(ai, 'speak')", lambda: hasattr(AI(), "speak")),
        ("ai.aispeak()", lambda: AI().aispeak()),
    ]
    return {label: error for label, _ in checks} if error else observe(checks)


def renamed_dunders():
    AI, error = _make(_renamed_ai)
    checks = [
        ("AI.__name__", lambda: AI.__name__),
        ("AI(50).hp", lambda: AI(50).hp),
        ("AI().hp", lambda: AI().hp),
        ("AI.__doc__", lambda: AI.__doc__),
    ]
    return {label: error for label, _ in checks} if error else observe(checks)


class Base:
    level = 1

    def describe(self):
        return "base"


def run(self):
    return "running"


def _hero():
    return metaclasses.renameattribute("Hero", (Base,), {"hp": 10, "run": run, "__doc__": "英雄 / hero"})


def _dragon():
    class Dragon(Base, metaclass=metaclasses.renameattribute):
        fire = True

        def __init__(self, name):
            self.name = name

    return Dragon


def renamed_other_classes():
    Hero, error = _make(_hero)
    Dragon, error2 = _make(_dragon)
    hero = [
        ("Hero.__name__", lambda: Hero.__name__),
        ("[b.__name__ for b in Hero.__bases__]", lambda: names(Hero.__bases__)),
        ("Hero.herohp", lambda: Hero.herohp),
        ("hasattr(Hero, 'hp')", lambda: hasattr(Hero, "hp")),
        ("Hero().herorun()", lambda: Hero().herorun()),
        ("Hero().level", lambda: Hero().level),
        ("Hero().describe()", lambda: Hero().describe()),
        ("Hero.__doc__", lambda: Hero.__doc__),
    ]
    dragon = [
        ("Dragon('d').name", lambda: Dragon("d").name),
        ("Dragon.dragonfire", lambda: Dragon.dragonfire),
        ("hasattr(Dragon, 'fire')", lambda: hasattr(Dragon, "fire")),
        ("Dragon('d').level", lambda: Dragon("d").level),
    ]
    out = {label: error for label, _ in hero} if error else observe(hero)
    out.update({label: error2 for label, _ in dragon} if error2 else observe(dragon))
    return out


def registry():
    Meta = metaclasses.RegistryMeta
    made = {}

    def define():
        class Plugin(metaclass=Meta):
            """The root: not recorded."""

        made["before"] = sorted(Meta.registry)

        class Echo(Plugin):
            def run(self, text):
                return text

        class Upper(Echo):
            def run(self, text):
                return text.upper()

        made.update(Plugin=Plugin, Echo=Echo, Upper=Upper)
        made["Dyn"] = Meta("Dyn", (Plugin,), {"run": lambda self, text: text[::-1]})

    _, error = _make(define)
    checks = [
        ("sorted(RegistryMeta.registry)  # 定义了 / defined Plugin, Echo(Plugin), Upper(Echo), Dyn",
         lambda: sorted(Meta.registry)),
        ("RegistryMeta.registry['Echo'] is Echo", lambda: Meta.registry["Echo"] is made["Echo"]),
        ("RegistryMeta.registry['Upper'] is Upper", lambda: Meta.registry["Upper"] is made["Upper"]),
        ("RegistryMeta.registry['Dyn'] is Dyn", lambda: Meta.registry["Dyn"] is made["Dyn"]),
    ]
    root = [
        ("sorted(RegistryMeta.registry)  # 只定义了 / only Plugin defined", lambda: made["before"]),
        ("'Plugin' in RegistryMeta.registry", lambda: "Plugin" in Meta.registry),
    ]
    classes = [
        ("type(Plugin) is RegistryMeta", lambda: type(made["Plugin"]) is Meta),
        ("type(Upper) is RegistryMeta", lambda: type(made["Upper"]) is Meta),
        ("[b.__name__ for b in Upper.__bases__]", lambda: names(made["Upper"].__bases__)),
        ("isinstance(Upper(), Plugin)", lambda: isinstance(made["Upper"](), made["Plugin"])),
        ("Upper().run('hi')", lambda: made["Upper"]().run("hi")),
        ("RegistryMeta.registry['Dyn']().run('abc')", lambda: Meta.registry["Dyn"]().run("abc")),
    ]
    if error:  # defining the classes already failed: that is the answer to every question
        return {key: {label: error for label, _ in group}
                for key, group in (("records", checks), ("root", root), ("classes", classes))}
    return {"records": observe(checks), "root": observe(root), "classes": observe(classes)}
