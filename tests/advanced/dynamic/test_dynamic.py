"""advanced/dynamic: adding class attributes, instance methods (types.MethodType), class and static
methods at run time; __slots__; deleting a method."""
from kit.values import Raises, expect

BIND_HINT = dict(hint_zh="obj.move = types.MethodType(move, obj)：把函数绑定到这一个实例上，self 才会自动传入。",
                 hint_en="obj.move = types.MethodType(move, obj): bind the function to this one instance so self is passed.")
CLASSMETHOD_HINT = dict(hint_zh="在模块里用 @classmethod 定义 attack(cls)，用 @staticmethod 定义 dead()，再 cls.attack = attack、cls.dead = dead。",
                        hint_en="Define attack(cls) with @classmethod and dead() with @staticmethod at module level, "
                                "then cls.attack = attack and cls.dead = dead.")
SLOTS_HINT = dict(hint_zh="在类里写 __slots__ = ('hp', 'mp')（注意逗号：('hp') 只是字符串）。",
                  hint_en="Write __slots__ = ('hp', 'mp') in the class body (mind the comma: ('hp') is just a string).")


def test_add_class_attribute(learner):
    got = learner.call("class_attribute")
    expect(got, [["add_class_attribute(AI, 'isalive', False)", None], ["AI.isalive", False], ["a1.isalive", False],
                 ["AI(60).isalive", False], ["'isalive' in a1.__dict__", False],
                 ["add_class_attribute(NPC, 'level', 3)", None], ["NPC.level", 3], ["NPC().level", 3]],
           "add_class_attribute(cls, name, value) 应给类 cls 添加名为 name 的类属性：类和它的所有实例（已有的和新建的）都能读到。",
           "add_class_attribute(cls, name, value) must add a class attribute called name to cls: the class and all its "
           "instances, old and new, can read it.",
           sent="a1 = AI(50); add_class_attribute(AI, 'isalive', False); class NPC: pass; "
                "add_class_attribute(NPC, 'level', 3)",
           hint_zh="名字在字符串变量 name 里：用 setattr(cls, name, value)，cls.name = value 添加的是叫 name 的属性。",
           hint_en="The name is in the string variable name: use setattr(cls, name, value); cls.name = value adds an attribute called 'name'.")


def test_add_move_binds_instance(learner):
    got = learner.call("bind_move")
    expect(got, [["add_move(a1)", None], ["add_move(a2)", None], ["a1.move()", "move, hp=50"],
                 ["a2.move()", "move, hp=60"], ["isinstance(a1.move, types.MethodType)", True],
                 ["a1.move.__self__ is a1", True]],
           "add_move(obj) 应把模块里的函数 move 绑定到实例 obj 上：obj.move() 不用传参数，self 就是 obj。",
           "add_move(obj) must bind the module's function move to the instance obj: obj.move() takes no argument and self is obj.",
           sent="a1, a2 = AI(50), AI(60); add_move(a1); add_move(a2); a1.move(); a2.move()", **BIND_HINT)


def test_add_move_other_instances_unaffected(learner):
    got = learner.call("others_unaffected")
    expect(got, [["add_move(a1)", None], ["'move' in a1.__dict__", True], ["hasattr(a2, 'move')", False],
                 ["hasattr(AI(70), 'move')", False], ["'move' in AI.__dict__", False]],
           "add_move(a1) 只应给 a1 这一个实例添加方法：其他实例（已有的和新建的）和类 AI 都没有 move。",
           "add_move(a1) must add the method to the instance a1 only: other instances, old or new, and the class AI have no move.",
           sent="a1, a2 = AI(50), AI(60); add_move(a1)",
           hint_zh="给实例赋值（obj.move = ...），不要给类赋值（AI.move 或 type(obj).move）。",
           hint_en="Assign to the instance (obj.move = ...), not to the class (AI.move or type(obj).move).")


