"""advanced/metaclasses: classes made with type(), the notes' renameattribute, a registry metaclass."""
from kit.values import expect

AI_SENT = 'AI = make_ai()   # type("AI", (), {"hp": 100})'
NPC_SENT = "AI = make_ai()\nNPC = make_npc(AI)"


def test_type_builds_ai(learner):
    got = learner.call("ai_class")
    expect(got, {
        "AI.__name__": "AI",
        "[b.__name__ for b in AI.__bases__]": ["object"],
        "type(AI) is type": True,
        "AI.hp": 100,
        "AI().hp": 100,
        "AI().__class__ is AI": True,
    }, "make_ai() 应返回用 type(\"AI\", (), {\"hp\": 100}) 创建的类。",
        "make_ai() must return the class made by type(\"AI\", (), {\"hp\": 100}).", sent=AI_SENT,
        hint_zh="type(类名, 父类元组, 属性字典) 直接返回一个新类。", hint_en="type(name, bases tuple, attribute dict) returns a new class.")


def test_type_builds_npc_from_ai(learner):
    got = learner.call("npc_class")
    expect(got, {
        "NPC.__name__": "NPC",
        "NPC.__bases__ == (AI,)": True,
        "NPC.hp": 100,
        "'hp' in NPC.__dict__": False,
        "NPC.canMove": False,
        "hasattr(AI, 'canMove')": False,
        "isinstance(NPC(), AI)": True,
    }, "make_npc(AI) 应返回 type(\"NPC\", (AI,), {...}) 创建的类：继承 AI（hp 从 AI 继承来），自己多一个 canMove = False。",
        "make_npc(AI) must return the class made by type(\"NPC\", (AI,), {...}): it inherits from AI (hp comes from "
        "AI) and adds canMove = False.", sent=NPC_SENT,
        hint_zh="父类元组是 (ai,)，用的是传进来的参数 ai；属性字典里不要再放 hp。",
        hint_en="The bases tuple is (ai,), the argument you were given; do not put hp in the attribute dict again.")


def test_npc_instance_method(learner):
    got = learner.call("npc_methods")
    expect({k: got[k] for k in ("NPC().speak() 打印 / prints", "type(NPC.__dict__['speak']).__name__")}, {
        "NPC().speak() 打印 / prints": ["Welcome"],
        "type(NPC.__dict__['speak']).__name__": "function",
    }, "NPC 的实例方法 speak 应打印 Welcome。", "NPC's instance method speak must print Welcome.", sent=NPC_SENT,
        hint_zh="def speak(self): print(\"Welcome\")，放进属性字典 {\"speak\": speak}。",
        hint_en="def speak(self): print(\"Welcome\"), put in the attribute dict as {\"speak\": speak}.")


def test_npc_static_and_class_methods(learner):
    got = learner.call("npc_methods")
    del got["NPC().speak() 打印 / prints"], got["type(NPC.__dict__['speak']).__name__"]
    expect(got, {
        "NPC.attack() 打印 / prints": ["Attack"],
        "NPC().attack() 打印 / prints": ["Attack"],
        "type(NPC.__dict__['attack']).__name__": "staticmethod",
        "NPC.dead() 打印 / prints": ["Dead"],
        "NPC().dead() 打印 / prints": ["Dead"],
        "type(NPC.__dict__['dead']).__name__": "classmethod",
    }, "attack 应是静态方法（打印 Attack），dead 应是类方法（打印 Dead），通过类和实例都能调用。",
        "attack must be a static method (prints Attack) and dead a class method (prints Dead), callable on the class "
        "and on an instance.", sent=NPC_SENT,
        hint_zh="在类外面定义函数时也可以加装饰器：@staticmethod def attack(): ...，@classmethod def dead(cls): ...",
        hint_en="Decorators work on functions defined outside a class too: @staticmethod def attack(): ..., "
                "@classmethod def dead(cls): ...")


RENAMED_SENT = '''class AI(object, metaclass=renameattribute):
    """会被改名的 AI / An AI whose attributes are renamed."""
    isalive = False
    def __init__(self, hp=100): self.hp = hp
    def speak(self): return "Welcome"
ai = AI()'''


def test_renameattribute_prefixes_names(learner):
    got = learner.call("renamed")
    expect(got, {
        "hasattr(ai, 'isalive')": False,
        "hasattr(ai, 'aiisalive')": True,
        "ai.aiisalive": False,
        "hasattr(ai, 'speak')": False,
        "ai.aispeak()": "Welcome",
    }, "元类 renameattribute 应把不以 __ 开头的属性名改成 小写类名 + 原名（isalive → aiisalive）。",
        "The metaclass renameattribute must rename every name not starting with __ to lower-case class name + "
        "name (isalive → aiisalive).", sent=RENAMED_SENT,
        hint_zh="key = classname.lower() + key，最后 return type(classname, parentclass, newattribute)。",
        hint_en="key = classname.lower() + key, then return type(classname, parentclass, newattribute).")


def test_renameattribute_keeps_dunder_names(learner):
    got = learner.call("renamed_dunders")
    expect(got, {
        "AI.__name__": "AI",
        "AI(50).hp": 50,
        "AI().hp": 100,
        "AI.__doc__": "会被改名的 AI / An AI whose attributes are renamed.",
    }, "以 __ 开头的名字（__init__、__doc__……）应原样保留在类里，不能丢掉。",
        "Names starting with __ (__init__, __doc__...) must stay in the class unchanged, not be dropped.",
        sent=RENAMED_SENT,
        hint_zh="笔记里 newattribute[key] = value 写在 if 里面，__init__ 等就被丢掉了：把它移到 if 外面。",
        hint_en="In the notes, newattribute[key] = value sits inside the if, so __init__ and friends are dropped: "
                "move it out of the if.")


def test_renameattribute_on_other_classes(learner):
    got = learner.call("renamed_other_classes")
    expect(got, {
        "Hero.__name__": "Hero",
        "[b.__name__ for b in Hero.__bases__]": ["Base"],
        "Hero.herohp": 10,
        "hasattr(Hero, 'hp')": False,
        "Hero().herorun()": "running",
        "Hero().level": 1,
        "Hero().describe()": "base",
        "Hero.__doc__": "英雄 / hero",
        "Dragon('d').name": "d",
        "Dragon.dragonfire": True,
        "hasattr(Dragon, 'fire')": False,
        "Dragon('d').level": 1,
    }, "renameattribute 要对任何类名和父类都成立：用参数 classname（转小写）做前缀，父类原样传给 type，继承来的属性不改名。",
        "renameattribute must work for any class name and bases: prefix with the classname argument (lower-cased), "
        "pass the bases to type as they are; inherited attributes keep their names.",
        sent='class Base: level = 1; def describe(self): return "base"\n'
             'Hero = renameattribute("Hero", (Base,), {"hp": 10, "run": run, "__doc__": "英雄 / hero"})\n'
             'class Dragon(Base, metaclass=renameattribute):\n    fire = True\n'
             '    def __init__(self, name): self.name = name')


REGISTRY_SENT = '''class Plugin(metaclass=RegistryMeta): ...
class Echo(Plugin): def run(self, text): return text
class Upper(Echo): def run(self, text): return text.upper()
Dyn = RegistryMeta("Dyn", (Plugin,), {"run": lambda self, text: text[::-1]})'''


def test_registry_records_subclasses(learner):
    got = learner.call("registry")
    expect(got["records"], {
        "sorted(RegistryMeta.registry)  # 定义了 / defined Plugin, Echo(Plugin), Upper(Echo), Dyn": ["Dyn", "Echo", "Upper"],
        "RegistryMeta.registry['Echo'] is Echo": True,
        "RegistryMeta.registry['Upper'] is Upper": True,
        "RegistryMeta.registry['Dyn'] is Dyn": True,
    }, "RegistryMeta 应把它创建的每个子类（任意层）记录到 RegistryMeta.registry[类名] 里。",
        "RegistryMeta must record every subclass it creates (at any depth) in RegistryMeta.registry[class name].",
        sent=REGISTRY_SENT,
        hint_zh="在 __new__ 里 cls = super().__new__(mcs, name, bases, attrs)，登记 cls，再 return cls。",
        hint_en="In __new__: cls = super().__new__(mcs, name, bases, attrs), record cls, then return cls.")


def test_registry_skips_root(learner):
    got = learner.call("registry")
    expect(got["root"], {
        "sorted(RegistryMeta.registry)  # 只定义了 / only Plugin defined": [],
        "'Plugin' in RegistryMeta.registry": False,
    }, "根类 Plugin（它的父类都不是 RegistryMeta 创建的）不应被登记。",
        "The root Plugin (none of its bases was made by RegistryMeta) must not be recorded.", sent=REGISTRY_SENT,
        hint_zh="只有当某个父类 isinstance(base, RegistryMeta) 时才登记。",
        hint_en="Record a class only when one of its bases is isinstance(base, RegistryMeta).")


def test_registry_classes_work(learner):
    got = learner.call("registry")
    expect(got["classes"], {
        "type(Plugin) is RegistryMeta": True,
        "type(Upper) is RegistryMeta": True,
        "[b.__name__ for b in Upper.__bases__]": ["Echo"],
        "isinstance(Upper(), Plugin)": True,
        "Upper().run('hi')": "HI",
        "RegistryMeta.registry['Dyn']().run('abc')": "cba",
    }, "RegistryMeta 创建的类应是正常的类：它们的类型是 RegistryMeta，继承和方法照常工作。",
        "Classes made by RegistryMeta must be ordinary classes: their type is RegistryMeta, inheritance and methods "
        "work as usual.", sent=REGISTRY_SENT,
        hint_zh="用 super().__new__(mcs, ...) 创建类；写 type(name, bases, attrs) 得到的类的类型是 type，子类就不再经过 RegistryMeta。",
        hint_en="Create the class with super().__new__(mcs, ...); type(name, bases, attrs) gives a class whose type is "
                "type, so its subclasses no longer go through RegistryMeta.")