def test_add_classmethod_and_staticmethod(learner):
    got = learner.call("class_methods")
    expect(got, [["add_class_methods(AI)", None], ["AI.attack()", "AI attack"], ["a1.attack()", "AI attack"],
                 ["AI.dead()", "dead"], ["a1.dead()", "dead"]],
           "add_class_methods(cls) 应给类添加类方法 attack（返回 cls.__name__ + \" attack\"）和静态方法 dead（返回 \"dead\"），"
           "通过类和实例都能调用。",
           "add_class_methods(cls) must add the class method attack (returning cls.__name__ + \" attack\") and the static "
           "method dead (returning \"dead\") to the class, callable through the class and an instance.",
           sent="a1 = AI(50); add_class_methods(AI); AI.attack(); a1.attack(); AI.dead(); a1.dead()", **CLASSMETHOD_HINT)


def test_added_classmethod_reaches_subclass(learner):
    got = learner.call("class_methods_on_subclass")
    expect(got, [["add_class_methods(AI)", None], ["Boss.attack()", "Boss attack"], ["boss.attack()", "Boss attack"],
                 ["Boss.dead()", "dead"]],
           "给父类动态添加的类方法，子类也能用；通过子类调用时 cls 是子类，所以返回 \"Boss attack\"。",
           "A class method added to the parent class at run time works for subclasses too; called through a subclass, "
           "cls is the subclass, so it returns \"Boss attack\".",
           sent="class Boss(AI): pass; boss = Boss(500); add_class_methods(AI); Boss.attack(); boss.attack(); Boss.dead()",
           hint_zh="用 @classmethod，不要用 types.MethodType(attack, cls) 把它绑死在 AI 上。",
           hint_en="Use @classmethod; types.MethodType(attack, cls) binds it to AI for good.")


def test_slots_allow_hp_and_mp(learner):
    got = learner.call("slots_allow")
    expect(got, [["s.hp = 50", None], ["s.mp = 100", None], ["s.hp", 50], ["s.mp", 100]],
           "SlotAI 的实例应能添加 hp 和 mp 两个属性。", "Instances of SlotAI must accept the attributes hp and mp.",
           sent="s = SlotAI(); s.hp = 50; s.mp = 100", **SLOTS_HINT)


def test_slots_refuse_other_attributes(learner):
    got = learner.call("slots_refuse")
    expect(got, [["s.attack = 100", Raises("AttributeError")], ["hasattr(s, 'attack')", False],
                 ["hasattr(s, '__dict__')", False]],
           "__slots__ 限制了只能添加 hp、mp：添加 attack 应抛出 AttributeError，实例也没有 __dict__。",
           "__slots__ allows hp and mp only: adding attack must raise AttributeError, and instances have no __dict__.",
           sent="s = SlotAI(); s.attack = 100",
           hint_zh="__slots__ 要写在类里（类属性），写在 __init__ 里（self.__slots__）不起作用。",
           hint_en="__slots__ must be in the class body (a class attribute); self.__slots__ in __init__ does nothing.")


def test_remove_move(learner):
    got = learner.call("remove_move")
    expect(got, [["add_move(a1)", None], ["add_move(a2)", None], ["remove_move(a1)", None],
                 ["hasattr(a1, 'move')", False], ["a1.move()", Raises("AttributeError")], ["hasattr(a2, 'move')", True]],
           "remove_move(obj) 应删除 obj 上的 move（del 或 delattr）：之后 obj.move() 抛出 AttributeError，其他实例的 move 还在。",
           "remove_move(obj) must delete move from obj (del or delattr): afterwards obj.move() raises AttributeError, "
           "and other instances keep their move.",
           sent="a1, a2 = AI(50), AI(60); add_move(a1); add_move(a2); remove_move(a1)",
           hint_zh="del obj.move 或 delattr(obj, \"move\")；赋值 None 不是删除。",
           hint_en="del obj.move or delattr(obj, \"move\"); assigning None does not delete it.")
